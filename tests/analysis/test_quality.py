"""Quality definitions: eval pass rate, accuracy budget and safety rates (arithmetic in the comments)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel_reports.analysis.quality import accuracy_budget_remaining, quality_facts
from sentinel_reports.config import Config
from sentinel_reports.model import EVAL_COLUMNS, SAMPLE_COLUMNS, conform, empty_frame
from tests.fuzzing import examples

START = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def make_config(targets: dict | None = None) -> Config:
    return Config.model_validate(
        {
            "organization": "Acme",
            "components": [
                {
                    "id": "chat-api",
                    "name": "Chat",
                    "tier": 1,
                    "customer_facing": True,
                    "owner": "Platform team",
                },
                {"id": "rag", "name": "Retrieval", "owner": "Search team"},
                {"id": "summarizer", "name": "Summaries", "tier": 3, "owner": "Docs team"},
            ],
            "quality": {
                "eval_pass_target": targets or {"default": 0.90, "chat-api": 0.95},
                "hallucination_max": 0.02,
                "toxicity_max": 0.001,
            },
        }
    )


def evals(*rows: tuple[str, str, str, int, int]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {"ts": pd.Timestamp(t, tz="UTC"), "component": c, "model_version": v, "eval_name": "suite"}
            | {"passed": p, "total": n, "source": "evals-1"}
            for t, c, v, p, n in rows
        ],
        columns=list(EVAL_COLUMNS),
    )
    return conform("evals", frame)


def samples(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {"ts": pd.Timestamp(t, tz="UTC"), "component": c, "signal": s, "value": v, "source": "otel"}
            for t, c, s, v in rows
        ],
        columns=list(SAMPLE_COLUMNS),
    )
    return conform("samples", frame)


EVALS = evals(
    ("2026-11-10", "chat-api", "v2", 90, 100),  # previous week
    ("2026-11-17", "chat-api", "v2", 180, 200),
    ("2026-11-18", "chat-api", "v2", 95, 100),
    ("2026-11-18", "chat-api", "v3-canary", 49, 50),
    ("2026-11-19", "rag", "v1", 45, 50),
    ("2026-11-23", "rag", "v1", 0, 50),  # at `end`: next week
)
SAMPLES = samples(
    ("2026-11-16", "chat-api", "hallucination_rate", 0.01),
    ("2026-11-17", "chat-api", "hallucination_rate", 0.03),
    ("2026-11-17", "chat-api", "toxicity_rate", 0.002),
    ("2026-11-17", "summarizer", "hallucination_rate", 0.05),
)


@pytest.fixture
def rows() -> dict[tuple[str, str | None], dict]:
    out, gaps = quality_facts(EVALS, SAMPLES, make_config(), START, END)
    assert gaps == []
    return {(r["component"], r["model_version"]): r for r in out}


def test_rows_are_per_component_and_model_version_in_order() -> None:
    out, _ = quality_facts(EVALS, SAMPLES, make_config(), START, END)
    assert [(r["component"], r["model_version"]) for r in out] == [
        ("chat-api", "v2"),
        ("chat-api", "v3-canary"),
        ("rag", "v1"),
        ("summarizer", None),  # safety samples only
    ]


def test_pass_rate_target_and_accuracy_budget(rows: dict) -> None:
    v2 = rows[("chat-api", "v2")]
    # (180 + 95) / (200 + 100) = 275 / 300 = 0.9167 < 0.95
    assert v2["eval_pass_rate"] == pytest.approx(275 / 300)
    assert v2["cases"] == 300 and v2["target"] == 0.95 and v2["met"] is False
    # 1 − (1 − 0.9167) / (1 − 0.95) = 1 − 0.0833 / 0.05 = −0.667: overspent
    assert v2["accuracy_budget_remaining"] == pytest.approx(1 - (25 / 300) / 0.05)
    canary = rows[("chat-api", "v3-canary")]
    assert canary["eval_pass_rate"] == pytest.approx(0.98) and canary["met"] is True  # 49 / 50
    assert canary["accuracy_budget_remaining"] == pytest.approx(0.6)  # 1 − 0.02 / 0.05
    rag = rows[("rag", "v1")]
    assert rag["target"] == 0.90 and rag["met"] is True  # default target; 45 / 50 = 0.90
    assert rag["accuracy_budget_remaining"] == pytest.approx(0.0)


def test_component_trend_against_the_previous_window(rows: dict) -> None:
    v2 = rows[("chat-api", "v2")]
    assert v2["component_eval_pass_rate"] == pytest.approx(324 / 350)  # (275 + 49) / (300 + 50)
    assert v2["previous_component_eval_pass_rate"] == pytest.approx(0.9)  # 90 / 100
    assert rows[("rag", "v1")]["previous_component_eval_pass_rate"] is None  # no evals the week before


def test_safety_rates_against_limits(rows: dict) -> None:
    v2 = rows[("chat-api", "v2")]
    assert v2["hallucination_rate"] == pytest.approx(0.02)  # (0.01 + 0.03) / 2
    assert v2["hallucination_met"] is True  # 0.02 ≤ 0.02
    assert v2["toxicity_rate"] == pytest.approx(0.002) and v2["toxicity_met"] is False  # > 0.001
    rag = rows[("rag", "v1")]
    assert rag["hallucination_rate"] is None and rag["hallucination_met"] is None
    summarizer = rows[("summarizer", None)]
    assert summarizer["eval_pass_rate"] is None and summarizer["met"] is None and summarizer["cases"] == 0
    assert summarizer["hallucination_met"] is False  # 0.05 > 0.02


def test_missing_target_is_a_gap_not_a_default() -> None:
    out, gaps = quality_facts(EVALS, SAMPLES, make_config({"chat-api": 0.95}), START, END)
    rag = [r for r in out if r["component"] == "rag"][0]
    assert rag["target"] is None and rag["met"] is None and rag["accuracy_budget_remaining"] is None
    assert [(g.kind, g.component, g.priority) for g in gaps] == [("missing_assumption", "rag", "P2")]


def test_target_of_one_has_no_accuracy_budget() -> None:
    out, _ = quality_facts(EVALS, SAMPLES, make_config({"default": 1.0}), START, END)
    assert all(r["accuracy_budget_remaining"] is None for r in out)


def test_no_evals_and_no_samples() -> None:
    out, gaps = quality_facts(empty_frame("evals"), empty_frame("samples"), make_config(), START, END)
    assert out == [] and gaps == []


@settings(max_examples=examples(100), deadline=None)
@given(
    passed=st.integers(min_value=0, max_value=10_000),
    failed=st.integers(min_value=0, max_value=10_000),
    target=st.floats(min_value=0.5, max_value=0.999),
)
def test_accuracy_budget_is_full_at_a_perfect_score_and_exhausted_at_the_target(
    passed: int, failed: int, target: float
) -> None:
    assert accuracy_budget_remaining(1.0, target) == 1.0
    assert accuracy_budget_remaining(target, target) == pytest.approx(0.0, abs=1e-9)
    if passed + failed:
        rate = passed / (passed + failed)
        if abs(rate - target) > 1e-9:  # budget left exactly when the pass rate beats the target
            assert (accuracy_budget_remaining(rate, target) > 0) == (rate > target)
