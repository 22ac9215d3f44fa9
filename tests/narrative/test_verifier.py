"""The verifier: every figure must trace to a fact at its displayed precision; components must exist."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sentinel_reports.narrative.review import TextReview
from sentinel_reports.narrative.verifier import (
    STRUCTURAL,
    FactIndex,
    component_names_from_facts,
    component_references,
    sentence_at,
    verify_text,
)
from sentinel_reports.render import formatting as fmt

COMPONENT_NAMES = ("Assistant Chat API", "Retrieval Search API", "chat-api", "rag-search")


def check(text: str, facts: dict, **kwargs) -> list[str]:
    kwargs.setdefault("component_names", COMPONENT_NAMES)
    return [v.raw for v in verify_text(text, facts, **kwargs)]


@pytest.mark.parametrize(
    "text",
    [
        "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)",
        "41.2% of the error budget remains; 58.8% is consumed.",  # ratio x 100 at the shown precision
        "Availability was 99.54% this week, against 99.82% in 2026-W46; the error rate was 0.46%.",  # complement
        "Burning error budget at 2.3x the sustainable rate (1x); 59% faster than sustainable over 6h.",
        "At the 1h rate the budget runs out in 5.0 days (120 hours, 7,200 minutes).",  # unit conversions
        "Spend fell 12% to $12,412.37 ($12,412 or $12.4k); the cache saved $1,235 at a 38% hit rate.",
        "Cost per successful task: $0.042 (0.0421).",
        "INC-1042 (SEV2) lasted 1 h 35 min from 2026-11-18 14:05 UTC; MTTA 4 min; p95 2,340 ms (2.3 s).",
        "Based on the last 7 days of production data (telemetry coverage 97.4%), over a 28-day window.",
        "Uptime over the 90-day history: 99.87% and 99.96%.",
        "2026-W47 (16–22 Nov 2026), deadline 2026-11-30 (30 Nov), as of 2026-11-22.",
        "Raising the retrieval timeout cuts p95 by 300 ms.",  # a figure written in a fact string
        "1 incident, 1 SEV2 and 0 SEV1 incidents in 2026.",
    ],
)
def test_supported_text_passes(text: str, week_facts: dict) -> None:
    assert check(text, week_facts) == []


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("41.3% of the error budget remains.", "41.3%"),  # 0.4123 is 41.2% at one decimal
        ("Spend fell 18%.", "18%"),
        ("Burning at 2.7x the sustainable rate.", "2.7x"),
        ("Spend was $12,413.", "$12,413"),
        ("Spend was $12.5k.", "$12.5k"),
        ("17 incidents this week.", "17"),
        ("Impact lasted 96 minutes.", "96 minutes"),
        ("The budget runs out in 4.9 days.", "4.9 days"),
        ("Next review on 2026-12-03.", "2026-12-03"),
        ("Compared with 2026-W12.", "2026-W12"),
        ("Compared with 2025-Q4.", "2025-Q4"),
        ("Forecast for 2031.", "2031"),
        ("Cost per task was 0.043.", "0.043"),
    ],
)
def test_unsupported_figure_is_a_violation(text: str, raw: str, week_facts: dict) -> None:
    (violation,) = verify_text(text, week_facts, component_names=COMPONENT_NAMES)
    assert violation.raw == raw and violation.kind in ("number", "period")
    assert violation.sentence == text
    assert raw in str(violation) and violation.reason


def test_counts_must_be_exact_integers(week_facts: dict) -> None:
    week_facts["cost"]["total"] = 41.6  # a float that rounds to 42 does not make "42 incidents" true
    assert check("42 incidents.", week_facts) == ["42"]
    assert check("41.6 is the total.", week_facts) == []


def test_duration_units_come_from_keys(week_facts: dict) -> None:
    # mtta_minutes 4 is 240 seconds, not 4 hours
    assert check("MTTA was 240 seconds.", week_facts) == []
    assert check("MTTA was 4 hours.", week_facts) == ["4 hours"]


def test_extra_allowed_and_reference_texts(week_facts: dict) -> None:
    text = "Attainment fell 0.28 pp on 2026-W46; spend fell by $1,693."
    assert check(text, week_facts) == ["0.28 pp", "$1,693"]
    delta, saving = week_facts["slos"][0]["week_attainment"] - 0.9982, 14104.97 - 12412.37
    assert check(text, week_facts, extra_allowed=[delta, saving]) == []
    assert check(text, week_facts, reference_texts=["down 0.28 pp, $1,693 less"]) == []


def test_structural_figures_are_few_and_explicit() -> None:
    assert set(STRUCTURAL) == {("multiplier", 1, ""), ("duration", 90, "days")}
    assert check("1x is sustainable; the 90-day history.", {}) == []
    assert check("2x is not.", {}) == ["2x"]


def test_fact_index_is_reusable_and_not_mutated(week_facts: dict) -> None:
    index = FactIndex(week_facts)
    assert check("spend fell $1,693.", index, reference_texts=["$1,693"]) == []
    assert check("spend fell $1,693.", index) == ["$1,693"]


def test_component_references(week_facts: dict) -> None:
    names = component_names_from_facts(week_facts)
    assert names == ["Assistant Chat API", "Retrieval Search API", "chat-api", "rag-search"]
    text = (
        "**Assistant Chat API** is degraded; **Billing API** is fine; **p95 latency** is bold; "
        "**Instrument Retrieval Search API** is a decision."
    )
    assert [r for r, _ in component_references(text, names)] == ["Billing API"]
    (violation,) = verify_text(text, week_facts, component_names=names)
    assert (violation.kind, violation.raw) == ("component", "Billing API")
    explicit = verify_text("Fine.", week_facts, component_names=names, component_refs=["Ledger", "chat-api"])
    assert [v.raw for v in explicit] == ["Ledger"]


def test_component_names_with_digits_are_not_figures() -> None:
    facts = {"components": [{"id": "search-2", "name": "Search 2.0"}], "count": 3}
    assert check("Search 2.0 had 3 incidents.", facts, component_names=["Search 2.0"]) == []


def test_sentence_at() -> None:
    text = "First one. Second has 41.3% here! Third?\nNext line"
    assert sentence_at(text, text.index("41.3")) == "Second has 41.3% here!"
    assert sentence_at(text, text.index("line")) == "Next line"


fractions = st.floats(min_value=0, max_value=1, allow_nan=False)
precisions = st.integers(min_value=0, max_value=3)


@given(fractions, precisions)
def test_template_formatted_percentages_verify(value: float, precision: int) -> None:
    assert check(f"It is {fmt.pct(value, precision)} now.", {"share": value}) == []


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), precisions)
def test_template_formatted_money_verifies(value: float, precision: int) -> None:
    assert check(f"It costs {fmt.money(value, 'USD', precision)} now.", {"cost": value}) == []


@given(st.integers(min_value=0, max_value=200_000))
def test_template_formatted_durations_verify(minutes: int) -> None:
    assert check(f"Impact lasted {fmt.duration_minutes(minutes)}.", {"impact_minutes": minutes}) == []


@given(fractions)
def test_last_shown_digit_off_by_one_is_rejected(value: float) -> None:
    shown = Decimal(repr(value * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    wrong = shown + Decimal("0.1")
    assume(wrong <= 100)
    assert check(f"It is {wrong}% now.", {"share": value}) == [f"{wrong}%"]


def test_text_review_combines_facts_voice_and_shapes(week_facts: dict) -> None:
    summary = "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)"
    review = TextReview(
        week_facts, baseline=f"{summary}\n\nSpend fell by $1,693.", known_people=["Priya Raman"]
    )
    assert review(f"{summary}\n\nSpend fell by $1,693, as the Search team reported.") == []
    problems = review(
        "**Current AI Platform Status: Degraded** | Error budget remaining: 42% | 3 active alerts (2 informational)\n"
        "Priya Raman says spend fell seamlessly.\n"
        "- **Recommendation: Add a canary.** Expected impact: fewer incidents. Risk: Low (rollback in 5 min)."
    )
    assert any(p.startswith("unsupported '42%'") for p in problems)
    assert any("keep the summary line exactly as given" in p for p in problems)
    assert any(p.startswith("person:") for p in problems) and any(p.startswith("hype:") for p in problems)
    assert any(p.startswith("recommendation:") and "quantified" in p for p in problems)
    assert any("'5 min'" in p for p in problems)  # the risk basis is text too: its figures are verified
    assert review("", truncated=True) == [
        "the draft was cut off at the token limit; write a shorter section",
        "the text is empty",
    ]
