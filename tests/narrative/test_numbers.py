"""Figure extraction: what counts as a figure, its kind, unit, displayed precision and span."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sentinel_reports.narrative.numbers import extract_numbers
from sentinel_reports.render import formatting as fmt


def one(text: str, **kwargs):
    (mention,) = extract_numbers(text, **kwargs)
    return mention


@pytest.mark.parametrize(
    ("text", "kind", "shown", "decimals", "unit", "scale"),
    [
        ("budget remaining 41%", "percent", "41", 0, "", 1),
        ("attainment 99.54 %", "percent", "99.54", 2, "", 1),
        ("fell −0.5% overall", "percent", "-0.5", 1, "", 1),
        ("up +3.4% on last week", "percent", "3.4", 1, "", 1),
        ("down 1.2 pp on last week", "points", "1.2", 1, "", 1),
        ("costs $1,234.56 in total", "money", "1234.56", 2, "USD", 1),
        ("costs USD 1,234 in total", "money", "1234", 0, "USD", 1),
        ("costs 1,235 CHF in total", "money", "1235", 0, "CHF", 1),
        ("costs €12.4k in total", "money", "12.4", 1, "EUR", 1000),
        ("a credit of -$12 appears", "money", "-12", 0, "USD", 1),
        ("burning at 2.3x the rate", "multiplier", "2.3", 1, "", 1),
        ("burning at 2.3× the rate", "multiplier", "2.3", 1, "", 1),
        ("p95 latency 2,340 ms", "duration", "2340", 0, "ms", 1),
        ("runs out in 5.0 days", "duration", "5.0", 1, "days", 1),
        ("over the 28-day window", "duration", "28", 0, "days", 1),
        ("the 1h burn rate", "duration", "1", 0, "hours", 1),
        ("MTTA 4 min", "duration", "4", 0, "minutes", 1),
        ("12,400 requests", "count", "12400", 0, "", 1),
        ("12.4k requests", "count", "12.4", 1, "", 1000),
        ("1.2M tokens", "count", "1.2", 1, "", 1_000_000),
        ("1.2 million tokens", "count", "1.2", 1, "", 1_000_000),
        ("cost per task 0.042", "plain", "0.042", 3, "", 1),
        ("in 2026 we", "year", "2026", 0, "", 1),
    ],
)
def test_kinds(text: str, kind: str, shown: str, decimals: int, unit: str, scale: int) -> None:
    m = one(text)
    assert (m.kind, m.shown, m.decimals, m.unit, m.scale) == (kind, Decimal(shown), decimals, unit, scale)
    assert m.value == pytest.approx(float(Decimal(shown) * scale))
    assert text[m.span[0] : m.span[1]] == m.raw


@pytest.mark.parametrize(
    ("text", "kind", "label"),
    [
        ("on 2026-11-23 we", "date", "2026-11-23"),
        ("on 23 Nov 2026 we", "date", "2026-11-23"),
        ("on Nov 23, 2026 we", "date", "2026-11-23"),
        ("on 23 Nov we", "date", "--11-23"),
        ("in 2026-W47 we", "week", "2026-W47"),
        ("in W47 we", "week", "W47"),
        ("in 2026-Q4 we", "quarter", "2026-Q4"),
        ("in Q4 we", "quarter", "Q4"),
        ("at 14:05 UTC we", "time", "14:05"),
    ],
)
def test_periods(text: str, kind: str, label: str) -> None:
    m = one(text)
    assert (m.kind, m.label) == (kind, label)
    assert m.is_period


def test_timestamp_is_a_date_and_a_time() -> None:
    found = extract_numbers("since 2026-11-18 14:05 UTC and 2026-11-18T15:40:00Z")
    assert [(m.kind, m.label) for m in found] == [
        ("date", "2026-11-18"),
        ("time", "14:05"),
        ("date", "2026-11-18"),
        ("time", "15:40"),
    ]


def test_week_label_with_its_date_range() -> None:
    found = extract_numbers(fmt.week_label("2026-W47"))  # "2026-W47 (16–22 Nov 2026)"
    assert [(m.kind, m.label) for m in found] == [
        ("week", "2026-W47"),
        ("date", "2026-11-16"),
        ("date", "2026-11-22"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "p95 and p99 latency, TTFT p50",
        "SEV1 and SEV2 incidents, P0 and P1 fixes",
        "2xx and 5xx responses",
        "tier 1 and tier-2 components, priority 3, step 2, version 4",
        "HTTP 429 and HTTP 529 replies, port 8000",
        "the claude-sonnet-4-5 and gpt-4o models, rag-v2",
        "incident INC-1042 and #17",
        "release v1.2.3 and 1.2.3",
        "see https://status.example.com/incidents/42 and `latency_p95_ms` and [3]",
        "1. First item\n2. Second item\n## 3. Heading",
    ],
)
def test_identifiers_are_not_figures(text: str) -> None:
    assert extract_numbers(text) == []


def test_ignored_phrases_such_as_component_names() -> None:
    assert [m.raw for m in extract_numbers("Search 2.0 had 3 incidents", ignore=["Search 2.0"])] == ["3"]
    assert [m.raw for m in extract_numbers("Search 2.0 had 3 incidents")] == ["2.0", "3"]


def test_ranges_share_the_unit() -> None:
    found = extract_numbers("5–7 days, 5-7% and 10 to 12 minutes")
    assert [(m.raw, m.kind, m.unit) for m in found] == [
        ("5", "duration", "days"),
        ("7 days", "duration", "days"),
        ("5", "percent", ""),
        ("7%", "percent", ""),
        ("10", "duration", "minutes"),
        ("12 minutes", "duration", "minutes"),
    ]
    assert all(m.shown > 0 for m in found)  # the hyphen of a range is not a minus sign


def test_compound_durations_are_one_figure() -> None:
    a, b = extract_numbers("impact 1 h 35 min, open for 1 d 1 h")
    assert (a.raw, a.shown, a.unit, a.label) == ("1 h 35 min", 95, "minutes", "compound")
    assert (b.raw, b.shown, b.unit) == ("1 d 1 h", 25, "hours")


def test_summary_line() -> None:
    found = extract_numbers(
        "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)"
    )
    assert [(m.raw, m.kind) for m in found] == [("41%", "percent"), ("3", "count"), ("2", "count")]


@given(st.text(max_size=200))
def test_any_text_extracts_without_error_and_spans_match(text: str) -> None:
    for m in extract_numbers(text):
        assert text[m.span[0] : m.span[1]] == m.raw


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_formatted_numbers_read_back_exactly(value: float, precision: int) -> None:
    for text, kind in (
        (fmt.number(value, precision), ("count", "plain", "year")),
        (fmt.money(value, "USD", precision), ("money",)),
        (fmt.pct(value, precision), ("percent",)),
        (fmt.multiplier(value, precision), ("multiplier",)),
    ):
        m = one(f"the figure {text} here")
        assert m.kind in kind
        assert m.decimals == precision
        expected = Decimal(
            fmt.number(value if kind != ("percent",) else value * 100, precision).replace(",", "")
        )
        assert abs(m.shown) == abs(expected)


def test_a_calendar_month_is_a_label_not_a_number() -> None:
    found = extract_numbers("Spend against monthly budget, 2026-11; prices retrieved 2026-10-30")
    assert [(m.raw, m.kind, m.label) for m in found] == [
        ("2026-11", "month", "2026-11"),
        ("2026-10-30", "date", "2026-10-30"),
    ]
    assert all(m.is_period for m in found)
    assert [m.raw for m in extract_numbers("2026-13 rows")] == ["2026", "13"]  # no month 13


def test_a_time_of_day_is_a_label_wherever_it_is_written() -> None:
    found = extract_numbers("From 14:10 to 16:40 UTC; the timeline row 09:05 is in the table")
    assert [(m.raw, m.kind) for m in found] == [("14:10", "time"), ("16:40", "time"), ("09:05", "time")]
    # not a time: one-digit hours, three-digit minutes, hours past 23
    assert [m.kind for m in extract_numbers("at 1:30, 12:345 and 25:10")] == ["count"] * 6


def test_a_slide_position_in_a_footer_is_not_a_figure() -> None:
    assert [m.raw for m in extract_numbers("Acme AI Platform · 2026-Q4 · 4/13")] == ["2026-Q4"]
    # a fraction in a sentence is still two figures
    assert [m.raw for m in extract_numbers("3/5 SLOs met")] == ["3", "5"]
