"""Coverage and observability gaps, against hand-counted series (5-minute steps unless stated)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sentinel_reports.analysis.coverage import compute_coverage, find_gaps, merge_runs, telemetry_coverage
from sentinel_reports.model import conform, empty_frame

FIVE = dt.timedelta(minutes=5)


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def cover(b, cfg, s, start, end, as_of=None, evals=None, costs=None):
    return compute_coverage(
        s,
        evals if evals is not None else empty_frame("evals"),
        costs if costs is not None else empty_frame("costs"),
        cfg,
        start,
        end,
        as_of or end,
    )


def series_gaps(coverages, cfg, as_of, **kw):
    """find_gaps without the no_source gaps of the test config's other expected signals."""
    return [g for g in find_gaps(coverages, cfg, as_of, **kw) if g.kind != "no_source"]


def outage_series(b):
    """Vector Store p95 from 10-11 00:00 to 10-15 00:00 with nothing from 10-12 03:00 to 10-14 03:00."""
    before = b.series(
        "vector-store", "latency_p95_ms", t("2026-10-11 00:00"), 27 * 12, value=80.0
    )  # to 10-12 02:55
    after = b.series(
        "vector-store", "latency_p95_ms", t("2026-10-14 03:00"), 21 * 12, value=80.0
    )  # to 10-14 23:55
    return b.samples(before, after)


def test_missing_run_golden_case(b, cfg) -> None:
    start, end = t("2026-10-11 00:00"), t("2026-10-15 00:00")
    [cov] = cover(b, cfg, outage_series(b), start, end)
    # window = 96 h = 1152 five-minute intervals; present = 27*12 + 21*12 = 576; missing 48 h = 576 intervals
    assert (cov.expected_intervals, cov.present_intervals) == (1152, 576)
    assert cov.ratio == 0.5
    assert cov.step_seconds == 300
    assert cov.missing_runs == ((t("2026-10-12 03:00"), t("2026-10-14 03:00")),)
    assert (cov.start, cov.end) == (t("2026-10-11 00:00"), t("2026-10-14 23:55"))
    [gap] = series_gaps([cov], cfg, end)
    assert gap.kind == "missing_run"
    # the missing span is [03:00, 03:00 two days later): 576 five-minute intervals = 48 h
    assert gap.specific == (
        "no latency_p95_ms data for Vector Store from 2026-10-12 03:00 to 2026-10-14 03:00 UTC (48 h)"
    )
    # the figures the sentences state are stored with the gap: the span, the resolution, the alert window
    assert gap.span_hours == 48.0
    assert gap.resolution_minutes == (5.0,)
    assert gap.alert_after_minutes == cfg.gaps.min_duration.total_seconds() / 60
    assert gap.limits == "detect latency regressions on Vector Store"
    assert gap.instrumentation.startswith("export histogram_quantile(0.95, ")
    assert "at 5m resolution" in gap.instrumentation
    assert gap.priority == "P2"  # tier 2
    assert (gap.start, gap.end) == (t("2026-10-12 03:00"), t("2026-10-14 03:00"))
    assert gap.sentence.startswith("Current observability gap: no latency_p95_ms data for Vector Store")


def test_run_must_be_longer_than_min_duration(b, cfg) -> None:
    # 15 min missing (3 intervals) is not longer than gaps.min_duration = 15m; 20 min (4 intervals) is.
    day = t("2026-10-11 00:00")
    ts = pd.date_range(day, periods=288, freq=FIVE, tz="UTC")
    keep = np.ones(288, bool)
    keep[10:13] = False  # 00:50-01:05, 15 min
    keep[100:104] = False  # 08:20-08:40, 20 min
    frame = b.series("vector-store", "latency_p95_ms", day, 288)[keep]
    [cov] = cover(b, cfg, b.samples(frame), day, day + dt.timedelta(days=1))
    assert len(cov.missing_runs) == 2
    gaps = series_gaps([cov], cfg, day + dt.timedelta(days=1))
    assert [g.start for g in gaps] == [ts[100].to_pydatetime()]


def test_many_short_dropouts_give_one_low_coverage_gap(b, cfg) -> None:
    day = t("2026-10-11 00:00")
    keep = np.ones(288, bool)
    keep[np.arange(288) % 12 >= 10] = False  # 2 of every 12 intervals missing: 10 min dropouts
    frame = b.series("chat-api", "latency_p95_ms", day, 288)[keep]
    end = day + dt.timedelta(days=1)
    [cov] = cover(b, cfg, b.samples(frame), day, end)
    assert (cov.present_intervals, cov.expected_intervals) == (240, 288)  # 288 - 24*2
    gaps = series_gaps([cov], cfg, end, start=day, end=end)
    assert [g.kind for g in gaps] == ["low_coverage"]
    assert "83.3%" in gaps[0].specific  # 240 / 288
    assert "(240 of 288; threshold 95%)" in gaps[0].specific
    assert gaps[0].coverage_threshold == cfg.gaps.min_coverage == 0.95  # the threshold is a fact too
    assert "from 2026-10-11 00:00 to 2026-10-12 00:00 UTC" in gaps[0].specific
    assert gaps[0].priority == "P1"  # chat-api: tier 1, customer-facing


