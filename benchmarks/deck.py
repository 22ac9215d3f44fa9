"""Benchmark of the quarterly deck: build time per quarter in each format, on the demo project (or any).

For every quarter the data covers: facts, slides (narrative, slide building and verification), HTML (chart
rendering included; a fresh chart renderer per quarter, so nothing is served from a cache), PDF (Typst, or
WeasyPrint where the project overrides the deck's template) and PPTX (python-pptx and the deterministic
re-zip). Each quarter is built ``--repeat`` times and the median is reported, with the output sizes.

    .venv/bin/python benchmarks/deck.py [--project .] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import brief_pdf  # noqa: E402

from sentinel_reports.analysis.periods import available_periods  # noqa: E402
from sentinel_reports.pipeline import open_project  # noqa: E402
from sentinel_reports.publish.deck import DeckTimings, deck_files  # noqa: E402
from sentinel_reports.render.charts import ChartRenderer  # noqa: E402
from sentinel_reports.render.environment import make_environment  # noqa: E402

STEPS = ("facts", "slides", "html", "pdf", "pptx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    project = open_project(args.project)
    env = make_environment(None)
    quarters = available_periods(project.dataset, project.config, project.as_of, "quarter")
    print(f"{'quarter':<9}" + "".join(f"{s:>9}" for s in STEPS) + f"{'total':>9}   sizes (KiB) html/pdf/pptx")
    for quarter in quarters:
        runs, files = [], {}
        for _ in range(args.repeat):
            brief_pdf.fresh_typst()  # no layout memoised from the run before (the same deck)
            timings = DeckTimings(quarter)
            files = deck_files(project, quarter, env, charts=ChartRenderer(), timings=timings)
            runs.append(timings.seconds)
        median = {s: statistics.median(r[s] for r in runs) for s in STEPS}
        sizes = "/".join(f"{len(files[n]) / 1024:.0f}" for n in ("index.html", "deck.pdf", "deck.pptx"))
        cells = "".join(f"{median[s]:>8.2f}s" for s in STEPS)
        print(f"{quarter:<9}{cells}{sum(median.values()):>8.2f}s   {sizes}")


if __name__ == "__main__":
    main()
