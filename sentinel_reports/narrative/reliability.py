"""Reliability prose of the template narrator: error budgets, burn rates, page alerts and incidents.

``reliability(ctx)`` and ``incidents(ctx)`` return markdown prose without a heading. The SLO helpers here
(``budget_state``, ``is_burning``, ``window``...) are shared with the executive summary and the rules, so
an SLO is described in the same precision language everywhere: "burning error budget at 2.3x the
sustainable rate; at this rate the budget is exhausted in 5.0 days".
"""

from __future__ import annotations

from collections.abc import Callable

from ..analysis.facts_model import AlertState, BusinessImpact, Incident, IncidentStats, Slo
from . import phrasing as p
from .phrasing import Context

OBJECTIVE_DECIMALS = 3
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")


LOW_BUDGET = 0.25
"""Less error budget left than this is low: the brief's SLO table and tiles mark it at risk, and the summary
says there is little margin (one threshold, so the text and the tables agree)."""


def objective(value: float) -> str:
    """An objective with the decimals it needs: 0.995 -> "99.5%", 0.9995 -> "99.95%", 0.99 -> "99%"."""
    for precision in range(OBJECTIVE_DECIMALS + 1):
        shown = p.pct(value, precision)
        if abs(float(shown.rstrip("%").replace(",", "")) - value * 100) < 1e-9:
            return shown
    return p.pct(value, OBJECTIVE_DECIMALS)


def window(slo: Slo) -> str:
    """An SLO window as an adjective: "28-day"."""
    return f"{p.number(slo.window_days)}-day"


def partial_window(slo: Slo) -> bool:
    """The SLO's window has too little data to carry its budget (the facts' ``low_coverage_in_window``: the
    first weeks of a project, or a long blind spot): its budget is stated with the share of the window it
    rests on, as provisional until the days without data roll out of the window."""
    return (
        "low_coverage_in_window" in slo.flags
        and slo.coverage is not None
        and slo.budget_remaining is not None
    )


def covered(slo: Slo) -> str:
    """ "data for 25% of its 28-day window"."""
    return f"data for {p.pct(slo.coverage, 0)} of its {window(slo)} window"


def _partial_windows(ctx: Context, partial: list[Slo], stated: list[Slo]) -> str:
    """One paragraph for the budgets that rest on part of their window (the first weeks of a project): all
    alike in one sentence, else each with its share (the first PARTIAL_NAMED, the rest counted)."""
    n, shares = len(partial), {(p.pct(s.coverage, 0), window(s)) for s in partial}
    alike = len(shares) == 1

    def named(label: Callable[[Slo], str], rest: str) -> str:
        shown = [label(s) for s in partial[:PARTIAL_NAMED]]
        return p.join(shown + ([f"{ctx.remainder(n - PARTIAL_NAMED)} {rest}"] if n > PARTIAL_NAMED else []))

    if alike and n == 1:
        return f"**{partial[0].name}** has {covered(partial[0])}: its error budget is provisional until the days without data roll out of it."
    if alike:
        share, span = next(iter(shares))
        who = (
            f"All {n} error budgets"
            if n == len(stated)
            else f"The error budgets of {named(lambda s: f'**{s.name}**', 'more SLOs')}"
        )
        return f"{who} rest on data for {share} of their {span} window: each is provisional until the days without data roll out of it."
    return (
        f"These error budgets rest on part of their window: {named(lambda s: f'**{s.name}** ({covered(s)})', 'more')}. "
        "Each is provisional until the days without data roll out of its window."
    )


def is_burning(slo: Slo) -> bool:
    """The last hour burned budget faster than sustainable, by enough to show (above "1.0x")."""
    burn = slo.burn_rate.get("1h")
    return burn is not None and burn > 1 and p.multiplier(burn) != "1.0x"


def active_alerts(slo: Slo, severity: str) -> list[AlertState]:
    return [a for a in slo.alerts if a.severity == severity and a.active]


def period_attainment(slo: Slo) -> tuple[float | None, float | None]:
    return slo.period_attainment, slo.previous_period_attainment


