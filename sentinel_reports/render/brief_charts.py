"""The brief's figures over time: KPI tiles with sparklines and the two section charts.

    points = week_points(facts)                       a few figures of one week, for later weeks' trends
    tiles = kpi_tiles(facts, history)                 3-5 tiles: value, target, change, sparkline spec
    budget_chart(facts, history), spend_chart(facts)  Vega-Lite specs (render.charts), title = conclusion;
                                                      ``limit=`` draws fewer lines / bars (the print edition)

``history`` is the ``week_points`` of the weeks before this one, oldest first (at most ``TREND_WEEKS`` are
used); every value in it comes from that week's own facts (``evidence/<week>/facts.json``). A figure that is
None stays None: a tile shows "no data" and a sparkline breaks, never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..analysis.facts_model import PeriodFacts, Slo
from ..narrative.reliability import LOW_BUDGET, covered, partial_window
from ..narrative.sections import early_days
from . import formatting as f
from .brief_tables import unit_money
from .charts import Reference, bar_chart, line_chart, sparkline

TREND_WEEKS = 8
BUDGET_DAYS = 28


def week_points(facts: PeriodFacts) -> dict[str, Any]:
    """The figures of one week that later weeks plot as trends (plain data: days as ISO text)."""
    cost, stats = facts.cost, facts.incident_stats
    return {
        "period": facts.period,
        "attainment": {s.name: s.week_attainment for s in facts.slos},
        "budget": {s.name: s.budget_remaining for s in facts.slos},
        "daily_budget": {
            s.name: [[d.date.isoformat(), d.budget_remaining] for d in s.daily]
            for s in facts.slos
            if s.customer_facing
        },
        "spend": cost.total,
        "per_task": dict(cost.per_successful_task),
        "open_incidents": stats.open_count,
        "incidents": stats.count,
    }


def _series(history: Sequence[Mapping[str, Any]], now: Mapping[str, Any], pick: Any) -> list[float | None]:
    return [pick(p) for p in [*history[-(TREND_WEEKS - 1) :], now]]


def _slo(facts: PeriodFacts, name: str | None) -> Slo | None:
    return next((s for s in facts.slos if s.name == name), None)


def availability_slo(facts: PeriodFacts) -> Slo | None:
    """The customer-facing availability SLO the tile shows: the summary's SLO, else the one with least budget."""
    slos = [s for s in facts.slos if s.customer_facing and s.sli == "availability"]
    chosen = _slo(facts, facts.summary.budget_slo)
    if chosen in slos:
        return chosen
    ranked = sorted(slos, key=lambda s: (s.budget_remaining is not None, s.budget_remaining or 0))
    return ranked[0] if ranked else None


def unit_cost_component(facts: PeriodFacts) -> str | None:
    """The customer-facing component with the largest spend that has a cost per successful task."""
    per_task, spend = facts.cost.per_successful_task, facts.cost.by_component
    facing = {c.id for c in facts.components if c.customer_facing}
    candidates = [c for c, v in per_task.items() if v is not None and c in facing] or [
        c for c, v in per_task.items() if v is not None
    ]
    return max(candidates, key=lambda c: (spend.get(c) or 0, c)) if candidates else None


def budget_change(facts: PeriodFacts, name: str | None) -> float | None:
    """The weekly change of an SLO's budget remaining (a fraction, shown in pp); None for an unknown SLO."""
    slo = _slo(facts, name)
    return slo.budget_remaining_change_pp if slo else None


def _tile(label: str, sub: str, value: str | None, **kw: Any) -> dict[str, Any]:
    spark = kw.pop("spark", None)
    tile = {"label": label, "sub": sub, "value": value, "target": None, "delta": None, "tone": "neutral"}
    tile |= {"state": None, "state_word": None, "spark": None, **kw}
    if spark is not None and sum(v is not None for v in spark["values"]) >= 2:
        tile["spark"] = sparkline(
            spark["values"],
            title=f"{label}: trend over the last {len(spark['values'])} weeks",
            description=spark["description"],
            reference=spark.get("reference"),
        )
    return tile


