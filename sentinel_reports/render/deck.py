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

from dataclasses import replace
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ..analysis.facts_model import QuarterFacts
from ..errors import VerificationError
from ..model import format_timestamp
from ..narrative.review import TextReview
from .charts import ChartRenderer
from .deck_model import Deck, Derived, Slide
from .environment import render_page, static_files

DECK_CSS = "static/deck.css"


def build_deck(facts: QuarterFacts, narrative: Any) -> Deck:
    """Every slide of one quarter's deck, in storyline order."""
    from . import deck_aiops, deck_closing, deck_economics, deck_slides
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
        deck_aiops.ai_incidents_slide(facts, derived),
        *[s for s in (deck_aiops.ai_quality_slide(facts, derived),) if s is not None],
        deck_aiops.self_hosting_slide(facts, derived),
        deck_closing.next_actions_slide(facts, narrative, derived),
        *deck_closing.appendix_slides(facts, derived),
    ]
    slides = [_boardroom(s) for s in slides]
    window = facts.window
    last_day = date(window.last_day or window.end, "long")
    return Deck(
        period=str(facts.period),
        organization=str(facts.organization or ""),
        title=f"Quarterly reliability review {facts.period}",
        subtitle=f"{facts.organization} · {date(window.start, 'long')} – "
        + (f"{last_day}, quarter in progress" if facts.in_progress else last_day),
        as_of=format_timestamp(facts.as_of),
        summary_line=narrative.summary_line,
        slides=tuple(slides),
        derived=dict(sorted(derived.values.items())),
    )


def _boardroom(slide: Slide) -> Slide:
    """The slide with its body in boardroom words (``formatting.boardroom``: no PromQL, no metric or field
    names); every text that changed is kept in full in the speaker notes, where the engineer presenting reads
    the detail."""
    from .formatting import boardroom

    changed: list[str] = []

    def clean(text: str) -> str:
        plain = boardroom(text)
        if plain != text and text not in changed:
            changed.append(text)
        return plain

    table = slide.table
    if table is not None:
        table = replace(
            table,
            columns=tuple(clean(c) for c in table.columns),
            rows=tuple(tuple(clean(c) for c in row) for row in table.rows),
        )
    out = replace(
        slide,
        title=clean(slide.title),
        lead=clean(slide.lead),
        bullets=tuple(clean(b) for b in slide.bullets),
        quote=clean(slide.quote),
        table=table,
    )
    missing = [t for t in changed if t not in slide.notes]
    if missing:
        out = replace(out, notes="\n".join([slide.notes, *(f"In full: {t}" for t in missing)]).strip())
    return out


def verification_facts(deck: Deck, facts: QuarterFacts, narrative: Any) -> dict[str, Any]:
    """The facts the deck is verified against: the quarter's facts, the narrative's and the deck's derived."""
    return {**narrative.verification_facts(facts), "deck": dict(deck.derived)}


def verify_deck(deck: Deck, facts: QuarterFacts, narrative: Any) -> None:
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
