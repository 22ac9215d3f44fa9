"""The status API: facts -> Atlassian Statuspage v2 JSON documents (pure; publish.status writes them).

    docs = api_documents(facts, config)          # {"summary.json": {...}, "incidents/unresolved.json": ...}
    text = dumps(docs["summary.json"])           # sorted keys, UTF-8, trailing newline

Documents follow the public Statuspage v2 shape so existing clients and chat integrations can read them:
``page {id, name, url, time_zone, updated_at}``, ``status {indicator, description}``, ``components[]`` (groups
are components with ``group: true`` and ``components: [ids]``), ``incidents[]`` with ``incident_updates[]``,
and ``scheduled_maintenances[]``. ``shipped schemas/statuspage-v2.schema.json`` describes exactly what we
emit.

Where Statuspage has no word for missing telemetry we do not fall back to "operational": a component (or
group) without data reports ``"status": "no_data"`` plus ``"sentinel": {"observability_gap": true, ...}``.
With ``status_api.strict_enums`` it reports ``degraded_performance`` and keeps the extension, for clients
that validate the enum. The page indicator is never ``none`` while any component has no data.

Deterministic: the page's ``updated_at`` is as-of, every other time comes from the facts, and nothing reads
the clock. Links are absolute under ``site.base_url`` when configured, else relative to the JSON file.
"""

from __future__ import annotations

import json
from typing import Any

from ..analysis.facts_model import Gap, Incident, Maintenance, PeriodFacts
from ..config import Config
from .status_common import (
    INDICATOR_DESCRIPTIONS,
    INDICATOR_RANK,
    NO_DATA,
    STATUS_INDICATOR,
    STATUS_RANK,
    api_status,
    file_ids,
    impact_of,
    iso,
    maintenance_status,
    slug,
    status_incidents,
)


class _Links:
    """Links of one API document: absolute under ``site.base_url``, else relative to the document's folder.

    The documents live in ``status/api/v2/`` and one level below it (``incidents/unresolved.json``), so a
    relative link climbs two folders, plus one per folder of the document's own path, to reach ``status/``.
    """

    def __init__(self, config: Config, document: str = "summary.json"):
        base = config.site.base_url
        up = "../" * (2 + document.count("/"))
        self.absolute = bool(base)
        self.root = base.rstrip("/") + "/status/" if base else up

    def status_page(self) -> str:
        return self.root if self.absolute else f"{self.root}index.html"

    def incident(self, file_id: str) -> str:
        return f"{self.root}incidents/{file_id}.html"

    def maintenance(self, file_id: str) -> str:
        return f"{self.root}index.html#maintenance-{file_id}"


def _gap_for(facts: PeriodFacts, component_ids: list[str]) -> Gap | None:
    """The observability gap that explains why the given components have no data now: a stale series first,
    then any gap still open at as-of (no end, or ending at as-of), then older ones; by priority within each."""
    wanted = set(component_ids)
    as_of = iso(facts.as_of)
    gaps = [g for g in facts.gaps if g.component in wanted and g.amount is None]

    def rank(g: Gap) -> tuple[int, str, str, str]:
        end = iso(g.end)
        current = end is None or (as_of is not None and end >= as_of)
        order = 0 if g.kind == "stale" else 1 if current else 2
        return order, str(g.priority or "P9"), str(g.component), str(g.specific)

    gaps.sort(key=rank)
    return gaps[0] if gaps else None


def _sentinel(facts: PeriodFacts, component_ids: list[str], names: list[str]) -> dict[str, Any]:
    gap = _gap_for(facts, component_ids)
    if gap is not None:
        specific = str(gap.specific)
    else:
        specific = f"no current telemetry for {', '.join(names)} (coverage below the configured minimum)"
    ext: dict[str, Any] = {
        "observability_gap": True,
        "status": NO_DATA,
        "specific": specific,
        "components": component_ids,
    }
    if gap is not None:
        ext["priority"] = gap.priority
        ext["sentence"] = gap.sentence
    return ext


