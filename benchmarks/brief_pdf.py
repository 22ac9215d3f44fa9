"""Benchmark of one whole weekly brief, as a build renders it in a worker process (a script, not a test).

Given a project (for sentinel.yaml) and one week's facts.json (``site/evidence/<week>/facts.json``), this
narrates the week with the template narrator and then runs exactly what a build's render worker runs for
one brief (``publications._render_brief``): the review of every text against the facts (voice lint and fact
verifier), the web, print and email HTML with their charts (a fresh chart renderer each time, so nothing
comes from a cache), the PDF (Typst, a fresh compiler each run; WeasyPrint where the project overrides the
print templates), the email with its PNG charts and the PDF attached, the markdown and the showback CSV. The KPI history comes from the facts of the preceding weeks
when they sit next to the given week's folder, as they do in a built site.

Each run is timed in wall-clock seconds and in CPU seconds of this process (threads included: the chart
renderer's and WeasyPrint's); the median of ``--repeat`` runs is printed per step (narrative, review, HTML
and charts, PDF, email) and in total, after one unmeasured warm-up run (imports, fonts). CPU seconds are
the steadier figure on a busy machine.

    .venv/bin/python benchmarks/brief_pdf.py --facts site/evidence/2026-W45/facts.json --project .
    .venv/bin/python benchmarks/brief_pdf.py --facts /tmp/sentinel-scale/site/evidence/2026-W30/facts.json \\
        [--project /tmp/sentinel-scale/project] [--repeat 3] [--out /tmp/brief.pdf]

Paired against another checkout of the repository (``git worktree add /tmp/before main``): ``--vs DIR
--pairs N`` runs this script N times on each code in turn (A B A B, each run its own process: A is this
checkout, B the code in DIR) and prints, per step, the medians and min–max of the runs' medians and the
ratio A/B taken pair by pair.

    .venv/bin/python benchmarks/brief_pdf.py --facts ... --project ... --repeat 2 --vs /tmp/before --pairs 3
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from pypdf import PdfReader

CODE = (
    Path(sys.argv[sys.argv.index("--code") + 1])
    if "--code" in sys.argv
    else Path(__file__).resolve().parents[1]
)
sys.path.insert(0, str(CODE))  # --code: measure the package of another checkout (used by --vs)

from sentinel_reports import publications  # noqa: E402
from sentinel_reports.analysis.facts_model import PeriodFacts, facts_from_dict  # noqa: E402
from sentinel_reports.narrative.template import narrate_week  # noqa: E402
from sentinel_reports.pipeline import load_project  # noqa: E402
from sentinel_reports.render.brief_charts import TREND_WEEKS, week_points  # noqa: E402
from sentinel_reports.render.charts import ChartRenderer  # noqa: E402

STEPS = ("narrative", "review", "HTML and charts", "PDF", "email")


def read_facts(path: Path) -> PeriodFacts:
    return facts_from_dict(json.loads(path.read_text(encoding="utf-8")))


def history_of(facts_path: Path, facts: PeriodFacts) -> list[dict[str, Any]]:
    """KPI points of up to TREND_WEEKS - 1 preceding weeks found next to this week's folder, oldest first."""
    points, week = [], facts.previous_period
    while week and len(points) < TREND_WEEKS - 1:
        path = facts_path.parent.parent / week / "facts.json"
        if not path.is_file():
            break
        before = read_facts(path)
        points.insert(0, week_points(before))
        week = before.previous_period
    return points


