"""The deck's investment options (analysis/options.py): incident frequency over the last four quarters with
quarters without an incident record as gaps (never 0), ROI at the low, expected and high frequency, "do
nothing", and a case derived from incident history when content proposes none."""

from __future__ import annotations

import datetime as dt

import pytest

from sentinel_reports.analysis.options import QUARTER_DAYS, options_facts
from sentinel_reports.model import SourceReport

UTC = dt.UTC


def _q(label: str, start: tuple, end: tuple, window_end: tuple | None = None):
    s, e = dt.datetime(*start, tzinfo=UTC), dt.datetime(*end, tzinfo=UTC)
    return (label, s, dt.datetime(*window_end, tzinfo=UTC) if window_end else e, e)


QUARTERS = [
    _q("2026-Q1", (2026, 1, 1), (2026, 4, 1)),
    _q("2026-Q2", (2026, 4, 1), (2026, 7, 1)),
    _q("2026-Q3", (2026, 7, 1), (2026, 10, 1)),
    _q("2026-Q4", (2026, 10, 1), (2027, 1, 1), window_end=(2026, 11, 16)),
]
# the incident record starts on 1 April: Q1 has none
SOURCES = [SourceReport("pd", "pagerduty", (), 3, 0, dt.datetime(2026, 4, 1, tzinfo=UTC), None)]


def _incident(ident: str, day: tuple, components: list[str], minutes: float, amount: float | None, **kw):
    return {
        "id": ident,
        "severity": kw.get("severity", "SEV1"),
        "started_at": dt.datetime(*day, tzinfo=UTC).isoformat().replace("+00:00", "Z"),
        "components": components,
        "impact_minutes": minutes,
        "impact_kind": kw.get("kind", "outage"),
        "business_impact": {"amount": amount},
    }


INCIDENTS = [
    _incident("A", (2026, 5, 3), ["chat"], 100, 10_000.0),
    _incident("B", (2026, 11, 4), ["chat", "agent"], 150, 30_000.0),
    _incident("C", (2026, 10, 20), ["search"], 4000, None, severity="SEV2", kind="degraded"),
    _incident("D", (2026, 8, 1), ["chat"], 30, 1_000.0, severity="SEV3"),  # not serious: not counted
]
FAILOVER = {"slug": "failover", "components": ["chat", "agent"], "cost": 45_000.0,
            "running_cost_per_year": 12_000.0, "expected_benefit": 108_000.0}  # fmt: skip


def test_quarters_without_an_incident_record_are_gaps_not_zero() -> None:
    out = options_facts(INCIDENTS, QUARTERS, SOURCES, [dict(FAILOVER)], {"chat": "Chat"})
    q1, q2, q3, q4 = out["quarters"]
    assert q1["per_quarter"] is None and q1["count"] is None and q1["days_with_data"] == 0
    assert q3["count"] == 0 and q3["per_quarter"] == 0  # a whole quarter of record with no serious incident
    assert q2["incidents"] == ["A"] and q4["incidents"] == ["B", "C"] and q4["in_progress"]
    assert q4["days"] == 46 and q4["quarter_days"] == 92
    freq = out["frequency"]
    assert freq["quarters_without_data"] == ["2026-Q1"]
    assert (freq["low"], freq["low_quarter"]) == (0, "2026-Q3")
    assert freq["high"] == pytest.approx(2 / 46 * QUARTER_DAYS) and freq["high_quarter"] == "2026-Q4"
    assert freq["expected"] == pytest.approx(3 / (91 + 92 + 46) * QUARTER_DAYS)


def test_roi_at_low_expected_and_high_frequency_scales_the_benefit() -> None:
    [inv] = investments = [dict(FAILOVER)]
    options_facts(INCIDENTS, QUARTERS, SOURCES, investments, {})
    sens = inv["sensitivity"]
    assert sens["incidents"] == ["A", "B"]  # C is on another component
    expected = 2 / (91 + 92 + 46) * QUARTER_DAYS
    assert sens["expected"] == pytest.approx(expected)
    roi = (108_000 - 12_000 - 45_000) / 45_000
    assert sens["roi_expected"] == pytest.approx(roi)  # the proposal's own case
    assert sens["roi_low"] == pytest.approx((0 - 12_000 - 45_000) / 45_000)
    high = 1 / 46 * QUARTER_DAYS
    assert sens["roi_high"] == pytest.approx((108_000 * high / expected - 57_000) / 45_000)


def test_do_nothing_keeps_the_priced_exposure_and_names_unpriced_incidents() -> None:
    out = options_facts(INCIDENTS, QUARTERS, SOURCES, [dict(FAILOVER)], {})
    nothing = out["do_nothing"]
    assert (nothing["cost"], nothing["expected_benefit"]) == (0, 0)
    assert nothing["revenue_at_risk_per_year"] == pytest.approx(40_000 / (91 + 92 + 46) * 365.25)
    assert nothing["unpriced_incidents"] == ["C"]
    assert out["derived_case"] is None  # content proposes an investment


def test_a_case_is_derived_from_incident_history_when_content_proposes_none() -> None:
    out = options_facts(INCIDENTS, QUARTERS, SOURCES, [], {"chat": "Chat"})
    case = out["derived_case"]
    assert case["derived"] and case["components"] == ["chat"] and case["incidents"] == ["A", "B"]
    assert case["title"].endswith("on Chat")
    assert case["revenue_at_risk"] == 40_000
    assert case["break_even_cost"] == pytest.approx(40_000 / (91 + 92 + 46) * 365.25)


def test_no_incident_record_at_all_gives_no_frequency_and_no_case() -> None:
    out = options_facts(INCIDENTS, QUARTERS, [], [], {})
    assert out["frequency"]["expected"] is None and out["do_nothing"]["incidents_per_year"] is None
    assert out["derived_case"] is None
