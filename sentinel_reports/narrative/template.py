"""The template narrator: the default, offline and deterministic voice of Sentinel (SPEC sections 2 and 9).

Public API (the page builders and the Claude narrator's fallback use it):

    narrate_week(facts, content, config) -> Narrative      facts from analysis.facts.week_facts
    narrate_quarter(facts, content, config) -> Narrative   facts from analysis.facts.quarter_facts

``Narrative`` (narrative.model) is frozen: ``summary_line`` (the exact SPEC line), ``incident_mode`` and
``incident_banner`` {affected, since, being_done, next_update} when a major outage is active, ``evidence``
(window and telemetry coverage), ``executive_summary`` (markdown), ``sections`` {reliability, cost,
incidents, quality, gaps} (+ ``investments`` for a quarter), ``recommendations`` (Recommendation with the
SPEC sentence in ``.text`` and a full risk assessment), ``next_actions`` (NextAction: action, owner team or
role, deadline date, origin), ``derived`` and ``texts()`` (every generated string).

Numbers: every figure is a fact formatted by ``phrasing`` (the rules of render.formatting). The narrator
computes no figure of its own. It derives dates only: deadlines (publication date + N days, see
narrative.recommendations) and, in incident mode without a scheduled update in the facts, the next update
time (as-of + NEXT_UPDATE_MINUTES). They are listed in ``Narrative.derived`` and verified by checking the
text against ``narrative.verification_facts(facts)`` (the facts plus ``{"narrative": derived}``).

Wording: normal periods are collaborative and slightly formal; incident mode opens terse and directive.
Phrasings are chosen by a hash of the period and the topic (phrasing.choose), never at random. ``content``
and ``config`` are optional: the facts already carry content blocks and component owners; config fills in
owners the facts lack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from . import phrasing as p
from . import sections
from .model import Narrative, Recommendation
from .phrasing import Context
from .recommendations import next_actions, overdue_items, recommendations
from .voice import summary_line

__all__ = ["NEXT_UPDATE_MINUTES", "narrate_quarter", "narrate_week"]

NEXT_UPDATE_MINUTES = 60


def narrate_week(facts: Mapping[str, Any], content: Any = None, config: Any = None) -> Narrative:
    """The narrative of one weekly brief."""
    return _narrate(facts, config)


def narrate_quarter(facts: Mapping[str, Any], content: Any = None, config: Any = None) -> Narrative:
    """The narrative of one quarterly deck (adds the ``investments`` section)."""
    return _narrate(facts, config)


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _context(facts: Mapping[str, Any], config: Any) -> Context:
    names, owners = {}, {}
    for c in getattr(config, "components", None) or []:
        names[c.id], owners[c.id] = c.name, c.owner
    for s in facts.get("slos") or []:
        names.setdefault(s["component"], s.get("component_name") or s["component"])
    for c in facts.get("components") or []:
        names[c["id"]] = c.get("name") or c["id"]
        if c.get("owner"):
            owners[c["id"]] = c["owner"]
    end = (facts.get("window") or {}).get("end") or facts["as_of"]
    publication = _parse(end).astimezone(ZoneInfo(str(facts.get("timezone") or "UTC"))).date()
    return Context(facts, p.Phraser(str(facts.get("period"))), publication, names, owners)


def _narrate(facts: Mapping[str, Any], config: Any) -> Narrative:
    ctx = _context(facts, config)
    summary = facts.get("summary") or {}
    line = summary_line(
        summary.get("status") or "Unknown",
        summary.get("budget_remaining"),
        int(summary.get("active_alerts") or 0),
        int(summary.get("informational_alerts") or 0),
    )
    derived: dict[str, Any] = {}
    banner = _banner(ctx, derived) if summary.get("incident_mode") else None
    texts = {
        "reliability": sections.reliability(ctx),
        "cost": sections.cost(ctx),
        "incidents": sections.incidents(ctx),
        "quality": sections.quality(ctx),
        "gaps": sections.gaps(ctx),
    }
    if facts.get("kind") == "quarter":
        texts["investments"] = investments(ctx)
    recs = recommendations(ctx)
    actions = next_actions(ctx, recs)
    opening = _incident_opening(ctx, banner) if banner else _opening(ctx)
    summary_text = "\n\n".join(
        x for x in (opening, _incidents_para(ctx), _money_para(ctx), _decisions(ctx, recs)) if x
    )
    derived["narrative_dates"] = sorted(ctx.derived_dates)
    return Narrative(
        kind=str(facts.get("kind") or "week"),
        period=str(facts.get("period")),
        summary_line=line,
        incident_mode=banner is not None,
        incident_banner=banner,
        evidence=_evidence(ctx),
        executive_summary=summary_text,
        sections=texts,
        recommendations=recs,
        next_actions=actions,
        derived=derived,
    )


def _evidence(ctx: Context) -> str:
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


def _banner(ctx: Context, derived: dict[str, Any]) -> dict[str, str]:
    detail = (ctx.facts.get("summary") or {}).get("incident_mode_detail") or {}
    components = list(detail.get("components") or [])
    affected = p.join([ctx.plain_name(c) for c in components]) or "customer-facing services"
    open_incidents = [
        i
        for i in ctx.facts.get("incidents") or []
        if i.get("resolved_at") is None and set(i.get("components") or []) & set(components)
    ]
    owners = p.join(sorted({ctx.owner(c) for c in components}))
    if open_incidents:
        inc = min(open_incidents, key=lambda i: (i["severity"], i["started_at"]))
        updates = sorted(inc.get("updates") or [], key=lambda u: u["at"])
        doing = f"{inc['id']} ({inc['severity']}, {inc.get('status') or 'open'})"
        doing += f": {updates[-1]['body'].rstrip('.')}." if updates else f" is being worked by {owners}."
    else:
        doing = f"{owners} {'is' if len(components) == 1 else 'are'} investigating; no incident record is open yet."
    doing += " Non-emergency changes to the affected services are on hold."
    next_update = detail.get("next_update")
    if not next_update:
        at = _parse(ctx.facts["as_of"]).astimezone(dt.UTC) + dt.timedelta(minutes=NEXT_UPDATE_MINUTES)
        next_update = derived["next_update"] = (
            at.replace(second=0, microsecond=0).isoformat().replace("+00:00", "Z")
        )
    since = detail.get("since")
    return {
        "affected": affected,
        "since": p.timestamp(since) if since else "not recorded (no open incident names a start)",
        "being_done": doing,
        "next_update": p.timestamp(next_update),
    }


def _incident_opening(ctx: Context, banner: Mapping[str, str]) -> str:
    return (
        f"🚨 **Major outage: {banner['affected']}, since {banner['since']}.** {banner['being_done']} "
        f"Next update: {banner['next_update']}. Route customer questions to the status page; "
        "the rest of this brief is context, not a call to action."
    )


def _lowest(ctx: Context) -> Mapping[str, Any] | None:
    name = (ctx.facts.get("summary") or {}).get("budget_slo")
    return next((s for s in ctx.facts.get("slos") or [] if s["name"] == name), None)


def _opening(ctx: Context) -> str:
    facts, say = ctx.facts, ctx.say
    status = (facts.get("summary") or {}).get("status") or "Unknown"
    lead = f"The platform closed {facts.get('period')} **{status}**."
    slo = _lowest(ctx)
    if slo is None:
        return (
            lead
            + " No customer-facing objective is configured, so reliability is not measured against a target."
        )
    comp, window, remaining = (
        ctx.name(slo["component"]),
        p.days(slo.get("window_days")),
        slo.get("budget_remaining"),
    )
    failures = "failed requests" if slo.get("sli") == "availability" else "slow or failed responses"
    if remaining is None:
        return (
            f"{lead} The error budget of **{slo['name']}** cannot be stated because its telemetry is incomplete: "
            f"reliability on {comp} is unmeasured, not assumed healthy, until that gap closes."
        )
    if remaining < 0:
        return (
            f"{lead} {comp} has exhausted its {window} error budget on **{slo['name']}** (overspent by "
            f"{p.pct(-remaining, 0)}): customers saw more {failures} than the objective allows, so the error-budget "
            "policy holds non-critical releases there until the budget recovers."
        )
    if sections.is_burning(slo) and slo.get("time_to_exhaustion_hours") is not None:
        burning = say.say(
            "burning",
            slo["name"],
            burn=p.multiplier(slo["burn_rate"]["1h"]),
            left=p.time_left(slo["time_to_exhaustion_hours"]),
        )
        return (
            f"{lead} {comp} has {p.pct(remaining, 0)} of its {window} error budget left and is {burning}. "
            "Once it is spent, the error-budget policy pauses non-critical releases there."
        )
    win = "✅ " if status == "Healthy" and not facts.get("incidents") else ""
    return (
        f"{win}{lead} The tightest customer-facing objective, **{slo['name']}** on {comp}, keeps "
        f"{p.pct(remaining, 0)} of its {window} error budget: room to keep shipping at the current pace."
    )


def _incidents_para(ctx: Context) -> str:
    """Customer impact of the period's incidents, led by the largest, with revenue at risk."""
    items = [i for i in ctx.facts.get("incidents") or [] if i.get("impact_minutes")]
    if not items:
        return ""
    stats, business = ctx.facts.get("incident_stats") or {}, ctx.facts.get("business") or {}
    worst = max(items, key=lambda i: (i["impact_minutes"], i["id"]))
    label = f"**{worst['id']}** ({worst['severity']}) on {p.join([ctx.name(c) for c in worst.get('components') or []])}"
    amount = (worst.get("business_impact") or {}).get("amount")
    risk = ""
    if amount:
        source = business.get("assumptions_source") or "source not stated"
        risk = f", putting {ctx.money(amount)} of revenue at risk (assumption: {source})"
    elif business.get("revenue_at_risk_total") is None:
        risk = "; revenue at risk cannot be stated until the business assumption is configured"
    if len(items) == 1:
        return f"{label} affected customers for {p.duration_minutes(worst['impact_minutes'])}{risk}."
    lead = "Incidents affected customers"
    if len(items) == stats.get("customer_impacting_count"):
        lead = f"{p.plural(len(items), 'incident')} affected customers"
    if stats.get("impact_minutes_total"):
        lead += f" for {p.duration_minutes(stats['impact_minutes_total'])} in total"
    return f"{lead}. The largest, {label}, accounts for {p.duration_minutes(worst['impact_minutes'])}{risk}."


