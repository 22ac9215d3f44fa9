"""The quarterly reliability deck as a list of slides, built once from facts and shown in every format.

    deck = build_deck(facts, narrative)          facts: analysis.facts.quarter_facts; narrative: narrate_quarter
    verify_deck(deck, facts, narrative)          VerificationError when any figure lacks a fact
    html = render_deck_html(env, deck, charts)   the self-contained HTML slides (theme/deck.html)

A ``Slide`` states one idea: ``title`` is its conclusion ("Assistant Chat API missed its availability target
by 0.20 pp; 5 of 6 customer-facing SLOs held"), it shows one ``table`` or one ``chart``, at most a few short
``bullets`` beside it, and ends with a ``source_line``. ``notes`` are the speaker notes: the sources behind the
slide with their files, and every assumption a figure rests on. The HTML, PDF and PPTX writers only lay these
out; they add no figure of their own.

Numbers: every figure is a fact formatted with ``render.formatting``, or a value derived from facts by
``Derived`` (differences, shares, sums, counts, quarter budget consumed). Derived values are kept in
``Deck.derived`` under a readable key and verified like facts, so they stay auditable. Missing data is
written "no data" with the gap it comes from, never 0.

Verification covers every text on every slide: titles, lead lines, bullets, table headers and cells, chart
descriptions, source lines **and** speaker notes (notes reach the audience when the PPTX is shared). It uses
the narrative layer's ``TextReview``: figures against the facts (plus ``narrative.derived`` and
``deck.derived``), component names, the voice lint and the recommendation shape.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from jinja2 import Environment
from markupsafe import Markup

from ..errors import VerificationError
from ..narrative.review import TextReview
from .charts import ChartRenderer
from .environment import render_page, static_files

DECK_CSS = "static/deck.css"


@dataclass(frozen=True)
class Table:
    """Rows of display strings; ``numeric`` columns are right-aligned, ``worst`` marks one row."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()
    worst: int | None = None
    total: bool = False  # the last row is a total
    widths: tuple[float, ...] = ()  # relative column widths; empty: equal
    style: Literal["grid", "kpi", "terms"] = "grid"

    @property
    def density(self) -> str:
        """``roomy``, ``normal`` or ``dense``: how much the table must shrink to fit one slide."""
        longest = max((len(cell) for row in self.rows for cell in row), default=0)
        weight = len(self.rows) + (2 if longest > 60 else 0) + (3 if longest > 110 else 0)
        return "roomy" if weight <= 6 else "normal" if weight <= 10 else "dense"


@dataclass(frozen=True)
class ChartSeries:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """One chart, drawn as Vega-Lite SVG in HTML/PDF and as a native chart in PPTX."""

    kind: Literal["line", "bar"]
    categories: tuple[str, ...]  # ISO dates for a line chart; labels for bars
    series: tuple[ChartSeries, ...]
    description: str  # the text alternative
    value_title: str
    value_format: str  # d3 format for Vega-Lite, e.g. ".0%", "$.4f"
    excel_format: str  # number format for PowerPoint, e.g. "0%", '"$"0.0000'
    reference: tuple[float, str] | None = None  # a target or threshold line
    axis_format: str = ""  # d3 format for axis ticks when coarser than the labels


