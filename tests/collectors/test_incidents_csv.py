"""The generic incident table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sentinel_reports.collectors.incidents_csv import IncidentsCsvCollector, IncidentsCsvOptions
from sentinel_reports.config import Config
from sentinel_reports.errors import SourceError
from tests.collectors._cost_ctx import INCIDENTS, make_config, make_ctx


def collect(path: str, project: Path = INCIDENTS, config: Config | None = None, **options: object):
    opts = IncidentsCsvOptions(type="incidents_csv", path=path, **options)
    return IncidentsCsvCollector().collect(opts, make_ctx(project, config=config))


def test_table_is_read_with_duplicates_dropped() -> None:
    batch = collect("incidents.csv")
    assert batch.rows == 3 and batch.duplicates_dropped == 1
    ops7, ops8 = batch.incidents
    assert ops7.components == ("chat-api", "rag-api") and ops7.customer_impact
    assert ops7.resolved_at == dt.datetime(2026, 11, 10, 10, 5, tzinfo=dt.UTC)
    assert (ops8.status, ops8.customer_impact, ops8.resolved_at) == ("monitoring", False, None)
    assert ops8.created_at == ops8.started_at


def test_naive_times_use_the_project_timezone() -> None:
    batch = collect("incidents.csv", config=make_config(timezone="America/New_York"))
    assert batch.incidents[1].started_at == dt.datetime(2026, 11, 11, 21, 0, tzinfo=dt.UTC)


def test_person_columns_are_not_read() -> None:
    text = repr(collect("incidents.csv").incidents)
    assert "Alex Moreno" not in text and "Sam Chen" not in text


HEAD = "id,title,severity,status,components,started_at,resolved_at\n"


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("I-2,t,SEV9,resolved,chat-api,2026-11-10T09:00Z,2026-11-10T10:00Z", "severity", "unknown severity"),
        (
            "I-2,t,SEV2,resolved,chat-api,2026-11-10T09:00Z,2026-11-10T08:00Z",
            "resolved_at",
            "resolved before",
        ),
        ("I-2,t,SEV2,paused,chat-api,2026-11-10T09:00Z,", "status", "unknown status"),
        (
            "I-2,t,SEV2,resolved,billing,2026-11-10T09:00Z,2026-11-10T10:00Z",
            "components",
            "unknown component",
        ),
        ("I-2,t,SEV2,resolved,chat-api,2026-11-10T09:00Z,", "resolved_at", "without resolved_at"),
        ("I-1,t,SEV2,investigating,chat-api,2026-11-10T09:00Z,", "id", "used twice"),
    ],
)
def test_bad_rows(tmp_path: Path, row: str, column: str, fragment: str) -> None:
    good = "I-1,t,SEV3,investigating,rag-api,2026-11-10T09:00Z,\n"
    (tmp_path / "i.csv").write_text(HEAD + good + row + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        collect("i.csv", tmp_path)
    assert err.value.row == 2 and err.value.column == column and fragment in str(err.value)


def test_column_mapping_and_severity_labels(tmp_path: Path) -> None:
    text = "Ref,Summary,Sev,State,started_at\nA-1,Slow answers,High,closed,2026-11-10T09:00Z\n"
    (tmp_path / "i.csv").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match="without resolved_at"):
        collect("i.csv", tmp_path, columns={"id": "Ref", "title": "Summary", "severity": "Sev", "status": "State"},
                severity={"High": "SEV2"})  # fmt: skip
    (tmp_path / "i.csv").write_text(text.replace("closed", "open"), encoding="utf-8")
    batch = collect(
        "i.csv", tmp_path, columns={"id": "Ref", "title": "Summary", "severity": "Sev", "status": "State"},
        severity={"High": "SEV2"},
    )  # fmt: skip
    assert (batch.incidents[0].id, batch.incidents[0].severity, batch.incidents[0].status) == (
        "A-1", "SEV2", "investigating",
    )  # fmt: skip
