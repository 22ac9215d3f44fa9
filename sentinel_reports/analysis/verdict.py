"""The verdict on a period: the one line a publication puts directly under its summary line.

The summary line states the platform *now* (at as-of, or at a closed period's close); the verdict states what
happened *during the period*. It lists the worst events of the period, worst first:

1. `incident`: SEV1 and SEV2 incidents with customer impact in the window (impact_minutes > 0), SEV1 first,
   then by impact minutes;
2. `objective_missed`: SLOs whose attainment over the window (`period_attainment`) is below their objective,
   customer-facing first, then by shortfall;
3. `page_alert`: SLOs on which a page alert fired during the window (`alerts_fired`);
4. `budget_exhausted`: SLOs whose error budget is exhausted (remaining ≤ 0) at the window's end; the
   error-budget policy puts a release freeze on their component.

With no such event, "no incident, every objective met" may be said only when the sources behind it cover the
period (`claims`):

- `claims.incidents_covered`: the incident sources cover at least `gaps.min_coverage` of the window;
- `claims.no_incident`: that, and no SEV1/SEV2 incident with customer impact. The incident sources cover at least `gaps.min_coverage` of the window. An incident
  source covers from its earliest record to as-of (an export holds no record of the time before its first
  one, so an empty or later-starting export cannot vouch for a quiet period);
- `claims.objectives_covered`: every SLO has window coverage of at least `gaps.min_coverage` and so has the
  telemetry as a whole (what "met" needs besides the attainment itself);
- `claims.objectives_met`: every SLO has attainment over the window, each with window coverage (events /
  expected intervals) of at least `gaps.min_coverage`, none below its objective, and the telemetry coverage
  of the window is at least `gaps.min_coverage`.

`state` is `events` (at least one event), `clear` (none, and both claims hold) or `unconfirmed` (none, but a
claim lacks coverage: the publication writes the gap sentence of each entry in `gaps[]` instead). An
incident record that does not cover the window is also an observability gap of the period (kind
`low_coverage`, signal `incidents`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ..config import Config
from ..model import Gap, SourceReport, gap_priority
from .provenance import gap_entry, iso

INCIDENT_SOURCE_TYPES = frozenset({"pagerduty", "incidentio", "incidents_csv"})
SERIOUS = ("SEV1", "SEV2")


def incident_coverage(
    sources: Iterable[SourceReport], start: dt.datetime, end: dt.datetime
) -> tuple[float, dt.datetime | None]:
    """(share of [start, end) covered by the incident sources, the earliest incident record)."""
    firsts = [r.start for r in sources if r.type in INCIDENT_SOURCE_TYPES and r.start is not None]
    if not firsts or end <= start:
        return 0.0, None
    first = min(firsts)
    covered = (end - max(start, first)).total_seconds() / (end - start).total_seconds()
    return min(1.0, max(0.0, covered)), first


def _priority(config: Config) -> str:
    """The gap priority of the platform: that of its most critical customer-facing component."""
    order = {"P1": 0, "P2": 1, "P3": 2}
    facing = [c for c in config.components if c.customer_facing] or list(config.components)
    return min((gap_priority(c.tier, c.customer_facing) for c in facing), key=order.__getitem__, default="P3")


def period_verdict(
    facts: Mapping[str, Any],
    config: Config,
    sources: Iterable[SourceReport],
    slo_period_coverage: Mapping[str, float | None],
    start: dt.datetime,
    end: dt.datetime,
) -> tuple[dict[str, Any], list[Gap]]:
    """(`verdict` facts, gaps of the period the verdict found) from the assembled facts of one period."""
    min_cov = config.gaps.min_coverage
    label = str(facts["period"])
    incidents = list(facts.get("incidents") or [])
    slos = list(facts.get("slos") or [])
    serious = sorted(
        (
            i
            for i in incidents
            if i.get("severity") in SERIOUS
            and i.get("customer_impact")
            and (i.get("impact_minutes") or 0) > 0
        ),
        key=lambda i: (i["severity"], -float(i["impact_minutes"]), str(i["id"])),
    )
    events: list[dict[str, Any]] = [
        {
            "kind": "incident",
            "id": i["id"],
            "severity": i["severity"],
            "components": list(i.get("components") or []),
            "impact_minutes": i["impact_minutes"],
        }
        for i in serious
    ]
    missed = sorted(
        (
            s
            for s in slos
            if s.get("period_attainment") is not None and s["period_attainment"] < s["objective"]
        ),
        key=lambda s: (not s.get("customer_facing"), s["period_attainment"] - s["objective"], s["name"]),
    )
    events += [
        {
            "kind": "objective_missed",
            "slo": s["name"],
            "component": s["component"],
            "customer_facing": bool(s.get("customer_facing")),
            "period_attainment": s["period_attainment"],
            "objective": s["objective"],
        }
        for s in missed
    ]
    paged = [s for s in slos if any(e.get("severity") == "page" for e in s.get("alerts_fired") or [])]
    events += [{"kind": "page_alert", "slo": s["name"], "component": s["component"]} for s in paged]
    exhausted = [s for s in slos if s.get("budget_remaining") is not None and s["budget_remaining"] <= 0]
    events += [
        {
            "kind": "budget_exhausted",
            "slo": s["name"],
            "component": s["component"],
            "budget_remaining": s["budget_remaining"],
        }
        for s in exhausted
    ]

    covered, first = incident_coverage(sources, start, end)
    telemetry = (facts.get("coverage") or {}).get("telemetry")
    thin = sorted(
        s["name"]
        for s in slos
        if s.get("period_attainment") is None or (slo_period_coverage.get(s["name"]) or 0.0) < min_cov
    )
    no_incident = covered >= min_cov and not serious
    objectives_met = bool(slos) and not missed and not thin and telemetry is not None and telemetry >= min_cov
    others = [i for i in incidents if i not in serious]

    gaps: list[Gap] = []
    priority = _priority(config)
    if covered < min_cov:
        since = (
            f"incident records start {first:%Y-%m-%d}"
            if first is not None
            else "no incident source is configured"
        )
        gaps.append(
            Gap(
                kind="low_coverage",
                component=None,
                signal="incidents",
                specific=(
                    f"the incident record covers {covered:.0%} of {label} ({since})"
                    if first is not None
                    else f"no incident record covers {label} ({since})"
                ),
                limits=f"state whether an incident affected customers in {label}",
                instrumentation=(
                    "an incident export (PagerDuty, incident.io or an incident CSV) that reaches back to the "
                    "start of the period"
                ),
                priority=priority,  # type: ignore[arg-type]
                start=start,
                end=end,
                sources=tuple(sorted(r.id for r in sources if r.type in INCIDENT_SOURCE_TYPES)),
            )
        )
    verdict_gaps = [gap_entry(g) for g in gaps]
    if not objectives_met and not missed:
        if not slos:
            specific = "no SLO is configured"
        elif telemetry is None or telemetry < min_cov:
            specific = f"telemetry covers {'no' if telemetry is None else f'{telemetry:.1%} of the'} intervals of {label}"
        else:
            specific = f"{', '.join(thin)} {'has' if len(thin) == 1 else 'have'} too little data in {label}"
        verdict_gaps.append(
            {
                "kind": "low_coverage",
                "component": None,
                "signal": "slo",
                "specific": specific,
                "limits": f"state whether every objective was met in {label}",
                "instrumentation": "complete SLI exports (good and total counts, latency) for the whole period",
                "priority": priority,
                "sentence": Gap(
                    "low_coverage",
                    None,
                    "slo",
                    specific,
                    f"state whether every objective was met in {label}",
                    "complete SLI exports (good and total counts, latency) for the whole period",
                    priority,  # type: ignore[arg-type]
                ).sentence,
            }
        )
    state = "events" if events else ("clear" if no_incident and objectives_met else "unconfirmed")
    verdict = {
        "state": state,
        "events": events,
        "counts": {
            "serious_incidents": len(serious),
            "objectives_missed": len(missed),
            "page_alert_slos": len(paged),
            "exhausted_budgets": len(exhausted),
            "other_incidents": len(others),
        },
        "freeze_components": sorted({s["component"] for s in exhausted}),
        "claims": {
            "incidents_covered": covered >= min_cov,
            "objectives_covered": not thin and telemetry is not None and telemetry >= min_cov,
            "no_incident": no_incident,
            "objectives_met": objectives_met,
        },
        "coverage": {
            "incidents": round(covered, 4),
            "incidents_from": iso(first),
            "telemetry": telemetry,
            "slos_without_period_data": thin,
        },
        "gaps": verdict_gaps if state != "events" else [],
    }
    return verdict, gaps