def _money_para(ctx: Context) -> str:
    c, out = ctx.facts.get("cost") or {}, []
    if c.get("total") is not None:
        change = sections.change_words(c.get("week_over_week")) if c.get("previous_total") is not None else ""
        out.append(
            f"Spend was {ctx.money(c['total'])}"
            + (f", {change} on the previous {ctx.period}." if change else ".")
        )
    before = c.get("previous_per_successful_task") or {}
    moves = [
        (k, v)
        for k, v in sorted((c.get("per_successful_task") or {}).items())
        if v is not None and sections.trend(v, before.get(k)) in ("up from", "down from")
    ]
    for component, value in moves[:2]:
        up = sections.trend(value, before[component]) == "up from"
        out.append(
            f"Cost per successful task on {ctx.name(component)} {'rose' if up else 'fell'} to {p.unit_money(value, ctx.currency)} "
            f"from {p.unit_money(before[component], ctx.currency)}: each successful answer costs "
            f"{'more' if up else 'less'} to serve, which {'narrows' if up else 'widens'} margin."
        )
    for b in c.get("budgets") or []:
        if (b.get("projected_share") or 0) > 1:
            out.append(
                f"**{b['team']}** is on course to end the month at {p.pct(b['projected_share'])} of its budget."
            )
    for row in ctx.facts.get("quality") or []:
        if row.get("met") is False and row.get("eval_pass_rate") is not None:
            out.append(
                f"Answer quality on {ctx.name(row['component'])} is below target: **{row.get('model_version') or 'the current version'}** "
                f"passed {p.pct(row['eval_pass_rate'])} of eval cases against {p.pct(row['target'])}, so "
                f"{p.pct(1 - row['eval_pass_rate'])} of evaluated answers failed the rubric, a direct risk to customer trust."
            )
    return " ".join(out)


