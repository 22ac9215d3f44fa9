"""Ingest benchmark for the high-volume input: LiteLLM request logs as Parquet, CSV and JSONL.

    python benchmarks/ingest.py --rows 10000000 --out /tmp/ingest                 # one Parquet + one CSV file
    python benchmarks/ingest.py --rows 2000000 --out /tmp/ingest2m --jsonl --skip-parquet --skip-csv
                                                      # JSONL, plain and gzip (as LiteLLM's export writes it)
    python benchmarks/ingest.py --rows 10000000 --out /tmp/ingest --reuse --skip-parquet --pairs 1  # CSV again
    python benchmarks/ingest.py --rows 100000000 --days 365 --out /tmp/ingest100m --skip-csv
                                                      # Parquet partitioned by day: logs/dt=YYYY-MM-DD/*.parquet

Generates N rows in the `LiteLLM_SpendLogs` shape (50 model groups mapped to 50 components, a year of
timestamps, JSON-text metadata with cache token counts; with --days, one hive partition per day, written a day
at a time; with --jsonl, the same rows as newline-delimited JSON, `spendlogs.jsonl` and `spendlogs.jsonl.gz`, with
ISO 8601 UTC times and `metadata` as a JSON object, the shape of `tests/fixtures/.../litellm_spendlogs.jsonl`).
Then, per file (or folder), it runs in turn, in pairs (A B C A B C ...):

- A, the collector (`type: llm_requests`, format litellm, 1-hour intervals as in the scale build);
- B, a hand-written DuckDB query computing the same per-component, per-hour result (counts, good requests,
  latency p50/p95/p99, TTFT p95, token and cost sums): the yardstick, on a connection with the product's
  settings (1 GB memory limit, threads = CPUs, insertion order not preserved, UTC). It is written as a
  DuckDB user would write it well: one `quantile_cont` with the list of three quantiles (three separate
  calls keep three states per group and, under the 1 GB limit, took five times the CPU on 10M rows). The
  generated files log no request twice, so it needs no repeat handling. Day partitions are aggregated in
  groups of consecutive days of at least 5M rows, one query each, as the collector does (`day_groups`);
- C, a pyarrow read of exactly the columns the collector needs (for CSV: its reader's options; for JSONL,
  which pyarrow cannot read a column at a time, the whole file), a second column that shows the cost of just
  decoding the input.

Each run is its own subprocess, timed after imports (wall and CPU seconds of the process, every thread),
with its peak RSS (VmHWM) read as soon as the step returns: the dictionaries of the agreement check are
built afterwards, outside the measurement. The report gives medians and min-max per step and the A/B
ratios (wall and CPU) pair by pair. The first pair also checks that A and B agree (counts
exact, sums and percentiles to 1e-9 relative). Targets: A/B <= 1.3 and peak RSS <= 1 GB at 10M rows
(<= 2 GB at 100M rows).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPONENTS = 50
YEAR_S = 365 * 86400
START_S = 1735689600  # 2025-01-01T00:00:00Z
DAY_S = 86400
INTERVAL = "1h"
COLUMNS = [
    "request_id", "startTime", "endTime", "completionStartTime", "request_duration_ms", "status",
    "prompt_tokens", "completion_tokens", "spend", "model_group", "metadata",
]  # fmt: skip  # what the collector reads (request_duration_ms is absent from these files)


def _table(rows: int, start_ms, rng, first_id: int):  # noqa: ANN001, ANN202
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

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

    def ts(ms):  # noqa: ANN001, ANN202
        return pa.array(ms, pa.int64()).cast(pa.timestamp("ms"))

    return pa.table(
        {
            "request_id": pc.binary_join_element_wise(
                "req-", pa.array(np.arange(first_id, first_id + rows)).cast(pa.string()), ""
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


def generate_jsonl(rows: int, out: Path) -> tuple[Path, Path]:
    """The rows of `generate` as JSONL, plain and gzip-compressed (written by DuckDB from the Arrow table)."""
    import duckdb
    import numpy as np

    rng = np.random.default_rng(7)
    start_ms = START_S * 1000 + np.sort(rng.integers(0, YEAR_S * 1000, rows))
    requests = _table(rows, start_ms, rng, 0)  # noqa: F841  # read by DuckDB by name
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    iso = "'%Y-%m-%dT%H:%M:%S.%gZ'"
    select = (
        "SELECT request_id, call_type, spend, total_tokens, prompt_tokens, completion_tokens, "
        + ", ".join(f"strftime({c}, {iso}) AS {c}" for c in ("startTime", "endTime", "completionStartTime"))
        + ", model, model_group, metadata::JSON AS metadata, status FROM requests"
    )
    plain, gz = out / "spendlogs.jsonl", out / "spendlogs.jsonl.gz"
    con.execute(f"COPY ({select}) TO '{plain.as_posix()}' (FORMAT json)")
    con.execute(f"COPY ({select}) TO '{gz.as_posix()}' (FORMAT json, COMPRESSION gzip)")
    return plain, gz


def generate(rows: int, out: Path, csv: bool) -> tuple[Path, Path | None]:
    import numpy as np
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(7)
    start_ms = START_S * 1000 + np.sort(rng.integers(0, YEAR_S * 1000, rows))
    table = _table(rows, start_ms, rng, 0)
    parquet, csv_path = out / "spendlogs.parquet", out / "spendlogs.csv"
    pq.write_table(table, parquet)
    if csv:
        pacsv.write_csv(table, csv_path)
    return parquet, csv_path if csv else None


def generate_days(rows: int, days: int, out: Path) -> Path:
    """`rows` spread over `days` hive partitions, written one day at a time (memory stays one day's)."""
    import datetime as dt

    import numpy as np
    import pyarrow.parquet as pq

    rng = np.random.default_rng(7)
    root = out / "logs"
    per_day = [rows // days + (1 if d < rows % days else 0) for d in range(days)]
    first = 0
    for d, n in enumerate(per_day):
        day = dt.datetime.fromtimestamp(START_S, dt.UTC).date() + dt.timedelta(days=d)
        folder = root / f"dt={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        start_ms = (START_S + d * DAY_S) * 1000 + np.sort(rng.integers(0, DAY_S * 1000, n))
        pq.write_table(_table(n, start_ms, rng, first), folder / "part-0.parquet")
        first += n
    return root


STEP = r"""
import json, resource, sys, time
from pathlib import Path
kind, path = sys.argv[1], Path(sys.argv[2])
sys.path.insert(0, sys.argv[3])
import ingest
ingest.load(kind)
t, cpu = time.perf_counter(), time.process_time()
result = ingest.run_step(kind, path)
seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
status = Path("/proc/self/status")
hwm = [l for l in status.read_text().splitlines() if l.startswith("VmHWM:")] if status.exists() else []
rss = int(hwm[0].split()[1]) * 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
if len(sys.argv) > 4:  # after the measurement: the comparison's dictionaries are not the step's cost
    Path(sys.argv[4]).write_text(json.dumps(ingest.groups(kind, result["result"])))
print(json.dumps({"rows": result["rows"], "seconds": seconds, "cpu_seconds": cpu, "peak_rss_bytes": rss}))
"""


def _source(path: Path) -> str:
    return f"{path.as_posix()}/dt=*/*.parquet" if path.is_dir() else path.name


def hand_written_sql(path: Path | list[Path]) -> str:
    """The yardstick: the per-component, per-hour result written by hand for DuckDB (of a file, or of a
    list of Parquet files)."""
    step = 3600 * 10**9
    if isinstance(path, list):
        scan = "read_parquet([" + ", ".join(f"'{p.as_posix()}'" for p in path) + "])"
    elif path.suffix == ".parquet":
        scan = f"read_parquet('{path.as_posix()}')"
    elif ".jsonl" in path.name:
        scan = f"read_json('{path.as_posix()}', format = 'newline_delimited')"
        # the times are ISO 8601 text, `metadata` an object (a struct to DuckDB)
        return _query(scan, step, "TIMESTAMPTZ", "metadata.usage_object.{}::DOUBLE")
    else:
        scan = f"read_csv('{path.as_posix()}', header = true)"
    return _query(scan, step, "TIMESTAMP", "json_extract(metadata, '$.usage_object.{}')::DOUBLE")


def _query(scan: str, step: int, time_type: str, usage: str) -> str:
    """The hand-written aggregation over `scan`: times cast to `time_type`, `usage` the expression of one
    key of the usage object (``{}`` stands for the key)."""
    read, write = usage.format("cache_read_input_tokens"), usage.format("cache_creation_input_tokens")
    return f"""
    WITH r AS (
        SELECT replace(model_group, 'group-', 'component-') AS component,
               epoch_ns(startTime::{time_type}) AS s,
               (epoch_ns(endTime::{time_type}) - epoch_ns(startTime::{time_type})) / 1e6 AS latency,
               (epoch_ns(completionStartTime::{time_type}) - epoch_ns(startTime::{time_type})) / 1e6 AS ttft,
               status <> 'failure' AS good,
               {read} AS cache_read,
               {write} AS cache_write,
               prompt_tokens, completion_tokens, spend, request_id
        FROM {scan}
    )
    SELECT * EXCLUDE (latency), latency[1] AS latency_p50_ms, latency[2] AS latency_p95_ms,
           latency[3] AS latency_p99_ms
    FROM (
        SELECT component, s - s % {step} AS interval, count(*) AS requests_total,
               count(*) FILTER (WHERE good) AS requests_good,
               quantile_cont(latency, [0.5, 0.95, 0.99]) AS latency, quantile_cont(ttft, 0.95) AS ttft_p95_ms,
               sum(greatest(prompt_tokens - cache_read - cache_write, 0)) AS tokens_input,
               sum(completion_tokens) AS tokens_output, sum(cache_read) AS tokens_cache_read,
               sum(cache_write) AS tokens_cache_write, sum(spend) AS cost_requests
        FROM r GROUP BY ALL
    )
    """


def day_groups(root: Path, rows: int = 5_000_000) -> list[list[Path]]:
    """Consecutive day partitions in groups of at least `rows` rows, aggregated one query each, as the
    collector does (one query over the whole folder runs out of DuckDB's 1 GB: the per-group quantile
    states of 27M rows do not fit). Days share no hour, so the groups' results are simply put together."""
    import pyarrow.parquet as pq

    out: list[list[Path]] = []
    count = rows
    for file in sorted(root.glob("dt=*/*.parquet")):
        if count >= rows:
            out.append([])
            count = 0
        out[-1].append(file)
        count += pq.read_metadata(file).num_rows
    return out


def load(kind: str) -> None:
    """Imports a step needs, done before it is timed (a build imports them once)."""
    if kind == "collector":
        import ibis  # noqa: F401  # imported on first use by the engine
        import ibis.backends.duckdb  # noqa: F401  # imported when the engine connects (~0.6 s)

        import sentinel_reports.collectors  # noqa: F401
        import sentinel_reports.collectors.llm_requests  # noqa: F401
    elif kind == "duckdb":
        import duckdb  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    else:
        import pyarrow.csv  # noqa: F401
        import pyarrow.dataset  # noqa: F401
        import pyarrow.json  # noqa: F401
        import pyarrow.parquet  # noqa: F401


def run_step(kind: str, path: Path) -> dict:
    """One measured step in this process: {'rows': rows read, 'result': the samples frame (A), the Arrow
    table (B) or None (C)}."""
    if kind == "duckdb":
        import duckdb

        con = duckdb.connect(
            config={  # the product's settings (collectors/engine.py)
                "memory_limit": "1GB",
                "temp_directory": str(Path(tempfile.gettempdir()) / "ingest-duckdb"),
                "preserve_insertion_order": False,
                "threads": max(1, os.cpu_count() or 1),
            }
        )
        con.execute("SET TimeZone = 'UTC'")
        if path.is_dir():
            import pyarrow as pa

            table = pa.concat_tables(
                con.sql(hand_written_sql(days)).to_arrow_table() for days in day_groups(path)
            )
        else:
            table = con.sql(hand_written_sql(path)).to_arrow_table()
        rows = int(sum(table.column("requests_total").to_pylist()))
        return {"rows": rows, "result": table}
    if kind == "pyarrow":
        import pyarrow.csv as pacsv
        import pyarrow.dataset as ds
        import pyarrow.parquet as pq

        if path.is_dir():
            rows = 0
            for batch in ds.dataset(path, format="parquet", partitioning="hive").to_batches(
                columns=[c for c in COLUMNS if c != "request_duration_ms"]
            ):
                rows += batch.num_rows
            return {"rows": rows, "result": None}
        if ".jsonl" in path.name:
            import pyarrow as pa
            import pyarrow.json as pajson

            from sentinel_reports.collectors.io import read_bytes

            return {"rows": pajson.read_json(pa.BufferReader(read_bytes(path))).num_rows, "result": None}
        if path.suffix == ".parquet":
            columns = [c for c in COLUMNS if c in pq.read_schema(path).names]
            return {"rows": pq.read_table(path, columns=columns).num_rows, "result": None}
        options = pacsv.ConvertOptions(include_columns=[c for c in COLUMNS if c != "request_duration_ms"])
        return {"rows": pacsv.read_csv(path, convert_options=options).num_rows, "result": None}
    from zoneinfo import ZoneInfo

    from sentinel_reports.collectors import registry
    from sentinel_reports.collectors.base import CollectContext
    from sentinel_reports.config import Config

    config = Config.model_validate(
        {
            "organization": "Bench",
            "components": [
                {"id": f"component-{i:02d}", "name": f"Component {i}", "owner": "Bench team"}
                for i in range(50)
            ],
            "engine": {"temp_directory": str(Path(tempfile.gettempdir()) / "ingest-sentinel")},
        }
    )
    project = path.parent
    ctx = CollectContext(project_dir=project, source_id="bench", tz=ZoneInfo("UTC"), config=config)
    cls = registry()["llm_requests"]
    options = cls.Options.model_validate(
        {
            "type": "llm_requests",
            "format": "litellm",
            "path": _source(path) if not path.is_dir() else f"{path.name}/dt=*/*.parquet",
            "interval": INTERVAL,
            "components": {f"group-{i:02d}": f"component-{i:02d}" for i in range(50)},
        }
    )
    batch = cls().collect(options, ctx)
    return {"rows": batch.rows, "result": batch.samples}


def groups(kind: str, result) -> dict:  # noqa: ANN001
    """{component|interval ns|signal: value} of a step's result, for the agreement check."""
    if kind == "collector":
        frame = result
        return {
            f"{c}|{int(t.value)}|{s}": float(v)
            for c, t, s, v in zip(
                frame["component"], frame["ts"], frame["signal"], frame["value"], strict=True
            )
        }
    return _groups_of_table(result)


def _groups_of_table(table) -> dict:  # noqa: ANN001
    out = {}
    cols = table.to_pydict()
    names = [n for n in cols if n not in ("component", "interval")]
    for i in range(table.num_rows):
        for n in names:
            v = cols[n][i]
            if v is not None:
                out[f"{cols['component'][i]}|{cols['interval'][i]}|{n}"] = float(v)
    return out


def measure(kind: str, path: Path, keep: Path | None = None) -> dict:
    args = [sys.executable, "-c", STEP, kind, str(path), str(Path(__file__).parent)]
    if keep is not None:
        args.append(str(keep))
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def agree(a: dict, b: dict) -> str:
    """'' when the collector's samples equal the hand-written query's, else the first difference."""
    if set(a) != set(b):
        return f"different keys: {sorted(set(a) ^ set(b))[:3]}"
    for k, va in a.items():
        vb = b[k]
        if k.split("|")[2].startswith("requests"):
            if va != vb:
                return f"{k}: {va} != {vb}"
        elif abs(va - vb) > 1e-9 * max(abs(va), abs(vb)) and abs(va - vb) > 1e-3:
            # latency is rounded to the microsecond by the product: 1e-3 ms absolute at most
            return f"{k}: {va} != {vb}"
    return ""


def _span(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} ({min(values):.2f}-{max(values):.2f})"


def compare(label: str, path: Path, pairs: int) -> None:
    runs: dict[str, list[dict]] = {"collector": [], "duckdb": [], "pyarrow": []}
    check = ""
    for i in range(pairs):
        keep = Path(tempfile.mkdtemp()) if i == 0 else None
        runs["collector"].append(measure("collector", path, keep / "a.json" if keep else None))
        runs["duckdb"].append(measure("duckdb", path, keep / "b.json" if keep else None))
        runs["pyarrow"].append(measure("pyarrow", path))
        a, b, c = (runs[k][-1] for k in ("collector", "duckdb", "pyarrow"))
        print(
            f"  pair {i + 1}: "
            + " | ".join(
                f"{k} {r['seconds']:.2f}s ({r['cpu_seconds']:.2f}s CPU) {r['peak_rss_bytes'] / 1e9:.2f}GB"
                for k, r in (("collector", a), ("duckdb", b), ("pyarrow", c))
            )
            + f" | ratio {a['seconds'] / b['seconds']:.2f} (CPU {a['cpu_seconds'] / b['cpu_seconds']:.2f})",
            flush=True,
        )
        if keep:
            a, b = (json.loads((keep / n).read_text()) for n in ("a.json", "b.json"))
            check = agree(a, b) or "same result"
    pairs_ab = list(zip(runs["collector"], runs["duckdb"], strict=True))
    ratios = [a["seconds"] / b["seconds"] for a, b in pairs_ab]
    cpu_ratios = [a["cpu_seconds"] / b["cpu_seconds"] for a, b in pairs_ab]
    size = sum(p.stat().st_size for p in ([path] if path.is_file() else path.rglob("*.parquet")))
    print(f"{label}: {runs['collector'][0]['rows']:,} rows, {size / 1e6:,.0f} MB, {pairs} pairs; {check}")
    for kind, rs in runs.items():
        print(
            f"  {kind:9s} s {_span([r['seconds'] for r in rs])}   CPU s "
            f"{_span([r['cpu_seconds'] for r in rs])}   peak RSS GB "
            f"{_span([r['peak_rss_bytes'] / 1e9 for r in rs])}"
        )
    print(f"  collector / hand-written DuckDB: wall {_span(ratios)}   CPU {_span(cpu_ratios)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=0, help="partition by day into logs/dt=*/ (Parquet only)")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for the generated files (default: temp)"
    )
    parser.add_argument("--pairs", type=int, default=3, help="A B C runs of each measurement")
    parser.add_argument("--skip-csv", action="store_true", help="measure the Parquet file only")
    parser.add_argument("--skip-parquet", action="store_true", help="measure the CSV file only")
    parser.add_argument(
        "--jsonl", action="store_true", help="also measure the rows as JSONL, plain and gzip-compressed"
    )
    parser.add_argument("--reuse", action="store_true", help="measure files generated by an earlier run")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="sentinel-ingest-"))
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    if args.days:
        root = out / "logs"
        if not args.reuse:
            root = generate_days(args.rows, args.days, out)
        print(
            f"{args.rows:,} rows in {args.days} day partitions under {root} ({time.perf_counter() - t:.0f}s)"
        )
        compare("parquet by day", root, args.pairs)
        return
    parquet, csv = out / "spendlogs.parquet", out / "spendlogs.csv"
    if not args.reuse and not (args.skip_parquet and args.skip_csv):
        parquet, csv = generate(args.rows, out, not args.skip_csv)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f}s under {out}")
    if not args.skip_parquet:
        compare("parquet", parquet, args.pairs)
    if not args.skip_csv and csv is not None and csv.exists():
        compare("csv", csv, args.pairs)
    if args.jsonl:
        plain, gz = out / "spendlogs.jsonl", out / "spendlogs.jsonl.gz"
        if not args.reuse:
            t = time.perf_counter()
            plain, gz = generate_jsonl(args.rows, out)
            print(f"generated {args.rows:,} rows as JSONL in {time.perf_counter() - t:.1f}s under {out}")
        compare("jsonl", plain, args.pairs)
        compare("jsonl.gz", gz, args.pairs)


if __name__ == "__main__":
    main()
