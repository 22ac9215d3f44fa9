"""A request-log source read from a DuckDB table (`table: logs.llm_requests`) against the same rows in one
Parquet file read as a `path:` source.

    python benchmarks/table_source.py --rows 10000000 --out /tmp/table-bench [--pairs 2]

Generates N generic request-log rows (5 components, request ids, start and end times with microseconds,
status, token counts, cost) into `<out>/warehouse.duckdb` (table logs.llm_requests) and `<out>/requests.parquet`.
Then, `--pairs` times in turn: A, the table's fingerprint (what every build computes for the facts key and
the parse cache); B, the table source's collect (validation and aggregation in DuckDB); C, the file source's
collect. Each step runs in this process after imports, on DuckDB with 2 threads and the default 1 GB memory
limit; the report gives CPU and wall seconds per step and the process's peak RSS at the end (one process
per `--only` step gives each step's own peak).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb


def generate(out: Path, rows: int) -> None:
    database, parquet = out / "warehouse.duckdb", out / "requests.parquet"
    if database.exists() and parquet.exists():
        return
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database))
    con.execute("SET TimeZone = 'UTC'; CREATE SCHEMA IF NOT EXISTS logs")
    con.execute(
        f"""CREATE OR REPLACE TABLE logs.llm_requests AS SELECT 'r-' || i AS request_id,
        TIMESTAMPTZ '2026-01-01' + to_microseconds(i * 3000000 + (i % 7) * 123457) AS start_time,
        TIMESTAMPTZ '2026-01-01' + to_microseconds(i * 3000000 + (i % 7) * 123457 + 40000 + (i * 37) % 900000)
          AS end_time,
        CASE WHEN i % 23 = 0 THEN 'error' ELSE 'success' END AS status,
        100 + i % 50 AS input_tokens, 20 + i % 30 AS output_tokens, round(0.0001 * (1 + i % 40), 6) AS cost,
        ['a', 'b', 'c', 'd', 'e'][1 + i % 5] AS component
        FROM range({rows}) t(i)"""
    )
    con.execute(f"COPY logs.llm_requests TO '{parquet}' (FORMAT parquet)")
    con.close()


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--only", choices=["table", "file"], default=None)
    args = parser.parse_args()
    generate(args.out, args.rows)
    (args.out / ".sentinel" / "tmp").mkdir(parents=True, exist_ok=True)

    from sentinel_reports.collectors import registry
    from sentinel_reports.collectors.base import CollectContext
    from sentinel_reports.config import Config, Engine

    config = Config.model_validate(
        {
            "organization": "Benchmark",
            "timezone": "UTC",
            "components": [{"id": c, "name": c, "owner": "Team"} for c in "abcde"],
        }
    )
    cls = registry()["llm_requests"]
    on_table = config.model_copy(update={"engine": Engine(database="warehouse.duckdb", threads=2)})
    on_files = config.model_copy(update={"engine": Engine(threads=2)})
    table = cls.Options.model_validate(
        {"type": "llm_requests", "table": "logs.llm_requests", "interval": "1h"}
    )
    files = cls.Options.model_validate({"type": "llm_requests", "path": "requests.parquet", "interval": "1h"})

    def ctx(c: Config) -> CollectContext:
        return CollectContext(project_dir=args.out, source_id="gateway", tz=ZoneInfo("UTC"), config=c)

    steps = []
    if args.only in (None, "table"):
        steps += [
            ("A table fingerprint", lambda: cls().fingerprint(table, ctx(on_table))),
            ("B table collect", lambda: cls().collect(table, ctx(on_table))),
        ]
    if args.only in (None, "file"):
        steps += [("C file collect", lambda: cls().collect(files, ctx(on_files)))]
    for _ in range(args.pairs):
        for label, step in steps:
            c0, w0 = cpu(), time.perf_counter()
            step()
            print(f"{label}: {cpu() - c0:.2f} CPU-s, {time.perf_counter() - w0:.2f} s wall", flush=True)
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")


if __name__ == "__main__":
    main()
