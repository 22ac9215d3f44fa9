"""Facts assembly: shape, provenance, determinism and the blocks built from content."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sentinel_reports.analysis.facts import json_dumps_facts, quarter_facts, week_facts
from sentinel_reports.analysis.facts_model import facts_data
from sentinel_reports.model import Incident, InputFile, SourceReport, conform

START = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)  # Monday of 2026-W45
AS_OF = dt.datetime(2026, 11, 19, 12, 0, tzinfo=dt.UTC)  # Thursday of 2026-W47
N = int((AS_OF - START) / dt.timedelta(minutes=5)) + 1

WEEK_KEYS = {
    # AI operations blocks (docs/facts.md)
    "ai_incidents",
    "segments",
    "drift",
    "kpi_changes",
    "self_hosting",
    # counts stored by analysis (main)
    "slo_counts",
    "gap_counts",
    "source_types",
    "status_history_days",
    "source_totals",
    "kind",
    "in_progress",
    "cost_quality",
    "period",
    "organization",
    "timezone",
    "currency",
    "as_of",
    "window",
    "previous_period",
    "comparison",
    "recommendation_memory",
    "next_period",
    "coverage",
    "summary",
    "slos",
    "incident_history",
    "components",
    "incidents",
    "incident_stats",
    "cost",
    "quality",
    "business",
    "maintenance",
    "recommendations",
    "note",
    "next_actions",
    "gaps",
    "figures",
    "verdict",
    "sources",
}


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def build(b, errors_from: dt.datetime | None = None):
    ts = pd.date_range(START, periods=N, freq="5min", tz="UTC")
    good = np.full(N, 999.0)
    if errors_from is not None:
        good[ts >= errors_from] = 900.0
    s = b.samples(
        b.requests("chat-api", START, N, total=1000.0, good=good),
        b.series("chat-api", "latency_p95_ms", START, N, value=1200.0),
        b.series(
            "vector-store", "latency_p95_ms", START, N - 12 * 30, value=80.0
        ),  # stopped 30 h before as-of
    )
    costs = conform(
        "costs",
        pd.DataFrame(
            {
                "day": [t("2026-11-16 00:00"), t("2026-11-17 00:00")],
                "component": ["chat-api", None],
                "team": [None, None],
                "provider": ["anthropic", "aws"],
                "service": ["api", "ec2"],
                "model": [None, None],
                "category": ["usage", "usage"],
                "cost": [120.0, 30.0],
                "billed_cost": [120.0, 30.0],
                "currency": ["USD", "USD"],
                "source": ["focus-1", "focus-1"],
            }
        ),
    )
    incident = Incident(
        "INC-7",
        "Elevated 5xx on chat",
        "SEV2",
        "resolved",
        ("chat-api",),
        t("2026-11-17 10:00"),
        t("2026-11-17 10:05"),
        t("2026-11-17 10:05"),
        t("2026-11-17 10:10"),
        t("2026-11-17 10:40"),
        t("2026-11-17 11:00"),
        True,
        "pagerduty-1",
    )
    report = SourceReport(
        "prom-1",
        "prometheus",
        (InputFile("data/prometheus/requests_total.json", "ab" * 32, N),),
        N,
        0,
        START,
        AS_OF,
    )
    data = b.dataset(s, costs=costs, incidents=(incident,), sources=(report,))
    content = SimpleNamespace(
        postmortems=(
            SimpleNamespace(
                incident="INC-7",
                status="published",
                slug="inc-7",
                action_items=(
                    SimpleNamespace(
                        title="Add retry budget to the gateway",
                        owner="Gateway team",
                        due=dt.date(2026, 11, 18),
                        done=False,
                    ),
                ),
            ),
        ),
        maintenance=(
            SimpleNamespace(
                slug="db-upgrade",
                title="Database upgrade",
                components=("chat-api",),
                starts=t("2026-11-21 02:00"),
                ends=t("2026-11-21 03:00"),
            ),
            SimpleNamespace(
                slug="old",
                title="Old",
                components=("chat-api",),
                starts=t("2026-11-01 02:00"),
                ends=t("2026-11-01 03:00"),
            ),
        ),
        recommendations=(
            SimpleNamespace(
                slug="b-cache",
                title="Cache",
                action="Enable prompt caching",
                expected_impact="-20% cost",
                risk={"level": "Low"},
                owner="Platform team",
                deadline=dt.date(2026, 11, 30),
            ),
            SimpleNamespace(
                slug="a-retry",
                title="Retry",
                action="Add retry budget",
                expected_impact="fewer 5xx",
                risk={"level": "Medium"},
                owner="Gateway team",
                deadline=dt.date(2026, 11, 27),
            ),
        ),
        investments=(),
        notes=(SimpleNamespace(period="2026-W47", body="Quiet week."),),
    )
    return data, content


def test_week_facts_shape_and_window(b) -> None:
    data, content = build(b)
    f = facts_data(week_facts(data, content, b.config(), "2026-W47", AS_OF))
    assert set(f) == WEEK_KEYS
    assert (f["kind"], f["period"]) == ("week", "2026-W47")
    assert f["window"] == {
        "start": "2026-11-16T00:00:00Z",
        "end": "2026-11-19T12:00:00Z",
        "first_day": "2026-11-16",
        "last_day": "2026-11-19",
    }
    assert f["in_progress"]
    assert (f["previous_period"], f["next_period"]) == ("2026-W46", None)
    assert f["coverage"]["evidence_days"] == 3.5
    assert f["as_of"] == "2026-11-19T12:00:00Z"
    assert f["note"] == "Quiet week."


def test_week_facts_figures_and_provenance(b) -> None:
    data, content = build(b)
    f = facts_data(week_facts(data, content, b.config(), "2026-W47", AS_OF))
    slo = next(s for s in f["slos"] if s["name"] == "chat-api-availability")
    # 0.999 against 0.995: consumed 0.2, remaining 0.8; the window (28d) holds 17.5 days of data
    assert slo["attainment"] == pytest.approx(0.999)
    assert slo["budget_remaining"] == pytest.approx(0.8)
    assert slo["week_attainment"] == slo["period_attainment"] == pytest.approx(0.999)
    assert slo["previous_week_attainment"] == pytest.approx(0.999)
    assert not slo["data_sufficient"] and "low_coverage_in_window" in slo["flags"]
    assert [d["date"] for d in slo["daily"]] == ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"]
    figures = {x["key"]: x for x in f["figures"]}
    assert figures["slos.chat-api-availability.budget_remaining"]["display"] == "80%"
    assert figures["slos.chat-api-availability.attainment"]["display"] == "99.90%"
    assert figures["slos.chat-api-availability.attainment"]["sources"] == ["prom-1"]
    assert figures["cost.total"]["display"] == "$150" and figures["cost.total"]["sources"] == ["focus-1"]
    assert figures["incident_stats.count"]["sources"] == ["pagerduty-1"]
    assert [x["key"] for x in f["figures"]] == sorted(figures)
    assert all(x["value"] is not None for x in f["figures"])
    assert f["sources"][0]["files"] == [
        {"path": "data/prometheus/requests_total.json", "rows": N, "sha256": "ab" * 32}
    ]
    assert f["summary"]["budget_slo"] == "chat-api-availability"
    assert f["summary"]["status"] == "Healthy"


def test_week_facts_gaps_and_actions(b) -> None:
    data, content = build(b, errors_from=t("2026-11-19 06:00"))
    f = facts_data(week_facts(data, content, b.config(), "2026-W47", AS_OF))
    kinds = {(g["kind"], g["component"]) for g in f["gaps"]}
    assert ("stale", "vector-store") in kinds
    assert ("unattributed_spend", None) in kinds
    assert all(g["sentence"].startswith("Current observability gap: ") for g in f["gaps"])
    priorities = [g["priority"] for g in f["gaps"]]
    assert priorities == sorted(priorities)
    # 6 h at 10% errors (20x the 0.5% budget): both page rules fire for the availability SLO
    assert f["summary"]["active_alerts"] == 1
    assert f["summary"]["status"] == "Partial Outage"  # last hour availability 0.90 < 0.95
    actions = f["next_actions"]
    assert {
        "action": "Add retry budget to the gateway",
        "owner": "Gateway team",
        "deadline": "2026-11-18",
        "origin": "postmortem",
    } in actions
    assert [a["deadline"] for a in actions] == sorted(a["deadline"] for a in actions)
    assert [r["slug"] for r in f["recommendations"]] == ["a-retry", "b-cache"]
    assert [m["slug"] for m in f["maintenance"]] == ["db-upgrade"]
    assert f["maintenance"][0]["status"] == "scheduled"


def test_overspent_budget_adds_a_release_freeze(b) -> None:
    data, content = build(b, errors_from=t("2026-11-10 00:00"))
    f = facts_data(week_facts(data, content, b.config(), "2026-W47", AS_OF))
    slo = next(s for s in f["slos"] if s["name"] == "chat-api-availability")
    assert slo["budget_remaining"] < 0
    freeze = [
        a for a in f["next_actions"] if a["origin"] == "rule" and a["action"].startswith("Freeze releases")
    ]
    assert freeze == [
        {
            "action": "Freeze releases on Assistant Chat API except P0 and security fixes until the "
            "chat-api-availability error budget recovers",
            "owner": "Assistant Platform team",
            # the budget was already overspent at the close of 2026-W46 (errors from 2026-11-10): the freeze
            # keeps the deadline it was first given, W46's publication (2026-11-16) + 7 days
            "deadline": "2026-11-23",
            "origin": "rule",
        }
    ]


def test_serialisation_is_byte_identical_and_canonical(b) -> None:
    data, content = build(b)
    cfg = b.config()
    one = json_dumps_facts(week_facts(data, content, cfg, "2026-W47", AS_OF))
    data.samples = data.samples.sample(frac=1.0, random_state=11).reset_index(drop=True)
    two = json_dumps_facts(week_facts(data, content, cfg, "2026-W47", AS_OF))
    assert one == two
    assert one.endswith("}\n")
    parsed = json.loads(one)
    assert json.dumps(parsed, sort_keys=True, indent=2, ensure_ascii=False) + "\n" == one
    assert "NaN" not in one and "+00:00" not in one


def test_empty_content_and_no_telemetry(b) -> None:
    data = b.dataset(b.samples())
    data.incidents = (
        Incident(
            "INC-1",
            "x",
            "SEV4",
            "resolved",
            ("chat-api",),
            t("2026-11-17 10:00"),
            t("2026-11-17 10:00"),
            None,
            None,
            None,
            t("2026-11-17 10:30"),
            False,
            "pd",
        ),
    )
    f = facts_data(week_facts(data, None, b.config(), "2026-W47", AS_OF))
    assert f["summary"]["status"] == "Unknown"
    assert f["summary"]["budget_remaining"] is None
    assert f["coverage"]["telemetry"] is None
    assert all(c["status"] == "no_data" for c in f["components"])
    assert (f["maintenance"], f["recommendations"], f["note"]) == ([], [], None)
    assert "summary.budget_remaining" not in {x["key"] for x in f["figures"]}


def test_bad_labels(b) -> None:
    data, content = build(b)
    with pytest.raises(ValueError, match="2026-W47"):
        facts_data(week_facts(data, content, b.config(), "2026-47", AS_OF))
    with pytest.raises(ValueError, match="after as-of"):
        facts_data(week_facts(data, content, b.config(), "2026-W49", AS_OF))


def test_quarter_facts_carry_investments(b) -> None:
    data, content = build(b)
    content.investments = (
        SimpleNamespace(
            slug="multi-region", title="Multi-region failover", cost=50_000.0, expected_benefit=80_000.0
        ),
    )
    f = facts_data(quarter_facts(data, content, b.config(), "2026-Q4", AS_OF))
    assert (f["kind"], f["period"], f["previous_period"]) == ("quarter", "2026-Q4", None)
    assert f["window"]["start"] == "2026-10-01T00:00:00Z"
    assert [i["slug"] for i in f["investments"]] == ["multi-region"]
    assert f["investments"][0]["roi"] == pytest.approx(0.6)  # (80,000 - 50,000) / 50,000
    assert "week_attainment" not in f["slos"][0]


def test_incident_history_spans_ninety_days_and_next_update_is_hourly(b) -> None:
    data, content = build(b)
    f = facts_data(week_facts(data, content, b.config(), "2026-W47", AS_OF))
    window_ids = {i["id"] for i in f["incidents"]}
    history_ids = {i["id"] for i in f["incident_history"]}
    assert window_ids <= history_ids
    detail = f["summary"]["incident_mode_detail"]
    if detail is not None:
        assert detail["next_update"] == "2026-11-19T13:00:00Z"
