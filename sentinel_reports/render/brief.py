"""The weekly executive brief: one context built from facts and narrative, rendered in five forms.

    brief = render_brief(env, facts, narrative, config, history=points, renderer=ChartRenderer(store))
    brief.html          web page       briefs/<week>/index.html (inline SVG charts and sparklines)
    brief.pdf_html      print page     for publish.pdf.html_to_pdf: brief-print.css inlined, no emoji (no
                                       emoji font), charts as SVG images, long tables, lists and charts in
                                       the short form of render.brief_print, which says what it left out
    brief.email_html    email body     fluid tables, at most 600 px; charts as cid: PNG images in ``brief.images``
                                       (the print edition's charts, with the note of what they leave out)
    brief.text          text/plain alternative of the email, every number included
    brief.markdown      brief.md for chat and wikis
    brief.subject       "Weekly brief 2026-W47 · " and the summary line without markup (an inbox names the week)
    brief.showback_csv  spend by team and by component for finance, safe to open in a spreadsheet

Sections, in order: summary line, executive summary with the evidence sentence, KPI tiles, Reliability,
Cost and unit economics, Incidents, Quality and safety, Observability gaps, Recommendations, Next Actions,
Appendix. Every text comes from the narrator (verified before publishing) or is a fact formatted by
render.formatting; tables come from render.brief_tables and charts from render.brief_charts. Nothing here
writes files or reads the clock.
"""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment

from ..analysis.facts_model import PeriodFacts
from . import brief_aiops
from . import brief_charts as bc
from . import brief_print as bp
from . import brief_tables as bt
from . import formatting as f
from .charts import ChartRenderer
from .environment import render_page, static_files
from .grouping import as_of_day
from .markdown import safe_markdown_document, strip_markdown_emphasis

SECTIONS = (
    ("summary", "Executive summary", ""),
    ("reliability", "Reliability", "📊"),
    ("cost", "Cost and unit economics", ""),
    ("incidents", "Incidents", ""),
    ("quality", "Quality and safety", ""),
    ("gaps", "Observability gaps", ""),
    ("recommendations", "Recommendations", ""),
    ("next-actions", "Next Actions", ""),
    ("appendix", "Appendix", ""),
)
"""(anchor, heading, emoji) in reading order; the emoji is left out of the PDF."""

DEFINITIONS = (
    (
        "SLO attainment",
        "good events / all events over the window; timeslice SLOs: good slices / slices with data.",
    ),
    (
        "Error budget",
        "1 - objective. Remaining = 1 - (1 - attainment) / (1 - objective); negative means overspent.",
    ),
    (
        "Burn rate",
        "error ratio over a window / (1 - objective); 1x spends the budget exactly over the SLO window.",
    ),
    ("Cost per successful task", "attributed spend / successful requests (requests_good) of the component."),
    (
        "Duration",
        "incident start (impact started where the source records it, else detected or created) to resolved, "
        "or to as-of while open.",
    ),
    (
        "Customer impact",
        "incident start to mitigated (else resolved), the part inside the period; none without customer impact.",
    ),
    ("Time to acknowledge", "incident created to first acknowledgement (MTTA when averaged)."),
    ("Time to resolve", "incident created to resolved (reported as time to resolve, not time to repair)."),
    ("Revenue at risk", "customer-impact minutes x configured revenue at risk per minute, with its source."),
    ("Observability gap", "missing, stale or unattributed data; the figure it affects is shown as no data."),
)
PRINT_CSS = "static/brief-print.css"
"""The print edition's stylesheet, inlined into the PDF's page instead of sentinel.css and brief.css."""
_EMOJI_RE = re.compile("[\U0001f6a8\u2705\U0001f4ca]\ufe0f? ?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")


def strip_emoji(text: str) -> str:
    """Remove the three voice emoji (🚨 ✅ 📊), for the PDF, which has no emoji font to draw them."""
    return _EMOJI_RE.sub("", text)


@dataclass(frozen=True)
class RenderedBrief:
    html: str
    pdf_html: str
    email_html: str
    text: str
    markdown: str
    subject: str
    showback_csv: str
    images: dict[str, bytes] = field(default_factory=dict)
    chart_titles: tuple[str, ...] = ()


def page_path(week: str) -> str:
    return f"briefs/{week}/index.html"


