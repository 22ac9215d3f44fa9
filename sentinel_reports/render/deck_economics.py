"""The money slides of the deck: what incidents cost, AI spend and unit economics, ranked investments.

    incident_cost_slide(facts, derived), spend_slide(facts, derived), investments_slide(facts, derived)

Definitions (SPEC section 7, docs/facts.md): revenue at risk = customer-impact minutes x revenue at risk per
minute of each affected component (``business.assumptions_source`` names the assumption); cost per successful task = attributed spend / successful
requests; the cache saving is what the cached input tokens would have cost at the configured list prices;
unattributed spend has no component or team tag. Investments come from ``content/investments/`` through
``facts.investments`` (already ranked by ROI): roi = (net benefit over a year − cost) / cost, payback =
cost / monthly net benefit, where net benefit = expected benefit − running cost.
"""

from __future__ import annotations

from decimal import Decimal

from ..analysis.business import REVENUE_LIMITS
from ..analysis.derived import DECK_INCIDENT_ROWS
from ..analysis.facts_model import (
    DerivedCase,
    DoNothing,
    Incident,
    Investment,
    Options,
    PeriodFacts,
    QuarterFacts,
    Risk,
    Sensitivity,
)
from ..display import days, plural
from . import formatting as f
from .deck_model import Chart, ChartSeries, Derived, Slide, Table
from .deck_slides import (
    component_names,
    impact_minutes,
    partial_previous,
    period_so_far,
    source_line,
    source_notes,
)

MAX_INCIDENT_ROWS = DECK_INCIDENT_ROWS


def share_places(shares: list[float]) -> int:
    """The fewest decimals (0 to 2) at which the shown shares of a whole add up to 100%: 62.5% and 37.5% shown
    as "63%" and "38%" add up to 101% on a board slide. 1 when no precision does (three thirds); 0 for shares
    that are not all the parts of one whole."""
    if not shares or abs(sum(shares) - 1) > 1e-9:  # not the parts of one whole: nothing to add up
        return 0
    for places in (0, 1, 2):
        shown = sum(Decimal(f.pct(x, places).rstrip("%").replace(",", "")) for x in shares)
        if shown == 100:
            return places
    return 1