def test_stale_series_reported_once(b, cfg) -> None:
    start = t("2026-10-11 00:00")
    frame = b.series("vector-store", "latency_p95_ms", start, 12 * 10)  # last point 09:55
    as_of = t("2026-10-11 13:00")
    [cov] = cover(b, cfg, b.samples(frame), start, as_of)
    assert cov.missing_runs == ((t("2026-10-11 10:00"), as_of),)
    gaps = series_gaps([cov], cfg, as_of)
    # the interval of the last point ends 10:00; 3 h before as-of > stale_after (2h); one gap, not two
    assert [g.kind for g in gaps] == ["stale"]
    assert gaps[0].specific == (
        "the latest latency_p95_ms data for Vector Store is from 2026-10-11 09:55 UTC, "
        "3.1 h before as-of (2026-10-11 13:00 UTC)"
    )
    assert gaps[0].span_hours == pytest.approx(3 + 5 / 60)  # the data's age, not the missing span


def test_recent_series_is_not_stale(b, cfg) -> None:
    start = t("2026-10-11 00:00")
    frame = b.series("vector-store", "latency_p95_ms", start, 12 * 10)  # covers up to 10:00
    as_of = t("2026-10-11 11:55")  # 1h55 after the last interval ended: below stale_after
    gaps = series_gaps(cover(b, cfg, b.samples(frame), start, as_of), cfg, as_of)
    assert [g.kind for g in gaps] == ["missing_run"]  # 10:00-11:55 is a run longer than 15m


def test_expected_signals_without_source(b, cfg) -> None:
    start, end = t("2026-10-11 00:00"), t("2026-10-12 00:00")
    s = b.samples(b.series("chat-api", "requests_total", start, 288))
    gaps = find_gaps(cover(b, cfg, s, start, end), cfg, end)
    missing = sorted((g.component, g.signal) for g in gaps if g.kind == "no_source")
    # chat-api expects availability (total + good) and latency; vector-store expects latency
    assert missing == [
        ("chat-api", "latency_p95_ms"),
        ("chat-api", "requests_good"),
        ("vector-store", "latency_p95_ms"),
    ]
    good = next(g for g in gaps if g.signal == "requests_good")
    assert good.priority == "P1"
    assert good.specific == (
        "no source provides requests_good data for Assistant Chat API, which is expected to report availability"
    )


def test_quality_and_cost_expectations_are_met_by_evals_and_ledger(b) -> None:
    cfg = b.config(
        components=[{"id": "rag", "name": "RAG", "owner": "Search team", "expects": ["quality", "cost"]}],
        slos=[],
    )
    start, end = t("2026-10-11 00:00"), t("2026-10-13 00:00")
    none = find_gaps(cover(b, cfg, empty_frame("samples"), start, end), cfg, end)
    assert sorted(g.signal for g in none) == ["cost", "eval_pass_rate"]
    evals = conform(
        "evals",
        pd.DataFrame(
            {
                "ts": [t("2026-10-11 06:00")],
                "component": ["rag"],
                "model_version": ["v1"],
                "eval_name": ["qa"],
                "passed": [9],
                "total": [10],
                "source": ["evals-1"],
            }
        ),
    )
    costs = conform(
        "costs",
        pd.DataFrame(
            {
                "day": [t("2026-10-11 00:00"), t("2026-10-11 00:00")],
                "component": ["rag", None],
                "team": [None, None],
                "provider": ["aws", "aws"],
                "service": ["s3", "s3"],
                "model": [None, None],
                "category": ["usage", "usage"],
                "cost": [1.0, 2.0],
                "billed_cost": [1.0, 2.0],
                "currency": ["USD", "USD"],
                "source": ["focus-1", "focus-1"],
            }
        ),
    )
    covs = cover(b, cfg, empty_frame("samples"), start, end, evals=evals, costs=costs)
    assert [(c.component, c.signal, c.sources) for c in covs] == [
        ("rag", "cost", ("focus-1",)),
        ("rag", "evals", ("evals-1",)),
    ]
    assert find_gaps(covs, cfg, end) == []
    assert telemetry_coverage(covs) is None  # ledger and eval rows are not telemetry


def test_telemetry_coverage_pools_intervals(b, cfg) -> None:
    start, end = t("2026-10-11 00:00"), t("2026-10-12 00:00")
    full = b.series("chat-api", "latency_p95_ms", start, 288)
    half = b.series("vector-store", "latency_p95_ms", start, 144)
    covs = cover(b, cfg, b.samples(full, half), start, end)
    assert telemetry_coverage(covs) == (288 + 144) / (288 + 288)  # 0.75
    assert telemetry_coverage([]) is None