def _section_texts(narrative: Any, emoji: bool) -> dict[str, Any]:
    clean = (lambda s: s) if emoji else strip_emoji
    banner = narrative.incident_banner
    return {
        "summary_line": narrative.summary_line,
        "verdict": clean(getattr(narrative, "verdict", "") or ""),
        "evidence": clean(narrative.evidence),
        "executive_summary": clean(narrative.executive_summary),
        "sections": {k: clean(v) for k, v in narrative.sections.items()},
        # the shared banner macro (theme/macros.html) reads `action`; the narrative calls it `being_done`
        "incident": {
            **{k: clean(str(v)) for k, v in banner.items()},
            "action": clean(str(banner["being_done"])),
        }
        if banner
        else None,
        "recommendations": [
            {
                "text": clean(r.text),
                "title": clean(r.title),
                "expected_impact": clean(r.expected_impact),
                "risk_level": r.risk_level,
                "owner": r.owner,
                "deadline": r.deadline,
                "likelihood": clean(r.likelihood),
                "impact": clean(r.impact),
                "detection_time": clean(r.detection_time),
                "mitigation": clean(r.mitigation),
                "group": clean(r.group),
            }
            for r in narrative.recommendations
        ],  # fmt: skip
    }


def brief_context(
    facts: PeriodFacts,
    narrative: Any,
    config: Any,
    *,
    history: Sequence[Mapping[str, Any]] = (),
    links: Mapping[str, bool] | None = None,
) -> dict[str, Any]:
    """Everything the templates show, format-independent (charts as specs, tables as brief_tables.Table)."""
    week, summary = facts.period, facts.summary
    state = f.status_token(summary.status).key
    tables = {
        "reliability": [bt.slo_table(facts)],
        "cost": [t for t in (bt.closed_month_table(facts), bt.budget_table(facts), bt.unit_cost_table(facts), bt.showback_table(facts),
                             bt.cache_table(facts)) if t],
        "incidents": [t for t in (bt.incident_table(facts), bt.action_item_table(facts)) if t]
        + brief_aiops.incident_tables(facts),
        "quality": [t for t in (bt.quality_table(facts),) if t] + brief_aiops.quality_tables(facts),
        "gaps": [t for t in (bt.gap_table(facts),) if t],
    }  # fmt: skip
    charts = {
        "reliability": [c for c in (bc.budget_chart(facts, history),) if c],
        "cost": [c for c in (bc.spend_chart(facts),) if c],
    }
    base_url = (getattr(getattr(config, "site", None), "base_url", None) or "").rstrip("/")
    links = dict(links or {})
    return {
        "week": week,
        "week_label": f.week_label(week),
        "organization": facts.organization or getattr(config, "organization", ""),
        "title": f"Weekly brief {week}",
        "status": summary.status or "Unknown",
        "state": state,
        "as_of": facts.as_of,
        # "now" is known up to the latest fresh sample, which may lag as-of by a few samples
        "data_as_of": summary.data_as_of or facts.as_of,
        "window": facts.window,
        "note": (facts.note or "").strip(),
        "previous": facts.previous_period,
        "next": facts.next_period,
        "kpis": bc.kpi_tiles(facts, history),
        "tables": tables,
        "charts": charts,
        "next_actions": bt.next_action_table(narrative.next_actions, as_of_day(facts)),
        "sources": bt.source_table(facts),
        "definitions": DEFINITIONS,
        "sections_order": SECTIONS,
        "web_url": f"{base_url}/briefs/{week}/" if base_url else None,
        "evidence_url": f"{base_url}/evidence/{week}/facts.json" if base_url else None,
        "has_status": bool(links.get("status")),
        "has_decks": bool(links.get("decks")),
        "narrative": narrative,
    }


def _charts_for(
    ctx: Mapping[str, Any], variant: str, renderer: ChartRenderer
) -> tuple[dict, dict[str, bytes]]:
    out: dict[str, list[dict[str, Any]]] = {}
    images: dict[str, bytes] = {}
    # the PDF and the email are read, not explored: both draw the print charts (render.brief_print), which
    # are the web page's own charts unless there are more lines or bars than PRINT_LINES / PRINT_BARS
    charts = ctx["print_charts"] if variant in ("pdf", "email") else ctx["charts"]
    for section, specs in charts.items():
        out[section] = []
        for n, spec in enumerate(specs):
            key = f"chart-{section}-{n + 1}"
            note = ((spec.get("usermeta") or {}).get("sentinel") or {}).get("note")
            item = {"key": key, "title": spec["title"], "description": spec["description"],
                    "width": spec["width"], "svg": None, "cid": None, "img": None, "note": note}  # fmt: skip
            if variant == "email":
                images[key] = renderer.png(spec, scale=2)
                item["cid"] = key
            elif variant == "pdf":
                item["img"] = svg_data_uri(renderer.svg(spec, chart_id=key))
            else:
                item["svg"] = renderer.svg(spec, chart_id=key)
            out[section].append(item)
    return out, images


def _kpis_for(ctx: Mapping[str, Any], variant: str, renderer: ChartRenderer) -> list[dict[str, Any]]:
    tiles = []
    for n, tile in enumerate(ctx["kpis"]):
        spark = tile["spark"]
        key = f"spark-{n + 1}"
        svg = renderer.svg(spark, chart_id=key) if spark is not None and variant != "email" else None
        if variant == "pdf":
            tiles.append({**tile, "spark_svg": None, "spark_img": svg_data_uri(svg) if svg else None})
        else:
            tiles.append({**tile, "spark_svg": svg, "spark_img": None})
    return tiles