def _decisions(ctx: Context, recs: tuple[Recommendation, ...]) -> str:
    if not recs:
        return f"No changes are proposed this {ctx.period}."
    titles = [f"**{r.title.rstrip('.')}**" for r in recs[:3]]
    more = ", with further recommendations below" if len(recs) > 3 else ""
    overdue = " Overdue postmortem actions are listed with their owners." if overdue_items(ctx.facts) else ""
    return f"Decisions for this {ctx.period}: {p.join(titles)}{more}. Owners and dates are under Next Actions.{overdue}"


def investments(ctx: Context) -> str:
    items = ctx.facts.get("investments") or []
    if not items:
        return "No reliability investments are proposed for this quarter."
    out = []
    for inv in items:
        line = f"- **{inv['title']}**: {ctx.money(inv.get('cost'))} one-off"
        if inv.get("expected_benefit") is not None:
            line += f", expected benefit {ctx.money(inv['expected_benefit'])} a year"
        if inv.get("roi") is not None:
            line += f"; return on investment {p.pct(inv['roi'], 0)}"
        else:
            line += "; return cannot be stated (observability gap)"
        if inv.get("payback_months") is not None:
            line += f", payback in {p.number(inv['payback_months'], 1)} months"
        confidence = inv.get("confidence")
        out.append(line + (f" ({confidence} confidence)." if confidence else "."))
    return "\n".join(out)