def _delta(value: float | None, unit: str, precision: int, higher_is_better: bool | None) -> dict[str, str]:
    if f.is_gap(value):
        return {"delta": f"{f.GAP} for the previous week", "tone": "gap"}
    text = f.delta(value, unit, precision)
    tone = "neutral"
    if higher_is_better is not None and not text.startswith("►"):
        tone = "good" if text.startswith("▲") == higher_is_better else "bad"
    return {"delta": text, "tone": tone}


def _spark_text(label: str, values: Sequence[float | None], fmt: Any) -> str:
    shown = ", ".join(fmt(v) for v in values)
    return f"{label} by week, oldest first: {shown}."


def _budget_target(facts: PeriodFacts, name: str | None) -> str:
    """The budget tile's target; a budget on part of its window says so (a tile is read alone)."""
    slo = next((s for s in facts.slos if s.name == name), None)
    if slo is not None and partial_window(slo):
        return f"Release freeze at 0%; {covered(slo)}"
    return "Release freeze at 0%"


def kpi_tiles(facts: PeriodFacts, history: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """Availability, error budget, spend, cost per successful task and the week's incidents."""
    cur = facts.currency or "USD"
    now = week_points(facts)
    tiles = []
    slo = availability_slo(facts)
    if slo is not None:
        att, name = slo.week_attainment, slo.name
        values = _series(history, now, lambda p: p["attainment"].get(name))
        state = "no_data" if att is None else ("operational" if att >= slo.objective else "degraded")
        word = {"no_data": "No data", "operational": "Meets objective", "degraded": "Below objective"}[state]
        tiles.append(_tile(
            "Availability", f"{slo.component_name or slo.component}, this week", f.pct(att, 2),
            target=f"Objective {f.pct(slo.objective, 2)}", state=state, state_word=word,
            **_delta(slo.attainment_change_pp, "pp", 2, True),
            spark={"values": values, "reference": slo.objective,
                   "description": _spark_text(f"Availability of {name}", values, lambda v: f.pct(v, 2))},
        ))  # fmt: skip
    summary = facts.summary
    remaining, budget_slo = summary.budget_remaining, summary.budget_slo
    if budget_slo is not None or summary.unknown_budget_slos:
        values = _series(history, now, lambda p: p["budget"].get(budget_slo))
        state = "no_data" if remaining is None else (
            "major_outage" if remaining < 0 else "degraded" if remaining < LOW_BUDGET else "operational"
        )  # fmt: skip
        word = {
            "no_data": "No data",
            "major_outage": "Exhausted",
            "degraded": "Low",
            "operational": "In hand",
        }[state]
        tiles.append(_tile(
            "Error budget remaining", f"Lowest customer-facing SLO: {budget_slo or 'unknown'}",
            f.pct(remaining, 0), target=_budget_target(facts, budget_slo), state=state, state_word=word,
            **_delta(budget_change(facts, budget_slo), "pp", 0, True),
            spark={"values": values, "reference": 0.0,
                   "description": _spark_text(f"Error budget remaining of {budget_slo}", values, lambda v: f.pct(v, 0))},
        ))  # fmt: skip
    cost = facts.cost
    budgets = [b for b in cost.budgets if b.projected_month_end is not None]
    target = None
    month_end = cost.month_end
    if (
        month_end is not None
        and month_end.projected_month_end is not None
        and month_end.budgeted_projected is not None
    ):
        first = early_days(month_end)  # a tile is read alone: an early projection says so there too
        target = (
            f"Month-end projection{f' (from the first {first} only)' if first else ''} "
            f"{f.money(month_end.projected_month_end, cur)}: budgeted teams "
            f"{f.money(month_end.budgeted_projected, cur)} of {f.money(month_end.budget_total, cur)} "
            f"({f.pct(month_end.budgeted_share, 1)})"
        )
        if month_end.unbudgeted_projected:
            target += f", no budget {f.money(month_end.unbudgeted_projected, cur)} ({f.pct(month_end.unbudgeted_share, 1)})"
    over = [b for b in budgets if (b.projected_share or 0) > 1]
    unknown = [
        b for b in cost.budgets if b.projected_month_end is None
    ]  # no projection: never "within budget"
    values = _series(history, now, lambda p: p["spend"])
    if cost.total is None:
        state, word = "no_data", "No data"
    elif not cost.budgets:  # nothing to be within: a statement of configuration, never a green mark
        state, word = None, None
        projected = month_end.projected_month_end if month_end is not None else None
        target = (
            "No monthly budgets configured"
            if projected is None
            else f"Month-end projection {f.money(projected, cur)}; no monthly budgets configured"
        )
    elif over:
        state = "degraded"
        word = f"{f.count(cost.overrun_count)} of {f.count(cost.projected_budget_count)} teams projected over budget"
    elif unknown:
        state, word = (
            "no_data",
            f"{f.count(len(unknown))} of {f.count(len(cost.budgets))} budget teams without a projection",
        )
    else:
        state, word = "operational", "Teams projected within budget"
    # a week in progress holds a part week's spend: it says so, and its change compares daily averages
    sub = "This week so far, all providers" if facts.in_progress else "This week, all providers"
    change = _delta(cost.week_over_week, "%", 1, False)
    if cost.change_basis == "daily_average" and change["tone"] != "gap":
        change["delta"] += " (daily average)"
    tiles.append(_tile(
        "Spend", sub, f.money(cost.total, cur), target=target, state=state, state_word=word, **change,
        spark={"values": values, "description": _spark_text("Spend", values, lambda v: f.money(v, cur))},
    ))  # fmt: skip
    comp = unit_cost_component(facts)
    if comp is not None:
        value = cost.per_successful_task.get(comp)
        before = cost.previous_per_successful_task.get(comp)
        change = cost.per_successful_task_change.get(comp)
        values = _series(history, now, lambda p: p["per_task"].get(comp))
        name = next((c.name for c in facts.components if c.id == comp), comp)
        tiles.append(_tile(
            "Cost per successful task", f"{name}, this week", unit_money(value, cur),
            state="no_data" if value is None else None, state_word="No data" if value is None else None,
            target=f"Previous week {unit_money(before, cur)}", **_delta(change, "%", 1, False),
            spark={"values": values, "description": _spark_text(f"Cost per successful task on {name}", values,
                                                                  lambda v: unit_money(v, cur))},
        ))  # fmt: skip
    stats = facts.incident_stats
    open_now = stats.open_count
    by_sev = stats.count_by_severity
    mix = ", ".join(f"{n} {s}" for s, n in sorted(by_sev.items()) if n)
    values = _series(history, now, lambda p: p["incidents"])
    # the figure is the week's incidents, as its change (against the previous week's count) and its trend
    # (incidents by week) are; whether any is still open is its state and target
    # a part week's count against a whole week's is no change: compared once the week has ended
    change = (
        {"delta": "compared when the week ends", "tone": "gap"}
        if facts.in_progress
        else _delta(stats.count_difference, "", 0, False)
    )
    tiles.append(_tile(
        "Incidents", "This week so far" if facts.in_progress else "This week", f.count(stats.count),
        target=(f"{mix}; " if mix else "")
        + f"{f.count(open_now)} open {'now' if facts.in_progress else 'at the end of the week'}",
        state="no_data" if open_now is None else ("degraded" if open_now else "operational"),
        state_word="No data" if open_now is None else ("Open" if open_now else "None open"),
        **change,
        spark={"values": values, "description": _spark_text("Incidents", values, f.count)},
    ))  # fmt: skip
    return tiles


def budget_chart(
    facts: PeriodFacts, history: Sequence[Mapping[str, Any]] = (), *, limit: int | None = None
) -> dict[str, Any] | None:
    """Error budget remaining per customer-facing SLO, day by day over the last 28 days, against 0%.

    ``limit``: draw only that many SLOs, those with the least budget left (the print edition); the title's
    conclusion still comes from every customer-facing SLO; the description and a note
    (``usermeta.sentinel.note``, shown under the chart) say how many are drawn."""
    every = [s for s in facts.slos if s.customer_facing]
    if not every:
        return None
    slos = every
    if limit is not None and len(every) > limit:
        slos = sorted(every, key=lambda s: (s.budget_remaining is None, s.budget_remaining or 0, s.name))[
            :limit
        ]
    days: dict[tuple[str, str], float | None] = {}
    for points in [*history, week_points(facts)]:
        for name, daily in (points.get("daily_budget") or {}).items():
            for date, value in daily:
                days[(name, date)] = value
    dates = sorted({d for _, d in days})[-BUDGET_DAYS:]
    names = sorted(s.name for s in slos)
    rows = [{"date": d, "remaining": days.get((n, d)), "slo": n} for n in names for d in dates]
    if not any(r["remaining"] is not None for r in rows):
        return None
    lowest, remaining = _slo(facts, facts.summary.budget_slo), facts.summary.budget_remaining
    if lowest is None or remaining is None:
        title = "Error budget cannot be stated for every customer-facing SLO (observability gap)"
    elif remaining < 0:
        title = f"{lowest.name} has overspent its error budget by {f.overspend(remaining)}"
    else:
        burn = lowest.burn_rate.get("window")
        pace = f", burned at {f.multiplier(burn)} the sustainable rate" if burn is not None else ""
        title = f"{lowest.name} has the least error budget left: {f.pct(remaining, 0)}{pace}"
    ends = "; ".join(f"{s.name} {f.pct(s.budget_remaining, 0)}" for s in sorted(slos, key=lambda s: s.name))
    drawn = "one line per customer-facing SLO"
    note = None
    if slos is not every:
        drawn = f"one line for each of the {len(slos)} customer-facing SLOs (of {len(every)}) with the least budget left"
        note = (f"Drawn: the {len(slos)} customer-facing SLOs with the least error budget left, of {len(every)}; "
                "the web edition draws every one.")  # fmt: skip
    description = (
        f"Line chart of error budget remaining, {drawn}, daily from {dates[0]} to "
        f"{dates[-1]}, with a dashed line at 0% where the budget is exhausted. At the end of the week: {ends}."
    )
    spec = line_chart(
        rows, x="date", y="remaining", series="slo", title=title, description=description,
        reference=Reference(0.0, "Budget exhausted"), y_format=".0%", width=600, height=240,
    )  # fmt: skip
    return _with_note(spread_labels(spec, "remaining", height=240, extra=(0.0,)), note)


def spread_labels(
    spec: dict[str, Any], y: str, *, height: int, extra: Sequence[float] = (), gap_px: int = 12
) -> dict[str, Any]:
    """Move the end-of-line labels of a line_chart apart vertically so no two overlap.

    line_chart puts one text layer with every label at its line's last point; lines that end close together
    would print their labels on top of each other. Each label gets its own layer with a ``dy`` offset.
    """
    layers = spec["layer"]
    index = next((i for i, layer in enumerate(layers) if i and layer.get("mark", {}).get("type") == "text"
                   and "color" in layer.get("encoding", {})), None)  # fmt: skip
    if index is None:
        return spec
    labels = layers[index]["data"]["values"]
    values = [
        r[y] for layer in layers for r in (layer.get("data") or {}).get("values", []) if r.get(y) is not None
    ]
    low, high = min([*values, *extra]), max([*values, *extra])
    scale = height / (high - low) if high > low else 0.0
    ordered = sorted(labels, key=lambda r: -r[y])
    placed: list[float] = []
    for r in ordered:
        want = (high - r[y]) * scale
        placed.append(max(want, placed[-1] + gap_px) if placed else want)
    if placed and placed[-1] > height:  # pushed below the plot: shift the whole stack up
        shift = placed[-1] - height
        placed = [
            max(p - shift, (high - r[y]) * scale - 3 * gap_px) for p, r in zip(placed, ordered, strict=True)
        ]
    new_layers = []
    for r, p in zip(ordered, placed, strict=True):
        layer = {**layers[index], "data": {"values": [r]}}
        layer["mark"] = {**layer["mark"], "dy": round(p - (high - r[y]) * scale, 1), "baseline": "middle"}
        new_layers.append(layer)
    return {**spec, "layer": [*layers[:index], *new_layers, *layers[index + 1 :]]}


def spend_chart(facts: PeriodFacts, *, limit: int | None = None) -> dict[str, Any] | None:
    """This week's spend by component, largest first, the largest highlighted.

    ``limit``: at most that many bars (the print edition): the largest components and Unattributed, with
    a note (``usermeta.sentinel.note``) saying how many others there are and their spend; Unattributed
    always keeps its bar."""
    cost = facts.cost
    names = {c.id: c.name or c.id for c in facts.components}
    spend = {names.get(k, k): v for k, v in cost.by_component.items() if v is not None}
    if cost.unattributed:
        spend["Unattributed"] = cost.unattributed
    if not spend or cost.total is None:
        return None
    cur = cost.currency or facts.currency or "USD"
    top = max(spend, key=lambda k: (spend[k], k))
    change = cost.week_over_week
    words = f.delta_words(change, "%", 1) if change is not None else ""
    # a part week: its total is not comparable with a whole week's, its daily average is
    daily = cost.change_basis == "daily_average" and cost.daily_average is not None
    what = "Daily spend" if daily else "Spend"
    moved = f"{what} {words} to " if words not in ("", "unchanged") else f"{what} was "
    figure = (
        f"{f.money(cost.daily_average, cur)} so far ({f.money(cost.total, cur)} in all)"
        if daily
        else f.money(cost.total, cur)
    )
    title = f"{moved}{figure}; {top} is the largest line at {f.money(spend[top], cur)}"
    ordered = sorted(spend.items(), key=lambda kv: -kv[1])
    note = None
    if limit is not None and len(ordered) > limit:
        unattributed = [kv for kv in ordered if kv[0] == "Unattributed"]
        kept = [kv for kv in ordered if kv[0] != "Unattributed"][: limit - len(unattributed)]
        rest = [kv for kv in ordered if kv not in kept and kv not in unattributed]
        ordered = sorted(kept + unattributed, key=lambda kv: -kv[1])
        note = (f"Drawn: the {len(kept)} components with the most spend"
                f"{' and Unattributed' if unattributed else ''}. The other {len(rest)} components, "
                f"{f.money(sum(v for _, v in rest), cur)} together, are in the web edition.")  # fmt: skip
    # unrounded: a value rounded to cents first could be written a dollar off its fact ($268.497 -> $269)
    rows = [{"component": k, "spend": v} for k, v in ordered]
    listed = "; ".join(f"{r['component']} {f.money(r['spend'], cur)}" for r in rows)
    description = f"Bar chart of spend by component in {facts.period}, largest first: {listed}."
    if note:
        description += " " + note
    spec = bar_chart(
        rows, category="component", value="spend", title=title, description=description, highlight=top,
        value_format="$,.0f" if cur == "USD" else ",.0f", value_title=f"Spend ({cur})", width=520,
    )  # fmt: skip
    return _with_note(spec, note)


def _with_note(spec: dict[str, Any], note: str | None) -> dict[str, Any]:
    """``note`` (what a shortened chart leaves out, shown under it) kept in ``usermeta.sentinel.note``."""
    if not note:
        return spec
    meta = spec.get("usermeta") or {}
    return {**spec, "usermeta": {**meta, "sentinel": {**(meta.get("sentinel") or {}), "note": note}}}
