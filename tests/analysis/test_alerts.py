"""Multiwindow multi-burn-rate alerts: both windows must exceed the threshold (SPEC section 7)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sentinel_reports.analysis.alerts import alert_counts, evaluate_alerts
from sentinel_reports.analysis.series import SeriesIndex
from sentinel_reports.analysis.slo import sli_events

START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
DAYS = 4
N = DAYS * 288  # five-minute intervals


def states(b, good: np.ndarray, objective: float = 0.999):
    cfg = b.config(
        slos=[{"name": "avail", "component": "chat-api", "objective": objective, "indicator": {"ratio": {}}}]
    )
    s = b.samples(b.requests("chat-api", START, N, total=1000.0, good=good))
    events = sli_events(SeriesIndex(s), cfg.slos[0])
    at = START + dt.timedelta(days=DAYS)
    return evaluate_alerts(events, cfg.slos[0], cfg.alerts, at, cfg.gaps.min_coverage)


def by_rule(result):
    return {(s.severity, s.long, s.short): s for s in result}


def test_fast_burn_pages_when_both_windows_exceed(b) -> None:
    good = np.full(N, 1000.0)
    good[-12:] = 980.0  # last hour error ratio 0.02 = 20x the 0.001 budget
    r = by_rule(states(b, good))
    fast = r[("page", dt.timedelta(hours=1), dt.timedelta(minutes=5))]
    assert fast.long_burn == pytest.approx(20.0) and fast.short_burn == pytest.approx(20.0)
    assert fast.active and not fast.unknown
    slow = r[("page", dt.timedelta(hours=6), dt.timedelta(minutes=30))]
    assert slow.long_burn == pytest.approx(20.0 / 6)  # 1 bad hour of 6
    assert not slow.active
    assert alert_counts(list(r.values())) == (1, 0)


def test_recovered_short_window_stops_the_page(b) -> None:
    good = np.full(N, 1000.0)
    good[-12:-1] = 980.0  # bad for 55 minutes, the last 5 minutes clean
    fast = by_rule(states(b, good))[("page", dt.timedelta(hours=1), dt.timedelta(minutes=5))]
    assert fast.long_burn == pytest.approx(20.0 * 11 / 12)
    assert fast.short_burn == 0.0
    assert not fast.active


def test_short_spike_alone_does_not_page(b) -> None:
    good = np.full(N, 1000.0)
    good[-1] = 900.0  # one bad interval: 5m burn 100x, 1h burn 100/12 = 8.3x
    fast = by_rule(states(b, good))[("page", dt.timedelta(hours=1), dt.timedelta(minutes=5))]
    assert fast.short_burn == pytest.approx(100.0)
    assert fast.long_burn == pytest.approx(100.0 / 12)
    assert not fast.active


def test_exactly_at_threshold_is_not_active(b) -> None:
    good = np.full(N, 1000.0 * (1 - 0.001))  # 1x everywhere
    ticket = by_rule(states(b, good))[("ticket", dt.timedelta(days=3), dt.timedelta(hours=6))]
    assert ticket.long_burn == pytest.approx(1.0)
    assert not ticket.active  # must exceed, not equal


def test_slow_burn_opens_a_ticket(b) -> None:
    good = np.full(N, 1000.0 * (1 - 0.002))  # 2x for four days
    result = states(b, good)
    ticket = by_rule(result)[("ticket", dt.timedelta(days=3), dt.timedelta(hours=6))]
    assert ticket.active
    assert alert_counts(result) == (0, 1)


def test_missing_data_makes_rules_unknown_not_quiet(b) -> None:
    good = np.full(N, 980.0)
    cfg = b.config(
        slos=[{"name": "avail", "component": "chat-api", "objective": 0.999, "indicator": {"ratio": {}}}]
    )
    s = b.samples(b.requests("chat-api", START, N - 24, total=1000.0, good=good[:-24]))  # last 2 h missing
    events = sli_events(SeriesIndex(s), cfg.slos[0])
    result = evaluate_alerts(events, cfg.slos[0], cfg.alerts, START + dt.timedelta(days=DAYS), 0.95)
    fast = by_rule(result)[("page", dt.timedelta(hours=1), dt.timedelta(minutes=5))]
    assert fast.unknown and not fast.active
    assert fast.long_burn is None and fast.short_burn is None


def test_counts_are_per_slo_and_severity(b) -> None:
    good = np.full(N, 1000.0)
    good[-72:] = 900.0  # last 6 hours at 100x: both page rules fire for the one SLO
    result = states(b, good)
    assert sum(s.active for s in result if s.severity == "page") == 2
    assert alert_counts(result) == (1, 1)  # ticket: 3d burn 100*72/864 = 8.3x, 6h 100x


def test_alert_episodes_during_a_period_golden_case() -> None:
    import datetime as dt

    import numpy as np

    from sentinel_reports.analysis.alerts import alert_episodes
    from sentinel_reports.analysis.slo import SliEvents
    from sentinel_reports.config import SLO, Alerts

    t0 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    step = 300 * 10**9
    ts = np.arange(576) * step + int(t0.timestamp() * 1e9)  # two days of 5-minute intervals
    total = np.full(576, 100.0)
    good = total.copy()
    bad_start = 300  # interval index: t0 + 25 h
    good[bad_start : bad_start + 6] = 0.0  # a 30-minute total outage
    events = SliEvents.of(ts, good, total, step)
    slo = SLO.model_validate({"name": "a", "component": "c", "objective": 0.99, "indicator": {"ratio": {}}})
    alerts = Alerts.model_validate({"page": [{"long": "1h", "short": "5m", "burn": 14.4}], "ticket": []})
    [ep] = alert_episodes(events, slo, alerts, t0, t0 + dt.timedelta(days=2), 0.95)
    s = t0 + dt.timedelta(minutes=5 * bad_start)
    # evaluated at each interval end: after 1 bad interval the 1h burn is (1/12)/0.01 = 8.3x (< 14.4);
    # after 2 it is 16.7x and the 5m window burns at 100x -> active from s + 10 min.
    assert ep.started_at == s + dt.timedelta(minutes=10)
    # the first interval end whose 5m window is good again is s + 35 min
    assert ep.ended_at == s + dt.timedelta(minutes=35)
    # peak: 6 bad intervals of 12 in the hour -> 0.5 / 0.01 = 50x
    assert ep.peak_long_burn == pytest.approx(50.0)
    assert ep.severity == "page"


def test_no_alert_episode_without_errors() -> None:
    import datetime as dt

    import numpy as np

    from sentinel_reports.analysis.alerts import alert_episodes
    from sentinel_reports.analysis.slo import SliEvents
    from sentinel_reports.config import SLO, Alerts

    t0 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    ts = np.arange(100) * 300 * 10**9 + int(t0.timestamp() * 1e9)
    events = SliEvents.of(ts, np.full(100, 50.0), np.full(100, 50.0), 300 * 10**9)
    slo = SLO.model_validate({"name": "a", "component": "c", "objective": 0.999, "indicator": {"ratio": {}}})
    assert alert_episodes(events, slo, Alerts(), t0, t0 + dt.timedelta(days=1), 0.95) == []


def test_an_alert_is_judged_at_as_of_not_at_the_latest_sample() -> None:
    """Data that stops mid-outage three hours before as-of: the alert was active at the latest sample, but at
    as-of its windows hold no data, so it is not active (unknown) and the episode ends at as-of, never left
    firing by the last sample."""
    from sentinel_reports.analysis.alerts import alert_episodes
    from sentinel_reports.analysis.slo import SliEvents
    from sentinel_reports.config import SLO, Alerts

    t0 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    step = 300 * 10**9
    ts = np.arange(288) * step + int(t0.timestamp() * 1e9)  # one day of 5-minute intervals
    total = np.full(288, 100.0)
    good = total.copy()
    good[-12:] = 0.0  # the last hour of data is a total outage
    events = SliEvents.of(ts, good, total, step)
    slo = SLO.model_validate({"name": "a", "component": "c", "objective": 0.99, "indicator": {"ratio": {}}})
    alerts = Alerts.model_validate({"page": [{"long": "1h", "short": "5m", "burn": 14.4}], "ticket": []})
    last_sample_end = t0 + dt.timedelta(days=1)
    as_of = last_sample_end + dt.timedelta(hours=3)
    # at the latest sample the page fires
    [ep] = alert_episodes(events, slo, alerts, t0, last_sample_end, 0.95)
    assert ep.ended_at is None
    # at as-of it does not: the episode ends there, and the rule evaluated at as-of is unknown, not active
    [ep] = alert_episodes(events, slo, alerts, t0, as_of, 0.95)
    assert ep.ended_at == as_of
    [state] = evaluate_alerts(events, slo, alerts, as_of, 0.95)
    assert state.unknown and not state.active
