"""The Claude narrator against recorded Messages API replies, replayed through MockTransport (no socket)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sentinel_reports.cache.drafts import DraftCache
from sentinel_reports.config import Narrator, Price
from sentinel_reports.narrative.claims import FactCatalog, render
from sentinel_reports.narrative.claude import ClaudeNarrator, NarrationResult
from sentinel_reports.narrative.llm_cache import MemoryDraftCache
from sentinel_reports.narrative.prompt import STATIC_INSTRUCTIONS, WRITE_SECTION_TOOL

try:  # the anthropic SDK 2.x runs on httpx2 and rejects httpx objects; older SDKs run on httpx
    import httpx2 as http
except ImportError:  # pragma: no cover
    import httpx as http  # type: ignore[no-redef]

REPLIES = Path(__file__).resolve().parents[1] / "fixtures" / "anthropic_replies"
MODEL = "claude-sonnet-4-6"
CANARY = "sk-ant-api03-CANARY-7f3e9c1d-never-in-output"
PRICES = {
    f"anthropic/{MODEL}": Price(input=3.0, output=15.0, cache_read=0.30, cache_write_5m=3.75, source="test")
}
SUMMARY = "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)"
TEMPLATE = (
    f"{SUMMARY}\n\nThe **Assistant Chat API** availability SLO has 41.2% of its error budget left and is burning it "
    "at 2.3x the sustainable rate. Spend was $12,412, down 12% on 2026-W46."
)
INSTRUCTIONS = "Executive summary: three to five sentences for the VP of Engineering and the CFO."


def reply(name: str) -> dict[str, Any]:
    return json.loads((REPLIES / name).read_text(encoding="utf-8"))


def drafted(name: str) -> str:
    """The draft of a recorded reply: the write_section tool input, with placeholders."""
    return reply(name)["content"][0]["input"]["text"]


def published(name: str, facts: dict[str, Any]) -> str:
    """The draft of a recorded reply with every placeholder replaced by its fact's display."""
    return render(drafted(name), FactCatalog(facts, fixed={"summary_line": SUMMARY})).text


class Replay:
    """A MockTransport handler answering each request with the next recorded (status, body) pair."""

    def __init__(self, *answers: tuple[int, str]):
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []

    def __call__(self, request: Any) -> Any:
        assert request.url.path == "/v1/messages"
        self.requests.append(json.loads(request.content))
        self.headers.append(dict(request.headers))
        status, name = self.answers.pop(0)
        return http.Response(status, json=reply(name))


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make(sleeps: list[float], tmp_path: Path) -> Callable[..., ClaudeNarrator]:
    def build(
        handler: Callable[[Any], Any], *, max_usd: float = 2.0, prices: Any = PRICES, cache: Any = None
    ):
        return ClaudeNarrator(
            Narrator(kind="claude", model=MODEL, max_usd_per_build=max_usd),
            prices,
            api_key=CANARY,
            cache=cache if cache is not None else DraftCache(tmp_path / "drafts"),
            sleep=sleeps.append,
            http_client=http.Client(transport=http.MockTransport(handler)),
        )

    return build


def draft(
    narrator: ClaudeNarrator, facts: dict[str, Any], section: str = "executive-summary"
) -> NarrationResult:
    return narrator.draft(section, facts, TEMPLATE, INSTRUCTIONS)


def test_accepted_draft_is_used_and_priced(make, week_facts) -> None:
    handler = Replay((200, "accepted.json"))
    narrator = make(handler)
    result = draft(narrator, week_facts)
    assert result.origin == "claude"
    assert result.text == published("accepted.json", week_facts)
    assert "{{" not in result.text and result.text.startswith(SUMMARY)
    assert "1 h 35 min of impact" in result.text and "fell 12.0% week over week to $12,412" in result.text
    keys = [c.fact_key for c in result.claims]
    assert keys[:3] == ["summary_line", "incidents.INC-1042.impact_minutes", "incidents.INC-1042.started_at"]
    assert len(keys) == 11 and result.findings == () and result.retries == 0
    assert result.reason == ""
    # 412 input x $3 + 168 output x $15 + 2,630 cache write x $3.75, per million tokens
    expected = (412 * 3.0 + 168 * 15.0 + 2630 * 3.75) / 1_000_000
    assert result.usage["cost"] == pytest.approx(expected)
    assert result.usage["cache_creation_input_tokens"] == 2630
    report = narrator.usage_report()
    assert report["requests"] == 1 and report["cost"] == pytest.approx(expected, abs=1e-6)
    assert report["drafts"] == {"claude": 1, "cache": 0, "template": 0}


