"""Publishing the quarterly decks: HTML slides, a 16:9 PDF and an editable PPTX per quarter.

    decks = publish_decks(site, project, env, charts, progress)   every quarter, into site/decks/<YYYY-Qn>/
    files = deck_files(project, "2026-Q4", env, formats=("html", "pptx"))  {file name: bytes}, no writing
    write_files(Path("decks/2026-Q4"), files)                              `sentinel deck --out`

For each quarter: facts (``analysis.facts.quarter_facts``, or the caller's), the narrative (template
narrator unless the caller passes ``narrate``), the slides (``render.deck.build_deck``), then verification
(``verify_deck``: a figure without a fact raises VerificationError and nothing of that deck is written),
then the formats:

    index.html   render.deck.render_deck_html: stylesheet and SVG charts inline, works opened from disk
    deck.pdf     the same HTML laid out by Typst (publish.deck_typst, theme/deck_print.typ), one 254 x 142.875 mm
                 page a slide, a slide too full for its page set smaller to fit; by WeasyPrint
                 (publish.pdf.html_to_pdf, the deck stylesheet's ``@page``) where the project overrides the
                 deck's template or stylesheet, or the page holds what the Typst layout does not know
    deck.pptx    publish.pptx.deck_to_pptx, branded by ``deck.pptx_template`` (relative to the project)

``quarters=None`` publishes every quarter the data covers (``analysis.periods.available_periods``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment

from ..analysis.facts_model import QuarterFacts
from ..errors import ConfigError, ConfigProblem, UsageError
from ..render.charts import ChartRenderer
from ..render.deck import build_deck, deck_css, render_deck_html, verify_deck
from .pptx import deck_to_pptx

FORMATS = ("html", "pdf", "pptx")
FILE_NAMES = {"html": "index.html", "pdf": "deck.pdf", "pptx": "deck.pptx"}
Narrate = Callable[[Mapping[str, Any], Any, Any], Any]


@dataclass
class DeckTimings:
    """Seconds spent per step for one quarter (facts, slides incl. verification, and each format)."""

    quarter: str
    seconds: dict[str, float] = field(default_factory=dict)


def parse_formats(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,pdf"`` -> ``("html", "pdf")``; UsageError naming any unknown format."""
    items = [v.strip().lower() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    unknown = sorted(set(items) - set(FORMATS))
    if unknown or not items:
        raise UsageError(
            f"unknown deck format {', '.join(unknown) or '(none)'}; expected {', '.join(FORMATS)}"
        )
    return tuple(f for f in FORMATS if f in items)


def pptx_template(project: Any) -> Path | None:
    """``deck.pptx_template`` resolved against the project folder; ConfigError when the file is missing."""
    config = project.config
    name = getattr(getattr(config, "deck", None), "pptx_template", None)
    if not name:
        return None
    path = (Path(config.project_dir) / name).resolve()
    if not path.is_file():
        raise ConfigError(ConfigProblem("deck.pptx_template", f"no such file: {path}", "sentinel.yaml"))
    return path


def deck_files(
    project: Any,
    quarter: str,
    env: Environment,
    *,
    formats: Iterable[str] = FORMATS,
    charts: ChartRenderer | None = None,
    narrate: Narrate | None = None,
    facts: QuarterFacts | None = None,
    base_url: Path | None = None,
    timings: DeckTimings | None = None,
) -> dict[str, bytes]:
    """The deck of one quarter in each requested format, verified; ``{file name: bytes}``."""
    from ..analysis.facts import quarter_facts
    from ..narrative.template import narrate_quarter

    clock = _Clock(timings)
    if facts is None:
        facts = quarter_facts(project.dataset, project.content, project.config, quarter, project.as_of)
        clock.lap("facts")
    narrative = (narrate or narrate_quarter)(facts, project.content, project.config)
    deck = build_deck(facts, narrative)
    verify_deck(deck, facts, narrative)
    clock.lap("slides")
    wanted = parse_formats(formats)
    out: dict[str, bytes] = {}
    templates = Path(project.config.project_dir) / "templates"
    html = ""
    if "html" in wanted or "pdf" in wanted:
        renderer = charts or ChartRenderer()
        html = render_deck_html(
            env, deck, renderer, page_path=f"decks/{quarter}/index.html", css=deck_css(templates)
        )
        clock.lap("html")
    if "html" in wanted:
        out[FILE_NAMES["html"]] = html.encode("utf-8")
    if "pdf" in wanted:
        out[FILE_NAMES["pdf"]] = deck_pdf_of(
            html, base_url or Path(project.config.project_dir), templates, as_of=project.as_of,
            title=f"{deck.title} · {deck.organization}", author=deck.organization or None,
            page_path=f"decks/{quarter}/deck.pdf", link_base=project.config.site.base_url,
        )  # fmt: skip
        clock.lap("pdf")
    if "pptx" in wanted:
        out[FILE_NAMES["pptx"]] = deck_to_pptx(deck, as_of=project.as_of, template=pptx_template(project))
        clock.lap("pptx")
    return out


def deck_pdf_of(
    html: str, base_url: Path, templates: Path, *, as_of: Any, title: str, author: str | None, page_path: str,
    link_base: str | None,
) -> bytes:  # fmt: skip
    """The deck's PDF: laid out by Typst (``publish.deck_typst``), one page per slide, unless the project
    overrides the deck's template or stylesheet, the page holds what that layout does not know, or a slide
    does not fit its page even set at 60%; then by WeasyPrint from the same HTML."""
    from .deck_typst import OVERRIDDEN_BY, deck_pdf
    from .print_typst import pdf_or_weasyprint, typst_applies

    meta = {"as_of": as_of, "title": title, "author": author, "link_base": link_base}
    typst = (
        (lambda: deck_pdf(html, page_path=page_path, **meta))
        if typst_applies(templates, OVERRIDDEN_BY)
        else None
    )
    return pdf_or_weasyprint(typst, html, base_url, page_path=page_path, **meta)


def publish_decks(
    site: Any,
    project: Any,
    env: Environment,
    charts: ChartRenderer | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
    *,
    quarters: Iterable[str] | None = None,
    formats: Iterable[str] = FORMATS,
    narrate: Narrate | None = None,
    facts: Mapping[str, QuarterFacts] | None = None,
) -> list[dict[str, str | None]]:
    """Write ``decks/<quarter>/{index.html, deck.pdf, deck.pptx}`` through the site writer.

    Returns one entry per deck for the landing page: ``{period, href, pdf, pptx}`` (paths from the site
    root; None for a format not built). A deck that fails verification raises before any of its files is
    written, and the site writer then discards the whole build.
    """
    from ..analysis.periods import available_periods

    if quarters is None:
        quarters = available_periods(project.dataset, project.config, project.as_of, "quarter")
    written: list[dict[str, str | None]] = []
    for quarter in quarters:
        progress(f"building the {quarter} deck (HTML, PDF, PPTX)")
        folder = f"decks/{quarter}"
        base = Path(site.tmp_dir) / folder if getattr(site, "tmp_dir", None) else None
        files = deck_files(
            project, quarter, env, formats=formats, charts=charts, narrate=narrate,
            facts=(facts or {}).get(quarter), base_url=base,
        )  # fmt: skip
        for name in sorted(files, key=lambda n: n != "index.html"):
            site.write_bytes(f"{folder}/{name}", files[name])
        paths = {
            kind: f"{folder}/{FILE_NAMES[kind]}" if FILE_NAMES[kind] in files else None for kind in FORMATS
        }
        written.append({"period": quarter, "href": paths["html"], "pdf": paths["pdf"], "pptx": paths["pptx"]})
    return written


def write_files(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write each file into ``out_dir`` atomically (temporary name, then rename); returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in sorted(files.items()):
        target = out_dir / name
        tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        paths.append(target)
    return paths


class _Clock:
    def __init__(self, timings: DeckTimings | None):
        self.timings, self.started = timings, time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings.seconds[step] = now - self.started
        self.started = now
