"""The internal status page: facts -> template context -> HTML (incident pages: render.status_incident).

    html = render_status_page(env, facts, config, content)              # status/index.html

The page reads only facts (``docs/facts.md``): ``summary``, ``components[]`` with 90 ``days[]``,
``slos[]``, ``incidents[]``, ``incident_history[]``, ``maintenance[]`` and ``gaps[]``. Order of the page: the
summary line (or the incident-mode banner while a major outage is active), components by group, active
incidents, maintenance, observability gaps (highest priority first) and the incident history of the last 90
days, with the ids the day bars name outside it.

Rules kept here: a day or component without data is "Observability gap", never operational; a missing
figure prints "no data", never 0 or 100%; every day's details are in the HTML (visually hidden text in the
bar plus a table of the days that were not operational), so nothing needs JavaScript; cost figures (and
cost-only gaps that state amounts) are left out; incident and maintenance ids become file names only
through ``status_common.file_ids``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment

from ..analysis.facts_model import Component, ComponentDay, Incident, PeriodFacts, Slo, Summary
from ..config import Config
from ..model import parse_timestamp
from ..narrative import aiops, voice
from .environment import render_page
from .formatting import GAP, duration_minutes, number, overspend, pct, status_token
from .markdown import render_markdown
from .status_common import api_status, file_ids, iso, maintenance_status, status_incidents

HISTORY_DAYS = 90
PAGE_PATH = "status/index.html"
# status token -> compact class of a day cell (styled in theme/static/status.css)
CELL_CLASS = {
    "operational": "o",
    "degraded": "d",
    "partial_outage": "p",
    "major_outage": "x",
    "maintenance": "m",
    "no_data": "g",
}
COST_GAP_KINDS = frozenset(
    {
        "unattributed_spend",
        "currency_mismatch",
        "missing_assumption",
        "budget_without_spend",
        "spend_without_budget",
        "team_tag_mismatch",
    }
)
_SEVERITY_ORDER = {"SEV1": 0, "SEV2": 1, "SEV3": 2, "SEV4": 3}
_OPEN = ("investigating", "identified", "monitoring")


def summary_line(summary: Summary) -> str:
    """``**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)``."""
    budget_text = voice.budget_text(summary.budget_remaining)
    active = int(summary.active_alerts or 0)
    info = int(summary.informational_alerts or 0)
    alerts = f"{active} active alert{'' if active == 1 else 's'} ({info} informational)"
    return f"**Current AI Platform Status: {summary.status or 'Unknown'}** | Error budget remaining: {budget_text} | {alerts}"


def component_names(config: Config, facts: PeriodFacts) -> dict[str, str]:
    names = {c.id: str(c.name or c.id) for c in facts.components}
    names.update({c.id: c.name for c in config.components})
    return names


def _day(
    day: ComponentDay, incident_files: dict[str, str], objectives: Mapping[str, float]
) -> dict[str, Any]:
    """One day of a component's bar and day list; ``objectives`` by SLO name, for the SLOs the day missed."""
    token = status_token(api_status(day.status))
    gap = bool(day.gap) or token.key == "no_data"
    uptime = day.uptime
    parts = [token.word]
    if token.key != "no_data" and gap:
        parts.append("observability gap")
    if uptime is not None:
        parts.append(f"uptime {pct(uptime, 2)}")
    elif token.key != "no_data":
        parts.append("uptime no data")
    incidents = [str(i) for i in day.incidents]
    if incidents:
        parts.append(f"{len(incidents)} incident{'s' if len(incidents) > 1 else ''} ({', '.join(incidents)})")
    if day.maintenance and token.key != "maintenance":
        parts.append("maintenance")
    if day.below:
        parts.append(f"{', '.join(day.below)} under objective")
    return {
        "date": day.date.isoformat(),
        "cls": CELL_CLASS[token.key] + (" h" if gap and token.key != "no_data" else ""),
        "text": f"{day.date.isoformat()}: {', '.join(parts)}",
        "token": token,
        "uptime": pct(uptime, 2),
        "gap": gap,
        "maintenance": bool(day.maintenance),
        "incidents": [
            {"id": i, "href": f"incidents/{incident_files[i]}.html" if i in incident_files else None}
            for i in incidents
        ],
        "operational": token.key == "operational" and not gap,
        "below": [
            f"{name} under its {pct(objectives[name], 2)} objective"
            if name in objectives
            else f"{name} under objective"
            for name in day.below
        ],
    }


def _budget_text(value: float | None) -> str:
    if value is None:
        return "unknown (observability gap)"
    if value < 0:
        return f"exhausted, overspent by {overspend(value)}"
    return f"{pct(value, 0)} remaining"


