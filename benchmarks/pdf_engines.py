"""Benchmark: the PDF of one weekly brief laid out by WeasyPrint and by a second engine from the same print
HTML: Typst (``--engine typst``, the default: what the product uses for the brief, ``publish.print_typst``)
or a browser (``--engine chromium``, through Playwright). A script, not a test.

It narrates the week with the template narrator, renders the brief's print HTML once (as a build's render
worker does), then prints that HTML to PDF with each engine in turn, A B A B (A: WeasyPrint through
`publish.pdf.html_to_pdf`, exactly as a build called it before Typst and still calls it for a project
overriding the print templates; B: `publish.print_typst.print_pdf` as a build calls it, conversion of the
HTML included, or one Chromium page reused across runs, `page.pdf` with the brief's paper size, tagged and
with an outline). Each side gets one unmeasured warm-up run (fonts, the browser's start). CPU seconds are
those of this process (threads included) plus, for Chromium, every process below it (Playwright's driver
and the browser's processes), read from /proc.
Chromium gets the HTML with `set_content`; every request it would make for anything but inline data is
refused and counted (there should be none). `--fresh-page` prints each Chromium PDF on a new page (a new
renderer process) instead. Also printed: whether each engine's runs gave the same bytes once the PDF
dates are masked (the product's PDFs must: docs/integrity.md, "Deterministic builds").

    .venv/bin/python benchmarks/pdf_engines.py --project /tmp/sentinel-scale/project \\
        --facts /tmp/sentinel-scale/site/evidence/2026-W30/facts.json [--engine typst|chromium] [--pairs 5]

docs/integrity.md has the figures ("The print edition laid out by Typst"); the product does not print with a
browser (docs/integrity.md says why).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import brief_pdf  # noqa: E402  (also puts this checkout's package on sys.path)
from pypdf import PdfReader  # noqa: E402

from sentinel_reports import publications  # noqa: E402
from sentinel_reports.narrative.template import narrate_week  # noqa: E402
from sentinel_reports.pipeline import load_project  # noqa: E402
from sentinel_reports.publish.brief import THEME_DIR  # noqa: E402
from sentinel_reports.render.brief import render_brief  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of the processes below `root` (not `root` itself), from /proc."""
    parent, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / TICK
    below, total = {root}, 0.0
    changed = True
    while changed:
        changed = False
        for pid, ppid in parent.items():
            if ppid in below and pid not in below:
                below.add(pid)
                total += cpu[pid]
                changed = True
    return total


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--facts", type=Path, required=True, help="a week's facts.json")
    parser.add_argument(
        "--engine", choices=("typst", "chromium"), default="typst", help="the engine beside WeasyPrint"
    )
    parser.add_argument("--browser", default="/usr/bin/chromium", help="the Chromium executable")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--fresh-page", action="store_true", help="a new browser page for each PDF")
    args = parser.parse_args()

    config = load_project(args.project)
    facts = brief_pdf.read_facts(args.facts)
    history = brief_pdf.history_of(args.facts, facts)
    publications._brief_init(args.project / "templates", None, config)
    w = publications._WORKER
    narrative = narrate_week(facts, None, config)
    brief = render_brief(
        w["env"], facts, narrative, config, history=history, renderer=w["renderer"],
        links={"status": False, "decks": False}, project_templates=w["templates"],
    )  # fmt: skip
    html = brief.pdf_html
    title = f"{facts.organization or config.organization} · Weekly brief {facts.period}"
    paper = config.site.paper

    def weasyprint() -> bytes:
        from sentinel_reports.publish.pdf import html_to_pdf

        return html_to_pdf(
            html, THEME_DIR, as_of=facts.as_of, title=title, paper=paper, author="Sentinel Reports",
            page_path=f"briefs/{facts.period}/brief.pdf", link_base=config.site.base_url,
        )  # fmt: skip

    def typst() -> bytes:
        from sentinel_reports.publish.print_typst import print_pdf

        return print_pdf(
            html, as_of=facts.as_of, title=title, paper=paper, author="Sentinel Reports",
            page_path=f"briefs/{facts.period}/brief.pdf", link_base=config.site.base_url,
        )  # fmt: skip

    refused: list[str] = []
    version = "Typst"
    if args.engine == "typst":
        runs, out, seen = measure(
            {"WeasyPrint": weasyprint, "Typst": typst}, args.pairs, {"Typst": brief_pdf.fresh_typst}
        )
    else:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=args.browser,
                args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
            )
            reused = browser.new_page()

            def refuse(route):  # noqa: ANN001, ANN202
                if route.request.url.startswith("data:"):
                    return route.continue_()
                refused.append(route.request.url)
                return route.abort()

            reused.route("**/*", refuse)

            def chromium() -> bytes:
                if args.fresh_page:
                    page = browser.new_page()
                    page.route("**/*", refuse)
                else:
                    page = reused
                page.set_content(html, wait_until="load")
                return page.pdf(format=paper, print_background=True, prefer_css_page_size=True, tagged=True,
                                outline=True)  # fmt: skip

            runs, out, seen = measure({"WeasyPrint": weasyprint, "Chromium": chromium}, args.pairs)
            version = f"Chromium {browser.version}; requests refused: {len(refused)}"
            browser.close()

    print(f"week {facts.period}: print HTML of {len(html):,} characters; {args.pairs} pairs (A B A B) after a "
          f"warm-up each; CPU-s of this process and every process below it")  # fmt: skip
    for name, values in runs.items():
        print(f"  {name:<11} {statistics.median(values):6.3f} CPU-s ({min(values):.3f}-{max(values):.3f})   "
              f"{pages(out[name])} pages, {len(out[name]):,} bytes; "
              f"{'the same bytes every run' if len(seen[name]) == 1 else f'{len(seen[name])} different PDFs'}")  # fmt: skip
    other = next(name for name in runs if name != "WeasyPrint")
    ratios = [a / b for a, b in zip(runs["WeasyPrint"], runs[other], strict=True)]
    print(f"  WeasyPrint / {other} {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}), "
          f"pair by pair; {version}")  # fmt: skip


def measure(
    sides: dict, pairs: int, prepare: dict | None = None
) -> tuple[dict[str, list[float]], dict[str, bytes], dict[str, set[bytes]]]:
    """CPU seconds of each side's runs, A B A B after a warm-up each, its last PDF and its distinct PDFs
    (dates masked). ``prepare``: what runs, untimed, before each run of a side (Typst: a fresh compiler with
    its fonts found, so the run lays out the document afresh instead of reusing its memoised layout)."""
    me = os.getpid()
    runs: dict[str, list[float]] = {name: [] for name in sides}
    out: dict[str, bytes] = {name: side() for name, side in sides.items()}  # warm-up
    seen: dict[str, set[bytes]] = {name: set() for name in sides}
    for _ in range(pairs):
        for name, side in sides.items():
            (prepare or {}).get(name, lambda: None)()
            c0, b0 = time.process_time(), tree_cpu(me)
            out[name] = side()
            runs[name].append(time.process_time() - c0 + tree_cpu(me) - b0)
            seen[name].add(re.sub(rb"D:\d{14}[^)]*", b"D:", out[name]))
    return runs, out, seen


if __name__ == "__main__":
    main()
