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
                        # only where an SLO missed: the key is left out of facts.json on other days
                        **({"below": list(d.below)} if d.below else {}),
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


GAP_OPEN_ACTION = dt.timedelta(weeks=2)
"""A P1 or P2 gap open longer than this becomes a Next Action."""


def _postmortems_due(facts: dict, config: Config) -> list[dict]:
    """A resolved SEV1/SEV2 whose postmortem is not published (as known at the period's close) once
    `incidents.postmortem_due` business days have passed since it was resolved; due on that day."""
    from .memory import business_days_after

    today = local_date(to_utc(facts["window"]["end"]) - dt.timedelta(microseconds=1), config.tz)
    own = {inc["id"] for inc in facts["incidents"]}
    earlier = [inc for inc in facts.get("incident_history") or [] if inc["id"] not in own]
    out = []
    for inc in [*facts["incidents"], *earlier]:
        if inc["severity"] not in ("SEV1", "SEV2") or not inc.get("resolved_at"):
            continue
        if (inc.get("postmortem") or {}).get("status") == "published":
            continue
        resolved = local_date(to_utc(inc["resolved_at"]), config.tz)
        due = business_days_after(resolved, config.incidents.postmortem_due)
        if due >= today:
            continue
        component = (inc.get("components") or [None])[0]
        owner = (
            config.component(component).owner if component in config.component_ids else "Incident commander"
        )
        state = "not published" if inc.get("postmortem") else "no postmortem"
        out.append({
            "action": f"Publish the postmortem of {inc['severity']} {inc['id']} (resolved {resolved.isoformat()}; "
                      f"due {due.isoformat()}, {state} so far)",
            "owner": owner, "deadline": due.isoformat(), "origin": "postmortem", "kind": "postmortem_due",
        })  # fmt: skip
    return out


def _long_open_gaps(gaps: list[Gap], config: Config, facts: dict) -> list[dict]:
    """Each P1/P2 gap with a known start open longer than GAP_OPEN_ACTION at the period's end; due the day
    it passed that age."""
    end = to_utc(facts["window"]["end"])
    out = []
    for g in gaps:
        if g.priority not in ("P1", "P2") or g.start is None or end - g.start <= GAP_OPEN_ACTION:
            continue
        if g.kind not in ("stale", "missing_run") or g.component not in config.component_ids:
            continue
        weeks = int((end - g.start) / dt.timedelta(weeks=1))
        since = local_date(g.start, config.tz).isoformat()
        out.append({
            "action": f"Close the {g.priority} gap open since {since} ({weeks} weeks): {g.specific}",
            "owner": config.component(g.component).owner,
            "deadline": local_date(g.start + GAP_OPEN_ACTION, config.tz).isoformat(), "origin": "rule",
            "kind": "gap_open",
        })  # fmt: skip
    return out


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
    memory = facts.get("recommendation_memory") or {}
    actions += _postmortems_due(facts, config)
    actions += _long_open_gaps(gaps, config, facts)
    for s in facts["slos"]:
        if s["budget_remaining"] is not None and s["budget_remaining"] < 0:
            owner = config.component(s["component"]).owner
            # a recurring freeze keeps the deadline it was first given (analysis/memory.py)
            kept = (memory.get(f"rule:freeze:{s['component']}") or {}).get("deadline")
            action = (
                f"Freeze releases on {s['component_name']} except P0 and security fixes until the "
                f"{s['name']} error budget recovers"
            )
            actions.append({"action": action, "owner": owner, "deadline": kept or review, "origin": "rule"})
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
        kept = (memory.get(f"rule:instrument:{component}") or {}).get("deadline")
        actions.append({"action": action, "owner": c.owner, "deadline": kept or review, "origin": "rule"})
    return sorted(actions, key=lambda a: (str(a["deadline"] or ""), a["origin"], str(a["action"])))
