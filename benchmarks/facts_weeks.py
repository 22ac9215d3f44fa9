"""Benchmark of the facts phase alone: the facts of N weeks of a project computed in one process, as a cold
build's facts workers compute them (the samples index built once, then week after week).

The project's sources are loaded first (through the parse cache in the project's `.sentinel/` folder, so the
second run does not read them again) and are not timed. Printed: the CPU seconds of the shared index and
rollups built once per build, of each week's facts (median, min-max, total), and of writing each week's
facts as JSON as a build does (the stored data and the canonical facts.json text). `--out DIR` also writes
each week's canonical facts.json under DIR/<week>/ (to compare two versions of the code with `diff -r`);
`--profile FILE` writes a cProfile of the weeks' facts. Peak RSS is the process's (sources loaded included).

    .venv/bin/python benchmarks/facts_weeks.py --project /tmp/sentinel-scale/project --weeks 8
    .venv/bin/python benchmarks/facts_weeks.py --project . --weeks 0 --out /tmp/facts-after   # every week
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True, help="project folder (sentinel.yaml)")
    parser.add_argument("--weeks", type=int, default=8, help="weeks, spread evenly over the data (0: all)")
    parser.add_argument("--out", type=Path, default=None, help="write DIR/<week>/facts.json")
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile of the weeks' facts")
    args = parser.parse_args()

    from sentinel_reports.analysis import facts as facts_module
    from sentinel_reports.analysis import series
    from sentinel_reports.analysis.facts import json_dumps_facts, week_facts
    from sentinel_reports.session import Session

    session = Session(args.project, use_cache=True, jobs=1)
    p = session.project
    weeks = session.weeks
    if args.weeks and args.weeks < len(weeks):
        step = len(weeks) / args.weeks
        weeks = [weeks[int(i * step + step / 2)] for i in range(args.weeks)]

    cpu = time.process_time()
    if hasattr(facts_module, "prepare"):
        facts_module.prepare(p.dataset, p.config)
    else:  # the code before analysis.facts.prepare
        series.shared_index(p.dataset.samples), series.time_order(p.dataset.samples)
    once = time.process_time() - cpu

    profiler = None
    if args.profile is not None:
        import cProfile

        profiler = cProfile.Profile()
    per_week, per_text = [], []
    for week in weeks:
        cpu = time.process_time()
        if profiler is not None:
            profiler.enable()
        facts = week_facts(p.dataset, p.content, p.config, week, p.as_of)
        if profiler is not None:
            profiler.disable()
        per_week.append(time.process_time() - cpu)
        cpu = time.process_time()
        text = facts_texts(facts, json_dumps_facts)
        per_text.append(time.process_time() - cpu)
        if args.out is not None:
            folder = args.out / week
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "facts.json").write_text(text, encoding="utf-8")
    if profiler is not None:
        profiler.dump_stats(str(args.profile))

    import resource

    rows = len(p.dataset.samples)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kilobytes on Linux
    print(
        f"facts of {len(weeks)} weeks ({weeks[0]} to {weeks[-1]}), {rows:,} sample rows, peak RSS {peak:.2f} GB"
    )
    print(f"  built once per build: {once:.2f} CPU-s")
    print(
        f"  per week: median {statistics.median(per_week):.3f} CPU-s "
        f"({min(per_week):.3f}-{max(per_week):.3f}), total {sum(per_week):.2f} CPU-s"
    )
    print(
        f"  JSON text per week: median {statistics.median(per_text):.3f} CPU-s "
        f"({min(per_text):.3f}-{max(per_text):.3f}), total {sum(per_text):.2f} CPU-s"
    )


def facts_texts(facts, json_dumps_facts) -> str:  # type: ignore[no-untyped-def]
    """What a build writes of a week's facts (`Session._compute_week`): the stored JSON data and the
    canonical facts.json text; returns the text."""
    import json

    from sentinel_reports.analysis.facts_model import facts_data

    data = facts_data(facts)
    json.dumps(data, ensure_ascii=False, allow_nan=False)
    try:
        from sentinel_reports.analysis.facts_text import canonical_json
    except ImportError:  # the code before analysis.facts_text: the model dumped a second time
        return json_dumps_facts(facts)
    return canonical_json(data)


if __name__ == "__main__":
    main()
