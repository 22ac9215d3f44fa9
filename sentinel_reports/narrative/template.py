"""The template narrator: the default, offline and deterministic voice of Sentinel (SPEC sections 2 and 9).

Public API (the page builders and the Claude narrator's fallback use it)::

    narrate_week(facts, content=None, config=None) -> Narrative      facts from analysis.facts.week_facts
    narrate_quarter(facts, content=None, config=None) -> Narrative   facts from analysis.facts.quarter_facts

``Narrative`` (``narrative.model``) is frozen:

- ``summary_line``: the exact SPEC line, ``**Current AI Platform Status: Degraded** | Error budget
  remaining: 41% | 3 active alerts (2 informational)`` (``unknown (observability gap)`` without a budget,
  ``exhausted (overspent by 53%)`` below 0): the platform now;
- ``verdict``: the one-line verdict on the period from the facts' ``verdict`` (``narrative.verdict``);
- ``incident_mode`` and ``incident_banner`` {affected, since, being_done, next_update} (None unless a major
  outage is active at the end of the window);
- ``evidence``: "Based on the last 7 days of production data (telemetry coverage 97.4%).";
- ``executive_summary``: narrative markdown; terse and directive in incident mode;
- ``sections``: markdown prose without headings for ``reliability``, ``cost``, ``incidents``, ``quality``,
  ``gaps`` (and ``investments`` for a quarter);
- ``recommendations``: ``Recommendation`` objects, the SPEC sentence in ``.text`` plus the full risk
  assessment (likelihood, impact, detection_time, mitigation), owner, deadline and origin content | rule;
- ``next_actions``: ``NextAction`` (action, owner team or role, deadline date, origin);
- ``derived`` and ``texts()``: see below.

Numbers: every figure printed is a fact, formatted by ``phrasing`` with the display rules of
``sentinel_reports.display``; missing data is written as an observability gap. The narrator derives dates:
deadlines (publication date + N days, see ``narrative.recommendations``) and, in incident mode without a
scheduled update in the facts, the next update time (as-of + ``executive.NEXT_UPDATE_MINUTES``); and the
one kind of count a list cut short needs, the items not named ("and 58 more objectives"). They are listed in
``Narrative.derived["narrative_dates"]``, ``["next_update"]`` and ``["narrative_counts"]``; verify the text against
``narrative.verification_facts(facts)`` (the facts plus ``{"narrative": derived}``), and publish ``derived``
with the evidence.

Wording is chosen by a hash of the period and the topic (``phrasing.choose``), never at random: the same
facts always give the same text. ``content`` and ``config`` are optional: the facts carry the content
blocks and the component owners; config fills in names and owners the facts lack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from ..model import parse_timestamp
from . import executive, reliability, sections
from . import phrasing as p
from .model import Narrative
from .phrasing import Context
from .recommendations import next_actions, recommendations
from .verdict import verdict_line
from .voice import summary_line

__all__ = ["narrate_quarter", "narrate_week"]


def narrate_week(facts: Mapping[str, Any], content: Any = None, config: Any = None) -> Narrative:
    """The narrative of one weekly brief."""
    return _narrate(facts, config)


def narrate_quarter(facts: Mapping[str, Any], content: Any = None, config: Any = None) -> Narrative:
    """The narrative of one quarterly deck (adds the ``investments`` section)."""
    return _narrate(facts, config)


def context(facts: Mapping[str, Any], config: Any = None) -> Context:
    """Component names and owners (facts first, config for what they lack) and the publication date: the
    local date the window ends, i.e. the Monday a closed week's brief is read."""
    names: dict[str, str] = {}
    owners: dict[str, str] = {}
    for c in getattr(config, "components", None) or []:
        names[c.id], owners[c.id] = c.name, c.owner
    for s in facts.get("slos") or []:
        names.setdefault(s["component"], s.get("component_name") or s["component"])
    for c in facts.get("components") or []:
        names[c["id"]] = c.get("name") or c["id"]
        if c.get("owner"):
            owners[c["id"]] = c["owner"]
    end = str((facts.get("window") or {}).get("end") or facts["as_of"])
    instant = parse_timestamp(end)
    publication = instant.astimezone(ZoneInfo(str(facts.get("timezone") or "UTC"))).date()
    as_of = parse_timestamp(str(facts["as_of"])).date()
    return Context(facts, p.Phraser(str(facts.get("period"))), publication, as_of, names, owners)