def svg_data_uri(svg: str) -> str:
    """An SVG as a ``data:`` URI for an ``<img>``: WeasyPrint then reads it with its SVG parser alone, instead
    of parsing and styling every SVG element as part of the page first (the print edition's charts)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def render_brief(
    env: Environment,
    facts: PeriodFacts,
    narrative: Any,
    config: Any,
    *,
    history: Sequence[Mapping[str, Any]] = (),
    renderer: ChartRenderer,
    links: Mapping[str, bool] | None = None,
    project_templates: Path | None = None,
    standalone: bool = False,
) -> RenderedBrief:
    """Render every form of one week's brief; ``standalone`` inlines the CSS into the web page too, for a
    page written outside a site (``sentinel brief --out``)."""
    ctx = brief_context(facts, narrative, config, history=history, links=links)
    path = page_path(ctx["week"])
    paper = getattr(getattr(config, "site", None), "paper", "A4")
    rendered: dict[str, Any] = {}
    images: dict[str, bytes] = {}
    files = static_files(project_templates)
    css = "\n".join(
        files[p].decode("utf-8") for p in ("static/sentinel.css", "static/brief.css") if p in files
    )
    print_css = files[PRINT_CSS].decode("utf-8") if PRINT_CSS in files else css
    ctx["print_charts"] = bp.print_charts(facts, history)
    for variant in ("web", "pdf", "email"):
        charts, imgs = _charts_for(ctx, variant, renderer)
        images.update(imgs)
        view = {**ctx, **_section_texts(narrative, emoji=variant != "pdf"), "charts": charts,
                "kpis": _kpis_for(ctx, variant, renderer), "variant": variant, "paper": paper}  # fmt: skip
        if variant == "pdf":  # the print edition: its stylesheet, long lists and tables shortened
            web = ctx["web_url"]
            view["inline_css"] = print_css
            view["sections"] = {k: bp.shorten_lists(v, web) for k, v in view["sections"].items()}
            view["tables"] = bp.print_tables(facts, ctx["tables"], web_url=web)
            view["sources"] = bp.print_sources(facts, ctx["sources"], web)
            view["recommendation_table"] = bp.recommendation_table(
                view["recommendations"], web, as_of_day(facts)
            )
            view["next_actions"] = bp.print_next_actions(
                facts, ctx["next_actions"], narrative.next_actions, web
            )
        elif variant == "web" and standalone:
            view["inline_css"] = css
        name = "brief_email.html" if variant == "email" else "brief.html"
        rendered[variant] = render_page(env, name, page_path=path, policy=variant != "email", **view)
    plain = {**ctx, **_section_texts(narrative, emoji=True), "variant": "text"}
    text = render_page(env, "brief.txt", page_path=path, **plain, strip_md=strip_markdown_emphasis,
                       text_table=bt.text_table)  # fmt: skip
    markdown = safe_markdown_document(
        render_page(env, "brief.md", page_path=path, **plain, md_table=bt.markdown_table),
        remote_images=bool(env.globals.get("remote_images")),
    )
    titles = tuple(c["title"] for specs in ctx["charts"].values() for c in specs)
    return RenderedBrief(
        html=rendered["web"], pdf_html=rendered["pdf"], email_html=rendered["email"], text=text,
        markdown=markdown, subject=f"Weekly brief {facts.period} · {strip_markdown_emphasis(narrative.summary_line)}",
        showback_csv=showback_csv(facts, config), images=images, chart_titles=titles,
    )  # fmt: skip


def _safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER_RE.match(text):
        return "'" + text
    return text


def showback_csv(facts: PeriodFacts, config: Any = None) -> str:
    """Spend of the week by team and by component (with the owning team), plus the unattributed remainder."""
    cost, week = facts.cost, facts.period
    cur = cost.currency or facts.currency or "USD"
    comps = {c.id: c for c in facts.components}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["week", "dimension", "team", "component_id", "component", "spend", "currency"])
    for team, value in sorted(cost.by_team.items()):
        writer.writerow([_safe_cell(x) for x in (week, "team", team, "", "", _amount(value), cur)])
    for cid, value in sorted(cost.by_component.items()):
        comp = comps.get(cid)
        owner, name = (comp.owner, comp.name) if comp else ("", "")
        row = (week, "component", owner or "", cid, name or cid, _amount(value), cur)
        writer.writerow([_safe_cell(x) for x in row])
    if cost.unattributed is not None:
        writer.writerow(
            [_safe_cell(x) for x in (week, "unattributed", "", "", "", _amount(cost.unattributed), cur)]
        )
    return out.getvalue()


def _amount(value: float | None) -> str:
    return "" if f.is_gap(value) else f"{value:.2f}"