def fresh_typst() -> None:
    """A new Typst compiler with the fonts already found, as a render worker has after its first brief: the
    run that follows lays out its PDF afresh instead of reusing the memoised layout of the same document."""
    try:
        from sentinel_reports.publish import print_typst
    except ImportError:  # a checkout from before the Typst layout (--vs)
        return
    print_typst._COMPILER.clear()
    print_typst.warm_up()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=Path("/tmp/sentinel-scale/project"))
    parser.add_argument("--facts", type=Path, required=True, help="a week's facts.json")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="also write the PDF here")
    parser.add_argument("--vs", type=Path, default=None, help="another checkout: paired runs, A B A B")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--code", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.vs is not None:
        paired(args)
        return

    config = load_project(args.project)
    facts = read_facts(args.facts)
    history = history_of(args.facts, facts)
    site = args.facts.parent.parent.parent
    links = {"status": (site / "status/index.html").is_file(), "decks": False}
    publications._brief_init(args.project / "templates", None, config)

    wall: list[float] = []
    cpu: dict[str, list[float]] = {step: [] for step in (*STEPS, "total")}
    outputs: list[dict[str, bytes]] = []
    for run in range(max(1, args.repeat) + 1):
        publications._WORKER["renderer"] = ChartRenderer(None)  # no chart from an earlier run
        fresh_typst()  # no layout from an earlier run (Typst memoises across compilations)
        t0, c0 = time.perf_counter(), time.process_time()
        narrative = narrate_week(facts, None, config)
        c1 = time.process_time()
        rendered = publications._render_brief((facts, narrative, history, links, False))
        c2, t2 = time.process_time(), time.perf_counter()
        files, steps = rendered if isinstance(rendered, tuple) else (rendered, {})
        if run == 0:
            continue  # warm-up: imports, fonts, template compilation
        wall.append(t2 - t0)
        cpu["narrative"].append(c1 - c0)
        for step in STEPS[1:]:
            cpu[step].append(steps.get(step, float("nan")))
        cpu["total"].append(c2 - c0)
        outputs.append(files)

    pdf = outputs[-1]["brief.pdf"]
    if args.json:
        medians = {step: statistics.median(values) for step, values in cpu.items()}
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        sizes = {"pages": pages, "pdf": len(pdf), "eml": len(outputs[-1]["brief.eml"])}
        print(json.dumps({"cpu": medians, **sizes, "same": all(o == outputs[0] for o in outputs)}))
        return
    print(f"week {facts.period} ({args.facts}), {len(facts.slos)} SLOs, "
          f"{len(facts.components)} components, {len(facts.incidents)} incidents; "
          f"median of {len(wall)} run(s) after a warm-up, CPU seconds of this process (threads included)")  # fmt: skip
    for step in (*STEPS, "total"):
        values = cpu[step]
        print(
            f"{step:<18} {statistics.median(values):8.3f} CPU-s   runs: {', '.join(f'{v:.3f}' for v in values)}"
        )
    print(
        f"{'wall, whole brief':<18} {statistics.median(wall):8.3f} s       runs: {', '.join(f'{v:.3f}' for v in wall)}"
    )
    print(f"PDF: {len(PdfReader(io.BytesIO(pdf)).pages)} pages, {len(pdf):,} bytes   "
          f"email: {len(outputs[-1]['brief.eml']):,} bytes")  # fmt: skip
    same = all(o == outputs[0] for o in outputs)
    print(f"identical files across runs: {same}")
    if args.out:
        args.out.write_bytes(pdf)
        print(f"wrote {args.out}")


def paired(args: argparse.Namespace) -> None:
    """A B A B: this checkout (A) and the one in ``--vs`` (B), each run a process of its own."""
    import subprocess

    common = [sys.executable, str(Path(__file__).resolve()), "--facts", str(args.facts), "--project",
              str(args.project), "--repeat", str(args.repeat), "--json"]  # fmt: skip
    sides = {"A": common, "B": [*common, "--code", str(args.vs.resolve())]}
    runs: dict[str, list[dict[str, Any]]] = {"A": [], "B": []}
    for pair in range(args.pairs):
        for side, command in sides.items():
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            runs[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"pair {pair + 1} {side}: {runs[side][-1]['cpu']['total']:.3f} CPU-s", flush=True)
    print(f"A = {Path(__file__).resolve().parents[1]}, B = {args.vs}; {args.pairs} pairs, each run the median "
          f"of {args.repeat} after a warm-up; CPU-s per brief: median (min-max)")  # fmt: skip
    for step in (*STEPS, "total"):
        a = [r["cpu"][step] for r in runs["A"]]
        b = [r["cpu"][step] for r in runs["B"]]
        ratios = [x / y for x, y in zip(a, b, strict=True) if y]
        ratio = f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})" if ratios else "-"
        print(f"{step:<18} A {statistics.median(a):6.3f} ({min(a):.3f}-{max(a):.3f})   "
              f"B {statistics.median(b):6.3f} ({min(b):.3f}-{max(b):.3f})   A/B {ratio}")  # fmt: skip
    for side in ("A", "B"):
        last = runs[side][-1]
        print(f"{side}: PDF {last['pages']} pages, {last['pdf']:,} bytes; email {last['eml']:,} bytes; "
              f"identical files across runs: {all(r['same'] for r in runs[side])}")  # fmt: skip


if __name__ == "__main__":
    main()
