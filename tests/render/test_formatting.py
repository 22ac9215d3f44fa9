"""Display formatting: the exact strings templates and narrators print, and gaps that never read as zero."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sentinel_reports.narrative.numbers import extract_numbers
from sentinel_reports.render import formatting as f


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: f.pct(0.4123, 1), "41.2%"),
        (lambda: f.pct(0.00125, 2), "0.13%"),  # half-up on the decimal spelling, not banker's rounding
        (lambda: f.pct(0.995, 1), "99.5%"),
        (lambda: f.pct(-0.0004, 1), "0.0%"),  # no "-0.0%"
        (lambda: f.pct_points(0.012), "1.2 pp"),
        (lambda: f.pct_points(-0.012, signed=True), "-1.2 pp"),
        (lambda: f.pct_points(0.012, signed=True), "+1.2 pp"),
        (lambda: f.money(1234.5, "USD", 0), "$1,235"),
        (lambda: f.money(-1234.5, "EUR", 2), "-€1,234.50"),
        (lambda: f.money(99.995, "GBP", 2), "£100.00"),
        (lambda: f.money(1234.5, "CHF"), "1,235 CHF"),
        (lambda: f.multiplier(2.34), "2.3x"),
        (lambda: f.duration_minutes(95), "1 h 35 min"),
        (lambda: f.duration_minutes(60), "1 h"),
        (lambda: f.duration_minutes(45.4), "45 min"),
        (lambda: f.duration_minutes(1500), "1 d 1 h"),
        (lambda: f.hours(5.25), "5.3 h"),
        (lambda: f.span_hours(0.75), "45 min"),  # a missing run or stale data: minutes under an hour,
        (lambda: f.span_hours(48), "48 h"),  # hours under three days,
        (lambda: f.span_hours(2.25), "2.3 h"),
        (lambda: f.span_hours(192), "8 days"),  # days from three days: never "1464.0 hours"
        (lambda: f.span_hours(1464), "61 days"),
        (lambda: f.span_hours(100), "4.2 days"),
        (lambda: f.days(1), "1 day"),
        (lambda: f.days(3.5, 1), "3.5 days"),
        (lambda: f.count(12400), "12,400"),
        (lambda: f.number(1234.567, 2), "1,234.57"),
        (lambda: f.date(dt.date(2026, 11, 23)), "2026-11-23"),
        (lambda: f.date("2026-11-23T05:00:00Z", "long"), "23 Nov 2026"),
        (
            lambda: f.timestamp(dt.datetime(2026, 11, 23, 15, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))),
            "2026-11-23 14:05 UTC",
        ),
        (lambda: f.week_label("2026-W47"), "2026-W47 (16–22 Nov 2026)"),
        (lambda: f.week_label("2026-W49"), "2026-W49 (30 Nov – 6 Dec 2026)"),
        (lambda: f.week_label("2026-W53"), "2026-W53 (28 Dec 2026 – 3 Jan 2027)"),
        (lambda: f.delta(0.012), "▲ 1.2 pp"),
        (lambda: f.delta(-0.03, "%", 0), "▼ 3%"),
        (lambda: f.delta(0.0001, "pp", 1), "► 0.0 pp"),
        (lambda: f.delta(-12, "min", 0), "▼ 12 min"),
        (lambda: f.delta_words(-0.03, "%", 0), "down 3%"),
        (lambda: f.delta_words(0.0, "%", 0), "unchanged"),
    ],
)
def test_formats(call, expected):  # type: ignore[no-untyped-def]
    assert call() == expected


@pytest.mark.parametrize(
    "formatter",
    [f.number, f.count, f.pct, f.pct_points, f.money, f.multiplier, f.duration_minutes, f.hours, f.days,
     f.span_hours, f.delta, f.delta_words, f.date, f.timestamp],
)  # fmt: skip
def test_none_and_nan_are_gaps_never_zero(formatter):  # type: ignore[no-untyped-def]
    assert formatter(None) == f.GAP == "no data"
    if formatter not in (f.date, f.timestamp):
        assert formatter(float("nan")) == f.GAP


def test_delta_html_has_arrow_hidden_from_screen_readers_and_a_word():
    html = str(f.delta_html(-0.021, "pp", 1, higher_is_better=True))
    assert 'class="delta delta-bad"' in html
    assert '<span aria-hidden="true">▼</span> 2.1 pp' in html
    assert '<span class="visually-hidden"> (down)</span>' in html
    assert "delta-good" in str(f.delta_html(-0.021, "%", 1, higher_is_better=False))
    assert "delta-neutral" in str(f.delta_html(0.5, "x"))
    assert "no data" in str(f.delta_html(None))


def test_status_tokens_cover_every_spelling_and_unknown_is_a_gap():
    assert f.status_token("degraded_performance").word == "Degraded"
    assert f.status_token("Partial Outage").key == "partial_outage"
    assert f.status_token("under_maintenance").icon == "⚙"
    assert f.status_token("Healthy").key == "operational"
    for spelling in ("Unknown", "no_data", None, "something-new"):
        token = f.status_token(spelling)
        assert (token.key, token.icon, token.word) == ("no_data", "?", "Observability gap")
    icons = [t.icon for t in f.STATUS_TOKENS.values()]
    words = [t.word for t in f.STATUS_TOKENS.values()]
    assert len(set(icons)) == len(icons) == 7 and len(set(words)) == 7
    assert f.status_token("At Risk").word == "At risk"


@given(st.floats(min_value=-10, max_value=10, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_pct_reads_back_at_its_displayed_precision(value, precision):  # type: ignore[no-untyped-def]
    """The narrative verifier extracts what we print: it must read back the same figure."""
    text = f.pct(value, precision)
    (mention,) = extract_numbers(text)
    assert mention.kind == "percent" and mention.decimals == precision
    assert abs(float(mention.shown) - value * 100) <= 0.5 * 10**-precision + 1e-9


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.sampled_from(["USD", "EUR", "GBP", "CHF"]))
def test_money_reads_back_with_currency(value, currency):  # type: ignore[no-untyped-def]
    (mention,) = extract_numbers(f.money(value, currency, 0))
    assert mention.kind == "money" and mention.unit == currency
    assert abs(float(mention.shown) - value) <= 0.5 + 1e-6


@given(st.integers(min_value=0, max_value=100_000))
def test_duration_reads_back_as_the_same_minutes(minutes):  # type: ignore[no-untyped-def]
    (mention,) = extract_numbers(f.duration_minutes(minutes))
    factor = {"minutes": 1, "hours": 60, "days": 1440}[mention.unit]
    expected = minutes if minutes < 1440 else minutes - minutes % 60
    assert mention.value * factor == expected


@pytest.mark.parametrize(
    ("remaining", "text"),
    [
        (-4.36, "436%"),
        (-0.004, "0.4%"),
        (-0.0049, "0.5%"),
        (-0.00004, "0.00%"),
        (-0.00006, "0.01%"),
        (-0.5, "50%"),
    ],
)
def test_an_overspend_never_reads_as_zero_while_a_decimal_can_show_it(remaining: float, text: str) -> None:
    assert f.overspend(remaining) == text


@given(st.floats(min_value=-50, max_value=-1e-4, allow_nan=False))
def test_an_overspend_of_at_least_a_hundredth_of_a_percent_is_never_written_as_zero(remaining: float) -> None:
    assert f.overspend(remaining).strip("0.%") != ""
