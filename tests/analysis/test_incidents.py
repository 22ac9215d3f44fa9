"""Incident definitions, checked against a hand-timed week (arithmetic in the comments)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel_reports.analysis.incidents import impact_minutes, incident_facts
from sentinel_reports.config import Config
from sentinel_reports.model import Incident, IncidentUpdate
from tests.fuzzing import examples

START = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
AS_OF = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)  # mid-week: the window ends at as-of
END = AS_OF


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def make_config(timezone: str = "UTC") -> Config:
    return Config.model_validate(
        {
            "organization": "Acme",
            "timezone": timezone,
            "components": [{"id": "chat-api", "name": "Chat", "owner": "Platform team"}],
        }
    )


def incident(id: str, severity: str, started: str, **kw: object) -> Incident:
    fields: dict = {
        "id": id,
        "title": f"{id} title",
        "severity": severity,
        "status": "resolved",
        "components": ("chat-api",),
        "started_at": at(started),
        "created_at": at(started),
        "detected_at": None,
        "acknowledged_at": None,
        "mitigated_at": None,
        "resolved_at": None,
        "customer_impact": True,
        "source": "pagerduty-1",
    }
    fields.update({k: at(v) if k.endswith("_at") and isinstance(v, str) else v for k, v in kw.items()})
    return Incident(**fields)


def item(title: str, due: dt.date, done: bool = False) -> SimpleNamespace:
    return SimpleNamespace(title=title, owner="Platform team", due=due, done=done)


INCIDENTS = [
    incident("INC-0", "SEV4", "2026-11-10T08:00", resolved_at="2026-11-10T09:00"),  # previous week
    incident(
        "INC-1",
        "SEV1",
        "2026-11-17T10:00",
        created_at="2026-11-17T10:05",
        acknowledged_at="2026-11-17T10:12",
        mitigated_at="2026-11-17T10:50",
        resolved_at="2026-11-17T11:35",
        updates=(
            IncidentUpdate(at("2026-11-17T11:35"), "resolved", "Error rates are back to normal."),
            IncidentUpdate(at("2026-11-17T10:20"), "identified", "A configuration change is rolled back."),
        ),
    ),
    incident(
        "INC-2",
        "SEV2",
        "2026-11-15T23:00",  # starts before the window, resolves inside it
        components=("rag",),
        created_at="2026-11-15T23:10",
        acknowledged_at="2026-11-15T23:30",
        resolved_at="2026-11-16T01:00",
    ),
    incident("INC-3", "SEV3", "2026-11-20T09:00", status="investigating"),  # still open at as-of
    incident(
        "INC-4",
        "SEV2",
        "2026-11-18T08:00",
        acknowledged_at="2026-11-18T08:03",
        resolved_at="2026-11-18T09:00",
        customer_impact=False,
    ),
]
POSTMORTEMS = [
    SimpleNamespace(
        incident="INC-1",
        status="published",
        slug="inc-1-chat-outage",
        action_items=[
            item("Alert on queue depth", dt.date(2026, 11, 20)),  # due today: not overdue yet
            item("Add a canary stage", dt.date(2026, 11, 19)),  # due yesterday, open: overdue
            item("Write the rollback runbook", dt.date(2026, 11, 1), done=True),
        ],
    ),
    SimpleNamespace(
        incident="INC-2",
        status="draft",
        slug="inc-2",
        action_items=[item("Rebuild index", dt.date(2026, 11, 30))],
    ),
    SimpleNamespace(
        incident="INC-0",
        status="published",
        slug="inc-0",
        action_items=[item("Pin driver", dt.date(2026, 11, 12))],
    ),
]


@pytest.fixture
def facts() -> tuple[list[dict], dict]:
    return incident_facts(INCIDENTS, POSTMORTEMS, make_config(), START, END, AS_OF)


def test_window_selection_and_order(facts: tuple[list[dict], dict]) -> None:
    block, _ = facts
    assert [i["id"] for i in block] == ["INC-2", "INC-1", "INC-4", "INC-3"]  # by started_at


def test_durations_and_response_times(facts: tuple[list[dict], dict]) -> None:
    by_id = {i["id"]: i for i in facts[0]}
    one = by_id["INC-1"]
    assert one["duration_minutes"] == 95.0  # 10:00 → 11:35
    assert one["impact_minutes"] == 50.0  # 10:00 → mitigated 10:50
    assert one["mtta_minutes"] == 7.0  # created 10:05 → acknowledged 10:12
    assert one["time_to_resolve_minutes"] == 90.0  # created 10:05 → resolved 11:35
    assert one["started_at"] == "2026-11-17T10:00:00Z" and one["resolved_at"] == "2026-11-17T11:35:00Z"
    two = by_id["INC-2"]
    assert two["duration_minutes"] == 120.0  # 23:00 → 01:00
    assert two["impact_minutes"] == 60.0  # clipped to the window: 00:00 → 01:00
    assert (two["mtta_minutes"], two["time_to_resolve_minutes"]) == (20.0, 110.0)
    three = by_id["INC-3"]
    assert three["duration_minutes"] == 180.0 and three["impact_minutes"] == 180.0  # 09:00 → as-of 12:00
    assert three["mtta_minutes"] is None and three["time_to_resolve_minutes"] is None and three["open"]
    assert by_id["INC-4"]["impact_minutes"] == 0.0  # no customer impact


def test_postmortem_and_overdue_action_items_relative_to_as_of(facts: tuple[list[dict], dict]) -> None:
    by_id = {i["id"]: i for i in facts[0]}
    pm = by_id["INC-1"]["postmortem"]
    assert pm["status"] == "published" and pm["slug"] == "inc-1-chat-outage"
    assert [(a["title"], a["due"], a["overdue"]) for a in pm["action_items"]] == [
        ("Write the rollback runbook", "2026-11-01", False),  # done
        ("Add a canary stage", "2026-11-19", True),
        ("Alert on queue depth", "2026-11-20", False),
    ]
    assert by_id["INC-4"]["postmortem"] is None


def test_stats(facts: tuple[list[dict], dict]) -> None:
    _, stats = facts
    assert stats["count"] == 4 and stats["open_count"] == 1
    assert stats["count_by_severity"] == {"SEV1": 1, "SEV2": 2, "SEV3": 1, "SEV4": 0}
    assert stats["impact_minutes_total"] == 290.0  # 60 + 50 + 0 + 180
    assert stats["mtta_minutes_mean"] == pytest.approx(10.0)  # (20 + 7 + 3) / 3
    assert stats["time_to_resolve_minutes_mean"] == pytest.approx(260 / 3)  # (110 + 90 + 60) / 3
    # resolved SEV1/SEV2: INC-1, INC-2, INC-4; with a postmortem: INC-1, INC-2 → 2 / 3
    assert stats["postmortem_coverage"] == pytest.approx(2 / 3)
    assert stats["overdue_action_items"] == 1  # the canary stage
    assert stats["overdue_action_items_all"] == 2  # plus INC-0's driver pin, due 2026-11-12


def test_overdue_uses_the_as_of_date_in_the_configured_timezone() -> None:
    # 2026-11-20 12:00 UTC is 2026-11-21 01:00 in Auckland: the item due on the 20th is overdue there
    block, stats = incident_facts(INCIDENTS, POSTMORTEMS, make_config("Pacific/Auckland"), START, END, AS_OF)
    items = {i["id"]: i for i in block}["INC-1"]["postmortem"]["action_items"]
    assert [a["overdue"] for a in items] == [False, True, True]
    assert stats["overdue_action_items"] == 2


def test_updates_are_in_time_order_and_carry_no_names(facts: tuple[list[dict], dict]) -> None:
    one = {i["id"]: i for i in facts[0]}["INC-1"]
    assert [u["status"] for u in one["updates"]] == ["identified", "resolved"]
    assert set(one["updates"][0]) == {"at", "status", "body"}


def test_no_incidents() -> None:
    block, stats = incident_facts([], [], make_config(), START, END, AS_OF)
    assert block == []
    assert stats["mtta_minutes_mean"] is None and stats["postmortem_coverage"] is None
    assert stats["impact_minutes_total"] == 0.0


@settings(max_examples=examples(100), deadline=None)
@given(
    offset=st.integers(min_value=-20_000, max_value=20_000),
    length=st.integers(min_value=0, max_value=20_000),
    split=st.integers(min_value=0, max_value=6_480),
    resolved=st.booleans(),
)
def test_impact_minutes_are_bounded_and_add_up_across_adjacent_windows(
    offset: int, length: int, split: int, resolved: bool
) -> None:
    started = START + dt.timedelta(minutes=offset)
    ended = started + dt.timedelta(minutes=length)
    inc = incident(
        "INC-P", "SEV2", "2026-11-16T00:00", started_at=started, resolved_at=ended if resolved else None
    )
    whole = impact_minutes(inc, START, END, AS_OF)
    mid = START + dt.timedelta(minutes=split)  # 6,480 minutes = START → AS_OF
    assert 0.0 <= whole <= (END - START).total_seconds() / 60
    if resolved:
        assert whole <= length
    assert impact_minutes(inc, START, mid, AS_OF) + impact_minutes(inc, mid, END, AS_OF) == pytest.approx(
        whole
    )
