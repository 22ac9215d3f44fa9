"""The executive summary and the incident banner of the template narrator.

The executive summary is narrative: each engineering figure is followed by what it means for customers,
cost or risk. It opens with the period's status and its most serious customer-facing event, then the
error budget, then money and answer quality, then the decisions asked of the reader. In incident mode it
opens terse and directive instead: what is affected, since when, what is being done, the next update.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..analysis.facts_model import Incident
from ..model import format_timestamp
from . import phrasing as p
from . import reliability, sections
from .model import Recommendation
from .phrasing import Context

NEXT_UPDATE_MINUTES = 60
"""Without a scheduled update in the facts, incident mode promises the next one this long after as-of."""


def banner(ctx: Context, derived: dict[str, Any]) -> dict[str, str]:
    """{affected, since, being_done, next_update} for an active major outage (records a derived next update)."""
    detail = ctx.facts.summary.incident_mode_detail
    components = list(detail.components) if detail is not None else []
    affected = p.join([ctx.plain_name(c) for c in components]) or "customer-facing services"
    incidents = ctx.facts.incidents
    open_incidents = [
        i for i in incidents if set(components) & set(i.components) and reliability.is_open(ctx, i)
    ]
    owners = p.join([p.team(o, bold=False) for o in sorted({ctx.owner(c) for c in components})])
    if open_incidents:
        inc = min(open_incidents, key=lambda i: (i.severity, i.started_at))
        updates = [u for u in inc.updates if u.at <= ctx.facts.as_of]
        latest = max(updates, key=lambda u: u.at) if updates else None
        doing = f"{inc.id} ({inc.severity}) is being worked by {owners}."
        doing += f" Latest update, {p.timestamp(latest.at)}: {latest.body.rstrip('.')}." if latest else ""
    else:
        doing = f"{p.sentence(owners)[:-1]} {'is' if len(components) == 1 else 'are'} investigating; no incident record is open yet."
    doing += " Non-emergency changes to the affected services are on hold."
    next_update = detail.next_update if detail is not None else None
    if next_update is None:
        now = ctx.facts.as_of.astimezone(dt.UTC)
        next_update = (now + dt.timedelta(minutes=NEXT_UPDATE_MINUTES)).replace(second=0, microsecond=0)
        derived["next_update"] = format_timestamp(next_update)
    since = detail.since if detail is not None else None
    return {
        "affected": affected,
        "since": p.timestamp(since) if since else "not recorded (no open incident names a start)",
        "being_done": doing,
        "next_update": p.timestamp(next_update),
    }


def summary(ctx: Context, recs: tuple[Recommendation, ...], incident: Mapping[str, str] | None) -> str:
    """The executive summary: paragraphs joined by blank lines."""
    if incident:
        opening = (
            f"🚨 **Major outage: {incident['affected']}, since {incident['since']}.** {incident['being_done']} "
            f"Next update: {incident['next_update']}. Route customer questions to the status page."
        )
        now = [r.title for r in recs if r.key.startswith("rule:stabilise:")]
        first = (
            f"**Now:** {'; '.join(now)}. Other decisions in this brief wait until service is restored."
            if now
            else ""
        )
        return "\n\n".join(x for x in (opening, _burning(ctx), first) if x)
    money = _money(ctx, headline=_spend_jump(ctx) and _serious(ctx) is None)
    parts = (
        (_opening(ctx, recs), money, _budget(ctx))
        if _spend_jump(ctx)
        else (_opening(ctx, recs), _budget(ctx), money)
    )
    return "\n\n".join(x for x in (*parts, _decisions(ctx, recs)) if x)


def _burning(ctx: Context) -> str:
    """Incident mode: when each affected service runs out of error budget at the current burn."""
    detail = ctx.facts.summary.incident_mode_detail
    down = set(detail.components) if detail is not None else set()
    out = []
    for component in sorted(down, key=ctx.plain_name):
        slos = [s for s in ctx.facts.slos if s.component == component and reliability.is_burning(s)]
        slo = min(slos, key=lambda s: s.time_to_exhaustion_hours or float("inf"), default=None)
        if slo is None:
            continue
        burn, left = p.multiplier(slo.burn_rate["1h"]), slo.time_to_exhaustion_hours
        text = f"{ctx.name(component)} burns its **{slo.name}** error budget at {burn} the sustainable rate"
        out.append(text + (f" and exhausts it in {p.time_left(left)}" if left is not None else "") + ".")
    if out:
        out.append(
            "Once a budget is spent, the error-budget policy holds non-critical releases on that service."
        )
    return " ".join(out)


def _serious(ctx: Context) -> Incident | None:
    """The most serious incident of the period: a SEV1 before a SEV2 (as the verdict line lists them), then the
    most customer impact."""
    serious = [i for i in ctx.facts.incidents if i.impact_minutes and i.severity in ("SEV1", "SEV2")]
    return max(serious, key=lambda i: (i.severity == "SEV1", i.impact_minutes, i.id), default=None)


def _risk(ctx: Context, inc: Incident) -> str:
    business = ctx.facts.business
    impact = inc.business_impact
    amount = impact.amount if impact is not None else None
    if inc.impact_kind == "degraded" and not amount:
        return " (latency only: degraded, not charged as revenue at risk without a degraded rate)"
    if amount:
        source = business.assumptions_source or "source not stated"
        rate = reliability.rate_words(ctx, impact).strip().removeprefix("(").removesuffix(")")
        return f", putting {ctx.money(amount)} of revenue at risk ({rate + '; ' if rate else ''}assumption: {source})"
    if business.revenue_at_risk_total is None:
        return "; revenue at risk cannot be stated until the business assumption is configured"
    return ""


SPEND_JUMP = 0.10
"""A period-over-period spend rise at least this large leads the executive summary when nothing is worse."""


def _spend_jump(ctx: Context) -> bool:
    change = ctx.facts.cost.week_over_week
    return change is not None and change >= SPEND_JUMP


def _clear_win(ctx: Context, recs: tuple[Recommendation, ...]) -> bool:
    facts, rules = ctx.facts, [r for r in recs if r.origin == "rule"]
    budget = facts.summary.budget_remaining
    healthy = facts.summary.status == "Healthy"
    clear = facts.verdict.state == "clear"
    return healthy and clear and not facts.incidents and not rules and budget is not None and budget >= 0.5


def _opening(ctx: Context, recs: tuple[Recommendation, ...]) -> str:
    status = ctx.facts.summary.status or "Unknown"
    period = ctx.facts.period
    lead = (
        ctx.say.say("opening_open", "status", period=period, status=status, covered=ctx.covered)
        if ctx.in_progress
        else ctx.say.say("opening", "status", period=period, status=status)
    )
    impacted = [i for i in ctx.facts.incidents if i.impact_minutes]
    inc = _serious(ctx) or max(impacted, key=lambda i: (i.impact_minutes, i.id), default=None)
    if inc is None:
        if not reliability.incidents_covered(ctx):
            quiet = (
                f"No customer-facing incident is recorded, but the incident record does not cover the whole "
                f"{ctx.period} (observability gap)"
            )
            if _spend_jump(ctx):
                return f"{lead}. {quiet}. {p.sentence(sections.spend_change(ctx))}"
            return f"{lead}. {quiet}."
        if _spend_jump(ctx):
            return f"{lead}. There was no customer-facing incident, but {sections.spend_change(ctx)}."
        return f"{'✅ ' if _clear_win(ctx, recs) else ''}{lead}, with no customer-facing incident."
    where = p.join([ctx.name(c) for c in inc.components])
    title = str(inc.title or "").rstrip(".")
    text = (
        f"{lead}. The {ctx.period}'s most serious event was **{inc.id}** ({inc.severity}"
        + (f", “{title}”" if title else "")
        + f"), which affected customers on {where} for {p.duration_minutes(inc.impact_minutes)}{_risk(ctx, inc)}."
    )
    if len(impacted) > 1 and ctx.facts.incident_stats.impact_minutes_total:
        total = p.duration_minutes(ctx.facts.incident_stats.impact_minutes_total)
        text += f" All incidents together affected customers for {total}."
    lowest = ctx.facts.summary.budget_slo
    left = [
        slo
        for slo in ctx.facts.slos
        if slo.component in inc.components and slo.name != lowest and slo.sli == "availability"
        and slo.budget_remaining is not None and slo.budget_remaining >= 0
    ]  # fmt: skip
    # the tightest budget first; "After the incident" once
    for n, slo in enumerate(sorted(left, key=lambda s: (s.budget_remaining, s.name))):
        text += (
            f" {'After the incident, ' if n == 0 else ''}**{slo.name}** keeps {p.pct(slo.budget_remaining, 0)} "
            f"of its {reliability.window(slo)} error budget: {_margin(slo.budget_remaining)}."
        )
    return text


def _margin(remaining: float) -> str:
    if remaining >= 0.5:
        return "room to keep shipping at the current pace"
    if remaining >= reliability.LOW_BUDGET:
        return "enough for planned releases, with less margin than usual for a further incident"
    return "little margin, so releases there deserve extra care until the window rolls forward"


def _budget(ctx: Context) -> str:
    name = ctx.facts.summary.budget_slo
    slo = next((s for s in ctx.facts.slos if s.name == name), None)
    if slo is None:
        return "No customer-facing objective is configured, so reliability is not measured against a target."
    comp, window, remaining = ctx.name(slo.component), reliability.window(slo), slo.budget_remaining
    if remaining is None:
        return (
            f"The error budget of **{slo.name}** cannot be stated because its telemetry is incomplete: "
            f"reliability on {comp} is unmeasured, not assumed healthy, until that gap closes."
        )
    if remaining < 0:
        failures = "failed requests" if slo.sli == "availability" else "slow responses"
        text = (
            f"{comp} has exhausted its {window} error budget on **{slo.name}** (overspent by "
            f"{p.overspend(remaining)}): customers saw more {failures} than the objective allows, so the "
            "error-budget policy holds non-critical releases there until the budget recovers."
        )
        now = reliability.period_attainment(slo)[0]
        if now is not None and now >= slo.objective:
            text += (
                f" This {ctx.period} itself met the objective ({p.pct(now, 2)}): the overspend comes from earlier "
                "in the window and clears as those days roll out of it."
            )
        return text
    if reliability.is_burning(slo) and slo.time_to_exhaustion_hours is not None:
        words = {
            "burn": p.multiplier(slo.burn_rate["1h"]),
            "left": p.time_left(slo.time_to_exhaustion_hours),
        }
        return (
            f"{comp} has {p.pct(remaining, 0)} of its {window} error budget left and is "
            f"{ctx.say.say('burning', slo.name, **words)}. Once it is spent, the error-budget policy pauses "
            "non-critical releases there."
        )
    held = (  # a budget on part of its window is no margin to plan on yet
        f"error budget, measured on {reliability.covered(slo)}: a provisional figure until the days without "
        "data roll out of the window"
        if reliability.partial_window(slo)
        else f"{window} error budget: {_margin(remaining)}"
    )
    return (
        f"The tightest customer-facing objective, **{slo.name}** on {comp}, keeps {p.pct(remaining, 0)} of its "
        f"{held}."
    )


def _money(ctx: Context, headline: bool = False) -> str:
    """Spend (unless the opening already stated it), cost per successful task, budgets, answer quality."""
    c, out = ctx.facts.cost, []
    if c.total is not None and not headline:
        known = c.previous_total is not None and c.week_over_week is not None
        change = sections.change_words(c.week_over_week) if known else ""
        if change and c.change_basis == "daily_average":
            out.append(
                f"Spend averaged {ctx.money(c.daily_average)} a day this {ctx.period} to date, {change} on "
                f"{sections.baseline(ctx)}."
            )
        elif change:
            out.append(f"Spend was {ctx.money(c.total)}, {change} on {sections.baseline(ctx)}.")
        else:
            partial = sections.partial_baseline(ctx)
            out.append(f"Spend was {ctx.money(c.total)}" + (f"; {partial}." if partial else "."))
    before, cache = (
        c.previous_per_successful_task,
        c.cache.by_component if c.cache is not None else {},
    )
    costs = sections.customer_costs(ctx)
    moves = [
        (component, value, move == "up from")
        for component, value in costs
        if (move := sections.trend(value, before.get(component))) in ("up from", "down from")
    ]
    named = _largest_moves(moves, before)
    for component, value, up in moves:
        if component not in named:
            continue
        quality = sections.cost_quality_clause(ctx, component)
        margin = (
            f"each successful answer costs {'more' if up else 'less'} to serve, which "
            f"{'narrows' if up else 'widens'} margin"
        )
        row = sections.cost_quality_row(ctx, component)
        if quality and not up and row is not None and row.breaches:
            margin = "the saving comes with answers below the eval target, so it is not margin to bank"
        shown, was = p.unit_money_pair(value, before[component], ctx.currency)
        text = (
            f"Cost per successful task on {ctx.name(component)} {'rose' if up else 'fell'} to {shown} from {was}"
            f"{quality}: {margin}"
        )
        cached = cache.get(component)
        hit = cached.hit_rate if cached is not None else None
        overall = c.cache.hit_rate if c.cache is not None else None
        if up and hit is not None and overall is not None and hit <= overall - CACHE_BEHIND:
            text += (
                f". Its prompt cache served {p.pct(hit)} of input tokens this {ctx.period}, against "
                f"{p.pct(overall)} across the platform; uncached input is billed at the full input price"
            )
        out.append(text + ".")
    rest = [up for component, _, up in moves if component not in named]
    if rest:
        counts = [
            f"{word} on {ctx.remainder(n)}"
            for word, n in (("rose", sum(rest)), ("fell", len(rest) - sum(rest)))
            if n
        ]
        out.append(
            f"Cost per successful task also {p.join(counts)} other customer-facing "
            f"service{'' if len(rest) == 1 else 's'}; the unit economics table lists each."
        )
    compared = [c for c, _ in costs if before.get(c)]  # a previous period's value to compare with
    if compared and not any(t.startswith("Cost per successful task") for t in out):
        if len(compared) == len(costs):
            out.append("Cost per successful task held steady on every customer-facing service.")
        else:
            n = ctx.remainder(len(compared))
            out.append(
                f"Cost per successful task held steady on the {n} customer-facing "
                f"service{'' if n == 1 else 's'} with a previous {ctx.period} to compare."
            )
    out.append(sections.closed_month(ctx))  # the month just closed, before the projection of the one begun
    budgets = [b for b in c.budgets if b.projected_share is not None]
    unfunded = sections.unfunded_budgets(ctx)
    if budgets and all(b.projected_share <= 1 for b in budgets) and not unfunded:
        out.append(
            f"Every budgeted team is projected to finish {sections.projected_month(ctx)} within its budget."
        )
    out.append(sections.unfunded_sentence(ctx))
    out.append(sections.month_end(ctx))
    # a team over budget beside the month's projection, before quality turns the paragraph to another subject
    for b in c.budgets:
        if (b.projected_share or 0) > 1 and b.projected_month_end is not None:
            out.append(
                f"{p.team(b.team, capital=True)} is on course to end {sections.projected_month(ctx)} at {p.pct(b.projected_share)} of its budget "
                f"({ctx.money(b.projected_month_end)} against {ctx.money(b.monthly_budget)})."
            )
    rows = [r for r in ctx.facts.quality if r.met is not None]
    if rows and all(r.met for r in rows):
        out.append("Answer quality met its eval target on every evaluated service.")
    for row in ctx.facts.quality:
        if row.met is False and row.eval_pass_rate is not None:
            out.append(
                f"Answer quality on {ctx.name(row.component)} fell below target: "
                f"**{row.model_version or 'the current version'}** passed {p.pct(row.eval_pass_rate)} of "
                f"eval cases against {p.pct(row.target)}, so {p.pct(1 - row.eval_pass_rate)} of evaluated "
                "answers failed the rubric, a direct risk to customer trust."
            )
    for component, kind, rate, limit, met in sections.safety_rates(ctx):
        if met is False:  # a safety limit exceeded is a decision: the summary states it
            out.append(
                f"{kind.capitalize()} on {ctx.name(component)} ran at {p.pct(rate, 2)} {ctx.so_far}, "
                f"above its {p.pct(limit, 2)} safety limit."
            )
    return " ".join(t for t in out if t)


CACHE_BEHIND = 0.05
"""A rise in a service's cost per successful task is set beside its prompt cache only when its hit rate is
this far or more below the platform's: 40.1% against 40.0% explains nothing, 20.5% against 46.0% may."""

