"""Per-section prose of the template narrator: cost, quality and observability gaps.

Reliability and incidents live in ``narrative.reliability``.

Each function takes a ``phrasing.Context`` and returns markdown prose without a heading (the page builders
add headings). Every figure comes from the facts, formatted by ``phrasing``; a missing value is written as
an observability gap, never as zero.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from typing import Any

from ..analysis.facts_model import CostQuality, Gap, MonthEnd, SeverityCriterion
from . import phrasing as p
from .phrasing import Context


def change_words(change: float | None) -> str:
    """ "down 12.0%", "up 3.4%" or "level"."""
    if change is None or p.pct(abs(change), 1) == "0.0%":
        return "level"
    return f"{'up' if change > 0 else 'down'} {p.pct(abs(change), 1)}"


def trend(now: float, before: float | None) -> str:
    """How a cost moved: "up from" / "down from" (beyond 5%) or "level with"; "" without a comparison."""
    if not before:
        return ""
    if now > before * 1.05:
        return "up from"
    return "down from" if now < before * 0.95 else "level with"


def customer_costs(ctx: Context) -> list[tuple[str, float]]:
    """(component, cost per successful task) for the customer-facing components that have one."""
    facing = {c.id for c in ctx.facts.components if c.customer_facing}
    values = ctx.facts.cost.per_successful_task.items()
    return sorted(
        ((k, v) for k, v in values if v is not None and k in facing), key=lambda kv: ctx.plain_name(kv[0])
    )


def cost_quality_row(ctx: Context, component: str) -> CostQuality | None:
    """The facts' `cost_quality` row of `component` (None when answer quality is not known for it)."""
    return next((r for r in ctx.facts.cost_quality if r.component == component), None)


def cost_quality_clause(ctx: Context, component: str) -> str:
    """What answer quality did while the cost per successful task moved, for the same sentence as the move:
    " in a week when gpt-5-mini went into service and passed 88.8% of eval cases, below its 90.0% eval target",
    " in a week when its model
    version changed (gpt-5-mini, which failed its eval target the previous week, left service)"; "" when the
    row is not flagged (analysis/quality.py `cost_quality`)."""
    row = cost_quality_row(ctx, component)
    if row is None or not row.flagged:
        return ""
    target = row.target
    parts = []
    if row.breaches:
        new = set(row.new_versions)
        passed = [
            f"{b.model_version}{' went into service and' if b.model_version in new else ''} passed "
            f"{p.pct(b.eval_pass_rate)} of eval cases"
            for b in row.breaches
        ]
        target_words = f"its {p.pct(target)} eval target" if target is not None else "its eval target"
        parts.append(f"{p.join(passed)}, below {target_words}")
    elif row.model_changed:
        failed_before = {b.model_version for b in row.previous_breaches}
        changes = [f"{v} went into service" for v in row.new_versions]
        changes += [
            f"{v}{', which failed its eval target the previous ' + ctx.period + ',' if v in failed_before else ''} "
            "left service"
            for v in row.dropped_versions
        ]
        parts.append(f"its model version changed ({p.join(changes)})")
    return f" in a {ctx.period} when {p.join(parts)}" if parts else ""


def baseline(ctx: Context) -> str:
    """The period a change is stated against, by name: "week 2026-W46", "2026-Q3"."""
    label = ctx.facts.comparison.label or ctx.facts.previous_period
    if not label:
        return f"the previous {ctx.period}"
    return f"week {label}" if ctx.period == "week" else str(label)


def partial_baseline(ctx: Context) -> str:
    """ "2026-Q2 has data on 30 of 91 days, so no change on it is stated" when the baseline is partial."""
    comp = ctx.facts.comparison
    if not ctx.facts.previous_period or comp.complete:
        return ""
    return (
        f"{comp.label} has data on {comp.days_with_data} of its {comp.days} days, so no change on it "
        "is stated"
    )


def spend_change(ctx: Context) -> str:
    """ "spend rose 5.0% to $X, against $Y in week 2026-W46"; per day for a period to date."""
    c = ctx.facts.cost
    change = c.week_over_week
    verb = "rose" if change >= 0 else "fell"
    if c.change_basis == "daily_average":
        return (
            f"spend {verb} {p.pct(abs(change))} a day to {ctx.money(c.daily_average)} a day, against "
            f"{ctx.money(c.previous_daily_average)} a day in {baseline(ctx)}"
        )
    return (
        f"spend {verb} {p.pct(abs(change))} to {ctx.money(c.total)}, against "
        f"{ctx.money(c.previous_total)} in {baseline(ctx)}"
    )