def test_request_caches_static_instructions_and_sends_facts_not_rows(make, week_facts) -> None:
    handler = Replay((200, "accepted.json"))
    draft(make(handler), week_facts)
    (body,) = handler.requests
    assert body["model"] == MODEL
    assert body["system"] == [{"type": "text", "text": STATIC_INSTRUCTIONS}]
    assert body["tools"] == [WRITE_SECTION_TOOL]
    assert body["tool_choice"] == {"type": "tool", "name": "write_section"}
    facts_block, request_block = body["messages"][0]["content"]
    assert facts_block["text"].endswith(FactCatalog(week_facts, fixed={"summary_line": SUMMARY}).key_table())
    assert "\ncost.total = $12,412\n" in facts_block["text"]
    assert facts_block["cache_control"] == {"type": "ephemeral"}
    assert "Section: executive-summary" in request_block["text"]
    assert "{{summary_line}}\n\nThe **Assistant Chat API** availability SLO has {{" in request_block["text"]
    assert (
        "Spend was {{cost.total}}, down {{cost.week_over_week|abs|0}} on {{previous_period}}."
        in (request_block["text"])
    )
    assert INSTRUCTIONS in request_block["text"]
    assert "requests_good" not in json.dumps(body)  # a canonical sample signal: rows never travel


def test_facts_holding_raw_rows_are_refused(make, week_facts) -> None:
    class Rows:  # stands in for a data frame of request-log rows
        pass

    week_facts["rows"] = Rows()
    with pytest.raises(TypeError, match="JSON-like"):
        draft(make(Replay()), week_facts)


def test_made_up_figure_is_retried_once_then_template_is_used(make, week_facts) -> None:
    handler = Replay((200, "made_up_figure.json"), (200, "made_up_figure_again.json"))
    narrator = make(handler)
    result = draft(narrator, week_facts)
    assert result.origin == "template" and result.text == TEMPLATE
    assert len(handler.requests) == 2
    assert result.reason.startswith("draft rejected twice")
    assert "$1,700" in result.reason and "18%" in result.reason
    retry = handler.requests[1]["messages"]
    assert [m["role"] for m in retry] == ["user", "assistant", "user"]
    (tool_use,) = retry[1]["content"]
    assert tool_use["type"] == "tool_use" and tool_use["input"]["text"] == drafted("made_up_figure.json")
    (tool_result,) = retry[2]["content"]
    assert tool_result["type"] == "tool_result" and tool_result["tool_use_id"] == tool_use["id"]
    assert tool_result["is_error"] is True
    for figure in ("140 minutes", "18%", "$11,900"):  # the first draft's violations, listed for the model
        assert f"raw-number: '{figure}' is a figure typed as text" in tool_result["content"]
    assert result.retries == 1 and any("'140 minutes'" in f for f in result.findings)
    assert result.usage["input_tokens"] == 412 + 598 and result.usage["cache_read_input_tokens"] == 2630
    (record,) = narrator.usage_report()["sections"]
    assert record["section"] == "executive-summary" and record["origin"] == "template"
    assert record["reason"] == result.reason and record["usage"] == result.usage
    assert record["retries"] == 1 and record["findings"] == list(result.findings)
    assert result.claims and all(c.fact_key for c in result.claims)  # the template text's own claims


