"""What a build works out once and every week reads (the series index, the samples' time order by signal,
the cost ledger, each SLI's daily windows in one pass) gives exactly the facts a straightforward per-week
computation gives: every week filters the whole sample table, the whole bill and the whole eval and cost
frames, and each day's window is summed on its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from sentinel_reports.analysis import cost, coverage, facts, memory, status
from sentinel_reports.analysis.facts import json_dumps_facts, week_facts
from sentinel_reports.analysis.periods import available_periods
from sentinel_reports.analysis.series import TimeOrder, column_ns, to_ns
from sentinel_reports.analysis.slo import SliEvents, ns_bounds, window_attainment, window_attainments

DEMO = Path(__file__).resolve().parents[2]
UTC = dt.UTC


@pytest.fixture(scope="module")
def project(demo_project):  # type: ignore[no-untyped-def]
    return demo_project


def _whole_table(samples: pd.DataFrame, start: dt.datetime, end: dt.datetime, config: object) -> pd.DataFrame:
    """Every signal's rows of [start, end), cut from the whole table by a mask (original order)."""
    return samples.loc[(samples["ts"] >= pd.Timestamp(start)) & (samples["ts"] < pd.Timestamp(end))]


def _keys_one_by_one(window: pd.DataFrame, config: object) -> dict[str, list[str]]:
    """Each component's price keys from its own filter of the window's cost rows."""
    out = {}
    for component in {str(c) for c in window["_component"].dropna()}:
        rows = window[(window["_component"] == component).fillna(False) & window["_model"].notna()]
        pairs = zip(rows["provider"], rows["_model"], strict=True)
        keys = sorted({cost._price_key(str(p), str(m), config) for p, m in pairs})  # type: ignore[arg-type]
        if keys:
            out[component] = keys
    return out


def _frame_series_whole(frame: pd.DataFrame, col: str, end_ns: int) -> dict:
    """Each component's distinct timestamps before `end_ns` and its sources, from the whole frame."""
    out = {}
    rows = frame.loc[frame["component"].notna()] if len(frame) else frame
    for component in sorted({str(c) for c in rows["component"]}):
        mine = rows.loc[rows["component"] == component]
        ts = np.unique(column_ns(mine[col]))
        if (ts < end_ns).any():
            out[component] = (ts[ts < end_ns], tuple(sorted({str(x) for x in mine["source"]})))
    return out