def budget_state(ctx: Context, slo: Slo) -> str:
    """ "41% of its error budget remaining, burning ..." or "its error budget is exhausted, overspent by 12%"."""
    remaining, name = slo.budget_remaining, slo.name
    if remaining is None:
        return "an error budget that cannot be stated (observability gap)"
    if remaining < 0:
        return ctx.say.say("overspent", name, over=p.overspend(remaining))
    state = f"{p.pct(remaining, 0)} of its error budget remaining"
    burn, left = slo.burn_rate.get("1h"), slo.time_to_exhaustion_hours
    if is_burning(slo) and left is not None:
        return f"{state}, {ctx.say.say('burning', name, burn=p.multiplier(burn), left=p.time_left(left))}"
    if is_burning(slo):
        return f"{state}, {ctx.say.say('burning_no_end', name, burn=p.multiplier(burn))}"
    return state


def slo_paragraph(ctx: Context, slo: Slo) -> str:
    """Everything worth saying about one SLO: budget, burn, page alerts, the period's trend, the policy."""
    label, span = f"**{slo.name}** on {ctx.name(slo.component)}", p.days(slo.window_days)
    if slo.attainment is None:
        return f"{label} has no data in its {span} window, so its error budget cannot be stated (observability gap)."
    target, overspent = (
        f"objective {objective(slo.objective)} over {span}",
        (slo.budget_remaining or 0) < 0,
    )
    out = [f"{label} ({target}){':' if overspent else ' has'} {budget_state(ctx, slo)}."]
    pages = [
        f"the {a.long} window at {p.multiplier(a.long_burn)} with the {a.short} window at "
        f"{p.multiplier(a.short_burn)} (threshold {p.multiplier(a.threshold)})"
        for a in active_alerts(slo, "page")
    ]
    if pages:
        out.append(f"🚨 **Page** alert{'s' if len(pages) > 1 else ''} active: {p.join(pages)}.")
    now, before = period_attainment(slo)
    sli = "Availability" if slo.sli == "availability" else f"{str(slo.sli or 'SLO').capitalize()} attainment"
    if now is not None and before is not None:
        words = {"label": sli, "now": p.pct(now, 2), "before": p.pct(before, 2), "period": ctx.period}
        same = words["now"] == words["before"]  # as shown: "99.94%, against 99.94%" reads as a change
        out.append(
            p.sentence(ctx.say.say("week_attainment_same" if same else "week_attainment", slo.name, **words))
        )
    if overspent and now is not None and now >= slo.objective:
        out.append(
            f"The overspend dates from earlier in the {window(slo)} window and clears as those days roll out of it."
        )
    elif slo.sli == "availability" and now is not None and slo.error_budget is not None:
        words = {"failed": p.pct(1 - now, 2), "allowed": p.pct(slo.error_budget, 2), "period": ctx.period}
        out.append(p.sentence(ctx.say.say("failed_share", slo.name, **words)))
    if overspent:
        owner = p.team(ctx.owner(slo.component))
        out.append(ctx.say.say("policy", slo.name, component=ctx.name(slo.component), owner=owner))
    return " ".join(out)


def notable(slo: Slo) -> bool:
    remaining = slo.budget_remaining
    return remaining is None or remaining < 0 or is_burning(slo) or bool(active_alerts(slo, "page"))


def fired_alerts(ctx: Context, slos: list[Slo]) -> str:
    """The page alerts that fired during the period, even when they had cleared by its end."""
    items = []
    for slo in slos:
        episodes = [e for e in slo.alerts_fired if e.severity == "page"]
        if not episodes:
            continue
        first = min(e.started_at for e in episodes)
        ends = [e.ended_at for e in episodes]
        peak = max(episodes, key=lambda e: e.peak_long_burn)
        until = "still active at the end of the period" if None in ends else f"to {p.timestamp(max(ends))}"
        items.append(
            f"**{slo.name}** from {p.timestamp(first)} {until}, peaking at "
            f"{p.multiplier(peak.peak_long_burn)} the sustainable rate over {peak.long}"
        )
    if not items:
        return ""
    noun = "alert" if len(items) == 1 else "alerts"
    return f"🚨 Page {noun} fired during {ctx.facts.period}: " + "; ".join(items) + "."


