from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sentinel_reports.analysis.periods import (
    available_periods,
    calendar_end,
    calendar_start,
    local_days,
    next_period,
    parse_quarter,
    parse_week,
    period_of,
    previous_period,
    quarter_period,
    week_period,
)
from sentinel_reports.model import Incident

UTC = ZoneInfo("UTC")


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


BERLIN = ZoneInfo("Europe/Berlin")


def test_parse_week_and_quarter() -> None:
    assert parse_week("2026-W47") == (2026, 47)
    assert parse_week("2020-W53") == (2020, 53)  # 2020 has 53 ISO weeks
    assert parse_quarter("2026-Q4") == (2026, 4)


@pytest.mark.parametrize("label", ["2026W47", "2026-W7", "2026-W54", "2026-W00", "W47", ""])
def test_bad_week_labels_are_value_errors(label: str) -> None:
    with pytest.raises(ValueError, match="2026-W47|ISO weeks"):
        parse_week(label)


@pytest.mark.parametrize("label", ["2026-Q0", "2026-Q5", "2026Q4", "Q4"])
def test_bad_quarter_labels_are_value_errors(label: str) -> None:
    with pytest.raises(ValueError, match="2026-Q4"):
        parse_quarter(label)


def test_week_window_in_utc() -> None:
    # ISO week 1 of 2026 starts Mon 2025-12-29; week 47 starts 46 weeks later: 2026-11-16.
    p = week_period("2026-W47", UTC)
    assert (p.start, p.end) == (t("2026-11-16 00:00"), t("2026-11-23 00:00"))


def test_week_window_in_berlin_starts_at_local_midnight() -> None:
    p = week_period("2026-W47", BERLIN)  # CET = UTC+1 in November
    assert p.start == t("2026-11-15 23:00")
    assert p.end == t("2026-11-22 23:00")


def test_week_with_dst_change_lasts_167_hours() -> None:
    # 2026-W13 = Mon 23 Mar to Sun 29 Mar; clocks go forward on 29 Mar (CET -> CEST).
    p = week_period("2026-W13", BERLIN)
    assert p.start == t("2026-03-22 23:00")
    assert p.end == t("2026-03-29 22:00")
    assert p.hours == 167


def test_quarter_windows() -> None:
    q4 = quarter_period("2026-Q4", UTC)
    assert (q4.start, q4.end) == (t("2026-10-01 00:00"), t("2027-01-01 00:00"))
    q1 = quarter_period("2026-Q1", BERLIN)
    assert (q1.start, q1.end) == (t("2025-12-31 23:00"), t("2026-03-31 22:00"))  # ends in CEST


def test_window_is_clipped_to_as_of() -> None:
    p = week_period("2026-W47", UTC)
    assert p.window(t("2026-11-18 12:00")) == (t("2026-11-16 00:00"), t("2026-11-18 12:00"))
    assert p.window(t("2026-12-01 00:00")) == (p.start, p.end)


def test_previous_and_next_cross_year_boundaries() -> None:
    assert previous_period("2026-W01") == "2025-W52"
    assert previous_period("2021-W01") == "2020-W53"
    assert next_period("2020-W53") == "2021-W01"
    assert next_period("2026-W47") == "2026-W48"
    assert previous_period("2026-Q1") == "2025-Q4"
    assert next_period("2026-Q4") == "2027-Q1"


def test_period_of_uses_local_time() -> None:
    sunday_late_utc = t("2026-11-22 23:30")  # Monday 00:30 in Berlin
    assert period_of("week", sunday_late_utc, UTC) == "2026-W47"
    assert period_of("week", sunday_late_utc, BERLIN) == "2026-W48"
    assert period_of("quarter", t("2026-09-30 22:30"), BERLIN) == "2026-Q4"


def test_calendar_units_in_local_time() -> None:
    at = t("2026-11-10 12:00")
    assert calendar_start("week", at, UTC) == t("2026-11-09 00:00")
    assert calendar_start("month", at, BERLIN) == t("2026-10-31 23:00")
    assert calendar_end("month", at, BERLIN) == t("2026-11-30 23:00")
    assert calendar_start("quarter", at, UTC) == t("2026-10-01 00:00")
    assert calendar_end("quarter", at, UTC) == t("2027-01-01 00:00")


def test_local_days_of_a_partial_window() -> None:
    assert local_days(t("2026-11-16 00:00"), t("2026-11-18 00:00"), UTC) == [
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 17),
    ]
    assert local_days(t("2026-11-16 00:00"), t("2026-11-16 00:00"), UTC) == []


def test_available_periods_lists_weeks_with_data_up_to_as_of(b, cfg) -> None:
    s = b.samples(
        b.series(
            "chat-api", "requests_total", t("2026-11-13 00:00"), 3, dt.timedelta(days=1)
        ),  # Fri..Sun W46
        b.series("chat-api", "requests_total", t("2026-11-30 00:00"), 1),  # W49, after as-of
    )
    incident = Incident(
        "INC-1",
        "x",
        "SEV3",
        "resolved",
        ("chat-api",),
        t("2026-11-03 10:00"),
        t("2026-11-03 10:00"),
        None,
        None,
        None,
        t("2026-11-03 11:00"),
        False,
        "pd",
    )
    data = b.dataset(s, incidents=(incident,))
    as_of = t("2026-11-25 00:00")
    assert available_periods(data, cfg, as_of, "week") == ["2026-W45", "2026-W46"]
    assert available_periods(data, cfg, as_of, "quarter") == ["2026-Q4"]
    later = t("2026-12-01 00:00")
    assert available_periods(data, cfg, later, "week") == ["2026-W45", "2026-W46", "2026-W49"]