def _currency_by_mask(ledger: pd.DataFrame, currency: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return ledger[ledger["currency"] == currency], ledger[ledger["currency"] != currency]


def _days_by_mask(ledger: pd.DataFrame, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """The ledger rows of [start, end), from a mask of the whole ledger."""
    return ledger[(ledger["_day_start"] >= start) & (ledger["_day_start"] < end)]


def _day_by_day(events: SliEvents, bounds: object, bounds_ns: object = None) -> list:
    return [window_attainment(events, a, b) for a, b in bounds]  # type: ignore[attr-defined]


def test_rollup_facts_equal_a_straightforward_per_week_computation(project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    weeks = available_periods(project.dataset, project.config, project.as_of, "week")
    chosen = [weeks[0], weeks[len(weeks) // 2], weeks[-2], weeks[-1]]  # the last one is in progress
    fast = {w: json_dumps_facts(week_facts(project.dataset, project.content, project.config, w, project.as_of))
            for w in chosen}  # fmt: skip

    monkeypatch.setattr(facts, "_recent_samples", _whole_table)
    for module in (cost, memory):
        monkeypatch.setattr(module, "cost_ledger", cost._build_ledger)
        monkeypatch.setattr(module, "in_currency", _currency_by_mask)
        monkeypatch.setattr(module, "_days_in", _days_by_mask)
    monkeypatch.setattr(cost, "_price_keys", _keys_one_by_one)
    monkeypatch.setattr(status, "window_attainments", _day_by_day)
    monkeypatch.setattr(coverage, "_frame_series", _frame_series_whole)
    plain = {w: json_dumps_facts(week_facts(project.dataset, project.content, project.config, w, project.as_of))
             for w in chosen}  # fmt: skip

    for week in chosen:
        assert fast[week] == plain[week], week
    # the demo has rows of every signal the recent window cuts, and of others it leaves out
    samples = project.dataset.samples
    needed = facts.recent_signals(sorted(set(samples["signal"].astype(str))), project.config)
    assert {"requests_good", "tokens_input", "drift_score", "toxicity_rate", "tokens_output"} <= set(needed)
    assert set(needed) < set(samples["signal"].astype(str))


def _shuffled_samples(seed: int) -> pd.DataFrame:
    """Rows of several signals and components out of time order, with repeated timestamps."""
    rng = np.random.default_rng(seed)
    n = 400
    base = dt.datetime(2026, 11, 2, tzinfo=UTC)
    return pd.DataFrame(
        {
            "ts": pd.to_datetime([base + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 3 * 1440, n)]),
            "component": rng.choice(["a", "b", "c"], n),
            "signal": rng.choice(["requests_good", "tokens_input", "saturation", "drift_score"], n),
            "value": rng.normal(100, 30, n),
            "source": rng.choice(["s1", "s2"], n),
        }
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_time_order_cuts_a_few_signals_as_a_mask_does(seed: int) -> None:
    samples = _shuffled_samples(seed)
    order = TimeOrder(samples)
    start, end = dt.datetime(2026, 11, 2, 17, tzinfo=UTC), dt.datetime(2026, 11, 4, 5, 30, tzinfo=UTC)
    inside = (samples["ts"] >= pd.Timestamp(start)) & (samples["ts"] < pd.Timestamp(end))
    for signals in (["requests_good"], ["tokens_input", "drift_score", "absent"], []):
        expected = samples.loc[inside & samples["signal"].isin(signals)]
        got = order.rows(samples, start, end, signals)
        pd.testing.assert_frame_equal(got, expected)
        assert len(expected) or not signals  # the cut is not empty: the test compares rows
    pd.testing.assert_frame_equal(order.rows(samples, start, end), samples.loc[inside])


def test_daily_windows_in_one_pass_equal_each_window_alone() -> None:
    rng = np.random.default_rng(5)
    base = to_ns(dt.datetime(2026, 11, 2, tzinfo=UTC))
    ts = np.sort(rng.choice(np.arange(0, 4 * 86400, 300), 900, replace=False)) * 10**9 + base
    total = rng.integers(0, 1000, len(ts)).astype("float64") + rng.random(len(ts))
    events = SliEvents.of(ts, total * rng.random(len(ts)), total, 300 * 10**9)
    day = dt.timedelta(days=1)
    first = dt.datetime(2026, 11, 1, 23, tzinfo=UTC)
    bounds = [(first + k * day, min(first + (k + 1) * day, first + 3.5 * day)) for k in range(5)]
    alone = [window_attainment(events, a, b) for a, b in bounds]
    assert window_attainments(events, bounds) == alone
    assert window_attainments(events, bounds, ns_bounds(bounds)) == alone
    assert window_attainments(events, []) == []


def test_facts_from_the_window_of_the_weeks_analysed_equal_those_from_every_row(project) -> None:  # type: ignore[no-untyped-def]
    from sentinel_reports.analysis import series
    from sentinel_reports.analysis.fingerprint import window

    weeks = available_periods(project.dataset, project.config, project.as_of, "week")
    chosen = weeks[:2]  # their window ends weeks before the data does (it starts before the data)
    whole = {w: json_dumps_facts(week_facts(project.dataset, project.content, project.config, w, project.as_of))
             for w in chosen}  # fmt: skip
    spans = [window(project.config, "week", w, project.as_of) for w in chosen]
    try:
        facts.prepare(project.dataset, project.config, (min(s[0] for s in spans), max(s[1] for s in spans)))
        (kept,) = series._WINDOW  # the window holds some of the rows, not all of them
        assert 0 < len(kept[3]) < len(project.dataset.samples)  # positions of the rows kept
        got = {w: json_dumps_facts(week_facts(project.dataset, project.content, project.config, w, project.as_of))
               for w in chosen}  # fmt: skip
    finally:
        series._WINDOW.clear()
    for week in chosen:
        assert got[week] == whole[week], week
    # a window that holds every row keeps nothing: the index of the whole frame serves
    assert not facts.prepare_window(
        project.dataset.samples, dt.datetime(1970, 1, 1, tzinfo=UTC), project.as_of
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_index_of_a_window_answers_as_the_index_of_every_row(seed: int) -> None:
    from sentinel_reports.analysis import series

    samples = _shuffled_samples(seed)
    since, until = dt.datetime(2026, 11, 2, 17, tzinfo=UTC), dt.datetime(2026, 11, 4, 5, 30, tzinfo=UTC)
    inner = (since + dt.timedelta(hours=3), until - dt.timedelta(hours=2))
    whole = series.SeriesIndex(samples)
    try:
        assert series.prepare_window(samples, since, until)
        for lo, hi in ((since, until), inner):
            view, expected = series.index_between(samples, lo, hi), whole.between(lo, hi)
            assert view._parent is series._WINDOW[0][4]  # answered from the window's index
            assert view.keys() == expected.keys() and expected.keys()
            for key in expected.keys():
                a, b = view.get(*key), expected.get(*key)
                assert a is not None and b is not None
                assert (a.ts.tolist(), a.values.tolist(), a.sources) == (
                    b.ts.tolist(),
                    b.values.tolist(),
                    b.sources,
                )
            for signals in (["requests_good"], ["tokens_input", "drift_score", "absent"], []):
                got = series.rows_between(
                    samples, lo, hi, lambda names, s=signals: [n for n in names if n in s]
                )
                pd.testing.assert_frame_equal(got, TimeOrder(samples).rows(samples, lo, hi, signals))
        outside = series.index_between(samples, since - dt.timedelta(hours=1), until)
        assert outside._parent is not series._WINDOW[0][4]  # not covered: the index of every row
    finally:
        series._WINDOW.clear()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ledger_days_cut_by_binary_search_equal_a_mask(seed: int) -> None:
    """Rows of bills in and out of day order, with days missing, cut at local midnights across a DST change
    and at instants inside a day."""
    rng = np.random.default_rng(seed)
    n = 300
    tz = ZoneInfo("Europe/Berlin")
    days = pd.Series(pd.to_datetime("2026-10-20") + pd.to_timedelta(rng.integers(0, 20, n), unit="D"))
    days[rng.random(n) < 0.05] = pd.NaT
    local = days.dt.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    shuffled = pd.DataFrame({"_day_start": local, "cost": rng.normal(10, 3, n)}, index=rng.permutation(n) * 3)
    in_order = shuffled.sort_values("_day_start", kind="stable").dropna()
    windows = [
        (dt.datetime(2026, 10, 24, tzinfo=tz), dt.datetime(2026, 11, 2, tzinfo=tz)),  # 2026-10-25: DST ends
        (dt.datetime(2026, 10, 22, 13, tzinfo=UTC), dt.datetime(2026, 10, 27, 23, tzinfo=UTC)),
        (dt.datetime(2026, 10, 1, tzinfo=UTC), dt.datetime(2026, 12, 1, tzinfo=UTC)),
        (dt.datetime(2026, 11, 5, tzinfo=tz), dt.datetime(2026, 11, 5, tzinfo=tz)),
    ]
    for ledger in (shuffled, in_order):
        for start, end in windows:
            expected = _days_by_mask(ledger, start, end)
            pd.testing.assert_frame_equal(cost._days_in(ledger, start, end), expected)
        assert 0 < len(_days_by_mask(ledger, *windows[0])) < len(ledger.dropna())  # a real cut
    assert cost._day_order(shuffled)[0] is not None and cost._day_order(in_order)[0] is None