def incident_cost_slide(facts: PeriodFacts, d: Derived) -> Slide:
    """Customer-impact minutes x revenue at risk per minute, per incident, with the assumption source.

    The table shows the ``MAX_INCIDENT_ROWS`` incidents that weigh most (those that could not be priced
    first, then by revenue at risk, then by impact minutes) and a total row over every incident of the
    quarter (``incident_stats``, ``business``); the speaker notes list every incident."""
    business, currency, names = facts.business, facts.currency, component_names(facts)
    incidents = sorted(facts.incidents, key=_weight)
    total = business.revenue_at_risk_total
    places = share_places([i.revenue_share for i in incidents if i.revenue_share is not None])
    rows = []
    for inc in incidents[:MAX_INCIDENT_ROWS]:
        amount, minutes = _amount(inc), inc.impact_minutes or 0
        impact = inc.business_impact
        rate = impact.rate_per_minute if impact else None  # Σ rates of its components
        share = inc.revenue_share
        uncharged = inc.impact_kind == "degraded" and amount is None  # by design, not for want of data
        rows.append(
            (
                inc.id,
                inc.severity,
                ", ".join(names.get(c, c) for c in inc.components) or "no data",
                impact_minutes(inc.impact_minutes),
                f.money(rate, currency) if minutes and rate is not None else "–",
                "degraded, not charged" if uncharged else f.money(amount, currency),
                f.pct(share, places) if minutes and not uncharged else "–",
            )
        )
    stats = facts.incident_stats
    rows.append(
        ("Total", "", "", impact_minutes(stats.impact_minutes_total), "", f.money(total, currency), "")
    )
    source = business.assumptions_source or "no assumption configured (observability gap)"
    impacted = [i for i in incidents if (i.impact_minutes or 0) > 0]
    gap_first: list[str] = []
    if total is None and impacted:
        missing = d(
            "business.incidents_without_assumption_count",
            len(business.incidents_without_assumption),
        )
        title = f"Revenue at risk cannot be stated for {missing:.0f} incidents: no revenue assumption"
        if not missing:  # every incident with customer impact was degraded, not down
            title = f"No incident put revenue at risk in {period_so_far(facts)}"
        if business.degraded_incidents:
            # the other incidents with customer impact were degraded, not down: not charged by design
            uncharged = d("business.degraded_incidents_count", len(business.degraded_incidents))
            title += f"; {uncharged:.0f} latency-only {'incident is' if uncharged == 1 else 'incidents are'} not charged"
    elif not impacted and not _incidents_covered(facts):
        # "no incident" needs an incident record that covers the quarter (analysis/verdict.py)
        title = (
            f"No incident with customer impact is recorded for {facts.period}, but the record is incomplete"
        )
        verdict_gaps = facts.verdict.gaps
        gap_first = [g.sentence for g in verdict_gaps if g.signal == "incidents"]
    elif not impacted:
        so_far = " so far" if facts.in_progress else ""
        title = f"No incident affected customers in {facts.period}{so_far}; no revenue was put at risk"
    else:
        top = impacted[0]
        title = f"Incidents put {f.money(total, currency)} of revenue at risk in {period_so_far(facts)}"
        degraded = business.degraded_minutes or 0
        if degraded and business.degraded_revenue_at_risk is None:
            title += f", plus {impact_minutes(degraded)} of latency-only impact not charged"
        elif len(impacted) > 1:
            share = top.revenue_share
            where = ", ".join(names.get(c, c) for c in top.components)
            title += f"; {top.id} on {where} accounts for {f.pct(share, places)}"
    ids = sorted({x for i in incidents for x in i.sources})
    gap_lines = [g.sentence for g in facts.gaps if g.limits == REVENUE_LIMITS][:2]
    gap_lines = [*gap_first, *gap_lines]
    if more := facts.incident_stats.not_in_deck_table:
        gap_lines.append(
            f"{more:.0f} more incidents are listed in the speaker notes; the total row covers all "
            f"{stats.count} incidents of {facts.period}."
        )
    return Slide(
        key="incidents",
        title=title,
        table=Table(
            (
                "Incident",
                "Severity",
                "Component",
                "Customer impact",
                f"Per minute ({currency})",
                f"Revenue at risk ({currency})",
                "Share",
            ),
            tuple(rows),
            numeric=frozenset({3, 4, 5, 6}),
            worst=0 if impacted else None,
            total=True,
            widths=(1.8, 1.0, 1.9, 1.5, 1.2, 1.5, 0.8),
        ),  # fmt: skip
        bullets=tuple(gap_lines),
        source_line=source_line(facts, ids, f"Revenue at risk per minute: {source}"),
        notes="\n".join(
            [
                f"{i.id} ({i.severity}, {impact_minutes(i.impact_minutes)} of customer impact, "
                f"revenue at risk {f.money(_amount(i), currency)}): {i.title}."
                for i in incidents
            ]
            + [
                "Revenue at risk = customer-impact minutes x the revenue at risk per minute of each affected "
                f"component. Assumption source: {source}.",
                source_notes(facts, ids),
            ]
        ),
    )


