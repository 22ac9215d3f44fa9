"""AI operations analysis: segments, drift, KPI comparisons, self-hosting, AI incidents and regulatory flags."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sentinel_reports.analysis.ai_incidents import ai_incident_facts
from sentinel_reports.analysis.kpi import kpi_change_facts, model_changes, two_proportion_z
from sentinel_reports.analysis.segments import drift_facts, segment_facts
from sentinel_reports.analysis.selfhost import self_hosting_facts
from sentinel_reports.config import Config
from sentinel_reports.model import Incident, conform, empty_frame

UTC = dt.UTC
START, END = dt.datetime(2026, 11, 16, tzinfo=UTC), dt.datetime(2026, 11, 23, tzinfo=UTC)


def cfg(**extra) -> Config:
    return Config.model_validate({
        "organization": "Acme",
        "components": [
            {"id": "chat-api", "name": "Chat", "owner": "Assistant Platform team", "tier": 1, "customer_facing": True, "high_risk": True},
            {"id": "gpu", "name": "GPU", "owner": "ML Platform team"},
        ],
        **extra,
    })  # fmt: skip


def evals(rows):
    frame = pd.DataFrame(
        rows, columns=["ts", "component", "model_version", "eval_name", "passed", "total", "segment"]
    )
    return conform("evals", frame.assign(ts=pd.to_datetime(frame["ts"], utc=True), source="ev"))


def test_a_segment_below_target_while_the_overall_rate_meets_it_is_a_hidden_regression():
    frame = evals([("2026-11-17", "chat-api", "v1", "q", 190, 200, "en"), ("2026-11-17", "chat-api", "v1", "q", 40, 50, "ja"),
                   ("2026-11-17", "chat-api", "v1", "q", 9, 10, "ko")])  # fmt: skip
    config = cfg(
        quality={"expected_segments": {"chat-api": ["en", "ja", "ko", "fr"]}, "min_segment_cases": 30}
    )
    (seg,), gaps = segment_facts(frame, config, START, END)
    assert seg["overall_pass_rate"] == pytest.approx(239 / 260) and seg["overall_met"]
    assert seg["hidden_regressions"] == ["ja"] and seg["worst"] == "ja" and seg["worst_cases"] == 50
    ko = next(r for r in seg["segments"] if r["segment"] == "ko")
    assert ko["comparable"] is False and ko["below_target"] is None  # 10 cases: never judged
    assert [g.specific for g in gaps] == ["no eval cases for the expected segment 'fr' of chat-api"]


def test_no_hidden_regression_when_the_overall_rate_also_misses():
    frame = evals(
        [
            ("2026-11-17", "chat-api", "v1", "q", 80, 100, "en"),
            ("2026-11-17", "chat-api", "v1", "q", 30, 50, "ja"),
        ]
    )
    (seg,), _ = segment_facts(frame, cfg(), START, END)
    assert seg["hidden_regressions"] == [] and seg["overall_met"] is False


def samples(rows):
    frame = pd.DataFrame(rows, columns=["ts", "component", "signal", "value"])
    return conform("samples", frame.assign(ts=pd.to_datetime(frame["ts"], utc=True), source="s"))


def test_drift_levels_and_a_missing_threshold_gap():
    rows = [("2026-11-17 00:00", "chat-api", "drift_score", 0.3), ("2026-11-17 06:00", "chat-api", "drift_score", 0.12),
            ("2026-11-17 00:00", "gpu", "drift_score", 0.5)]  # fmt: skip
    out, gaps = drift_facts(
        samples(rows), cfg(quality={"drift": {"chat-api": {"warn": 0.1, "critical": 0.25}}}), START, END
    )
    chat, gpu = out
    assert (chat["level"], chat["peak_level"], chat["latest"]) == ("warn", "critical", 0.12)
    assert gpu["level"] is None and [g.component for g in gaps] == ["gpu"]


def test_severity_definition_episode_and_whether_an_incident_covers_it():
    rows = [
        (f"2026-11-18 {h:02d}:00", "chat-api", "toxicity_rate", v)
        for h, v in ((0, 0.0), (6, 0.03), (12, 0.0), (18, 0.02))
    ]
    inc = Incident("I-1", "t", "SEV2", "resolved", ("chat-api",), *(dt.datetime(2026, 11, 18, 7, tzinfo=UTC),) * 2,
                   None, None, None, dt.datetime(2026, 11, 18, 9, tzinfo=UTC), True, "src", incident_class="safety")  # fmt: skip
    config = cfg(
        incidents={
            "severity_definitions": [
                {
                    "severity": "SEV2",
                    "signal": "toxicity_rate",
                    "limit": 0.01,
                    "for": "30m",
                    "description": "d",
                }
            ]
        }
    )
    ai = ai_incident_facts([inc], [], samples(rows), config, START, END, END)
    first, second = ai["severity_criteria"]
    assert (first["start"], first["minutes"], first["incidents"]) == ("2026-11-18T06:00:00Z", 360.0, ["I-1"])
    assert second["without_incident"] is True
    assert ai["safety_officer_missing"] == ["I-1"]
    assert ai["regulatory"]["candidates"] == []  # governance.eu_ai_act is off


def incident(cls, severity="SEV2", components=("chat-api",), roles=()):
    at = dt.datetime(2026, 11, 18, 11, tzinfo=UTC)
    return Incident(f"I-{cls}", "t", severity, "resolved", components, at, at, None, None, None, at + dt.timedelta(hours=2),
                    True, "src", incident_class=cls, roles=roles)  # fmt: skip


@pytest.mark.parametrize(
    ("inc", "candidate"),
    [
        (incident("safety"), True),
        (incident("data_exposure", "SEV1"), True),
        (incident("safety", "SEV3"), False),
        (incident("provider_outage", "SEV1"), False),
        (incident("safety", components=("gpu",)), False),  # not high-risk
    ],
)
def test_regulatory_candidates_need_class_severity_and_a_high_risk_component(inc, candidate):
    ai = ai_incident_facts(
        [inc], [], empty_frame("samples"), cfg(governance={"eu_ai_act": True}), START, END, END
    )
    found = ai["regulatory"]["candidates"]
    assert bool(found) == candidate
    if found:
        assert found[0]["counsel_review"] and [d["days"] for d in found[0]["deadlines"]] == [15, 2, 10]


def test_postmortem_roles_complete_the_source_and_unknown_holders_are_refused():
    class PM:
        incident, slug, incident_class = "I-safety", "pm", None
        roles = {"safety_officer": "ml platform team", "communications_lead": "Jordan Sample"}

    inc = incident("safety", roles=(("incident_commander", "Assistant Platform team"),))
    (entry,) = ai_incident_facts([inc], [PM()], empty_frame("samples"), cfg(), START, END, END)["incidents"]
    assert entry["roles"] == {
        "Incident Commander": "Assistant Platform team",
        "Safety Officer": "ML Platform team",
    }
    assert entry["refused_roles"] == ["Communications Lead"] and not entry["safety_officer_missing"]
    assert "Jordan" not in repr(entry)


def kpi_rows(days, component="chat-api"):
    frame = pd.DataFrame(days, columns=["day", "kpi", "kind", "value", "n"]).assign(
        component=component, source="k"
    )
    return conform("kpis", frame.assign(day=pd.to_datetime(frame["day"], utc=True)))


def test_kpi_comparison_over_equal_windows_with_a_z_test():
    ev = evals([("2026-11-10 12:00", "chat-api", "v1", "q", 9, 10, ""), ("2026-11-14 12:00", "chat-api", "v2", "q", 9, 10, ""),
                ("2026-11-15 12:00", "chat-api", "v2", "q", 9, 10, "")])  # fmt: skip
    assert [c["to_version"] for c in model_changes(ev, cfg())] == ["v2"]
    days = [(f"2026-11-{d:02d}", "conversion", "rate", 0.30 if d < 14 else 0.25, 1000) for d in range(5, 22)]
    (c,) = kpi_change_facts(kpi_rows(days), ev, cfg(kpis={"window": "3d", "min_sample": 2000}), START, END)
    assert (c["before"]["start"], c["before"]["end"], c["after"]["start"], c["after"]["end"]) == (
        "2026-11-11", "2026-11-13", "2026-11-15", "2026-11-17")  # fmt: skip
    assert c["shown"] and c["direction"] == "fell" and c["before"]["n"] == c["after"]["n"] == 3000
    assert c["p_value"] == pytest.approx(two_proportion_z(900, 3000, 750, 3000)[1])


def test_kpi_comparison_below_the_minimum_sample_shows_no_values():
    ev = evals(
        [
            ("2026-11-10 12:00", "chat-api", "v1", "q", 9, 10, ""),
            ("2026-11-14 12:00", "chat-api", "v2", "q", 9, 10, ""),
        ]
    )
    days = [(f"2026-11-{d:02d}", "csat", "mean", 4.0 + d / 100, 50) for d in range(5, 22)]
    (c,) = kpi_change_facts(kpi_rows(days), ev, cfg(kpis={"min_sample": 1000}), START, END)
    assert (
        not c["shown"]
        and c["before"]["value"] is None
        and c["p_value"] is None
        and "minimum 1,000" in c["reason"]
    )


def test_self_hosting_missing_inputs_are_named():
    out = self_hosting_facts(empty_frame("costs"), empty_frame("samples"), cfg(), START, END)
    assert out["self_hosted_per_million"] is None and "self_hosting" in out["missing"][0]
    partial = cfg(self_hosting={"component": "gpu"})
    missing = self_hosting_facts(empty_frame("costs"), empty_frame("samples"), partial, START, END)["missing"]
    assert len(missing) == 4 and all(m for m in missing)


def test_self_hosting_cost_per_million_and_break_even():
    costs = pd.DataFrame({"day": pd.to_datetime(["2026-11-17"] * 2, utc=True), "component": ["gpu", "chat-api"], "team": None,
                          "provider": "aws", "service": "ec2", "model": None, "category": "usage", "cost": [7000.0, 999.0],
                          "billed_cost": [7000.0, 999.0], "currency": "USD", "source": "bill"})  # fmt: skip
    s = samples([("2026-11-17", "gpu", "tokens_input", 4e9), ("2026-11-17", "gpu", "tokens_output", 1e9)])
    config = cfg(self_hosting={"component": "gpu", "api_price": {"input": 2, "output": 8, "source": "p"},
                               "engineering_monthly": 30000, "engineering_source": "plan"})  # fmt: skip
    out = self_hosting_facts(conform("costs", costs), s, config, START, END)
    assert out["engineering"] == pytest.approx(7000.0)  # 30,000 a month over 7 of 30 days
    assert out["self_hosted_per_million"] == pytest.approx(14000 / 5000)
    assert out["api_cost"] == pytest.approx(4000 * 2 + 1000 * 8) and out["cheaper"] == "self-hosted"
    monthly = 7000 / 7 * 30 + 30000
    assert out["break_even_tokens_per_month"] == pytest.approx(monthly / (16000 / 5000) * 1e6)
