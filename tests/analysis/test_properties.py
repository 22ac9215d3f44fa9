"""Invariants of the SLO and status math, checked on generated inputs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel_reports.analysis.series import SeriesIndex
from sentinel_reports.analysis.slo import (
    SliEvents,
    budget_remaining,
    evaluate_slo,
    sli_events,
    time_to_exhaustion_hours,
    window_attainment,
)
from sentinel_reports.analysis.status import component_slis, component_status
from tests.fuzzing import examples

START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
STEP_NS = 300 * 10**9
SETTINGS = settings(max_examples=examples(60), deadline=None)
objectives = st.floats(min_value=0.5, max_value=0.9999)


def events(good: np.ndarray, total: np.ndarray) -> SliEvents:
    ts = np.datetime64("2026-10-01T00:00", "ns").astype("int64") + np.arange(len(total)) * STEP_NS
    return SliEvents.of(ts, good, total, STEP_NS)


@st.composite
def traffic(draw):
    n = draw(st.integers(min_value=1, max_value=200))
    total = np.array(draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n)), dtype="float64")
    share = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    return np.floor(total * share), total


@SETTINGS
@given(traffic())
def test_attainment_is_a_fraction(data) -> None:
    good, total = data
    w = window_attainment(events(good, total), START, START + dt.timedelta(days=1))
    if total.sum() == 0:
        assert w.attainment is None
    else:
        assert 0.0 <= w.attainment <= 1.0


@SETTINGS
@given(traffic(), objectives, st.integers(1, 10_000), st.data())
def test_remaining_budget_falls_as_errors_rise(data, objective, extra, pick) -> None:
    good, total = data
    end = START + dt.timedelta(days=1)
    before = budget_remaining(window_attainment(events(good, total), START, end).attainment, objective)
    i = pick.draw(st.integers(0, len(good) - 1))
    worse = good.copy()
    worse_total = total.copy()
    worse_total[i] += extra  # `extra` more requests at i, all failed
    after = budget_remaining(window_attainment(events(worse, worse_total), START, end).attainment, objective)
    if before is None:
        assert after is not None and after < 1.0
    elif good.sum() > 0:
        assert after < before
    else:
        assert after == before  # nothing good to lose: attainment is already 0


@SETTINGS
@given(objectives, st.integers(min_value=1, max_value=30))
def test_a_1x_burn_exactly_exhausts_the_budget_at_the_window_end(objective, days) -> None:
    n = days * 288
    total = np.full(n, 10_000.0)
    good = total * objective  # error ratio = 1 - objective everywhere: 1x
    ev = events(good, total)
    end = START + dt.timedelta(days=days)
    w = window_attainment(ev, START, end)
    consumed = (1 - w.attainment) / (1 - objective)
    assert consumed == pytest.approx(1.0, rel=1e-6)
    # at the window's start the whole budget remains; at 1x it lasts exactly one window
    window = dt.timedelta(days=days)
    assert time_to_exhaustion_hours(1.0, window, 1.0) == pytest.approx(days * 24)
    half = window_attainment(ev, START, START + window / 2)
    spent_by_half = (1 - half.attainment) / (1 - objective) / 2  # half the window at 1x = half the budget
    assert spent_by_half == pytest.approx(0.5, rel=1e-6)


@SETTINGS
@given(objectives, st.floats(min_value=0.0, max_value=50.0))
def test_burn_rate_is_error_ratio_over_budget(objective, multiple) -> None:
    error_ratio = min(1.0, multiple * (1 - objective))
    total = np.full(288, 1000.0)
    ev = events(total * (1 - error_ratio), total)
    from sentinel_reports.analysis.slo import burn_over

    burn = burn_over(ev, objective, START + dt.timedelta(days=1), dt.timedelta(hours=1), 0.95)
    assert burn == pytest.approx(error_ratio / (1 - objective), rel=1e-6, abs=1e-9)


@st.composite
def dropouts(draw) -> np.ndarray:
    """Which of a day's 288 five-minute intervals have data, after removing up to 6 runs."""
    keep = np.ones(288, bool)
    for start, length in draw(st.lists(st.tuples(st.integers(0, 287), st.integers(1, 150)), max_size=6)):
        keep[start : start + length] = False
    return keep


@settings(max_examples=examples(60), deadline=None)
@given(dropouts(), st.floats(min_value=0.5, max_value=1.0))
def test_low_coverage_is_never_operational(b, keep, ratio) -> None:
    cfg = b.config()
    s = b.samples(
        b.requests("chat-api", START, 288, good=1000.0 * ratio)[np.concatenate([keep, keep])],
        b.series("chat-api", "latency_p95_ms", START, 288, value=100.0)[keep],
    )
    index = SeriesIndex(s)
    ev = {slo.name: sli_events(index, slo) for slo in cfg.slos}
    slis = component_slis(index, cfg.component("chat-api"), cfg, ev)
    status = component_status(slis, "chat-api", (), (), cfg, START + dt.timedelta(days=1), days=1)
    day = status.days[0]
    if keep.sum() >= 20:  # enough points for the median step to be the 5-minute step
        assert day.coverage == pytest.approx(keep.sum() / 288)
    if day.coverage is None or day.coverage < cfg.gaps.min_coverage:
        assert day.status != "operational"
        assert day.gap and day.uptime is None
    if status.now_coverage is None or status.now_coverage < cfg.gaps.min_coverage:
        assert status.status != "operational"


@SETTINGS
@given(traffic(), objectives)
def test_slo_result_is_consistent(data, objective) -> None:
    good, total = data
    from sentinel_reports.config import Config

    cfg = Config.model_validate(
        {
            "organization": "x",
            "components": [{"id": "c", "name": "C", "owner": "team"}],
            "slos": [
                {
                    "name": "s",
                    "component": "c",
                    "objective": objective,
                    "window": "1d",
                    "indicator": {"ratio": {}},
                }
            ],
        }
    )
    r = evaluate_slo(events(good, total), cfg.slos[0], cfg, START + dt.timedelta(days=1))
    if r.attainment is None:
        assert r.budget_remaining is None and not r.data_sufficient
    else:
        assert r.budget_consumed + r.budget_remaining == pytest.approx(1.0)
        assert r.burn("window") == pytest.approx(r.budget_consumed)
