"""AI incident class and AICS roles from PagerDuty and incident.io custom fields and incident CSV columns."""

from __future__ import annotations

import json

import pytest

from sentinel_reports.collectors.incidentio import IncidentIoCollector, IncidentIoOptions
from sentinel_reports.collectors.incidents_csv import IncidentsCsvCollector, IncidentsCsvOptions
from sentinel_reports.collectors.pagerduty import PagerDutyCollector, PagerDutyOptions
from sentinel_reports.errors import SourceError
from tests.collectors.conftest import make_ctx

CSV_HEADER = (
    "id,title,severity,status,components,started_at,resolved_at,class,incident_commander,safety_officer\n"
)


def csv_incidents(tmp_path, rows):
    (tmp_path / "inc.csv").write_text(CSV_HEADER + rows)
    opts = IncidentsCsvOptions.model_validate({"type": "incidents_csv", "path": "inc.csv"})
    return IncidentsCsvCollector().collect(opts, make_ctx(tmp_path)).incidents


def test_csv_class_and_roles_keep_teams_and_drop_person_names(tmp_path):
    row = "I-1,Toxic answers,SEV2,resolved,chat-api,2026-11-18T11:20:00Z,2026-11-18T15:30:00Z,jailbreak,Search team,Alex Example\n"
    (inc,) = csv_incidents(tmp_path, row)
    assert inc.incident_class == "safety"  # a synonym
    assert inc.roles == (("incident_commander", "Search team"),)  # the person never becomes a role holder
    assert "Alex Example" not in repr(inc)


def test_csv_unknown_class_names_row_and_column(tmp_path):
    row = "I-1,x,SEV3,resolved,chat-api,2026-11-18T11:20:00Z,2026-11-18T15:30:00Z,cosmic rays,,\n"
    with pytest.raises(SourceError) as exc:
        csv_incidents(tmp_path, row)
    assert exc.value.row == 1 and exc.value.column == "class"


def test_pagerduty_custom_fields(tmp_path):
    rec = {"id": "Q1", "description": "x", "created_at": "2026-11-18T11:20:00Z", "resolved_at": "2026-11-18T12:00:00Z",
           "priority_name": "P2", "service_id": "PCHAT", "seconds_to_first_ack": 60,
           "custom_fields": [{"name": "ai_incident_class", "value": "pii"}, {"name": "Safety Officer", "value": "assistant platform TEAM"}],
           "resolved_by_user_name": "Alex Example"}  # fmt: skip
    (tmp_path / "pd.json").write_text(json.dumps({"data": [rec]}))
    opts = PagerDutyOptions.model_validate(
        {"type": "pagerduty", "path": "pd.json", "services": {"PCHAT": "chat-api"}}
    )
    (inc,) = PagerDutyCollector().collect(opts, make_ctx(tmp_path)).incidents
    assert inc.incident_class == "data_exposure"
    assert inc.roles == (("safety_officer", "Assistant Platform team"),)  # the configured spelling


def test_incidentio_custom_fields_but_never_role_assignments(tmp_path):
    def field(name, value):
        return {
            "custom_field": {"name": name},
            "values": [{"value_option": {"value": value}}],
        }

    rec = {"id": "01", "reference": "INC-9", "name": "x", "mode": "standard", "created_at": "2026-11-18T11:20:00Z",
           "severity": {"name": "SEV2"}, "incident_status": {"category": "closed"},
           "custom_field_entries": [field("AI incident class", "Model drift"), field("Model SME", "Search team")],
           "incident_role_assignments": [{"role": {"name": "Safety Officer"}, "assignee": {"name": "Sam Placeholder"}}],
           "incident_timestamp_values": [{"incident_timestamp": {"name": "Resolved at"}, "value": {"value": "2026-11-18T12:00:00Z"}}]}  # fmt: skip
    (tmp_path / "io.json").write_text(json.dumps({"incidents": [rec]}))
    opts = IncidentIoOptions.model_validate({"type": "incidentio", "path": "io.json"})
    (inc,) = IncidentIoCollector().collect(opts, make_ctx(tmp_path)).incidents
    assert inc.incident_class == "drift"
    assert inc.roles == (("model_sme", "Search team"),)