QUIET_LISTED = 12
"""Up to this many objectives within budget are listed by name; more are counted, with the three of least
margin named (the SLO table lists every one)."""
PARTIAL_NAMED = 3
"""Budgets resting on part of their window named in the reliability section; the rest are counted."""


def _overspent_elsewhere(ctx: Context, slos: list[Slo]) -> str:
    """The overspent SLOs without a paragraph of their own (internal ones), worst first: the error-budget
    policy applies to their services too."""
    worst = sorted(slos, key=lambda s: (s.budget_remaining, s.name))
    items = [_overspent_item(ctx, s) for s in worst]
    if len(slos) == 1:
        slo, name = slos[0], ctx.plain_name(slos[0].component)
        return (
            f"**{slo.name}** on {name}, an internal objective, is overspent for its {window(slo)} window by "
            f"{p.overspend(slo.budget_remaining or 0)}; the error-budget policy holds non-critical releases on "
            f"{name} too."
        )
    return (
        f"{ctx.remainder(len(slos))} internal objectives are overspent for their window: "
        f"{ctx.some(items, 'objective', 3)}. The error-budget policy holds non-critical releases on those "
        "services too; the SLO table lists each."
    )


def _overspent_item(ctx: Context, slo: Slo, more: str = "") -> str:
    """ "**svc-22-latency** on Service 22 (overspent by 495%<more>)"."""
    return f"**{slo.name}** on {ctx.plain_name(slo.component)} (overspent by {p.overspend(slo.budget_remaining or 0)}{more})"


OVERSPENT_IN_FULL = 3
"""Up to this many overspent customer-facing objectives (besides the one of least budget and any with a page
alert) get a paragraph each; when there are more, the worst ``OVERSPENT_IN_FULL - 1`` keep theirs and the others
share one paragraph naming each, worst first, so a week of many exhausted budgets reads as one story and not as
the same paragraph again and again."""


def _overspent_together(ctx: Context, slos: list[Slo]) -> str:
    """One paragraph for many overspent customer-facing objectives: each with its overspend and its period's
    attainment (the SLO table has the period before), and the services whose releases the policy holds."""
    items = [
        _overspent_item(
            ctx,
            s,
            "" if s.period_attainment is None else f", {p.pct(s.period_attainment, 2)} this {ctx.period}",
        )
        for s in slos
    ]
    services = list(dict.fromkeys(ctx.plain_name(s.component) for s in slos))
    return (
        f"{ctx.remainder(len(slos))} more customer-facing objectives have exhausted their error budget: "
        f"{p.join(items)}. The error-budget policy holds non-critical releases on {p.join(services)} until "
        "their budgets recover; P0 and security fixes continue while the owning teams restore margin."
    )