def spend_slide(facts: PeriodFacts, d: Derived) -> Slide:
    cost, currency = facts.cost, facts.currency
    period, previous = facts.period, facts.previous_period or "previous quarter"
    names = component_names(facts)
    facing = [c.id for c in facts.components if c.customer_facing]
    now, before = cost.per_successful_task, cost.previous_per_successful_task
    shown = [c for c in facing if now.get(c) is not None or before.get(c) is not None]
    changes = {c: change for c in shown if (change := cost.per_successful_task_change.get(c)) is not None}
    partial = partial_previous(facts)
    total, change = cost.total, cost.week_over_week
    to_date = " to date" if facts.comparison.to_date else ""
    if total is None:
        title = f"AI spend for {period} cannot be stated: no data (observability gap)"
    elif change is None or partial:
        title = f"AI spend was {f.money(total, currency)} in {period}{to_date}"
        if partial:
            title += f"; {partial}, so no change is stated"
    elif cost.change_basis == "daily_average":
        title = (
            f"AI spend was {f.money(total, currency)} in {period} to date, {f.money(cost.daily_average, currency)} "
            f"a day: {'up' if change >= 0 else 'down'} {f.pct(abs(change), 1)} on {previous} "
            f"({f.money(cost.previous_daily_average, currency)} a day)"
        )
    else:
        # the change against the quarter before, then the amount and its own quarter: "rose 0.7% to $2,956,013
        # on 2026-Q2" read as Q2's spend
        title = (
            f"AI spend {'rose' if change >= 0 else 'fell'} {f.pct(abs(change), 1)} on {previous} to "
            f"{f.money(total, currency)} in {period}"
        )
    if changes:
        mover = max(changes, key=lambda c: abs(changes[c]))
        size = abs(changes[mover])
        moved = f.pct(size, 0 if size >= 0.1 else 1)
        if moved in ("0%", "0.0%"):
            title += "; cost per successful task held steady on the customer-facing components"
        else:
            verb = "rose" if changes[mover] >= 0 else "fell"
            title += f"; cost per successful task {verb} {moved} on {names.get(mover, mover)}"
    chart = Chart(
        kind="bar",
        categories=tuple(names.get(c, c) for c in shown),
        series=(
            ChartSeries(str(previous), tuple(before.get(c) for c in shown)),
            ChartSeries(str(period), tuple(now.get(c) for c in shown)),
        ),
        description="Cost per successful task by customer-facing component. "
        + ("" if shown else "No data for any customer-facing component (observability gap)")
        + "; ".join(
            f"{names.get(c, c)}: {f.money(before.get(c), currency, 4)} in {previous}, "
            f"{f.money(now.get(c), currency, 4)} in {period}"
            for c in shown
        )
        + ".",
        value_title=f"Cost per successful task ({currency})",
        value_format=_d3_money(currency, 4),
        excel_format=_excel_money(currency, 4),
        axis_format=_d3_money(currency, 3),
    )
    cache = cost.cache
    saving, hit_rate = (cache.saving, cache.hit_rate) if cache else (None, None)
    bullets = [
        f"**Prompt caching** saved {f.money(saving, currency)} at list prices; "
        f"{f.pct(hit_rate, 1)} of input tokens came from cache."
        if saving is not None
        else "**Prompt caching** saving: no data (no token usage or prices for the cached models).",
        f"**Unattributed spend**: {f.money(cost.unattributed, currency)} "
        f"({f.pct(cost.unattributed_share, 1)} of the total) carries no component or team tag."
        if cost.unattributed
        else "**Unattributed spend**: no data (no cost rows in the quarter)."
        if cost.unattributed is None
        else "**Unattributed spend**: none; every cost row names a component or team.",
    ]
    over = [b for b in cost.budgets if (b.projected_share or 0) > 1]
    for b in over[:1]:
        bullets.append(
            f"**{b.team}** is projected to end the month at {f.pct(b.projected_share, 1)} of budget "
            f"({f.money(b.projected_month_end, currency)} against {f.money(b.monthly_budget, currency)})."
        )
    ids = list(cost.sources)
    lines = [
        f"{names.get(c, c)}: cost per successful task {f.money(before.get(c), currency, 4)} in {previous}, "
        f"{f.money(now.get(c), currency, 4)} in {period}; spend {f.money(cost.by_component.get(c), currency)}."
        for c in shown
    ]
    return Slide(
        key="spend",
        title=title,
        chart=chart,
        bullets=tuple(bullets),
        source_line=source_line(
            facts, ids, "Cost per successful task = attributed spend / successful requests"
        ),
        notes="\n".join(
            [
                *lines,
                f"Spend {f.money(total, currency)} in {period} against {f.money(cost.previous_total, currency)} in {previous}.",
                f"Cache saving at list prices; price source: {(cache.price_source if cache else None) or 'no data'}.",
                source_notes(facts, ids),
            ]
        ),
    )