def build_components(facts: PeriodFacts, config: Config, page_id: str) -> list[dict[str, Any]]:
    """Leaf components in config order, then one group component per configured group."""
    as_of = iso(facts.as_of)
    strict = config.status_api.strict_enums
    by_id = {c.id: c for c in facts.components}
    groups: dict[str, list[str]] = {}
    leaf_ids = {c.id for c in config.components}
    group_ids: dict[str, str] = {}
    for comp in config.components:
        if comp.group not in group_ids:
            gid = f"group-{slug(comp.group)}"
            while gid in leaf_ids or gid in group_ids.values():
                gid += "-g"
            group_ids[comp.group] = gid
        groups.setdefault(comp.group, []).append(comp.id)

    def entry(cid: str, name: str, status: str, description: str | None, start: str | None) -> dict[str, Any]:
        return {
            "id": cid,
            "name": name,
            "status": status,
            "created_at": f"{start}T00:00:00Z" if start else as_of,
            "updated_at": as_of,
            "position": 0,
            "description": description,
            "showcase": True,
            "start_date": start,
            "group_id": None,
            "page_id": page_id,
            "group": False,
            "only_show_if_degraded": False,
        }

    out: list[dict[str, Any]] = []
    statuses: dict[str, str] = {}
    for comp in config.components:
        fact = by_id.get(comp.id)
        days = fact.days if fact else []
        status = api_status(fact.status if fact else None)
        statuses[comp.id] = status
        item = entry(
            comp.id, comp.name, status, comp.description or None, days[0].date.isoformat() if days else None
        )
        item["group_id"] = group_ids[comp.group]
        if status == NO_DATA:
            item["sentinel"] = _sentinel(facts, [comp.id], [comp.name])
        out.append(item)
    starts = [c["start_date"] for c in out if c["start_date"]]
    for group, members in groups.items():
        status = max((statuses[m] for m in members), key=STATUS_RANK.__getitem__)
        item = entry(group_ids[group], group, status, None, min(starts) if starts else None)
        item["group"] = True
        item["components"] = list(members)
        if status == NO_DATA:
            blind = [m for m in members if statuses[m] == NO_DATA]
            item["sentinel"] = _sentinel(facts, blind, [config.component(m).name for m in blind])
        out.append(item)
    for position, item in enumerate(out, start=1):
        item["position"] = position
        if strict and item["status"] == NO_DATA:
            item["status"] = "degraded_performance"
    return out


# Timeline moments of an incident record -> (Statuspage update status, body). Bodies state only what the
# record says; a responder is named by role, never by person.
TIMELINE = (
    ("created_at", "investigating", "Incident opened; the on-call team is investigating."),
    ("acknowledged_at", "investigating", "Acknowledged by the on-call responder; investigation under way."),
    ("mitigated_at", "monitoring", "Mitigation in place; monitoring recovery."),
    ("resolved_at", "resolved", "Resolved."),
)


def incident_updates(inc: Incident) -> list[dict[str, Any]]:
    """Every update of an incident, oldest first: the record's timeline, the written updates and, when it
    carries a date, the postmortem's publication. Real status pages always show at least the opening one."""
    written = [
        {"at": iso(u.at), "status": str(u.status or inc.status or "investigating"), "body": str(u.body or "")}
        for u in inc.updates
    ]
    taken = {(u["at"], u["status"]) for u in written}
    derived = []
    for key, status, body in TIMELINE:
        at = iso(getattr(inc, key) or (inc.started_at if key == "created_at" else None))
        if at and (at, status) not in taken:
            derived.append({"at": at, "status": status, "body": body})
            taken.add((at, status))
    postmortem = inc.postmortem
    published = iso(postmortem.published_on) if postmortem else None
    if postmortem and published and postmortem.status == "published":
        derived.append({"at": published, "status": "postmortem", "body": "Postmortem published."})
    order = {"investigating": 0, "identified": 1, "monitoring": 2, "resolved": 3, "postmortem": 4}
    return sorted(derived + written, key=lambda u: (u["at"], order.get(u["status"], 1)))


def _incident(inc: Incident, file_id: str, page_id: str, links: _Links, components: dict[str, dict]) -> dict:
    updates = incident_updates(inc)
    status = str(inc.status or "investigating")
    created = iso(inc.created_at or inc.started_at)
    times = [created] + [u["at"] for u in updates] + [iso(inc.resolved_at)]
    updated = max(t for t in times if t)
    monitoring = next((u["at"] for u in updates if u["status"] == "monitoring"), None)
    items = []
    for n, u in enumerate(reversed(updates), start=1):
        items.append(
            {
                "id": f"{file_id}-u{len(updates) - n + 1}",
                "incident_id": str(inc.id),
                "status": u["status"],
                "body": u["body"],
                "created_at": u["at"],
                "updated_at": u["at"],
                "display_at": u["at"],
            }
        )
    return {
        "id": str(inc.id),
        "name": str(inc.title or inc.id),
        "status": status,
        "impact": impact_of(inc.severity),
        "created_at": created,
        "updated_at": updated,
        "started_at": iso(inc.started_at) or created,
        "monitoring_at": monitoring,
        "resolved_at": iso(inc.resolved_at),
        "shortlink": links.incident(file_id),
        "page_id": page_id,
        "incident_updates": items,
        "components": [components[c] for c in inc.components if c in components],
        "sentinel": {"severity": inc.severity, "customer_impact": bool(inc.customer_impact)},
    }


