"""Benchmark of one weekly brief's PDF: the same code path as the build, timed phase by phase.

Given a project (for sentinel.yaml) and one week's facts.json (``site/evidence/<week>/facts.json``), this
narrates the week with the template narrator, renders every form of the brief (render.brief.render_brief:
web, print and email HTML, charts included, with a fresh chart renderer so nothing comes from a cache), lays
the print HTML out with WeasyPrint and writes the PDF (publish.pdf.layout_pdf and write_pdf, which
html_to_pdf runs in turn). The KPI history comes from the facts of the preceding weeks when they sit
next to the given week's folder, as they do in a built site. Each phase is run ``--repeat`` times and the
median is reported in wall-clock seconds and in CPU seconds of this process (the steadier figure on a busy
machine), with the page count and the PDF size.

    .venv/bin/python benchmarks/brief_pdf.py --facts site/evidence/2026-W45/facts.json --project .
    .venv/bin/python benchmarks/brief_pdf.py --facts /tmp/sentinel-scale/site/evidence/2026-W30/facts.json \\
        [--project /tmp/sentinel-scale/project] [--repeat 3] [--out /tmp/brief.pdf]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sentinel_reports.narrative.template import narrate_week  # noqa: E402
from sentinel_reports.pipeline import load_project  # noqa: E402
from sentinel_reports.publish.brief import _as_of  # noqa: E402
from sentinel_reports.render.brief import render_brief  # noqa: E402
from sentinel_reports.render.brief_charts import TREND_WEEKS, week_points  # noqa: E402
from sentinel_reports.render.charts import ChartRenderer  # noqa: E402
from sentinel_reports.render.environment import THEME_DIR, make_environment  # noqa: E402

PHASES = ("narrative", "HTML render (web, print, email)", "WeasyPrint layout", "write_pdf")


def history_of(facts_path: Path, facts: dict[str, Any]) -> list[dict[str, Any]]:
    """KPI points of up to TREND_WEEKS - 1 preceding weeks found next to this week's folder, oldest first."""
    points, week = [], facts.get("previous_period")
    while week and len(points) < TREND_WEEKS - 1:
        path = facts_path.parent.parent / week / "facts.json"
        if not path.is_file():
            break
        before = json.loads(path.read_text(encoding="utf-8"))
        points.insert(0, week_points(before))
        week = before.get("previous_period")
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=Path("/tmp/sentinel-scale/project"))
    parser.add_argument("--facts", type=Path, required=True, help="a week's facts.json")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="also write the PDF here")
    args = parser.parse_args()

    started = time.perf_counter()
    from sentinel_reports.publish.pdf import layout_pdf, write_pdf

    import_s = time.perf_counter() - started
    config = load_project(args.project)
    facts = json.loads(args.facts.read_text(encoding="utf-8"))
    history = history_of(args.facts, facts)
    site = args.facts.parent.parent.parent
    links = {"status": (site / "status/index.html").is_file(), "decks": False}
    env = make_environment(args.project / "templates")
    title = f"{facts.get('organization') or config.organization} · Weekly brief {facts['period']}"
    paper = config.site.paper

    runs: dict[str, list[float]] = {phase: [] for phase in PHASES}
    cpu: dict[str, list[float]] = {phase: [] for phase in PHASES}
    outputs: list[bytes] = []

    def timed(phase: str, action: Callable[..., Any], *positional: Any, **named: Any) -> Any:
        t0, c0 = time.perf_counter(), time.process_time()
        result = action(*positional, **named)
        runs[phase].append(time.perf_counter() - t0)
        cpu[phase].append(time.process_time() - c0)
        return result

    templates = args.project / "templates"
    for _ in range(max(1, args.repeat)):
        narrative = timed(PHASES[0], narrate_week, facts, None, config)
        brief = timed(PHASES[1], render_brief, env, facts, narrative, config, history=history,
                      renderer=ChartRenderer(None), links=links, project_templates=templates)  # fmt: skip
        document = timed(PHASES[2], layout_pdf, brief.pdf_html, THEME_DIR, title=title, paper=paper)
        pdf = timed(PHASES[3], write_pdf, document, brief.pdf_html, as_of=_as_of(facts), title=title,
                    paper=paper, author="Sentinel Reports")  # fmt: skip
        outputs.append(pdf)

    medians = {phase: statistics.median(values) for phase, values in runs.items()}
    cpu_medians = {phase: statistics.median(values) for phase, values in cpu.items()}
    print(f"week {facts['period']} ({args.facts}), {len(facts.get('slos') or [])} SLOs, "
          f"{len(facts.get('components') or [])} components, {len(facts.get('incidents') or [])} incidents; "
          f"median of {len(outputs)} run(s), wall-clock seconds (CPU seconds of this process)")  # fmt: skip
    print(f"{'import WeasyPrint (once)':<34} {import_s:8.3f} s")
    for phase in PHASES:
        runs_text = ", ".join(f"{v:.3f}" for v in runs[phase])
        print(f"{phase:<34} {medians[phase]:8.3f} s ({cpu_medians[phase]:.3f})   runs: {runs_text}")
    pdf_s = medians[PHASES[2]] + medians[PHASES[3]]
    pdf_cpu = cpu_medians[PHASES[2]] + cpu_medians[PHASES[3]]
    print(f"{'PDF (layout + write_pdf)':<34} {pdf_s:8.3f} s ({pdf_cpu:.3f})")
    print(f"{'total per brief':<34} {sum(medians.values()):8.3f} s ({sum(cpu_medians.values()):.3f})")
    pages = len(document.pages)
    print(f"pages: {pages}   PDF: {len(outputs[-1]):,} bytes   print HTML: {len(brief.pdf_html):,} chars")
    print(f"identical PDF bytes across runs: {len(set(outputs)) == 1}")
    if args.out:
        args.out.write_bytes(outputs[-1])
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
