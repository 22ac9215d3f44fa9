"""incident.io v2 incidents: status categories, named timestamps, custom-field components, no person names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sentinel_reports.collectors.incidentio import IncidentIoCollector, IncidentIoOptions
from sentinel_reports.errors import SourceError
from tests.collectors._cost_ctx import INCIDENTS, make_ctx


def collect(path: str, project: Path = INCIDENTS, **options: object):
    opts = IncidentIoOptions(type="incidentio", path=path, **options)
    return IncidentIoCollector().collect(opts, make_ctx(project))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


OPTIONS = {
    "components_field": "Affected services",
    "services": {"Vector Search": "rag-api", "Chat API": "chat-api"},
}


def test_incidents_are_mapped() -> None:
    batch = collect("incidentio_incidents_v2.json", **OPTIONS)
    assert [i.id for i in batch.incidents] == ["INC-123", "INC-124"]
    live, closed = batch.incidents
    assert (live.severity, live.status, live.components) == ("SEV2", "monitoring", ("rag-api", "chat-api"))
    assert live.started_at == at("2026-11-18T08:45:00+00:00")
    assert live.acknowledged_at == at("2026-11-18T09:05:00+00:00")
    assert live.mitigated_at == at("2026-11-18T09:40:00+00:00") and live.resolved_at is None
    assert live.url == "https://app.incident.io/acme/incidents/123"
    assert (closed.severity, closed.status, closed.customer_impact) == ("SEV1", "resolved", True)
    assert closed.started_at == at("2026-11-19T12:00:00+00:00")  # no "Impact started": reported
    assert closed.resolved_at == at("2026-11-19T13:15:00+00:00")
    assert batch.summary["skipped_not_incidents"] == 2  # declined + test mode


def test_no_person_name_or_email_survives() -> None:
    text = repr(collect("incidentio_incidents_v2.json", **OPTIONS).incidents)
    for fragment in ("Priya", "Raman", "example.com", "Jordan Lee"):
        assert fragment not in text


def test_id_field_option() -> None:
    batch = collect("incidentio_incidents_v2.json", id_field="id")
    assert batch.incidents[0].id == "01HX2M9QK7ZC8V4B6N1P3R5T7W"
    assert batch.incidents[0].components == ()  # no components_field configured


def base_incident(**fields: object) -> dict:
    inc = {
        "id": "01A", "reference": "INC-9", "name": "x", "mode": "standard",
        "severity": {"name": "Minor"}, "incident_status": {"category": "closed", "name": "Closed"},
        "created_at": "2026-11-18T09:00:00Z",
    }  # fmt: skip
    return inc | fields


def write(tmp_path: Path, inc: dict) -> str:
    (tmp_path / "io.json").write_text(json.dumps({"incidents": [inc]}), encoding="utf-8")
    return "io.json"


def test_unknown_severity_lists_known_names(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as err:
        collect(write(tmp_path, base_incident(severity={"name": "Catastrophic"})), tmp_path)
    assert err.value.column == "severity.name" and "Critical" in str(err.value)


def test_resolved_before_created_is_an_error(tmp_path: Path) -> None:
    stamps = [{"incident_timestamp": {"name": "Resolved at"}, "value": {"value": "2026-11-18T08:00:00Z"}}]
    with pytest.raises(SourceError, match="resolved before it was created"):
        collect(write(tmp_path, base_incident(incident_timestamp_values=stamps)), tmp_path)


def test_resolved_without_timestamp_is_counted_not_invented(tmp_path: Path) -> None:
    batch = collect(write(tmp_path, base_incident()), tmp_path)
    assert batch.incidents[0].resolved_at is None
    assert batch.summary["resolved_without_timestamp"] == 1 and batch.warnings


def test_unknown_status_category(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="status category"):
        collect(write(tmp_path, base_incident(incident_status={"category": "archived"})), tmp_path)