def unfunded_budgets(ctx: Context) -> list[str]:
    """Budget teams with no spend in the period (their budget position cannot be stated)."""
    return list(ctx.facts.cost.team_checks.budget_without_spend)


def _month_name(month: str) -> str:
    """ "2026-11" -> "November 2026"."""
    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"


def projected_month(ctx: Context) -> str:
    """How a projection names its month: "the month", or "November 2026" beside a month the period closed
    (two months in one paragraph; "the month" would read as the one just closed)."""
    m, closed = ctx.facts.cost.month_end, ctx.facts.cost.closed_month
    if m is not None and closed is not None and closed.complete:
        return _month_name(m.month)
    return "the month"


EARLY_MONTH_DAYS = 7
"""A month-end projection from fewer days of the month than this rests on too few days to carry a month (a
weekend, a charge booked on the 1st): the brief says how many days it rests on, next to the figure."""


def early_days(m: MonthEnd | None) -> str:
    """ "2 days" (or "day") when a month-end projection rests on fewer than EARLY_MONTH_DAYS days of the
    month, else ""."""
    if m is None or m.elapsed_days is None or m.elapsed_days >= EARLY_MONTH_DAYS:
        return ""
    return p.days(m.elapsed_days) if m.elapsed_days > 1 else "day"


def safety_rates(ctx: Context) -> Iterator[tuple[str, str, float, float, bool | None]]:
    """(component, kind, rate, limit, met) of each component's hallucination and toxicity rate that has a
    limit, once: the rates are per component, the same on each of its quality rows (read from the first row
    that has them)."""
    seen: set[tuple[str, str]] = set()
    for row in ctx.facts.quality:
        for kind in ("hallucination", "toxicity"):
            rate, limit = getattr(row, f"{kind}_rate"), getattr(row, f"{kind}_max")
            if rate is not None and limit is not None and (row.component, kind) not in seen:
                seen.add((row.component, kind))
                yield row.component, kind, rate, limit, getattr(row, f"{kind}_met")


def closed_month(ctx: Context) -> str:
    """The budget month that ended inside the period, whole: budgeted spend against the budgets and each team
    over its budget. Said only for a complete month (rows on its first and last day)."""
    m = ctx.facts.cost.closed_month
    if m is None or not m.complete:
        return ""
    text = (
        f"{_month_name(m.month)} closed at {ctx.money(m.spend)} of spend: {ctx.money(m.budgeted_spend)} for "
        f"budgeted teams against {ctx.money(m.budget_total)} budgeted"
    )
    if m.budgeted_share is not None:
        text += f" ({p.pct(m.budgeted_share)})"
    over = [t for t in m.teams if t.share is not None and t.share > 1]
    if not over:
        return text + "; every budgeted team closed within its budget."
    each = [
        f"{p.team(t.team)} at {p.pct(t.share)} ({ctx.money(t.spend)} against {ctx.money(t.monthly_budget)})"
        for t in sorted(over, key=lambda t: (-(t.share or 0), t.team))
    ]
    return text + f"; over budget: {p.join(each)}."


def month_end(ctx: Context) -> str:
    """The month-end projection of all spend: the budgeted teams against the budgeted total, and the rest."""
    m = ctx.facts.cost.month_end
    if m is None or m.projected_month_end is None or m.budgeted_projected is None:
        return ""
    first = early_days(m)
    early = f", from its first {first} only" if first else ""  # an early projection says so
    text = (
        f"All spend is projected at {ctx.money(m.projected_month_end)} for {_month_name(m.month)}{early}: "
        f"{ctx.money(m.budgeted_projected)} for budgeted teams against {ctx.money(m.budget_total)} "
        f"budgeted"
    )
    if m.budgeted_share is not None:
        text += f" ({p.pct(m.budgeted_share)})"
    if m.unbudgeted_projected and m.unbudgeted_share is not None:
        text += f", and {ctx.money(m.unbudgeted_projected)} ({p.pct(m.unbudgeted_share)}) with no budget"
    return text + "."


def unfunded_sentence(ctx: Context) -> str:
    """Budget teams without spend, said as such (never as 0% of budget)."""
    teams = unfunded_budgets(ctx)
    if not teams:
        return ""
    names = p.join([f"**{t}**" for t in teams])
    verb = "has a budget" if len(teams) == 1 else "have budgets"
    return (
        f"{names} {verb} but no spend attributed this {ctx.period}: no component they own has cost rows and "
        "no team tag names them, so their budget position cannot be stated (observability gap)."
    )


