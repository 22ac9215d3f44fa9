"""Benchmark: FOCUS ingest of a large synthetic bill, CSV and Parquet (a script, not a test).

    .venv/bin/python benchmarks/focus_ingest.py [--rows 2000000] [--dir /tmp/focus-bench] [--keep] [--reuse]
        [--only csv parquet table]

Generates FOCUS 1.2 rows (1 year, 50 components, 5,000 resources whose Tags JSON carries component, team and
env, plus credits, tax and a second currency), then for each format runs in triples (A B C A B C ..., each run
a fresh process, imports not timed):

- A: the `focus` collector with tag and rule attribution, on the default engine (DuckDB);
- B: the baseline, a hand-written DuckDB query of the same ledger on the same file (the tags read with
  `json_extract_string`, the same rule and owner fallback, sums as DECIMAL(38, 18)), which must give the
  collector's number of ledger rows;
- C: a pyarrow read of exactly the columns the collector reads, with its reader's options (a second
  baseline: reading alone, no parsing or summing).

Then the same rows as a table of a DuckDB database file (`table: billing.focus`, made from the Parquet
file, columns typed as there): the collector reading the table (T), against the same baseline B on the
Parquet file (T B T B ...), which must give the same number of ledger rows.

Reports medians and min-max of wall time, CPU seconds and peak RSS, and the A/B and A/C ratios run by run.
"""

from __future__ import annotations

import argparse
import json
import os
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


DUCKDB_QUERY = """
WITH charges AS (
    SELECT date_trunc('day', CAST(ChargePeriodStart AS TIMESTAMPTZ)) AS day,
           json_extract_string(Tags, '$.component') AS tag_component,
           nullif(trim(json_extract_string(Tags, '$.team')), '') AS tag_team,
           coalesce(nullif(trim(ProviderName), ''), 'unspecified') AS provider,
           coalesce(nullif(trim(ServiceName), ''), 'unspecified') AS service,
           SubAccountName,
           lower(trim(ChargeCategory)) AS category,
           coalesce(upper(trim(BillingCurrency)), 'USD') AS currency,
           CAST(EffectiveCost AS DECIMAL(38, 18)) AS cost,
           CAST(BilledCost AS DECIMAL(38, 18)) AS billed_cost
    FROM {scan}
), attributed AS (
    SELECT *, CASE WHEN list_contains($2, trim(tag_component)) THEN trim(tag_component) END AS component
    FROM charges
), ledger AS (
    SELECT day, component,
           coalesce(tag_team,
                    CASE WHEN service = 'Amazon S3' AND SubAccountName = 'shared' THEN 'Storage team' END,
                    CASE WHEN component IS NOT NULL THEN 'Platform team' END) AS team,
           provider, service, NULL AS model, category, currency,
           sum(cost) AS cost, sum(billed_cost) AS billed_cost, count(*) AS charges
    FROM attributed
    GROUP BY ALL
)
SELECT sum(charges), count(*) FROM ledger
"""


def worker(kind: str, path: Path) -> dict[str, float]:
    """Runs in a fresh process: one measured ingest; prints its figures as JSON. Imports are not timed."""
    from sentinel_reports.collectors.base import CollectContext
    from sentinel_reports.collectors.focus import FocusCollector, FocusOptions
    from sentinel_reports.config import Config

    before = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    ledger_rows = None
    if kind == "pyarrow":
        from sentinel_reports.collectors.focus import PROVIDER_COLUMNS
        from sentinel_reports.collectors.focus_table import read_focus_table

        wanted = {
            "ChargePeriodStart", "ChargeCategory", "ChargeClass", "EffectiveCost", "BilledCost",
            "BillingCurrency", "ServiceName", *PROVIDER_COLUMNS, "Tags", "SubAccountName",
        }  # fmt: skip  # what the collector below reads: its tags and its rule's match columns
        rows = read_focus_table(path, wanted).num_rows
    elif kind == "duckdb":
        import duckdb

        con = duckdb.connect(config={"threads": os.cpu_count() or 1})
        con.execute("SET TimeZone = 'UTC'")
        scan = "read_parquet(?)" if path.suffix == ".parquet" else "read_csv(?, header = true)"
        rows, ledger_rows = con.execute(DUCKDB_QUERY.format(scan=scan), [str(path), COMPONENTS]).fetchone()
    else:
        table = kind == "table"
        config = Config.model_validate(
            {
                "organization": "bench",
                "components": [{"id": c, "name": c, "owner": "Platform team"} for c in COMPONENTS],
                **({"engine": {"database": str(path)}} if table else {}),
            }
        )
        ctx = CollectContext(project_dir=path.parent, source_id="bench", tz=config.tz, config=config)
        options = FocusOptions(
            type="focus",
            **({"table": "billing.focus"} if table else {"path": path.name}),
            component_tag="component",
            team_tag="team",
            rules=[
                {"match": {"ServiceName": "Amazon S3", "SubAccountName": "shared"}, "team": "Storage team"}
            ],
        )
        batch = FocusCollector().collect(options, ctx)
        rows, ledger_rows = batch.rows, len(batch.costs)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mib = peak_rss_mib()
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime,
        "rows": rows,
        "ledger_rows": ledger_rows,
        "peak_rss_mib": peak_mib,
    }


