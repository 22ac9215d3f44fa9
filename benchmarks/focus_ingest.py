"""Benchmark: FOCUS ingest of a large synthetic bill, CSV and Parquet (a script, not a test).

    .venv/bin/python benchmarks/focus_ingest.py [--rows 2000000] [--dir /tmp/focus-bench] [--keep]

Generates FOCUS 1.2 rows (1 year, 50 components, 5,000 resources whose Tags JSON carries component, team and
env, plus credits, tax and a second currency), then for each format runs in pairs (A B A B ..., each run a
fresh process, imports not timed): the `focus` collector with tag and rule attribution (A) and a pyarrow read
of exactly the columns the collector reads, with its reader's options (B, the baseline). Reports medians and
min-max of wall time and peak RSS, and the A/B ratio pair by pair.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

COMPONENTS = [f"svc-{i:02d}" for i in range(50)]
SERVICES = [
    "Amazon Bedrock",
    "Amazon EC2",
    "Amazon S3",
    "Amazon OpenSearch Service",
    "AWS Lambda",
    "Amazon RDS",
]


def generate(rows: int, folder: Path, seed: int = 7) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    resources = 5000
    res_component = rng.integers(0, len(COMPONENTS), resources)
    tag_sets = [
        json.dumps(
            {"component": COMPONENTS[c], "team": f"team-{c % 12}", "env": "prod" if r % 5 else "staging"}
        )
        if r % 20
        else "{}"  # 5% of resources are untagged: unattributed unless a rule matches
        for r, c in enumerate(res_component)
    ]
    res = rng.integers(0, resources, rows)
    day = np.datetime64("2026-01-01") + rng.integers(0, 365, rows).astype("timedelta64[D]")
    start = pa.array(day.astype("datetime64[s]"), pa.timestamp("s", tz="UTC"))
    cost = np.round(rng.gamma(1.5, 4.0, rows), 6)
    category = np.where(rng.random(rows) < 0.01, "Credit", np.where(rng.random(rows) < 0.01, "Tax", "Usage"))
    cost = np.where(category == "Credit", -cost, cost)
    currency = np.where(rng.random(rows) < 0.002, "EUR", "USD")
    table = pa.table(
        {
            "BilledCost": cost,
            "BillingAccountId": pa.array(["000-00-000"] * rows),
            "BillingCurrency": currency,
            "BillingPeriodStart": pc.cast(pc.floor_temporal(start, unit="month"), pa.string()),
            "ChargeCategory": category,
            "ChargeClass": pa.nulls(rows, pa.string()),
            "ChargeDescription": pa.array(["Usage charge"] * rows),
            "ChargePeriodEnd": pc.cast(pc.add(start, pa.scalar(86400, pa.duration("s"))), pa.string()),
            "ChargePeriodStart": pc.cast(start, pa.string()),
            "ConsumedQuantity": np.round(rng.random(rows) * 100, 3),
            "EffectiveCost": cost,
            "ListCost": np.round(cost * 1.2, 6),
            "ProviderName": pa.array(["AWS"] * rows),
            "ResourceId": pc.take(
                pa.array([f"arn:aws:res/{r:05d}" for r in range(resources)]), pa.array(res)
            ),
            "ServiceName": pc.take(pa.array(SERVICES), pa.array(res % len(SERVICES))),
            "SkuId": pc.take(pa.array([f"sku-{r % 300}" for r in range(resources)]), pa.array(res)),
            "SubAccountName": pc.take(pa.array(["prod-ai", "prod-search", "shared"]), pa.array(res % 3)),
            "Tags": pc.take(pa.array(tag_sets), pa.array(res)),
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"csv": folder / "focus.csv", "parquet": folder / "focus.parquet"}
    pacsv.write_csv(table, paths["csv"])
    pq.write_table(table, paths["parquet"])
    return paths


def worker(kind: str, path: Path) -> dict[str, float]:
    """Runs in a fresh process: one measured ingest; prints its figures as JSON. Imports are not timed."""
    from sentinel_reports.collectors.base import CollectContext
    from sentinel_reports.collectors.focus import FocusCollector, FocusOptions
    from sentinel_reports.config import Config

    t0 = time.perf_counter()
    if kind == "baseline":
        from sentinel_reports.collectors.focus import PROVIDER_COLUMNS
        from sentinel_reports.collectors.focus_table import read_focus_table

        wanted = {
            "ChargePeriodStart", "ChargeCategory", "ChargeClass", "EffectiveCost", "BilledCost",
            "BillingCurrency", "ServiceName", *PROVIDER_COLUMNS, "Tags", "SubAccountName",
        }  # fmt: skip  # what the collector below reads: its tags and its rule's match columns
        rows = read_focus_table(path, wanted).num_rows
    else:
        config = Config.model_validate(
            {
                "organization": "bench",
                "components": [{"id": c, "name": c, "owner": "Platform team"} for c in COMPONENTS],
            }
        )
        ctx = CollectContext(project_dir=path.parent, source_id="bench", tz=config.tz, config=config)
        options = FocusOptions(
            type="focus",
            path=path.name,
            component_tag="component",
            team_tag="team",
            rules=[
                {"match": {"ServiceName": "Amazon S3", "SubAccountName": "shared"}, "team": "Storage team"}
            ],
        )
        batch = FocusCollector().collect(options, ctx)
        rows = batch.rows
        print(json.dumps({"ledger_rows": len(batch.costs), "summary": batch.summary}), file=sys.stderr)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "rows": rows,
        "peak_rss_mib": peak_mib,
    }


def measure(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(path)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--pairs", type=int, default=3, help="A B runs of each format")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]))))
        return
    folder = args.dir or Path(tempfile.mkdtemp(prefix="focus-bench-"))
    t0 = time.perf_counter()
    paths = generate(args.rows, folder)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f}s into {folder}")
    for fmt, path in paths.items():
        size = path.stat().st_size / 2**20
        runs = [(measure("collector", path), measure("baseline", path)) for _ in range(args.pairs)]
        ours, base = [r[0] for r in runs], [r[1] for r in runs]

        def span(values: list[float]) -> str:
            return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"

        print(
            f"{fmt:8s} {size:6.0f} MiB, {ours[0]['rows']:,} rows, {args.pairs} pairs | "
            f"collector {span([o['seconds'] for o in ours])} s, {span([o['peak_rss_mib'] for o in ours])} MiB | "
            f"needed columns {span([b['seconds'] for b in base])} s, {span([b['peak_rss_mib'] for b in base])} MiB | "
            f"ratio {span([o['seconds'] / b['seconds'] for o, b in runs])}x"
        )
    if not args.keep and args.dir is None:
        for path in paths.values():
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
