"""Incident exports: PagerDuty Analytics raw incidents, incident.io v2 incidents, and a generic incident CSV.

Vendor exports carry people: PagerDuty's `resolved_by_user_name`, incident.io's role assignees and creator.
The demo fills them with obviously fictional names so tests can prove the collectors drop them.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from .files import Writer, iso
from .scenario import IncidentSpec, Scenario

FICTIONAL_PEOPLE = ("Alex Example", "Sam Placeholder", "Jordan Sample", "Riley Fictional", "Casey Testperson")
PD_PRIORITY = {"SEV1": "P1", "SEV2": "P2", "SEV3": "P3", "SEV4": "P4"}
INCIDENTIO_SEVERITY = {
    "SEV1": ("Critical", 3),
    "SEV2": ("Major", 2),
    "SEV3": ("Minor", 1),
    "SEV4": ("Low", 0),
}


def _id(prefix: str, key: str, length: int) -> str:
    digest = hashlib.sha256(f"{prefix}/{key}".encode()).hexdigest().upper()
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "".join(alphabet[int(digest[i : i + 2], 16) % 32] for i in range(0, 2 * length, 2))


def pagerduty_id(spec: IncidentSpec) -> str:
    """The PagerDuty incident id of a scenario incident (postmortems are named after it)."""
    return "Q" + _id("pd", spec.key, 13)


def incidentio_reference(scenario: Scenario, spec: IncidentSpec) -> str:
    ordered = [i.key for i in sorted(scenario.incidents, key=lambda i: i.created) if i.system == "incidentio"]
    return f"INC-{212 + ordered.index(spec.key)}"


def _seconds(a: dt.datetime, b: dt.datetime) -> int:
    return int((b - a).total_seconds())


def pagerduty(w: Writer, scenario: Scenario, relpath: str, services: dict[str, tuple[str, str]]) -> None:
    """`POST /analytics/raw/incidents` response.

    A PagerDuty incident belongs to one service: an outage that paged several services is recorded, as
    responders merge it, on the first affected component's service.
    """
    rows = []
    specs = sorted((i for i in scenario.incidents if i.system == "pagerduty"), key=lambda i: i.created)
    for n, spec in enumerate(specs):
        component = spec.components[0]
        service_id, team = services[component]
        resolver = FICTIONAL_PEOPLE[n % len(FICTIONAL_PEOPLE)]
        rows.append(
            {
                "id": pagerduty_id(spec),
                "incident_number": 4100 + 3 * n,
                "description": spec.title,
                "created_at": iso(spec.created),
                "resolved_at": iso(spec.resolved),
                "service_id": service_id,
                "service_name": component,
                "team_id": "P" + _id("team", team, 6),
                "team_name": team,
                "escalation_policy_id": "P" + _id("ep", component, 6),
                "escalation_policy_name": f"{component} on-call",
                "priority_id": "P" + _id("prio", spec.severity, 6),
                "priority_name": PD_PRIORITY[spec.severity],
                "priority_order": 4 - int(spec.severity[-1]),
                "urgency": "high" if spec.severity in ("SEV1", "SEV2") else "low",
                "major": spec.severity == "SEV1",
                "auto_resolved": False,
                "seconds_to_first_ack": _seconds(spec.created, spec.acknowledged),
                "seconds_to_engage": _seconds(spec.created, spec.acknowledged) + 120,
                "seconds_to_mobilize": _seconds(spec.created, spec.acknowledged) + 600,
                "seconds_to_resolve": _seconds(spec.created, spec.resolved),
                "engaged_seconds": _seconds(spec.acknowledged, spec.resolved),
                "engaged_user_count": 3 if spec.severity == "SEV1" else 1,
                "active_user_count": 3 if spec.severity == "SEV1" else 1,
                "acknowledgement_count": 1,
                "assignment_count": 2 if spec.severity == "SEV1" else 1,
                "escalation_count": 1 if spec.severity == "SEV1" else 0,
                "manual_escalation_count": 0,
                "timeout_escalation_count": 1 if spec.severity == "SEV1" else 0,
                "reassignment_count": 0,
                "snoozed_seconds": 0,
                "user_defined_effort_seconds": None,
                "business_hour_interruptions": 2 if 8 <= spec.created.hour < 18 else 0,
                "off_hour_interruptions": 0 if 8 <= spec.created.hour < 18 else 1,
                "sleep_hour_interruptions": 1 if spec.created.hour < 6 else 0,
                "total_interruptions": 2,
                "total_notifications": 4,
                "resolved_by_user_id": "P" + _id("user", resolver, 6),
                "resolved_by_user_name": resolver,
                # incident custom fields (PagerDuty's custom fields API), merged into the export
                "custom_fields": [
                    {"name": "ai_incident_class", "value": spec.incident_class},
                    *({"name": key, "value": team} for key, team in spec.roles),
                ]
                if spec.incident_class
                else [],
            }
        )
    rows.sort(key=lambda r: r["created_at"], reverse=True)
    doc = {
        "data": rows,
        "ending_before": None,
        "filters": {"created_at_start": iso(scenario.start), "created_at_end": iso(scenario.end)},
        "first": rows[-1]["id"] if rows else None,
        "last": rows[0]["id"] if rows else None,
        "limit": 1000,
        "more": False,
        "order": "desc",
        "order_by": "created_at",
        "starting_after": None,
        "time_zone": "Etc/UTC",
    }
    w.json(relpath, doc, indent=2)


def incidentio(w: Writer, scenario: Scenario, relpath: str) -> None:
    """`GET /v2/incidents` response (one page) with severities, statuses, timestamps and role assignments."""
    specs = sorted((i for i in scenario.incidents if i.system == "incidentio"), key=lambda i: i.created)
    incidents = []
    for n, spec in enumerate(specs):
        reference = incidentio_reference(scenario, spec)
        number = reference.split("-")[1]
        name, rank = INCIDENTIO_SEVERITY[spec.severity]
        lead, comms = FICTIONAL_PEOPLE[(n + 3) % 5], FICTIONAL_PEOPLE[(n + 1) % 5]
        timestamps = (
            ("Impact started", spec.started),
            ("Reported at", spec.created),
            ("Accepted at", spec.acknowledged),
            ("Fixed at", spec.mitigated),
            ("Resolved at", spec.resolved),
        )
        incidents.append(
            {
                "id": "01J" + _id("inc", spec.key, 23),
                "reference": reference,
                "name": spec.title,
                "summary": spec.summary,
                "mode": "standard",
                "visibility": "public",
                "permalink": f"https://app.incident.io/acme-ai/incidents/{number}",
                "created_at": iso(spec.created),
                "updated_at": iso(spec.resolved + dt.timedelta(hours=1)),
                "severity": {
                    "id": "01H" + _id("sev", name, 23),
                    "name": name,
                    "description": "",
                    "rank": rank,
                },
                "incident_status": {
                    "id": "01H" + _id("status", "closed", 23),
                    "name": "Closed",
                    "category": "closed",
                    "description": "The incident is closed.",
                    "rank": 4,
                },
                "incident_type": {
                    "id": "01H" + _id("type", "default", 23),
                    "name": "Default",
                    "is_default": True,
                },
                "incident_timestamp_values": [
                    {
                        "incident_timestamp": {
                            "id": "01H" + _id("ts", label, 23),
                            "name": label,
                            "rank": i + 1,
                        },
                        "value": {"value": iso(at)},
                    }
                    for i, (label, at) in enumerate(timestamps)
                ],
                "custom_field_entries": [
                    {
                        "custom_field": {
                            "id": "01H" + _id("cf", "affected", 23),
                            "name": "Affected services",
                            "field_type": "multi_select",
                        },
                        "values": [
                            {"value_option": {"id": "01H" + _id("opt", c, 23), "value": c}}
                            for c in spec.components
                        ],
                    },
                    {
                        "custom_field": {
                            "id": "01H" + _id("cf", "customer", 23),
                            "name": "Customer impact",
                            "field_type": "single_select",
                        },
                        "values": [{"value_option": {"value": "Yes" if spec.customer_impact else "No"}}],
                    },
                    *_ai_fields(spec),
                ],
                "incident_role_assignments": [
                    _role("Incident Lead", "lead", lead),
                    _role("Communications Lead", "custom", comms),
                ],
                "creator": {"user": _person(comms)},
                "duration_metrics": [
                    {
                        "duration_metric": {"id": "01H" + _id("dm", "ttr", 23), "name": "Time to resolve"},
                        "value_seconds": _seconds(spec.created, spec.resolved),
                    }
                ],
                "slack_channel_id": "C0" + _id("slack", spec.key, 9),
                "slack_channel_name": f"inc-{number}-{spec.components[0]}",
                "has_debrief": spec.severity in ("SEV1", "SEV2"),
            }
        )
    incidents.sort(key=lambda i: i["created_at"], reverse=True)
    w.json(relpath, {"incidents": incidents, "pagination_meta": {"after": None, "page_size": 250}}, indent=2)


def _ai_fields(spec: IncidentSpec) -> list[dict]:
    """The AI incident class and the AICS roles (held by teams or roles) as incident.io custom fields."""
    fields = [("AI incident class", spec.incident_class)] if spec.incident_class else []
    out = []
    for name, value in [*fields, *spec.roles]:
        out.append(
            {
                "custom_field": {
                    "id": "01H" + _id("cf", name, 23),
                    "name": name,
                    "field_type": "single_select",
                },
                "values": [{"value_option": {"id": "01H" + _id("opt", value, 23), "value": value}}],
            }
        )
    return out


def _person(name: str) -> dict:
    handle = name.lower().replace(" ", ".")
    return {
        "id": "01H" + _id("user", name, 23),
        "name": name,
        "email": f"{handle}@example.com",
        "role": "responder",
    }


def _role(name: str, role_type: str, person: str) -> dict:
    return {
        "role": {"id": "01H" + _id("role", name, 23), "name": name, "role_type": role_type, "required": True},
        "assignee": _person(person),
    }


INCIDENT_CSV_COLUMNS = (
    "id", "title", "severity", "status", "components", "started_at", "detected_at", "acknowledged_at",
    "mitigated_at", "resolved_at", "customer_impact",
)  # fmt: skip


def incidents_csv(w: Writer, scenario: Scenario, relpath: str) -> None:
    """A generic incident table, as a team that tracks incidents in a spreadsheet would export it."""
    rows = []
    for n, spec in enumerate(
        sorted((i for i in scenario.incidents if i.system == "csv"), key=lambda i: i.created)
    ):
        rows.append(
            (
                f"INC-{n + 1:03d}",
                spec.title,
                spec.severity,
                "resolved",
                ";".join(spec.components),
                iso(spec.started),
                iso(spec.created),
                iso(spec.acknowledged),
                iso(spec.mitigated),
                iso(spec.resolved),
                "true" if spec.customer_impact else "false",
            )
        )
    w.csv(relpath, INCIDENT_CSV_COLUMNS, rows)
