"""The voice lint and the fixed line shapes of SPEC section 2."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sentinel_reports.narrative.voice import (
    BANNED_WORDS,
    STATUS_WORDS,
    check_recommendation,
    check_summary_line,
    lint_text,
    recommendation,
    summary_line,
)


def rules(text: str, **kwargs) -> list[str]:
    return [f.rule for f in lint_text(text, **kwargs)]


def test_banned_list_is_the_spec_list() -> None:
    assert len(BANNED_WORDS) == 15 and "blazing fast" in BANNED_WORDS and "paradigm shift" in BANNED_WORDS


@pytest.mark.parametrize("word", BANNED_WORDS)
def test_every_banned_word_is_caught_in_any_case(word: str) -> None:
    assert rules(f"The release was {word.upper()} for customers.") == ["hype"]


@pytest.mark.parametrize(
    "text",
    [
        "Costs skyrocketed.",
        "The supercharged cache.",
        "It works seamlessly.",
        "A game changer.",
        "Magical results.",
        "The next-gen router.",
        "A groundbreaking result.",
        "Blazingly fast retrieval.",
        "Two paradigm shifts.",
    ],
)
def test_word_forms_are_caught(text: str) -> None:
    assert rules(text) == ["hype"]


@pytest.mark.parametrize(
    "text",
    [
        "The model seems off.",
        "Latency is a bit high.",
        "It is kind of slow.",
        "The fix is probably fine.",
        "It is sort of degraded.",
        "Somewhat slower.",
        "I think it recovered.",
    ],
)
def test_vague_hedges(text: str) -> None:
    assert rules(text) == ["hedge"]


@pytest.mark.parametrize(
    "text",
    [
        "The outage was human error.",
        "The on-call engineer should have known.",
        "A careless deploy.",
        "This was negligence.",
        "It was the fault of the deploy.",
        "Nobody is to blame.",
        "It was Jordan's mistake.",
        "It was their error.",
    ],
)
def test_blame_phrases(text: str) -> None:
    assert rules(text) == ["blame"]


def test_blameless_text_passes() -> None:
    text = (
        "A blameless review found that the deploy pipeline lacked a canary stage. The Gateway's error rate "
        "returned to 0.1% after the Search team rolled back. Mistakes in config are caught by validation now."
    )
    assert lint_text(text) == []


def test_person_names_from_exports() -> None:
    text = "Priya Raman acknowledged the page; priya raman resolved it. Alex paged the Search team."
    found = lint_text(text, known_people=["Priya Raman", "Alex Kim"])
    assert [f.message.split("'")[1] for f in found] == ["Priya Raman", "priya raman", "Alex"]
    assert all(f.rule == "person" for f in found)
    assert lint_text("The team will alexander the plan.", known_people=["Alex Kim"]) == []


def test_only_three_emoji_are_allowed_and_status_icons_are_not_emoji() -> None:
    assert lint_text("🚨 Major outage. ✅ Cost target met. 📊 Data. Status: ✓ ◐ ▲ ✕ ⚙ ? ► ▼ → — …") == []
    found = lint_text("Great week 🚀 and 🎉, done ✨, flags 🇺🇸, gear ⚙️, check ✔️.")
    assert [f.rule for f in found] == ["emoji"] * 7


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Storing prompts violates GDPR.", True),
        ("Keeping the logs is illegal.", True),
        ("The vendor is in breach of the DPA.", True),
        ("The retention job is non-compliant.", True),
        ("Retention may conflict with GDPR; recommend counsel review.", False),
        (
            "Possible breach of the retention policy: the vendor is in breach of the DPA, recommend counsel review.",
            False,
        ),
        ("The SLO was violated for 3 hours.", False),
    ],
)
def test_legal_determinations_go_to_counsel(text: str, flagged: bool) -> None:
    assert rules(text) == (["legal"] if flagged else [])


def test_findings_carry_excerpt_context_and_severity() -> None:
    (finding,) = lint_text(
        "Intro line.\nThe rollout went seamlessly.", context="postmortems/INC-1.md", severity="warning"
    )
    assert finding.excerpt == "postmortems/INC-1.md: The rollout went seamlessly."
    assert finding.severity == "warning" and "seamlessly" in finding.message


@pytest.mark.parametrize(
    "line",
    [
        "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)",
        "**Current AI Platform Status: Healthy** | Error budget remaining: 100% | 0 active alerts (0 informational)",
        "**Current AI Platform Status: Major Outage** | Error budget remaining: exhausted (overspent by 12%) | 1 active alert (0 informational)",
        "**Current AI Platform Status: At Risk** | Error budget remaining: exhausted | 0 active alerts (0 informational)",
        "**Current AI Platform Status: Unknown** | Error budget remaining: unknown (observability gap) | 2 active alerts (1 informational)",
    ],
)
def test_valid_summary_lines(line: str) -> None:
    assert check_summary_line(line) == []


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "**Current AI Platform Status: Fine** | Error budget remaining: 41% | 3 active alerts (2 informational)",
            "Status",
        ),
        (
            "Current AI Platform Status: Degraded | Error budget remaining: 41% | 3 active alerts (2 informational)",
            "Status",
        ),
        (
            "**Current AI Platform Status: Degraded** | Error budget remaining: ~41% | 3 active alerts (2 informational)",
            "<N>%",
        ),
        (
            "**Current AI Platform Status: Degraded** | Error budget remaining: unknown | 3 active alerts (2 informational)",
            "<N>%",
        ),
        (  # a negative percentage reads as a typo; the line says "exhausted" as the body does
            "**Current AI Platform Status: At Risk** | Error budget remaining: -53% | 0 active alerts (0 informational)",
            "exhausted (overspent by <N>%)",
        ),
        (
            "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 1 active alerts (0 informational)",
            "1 active alert",
        ),
        (
            "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alert (2 informational)",
            "1 active alert",
        ),
        (
            "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts",
            "active alerts",
        ),
        ("**Current AI Platform Status: Degraded** | Error budget remaining: 41%", "three parts"),
    ],
)
def test_invalid_summary_lines(line: str, problem: str) -> None:
    (finding,) = check_summary_line(line)
    assert finding.rule == "summary-line" and problem in finding.message


@given(
    st.sampled_from(STATUS_WORDS),
    st.none() | st.floats(min_value=-5, max_value=1, allow_nan=False),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=0, max_value=50),
)
def test_summary_line_builder_always_has_the_shape(status, budget, active, informational) -> None:
    assert check_summary_line(summary_line(status, budget, active, informational)) == []


def test_summary_line_builder() -> None:
    assert summary_line("Degraded", 0.4123, 3, 2) == (
        "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)"
    )
    assert "unknown (observability gap) | 1 active alert (" in summary_line("Unknown", None, 1, 0)
    assert "remaining: exhausted |" in summary_line("Degraded", -0.001, 1, 0)
    assert "remaining: exhausted (overspent by 53%) |" in summary_line("At Risk", -0.5253, 0, 0)
    assert "remaining: 0% |" in summary_line("Degraded", 0.001, 1, 0)
    with pytest.raises(ValueError, match="status"):
        summary_line("Fine", 0.5, 0, 0)


def test_recommendation_shape() -> None:
    text = recommendation(
        "Raise the retrieval timeout to 3 s.", "cuts p95 by 300 ms", "Low", "config change, rollback in 5 min"
    )
    assert text == (
        "**Recommendation: Raise the retrieval timeout to 3 s.** Expected impact: cuts p95 by 300 ms. "
        "Risk: Low (config change, rollback in 5 min)."
    )
    assert check_recommendation(text) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "**Recommendation: Add a canary.** Expected impact: fewer incidents. Risk: Low (rollback in 5 min).",
            "quantified",
        ),
        (
            "**Recommendation: Add a canary.** Expected impact: 2 fewer SEV2 per quarter. Risk: Tiny (none).",
            "Low, Medium or High",
        ),
        ("**Recommendation: Add a canary.** Expected impact: 2 fewer SEV2 per quarter.", "shape"),
        ("Recommendation: Add a canary. Expected impact: 2 fewer SEV2. Risk: Low (easy).", "shape"),
    ],
)
def test_invalid_recommendations(text: str, problem: str) -> None:
    (finding,) = check_recommendation(text)
    assert finding.rule == "recommendation" and problem in finding.message


def _word_corpus() -> list[str]:
    from sentinel_reports.narrative import voice

    words = [*voice._HYPE, *voice._HEDGES, *voice._BLAME]
    sentences = [f"The rollout was {w} this week." for w in words]
    sentences += [s.upper() for s in sentences] + [f"Re-{w}-ing" for w in words]
    sentences += ["Bob's mistake broke it.", "bob's mistake broke it.", "Their error rate fell.",
                  "Their error caused it.", "Latency rose 12% in W30.", ""]  # fmt: skip
    return sentences


@pytest.mark.parametrize("sentence", _word_corpus())
def test_word_prefilter_matches_whenever_any_rule_does(sentence: str) -> None:
    """The one combined pattern decides whether the hype, hedge and blame patterns run on a sentence; it must
    match every sentence that one of them matches (with its own case rule), and only those."""
    from sentinel_reports.narrative import voice

    each = any(p.search(sentence) for rules, _, _ in voice._WORD_RULES for _, p in rules)
    assert (voice._ANY_WORD.search(sentence) is not None) == each
