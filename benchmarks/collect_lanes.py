"""Benchmark: the two lanes of collect, the engine's sources beside the sources parsed in Python (a script).

    .venv/bin/python benchmarks/collect_lanes.py --project /tmp/sentinel-scale/project [--runs 3]

The project's sources the engine aggregates (`Collector.uses_engine`: request logs, bills) are read one after
another, as collect's engine lane reads them, in three settings, run in turns (A B C A B C ..., each run a
fresh process, imports and the config not timed):

- A: alone;
- B: while a thread of the same process parses the other sources (collect before the parsers' worker);
- C: while a forked process parses them (collect with more than one worker, `project._parser_worker`).

Reports, per setting, the engine lane's wall seconds (medians and min-max) and the process's CPU seconds
(with B, the parser's CPU is in it; with C, in the child, reported apart). No parse cache is used. Needs a
project with sources on both lanes (`benchmarks/scale.py --keep` writes one).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SETTINGS = {"A": "alone", "B": "beside a thread", "C": "beside a process"}


def run_one(project: str, setting: str) -> dict[str, float]:
    """In this process: the engine lane's sources read in ``setting``; wall and CPU seconds."""
    import threading

    from sentinel_reports import project as loading
    from sentinel_reports.config import load_config

    config = load_config(Path(project))
    engine, others = loading._lanes(config)
    if not engine or not others:
        raise SystemExit(f"{project}: collect_lanes needs sources on both lanes (engine and Python parsers)")

    def read(index: int) -> object:
        _, cls, options, ctx = loading._source_setup(config, index)
        return cls().collect(options, ctx)

    parser_cpu = 0.0
    worker = thread = None
    if setting == "C":
        from sentinel_reports.workers import ForkedHelper

        def parse_all(_: object) -> float:
            started = time.process_time()
            for i in others:
                read(i)
            return time.process_time() - started

        worker = ForkedHelper(parse_all)
    wall, cpu = time.perf_counter(), time.process_time()
    if setting == "B":
        thread = threading.Thread(target=lambda: [read(i) for i in others])
        thread.start()
    elif worker is not None:
        from concurrent.futures import ThreadPoolExecutor

        waiting = ThreadPoolExecutor(1).submit(worker.call, None)
    for i in engine:
        read(i)
    lane = time.perf_counter() - wall
    if thread is not None:
        thread.join()
    if worker is not None:
        parser_cpu = waiting.result()
        worker.close()
    return {"lane": lane, "cpu": time.process_time() - cpu, "parser_cpu": parser_cpu,
            "whole": time.perf_counter() - wall}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--one", choices=sorted(SETTINGS), help=argparse.SUPPRESS)  # a run, in a child process
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.project, args.one)))
        return
    results: dict[str, list[dict[str, float]]] = {k: [] for k in SETTINGS}
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    for n in range(args.runs):
        for setting in SETTINGS:
            out = subprocess.run(
                [sys.executable, __file__, "--project", args.project, "--one", setting],
                check=True, capture_output=True, text=True, env=env,
            )  # fmt: skip
            results[setting].append(json.loads(out.stdout.strip().splitlines()[-1]))
            r = results[setting][-1]
            print(f"run {n + 1} {setting} ({SETTINGS[setting]}): engine lane {r['lane']:.2f} s", flush=True)
    print()
    print(
        "setting                       engine lane wall s (min-max)   both lanes wall s   CPU s here   parser CPU s"
    )
    for setting, label in SETTINGS.items():
        rows = results[setting]
        lane = [r["lane"] for r in rows]
        print(
            f"{setting} {label:26s}  {statistics.median(lane):6.2f} ({min(lane):.2f}-{max(lane):.2f})"
            f"          {statistics.median(r['whole'] for r in rows):6.2f}"
            f"          {statistics.median(r['cpu'] for r in rows):6.2f}"
            f"       {statistics.median(r['parser_cpu'] for r in rows):6.2f}"
        )


if __name__ == "__main__":
    main()
