"""The site's front page: the latest brief first, then the status page and decks, then the archive.

    html = render_landing(env, briefs=[facts_summary(f) for f in week_facts_docs], decks=[...],
                          has_status=True, organization=..., as_of=...)

``facts_summary`` keeps the few fields of a week's facts the landing page shows (period, dates, status,
error budget remaining, spend, incidents); the archive lists every week, newest first, each with its status
as icon + word and links to the web brief and its PDF. A week still in progress says so, with the days its
figures cover, and its spend reads "so far": a part week's spend next to whole weeks' is no fall in spend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment

from ..analysis.facts_model import PeriodFacts
from . import formatting as f
from .environment import render_page

PAGE_PATH = "index.html"


def facts_summary(facts: PeriodFacts, summary_line: str | None = None) -> dict[str, Any]:
    """What the landing page shows of one week."""
    summary, cost, stats = facts.summary, facts.cost, facts.incident_stats
    return {
        "period": facts.period,
        "label": f.week_label(facts.period)
        + (f", so far ({facts.window.first_day} to {facts.window.last_day})" if facts.in_progress else ""),
        "in_progress": facts.in_progress,
        "status": summary.status or "Unknown",
        "budget_remaining": summary.budget_remaining,
        "budget_slo": summary.budget_slo,
        "spend": cost.total,
        "currency": cost.currency or facts.currency or "USD",
        "incidents": stats.count,
        "gaps": len(facts.gaps),
        "summary_line": summary_line,
    }


def render_landing(
    env: Environment,
    *,
    organization: str,
    as_of: str,
    briefs: Sequence[Mapping[str, Any]],
    decks: Sequence[Mapping[str, Any]] = (),
    has_status: bool = False,
) -> str:
    """The landing page; ``briefs`` oldest first (as built), shown newest first."""
    ordered = sorted(briefs, key=lambda b: b["period"], reverse=True)
    return render_page(
        env,
        "index.html",
        page_path=PAGE_PATH,
        title="Reports",
        site_title=organization,
        organization=organization,
        as_of=as_of,
        latest=ordered[0] if ordered else None,
        archive=ordered,
        decks=sorted(decks, key=lambda d: d["period"], reverse=True),
        has_status=has_status,
    )