def reliability(ctx: Context) -> str:
    facts = ctx.facts
    slos = sorted(facts.slos, key=lambda s: (not s.customer_facing, s.name))
    lowest = next((s for s in slos if s.name == facts.summary.budget_slo), None)
    shown = [s for s in slos if s is lowest or (notable(s) and s.customer_facing)]
    shown.sort(key=lambda s: (not active_alerts(s, "page"), s is not lowest))
    together = sorted(
        (
            s
            for s in shown
            if s is not lowest and (s.budget_remaining or 0) < 0 and not active_alerts(s, "page")
        ),
        key=lambda s: (s.budget_remaining, s.name),
    )
    together = together[OVERSPENT_IN_FULL - 1 :] if len(together) > OVERSPENT_IN_FULL else []
    paragraphs = [slo_paragraph(ctx, s) for s in shown if s not in together]
    if together:
        paragraphs.append(_overspent_together(ctx, together))
    fired = fired_alerts(ctx, slos)
    if fired:
        paragraphs.insert(0, fired)
    overspent = [s for s in slos if s not in shown and (s.budget_remaining or 0) < 0]
    if overspent:
        paragraphs.append(_overspent_elsewhere(ctx, overspent))
    quiet = [s for s in slos if s not in shown and s.budget_remaining is not None and s.budget_remaining >= 0]
    if len(quiet) > QUIET_LISTED:
        least = sorted(quiet, key=lambda s: (s.budget_remaining, s.name))[:3]
        items = [f"**{s.name}** ({p.pct(s.budget_remaining, 0)} remaining)" for s in least]
        paragraphs.append(
            f"The other {ctx.remainder(len(quiet))} objectives are within budget; the least margin is on "
            f"{p.join(items)}. The SLO table lists every one."
        )
    elif quiet:
        items = [f"**{s.name}** ({p.pct(s.budget_remaining, 0)} remaining)" for s in quiet]
        paragraphs.append(ctx.say.say("healthy_slos", "quiet", items=p.join(items)))
    partial = sorted((s for s in slos if partial_window(s)), key=lambda s: (s.coverage, s.name))
    if partial:
        paragraphs.append(_partial_windows(ctx, partial, [s for s in slos if s.budget_remaining is not None]))
    dark = [c for c in facts.components if c.status == "no_data"]
    if dark:
        verb = "reports" if len(dark) == 1 else "report"
        paragraphs.append(
            f"{p.join([ctx.name(c.id) for c in dark])} {verb} too little telemetry to classify at the end "
            f"of the {ctx.period}: the status is unknown, not healthy (observability gap)."
        )
    for m in facts.maintenance:
        if m.status in ("scheduled", "in_progress"):
            where, starts, ends = (
                p.join([ctx.name(c) for c in m.components]),
                p.timestamp(m.starts),
                p.timestamp(m.ends),
            )
            ends = ends[11:] if ends[:10] == starts[:10] else ends
            paragraphs.append(
                f"Maintenance {m.status.replace('_', ' ')}: {m.title} on {where}, {starts[:-4]} to {ends}."
            )
    if not paragraphs:
        return "No service level objectives are configured, so reliability cannot be stated against a target."
    return "\n\n".join(paragraphs)


def is_open(ctx: Context, inc: Incident) -> bool:
    """Unresolved at as-of (an export can carry a resolution time later than as-of)."""
    return inc.resolved_at is None or inc.resolved_at > ctx.facts.as_of


def _incident_line(ctx: Context, inc: Incident) -> str:
    where = p.join([ctx.name(c) for c in inc.components])
    parts = [f"- **{inc.id}** · {inc.severity} · {where}: {inc.title.rstrip('.')}."]
    if inc.impact_minutes:
        parts.append(f"{p.duration_minutes(inc.impact_minutes)} of customer impact this {ctx.period}.")
    timing = []
    if inc.mtta_minutes is not None:
        timing.append(f"acknowledged in {p.duration_minutes(inc.mtta_minutes)}")
    if is_open(ctx, inc):
        timing.append("still open")
    elif inc.time_to_resolve_minutes is not None:
        timing.append(f"resolved in {p.duration_minutes(inc.time_to_resolve_minutes)}")
    if timing:
        parts.append(p.sentence(p.join(timing)))
    impact = inc.business_impact
    if inc.impact_kind == "degraded":
        parts.append(degraded_words(ctx, inc))
    elif impact is not None and impact.amount:
        parts.append(f"Revenue at risk: {ctx.money(impact.amount)}{rate_words(ctx, impact)}.")
    pm = inc.postmortem
    if pm:
        parts.append(f"Postmortem: {pm.status.replace('_', ' ')}.")
    elif inc.severity in ("SEV1", "SEV2"):
        parts.append("Postmortem: not yet written.")
    return " ".join(parts)


def _overdue_elsewhere(stats: IncidentStats) -> list[str]:
    """The overdue postmortem action items of earlier incidents: they stay on every brief until done."""
    total, own = stats.overdue_action_items_all or 0, stats.overdue_action_items or 0
    if total <= own:
        return []
    verb = "is" if total == 1 else "are"
    return [f"Across all postmortems, {p.plural(total, 'action item')} {verb} overdue (see Next Actions)."]


