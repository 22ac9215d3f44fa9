"""Values derived from other facts, stored under keys of their own so every figure a publication shows is a fact.

A renderer or narrator formats facts and computes nothing; the changes, shares and counts they show are added
here, once, to the facts document (docs/facts.md lists them):

- ``slos[].attainment_change_pp``: this period's attainment minus the previous period's (a fraction
  difference, shown in pp): ``week_attainment - previous_week_attainment`` for a week,
  ``period_attainment - previous_period_attainment`` for a quarter;
- ``slos[].previous_budget_remaining`` (passed in: the budget remaining at the end of the previous period) and
  ``slos[].budget_remaining_change_pp``;
- ``slos[].period_budget_consumed``: the share of the error budget the period's own attainment spends,
  ``(1 - period_attainment) / (1 - objective)``;
- ``cost.per_successful_task_change{component}``: cost per successful task against the previous period's,
  ``now / before - 1`` (null when either is missing or the previous one is 0);
- ``cost.by_team_share{team}``: each team's spend as a share of the period's total;
- ``incidents[].revenue_share``: each incident's revenue at risk as a share of the period's
  ``business.revenue_at_risk_total`` (null when either is unknown or the total is 0);
- ``cost.overrun_count`` and ``cost.projected_budget_count``: the teams projected over their monthly budget,
  of the teams with a projection;
- ``components[].history_days``, ``days_with_uptime``, ``days_not_operational`` and ``gap_days``: the
  status history's days, those with an uptime figure, those not operational (any status but operational,
  or an observability gap) and those with a gap;
- ``gap_counts {total, p1, p2, p3, p4, longest_missing_run_hours}`` (observability gaps by priority, the
  longest run of missing data) and ``slo_counts {total,
  customer_facing}``;
- ``gap_counts.not_in_deck_table`` and ``incident_stats.not_in_deck_table``: the gaps and incidents after the
  first ``DECK_GAP_ROWS`` and ``DECK_INCIDENT_ROWS`` the deck's tables show ("6 more gaps are listed in the
  speaker notes");
- ``sources[].file_count`` and ``more_files`` (the files after the first), and ``source_totals {count, file_count, rows}`` (``rows`` null when a source's count is
  unknown), ``source_types[] {name, sources, file_count, rows, start, end}`` by type.

Each value is null when an input is null: missing data stays an explicit gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import parse_timestamp

DECK_GAP_ROWS = 6  # rows of the deck's observability gaps table; the rest are in its speaker notes
DECK_INCIDENT_ROWS = 8  # rows of the deck's incident cost table


def add_derived(facts: dict[str, Any], previous_budget: Mapping[str, float | None]) -> None:
    """Add the derived keys to ``facts`` in place; ``previous_budget`` maps an SLO to its budget remaining
    at the end of the previous period."""
    week = facts.get("kind") == "week"
    for s in facts.get("slos") or []:
        now = s.get("week_attainment") if week else s.get("period_attainment")
        before = s.get("previous_week_attainment") if week else s.get("previous_period_attainment")
        s["attainment_change_pp"] = _diff(now, before)
        s["previous_budget_remaining"] = previous_budget.get(s["name"])
        s["budget_remaining_change_pp"] = _diff(s.get("budget_remaining"), s["previous_budget_remaining"])
        attained, objective = s.get("period_attainment"), s.get("objective")
        s["period_budget_consumed"] = (
            None
            if attained is None or objective is None or objective >= 1
            else (1 - attained) / (1 - objective)
        )
    cost = facts.get("cost")
    if isinstance(cost, dict):
        now_task, before_task = (
            cost.get("per_successful_task") or {},
            cost.get("previous_per_successful_task") or {},
        )
        cost["per_successful_task_change"] = {
            c: (None if v is None or not before_task.get(c) else v / before_task[c] - 1)
            for c, v in now_task.items()
        }
        total = cost.get("total")
        cost["by_team_share"] = {
            t: (None if v is None or not total else v / total) for t, v in (cost.get("by_team") or {}).items()
        }
        projected = [b for b in cost.get("budgets") or [] if b.get("projected_month_end") is not None]
        cost["overrun_count"] = sum(1 for b in projected if (b.get("projected_share") or 0) > 1)
        cost["projected_budget_count"] = len(projected)
    total_at_risk = (facts.get("business") or {}).get("revenue_at_risk_total")
    for incident in facts.get("incidents") or []:
        amount = (incident.get("business_impact") or {}).get("amount")
        incident["revenue_share"] = amount / total_at_risk if amount is not None and total_at_risk else None
    for c in facts.get("components") or []:
        days = c.get("days") or []
        c["history_days"] = len(days)
        c["days_with_uptime"] = sum(1 for d in days if d.get("uptime") is not None)
        c["gap_days"] = sum(1 for d in days if d.get("gap") or d.get("status") == "no_data")
        c["days_not_operational"] = sum(
            1 for d in days if d.get("status") not in ("operational", "healthy") or d.get("gap")
        )
    gaps = facts.get("gaps") or []
    facts["gap_counts"] = {
        "total": len(gaps),
        **{p.lower(): sum(1 for g in gaps if g.get("priority") == p) for p in ("P1", "P2", "P3", "P4")},
    }
    runs = [_hours(g) for g in gaps if g.get("kind") == "missing_run" and g.get("start") and g.get("end")]
    facts["gap_counts"]["longest_missing_run_hours"] = max(runs, default=None)
    facts["gap_counts"]["not_in_deck_table"] = max(0, len(gaps) - DECK_GAP_ROWS)
    if isinstance(facts.get("incident_stats"), dict):
        facts["incident_stats"]["not_in_deck_table"] = max(
            0, len(facts.get("incidents") or []) - DECK_INCIDENT_ROWS
        )
    facts["slo_counts"] = {
        "total": len(facts.get("slos") or []),
        "customer_facing": sum(1 for s in facts.get("slos") or [] if s.get("customer_facing")),
    }
    sources = facts.get("sources") or []
    for source in sources:
        source["file_count"] = len(source.get("files") or [])
        source["more_files"] = max(0, source["file_count"] - 1)  # "<first file> and 5 more"
    facts["source_totals"] = {
        "count": len(sources),
        "file_count": sum(s["file_count"] for s in sources),
        "rows": _sum([s.get("rows") for s in sources]),
    }
    types: dict[str, list[dict[str, Any]]] = {}
    for source in sources:
        types.setdefault(str(source.get("type") or ""), []).append(source)
    facts["source_types"] = [
        {
            "name": kind,
            "sources": len(members),
            "file_count": sum(m["file_count"] for m in members),
            "rows": _sum([m.get("rows") for m in members]),
            "start": min((m["start"] for m in members if m.get("start")), default=None),
            "end": max((m["end"] for m in members if m.get("end")), default=None),
        }
        for kind, members in sorted(types.items())
    ]


def _hours(gap: Mapping[str, Any]) -> float:
    start, end = (parse_timestamp(str(gap[k])) for k in ("start", "end"))
    return (end - start).total_seconds() / 3600


def _diff(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def _sum(values: list[Any]) -> int | None:
    return None if any(v is None for v in values) else sum(values)