def _narrate(facts: Mapping[str, Any], config: Any) -> Narrative:
    ctx = context(facts, config)
    summary = facts.get("summary") or {}
    line = summary_line(
        summary.get("status") or "Unknown",
        summary.get("budget_remaining"),
        int(summary.get("active_alerts") or 0),
        int(summary.get("informational_alerts") or 0),
    )
    derived: dict[str, Any] = {}
    incident = executive.banner(ctx, derived) if summary.get("incident_mode") else None
    texts = {
        "reliability": reliability.reliability(ctx),
        "cost": sections.cost(ctx),
        "incidents": reliability.incidents(ctx),
        "quality": sections.quality(ctx),
        "gaps": sections.gaps(ctx),
    }
    if facts.get("kind") == "quarter":
        texts["investments"] = investments(ctx)
    recs = recommendations(ctx)
    actions = next_actions(ctx, recs)
    verdict = verdict_line(ctx)
    derived["narrative_dates"] = sorted(ctx.derived_dates)
    if ctx.derived_counts:  # "and 58 more objectives": the length of a list less the ones named
        derived["narrative_counts"] = sorted(ctx.derived_counts)
    # the counts of the narrative's own lists, which a deck states ("5 operational changes recommended")
    derived["recommendation_count"] = len(recs)
    derived["recommendations_above_low_risk"] = sum(1 for r in recs if r.risk_level != "Low")
    derived["next_action_count"] = len(actions)
    return Narrative(
        kind=str(facts.get("kind") or "week"),
        period=str(facts.get("period")),
        summary_line=line,
        verdict=verdict,
        incident_mode=incident is not None,
        incident_banner=incident,
        evidence=evidence(ctx),
        executive_summary=executive.summary(ctx, recs, incident),
        sections=texts,
        recommendations=recs,
        next_actions=actions,
        derived=derived,
    )


def evidence(ctx: Context) -> str:
    """The evidence window and telemetry coverage behind every statement."""
    coverage = ctx.facts.get("coverage") or {}
    telemetry = coverage.get("telemetry")
    shown = (
        f"telemetry coverage {p.pct(telemetry)}"
        if telemetry is not None
        else "telemetry coverage unknown: observability gap"
    )
    span = coverage.get("evidence_days")
    if span is None:
        return f"Based on the production data of {ctx.facts.get('period')} ({shown})."
    if ctx.period == "week":
        return f"Based on the last {p.span_days(span)} of production data ({shown})."
    return f"Based on {p.span_days(span)} of production data in {ctx.facts.get('period')} ({shown})."


def investments(ctx: Context) -> str:
    """Reliability investments for the deck, in the facts' rank order (by return)."""
    items = ctx.facts.get("investments") or []
    if not items:
        return "No reliability investments are proposed for this quarter."
    out = []
    for inv in items:
        line = f"- **{inv['title']}**: {ctx.money(inv.get('cost'))} one-off"
        if inv.get("running_cost_per_year"):
            line += f" plus {ctx.money(inv['running_cost_per_year'])} a year to run"
        if inv.get("expected_benefit") is not None:
            line += f", for an expected benefit of {ctx.money(inv['expected_benefit'])} a year"
        if inv.get("roi") is not None:
            line += f". Return on investment {p.pct(inv['roi'], 0)}"
            if inv.get("payback_months") is not None:
                line += f", payback in {p.number(inv['payback_months'], 1)} months"
        else:
            line += ". The return cannot be stated (observability gap)"
        confidence = inv.get("confidence")
        out.append(line + (f"; {confidence.lower()} confidence." if confidence else "."))
    return "\n".join(out)
