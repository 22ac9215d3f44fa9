"""SLO definitions (SPEC section 7) against hand-computed cases; arithmetic in the comments."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sentinel_reports.analysis.series import SeriesIndex
from sentinel_reports.analysis.slo import (
    budget_consumed,
    budget_remaining,
    burn_rate,
    daily_attainment,
    evaluate_slo,
    sli_events,
    slo_window,
    time_to_exhaustion_hours,
    window_attainment,
)

FIVE = dt.timedelta(minutes=5)


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def ratio_slo(b, objective=0.999, window="30d", **extra):
    slo = {
        "name": "chat-api-availability",
        "component": "chat-api",
        "objective": objective,
        "window": window,
        "indicator": {"ratio": {}},
        **extra,
    }
    cfg = b.config(slos=[slo])
    return cfg, cfg.slos[0]


def events_for(cfg, slo, frame):
    return sli_events(SeriesIndex(frame), slo)


def test_a_14_4x_burn_for_one_hour_consumes_2_percent_of_a_30_day_budget(b) -> None:
    cfg, slo = ratio_slo(b, objective=0.999, window="30d")
    start = t("2026-10-01 00:00")
    n = 30 * 288  # 8640 five-minute intervals in 30 days
    good = np.full(n, 1000.0)
    good[-12:] = 1000 * (1 - 14.4 * 0.001)  # last hour: error ratio 0.0144 = 14.4 x the 0.001 budget
    s = b.samples(b.requests("chat-api", start, n, total=1000.0, good=good))
    r = evaluate_slo(events_for(cfg, slo, s), slo, cfg, start + dt.timedelta(days=30))
    # errors 12 * 14.4 = 172.8 of 8,640,000 requests -> error ratio 2e-5 -> consumed 2e-5 / 1e-3 = 0.02
    assert r.budget_consumed == pytest.approx(0.02)
    assert r.budget_remaining == pytest.approx(0.98)
    assert r.attainment == pytest.approx(1 - 2e-5)
    assert r.burn("1h") == pytest.approx(14.4)
    assert r.burn("5m") == pytest.approx(14.4)
    assert r.burn("6h") == pytest.approx(2.4)  # 172.8 / 72,000 = 0.0024 -> 2.4x
    assert r.burn("1d") == pytest.approx(0.6)  # 172.8 / 288,000 = 0.0006
    assert r.burn("3d") == pytest.approx(0.2)
    assert r.burn("window") == pytest.approx(0.02)
    # time to exhaustion = 0.98 * 720 h / 14.4 = 49 h
    assert r.time_to_exhaustion_hours == pytest.approx(49.0)
    assert r.window_days == 30
    assert r.data_sufficient and r.flags == ()


def test_ratio_attainment_and_overspent_budget(b) -> None:
    cfg, slo = ratio_slo(b, objective=0.99, window="1h")
    start = t("2026-10-01 00:00")
    total = np.array([100.0, 200.0, 300.0, 400.0] * 3)
    good = np.array([100.0, 190.0, 300.0, 380.0] * 3)
    s = b.samples(b.requests("chat-api", start, 12, total=total, good=good))
    r = evaluate_slo(events_for(cfg, slo, s), slo, cfg, start + dt.timedelta(hours=1))
    # Σgood = 3 * 970, Σtotal = 3 * 1000 -> 0.97; consumed = 0.03 / 0.01 = 3; remaining = -2
    assert r.attainment == pytest.approx(0.97)
    assert r.budget_consumed == pytest.approx(3.0)
    assert r.budget_remaining == pytest.approx(-2.0)
    assert r.time_to_exhaustion_hours is None  # already exhausted


def test_good_above_total_is_clipped(b) -> None:
    cfg, slo = ratio_slo(b, objective=0.9, window="10m")
    start = t("2026-10-01 00:00")
    s = b.samples(b.requests("chat-api", start, 2, total=np.array([10.0, 10.0]), good=np.array([12.0, 5.0])))
    r = evaluate_slo(events_for(cfg, slo, s), slo, cfg, start + dt.timedelta(minutes=10))
    assert r.attainment == pytest.approx(15 / 20)  # min(12, 10) + 5 over 20


def test_timeslice_attainment_is_good_slices_over_slices_with_data(b) -> None:
    cfg = b.config()
    slo = cfg.slos[1]  # latency_p95_ms <= 2500, objective 0.99
    start = t("2026-10-01 00:00")
    values = np.array([1000.0, 3000.0, 2500.0, 2600.0])  # 2500 meets "lte"; 2 of 4 good
    s = b.samples(b.series("chat-api", "latency_p95_ms", start, 4, value=values))
    w = window_attainment(events_for(cfg, slo, s), start, start + dt.timedelta(minutes=20))
    assert (w.good, w.total, w.attainment) == (2.0, 4.0, 0.5)


def test_ratio_timeslices_count_good_buckets(b) -> None:
    cfg, slo = ratio_slo(
        b,
        objective=0.9,
        window="20m",
        budgeting_method="ratio_timeslices",
        timeslice="10m",
        timeslice_target=0.99,
    )
    start = t("2026-10-01 00:00")
    total = np.full(4, 1000.0)
    good = np.array([1000.0, 980.0, 990.0, 980.0])
    # bucket 00:00: 1980 / 2000 = 0.99 >= 0.99 good; bucket 00:10: 1970 / 2000 = 0.985 bad -> 1 of 2
    s = b.samples(b.requests("chat-api", start, 4, total=total, good=good))
    events = events_for(cfg, slo, s)
    assert events.step_ns == 600 * 10**9
    r = evaluate_slo(events, slo, cfg, start + dt.timedelta(minutes=20))
    assert r.attainment == 0.5
    assert r.budget_consumed == pytest.approx(5.0)  # 0.5 / 0.1


def test_no_data_is_never_full_attainment(b) -> None:
    cfg, slo = ratio_slo(b)
    empty = b.samples()
    r = evaluate_slo(events_for(cfg, slo, empty), slo, cfg, t("2026-10-01 00:00"))
    assert r.attainment is None and r.budget_remaining is None and r.budget_consumed is None
    assert not r.data_sufficient
    assert "no_data_in_window" in r.flags
    assert all(v is None for _, v in r.burn_rates)
    assert r.time_to_exhaustion_hours is None


def test_burn_windows_below_min_coverage_are_unknown(b) -> None:
    cfg, slo = ratio_slo(b, objective=0.99, window="1d")
    start = t("2026-10-01 00:00")
    s = b.samples(b.requests("chat-api", start, 12 * 23, good=990.0))  # data stops at 23:00
    r = evaluate_slo(events_for(cfg, slo, s), slo, cfg, start + dt.timedelta(days=1))
    assert r.burn("1h") is None and r.burn("5m") is None and r.burn("30m") is None
    assert "burn_1h_insufficient_data" in r.flags
    assert r.burn("6h") is None  # 60 of 72 intervals = 83% < 95%
    assert r.burn("3d") is None  # 276 of 864 intervals
    assert r.burn("1d") == pytest.approx(1.0)  # 276 of 288 = 95.8% >= 95%: error ratio 0.01 / budget 0.01
    assert r.coverage == pytest.approx(276 / 288)


def test_burn_window_at_exactly_min_coverage_is_known(b) -> None:
    cfg, slo = ratio_slo(
        b,
        objective=0.99,
        window="1d",
    )
    cfg = b.config(slos=[slo.model_dump()], gaps={"min_coverage": 0.5})
    slo = cfg.slos[0]
    start = t("2026-10-01 00:00")
    s = b.samples(b.requests("chat-api", start, 12 * 23 + 6, good=990.0))  # to 23:30
    r = evaluate_slo(events_for(cfg, slo, s), slo, cfg, start + dt.timedelta(days=1))
    assert r.burn("1h") == pytest.approx(1.0)  # 6 of 12 intervals = 0.5, not below 0.5
    assert r.burn("30m") is None  # 0 of 6 intervals


def test_budget_formulas() -> None:
    assert budget_consumed(0.999, 0.995) == pytest.approx(0.2)  # 0.001 / 0.005
    assert budget_remaining(0.999, 0.995) == pytest.approx(0.8)
    assert budget_remaining(None, 0.995) is None
    assert burn_rate(0.023, 0.99) == pytest.approx(2.3)


def test_time_to_exhaustion() -> None:
    # 0.5 remaining of a 30-day (720 h) window at 2x: 0.5 * 720 / 2 = 180 h
    assert time_to_exhaustion_hours(0.5, dt.timedelta(days=30), 2.0) == pytest.approx(180.0)
    assert time_to_exhaustion_hours(0.5, dt.timedelta(days=30), 0.0) is None
    assert time_to_exhaustion_hours(0.0, dt.timedelta(days=30), 2.0) is None
    assert time_to_exhaustion_hours(0.5, dt.timedelta(days=30), None) is None


def test_calendar_month_window(b) -> None:
    cfg, slo = ratio_slo(b, window_kind="calendar", calendar_unit="month")
    start, end, length = slo_window(slo, t("2026-11-10 12:00"), cfg)
    assert (start, end) == (t("2026-11-01 00:00"), t("2026-11-10 12:00"))
    assert length == dt.timedelta(days=30)
    # evaluated exactly at the month boundary, the window is the month that just ended
    start, end, length = slo_window(slo, t("2026-12-01 00:00"), cfg)
    assert start == t("2026-11-01 00:00") and length == dt.timedelta(days=30)


def test_calendar_week_in_berlin(b) -> None:
    slo = {
        "name": "a",
        "component": "chat-api",
        "objective": 0.99,
        "indicator": {"ratio": {}},
        "window_kind": "calendar",
        "calendar_unit": "week",
    }
    cfg = b.config(slos=[slo], timezone="Europe/Berlin")
    start, _, length = slo_window(cfg.slos[0], t("2026-11-18 12:00"), cfg)
    assert start == t("2026-11-15 23:00") and length == dt.timedelta(days=7)


def test_daily_attainment(b) -> None:
    cfg, slo = ratio_slo(b, objective=0.99, window="2d")
    start = t("2026-10-01 00:00")
    good = np.concatenate([np.full(288, 1000.0), np.full(144, 980.0)])  # day 2 half covered
    s = b.samples(b.requests("chat-api", start, 432, good=good))
    days = [dt.date(2026, 10, 1), dt.date(2026, 10, 2)]
    d1, d2 = daily_attainment(events_for(cfg, slo, s), slo, cfg, days, start + dt.timedelta(days=2))
    assert d1.attainment == 1.0 and d1.coverage == 1.0 and d1.budget_remaining == pytest.approx(1.0)
    assert d2.attainment is None  # 144 of 288 intervals: below min coverage
    assert d2.coverage == 0.5
    # 2-day window at the end of day 2: errors 144 * 20 = 2880 of 432,000 -> 0.00667 -> consumed 0.667
    assert d2.budget_remaining == pytest.approx(1 - (2880 / 432_000) / 0.01)