def test_banned_word_is_rejected_and_the_retry_accepted(make, week_facts) -> None:
    handler = Replay((200, "banned_word.json"), (200, "accepted.json"))
    result = draft(make(handler), week_facts)
    assert result.origin == "claude"
    assert result.text == published("accepted.json", week_facts)
    assert result.reason.startswith("accepted after one retry")
    assert "revolutionary" in result.reason and "seamlessly" in result.reason
    assert "revolutionary" in handler.requests[1]["messages"][2]["content"][0]["content"]


def test_truncated_draft_is_rejected(make, week_facts) -> None:
    handler = Replay((200, "truncated.json"), (200, "truncated.json"))
    result = draft(make(handler), week_facts)
    assert result.origin == "template" and "token limit" in result.reason


def test_rate_limit_is_retried_with_backoff(make, week_facts, sleeps) -> None:
    handler = Replay((429, "rate_limit_error.json"), (200, "accepted.json"))
    result = draft(make(handler), week_facts)
    assert result.origin == "claude"
    assert len(handler.requests) == 2 and sleeps == [1.0]


def test_server_errors_until_fallback(make, week_facts, sleeps) -> None:
    handler = Replay((500, "api_error.json"), (529, "overloaded_error.json"), (500, "api_error.json"))
    narrator = make(handler)
    result = draft(narrator, week_facts)
    assert result.origin == "template" and result.text == TEMPLATE
    assert len(handler.requests) == 3 and sleeps == [1.0, 2.0]
    assert result.reason == "Claude API unavailable after 3 attempts (last: HTTP 500 api_error)"
    assert narrator.usage_report()["cost"] == 0.0


def test_unchanged_facts_are_served_from_the_cache(make, week_facts) -> None:
    first = draft(make(Replay((200, "accepted.json"))), week_facts)
    silent = Replay()
    again = make(silent)  # a rebuild: new narrator, same cache directory
    result = draft(again, week_facts)
    assert result.origin == "cache" and result.text == first.text
    assert silent.requests == [] and again.usage_report()["requests"] == 0 and result.usage["cost"] == 0.0
    assert again.usage_report()["drafts"] == {"claude": 0, "cache": 1, "template": 0}


def test_changed_facts_or_instructions_miss_the_cache(make, week_facts) -> None:
    handler = Replay((200, "accepted.json"), (200, "accepted.json"), (200, "accepted.json"))
    narrator = make(handler)
    draft(narrator, week_facts)
    narrator.draft("executive-summary", week_facts, TEMPLATE, INSTRUCTIONS + " Mention the cache saving.")
    week_facts["cost"]["previous_total"] = 14000.0
    assert draft(narrator, week_facts).origin == "claude"
    assert len(handler.requests) == 3


def test_cached_draft_that_no_longer_verifies_is_drafted_again(make, week_facts) -> None:
    cache = MemoryDraftCache()
    draft(make(Replay((200, "accepted.json")), cache=cache), week_facts)
    (key,) = cache.entries
    cache.entries[key]["draft"] += " Spend will reach $99,999 next week."
    handler = Replay((200, "accepted.json"))
    assert draft(make(handler, cache=cache), week_facts).origin == "claude"
    assert len(handler.requests) == 1


def test_spend_cap_stops_requests(make, week_facts) -> None:
    handler = Replay((200, "accepted.json"))
    narrator = make(handler, max_usd=0.005)  # the first draft costs about $0.0126
    assert draft(narrator, week_facts, "executive-summary").origin == "claude"
    result = draft(narrator, week_facts, "cost")
    assert result.origin == "template" and result.reason.startswith("spend cap reached")
    assert len(handler.requests) == 1 and narrator.usage_report()["requests"] == 1


def test_zero_cap_makes_no_request(make, week_facts) -> None:
    handler = Replay()
    result = draft(make(handler, max_usd=0.0), week_facts)
    assert result.origin == "template" and result.reason.startswith("spend cap reached")
    assert handler.requests == []


