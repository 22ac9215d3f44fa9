"""The Claude narrator on a real-size week (the demo's 2026-W45 facts), against recorded write_section replies.

Each rejected reply is followed by an accepted one: the first draft's finding must be the right one (in the
result, in the tool_result the model is sent back, and in the usage report); the published text is the
rendering of the accepted draft, so every figure in it is a fact's display value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sentinel_reports.config import Narrator
from sentinel_reports.narrative.claims import FactCatalog, render
from sentinel_reports.narrative.claude import ClaudeNarrator
from sentinel_reports.narrative.llm_cache import MemoryDraftCache
from sentinel_reports.narrative.numbers import extract_numbers
from sentinel_reports.narrative.prompt import MIN_CACHEABLE_TOKENS, STATIC_INSTRUCTIONS, estimated_tokens
from sentinel_reports.narrative.template import narrate_week

from .test_claude import CANARY, MODEL, PRICES, Replay, http, reply

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (REPO / "sentinel.yaml").exists(), reason="the demo project is not generated"
)


@pytest.fixture(scope="module")
def week() -> tuple[dict[str, Any], Any]:
    from sentinel_reports.session import Session

    facts = Session(REPO, use_cache=False).period_facts(week="2026-W45")
    return facts, narrate_week(facts)


def narrator(handler: Replay) -> ClaudeNarrator:
    return ClaudeNarrator(
        Narrator(kind="claude", model=MODEL, max_usd_per_build=2.0),
        PRICES,
        api_key=CANARY,
        cache=MemoryDraftCache(),
        sleep=lambda _: None,
        http_client=http.Client(transport=http.MockTransport(handler)),
    )


def run(week: tuple[dict, Any], section: str, *answers: str) -> tuple[Any, Replay, ClaudeNarrator]:
    facts, narrative = week
    handler = Replay(*[(200, name) for name in answers])
    n = narrator(handler)
    return n.draft(section, facts, narrative.sections[section], ""), handler, n


def draft_text(name: str) -> str:
    return reply(name)["content"][0]["input"]["text"]


def test_accepted_draft_is_rendered_from_the_facts(week) -> None:
    facts, _ = week
    result, handler, _ = run(week, "incidents", "w45_incidents_ok.json")
    assert result.origin == "claude" and result.findings == ()
    assert result.text == render(draft_text("w45_incidents_ok.json"), FactCatalog(facts)).text
    assert "1 SEV1 incident this week, with 150 minutes of customer impact" in result.text
    assert "Revenue at risk: $45,000." in result.text
    claims = {c.fact_key: c.display for c in result.claims}
    assert claims["incidents.INC-214.mtta_minutes"] == "3 min"
    assert claims["incidents.INC-214.business_impact.amount"] == "$45,000"
    # every figure of the published text is the display of one of its claims
    figures = [m.raw for m in extract_numbers(result.text)]
    assert len(figures) >= 6 and all(any(f in shown for shown in claims.values()) for f in figures)


def test_the_request_offers_keys_not_rows_and_caches_a_prefix_above_the_minimum(week) -> None:
    _, handler, _ = run(week, "incidents", "w45_incidents_ok.json")
    (body,) = handler.requests
    facts_block, request_block = body["messages"][0]["content"]
    assert "\nincidents.INC-214.impact_minutes = 2 h 30 min\n" in facts_block["text"]
    assert "{{incidents.INC-214.impact_minutes}}" in request_block["text"]
    marked = [b for b in [*body["system"], *body["messages"][0]["content"]] if "cache_control" in b]
    assert marked == [facts_block]
    prefix = json.dumps(body["tools"]) + STATIC_INSTRUCTIONS + facts_block["text"]
    assert estimated_tokens(prefix) >= MIN_CACHEABLE_TOKENS
    assert estimated_tokens(STATIC_INSTRUCTIONS) < MIN_CACHEABLE_TOKENS  # why it carries no breakpoint
    recorded = reply("w45_incidents_ok.json")["usage"]["cache_creation_input_tokens"]
    assert recorded == pytest.approx(estimated_tokens(prefix), rel=0.05)
    assert "requests_good" not in json.dumps(body) and '"days"' not in facts_block["text"]


@pytest.mark.parametrize(
    ("section", "bad", "good", "reason", "detail"),
    [
        ("incidents", "w45_incidents_digits.json", "w45_incidents_ok.json", "raw-number", "'2 h 30 min'"),
        ("reliability", "w45_reliability_entity.json", "w45_reliability_ok.json", "wrong-entity",
         "32% is slos.chat-api-availability.budget_remaining"),
        ("incidents", "w45_incidents_drop.json", "w45_incidents_ok.json", "missing-required",
         "SEV1 INC-214 is not mentioned in the incidents section"),
        ("reliability", "w45_reliability_invented.json", "w45_reliability_ok.json", "unknown-name",
         "'Billing Gateway' names no component"),
    ],
)  # fmt: skip
def test_a_rejected_draft_names_its_finding_and_the_retry_is_used(
    week, section: str, bad: str, good: str, reason: str, detail: str
) -> None:
    result, handler, n = run(week, section, bad, good)
    assert result.origin == "claude" and result.retries == 1
    assert result.reason.startswith("accepted after one retry")
    found = [f for f in result.findings if f"{reason}: " in f]
    assert any(detail in f for f in found), result.findings
    (tool_result,) = handler.requests[1]["messages"][2]["content"]
    assert (
        tool_result["is_error"]
        and f"{reason}: " in tool_result["content"]
        and detail in tool_result["content"]
    )
    assert n.usage_report()["sections"][0]["findings"] == list(result.findings)
    assert "Billing Gateway" not in result.text and "{{" not in result.text


def test_two_rejected_drafts_publish_the_template_text_with_its_claims(week) -> None:
    facts, narrative = week
    result, _, n = run(week, "incidents", "w45_incidents_digits.json", "w45_incidents_drop.json")
    assert result.origin == "template" and result.text == narrative.sections["incidents"]
    assert result.reason.startswith("draft rejected twice: line 0: missing-required")
    assert [f.split(": ")[1] for f in result.findings].count("raw-number") == 4
    keys = {c.fact_key for c in result.claims}
    assert "incident_stats.impact_minutes_total" in keys and "business.revenue_at_risk_total" in keys
    assert n.usage_report()["drafts"] == {"claude": 0, "cache": 0, "template": 1}
