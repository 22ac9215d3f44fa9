"""A small week of facts in the documented shape (docs/facts.md), shared by the narrative tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

COMPONENT_NAMES = ("Assistant Chat API", "Retrieval Search API", "chat-api", "rag-search")

WEEK_FACTS: dict[str, Any] = {
    "kind": "week",
    "period": "2026-W47",
    "previous_period": "2026-W46",
    "next_period": None,
    "organization": "Acme AI Platform",
    "timezone": "UTC",
    "currency": "USD",
    "as_of": "2026-11-22T23:00:00Z",
    "window": {"start": "2026-11-16T00:00:00Z", "end": "2026-11-22T23:00:00Z"},
    "coverage": {"telemetry": 0.974, "evidence_days": 7},
    "summary": {
        "status": "Degraded",
        "budget_remaining": 0.4123,
        "budget_slo": "chat-api-availability",
        "budget_component": "chat-api",
        "active_alerts": 3,
        "informational_alerts": 2,
        "incident_mode": False,
        "incident_mode_detail": None,
    },
    "slos": [
        {
            "name": "chat-api-availability",
            "component": "chat-api",
            "component_name": "Assistant Chat API",
            "customer_facing": True,
            "sli": "availability",
            "objective": 0.995,
            "error_budget": 0.005,
            "window_days": 28,
            "attainment": 0.99706,
            "budget_consumed": 0.5877,
            "budget_remaining": 0.4123,
            "week_attainment": 0.9954,
            "previous_week_attainment": 0.9982,
            "period_attainment": 0.9954,
            "previous_period_attainment": 0.9982,
            "burn_rate": {
                "5m": 1.2,
                "30m": 1.9,
                "1h": 2.34,
                "6h": 1.59,
                "1d": 1.4,
                "3d": 1.1,
                "window": 0.59,
            },
            "time_to_exhaustion_hours": 120,
            "data_sufficient": True,
            "alerts": [{"severity": "ticket", "long": "3d", "short": "6h", "threshold": 1, "long_burn": 1.1}],
        }
    ],
    "components": [
        {
            "id": "chat-api",
            "name": "Assistant Chat API",
            "group": "Customer-facing",
            "tier": 1,
            "customer_facing": True,
            "owner": "Assistant Platform team",
            "status": "degraded_performance",
            "uptime_90d": 0.9987,
            "latency_p95_ms": 2340,
        },
        {
            "id": "rag-search",
            "name": "Retrieval Search API",
            "group": "Customer-facing",
            "tier": 2,
            "customer_facing": True,
            "owner": "Search team",
            "status": "operational",
            "uptime_90d": 0.9996,
            "latency_p95_ms": 810.4,
        },
    ],
    "incidents": [
        {
            "id": "INC-1042",
            "title": "Elevated 5xx on chat completions",
            "severity": "SEV2",
            "components": ["chat-api"],
            "started_at": "2026-11-18T14:05:00Z",
            "resolved_at": "2026-11-18T15:40:00Z",
            "duration_minutes": 95,
            "impact_minutes": 95,
            "mtta_minutes": 4,
            "customer_impact": True,
        }
    ],
    "incident_stats": {"count": 1, "count_by_severity": {"SEV1": 0, "SEV2": 1, "SEV3": 0, "SEV4": 0}},
    "cost": {
        "currency": "USD",
        "total": 12412.37,
        "previous_total": 14104.97,
        "week_over_week": -0.12,
        "by_component": {"chat-api": 9000.12, "rag-search": 3412.25},
        "unattributed": 0.0,
        "per_successful_task": {"chat-api": 0.0421},
        "cache": {"hit_rate": 0.38, "saving": 1234.56, "price_source": "provider price page, 2026-11"},
    },
    "recommendations": [
        {
            "slug": "raise-timeout",
            "action": "Raise the retrieval timeout",
            "expected_impact": "cuts p95 by 300 ms",
            "deadline": "2026-11-30",
        }
    ],
    "next_actions": [{"action": "Add TTFT export", "owner": "Search team", "deadline": "2026-11-30"}],
    "gaps": [],
}


@pytest.fixture
def week_facts() -> dict[str, Any]:
    return copy.deepcopy(WEEK_FACTS)


def _filler(annotation: Any, as_of: str) -> Any:
    """The neutral value of a key a hand-built document leaves out: null where the model allows it, else
    an empty list, dict or string, zero, false, the as-of time, or the block with its own keys filled."""
    import datetime as dt
    import types
    import typing

    from sentinel_reports.analysis.facts_model import FactsBase

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _filler(args[0], as_of)
    if origin in (typing.Union, types.UnionType):
        return None if type(None) in args else _filler(args[0], as_of)
    if origin is typing.Literal:
        return args[0]
    if origin is list:
        return []
    if origin is dict:
        return {}
    if isinstance(annotation, type) and issubclass(annotation, FactsBase):
        return _complete(annotation, {}, as_of)
    if annotation is dt.datetime:
        return as_of
    if annotation is dt.date:
        return as_of[:10]
    return {str: "", int: 0, float: 0.0, bool: False}[annotation]


def _complete(model: type, data: dict[str, Any], as_of: str) -> dict[str, Any]:
    out = dict(data)
    for name, field in model.model_fields.items():
        if name not in out:
            if field.is_required():
                out[name] = _filler(field.annotation, as_of)
            continue
        out[name] = _completed_value(field.annotation, out[name], as_of)
    return out


def _completed_value(annotation: Any, value: Any, as_of: str) -> Any:
    import types
    import typing

    from sentinel_reports.analysis import facts_model as fm

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        if args[0] is not fm.dt.datetime and typing.get_origin(args[0]) is typing.Union:  # the verdict events
            kinds = {typing.get_type_hints(m)["kind"].__args__[0]: m for m in typing.get_args(args[0])}
            return _complete(kinds[value["kind"]], value, as_of) if isinstance(value, dict) else value
        return _completed_value(args[0], value, as_of)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in args if a is not type(None)]
        return _completed_value(inner[0], value, as_of) if len(inner) == 1 else value
    if origin is list and isinstance(value, list):
        return [_completed_value(args[0], v, as_of) for v in value]
    if origin is dict and isinstance(value, dict):
        return {k: _completed_value(args[1], v, as_of) for k, v in value.items()}
    if isinstance(annotation, type) and issubclass(annotation, fm.FactsBase) and isinstance(value, dict):
        return _complete(annotation, value, as_of)
    return value


def as_facts(data: Any) -> Any:
    """The facts model of a hand-built (partial) facts dict: every key it leaves out gets its neutral value
    (see `_filler`), so a test states only what it is about. A facts model is returned as it is."""
    from sentinel_reports.analysis.facts_model import FactsBase, QuarterFacts, WeekFacts, facts_from_dict

    if isinstance(data, FactsBase):
        return data

    model = QuarterFacts if data.get("kind") == "quarter" else WeekFacts
    return facts_from_dict(_complete(model, data, str(data.get("as_of") or "2026-11-23T00:00:00Z")))