def investments_slide(facts: QuarterFacts, d: Derived) -> Slide:
    items = facts.investments
    currency = facts.currency
    rows = [
        (
            str(inv.rank),
            inv.title,
            f.money(inv.cost, currency),
            f.money(inv.running_cost_per_year, currency),
            f.money(inv.expected_benefit, currency),
            f.pct(inv.roi, 0),
            f.number(inv.payback_months, 1) if inv.payback_months is not None else "none",
            inv.confidence or "no data",
            (inv.risk.level if inv.risk else None) or "no data",
        )
        for inv in items
    ]
    options = facts.options
    derived = options.derived_case
    if derived:
        rows.append(
            (
                "–",
                f"Derived from incident history: {derived.title}",
                "not proposed",
                "not proposed",
                f.money(derived.revenue_at_risk_per_year, currency),
                "–",
                "–",
                "derived",
                "not assessed",
            )
        )
    rows.append(_do_nothing_row(options.do_nothing, currency))
    paying = [i for i in items if (i.roi or 0) > 0]
    n = d("investments.count", len(items))
    if not items and derived:
        worth = (
            f"is worth up to {f.money(derived.break_even_cost, currency)} a year against doing nothing"
            if derived.break_even_cost is not None
            else "cannot be valued without a revenue assumption (observability gap)"
        )
        title = (
            f"No investment is proposed for {facts.period}; a case derived from incident history: "
            f"{_gerund(derived.title)} {worth}"
        )
    elif not items:
        title = f"No reliability investment is proposed for {facts.period}"
    elif paying:
        top = paying[0]
        roi, months = f.pct(top.roi, 0), f.number(top.payback_months, 1)
        title = (
            f"{top.title} has the best return of {n:.0f} proposals: {roi} in the first year, payback in {months} months"
            if n > 1  # one proposal has no "best of 1 proposals"
            else f"{top.title}, the one proposal, returns {roi} in the first year and pays back in {months} months"
        )
    else:
        title = f"None of the {n:.0f} proposed investments earns back its cost in the first year"
    notes = []
    for inv in items:
        risk = inv.risk
        assumptions = "; ".join(inv.assumptions) or "none stated"
        notes.append(
            f"{inv.rank}. {inv.title} (owner: {inv.owner or 'not stated'}). "
            f"Benefit basis: {inv.benefit_basis or 'not stated'}. Assumptions: {assumptions}. "
            f"Risk {_risk(risk, 'level')}: likelihood {_risk(risk, 'likelihood')}; impact {_risk(risk, 'impact')}; "
            f"detection {_risk(risk, 'detection_time')}; rollback {_risk(risk, 'mitigation')}."
        )
        if inv.assumptions_source:
            notes.append(f"Benefit computed from {inv.assumptions_source}.")
    return Slide(
        key="investments",
        title=title,
        table=Table(
            (
                "Rank",
                "Investment",
                f"Cost ({currency})",
                f"Running / year ({currency})",
                f"Benefit / year ({currency})",
                "ROI, first year",
                "Payback (months)",
                "Confidence",
                "Risk",
            ),
            tuple(rows),
            numeric=frozenset({0, 2, 3, 4, 5, 6}),
            widths=(0.6, 3.0, 1.1, 1.2, 1.2, 1, 1, 1.25, 1.05),
        ),  # fmt: skip
        bullets=(
            *_option_bullets(facts, items, derived, d),
            *tuple(g.sentence for g in facts.gaps if "investment " in (g.specific or ""))[:1],
        ),
        source_line="Source: content/investments (benefit basis and assumptions in the notes); incident "
        "frequency from the incident records of the last four quarters. "
        "ROI = (benefit − running cost − cost) / cost over the first year.",
        notes="\n".join([*notes, *_option_notes(options)]) or "No investment files in content/investments.",
    )


def _do_nothing_row(nothing: DoNothing, currency: str) -> tuple[str, ...]:
    """The "do nothing" option: no cost, no benefit; its risk is the exposure it keeps (in the bullets)."""
    return (
        "–",
        "Do nothing: keep the platform as it is",
        f.money(nothing.cost, currency),
        f.money(nothing.running_cost_per_year, currency),
        f.money(nothing.expected_benefit, currency),
        "–",
        "none",
        "–",
        "Exposure stays",
    )


def _gerund(title: str) -> str:
    """ "Remove the failure modes …" -> "removing the failure modes …" (a title inside a sentence)."""
    head, _, rest = title.partition(" ")
    verb = head.lower()
    verb = verb[:-1] if verb.endswith("e") else verb
    return f"{verb}ing {rest}"


def _rate(value: float) -> str:
    """An incident rate: one decimal below 10 ("2.7"), whole above ("475", not "475.0")."""
    return f.number(value, 1 if abs(value) < 10 else 0)


def _frequency_words(sens: Sensitivity, which: str) -> str:
    rate = _rate(getattr(sens, which))
    quarter = {"low": sens.low_quarter, "high": sens.high_quarter}.get(which)  # the expected is pooled
    return f"{rate} a quarter" + (f", {quarter}" if quarter and which != "expected" else "")


def _first_ids(ids: list[str], d: Derived, key: str) -> str:
    """Up to four incident ids, or the first three and how many more (every one is in the speaker notes)."""
    if len(ids) <= 4:
        return ", ".join(ids)
    return f"{', '.join(ids[:3])} and {d(key, len(ids) - 3):.0f} more"


