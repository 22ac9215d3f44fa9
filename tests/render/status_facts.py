"""Hand-built status facts following docs/facts.md, for the status page, API, feed and badge tests.

Tests run with --import-mode=importlib, so test modules load this file by path (see `load()` at the top
of each test module). `facts()` returns a fresh facts model each time; `facts_dict()` the same document as a
dict that tests change freely before `typed()` validates it (keys it leaves out get neutral values through
tests/render/partial_facts.py, so every value a test asserts on is stated here).

The platform: chat-api (tier 1, customer-facing), rag-search (tier 1, customer-facing; with `plant_gap`
it has no data for the last 7 days and is `no_data` now), embeddings (internal, no telemetry at all) and
batch-evals (internal, tier 3). As-of is 2026-11-23 00:00 UTC; days run 2026-08-25 .. 2026-11-22.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

from sentinel_reports.analysis.facts_model import WeekFacts
from sentinel_reports.config import Config


def _load_partial_facts():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "partial_facts", Path(__file__).with_name("partial_facts.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_pf = _load_partial_facts()

AS_OF = "2026-11-23T00:00:00Z"
LAST_DAY = dt.date(2026, 11, 22)
UNSAFE_ID = "../../etc/passwd"
HOSTILE_TITLE = '<script>alert("x")</script> Elevated errors & timeouts'


def config(**status_api: Any) -> Config:
    return Config.model_validate(
        {
            "organization": "Acme AI Platform",
            "components": [
                {
                    "id": "chat-api",
                    "name": "Assistant Chat API",
                    "group": "Customer-facing",
                    "customer_facing": True,
                    "tier": 1,
                    "owner": "Assistant Platform team",
                },
                {
                    "id": "rag-search",
                    "name": "RAG Search",
                    "group": "Customer-facing",
                    "customer_facing": True,
                    "tier": 1,
                    "owner": "Retrieval team",
                },
                {
                    "id": "embeddings",
                    "name": "Embeddings Service",
                    "group": "Internal",
                    "tier": 2,
                    "owner": "Retrieval team",
                },
                {
                    "id": "batch-evals",
                    "name": "Batch Evals",
                    "group": "Internal",
                    "tier": 3,
                    "owner": "Model Quality team",
                },
            ],
            "status_api": status_api,
        }
    )


def _days(status: str = "operational", uptime: float | None = 0.9995) -> list[dict[str, Any]]:
    out = []
    for offset in range(89, -1, -1):
        day = LAST_DAY - dt.timedelta(days=offset)
        out.append(
            {
                "date": day.isoformat(),
                "status": status,
                "uptime": uptime,
                "incidents": [],
                "gap": status == "no_data",
                "maintenance": False,
            }
        )
    return out


def _component(cid: str, name: str, group: str, facing: bool, tier: int, days: list[dict], **kw: Any) -> dict:
    base = {
        "id": cid,
        "name": name,
        "group": group,
        "tier": tier,
        "customer_facing": facing,
        "owner": "Platform team",
        "status": "operational",
        "uptime_90d": 0.9994,
        "latency_p95_ms": 812.0,
        "days": days,
    }
    base.update(kw)
    return base


def typed(data: dict[str, Any]) -> WeekFacts:
    """The facts model of a (changed) `facts_dict()`."""
    return _pf.week_facts(data)


def facts(*, plant_gap: bool = True, incident_mode: bool = False, unsafe_incident: bool = True) -> WeekFacts:
    return typed(
        facts_dict(plant_gap=plant_gap, incident_mode=incident_mode, unsafe_incident=unsafe_incident)
    )


def facts_dict(
    *, plant_gap: bool = True, incident_mode: bool = False, unsafe_incident: bool = True
) -> dict[str, Any]:
    chat_days = _days()
    chat_days[80].update(status="partial_outage", uptime=0.962, incidents=["INC-101"])
    chat_days[60].update(status="under_maintenance", maintenance=True)
    rag_days = _days()
    if plant_gap:
        for d in rag_days[-7:]:
            d.update(status="no_data", uptime=None, gap=True)
    components = [
        _component("chat-api", "Assistant Chat API", "Customer-facing", True, 1, chat_days),
        _component(
            "rag-search",
            "RAG Search",
            "Customer-facing",
            True,
            1,
            rag_days,
            status="no_data" if plant_gap else "operational",
            uptime_90d=0.9991 if plant_gap else 0.9996,
        ),
        _component(
            "embeddings",
            "Embeddings Service",
            "Internal",
            False,
            2,
            _days("no_data", None),
            status="no_data",
            uptime_90d=None,
            latency_p95_ms=None,
        ),
        _component("batch-evals", "Batch Evals", "Internal", False, 3, _days()),
    ]
    incidents = [
        {
            "id": "INC-101",
            "title": "Elevated 5xx on chat completions",
            "severity": "SEV2",
            "status": "resolved",
            "components": ["chat-api"],
            "started_at": "2026-11-12T09:00:00Z",
            "created_at": "2026-11-12T09:04:00Z",
            "detected_at": "2026-11-12T09:02:00Z",
            "acknowledged_at": "2026-11-12T09:10:00Z",
            "mitigated_at": "2026-11-12T09:50:00Z",
            "resolved_at": "2026-11-12T10:30:00Z",
            "duration_minutes": 90.0,
            "impact_minutes": 50.0,
            "customer_impact": True,
            "mtta_minutes": 6.0,
            "time_to_resolve_minutes": 86.0,
            "business_impact": {"amount": 9000.0, "currency": "USD", "assumptions_source": "Finance plan"},
            "postmortem": {
                "slug": "inc-101",
                "status": "published",
                "url": None,
                "action_items": [
                    {
                        "title": "Add a circuit breaker on the model gateway",
                        "owner": "Assistant Platform team",
                        "due": "2026-11-20",
                        "done": False,
                        "overdue": True,
                    },
                ],
            },
            "updates": [
                {
                    "at": "2026-11-12T09:15:00Z",
                    "status": "identified",
                    "body": "Gateway connection pool exhausted after a config rollout.",
                },
                {
                    "at": "2026-11-12T10:30:00Z",
                    "status": "resolved",
                    "body": "Rollout reverted; error rate back under objective.",
                },
            ],
            "url": "javascript:alert(1)",
            "sources": ["pagerduty-1"],
        },
    ]
    if unsafe_incident:
        incidents.append(
            {
                "id": UNSAFE_ID,
                "title": HOSTILE_TITLE,
                "severity": "SEV3",
                "status": "monitoring",
                "components": ["batch-evals"],
                "started_at": "2026-11-22T18:00:00Z",
                "created_at": "2026-11-22T18:05:00Z",
                "acknowledged_at": None,
                "resolved_at": None,
                "duration_minutes": 360.0,
                "impact_minutes": 0.0,
                "customer_impact": False,
                "mtta_minutes": None,
                "time_to_resolve_minutes": None,
                "business_impact": None,
                "postmortem": None,
                "updates": [
                    {
                        "at": "2026-11-22T19:00:00Z",
                        "status": "monitoring",
                        "body": "Queue <b>drained</b>; watching.",
                    }
                ],
                "url": None,
                "sources": ["pagerduty-1"],
            }
        )
    summary = {
        "status": "Unknown" if plant_gap else "Healthy",
        "budget_remaining": None if plant_gap else 0.82,
        "budget_slo": "rag-search-availability",
        "budget_component": "rag-search",
        "active_alerts": 0,
        "informational_alerts": 1,
        "incident_mode": False,
        "incident_mode_detail": None,
    }
    if incident_mode:
        components[0]["status"] = "major_outage"
        incidents.append(
            {
                "id": "INC-200",
                "title": "Chat completions failing",
                "severity": "SEV1",
                "status": "identified",
                "components": ["chat-api"],
                "started_at": "2026-11-22T22:40:00Z",
                "created_at": "2026-11-22T22:42:00Z",
                "acknowledged_at": "2026-11-22T22:45:00Z",
                "resolved_at": None,
                "duration_minutes": 80.0,
                "impact_minutes": 80.0,
                "customer_impact": True,
                "mtta_minutes": 3.0,
                "time_to_resolve_minutes": None,
                "business_impact": None,
                "postmortem": None,
                "updates": [
                    {
                        "at": "2026-11-22T23:00:00Z",
                        "status": "identified",
                        "body": "Failing over inference to the secondary region.",
                    },
                ],
                "url": None,
                "sources": ["pagerduty-1"],
            }
        )
        summary.update(
            status="Major Outage",
            incident_mode=True,
            incident_mode_detail={
                "components": ["chat-api"],
                "since": "2026-11-22T22:40:00Z",
                "next_update": "2026-11-23T00:30:00Z",
            },
        )
    gaps = [
        {
            "kind": "no_source",
            "component": "embeddings",
            "signal": "requests_total",
            "priority": "P2",
            "specific": "no source provides requests_total data for Embeddings Service",
            "limits": "measure availability on Embeddings Service",
            "instrumentation": "export request counts to Prometheus at 5m resolution",
            "start": None,
            "end": None,
            "amount": None,
        },
        {
            "kind": "unattributed_spend",
            "component": None,
            "signal": None,
            "priority": "P2",
            "specific": "$1,234 of spend has no component tag",
            "limits": "attribute spend",
            "instrumentation": "tag spend",
            "start": None,
            "end": None,
            "amount": 1234.0,
        },
    ]
    if plant_gap:
        gaps.insert(
            0,
            {
                "kind": "stale",
                "component": "rag-search",
                "signal": "requests_total",
                "priority": "P1",
                "specific": "the latest requests_total data for RAG Search is from 2026-11-16 00:00 UTC, 7 days before as-of",
                "limits": "measure availability and error-budget burn on RAG Search",
                "instrumentation": "export request counts to Prometheus at 5m resolution",
                "start": None,
                "end": None,
                "amount": None,
                "span_hours": 168.0,
                "resolution_minutes": [5.0],
            },
        )
    for g in gaps:
        g["sentence"] = (
            f"Current observability gap: {g['specific']}. This limits our ability to {g['limits']}. "
            f"Recommended instrumentation: {g['instrumentation']} with priority {g['priority']}."
        )
    return {
        "kind": "week",
        "period": "2026-W47",
        "organization": "Acme AI Platform",
        "timezone": "UTC",
        "currency": "USD",
        "as_of": AS_OF,
        "status_history_days": 90,
        "window": {"start": "2026-11-16T00:00:00Z", "end": AS_OF},
        "summary": summary,
        "slos": [
            {
                "name": "chat-api-availability",
                "component": "chat-api",
                "objective": 0.995,
                "window_days": 28,
                "attainment": 0.9991,
                "budget_remaining": 0.82,
            },
            {
                "name": "rag-search-availability",
                "component": "rag-search",
                "objective": 0.995,
                "window_days": 28,
                "attainment": None if plant_gap else 0.9996,
                "budget_remaining": None if plant_gap else 0.92,
            },
        ],
        "components": components,
        "incidents": incidents,
        "maintenance": [
            {
                "slug": "db-upgrade",
                "title": "Vector DB minor version upgrade",
                "components": ["rag-search"],
                "starts": "2026-11-25T02:00:00Z",
                "ends": "2026-11-25T03:00:00Z",
                "status": "scheduled",
            },
            {
                "slug": "gw-rotate",
                "title": "Gateway certificate rotation",
                "components": ["chat-api"],
                "starts": "2026-09-23T02:00:00Z",
                "ends": "2026-09-23T02:30:00Z",
                "status": "completed",
            },
        ],
        "gaps": gaps,
        "cost": {"currency": "USD", "total": 48211.0, "by_component": {"chat-api": 31000.0}},
    }