def incidents(ctx: Context) -> str:
    stats, items = ctx.facts.incident_stats, ctx.facts.incidents
    if not items:
        quiet = ctx.say.say("no_incidents", "none", period=ctx.period)
        if not incidents_covered(ctx):
            quiet = (
                f"No incident is recorded this {ctx.period}, but the incident record does not cover the whole "
                f"{ctx.period}, so a quiet {ctx.period} cannot be confirmed (see Observability gaps)."
            )
        return " ".join([quiet, *_overdue_elsewhere(stats)])
    by_sev, count = stats.count_by_severity, stats.count
    if count == 1 and by_sev.get(items[0].severity) == 1:
        head = f"1 {items[0].severity} incident this {ctx.period}"
    else:
        mix = p.join([f"{by_sev[s]} {s}" for s in SEVERITIES if by_sev.get(s)])
        head = f"{p.plural(count, 'incident')} this {ctx.period}" + (f" ({mix})" if mix else "")
    if stats.impact_minutes_total:
        head += f", with {p.duration_minutes(stats.impact_minutes_total)} of customer impact in total"
    out, business = [head + "."], ctx.facts.business
    degraded = business.degraded_minutes or 0
    if business.revenue_at_risk_total:
        source = business.assumptions_source or "assumption source not stated"
        out.append(f"Revenue at risk: {ctx.money(business.revenue_at_risk_total)} (assumption: {source}).")
        if degraded and business.degraded_revenue_at_risk is None:
            out.append(
                f"It leaves out {round(degraded):,} min of latency-only (degraded) impact, which is not charged "
                "without a degraded revenue-at-risk rate."
            )
    elif degraded and business.revenue_at_risk_total is not None:
        out.append(
            f"No outage put revenue at risk; {round(degraded):,} min of impact were latency only (degraded) and "
            "are not charged without a degraded revenue-at-risk rate."
        )
    elif stats.impact_minutes_total:
        out.append("Revenue at risk cannot be stated: a business assumption is missing (observability gap).")
    means = []
    if count > 1 and stats.mtta_minutes_mean is not None:
        means.append(f"mean time to acknowledge {p.duration_minutes(stats.mtta_minutes_mean)}")
    if count > 1 and stats.time_to_resolve_minutes_mean is not None:
        means.append(
            f"mean time to resolve (created to resolved) {p.duration_minutes(stats.time_to_resolve_minutes_mean)}"
        )
    if means:
        out.append(p.sentence(p.join(means)))
    if stats.overdue_action_items:
        n = stats.overdue_action_items
        out.append(
            f"{p.plural(n, 'postmortem action item')} {'is' if n == 1 else 'are'} overdue (see Next Actions)."
        )
    out += _overdue_elsewhere(stats)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    ranked = sorted(items, key=lambda i: (order.get(i.severity, 9), i.started_at, i.id))
    return " ".join(out) + "\n\n" + "\n".join(_incident_line(ctx, i) for i in ranked)


def incidents_covered(ctx: Context) -> bool:
    """Whether the incident record covers the period, so "no incident" may be said (analysis/verdict.py)."""
    return ctx.facts.verdict.claims.incidents_covered


def rate_words(ctx: Context, impact: BusinessImpact) -> str:
    """ " (181 min × $180 a minute)": the customer-impact minutes and the per-minute rate behind an amount
    (the sum of the rates of every component the incident lists); "" when the facts lack them."""
    minutes, rate = impact.impact_minutes, impact.rate_per_minute
    if minutes is None or rate is None:
        return ""
    return f" ({round(minutes):,} min × {ctx.money(rate)} a minute)"


def degraded_words(ctx: Context, inc: Incident) -> str:
    """The money line of a latency-only (degraded) incident: charged at the degraded rate when one is
    configured, else its minutes and no money (never the outage rate)."""
    impact = inc.business_impact
    if impact is not None and impact.amount:
        return (
            f"Latency only (degraded); revenue at risk: {ctx.money(impact.amount)}"
            f"{rate_words(ctx, impact)} at the degraded rate."
        )
    return (
        f"Latency only (degraded): {round(inc.impact_minutes or 0):,} min, not charged at the outage rate; "
        "no degraded revenue-at-risk rate is configured."
    )
