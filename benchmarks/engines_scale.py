"""Benchmark of one project collected and analysed on two engines: DuckDB (the default) and Spark `local[2]`.

Each engine runs in its own process, without the parse cache: every source is read and aggregated on that
engine, then the facts of every week are computed and written as facts.json under OUT/<engine>/<week>/.
Printed per engine: CPU seconds (the process, its children and the Spark JVM; collect counts the JVM only in the total), wall seconds and
peak RSS of collecting, then of the weeks' facts; then how the two engines' facts compare: weeks whose
facts.json is byte-identical, and for the others every number equal within 1e-9 relative (the parity rule
of tests/collectors/test_engines.py), every text and missing value equal. Exit 1 when they differ.

    .venv/bin/python benchmarks/engines_scale.py --project /tmp/sentinel-scale/project --out /tmp/engines
    .venv/bin/python benchmarks/engines_scale.py --project . --out /tmp/engines-demo      # the demo
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ENGINES = ("duckdb", "spark")


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _jvm_cpu() -> float:
    """CPU seconds of this process's Spark JVM (not a waited-for child, so rusage does not count it)."""
    import os

    from sentinel_reports.collectors.engine import _SPARK

    total = 0.0
    for session in _SPARK.values():
        proc = getattr(session.sparkContext._gateway, "proc", None)
        if proc is not None:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def run_engine(project: Path, kind: str, out: Path) -> None:
    """The child process: collect on `kind`, then every week's facts; prints one JSON line of figures."""
    from sentinel_reports.analysis.facts import json_dumps_facts, prepare, week_facts
    from sentinel_reports.analysis.periods import available_periods
    from sentinel_reports.config import Engine
    from sentinel_reports.project import load_project, open_project

    config = load_project(project)
    engine = Engine() if kind == "duckdb" else Engine(kind="spark", master="local[2]")
    config = config.model_copy(update={"engine": engine})
    cpu, wall = _cpu(), time.perf_counter()
    p = open_project(project, use_cache=False, config=config)
    collect = (_cpu() - cpu, time.perf_counter() - wall)
    cpu, wall = _cpu(), time.perf_counter()
    prepare(p.dataset, p.config)
    weeks = available_periods(p.dataset, p.config, p.as_of, "week")
    for week in weeks:
        folder = out / kind / week
        folder.mkdir(parents=True, exist_ok=True)
        facts = week_facts(p.dataset, p.content, p.config, week, p.as_of)
        (folder / "facts.json").write_text(json_dumps_facts(facts), encoding="utf-8")
    facts_cost = (_cpu() - cpu, time.perf_counter() - wall)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    figures = {"collect": collect, "facts": facts_cost, "weeks": len(weeks), "peak_gb": [own, children]}
    figures["jvm_cpu"] = _jvm_cpu() if kind == "spark" else 0.0
    print(json.dumps(figures))


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Where two facts documents differ beyond the engines' parity rule (numbers to 1e-9 relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(a.keys() ^ b.keys())}"]
        return [d for k in a for d in differences(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} against {len(b)} items"]
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{where}[{i}]")
        ]
    numbers = (int, float)
    if (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0) else [f"{where}: {a!r} against {b!r}"]
    return [] if a == b else [f"{where}: {a!r} against {b!r}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True, help="project folder (sentinel.yaml)")
    parser.add_argument("--out", type=Path, required=True, help="facts are written to OUT/<engine>/<week>/")
    parser.add_argument("--engine", choices=ENGINES, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    project, out = args.project.resolve(), args.out.resolve()
    if args.engine:
        run_engine(project, args.engine, out)
        return

    figures = {}
    for kind in ENGINES:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--project", str(project), "--out", str(out), "--engine", kind],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.exit(f"{kind} failed:\n{done.stderr[-4000:]}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures[kind] = json.loads(done.stdout.strip().splitlines()[-1])
        f = figures[kind]
        total = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime + f["jvm_cpu"]
        print(
            f"{kind}: {total:.1f} CPU-s (JVM {f['jvm_cpu']:.1f}), {time.perf_counter() - wall:.1f} s wall in all; "
            f"collect {f['collect'][0]:.1f} CPU-s ({f['collect'][1]:.1f} s wall), "
            f"facts of {f['weeks']} weeks {f['facts'][0]:.1f} CPU-s ({f['facts'][1]:.1f} s wall); "
            f"peak RSS {f['peak_gb'][0]:.2f} GB (largest child {f['peak_gb'][1]:.2f} GB)"
        )

    weeks = sorted(p.name for p in (out / "duckdb").iterdir())
    spark_weeks = sorted(p.name for p in (out / "spark").iterdir())
    if weeks != spark_weeks:
        sys.exit(f"the engines found different weeks: {weeks} against {spark_weeks}")
    identical, found = 0, []
    for week in weeks:
        a = (out / "duckdb" / week / "facts.json").read_bytes()
        b = (out / "spark" / week / "facts.json").read_bytes()
        if a == b:
            identical += 1
            continue
        found += [f"{week}{d}" for d in differences(json.loads(a), json.loads(b))]
    print(f"facts: {identical} of {len(weeks)} weeks byte-identical; {len(found)} differences beyond 1e-9")
    for line in found[:20]:
        print(f"  {line}")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