def test_missing_price_makes_cost_unknown_and_stops_spending(make, week_facts) -> None:
    narrator = make(Replay((200, "accepted.json")), prices={})
    first = draft(narrator, week_facts, "executive-summary")
    assert first.origin == "claude" and first.usage["cost"] is None
    second = draft(narrator, week_facts, "cost")
    assert second.origin == "template" and "no price for anthropic/claude-sonnet-4-6" in second.reason
    assert narrator.usage_report()["cost"] is None and narrator.usage_report()["requests"] == 1


def test_without_api_key_no_request_is_made(week_facts, sleeps) -> None:
    handler = Replay()
    narrator = ClaudeNarrator(
        Narrator(kind="claude", model=MODEL),
        PRICES,
        api_key=None,
        cache=MemoryDraftCache(),
        sleep=sleeps.append,
        http_client=http.Client(transport=http.MockTransport(handler)),
    )
    result = draft(narrator, week_facts)
    assert result.origin == "template" and "ANTHROPIC_API_KEY" in result.reason
    assert handler.requests == []


def test_refused_request_is_not_retried(make, week_facts, sleeps) -> None:
    handler = Replay((401, "authentication_error.json"))
    result = draft(make(handler), week_facts)
    assert result.origin == "template" and len(handler.requests) == 1 and sleeps == []
    assert result.reason == "Claude API refused the request (HTTP 401 authentication_error)"


def test_api_key_never_leaves_the_client(make, week_facts, tmp_path) -> None:
    handler = Replay(
        (200, "made_up_figure.json"),
        (200, "accepted.json"),
        (500, "api_error.json"),
        (500, "api_error.json"),
        (401, "authentication_error.json"),
    )
    narrator = make(handler, cache=DraftCache(tmp_path / "drafts"))
    narrator.attempts = 2
    sections = ("executive-summary", "cost", "incidents")
    results = [draft(narrator, week_facts, section) for section in sections]
    assert [r.origin for r in results] == ["claude", "template", "template"]
    assert CANARY in json.dumps(handler.headers)  # the key did travel in the request headers
    written = [p.read_text(encoding="utf-8") for p in (tmp_path / "drafts").rglob("*") if p.is_file()]
    assert written and not any(CANARY in text for text in written)
    assert CANARY not in repr(results) and CANARY not in json.dumps(narrator.usage_report())


def test_spend_cap_reached_before_the_retry_keeps_the_first_rejection(make, week_facts) -> None:
    handler = Replay((200, "made_up_figure.json"))
    result = draft(make(handler, max_usd=0.005), week_facts)
    assert result.origin == "template" and len(handler.requests) == 1
    assert result.reason.startswith("spend cap reached") and "first draft rejected" in result.reason
    assert "140 minutes" in result.reason


def test_fenced_text_reply_without_the_tool_is_unwrapped_and_checked_the_same(make, week_facts) -> None:
    body = reply("accepted.json")
    body["content"] = [{"type": "text", "text": f"```markdown\n{drafted('accepted.json')}\n```"}]
    body["stop_reason"] = "end_turn"

    def handler(request: Any) -> Any:
        return http.Response(200, json=body)

    assert draft(make(handler), week_facts).text == published("accepted.json", week_facts)


def test_damaged_cache_entry_is_a_miss(tmp_path) -> None:
    cache = DraftCache(tmp_path)
    key = "ab" + "0" * 62
    cache.put(key, {"text": "Fine.", "section": "s", "model": MODEL})
    assert cache.get(key)["text"] == "Fine."
    (stored,) = tmp_path.glob(f"drafts/ab/{key}/files/doc.json")
    stored.write_text("{not json", encoding="utf-8")
    assert cache.get(key) is None
    with pytest.raises(ValueError, match="not a draft key"):
        cache.get("../../etc/passwd")


def test_connection_errors_are_transient(make, week_facts, sleeps) -> None:
    calls = []

    def handler(request: Any) -> Any:
        calls.append(request)
        if len(calls) < 3:
            raise http.ConnectError("connection refused", request=request)
        return http.Response(200, json=reply("accepted.json"))

    result = draft(make(handler), week_facts)
    assert result.origin == "claude" and len(calls) == 3 and sleeps == [1.0, 2.0]
