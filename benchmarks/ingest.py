"""Ingest benchmark for the high-volume input: LiteLLM request logs as Parquet and CSV.

    python benchmarks/ingest.py --rows 10000000 --out /tmp/ingest

Generates N rows in the `LiteLLM_SpendLogs` shape (50 model groups mapped to 50 components, a year of
timestamps, JSON-text metadata with cache token counts), then for each file reports the collector's time,
rows/s and peak RSS, and the same for a plain pyarrow read of the file. Each measurement runs in its own
subprocess (timed after imports) so its peak RSS (VmHWM, else ru_maxrss) belongs to that step alone. Targets: Parquet within 2x of the plain
read, CSV within 3x, peak RSS under 3 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPONENTS = 50
YEAR_S = 365 * 86400
START_S = 1735689600  # 2025-01-01T00:00:00Z


def generate(rows: int, out: Path) -> tuple[Path, Path]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(7)
    start_ms = START_S * 1000 + np.sort(rng.integers(0, YEAR_S * 1000, rows))
    latency = rng.lognormal(7.0, 0.6, rows).astype("int64")  # ms, median ~1.1s
    ttft = (latency * rng.uniform(0.1, 0.5, rows)).astype("int64")
    group = rng.integers(0, COMPONENTS, rows)
    prompt = rng.integers(50, 4000, rows)
    completion = rng.integers(1, 1500, rows)
    cache_read = (prompt * rng.uniform(0, 0.8, rows)).astype("int64")
    failed = rng.random(rows) < 0.01
    names = pa.array([f"group-{i:02d}" for i in range(COMPONENTS)])
    meta = pc.binary_join_element_wise(
        '{"user_api_key_alias": "key-',
        pa.array(group).cast(pa.string()),
        '", "usage_object": {"cache_read_input_tokens": ',
        pa.array(cache_read).cast(pa.string()),
        ', "cache_creation_input_tokens": 0}}',
        "",
    )

    def ts(ms):
        return pa.array(ms, pa.int64()).cast(pa.timestamp("ms"))

    table = pa.table(
        {
            "request_id": pc.binary_join_element_wise(
                "req-", pa.array(np.arange(rows)).cast(pa.string()), ""
            ),
            "call_type": pa.array(np.full(rows, "acompletion")),
            "spend": (prompt * 3e-6 + completion * 15e-6).round(6),
            "total_tokens": prompt + completion,
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "startTime": ts(start_ms),
            "endTime": ts(start_ms + latency),
            "completionStartTime": ts(start_ms + ttft),
            "model": pa.array(np.full(rows, "claude-sonnet-4-5")),
            "model_group": names.take(pa.array(group)),
            "metadata": meta,
            "status": pa.array(np.where(failed, "failure", "success")),
        }
    )
    parquet, csv = out / "spendlogs.parquet", out / "spendlogs.csv"
    pq.write_table(table, parquet)
    pacsv.write_csv(table, csv)
    return parquet, csv


STEP = r"""
import json, resource, sys, time
from pathlib import Path
kind, path = sys.argv[1], Path(sys.argv[2])
import pyarrow.csv as pacsv, pyarrow.parquet as pq
from zoneinfo import ZoneInfo
from sentinel_reports.collectors import registry
from sentinel_reports.collectors.base import CollectContext
from sentinel_reports.config import Config
registry()
t = time.perf_counter()
if kind == "plain-parquet":
    n = pq.read_table(path).num_rows
    extra = {}
elif kind == "plain-csv":
    n = pacsv.read_csv(path).num_rows
    extra = {}
else:
    config = Config.model_validate({"organization": "Bench", "components": [
        {"id": f"component-{i:02d}", "name": f"Component {i}", "owner": "Bench team"} for i in range(50)]})
    ctx = CollectContext(project_dir=path.parent, source_id="bench", tz=ZoneInfo("UTC"), config=config)
    cls = registry()["llm_requests"]
    options = cls.Options.model_validate({"type": "llm_requests", "format": "litellm", "path": path.name,
        "components": {f"group-{i:02d}": f"component-{i:02d}" for i in range(50)}})
    batch = cls().collect(options, ctx)
    n = batch.rows
    extra = {"samples": len(batch.samples), "duplicates": batch.duplicates_dropped}
seconds = time.perf_counter() - t
# ru_maxrss survives exec on Linux (it would include the parent's size at fork): prefer this mm's VmHWM
status = Path("/proc/self/status")
hwm = [l for l in status.read_text().splitlines() if l.startswith("VmHWM:")] if status.exists() else []
rss = int(hwm[0].split()[1]) * 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"rows": n, "seconds": seconds, "peak_rss_bytes": rss, **extra}))
"""


def measure(kind: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", STEP, kind, str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for the generated files (default: temp)"
    )
    parser.add_argument("--skip-csv", action="store_true", help="measure the Parquet file only")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="sentinel-ingest-"))
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    parquet, csv = generate(args.rows, out)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f}s under {out}")
    for label, path, target in (("parquet", parquet, 2.0), ("csv", csv, 3.0)):
        if label == "csv" and args.skip_csv:
            continue
        plain, ours = measure(f"plain-{label}", path), measure("collector", path)
        ratio = ours["seconds"] / plain["seconds"]
        print(
            f"{label:8s} {path.stat().st_size / 1e6:8.0f} MB | plain read {plain['seconds']:6.2f}s "
            f"{plain['peak_rss_bytes'] / 1e9:5.2f} GB | collector {ours['seconds']:6.2f}s "
            f"{ours['rows'] / ours['seconds']:,.0f} rows/s {ours['peak_rss_bytes'] / 1e9:5.2f} GB "
            f"samples {ours['samples']:,} | ratio {ratio:.2f}x (target {target:.0f}x) "
            f"{'ok' if ratio <= target and ours['peak_rss_bytes'] < 3e9 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
