"""PagerDuty Analytics raw incidents: severity, times, services, and no person names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sentinel_reports.collectors.pagerduty import PagerDutyCollector, PagerDutyOptions
from sentinel_reports.errors import SourceError
from tests.collectors._cost_ctx import INCIDENTS, make_ctx

SERVICES = {"PCHAT01": "chat-api", "Vector Search": "rag-api"}
NAMES = ("Dana Whitfield", "Marcus Okafor", "PUSER1")


def collect(path: str, project: Path = INCIDENTS, **options: object):
    opts = PagerDutyOptions(type="pagerduty", path=path, **options)
    return PagerDutyCollector().collect(opts, make_ctx(project))


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def test_json_export_maps_severity_times_and_components() -> None:
    batch = collect("pagerduty_raw_incidents.json", services=SERVICES)
    chat, rag = batch.incidents
    assert (chat.id, chat.severity, chat.status, chat.components) == (
        "Q1CHAT101",
        "SEV1",
        "resolved",
        ("chat-api",),
    )
    assert chat.acknowledged_at == utc("2026-11-16T10:05:00+00:00")
    assert chat.resolved_at == utc("2026-11-16T11:30:00+00:00") and chat.customer_impact
    assert chat.title == "Chat API elevated 5xx after deploy"
    assert (rag.severity, rag.status, rag.components) == ("SEV3", "investigating", ("rag-api",))
    assert rag.created_at == utc("2026-11-17T13:00:00+00:00") and rag.resolved_at is None
    assert not rag.customer_impact
    assert batch.summary["by_severity"] == {"SEV1": 1, "SEV2": 0, "SEV3": 1, "SEV4": 0}


def test_csv_export_and_resolve_from_seconds() -> None:
    batch = collect("pagerduty_raw_incidents.csv", services=SERVICES)
    first, second = batch.incidents
    assert (first.severity, first.resolved_at) == ("SEV2", utc("2026-11-20T14:45:00+00:00"))
    assert (second.severity, second.status) == ("SEV2", "identified")  # high urgency, acknowledged
    assert second.acknowledged_at == utc("2026-11-21T02:10:00+00:00")


@pytest.mark.parametrize("name", ["pagerduty_raw_incidents.json", "pagerduty_raw_incidents.csv"])
def test_no_person_name_survives(name: str) -> None:
    text = repr(collect(name, services=SERVICES).incidents)
    assert not [n for n in NAMES if n in text]


def test_unmapped_service_is_reported() -> None:
    batch = collect("pagerduty_raw_incidents.json", services={"PCHAT01": "chat-api"})
    assert batch.summary["unmapped_services"] == ["Vector Search"]
    assert batch.incidents[1].components == ()


def write(tmp_path: Path, **fields: object) -> str:
    rec = {
        "id": "Q1",
        "priority_name": "P2",
        "urgency": "high",
        "created_at": "2026-11-16T10:00:00Z",
    } | fields
    (tmp_path / "pd.json").write_text(json.dumps({"data": [rec]}), encoding="utf-8")
    return "pd.json"


def test_unknown_priority_is_an_error_listing_known_labels(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        collect(write(tmp_path, priority_name="P0-critical"), tmp_path)
    assert err.value.row == 1 and err.value.column == "priority_name"
    assert "P1" in str(err.value) and "SEV4" in str(err.value)


def test_custom_severity_map_replaces_defaults(tmp_path: Path) -> None:
    batch = collect(write(tmp_path, priority_name="Sev-A"), tmp_path, severity={"Sev-A": "SEV1"})
    assert batch.incidents[0].severity == "SEV1"


def test_resolved_before_created_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        collect(write(tmp_path, resolved_at="2026-11-16T09:00:00Z"), tmp_path)
    assert "resolved before it was created" in str(err.value) and err.value.column == "resolved_at"


def test_negative_seconds_to_ack_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="seconds"):
        collect(write(tmp_path, seconds_to_first_ack=-5), tmp_path)


def test_repeated_incident_keeps_the_last_record(tmp_path: Path) -> None:
    recs = [
        {"id": "Q1", "priority_name": "P3", "created_at": "2026-11-16T10:00:00Z"},
        {
            "id": "Q1",
            "priority_name": "P3",
            "created_at": "2026-11-16T10:00:00Z",
            "resolved_at": "2026-11-16T12:00:00Z",
        },
    ]
    (tmp_path / "pd.json").write_text(json.dumps({"data": recs}), encoding="utf-8")
    batch = collect("pd.json", tmp_path)
    assert batch.duplicates_dropped == 1 and batch.incidents[0].status == "resolved"