def make_database(parquet: Path) -> Path:
    """A DuckDB database file whose table billing.focus holds the Parquet file's rows."""
    import duckdb

    database = parquet.with_name("focus.duckdb")
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    con.execute("CREATE SCHEMA billing")
    con.execute("CREATE TABLE billing.focus AS SELECT * FROM read_parquet(?)", [str(parquet)])
    con.close()
    return database


def span(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def peak_rss_mib() -> float:
    """This process's peak resident memory since it started (VmHWM: getrusage's ru_maxrss would carry the
    parent's peak over fork and exec, here the parent that generated the files)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    parser.add_argument("--reuse", action="store_true", help="use the files already in --dir")
    parser.add_argument("--pairs", type=int, default=3, help="A B C runs of each format")
    parser.add_argument("--only", nargs="+", choices=("csv", "parquet", "table"), default=None)
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]))))
        return
    folder = args.dir or Path(tempfile.mkdtemp(prefix="focus-bench-"))
    t0 = time.perf_counter()
    paths = {"csv": folder / "focus.csv", "parquet": folder / "focus.parquet"}
    if args.reuse and all(p.exists() for p in paths.values()):
        print(f"reusing the files in {folder}")
    else:
        paths = generate(args.rows, folder)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f}s into {folder}")
    kinds = ("collector", "duckdb", "pyarrow")
    only = set(args.only or ("csv", "parquet", "table"))
    for fmt, path in paths.items():
        if fmt not in only:
            continue
        size = path.stat().st_size / 2**20
        runs = [{k: measure(k, path) for k in kinds} for _ in range(args.pairs)]
        by = {k: [r[k] for r in runs] for k in kinds}
        ledgers = {k: {r["ledger_rows"] for r in by[k]} for k in ("collector", "duckdb")}
        assert ledgers["collector"] == ledgers["duckdb"], f"not the same result: {ledgers}"

        print(f"{fmt}: {size:.0f} MiB, {by['collector'][0]['rows']:,} rows, {ledgers['collector']} ledger rows, "
              f"{args.pairs} runs of each")  # fmt: skip
        for k in kinds:
            print(
                f"  {k:9s} wall {span([o['seconds'] for o in by[k]])} s, "
                f"CPU {span([o['cpu_seconds'] for o in by[k]])} s, "
                f"peak {span([o['peak_rss_mib'] for o in by[k]])} MiB"
            )
        for k in ("duckdb", "pyarrow"):
            print(
                f"  collector / {k}: wall {span([r['collector']['seconds'] / r[k]['seconds'] for r in runs])}x, "
                f"CPU {span([r['collector']['cpu_seconds'] / r[k]['cpu_seconds'] for r in runs])}x"
            )
    if "table" in only:
        database = make_database(paths["parquet"])
        runs = [{k: measure(k, p) for k, p in (("table", database), ("duckdb", paths["parquet"]))}
                for _ in range(args.pairs)]  # fmt: skip
        by = {k: [r[k] for r in runs] for k in ("table", "duckdb")}
        ledgers = {k: {r["ledger_rows"] for r in by[k]} for k in by}
        assert ledgers["table"] == ledgers["duckdb"], f"not the same result: {ledgers}"
        print(f"table billing.focus (DuckDB database file, {database.stat().st_size / 2**20:.0f} MiB): "
              f"{by['table'][0]['rows']:,} rows, {ledgers['table']} ledger rows, {args.pairs} runs of each")  # fmt: skip
        for k in by:
            print(
                f"  {k:9s} wall {span([o['seconds'] for o in by[k]])} s, "
                f"CPU {span([o['cpu_seconds'] for o in by[k]])} s, "
                f"peak {span([o['peak_rss_mib'] for o in by[k]])} MiB"
            )
        print(
            f"  table / duckdb: wall {span([r['table']['seconds'] / r['duckdb']['seconds'] for r in runs])}x, "
            f"CPU {span([r['table']['cpu_seconds'] / r['duckdb']['cpu_seconds'] for r in runs])}x"
        )
        database.unlink()
    if not args.keep and args.dir is None:
        for path in paths.values():
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