def _slo(slo: Slo) -> dict[str, Any]:
    return {
        "name": str(slo.name),
        "attainment": pct(slo.attainment, 2),
        "objective": pct(slo.objective, 2),
        "budget": _budget_text(slo.budget_remaining),
        "budget_gap": slo.budget_remaining is None,
        "window_days": f"{slo.window_days:g}",
    }


def _component(
    c: Component,
    slos: list[Slo],
    incident_files: dict[str, str],
    badge_files: dict[str, str],
    objectives: Mapping[str, float],
) -> dict:
    """``objectives``: every SLO's objective by name (`_day`)."""
    days = [_day(d, incident_files, objectives) for d in c.days]
    token = status_token(api_status(c.status))
    latency = c.latency_p95_ms
    return {
        "id": str(c.id),
        "anchor": f"component-{badge_files[str(c.id)]}",
        "name": str(c.name or c.id),
        "status": api_status(c.status),
        "token": token,
        "uptime": pct(c.uptime_90d, 2),
        "uptime_gap": c.uptime_90d is None,
        "latency": f"{number(latency, 0)} ms" if latency is not None else GAP,
        "slos": [_slo(s) for s in slos if s.component == c.id],
        "days": days,
        "first": days[0]["date"] if days else None,
        "last": days[-1]["date"] if days else None,
        "not_operational": [d for d in days if not d["operational"]],
        # the counts are facts (analysis/derived.py)
        "history_days": c.history_days,
        "days_not_operational": c.days_not_operational,
        "gap_days": c.gap_days,
        "days_with_uptime": c.days_with_uptime,
        "badge": f"badges/{badge_files[str(c.id)]}.svg",
        "customer_facing": bool(c.customer_facing),
    }


def incident_view(inc: Incident, names: dict[str, str], incident_files: dict[str, str]) -> dict[str, Any]:
    updates = sorted(inc.updates, key=lambda u: u.at, reverse=True)
    status = str(inc.status or "investigating")
    return {
        "id": str(inc.id),
        "href": f"incidents/{incident_files[str(inc.id)]}.html",
        "title": str(inc.title or inc.id),
        "severity": str(inc.severity or "not recorded"),
        "status": status,
        "open": status in _OPEN,
        "components": ", ".join(names.get(c, c) for c in inc.components) or "no component recorded",
        "started_at": iso(inc.started_at),
        "resolved_at": iso(inc.resolved_at),
        "duration": duration_minutes(inc.duration_minutes),
        "updates": [{"at": iso(u.at), "status": u.status, "body": u.body} for u in updates],
        "postmortem": inc.postmortem,
    }


def _gaps(facts: PeriodFacts, names: dict[str, str]) -> list[dict[str, Any]]:
    """Status-relevant gaps, P1 first; gaps about spend (which state amounts) belong to the brief."""
    out = []
    for g in facts.gaps:
        if g.kind in COST_GAP_KINDS or g.amount is not None:
            continue
        sentence = g.sentence or (
            f"Current observability gap: {g.specific}. This limits our ability to {g.limits}. "
            f"Recommended instrumentation: {g.instrumentation} with priority {g.priority}."
        )
        component = g.component
        out.append(
            {
                "priority": str(g.priority or "P3"),
                "component": names.get(component, component) if component is not None else None,
                "sentence": sentence,
            }
        )
    return sorted(out, key=lambda g: (g["priority"], str(g["component"] or "~"), g["sentence"]))


def _banner(facts: PeriodFacts, names: dict[str, str], incidents: list[dict[str, Any]]) -> dict | None:
    summary = facts.summary
    detail = summary.incident_mode_detail
    if not summary.incident_mode:
        return None
    affected_ids = list(detail.components) if detail else []
    related = [
        i
        for i in incidents
        if i["open"] and (not affected_ids or set(affected_ids) & set(i["component_ids"]))
    ]
    related.sort(key=lambda i: (_SEVERITY_ORDER.get(i["severity"], 9), str(i["started_at"])))
    lead = related[0] if related else None
    if lead and lead["updates"]:
        action = f"{lead['updates'][0]['status'].capitalize()}: {lead['updates'][0]['body']}"
    elif lead:
        action = f"Incident {lead['id']} is open ({lead['status']}); no update has been published yet."
    else:
        action = "No open incident record is linked to this outage yet."
    return {
        "affected": ", ".join(names.get(c, c) for c in affected_ids) or "the platform",
        "since": (iso(detail.since) if detail else None) or (lead["started_at"] if lead else None),
        "action": action,
        "next_update": iso(detail.next_update) if detail else None,
        "href": lead["href"] if lead else None,
    }


def _history_label(facts: PeriodFacts) -> str:
    """What the incident list covers: the days of ``incident_history``."""
    return f"last {facts.status_history_days} days"


def _unlisted(groups: dict[str, list[dict]], incident_files: dict[str, str]) -> list[str]:
    """Incident ids the day bars name that have no record in the incident list (outside its window)."""
    ids = {i["id"] for rows in groups.values() for c in rows for d in c["days"] for i in d["incidents"]}
    return sorted(ids - set(incident_files))


