"""The opening of the deck's storyline: where the quarter stands against its targets and error budgets.

    title_slide, glance_slide, budget_slide   (facts, ..., derived) -> Slide

Builders read only facts (and the narrative's summary line), format with ``render.formatting`` and record
each value they compute in ``derived`` (``render.deck``). The helpers at the bottom are shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..analysis.facts_model import Gap, PeriodFacts, Slo
from ..display import plural
from . import formatting as f
from .deck_model import Chart, ChartSeries, Derived, Slide, Table


def period_so_far(facts: PeriodFacts) -> str:
    """The quarter as a slide title names it: "2026-Q4 so far" while it is in progress, so a title read
    on its own (a slide shown alone, the deck's outline) does not state a result for the whole quarter."""
    return f"{facts.period} so far" if facts.in_progress else facts.period


MAX_BUDGET_SERIES = 4
MAX_SLO_ROWS = 12
"""Rows of the at-a-glance SLO table: beyond, the SLOs that missed or have no data and those that used the most
budget, then one row counting the rest (every SLO is in the speaker notes)."""


def title_slide(facts: PeriodFacts, narrative: Any, d: Derived) -> Slide:
    summary, cost = facts.summary, facts.cost
    stats, business = facts.incident_stats, facts.business
    currency = facts.currency
    token = f.status_token(summary.status)
    spend_context = spend_change_words(facts) or partial_previous(facts) or "no previous quarter to compare"
    budget_context = summary.budget_slo or "observability gap"
    open_quarter = facts.in_progress
    columns = (
        "Status now (quarter in progress)" if open_quarter else "Status at quarter close",
        "Lowest error budget left",
        "Revenue at risk",
        f"AI spend ({currency})",
        "Telemetry coverage",
    )
    values = (
        f"{token.icon} {summary.status or 'Unknown'}",
        f.pct(summary.budget_remaining, 0),
        f.money(business.revenue_at_risk_total, currency),
        f.money(cost.total, currency),
        f.pct(facts.coverage.telemetry, 1),
    )
    context = (
        plural(summary.active_alerts, "active alert"),
        budget_context,
        f"{plural(stats.count, 'incident')}, {impact_minutes(stats.impact_minutes_total)} of customer impact",
        spend_context,
        plural(
            round(d("gap_counts.total", facts.gap_counts.total)),
            "observability gap",
        ),
    )
    return Slide(
        key="title",
        kind="title",
        title=f"Quarterly reliability review {facts.period}",
        lead=narrative.summary_line,
        bullets=tuple(x for x in (getattr(narrative, "verdict", ""), narrative.evidence) if x),
        table=Table(columns, (values, context), numeric=frozenset(), style="kpi"),
        source_line=source_line(facts, [s.id for s in facts.sources], limit=4),
        notes="\n".join(
            [
                narrative.evidence,
                f"Error budget remaining is the lowest budget left among customer-facing SLOs, each over its "
                f"{slo_windows(facts.slos, customer_facing=True)} window, "
                + (
                    "at as-of, the quarter being in progress"
                    if open_quarter
                    else "at the close of the quarter"
                )
                + f" ({budget_context}).",
                f"Revenue at risk: customer-impact minutes x revenue at risk per minute. Assumption: "
                f"{business.assumptions_source or 'none configured (observability gap)'}.",
                source_notes(facts, [s.id for s in facts.sources]),
            ]
        ),
    )


def glance_slide(facts: PeriodFacts, d: Derived) -> Slide:
    """SLO attainment against target per customer-facing SLO, quarter budget consumed, change on last quarter."""
    slos = [s for s in facts.slos if s.customer_facing]
    period, previous = facts.period, facts.previous_period
    rows, notes = [], []
    missed, unknown = [], []
    for s in slos:
        attained, objective = s.period_attainment, s.objective
        consumed = d(f"slos.{s.name}.period_budget_consumed", s.period_budget_consumed)
        prev = s.previous_period_attainment
        change = d(f"slos.{s.name}.attainment_change_pp", s.attainment_change_pp)
        if attained is None:
            unknown.append(s)
            verdict = "? no data"
        elif attained < objective:
            missed.append(s)
            verdict = "✕ Missed"
        else:
            verdict = "✓ Met"
        rows.append(
            (
                s.component_name or s.component,
                s.sli or s.name,
                target_pct(objective),
                f.pct(attained, 2),
                f.pct(prev, 2),
                f.pct_points(change, 2, signed=True),
                f.pct(consumed, 0),
                verdict,
            )
        )
        flags = ", ".join(s.flags) or "none"
        notes.append(
            f"{s.name}: target {target_pct(objective)} ({s.budgeting_method}), attainment over "
            f"{period} {f.pct(attained, 2)}, coverage {f.pct(s.coverage, 1)}, flags: {flags}."
        )
    title = _glance_title(slos, missed, unknown, period_so_far(facts), d, facts.slo_counts.customer_facing)
    verdict = facts.verdict
    if not missed and not verdict.claims.objectives_covered:
        # "met" over a quarter the telemetry does not cover is not a finding (analysis/verdict.py)
        telemetry = verdict.coverage.telemetry
        shown = (
            f"telemetry covers {f.pct(telemetry, 1)} of it"
            if telemetry is not None
            else "telemetry is missing"
        )
        titled = period_so_far(facts)
        title = title.replace(f"met target in {titled}", f"met target over the data of {titled}, but {shown}")
    used = [d.values.get(f"slos.{s.name}.period_budget_consumed") for s in slos]
    if len(rows) > MAX_SLO_ROWS:
        # every SLO that missed or has no data, then the most budget used; the rest counted (each in the notes)
        ranked = sorted(
            range(len(slos)),
            key=lambda i: (slos[i] not in missed and slos[i] not in unknown, -(used[i] or 0), i),
        )
        kept = sorted(ranked[: MAX_SLO_ROWS - 1])
        rest = [slos[i] for i in ranked[MAX_SLO_ROWS - 1 :]]
        left = d("deck.glance.slos_not_in_table", len(rest))
        short = sum(1 for x in rest if x in missed or x in unknown)
        result = (
            "✓ Met" if not short else f"{d('deck.glance.missed_not_in_table', short):.0f} missed or no data"
        )
        rows = [rows[i] for i in kept] + [
            (f"{left:.0f} more SLOs, each in the notes", "", "", "", "", "", "", result)
        ]
        used = [used[i] for i in kept] + [None]
    known = [i for i, u in enumerate(used) if u is not None]
    worst = max(known, key=lambda i: used[i]) if known else None
    columns = ("Component", "Indicator", "Target", f"{period}", f"{previous or 'Previous quarter'}")
    columns += ("Change", "Budget used", "Result")
    ids = sorted({x for s in slos for x in s.sources})
    return Slide(
        key="glance",
        title=title,
        table=Table(
            columns,
            tuple(rows),
            numeric=frozenset({2, 3, 4, 5, 6}),
            worst=worst,
            widths=(2.4, 1.2, 1, 1.1, 1.1, 1.1, 1, 1.1),
        ),
        bullets=tuple(_gap_sentences(facts, [s.component for s in unknown])),
        source_line=source_line(facts, ids, "Budget used = (1 − attainment) / (1 − target) over the quarter"),
        notes="\n".join([*notes, source_notes(facts, ids)]),
    )


def _days(n: float) -> str:
    return "day" if n == 1 else "days"


def _glance_title(
    slos: list[Slo], missed: list[Slo], unknown: list[Slo], period: str, d: Derived, customer_facing: int
) -> str:
    n = d("slo_counts.customer_facing", customer_facing)
    if not slos:
        return f"No customer-facing SLO is configured, so {period} attainment cannot be stated"
    if missed:
        worst = min(missed, key=lambda s: s.period_attainment - s.objective)
        short = d(f"slos.{worst.name}.shortfall", worst.objective - worst.period_attainment)
        held = d("slos.customer_facing_held", len(slos) - len(missed) - len(unknown))
        name = worst.component_name or worst.component
        title = f"{name} missed its {worst.sli} target by {f.pct_points(short, 2)}; "
        title += f"{held:.0f} of {n:.0f} customer-facing SLOs held"
    elif unknown and len(unknown) == len(slos):
        return f"No customer-facing SLO can be assessed for {period}: no data (observability gap)"
    else:
        assessed_slos = [s for s in slos if s not in unknown]
        tight = max(assessed_slos, key=lambda s: d.values.get(f"slos.{s.name}.period_budget_consumed", 0))
        used = d.values.get(f"slos.{tight.name}.period_budget_consumed")
        title = f"All {n:.0f} customer-facing SLOs met target in {period}" if not unknown else ""
        if unknown:
            assessed = d("slos.customer_facing_assessed", len(slos) - len(unknown))
            title = f"{assessed:.0f} of {n:.0f} customer-facing SLOs met target in {period}"
        title += f"; {_slo_label(tight)} used the most error budget: {f.pct(used, 0)}"
        # "met" next to an overspent budget chart would be false comfort: say how long it was overspent
        spent = [s for s in assessed_slos if s.overspent_days]
        if spent:
            most = max(spent, key=lambda s: (s.overspent_days, s.name))
            days = d(f"slos.{most.name}.overspent_days", most.overspent_days)
            if most is tight:  # one SLO: named once
                title += f", and its rolling error budget was overspent on {days:.0f} {_days(days)}"
            else:
                title += f", but {_slo_label(most)} had its rolling error budget overspent on {days:.0f} {_days(days)}"
    if unknown:
        title += f"; {d('slos.customer_facing_without_data', len(unknown)):.0f} without data"
    return title


def budget_slide(facts: PeriodFacts, d: Derived) -> Slide:
    """Error budget left, day by day through the quarter, for the customer-facing SLOs with least margin."""
    slos = [s for s in facts.slos if s.customer_facing and s.daily]
    lows = {s.name: min((x.budget_remaining for x in s.daily if x.budget_remaining is not None), default=None)
            for s in slos}  # fmt: skip
    shown = sorted((s for s in slos if lows[s.name] is not None), key=lambda s: lows[s.name])
    shown = shown[:MAX_BUDGET_SERIES]
    dates = tuple(x.date.isoformat() for x in shown[0].daily) if shown else ()
    series = tuple(ChartSeries(_slo_label(s), tuple(x.budget_remaining for x in s.daily)) for s in shown)
    ids = sorted({x for s in shown for x in s.sources})
    if not shown:
        title = f"Error budget through {facts.period} cannot be charted: no data (observability gap)"
    else:
        first = shown[0]
        overspent = [x for x in first.daily if (x.budget_remaining or 0) < 0]
        name = _slo_label(first)
        if overspent:
            days = d(f"slos.{first.name}.days_overspent", len(overspent))
            title = f"{name} overspent its {slo_window(first)} error budget on {days:.0f} {_days(days)} of {period_so_far(facts)}"
        else:
            close, low = f.pct(first.budget_remaining, 0), f.pct(lows[first.name], 0)
            lead = (
                f"{name} has {close} of its error budget left so far in {facts.period}"
                if facts.in_progress
                else f"{name} ended {facts.period} with {close} of its error budget left"
            )
            title = f"{lead}, the least of any customer-facing SLO" + (
                f" (low point {low})" if low != close else ""
            )
    description = "; ".join(
        f"{_slo_label(s)}: {f.pct(lows[s.name], 0)} at its lowest, {f.pct(s.budget_remaining, 0)} "
        f"at the close"
        for s in shown
    )
    chart = Chart(
        kind="line",
        categories=dates,
        series=series,
        description=f"Error budget remaining per day over the rolling window. {description}.",
        value_title="Error budget remaining",
        value_format=".0%",
        excel_format="0%",
        reference=(0.0, "Budget exhausted"),
    )
    window = slo_windows(shown)
    return Slide(
        key="budget",
        title=title,
        chart=chart,
        source_line=source_line(facts, ids, f"Budget left over each day's {window} rolling window"),
        notes="\n".join(
            [
                "The error budget is 1 − target; remaining = 1 − (1 − attainment) / (1 − target) over the "
                f"{window} window ending each day. Below 0 the budget is overspent and the error-budget "
                "policy freezes releases on that component except P0 and security fixes.",
                source_notes(facts, ids),
            ]
        ),
    )


# -- shared helpers ---------------------------------------------------------------------------------------


def target_pct(objective: float) -> str:
    """A target with the decimals it needs: 0.995 -> "99.5%", 0.95 -> "95%", 0.9995 -> "99.95%"."""
    for precision in (0, 1, 2):
        if abs(round(objective * 100, precision) - objective * 100) < 1e-9:
            return f.pct(objective, precision)
    return f.pct(objective, 3)


def impact_minutes(value: float | None) -> str:
    """Customer-impact minutes with their unit, ``15427.15 -> "15,427 min"``: a duration rounded to the minute
    (an impact is rarely a whole number of minutes), so the verifier compares it with the minutes facts at
    that precision instead of reading a bare integer as an exact count."""
    return f.GAP if f.is_gap(value) else f"{f.number(value, 0)} min"


def slo_window(slo: Slo) -> str:
    """An SLO's rolling window as an adjective, from its facts: ``"28-day"`` (``"rolling"`` without one)."""
    days = slo.window_days
    return f"{f.number(days, 0)}-day" if days else "rolling"


def slo_windows(slos: Sequence[Slo], *, customer_facing: bool = False) -> str:
    """The distinct windows of ``slos``: ``"28-day"``, ``"7-day and 28-day"``."""
    chosen = [s for s in slos if s.customer_facing or not customer_facing]
    windows = sorted({slo_window(s) for s in chosen if s.window_days}, key=lambda w: (len(w), w))
    return " and ".join(windows) or "rolling"


def component_names(facts: PeriodFacts) -> dict[str, str]:
    names = {s.component: s.component_name or s.component for s in facts.slos}
    names.update({c.id: c.name or c.id for c in facts.components})
    return names


def source_line(facts: PeriodFacts, ids: Sequence[str], note: str = "", *, limit: int = 6) -> str:
    """``Source: prom-requests, pagerduty and others listed in the notes. <note>.``"""
    ids = sorted(set(ids))
    shown = ", ".join(ids[:limit]) if ids else "no source (observability gap)"
    if len(ids) > limit:
        shown += " and others listed in the notes"
    line = f"Source: {shown}."
    return f"{line} {note}." if note else line


def source_notes(facts: PeriodFacts, ids: Sequence[str]) -> str:
    """Every source behind a slide with its type, files, rows and time range (for the speaker notes)."""
    known = {s.id: s for s in facts.sources}
    lines = []
    for sid in sorted(set(ids)):
        s = known.get(sid)
        if s is None:
            lines.append(f"- {sid}")
            continue
        listed = ", ".join(x.path for x in s.files) or "no files"
        span = f"{f.date(s.start)} to {f.date(s.end)}" if s.start else "no data"
        lines.append(f"- {sid} ({s.type}): {listed}; {f.count(s.rows)} rows; {span}")
    return "Sources:\n" + "\n".join(lines) if lines else "Sources: none (observability gap)."


def _gap_sentences(
    facts: PeriodFacts, components: Sequence[str | None], kinds: Sequence[str] = ()
) -> list[str]:
    wanted = set(components)
    gaps: list[Gap] = facts.gaps
    return [
        g.sentence
        for g in gaps
        if (g.component in wanted or None in wanted) and (not kinds or g.kind in kinds)
    ][:2]


def _slo_label(slo: Slo) -> str:
    return f"{slo.component_name or slo.component} {slo.sli or slo.name}"


def partial_previous(facts: PeriodFacts) -> str | None:
    """ "2026-Q2: 30 of 91 days with data" when the baseline quarter holds data on only part of its days (no
    change is then stated against it), else None."""
    comp = facts.comparison
    if not facts.previous_period or comp.complete:
        return None
    return f"{comp.label}: {comp.days_with_data} of {comp.days} days with data"


def spend_change_words(facts: PeriodFacts) -> str | None:
    """ "+18.8% on 2026-Q3 (daily average)" (a quarter to date against a whole one: "+18.8% a day" read as
    growth every day) or "+4.0% on 2026-Q3"; None without a comparable baseline."""
    cost = facts.cost
    change = cost.week_over_week
    if change is None or not facts.previous_period:
        return None
    per_day = " (daily average)" if cost.change_basis == "daily_average" else ""
    return f"{f.delta(change, '%', 1)} on {facts.previous_period}{per_day}"