COST_MOVES_SHOWN = 3
"""At most this many customer-facing services' cost per successful task moves are written out in the summary
(the largest relative moves, in name order); the others are counted."""


def _largest_moves(moves: list[tuple[str, float, bool]], before: Mapping[str, float | None]) -> set[str]:
    """The components of the ``COST_MOVES_SHOWN`` largest relative moves (all of them when there are no more)."""
    if len(moves) <= COST_MOVES_SHOWN:
        return {component for component, _, _ in moves}

    def size(move: tuple[str, float, bool]) -> float:
        component, value, _ = move
        return abs(value / before[component] - 1)  # a move has a previous value (`sections.trend`)

    ranked = sorted(range(len(moves)), key=lambda i: (-size(moves[i]), i))
    return {moves[i][0] for i in ranked[:COST_MOVES_SHOWN]}


def _decisions(ctx: Context, recs: tuple[Recommendation, ...]) -> str:
    """The decisions asked of the reader: every recommendation's title, lower-cased unless it starts with a name."""
    if not recs:
        return f"No changes are proposed this {ctx.period}."
    names = tuple(ctx.names.values())
    titles = [
        t if t.startswith(names) or t[1:2].isupper() else t[:1].lower() + t[1:]
        for t in (title.rstrip(".") for title in dict.fromkeys(r.group or r.title for r in recs))
    ]
    return f"**Decisions needed:** {'; '.join(titles)}. Owners and dates are under Next Actions."