@dataclass(frozen=True)
class Slide:
    key: str
    title: str  # the conclusion
    kind: Literal["title", "exhibit", "recommendation", "appendix"] = "exhibit"
    lead: str = ""  # markdown inline line above the exhibit (summary line, recommendation sentence)
    table: Table | None = None
    chart: Chart | None = None
    bullets: tuple[str, ...] = ()  # markdown inline takeaways beside the exhibit
    quote: str = ""
    source_line: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Deck:
    period: str
    organization: str
    title: str
    subtitle: str  # organisation and window dates
    as_of: str
    summary_line: str
    slides: tuple[Slide, ...]
    derived: Mapping[str, float] = field(default_factory=dict)

    def texts(self) -> Iterator[tuple[str, str]]:
        """(slide key, text) for every text a reader or listener meets, in slide order."""
        yield "deck", "\n".join((self.title, self.subtitle, self.summary_line))
        for slide in self.slides:
            parts = [slide.title, slide.lead, *slide.bullets, slide.quote, slide.source_line, slide.notes]
            if slide.table is not None:
                parts.append(" | ".join(slide.table.columns))
                parts += [" | ".join(row) for row in slide.table.rows]
            if slide.chart is not None:
                parts += [slide.chart.description, slide.chart.value_title]
                parts += [s.name for s in slide.chart.series]
            yield slide.key, "\n".join(p for p in parts if p)


class Derived:
    """Values the deck computes from facts (a difference, a share, a count), recorded for verification."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    def __call__(self, key: str, value: float | None) -> float | None:
        if value is not None:
            self.values[key] = float(value)
        return value


def build_deck(facts: Mapping[str, Any], narrative: Any) -> Deck:
    """Every slide of one quarter's deck, in storyline order."""
    from . import deck_closing, deck_economics, deck_slides
    from .formatting import date

    derived = Derived()
    slides = [
        deck_slides.title_slide(facts, narrative, derived),
        deck_slides.glance_slide(facts, derived),
        deck_slides.budget_slide(facts, derived),
        deck_economics.incident_cost_slide(facts, derived),
        deck_economics.spend_slide(facts, derived),
        deck_closing.gaps_slide(facts, derived),
        deck_economics.investments_slide(facts, derived),
        *deck_closing.recommendation_slides(facts, narrative, derived),
        deck_closing.next_actions_slide(facts, narrative, derived),
        *deck_closing.appendix_slides(facts, derived),
    ]
    window = facts["window"]
    return Deck(
        period=str(facts["period"]),
        organization=str(facts.get("organization") or ""),
        title=f"Quarterly reliability review {facts['period']}",
        subtitle=f"{facts.get('organization')} · {date(window['start'], 'long')} – "
        f"{date(window['end'], 'long')}",
        as_of=str(facts["as_of"]),
        summary_line=narrative.summary_line,
        slides=tuple(slides),
        derived=dict(sorted(derived.values.items())),
    )


def verification_facts(deck: Deck, facts: Mapping[str, Any], narrative: Any) -> dict[str, Any]:
    """The facts the deck is verified against: the quarter's facts, the narrative's and the deck's derived."""
    return {**narrative.verification_facts(facts), "deck": dict(deck.derived)}


def verify_deck(deck: Deck, facts: Mapping[str, Any], narrative: Any) -> None:
    """Raise VerificationError listing every unsupported figure, unknown component or voice problem."""
    review = TextReview(verification_facts(deck, facts, narrative))
    problems = [f"deck {deck.period}, slide {key}: {p}" for key, text in deck.texts() for p in review(text)]
    if problems:
        raise VerificationError(problems)


def deck_css(project_templates: Any = None) -> str:
    """The deck stylesheet (a project's ``templates/static/deck.css`` overrides the theme's)."""
    return static_files(project_templates)[DECK_CSS].decode("utf-8")


def render_deck_html(
    env: Environment,
    deck: Deck,
    charts: ChartRenderer,
    *,
    page_path: str = "index.html",
    css: str | None = None,
) -> str:
    """The HTML slides: one document with its stylesheet and charts inline, readable without JavaScript."""
    from .deck_charts import chart_spec

    svgs = {
        slide.key: charts.svg(chart_spec(slide.chart), chart_id=f"chart-{slide.key}")
        for slide in deck.slides
        if slide.chart is not None
    }
    return render_page(
        env,
        "deck.html",
        page_path=page_path,
        deck=deck,
        charts=svgs,
        inline_css=Markup(css if css is not None else deck_css()),  # our own stylesheet file
    )
