"""Blocks of the facts document built from SLO and status results and from content (docs/facts.md).

Content objects are duck-typed (the content loader owns their classes): maintenance has `.slug`, `.title`,
`.components`, `.starts`, `.ends`; recommendations `.slug`, `.title`, `.action`, `.expected_impact`,
`.risk`, `.owner`, `.deadline`; notes `.period` (or `.week` / `.slug`) and `.body`. Missing attributes
become null.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from ..config import SLO, Config, format_duration
from ..model import Gap
from .alerts import AlertState
from .periods import Period, local_date, local_days, local_midnight, to_utc
from .provenance import iso, plain
from .series import SeriesIndex, to_ns
from .slo import SliEvents, SloResult, daily_attainment, window_attainment
from .status import ComponentStatus


def slo_entry(
    slo: SLO,
    result: SloResult,
    alerts: list[AlertState],
    events: SliEvents,
    config: Config,
    kind: str,
    start: dt.datetime,
    end: dt.datetime,
    before: Period,
    as_of: dt.datetime,
) -> dict:
    component = config.component(slo.component)
    period = window_attainment(events, start, end).attainment
    previous = window_attainment(events, before.start, min(before.end, as_of)).attainment
    daily = daily_attainment(events, slo, config, local_days(start, end, config.tz), end)
    entry = {
        "name": slo.name,
        "component": slo.component,
        "component_name": component.name,
        "customer_facing": component.customer_facing,
        "sli": result.sli,
        "objective": slo.objective,
        "window_days": result.window_days,
        "window_kind": slo.window_kind,
        "window": {"start": iso(result.window_start), "end": iso(result.window_end)},
        "budgeting_method": result.budgeting_method,
        "attainment": result.attainment,
        "coverage": result.coverage,
        "data_sufficient": result.data_sufficient,
        "flags": list(result.flags),
        "error_budget": slo.error_budget,
        "budget_consumed": result.budget_consumed,
        "budget_remaining": result.budget_remaining,
        "period_attainment": period,
        "previous_period_attainment": previous,
        "burn_rate": dict(result.burn_rates),
        "time_to_exhaustion_hours": result.time_to_exhaustion_hours,
        "alerts": [
            {
                "severity": a.severity,
                "long": format_duration(a.long),
                "short": format_duration(a.short),
                "threshold": a.threshold,
                "long_burn": a.long_burn,
                "short_burn": a.short_burn,
                "active": a.active,
                "unknown": a.unknown,
            }
            for a in alerts
        ],
        "daily": [
            {
                "date": d.date,
                "attainment": d.attainment,
                "coverage": d.coverage,
                "budget_remaining": d.budget_remaining,
            }
            for d in daily
        ],
        "sources": list(result.sources),
    }
    if kind == "week":
        entry["week_attainment"], entry["previous_week_attainment"] = period, previous
    return entry


def _median_in(
    index: SeriesIndex, component: str, signal: str, start: dt.datetime, end: dt.datetime
) -> float | None:
    series = index.get(component, signal)
    if series is None:
        return None
    i, j = np.searchsorted(series.ts, [to_ns(start), to_ns(end)])
    values = series.values[i:j]
    values = values[~np.isnan(values)]
    return float(np.median(values)) if len(values) else None


def component_entries(
    config: Config, statuses: list[ComponentStatus], index: SeriesIndex, start: dt.datetime, end: dt.datetime
) -> list[dict]:
    """`components[]` in sentinel.yaml order (the status page's order). latency_p95_ms is the median of
    the interval p95 values in the window (a typical p95, not a percentile of all requests)."""
    by_id = {s.component: s for s in statuses}
    out = []
    for c in config.components:
        st = by_id[c.id]
        sources = sorted(
            {s for comp, sig in index.keys() if comp == c.id for s in index.get(comp, sig).sources}
        )  # type: ignore[union-attr]
        out.append(
            {
                "id": c.id,
                "name": c.name,
                "group": c.group,
                "tier": c.tier,
                "customer_facing": c.customer_facing,
                "owner": c.owner,
                "description": c.description,
                "status": st.status,
                "now_coverage": st.now_coverage,
                "open_incidents": list(st.open_incidents),
                "uptime_90d": st.uptime_90d,
                "latency_p95_ms": _median_in(index, c.id, "latency_p95_ms", start, end),
                "days": [
                    {
                        "date": d.date,
                        "status": d.status,
                        "uptime": d.uptime,
                        "coverage": d.coverage,
                        "incidents": list(d.incidents),
                        "gap": d.gap,
                        "maintenance": d.maintenance,
                    }
                    for d in st.days
                ],
                "sources": sources,
            }
        )
    return out


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _maintenance_status(starts: dt.datetime, ends: dt.datetime, at: dt.datetime) -> str:
    if at < starts:
        return "scheduled"
    return "in_progress" if at < ends else "completed"


def content_blocks(content: Any, config: Config, label: str, start: dt.datetime, end: dt.datetime) -> dict:
    """`maintenance[]` (windows ending after the period starts), `recommendations[]` (those proposed before
    the period's end) and `note`."""
    maintenance = []
    for m in getattr(content, "maintenance", None) or ():
        starts, ends = to_utc(_get(m, "starts")), to_utc(_get(m, "ends"))
        if ends <= start:
            continue
        maintenance.append(
            {
                "slug": _get(m, "slug"),
                "title": _get(m, "title"),
                "components": sorted(_get(m, "components", ()) or ()),
                "starts": iso(starts),
                "ends": iso(ends),
                "status": _maintenance_status(starts, ends, end),
            }
        )
    maintenance.sort(key=lambda m: (m["starts"], str(m["slug"])))
    recommendations = [
        {
            "slug": _get(r, "slug"),
            "title": _get(r, "title"),
            "action": _get(r, "action"),
            "expected_impact": _get(r, "expected_impact"),
            "risk": plain(_get(r, "risk")),
            "owner": _get(r, "owner"),
            "deadline": plain(_get(r, "deadline")),
            "origin": "content",
        }
        for r in getattr(content, "recommendations", None) or ()
        # a recommendation appears from the period it was proposed in (always, when it has no date)
        if _get(r, "proposed") is None or local_midnight(_get(r, "proposed"), config.tz) < end
    ]
    recommendations.sort(key=lambda r: str(r["slug"]))
    note = None
    for n in getattr(content, "notes", None) or ():
        if label in (_get(n, "period"), _get(n, "week"), _get(n, "slug")):
            note = _get(n, "body")
    return {"maintenance": maintenance, "recommendations": recommendations, "note": note}


def next_actions(facts: dict, gaps: list[Gap], config: Config, following: Period) -> list[dict]:
    """Content recommendations, open postmortem action items of the period's incidents (and overdue ones of
    the last 90 days' earlier incidents), and rule actions:
    a release freeze for each overspent error budget (the error-budget policy) and closing each component's
    P1 gaps. Rule actions are due on the last day of the next period (the next publication reviews them)."""
    review = local_date(following.end - dt.timedelta(microseconds=1), config.tz).isoformat()
    actions = [
        {"action": r["action"], "owner": r["owner"], "deadline": r["deadline"], "origin": "content"}
        for r in facts["recommendations"]
        if r["action"]
    ]
    own = {inc["id"] for inc in facts["incidents"]}
    earlier = [inc for inc in facts.get("incident_history") or [] if inc["id"] not in own]
    for inc in [*facts["incidents"], *earlier]:
        for item in (inc.get("postmortem") or {}).get("action_items", []):
            # open items of the period's incidents; overdue ones of earlier incidents (last 90 days)
            if not item["done"] and (inc["id"] in own or item["overdue"]):
                actions.append(
                    {
                        "action": item["title"],
                        "owner": item["owner"],
                        "deadline": item["due"],
                        "origin": "postmortem",
                    }
                )
    for s in facts["slos"]:
        if s["budget_remaining"] is not None and s["budget_remaining"] < 0:
            owner = config.component(s["component"]).owner
            action = (
                f"Freeze releases on {s['component_name']} except P0 and security fixes until the "
                f"{s['name']} error budget recovers"
            )
            actions.append({"action": action, "owner": owner, "deadline": review, "origin": "rule"})
    p1: dict[str, list[Gap]] = {}
    for g in gaps:
        if g.priority == "P1" and g.component:
            p1.setdefault(g.component, []).append(g)
    for component, items in sorted(p1.items()):
        try:
            c = config.component(component)
        except KeyError:
            continue
        n = len(items)
        action = (
            f"Close {n} P1 observability gap{'s' if n != 1 else ''} on {c.name}: {items[0].instrumentation}"
        )
        actions.append({"action": action, "owner": c.owner, "deadline": review, "origin": "rule"})
    return sorted(actions, key=lambda a: (str(a["deadline"] or ""), a["origin"], str(a["action"])))