def _remote_images(config: Any) -> bool:
    return bool(getattr(getattr(config, "content", None), "allow_remote_images", False))


def _maintenance_body(content: Any, slug: str, remote_images: bool = False) -> str | None:
    """The markdown body of ``content/maintenance/<slug>.md`` as HTML (raw HTML off), if there is one."""
    for item in getattr(content, "maintenance", None) or ():
        if str(getattr(item, "slug", "")) == slug and str(getattr(item, "body", "")).strip():
            return render_markdown(str(item.body), remote_images=remote_images)
    return None


_DRIFT_STATE = {"ok": "operational", "warn": "degraded", "critical": "major_outage", None: "no_data"}


def _quality_signals(facts: PeriodFacts, names: dict[str, str]) -> list[dict[str, Any]]:
    """Drift scores as quality signals: the latest level per component, with its thresholds."""
    return [
        {
            "component": names.get(d.component, d.component),
            "state": _DRIFT_STATE[d.level],
            "word": f"Drift {d.level}" if d.level else "Drift: no thresholds",
            "text": aiops.drift_observation(d, names),
        }
        for d in facts.drift
    ]


def status_context(facts: PeriodFacts, config: Config, content: Any = None) -> dict[str, Any]:
    """Everything status.html needs, formatted."""
    as_of = iso(facts.as_of) or ""
    names = component_names(config, facts)
    raw_incidents = status_incidents(facts)
    incident_files = file_ids(str(i.id) for i in raw_incidents)
    badge_files = file_ids(str(c.id) for c in facts.components)
    slos = list(facts.slos)
    objectives = {str(s.name): s.objective for s in slos}
    order = {c.id: n for n, c in enumerate(config.components)}
    groups: dict[str, list[dict]] = {}
    for c in sorted(facts.components, key=lambda c: order.get(c.id, len(order))):
        groups.setdefault(str(c.group or "Components"), []).append(
            _component(c, slos, incident_files, badge_files, objectives)
        )
    incidents = []
    for inc in raw_incidents:
        item = incident_view(inc, names, incident_files)
        item["component_ids"] = list(inc.components)
        incidents.append(item)
    active = sorted(
        (i for i in incidents if i["open"]),
        key=lambda i: (_SEVERITY_ORDER.get(i["severity"], 9), str(i["started_at"])),
    )
    cutoff = iso(parse_timestamp(as_of) - dt.timedelta(days=HISTORY_DAYS))
    history = sorted(
        (
            i
            for i in incidents
            if i["open"] or (iso(i["resolved_at"] or i["started_at"]) or "") >= (cutoff or "")
        ),
        key=lambda i: (str(iso(i["started_at"])), i["id"]),
        reverse=True,
    )
    raw_maint = list(facts.maintenance)
    m_files = file_ids(str(m.slug) for m in raw_maint)
    maintenance = []
    for m in sorted(raw_maint, key=lambda m: (str(iso(m.starts)), str(m.slug))):
        status = maintenance_status(m, as_of)
        if status != "completed":
            maintenance.append(
                {
                    "anchor": f"maintenance-{m_files[str(m.slug)]}",
                    "title": str(m.title or m.slug),
                    "status": status,
                    "components": ", ".join(names.get(c, c) for c in m.components),
                    "starts": iso(m.starts),
                    "ends": iso(m.ends),
                    "body": _maintenance_body(content, str(m.slug), _remote_images(config)),
                }
            )
    summary = facts.summary
    return {
        "title": "Status",
        "site_title": config.site.title or config.organization,
        "as_of": as_of,
        # "now" is judged on the hour ending at the latest fresh sample (analysis/status.py)
        "data_as_of": iso(summary.data_as_of) or as_of,
        "summary_text": summary_line(summary),
        "summary_state": summary.status or "Unknown",
        "incident": _banner(facts, names, incidents),
        "groups": [{"name": name, "components": rows} for name, rows in groups.items()],
        "active_incidents": active,
        "maintenance": maintenance,
        "gaps": _gaps(facts, names),
        "quality_signals": _quality_signals(facts, names),
        "history": history,
        "history_label": _history_label(facts),
        "history_days": facts.status_history_days,
        "unlisted_incidents": _unlisted(groups, incident_files),
        "legend": [status_token(k) for k in CELL_CLASS],
        "cell_class": CELL_CLASS,
        "nav": [
            {"href": "status/index.html", "label": "Status"},
            {"href": "status/history.atom", "label": "Atom feed"},
            {"href": "status/api/v2/summary.json", "label": "Status API"},
        ],
    }


def render_status_page(env: Environment, facts: PeriodFacts, config: Config, content: Any = None) -> str:
    return render_page(env, "status.html", page_path=PAGE_PATH, **status_context(facts, config, content))