def _option_bullets(
    facts: QuarterFacts, items: list[Investment], derived: DerivedCase | None, d: Derived
) -> tuple[str, ...]:
    """The sensitivity row of the leading option, what doing nothing keeps, and a derived case's origin."""
    options, currency = facts.options, facts.currency
    out = []
    top = next((i for i in items if i.sensitivity), None)
    sens = top.sensitivity if top else None
    missing = (sens.quarters_without_data if sens else None) or options.frequency.quarters_without_data
    gap = f"; {', '.join(missing)}: no incident record (a gap, not 0)" if missing else ""
    if top and sens and sens.roi_expected is not None:
        out.append(
            f"**Sensitivity** of {top.title} to serious incidents on its components: first-year ROI "
            f"{f.pct(sens.roi_low, 0)} at the low frequency ({_frequency_words(sens, 'low')}), "
            f"{f.pct(sens.roi_expected, 0)} at the expected ({_frequency_words(sens, 'expected')}), "
            f"{f.pct(sens.roi_high, 0)} at the high ({_frequency_words(sens, 'high')}){gap}."
        )
    elif top:
        out.append(
            f"**Sensitivity:** the benefit of {top.title} does not follow incident history (no serious "
            f"incident on its components in the quarters with data){gap}."
        )
    nothing = options.do_nothing
    if nothing.incidents_per_year is not None:
        kept = nothing.revenue_at_risk_per_year
        unpriced = nothing.unpriced_incidents
        out.append(
            f"**Do nothing** costs nothing and keeps the exposure: {_rate(nothing.incidents_per_year)} "
            "serious incidents a year at the rate of the last four quarters"
            + (f", {f.money(kept, currency)} of revenue at risk a year" if kept is not None else "")
            + (
                f" (latency only, not charged: {_first_ids(unpriced, d, 'options.do_nothing.unpriced_not_named')})"
                if unpriced
                else ""
            )
            + "."
        )
    if derived:
        out.append(
            f"**Derived case:** no investment is proposed in content, so this case is derived from "
            f"{_first_ids(derived.incidents, d, 'options.derived_case.incidents_not_named')} "
            f"({plural(derived.count, 'serious incident')}, "
            f"{f.duration_minutes(derived.impact_minutes)} of customer impact): a fix that removes them is "
            + (
                f"worth up to {f.money(derived.break_even_cost, currency)} a year."
                if derived.break_even_cost is not None
                else "worth what their customer impact costs, which cannot be stated without a revenue assumption "
                "(observability gap)."
            )
        )
    return tuple(out)


def _option_notes(options: Options) -> list[str]:
    """Each quarter's incident record behind the frequencies, for the presenter."""
    out = []
    for q in options.quarters:
        if q.per_quarter is None:
            out.append(f"{q.label}: no incident record ({days(q.days_with_data, 1)} with data): a gap.")
        else:
            ids = ", ".join(q.incidents) or "none"
            out.append(
                f"{q.label}: {q.count} serious incidents ({ids}) over {days(q.days_with_data, 1)} of "
                f"{days(q.quarter_days)} with an incident record"
                + (", in progress" if q.in_progress else "")
                + "."
            )
    return out


def _d3_money(currency: str, precision: int) -> str:
    symbol = f.CURRENCY_SYMBOLS.get(currency)
    return f"$,.{precision}f" if symbol == "$" else f",.{precision}f"


def _excel_money(currency: str, precision: int) -> str:
    symbol = f.CURRENCY_SYMBOLS.get(currency)
    digits = "0." + "0" * precision if precision else "0"
    return f'"{symbol}"#,##{digits}' if symbol else f'#,##{digits}" {currency}"'


def _weight(incident: Incident) -> tuple:
    """Sort key: incidents whose revenue at risk cannot be stated first, then the largest amounts, then the
    most customer-impact minutes, then the earliest."""
    amount = _amount(incident)
    return (
        -(amount if amount is not None else float("inf")),
        -(incident.impact_minutes or 0),
        incident.started_at,
        incident.id,
    )


def _risk(risk: Risk | None, name: str) -> str | None:
    """One field of an investment's risk assessment; None (written "None", as before) without one."""
    return getattr(risk, name) if risk is not None else None


def _amount(incident: Incident) -> float | None:
    impact = incident.business_impact
    return impact.amount if impact else None


def _incidents_covered(facts: PeriodFacts) -> bool:
    """Whether the incident record covers the period (analysis/verdict.py)."""
    return facts.verdict.claims.incidents_covered