def _maintenance(
    m: Maintenance, file_id: str, as_of: str, page_id: str, links: _Links, components: dict
) -> dict:
    status = maintenance_status(m, as_of)
    starts, ends = iso(m.starts), iso(m.ends)
    created = min(t for t in (starts, as_of) if t)
    body = str(m.title or "")
    update = {
        "id": f"{file_id}-u1",
        "incident_id": str(m.slug),
        "status": status,
        "body": body,
        "created_at": created,
        "updated_at": created,
        "display_at": created,
    }
    return {
        "id": str(m.slug),
        "name": str(m.title or m.slug),
        "status": status,
        "impact": "maintenance",
        "created_at": created,
        "updated_at": created,
        "started_at": starts,
        "monitoring_at": None,
        "resolved_at": ends if status == "completed" else None,
        "scheduled_for": starts,
        "scheduled_until": ends,
        "shortlink": links.maintenance(file_id),
        "page_id": page_id,
        "incident_updates": [update],
        "components": [components[c] for c in m.components if c in components],
    }


def page_status(components: list[dict[str, Any]], incidents: list[dict[str, Any]], config: Config) -> dict:
    """The rolled-up indicator: the worst of leaf component statuses and unresolved incident impacts.

    A component without data raises the indicator to at least ``minor``: the page never says ``none``
    (all operational) while part of the platform cannot be seen.
    """
    leaves = [c for c in components if not c["group"]]
    blind = [c for c in leaves if c.get("sentinel", {}).get("observability_gap")]
    seen = [STATUS_INDICATOR[c["status"]] for c in leaves if c not in blind]
    real = max(seen + [i["impact"] for i in incidents] + ["none"], key=INDICATOR_RANK.__getitem__)
    indicator = max(real, "minor", key=INDICATOR_RANK.__getitem__) if blind else real
    if real != "none":
        description = INDICATOR_DESCRIPTIONS[real]
    elif blind:
        description = "Partially Degraded Service"  # the standard words for "minor" that claim no outage
    elif any(c["status"] == "under_maintenance" for c in leaves):
        description = "Service Under Maintenance"
    else:
        description = "All Systems Operational"
    # The standard field carries a standard description only (clients show it verbatim); what cannot be
    # seen is said in the extension.
    status: dict[str, Any] = {"indicator": indicator, "description": description}
    if blind:
        facing = {c.id for c in config.components if c.customer_facing}
        status["sentinel"] = {
            "observability_gap": True,
            "description": "Observability Gap: No Current Data for " + ", ".join(c["name"] for c in blind),
            "components": [c["id"] for c in blind],
            "customer_facing": [c["id"] for c in blind if c["id"] in facing],
        }
    return status


DOCUMENTS = (
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
)


def api_documents(facts: PeriodFacts, config: Config) -> dict[str, dict[str, Any]]:
    """Every API document by its path under ``status/api/v2/``, each with links that resolve from it."""
    by_depth: dict[int, dict[str, dict[str, Any]]] = {}
    for path in DOCUMENTS:
        depth = path.count("/")
        if depth not in by_depth:
            by_depth[depth] = _documents(facts, config, _Links(config, path))
    return {path: by_depth[path.count("/")][path] for path in DOCUMENTS}


def _documents(facts: PeriodFacts, config: Config, links: _Links) -> dict[str, dict[str, Any]]:
    as_of = iso(facts.as_of)
    assert as_of is not None
    page_id = slug(config.organization)
    page = {
        "id": page_id,
        "name": config.site.title or f"{config.organization} status",
        "url": links.status_page(),
        "time_zone": config.timezone,
        "updated_at": as_of,
    }
    components = build_components(facts, config, page_id)
    leaf = {c["id"]: c for c in components if not c["group"]}
    raw_incidents = sorted(
        status_incidents(facts), key=lambda i: (str(iso(i.started_at)), str(i.id)), reverse=True
    )
    inc_ids = file_ids(str(i.id) for i in raw_incidents)
    incidents = [_incident(i, inc_ids[str(i.id)], page_id, links, leaf) for i in raw_incidents]
    unresolved = [i for i in incidents if i["status"] not in ("resolved", "postmortem")]
    raw_maint = sorted(facts.maintenance, key=lambda m: (str(iso(m.starts)), str(m.slug)), reverse=True)
    m_ids = file_ids(str(m.slug) for m in raw_maint)
    maintenances = [_maintenance(m, m_ids[str(m.slug)], as_of, page_id, links, leaf) for m in raw_maint]
    upcoming = sorted(
        (m for m in maintenances if m["status"] == "scheduled"), key=lambda m: m["scheduled_for"] or ""
    )
    active = [m for m in maintenances if m["status"] in ("in_progress", "verifying")]
    status = page_status(components, unresolved, config)
    return {
        "summary.json": {
            "page": page,
            "status": status,
            "components": components,
            "incidents": unresolved,
            "scheduled_maintenances": active + upcoming,
        },
        "status.json": {"page": page, "status": status},
        "components.json": {"page": page, "components": components},
        "incidents.json": {"page": page, "incidents": incidents[:50]},
        "incidents/unresolved.json": {"page": page, "incidents": unresolved},
        "scheduled-maintenances.json": {"page": page, "scheduled_maintenances": maintenances[:50]},
        "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": upcoming},
        "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": active},
    }


def dumps(document: dict[str, Any]) -> str:
    """Stable JSON: sorted keys, two-space indent, UTF-8 text, trailing newline."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
