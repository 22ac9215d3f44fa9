"""Component status per day and now, and the platform summary rules."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

from sentinel_reports.analysis.alerts import AlertState
from sentinel_reports.analysis.series import SeriesIndex
from sentinel_reports.analysis.slo import evaluate_slo, sli_events
from sentinel_reports.analysis.status import component_slis, component_status
from sentinel_reports.analysis.summary import platform_summary, status_word
from sentinel_reports.model import Incident

DAY = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
AS_OF = DAY + dt.timedelta(days=1)


def frame(
    b, good_ratio: float = 1.0, latency: float = 1000.0, periods: int = 288, component: str = "chat-api"
):
    return b.samples(
        b.requests(component, DAY, periods, total=1000.0, good=1000.0 * good_ratio),
        b.series(component, "latency_p95_ms", DAY, periods, value=latency),
    )


def status_of(b, s, cfg=None, incidents=(), maintenance=(), component="chat-api", days=1):
    cfg = cfg or b.config()
    index = SeriesIndex(s)
    events = {slo.name: sli_events(index, slo) for slo in cfg.slos}
    slis = component_slis(index, cfg.component(component), cfg, events)
    return component_status(slis, component, tuple(incidents), tuple(maintenance), cfg, AS_OF, days=days)


def incident(
    severity: str, impact: bool = True, started: dt.datetime = DAY + dt.timedelta(hours=3), resolved=None
):
    return Incident(
        "INC-1",
        "Elevated errors",
        severity,
        "resolved" if resolved else "investigating",
        ("chat-api",),
        started,
        started,
        None,
        None,
        None,
        resolved,
        impact,
        "pd",
    )


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (0.999, "operational"),  # >= objective 0.995
        (0.99, "degraded_performance"),  # below objective, above partial_outage_below 0.95
        (0.90, "partial_outage"),  # below 0.95, above major_outage_below 0.80
        (0.50, "major_outage"),  # below 0.80
    ],
)
def test_availability_thresholds(b, ratio: float, expected: str) -> None:
    st = status_of(b, frame(b, ratio))
    [day] = st.days
    assert day.status == expected
    assert st.status == expected  # the last hour has the same ratio
    assert day.uptime == pytest.approx(ratio)
    assert st.uptime_90d == pytest.approx(ratio)
    assert not day.gap


def test_latency_breach_is_degraded(b) -> None:
    st = status_of(b, frame(b, 1.0, latency=3000.0))
    assert st.days[0].status == "degraded_performance"


@pytest.mark.parametrize(
    ("severity", "impact", "expected"),
    [
        ("SEV1", True, "major_outage"),
        ("SEV1", False, "partial_outage"),
        ("SEV2", True, "partial_outage"),
        ("SEV3", True, "degraded_performance"),
        ("SEV4", False, "degraded_performance"),
    ],
)
def test_open_incidents_set_the_status(b, severity: str, impact: bool, expected: str) -> None:
    st = status_of(b, frame(b), incidents=[incident(severity, impact)])
    assert st.status == expected
    assert st.days[0].status == expected
    assert st.days[0].incidents == ("INC-1",)
    assert st.open_incidents == ("INC-1",)


def test_resolved_incident_marks_its_day_but_not_now(b) -> None:
    inc = incident("SEV1", True, resolved=DAY + dt.timedelta(hours=4))
    st = status_of(b, frame(b), incidents=[inc])
    assert st.days[0].status == "major_outage"
    assert st.status == "operational"
    assert st.open_incidents == ()


def test_maintenance_window_is_duck_typed(b) -> None:
    window = SimpleNamespace(
        components=("chat-api",), starts=DAY + dt.timedelta(hours=2), ends=AS_OF + dt.timedelta(hours=1)
    )
    st = status_of(b, frame(b), maintenance=[window])
    assert st.status == "under_maintenance"
    assert st.days[0].maintenance and st.days[0].status == "under_maintenance"
    # an outage during maintenance is still shown as the outage
    assert status_of(b, frame(b, 0.5), maintenance=[window]).status == "major_outage"


def test_low_coverage_is_no_data_never_operational(b) -> None:
    s = frame(b, 1.0, periods=200)  # data until 16:40: 200 of 288 intervals = 69%
    st = status_of(b, s)
    [day] = st.days
    assert day.status == "no_data" and day.gap
    assert day.coverage == pytest.approx(200 / 288)
    assert day.uptime is None
    assert st.status == "no_data"
    assert st.uptime_90d is None


def test_missing_latency_sli_makes_an_otherwise_healthy_day_no_data(b) -> None:
    s = b.samples(b.requests("chat-api", DAY, 288))
    assert status_of(b, s).days[0].status == "no_data"


def test_known_outage_wins_over_missing_data(b) -> None:
    s = b.samples(b.requests("chat-api", DAY, 288, good=500.0))  # latency missing, availability 50%
    assert status_of(b, s).days[0].status == "major_outage"


def test_component_without_telemetry_is_no_data(b) -> None:
    st = status_of(b, frame(b), component="vector-store", days=3)
    assert st.status == "no_data"
    assert [d.status for d in st.days] == ["no_data"] * 3
    assert [d.date for d in st.days] == [dt.date(2026, 9, 29), dt.date(2026, 9, 30), dt.date(2026, 10, 1)]


def test_ninety_days_by_default(b) -> None:
    st = status_of(b, frame(b), days=90)
    assert len(st.days) == 90
    assert st.days[-1].date == dt.date(2026, 10, 1)
    assert sum(d.status == "no_data" for d in st.days) == 89


def _alert(slo: str, severity: str, active: bool) -> AlertState:
    h = dt.timedelta(hours=1)
    return AlertState(slo, "chat-api", severity, h, h / 12, 14.4, 20.0, 20.0, active, False)  # type: ignore[arg-type]


def test_status_word_rule() -> None:
    assert status_word(["operational", "operational"]) == "Healthy"
    assert status_word(["operational", "no_data"]) == "Unknown"
    assert status_word(["degraded_performance", "no_data"]) == "Degraded"
    assert status_word(["under_maintenance"]) == "Degraded"
    assert status_word(["partial_outage", "major_outage"]) == "Major Outage"
    assert status_word([]) == "Unknown"


def test_platform_summary(b) -> None:
    cfg = b.config()
    s = frame(b, 0.999)
    index = SeriesIndex(s)
    events = {slo.name: sli_events(index, slo) for slo in cfg.slos}
    results = [evaluate_slo(events[slo.name], slo, cfg, AS_OF) for slo in cfg.slos]
    statuses = [status_of(b, s, cfg, component=c) for c in ("chat-api", "vector-store")]
    alerts = [
        _alert("a", "page", True),
        _alert("a", "ticket", True),
        _alert("b", "ticket", True),
        _alert("c", "page", False),
    ]
    summary = platform_summary(statuses, results, alerts, (), cfg, AS_OF)
    # vector-store is not customer-facing, so its no_data does not decide the word
    assert summary.status == "Healthy"
    # availability 0.999 vs 0.995: remaining 1 - 0.001/0.005 = 0.8; latency all good: 1.0
    assert summary.budget_remaining == pytest.approx(0.8)
    assert (summary.budget_slo, summary.budget_component) == ("chat-api-availability", "chat-api")
    assert (summary.active_alerts, summary.informational_alerts) == (1, 2)
    assert not summary.incident_mode


def test_summary_budget_unknown_when_a_customer_facing_slo_has_no_data(b) -> None:
    cfg = b.config()
    s = b.samples(b.requests("chat-api", DAY, 288, good=999.0))  # no latency data
    index = SeriesIndex(s)
    results = [evaluate_slo(sli_events(index, slo), slo, cfg, AS_OF) for slo in cfg.slos]
    statuses = [status_of(b, s, cfg)]
    summary = platform_summary(statuses, results, [], (), cfg, AS_OF)
    assert summary.budget_remaining is None
    assert summary.budget_slo == "chat-api-latency"
    assert summary.unknown_budget_slos == ("chat-api-latency",)
    assert summary.status == "Unknown"


def test_incident_mode_on_major_outage(b) -> None:
    cfg = b.config()
    inc = incident("SEV1", True)
    statuses = [status_of(b, frame(b), cfg, incidents=[inc])]
    summary = platform_summary(statuses, [], [], (inc,), cfg, AS_OF)
    assert summary.status == "Major Outage"
    assert summary.incident_mode and summary.incident_components == ("chat-api",)
    assert summary.incident_since == inc.started_at
    assert summary.budget_remaining is None and summary.budget_slo is None


def test_uptime_90d_pools_requests_of_covered_days(b) -> None:
    good = np.concatenate([np.full(288, 990.0), np.full(288, 1000.0)])
    s = b.samples(
        b.requests("chat-api", DAY - dt.timedelta(days=1), 576, good=good),
        b.series("chat-api", "latency_p95_ms", DAY - dt.timedelta(days=1), 576, value=100.0),
    )
    st = status_of(b, s, days=3)
    assert [d.uptime for d in st.days] == [None, pytest.approx(0.99), 1.0]
    assert st.uptime_90d == pytest.approx((288 * 990 + 288 * 1000) / (576 * 1000))


def test_daily_series_is_judged_on_its_latest_day_now(b) -> None:
    cfg = b.config(slos=[], components=[{"id": "copilot", "name": "Copilot", "owner": "Support team"}])
    one_day = dt.timedelta(days=1)
    s = b.samples(
        b.requests("copilot", DAY - 2 * one_day, 3, good=999.0, step=one_day)
    )  # last point DAY 00:00
    st = status_of(b, s, cfg, component="copilot", days=2)
    # the point at DAY 00:00 covers the whole day that ends at as-of: "now" is covered, not no_data
    assert st.status == "operational"
    assert st.now_coverage == 1.0
    assert [d.status for d in st.days] == ["operational", "operational"]


def test_a_day_records_the_slos_it_missed(b) -> None:
    """A day degraded by latency with every request served read 'Degraded, uptime 100.00%' and nothing
    else: the day now names the SLOs whose SLI was under its objective."""
    [day] = status_of(b, frame(b, 1.0, latency=3000.0)).days
    assert day.status == "degraded_performance" and day.uptime == pytest.approx(1.0)
    assert day.below == ("chat-api-latency",)
    [day] = status_of(b, frame(b, 0.99)).days
    assert day.status == "degraded_performance" and day.below == ("chat-api-availability",)
    [day] = status_of(b, frame(b, 0.90, latency=3000.0)).days
    assert day.status == "partial_outage" and day.below == ("chat-api-availability", "chat-api-latency")
    [day] = status_of(b, frame(b, 1.0)).days
    assert day.status == "operational" and day.below == ()