def cost(ctx: Context) -> str:
    c, period = ctx.facts.cost, ctx.period
    if c.total is None:
        return f"Spend for this {period} cannot be stated: no billing data covers it (observability gap)."
    total, out = ctx.money(c.total), []
    if c.previous_total is not None and c.week_over_week is not None:
        change, previous = change_words(c.week_over_week), ctx.money(c.previous_total)
        if c.change_basis == "daily_average":
            out.append(
                f"Spend this {period} to date was {total} over {c.days} days, "
                f"{ctx.money(c.daily_average)} a day: {change} on {baseline(ctx)}, which averaged "
                f"{ctx.money(c.previous_daily_average)} a day over its {c.previous_days} days."
            )
        else:
            out.append(
                ctx.say.say(
                    "spend", "total", total=total, previous=previous, change=change, period=period,
                    baseline=baseline(ctx),
                )
            )  # fmt: skip
    else:
        out.append(ctx.say.say("spend_flat", "total", total=total, period=period))
        if partial_baseline(ctx):
            out.append(p.sentence(partial_baseline(ctx)))
    top = sorted(c.by_component.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    if top:
        out.append(f"The largest shares: {p.join([f'{ctx.name(k)} {ctx.money(v)}' for k, v in top])}.")
    before, items = c.previous_per_successful_task, []
    for component, value in customer_costs(ctx):
        move = trend(value, before.get(component))
        if move in ("up from", "down from"):
            shown, was = p.unit_money_pair(value, before[component], ctx.currency)
            clause = cost_quality_clause(ctx, component)
            items.append(f"{ctx.name(component)} {shown} ({move} {was}{',' + clause if clause else ''})")
        else:
            items.append(f"{ctx.name(component)} {p.unit_money(value, ctx.currency)}")
    if items:
        out.append(f"Cost per successful task on customer-facing services: {p.join(items)}.")
    cache = c.cache
    if cache is not None and cache.hit_rate is not None and cache.saving is not None:
        words = {
            "hit": p.pct(cache.hit_rate),
            "saving": ctx.money(cache.saving),
            "source": cache.price_source or "source not stated",
        }
        out.append(ctx.say.say("cache", "cache", **words))
    if c.unattributed and c.unattributed_share is not None:
        out.append(
            ctx.say.say(
                "unattributed",
                "unattributed",
                amount=ctx.money(c.unattributed),
                share=p.pct(c.unattributed_share),
            )
        )
    out.append(closed_month(ctx))  # the month just closed, before the projection of the one begun
    budgets = [b for b in c.budgets if b.projected_month_end is not None and b.projected_share is not None]
    for b in (b for b in budgets if b.projected_share > 1):
        out.append(
            f"🚨 {p.team(b.team, capital=True)} is projected to close {projected_month(ctx)} at {ctx.money(b.projected_month_end)} against its "
            f"{ctx.money(b.monthly_budget)} budget ({p.pct(b.projected_share)})."
        )
    unfunded = unfunded_budgets(ctx)
    within = [
        f"**{b.team}** {p.pct(b.projected_share)}"
        for b in budgets
        if b.projected_share <= 1 and b.team not in unfunded
    ]
    if within:
        when = "month-end" if projected_month(ctx) == "the month" else f"the end of {projected_month(ctx)}"
        out.append(f"Projected within budget at {when} (share of budget): {p.join(within)}.")
    out.append(unfunded_sentence(ctx))
    out.append(month_end(ctx))
    return " ".join(t for t in out if t)


def quality(ctx: Context) -> str:
    rows = [r for r in ctx.facts.quality if r.eval_pass_rate is not None and r.target is not None]
    out, met = [], []
    for row in rows:
        version = f"**{row.model_version or 'all versions'}**"
        if row.met:
            met.append(
                f"{ctx.name(row.component)} {p.pct(row.eval_pass_rate)} on {version} (target {p.pct(row.target)})"
            )
            continue
        words = {
            "component": ctx.name(row.component), "version": version, "rate": p.pct(row.eval_pass_rate),
            "cases": p.number(row.cases), "target": p.pct(row.target), "failed": p.pct(1 - row.eval_pass_rate),
        }  # fmt: skip
        text = ctx.say.say("eval_below", f"{row.component}:{row.model_version}", **words)
        if (row.accuracy_budget_remaining or 0) < 0:
            text += f"; its accuracy budget is overspent by {p.overspend(row.accuracy_budget_remaining)}"
        out.append("🚨 " + p.sentence(text))
    if met:
        out.append(f"Eval pass rates at or above target: {p.join(met)}.")
    within, above, spiked = [], [], []
    for component, kind, rate, limit, met in safety_rates(ctx):
        episodes = _severity_episodes(ctx, component, f"{kind}_rate")
        if met and episodes:
            spiked.append(_spike(ctx, kind, component, rate, limit, episodes))
        else:
            text = f"{kind} {p.pct(rate, 2)} on {ctx.name(component)} (limit {p.pct(limit, 2)})"
            (within if met else above).append(text)
    out += [f"🚨 Safety limit exceeded: {t}." for t in above]
    out += spiked
    if within:
        out.append(f"Safety rates within limits: {p.join(within)}.")
    if not out:
        return f"No eval or safety results cover this {ctx.period}, so answer quality cannot be stated (observability gap)."
    return " ".join(out)


def _severity_episodes(ctx: Context, component: str, signal: str) -> list[SeverityCriterion]:
    return [
        e for e in ctx.facts.ai_incidents.severity_criteria if e.component == component and e.signal == signal
    ]


def _spike(
    ctx: Context, kind: str, component: str, rate: float, limit: float, episodes: list[SeverityCriterion]
) -> str:
    """A safety rate whose period average is inside its limit while an episode met a severity definition:
    the average must not read as "within limits" beside the episode (a 6-hour spike to 14 times the limit
    averages out over a week)."""
    worst = max(episodes, key=lambda e: (e.peak, e.minutes))
    covered = (
        f"{p.join(list(worst.incidents))} cover{'s' if len(worst.incidents) == 1 else ''} it"
        if worst.incidents
        else "no incident is on record for it"
    )
    more = (
        "; other episodes also met a severity definition (see AI severity criteria met)"
        if len(episodes) > 1
        else ""
    )
    return (
        f"{kind.capitalize()} on {ctx.name(component)} averaged {p.pct(rate, 2)} {ctx.so_far}, inside its "
        f"{p.pct(limit, 2)} limit, but stayed above {p.pct(worst.limit, 2)} for {p.duration_minutes(worst.minutes)} "
        f"from {p.timestamp(worst.start)} (peak {p.pct(worst.peak, 2)}), which meets the {worst.severity} "
        f"definition; {covered}{more}."
    )


def gap_sentence(gap: Gap) -> str:
    """The SPEC gap sentence (the facts carry it; it is rebuilt from the parts when absent)."""
    return gap.sentence or (
        f"Current observability gap: {gap.specific}. This limits our ability to {gap.limits}. "
        f"Recommended instrumentation: {gap.instrumentation} with priority {gap.priority}."
    )


def gaps(ctx: Context) -> str:
    items = ctx.facts.gaps
    if not items:
        return (
            f"✅ No observability gaps this {ctx.period}: every expected signal reported, every cost was "
            "attributed and every business assumption is stated."
        )
    ordered = sorted(items, key=lambda g: (g.priority or "P9", g.component or "", g.specific))
    shaped = [(g, _gap_shape(g)) for g in ordered]
    groups: dict[tuple[Any, ...], list[Gap]] = {}
    for g, shape in shaped:
        groups.setdefault(shape, []).append(g)
    lines = []
    for g, shape in shaped:
        group = groups[shape]
        if len(group) < GAPS_TOGETHER:
            lines.append(f"- {gap_sentence(g)}")
        elif g is group[0]:
            rest = group[1:]
            names = p.join([ctx.plain_name(x.component) for x in rest])
            lines.append(f"- {gap_sentence(g)}")
            lines.append(f"- The same gap on {ctx.remainder(len(rest))} more components: {names}.")
    return "\n".join(lines)


GAPS_TOGETHER = 3
"""A gap that is the same on this many components or more (its sentence the same but for the component, at
the same priority and times) is written once, followed by "The same gap on N more components: …" naming
the others: at scale, 30 identical sentences were the section. The gaps table lists each."""


def _gap_shape(gap: Gap) -> tuple[Any, ...]:
    """What a gap says with its component left out; a gap about no component is its own shape."""
    if not gap.component:
        return (id(gap),)
    component = gap.component

    def masked(text: str) -> str:
        return text.replace(component, "\0")

    return (gap.priority, gap.kind, gap.signal, gap.limits, masked(gap.specific), masked(gap.instrumentation),
            gap.start, gap.end)  # fmt: skip