def test_step_is_the_median_step_and_duplicates_count_once(b, cfg) -> None:
    start, end = t("2026-10-11 00:00"), t("2026-10-11 01:00")
    one_min = b.series("chat-api", "latency_p95_ms", start, 60, dt.timedelta(minutes=1))
    copy = one_min.assign(source="prom-2")  # a second source with the same timestamps
    [cov] = cover(b, cfg, b.samples(one_min, copy), start, end)
    assert cov.step_seconds == 60
    assert (cov.expected_intervals, cov.present_intervals) == (60, 60)
    assert cov.sources == ("prom-1", "prom-2")


def test_partial_last_interval_counts_as_expected(b, cfg) -> None:
    # window 00:00-00:12 with 5m steps: intervals start 00:00, 00:05, 00:10 -> ceil(12/5) = 3 expected
    start = t("2026-10-11 00:00")
    s = b.samples(b.series("chat-api", "latency_p95_ms", start, 3))
    [cov] = cover(b, cfg, s, start, start + dt.timedelta(minutes=12))
    assert (cov.expected_intervals, cov.present_intervals, cov.missing_runs) == (3, 3, ())


def test_series_silent_through_the_window_is_stale_not_absent(b, cfg) -> None:
    s = b.samples(b.series("vector-store", "latency_p95_ms", t("2026-10-01 00:00"), 288))
    start, end = t("2026-10-11 00:00"), t("2026-10-12 00:00")
    [cov] = cover(b, cfg, s, start, end)
    assert (cov.present_intervals, cov.expected_intervals) == (0, 288)
    assert cov.end == t("2026-10-01 23:55")
    gaps = series_gaps([cov], cfg, end)
    assert [g.kind for g in gaps] == ["stale"]


def test_gap_order_is_deterministic(b, cfg) -> None:
    start, end = t("2026-10-11 00:00"), t("2026-10-15 00:00")
    s = outage_series(b)
    shuffled = s.sample(frac=1.0, random_state=3).reset_index(drop=True)
    a = find_gaps(cover(b, cfg, s, start, end), cfg, end)
    c = find_gaps(cover(b, cfg, shuffled, start, end), cfg, end)
    assert a == c
    assert [g.priority for g in a] == sorted(g.priority for g in a)


def test_merge_runs_merges_touching_and_overlapping() -> None:
    assert merge_runs([(5, 9), (0, 3), (3, 4), (8, 12), (20, 21)]) == [(0, 4), (5, 12), (20, 21)]


def test_concurrent_outages_of_one_component_become_one_gap(b, cfg) -> None:
    from sentinel_reports.analysis.gaps import merge_concurrent_gaps
    from sentinel_reports.model import Gap

    s, e = t("2026-11-10 00:00"), t("2026-11-12 00:00")
    gaps = [
        Gap(
            "missing_run",
            "vector-store",
            sig,
            f"no {sig} data for Vector Store from X to Y UTC (48 h)",
            lim,
            f"export {sig} at {res} resolution; alert Data team when the series is absent for 15m",
            "P2",
            s,
            e,
            (src,),
            span_hours=48.0,
            resolution_minutes=(minutes,),
            alert_after_minutes=15.0,
        )
        for sig, lim, src, res, minutes in (
            ("requests_total", "measure availability", "a", "1h", 60.0),
            ("latency_p95_ms", "detect latency regressions", "b", "15m", 15.0),
        )
    ]
    other = Gap(
        "missing_run",
        "vector-store",
        "saturation",
        "no saturation data",
        "x",
        "y",
        "P2",
        s,
        t("2026-11-11 00:00"),
    )
    merged = merge_concurrent_gaps([*gaps, other])
    assert len(merged) == 2
    [both] = [g for g in merged if g.end == e]
    assert both.specific.startswith("no latency_p95_ms or requests_total data for Vector Store")
    assert both.limits == "measure availability and detect latency regressions"
    assert both.instrumentation.count("; alert ") == 1
    assert both.sources == ("a", "b")
    # the figures its sentences state: the one span, every resolution named, the one alert window
    assert (both.span_hours, both.resolution_minutes, both.alert_after_minutes) == (48.0, (15.0, 60.0), 15.0)


def test_expected_signal_without_a_source_counts_as_zero_coverage(b) -> None:
    """One component expecting availability and latency: latency full, requests with no source at all."""
    cfg = b.config(
        components=[
            {"id": "chat-api", "name": "Chat", "owner": "Chat team", "expects": ["availability", "latency"]}
        ],
        slos=[],
    )
    start, end = t("2026-10-11 00:00"), t("2026-10-12 00:00")
    covs = cover(b, cfg, b.series("chat-api", "latency_p95_ms", start, 288), start, end)
    assert telemetry_coverage(covs) == 1.0  # without the config, only existing series count
    # requests_total and requests_good are expected and have no source: 288 intervals each at the 5m step
    assert telemetry_coverage(covs, cfg) == 288 / (288 * 3)
    full = b.samples(b.series("chat-api", "latency_p95_ms", start, 288), b.requests("chat-api", start, 288))
    assert telemetry_coverage(cover(b, cfg, full, start, end), cfg) == 1.0
    # no telemetry at all is a gap (null), not a measured 0 %
    assert telemetry_coverage([], cfg) is None
