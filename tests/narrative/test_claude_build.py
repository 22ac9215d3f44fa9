"""`sentinel build` narrates with the configured narrator everywhere: the quarterly decks are built from
Claude's verified drafts when the project says `narrator.kind: claude`, not from the template narrator.
Claude is replayed from the recorded reply shape (a write_section tool call) through httpx2.MockTransport
(no socket). By default a build drafts only the open (latest) week and quarter."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import sentinel_reports.publish.deck as deck_module
from sentinel_reports.narrative.claude import drafted_note
from sentinel_reports.pipeline import build_site
from tests.integrity import hostile_corpus as hc

try:  # the anthropic SDK 2.x runs on httpx2 and rejects httpx objects; older SDKs run on httpx
    import httpx2 as http
except ImportError:  # pragma: no cover
    import httpx as http  # type: ignore[no-redef]

REPLIES = Path(__file__).resolve().parents[1] / "fixtures" / "anthropic_replies"
MODEL = "claude-sonnet-4-6"
MARK = "This text was drafted for the {period} {section} section."  # as published
DRAFT = (
    "This text was drafted for the {{{{period}}}} {section} section."  # as written: the label a placeholder
)


class Replay:
    """Answers every Messages API request with the recorded accepted reply, its draft replaced by the baseline
    the request offers (figures already placeholders, so required content stays) and a sentence naming the
    period (as its placeholder) and the section asked for."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def __call__(self, request: Any) -> Any:
        body = json.loads(request.content)
        table, asked = (block["text"] for block in body["messages"][0]["content"])
        period = re.search(r"^period = (\d{4}-(?:W\d\d|Q\d))$", table, re.MULTILINE)
        section = re.search(r"^Section: ([a-z_-]+)$", asked, re.MULTILINE)
        baseline = re.search(r"<baseline>\n(.*)\n</baseline>", asked, re.DOTALL)
        assert period and section and baseline, asked[:500]
        self.asked.append((period.group(1), section.group(1)))
        reply = json.loads((REPLIES / "accepted.json").read_text(encoding="utf-8"))
        draft = f"{baseline.group(1)}\n\n{DRAFT.format(section=section.group(1))}"
        reply["content"][0]["input"]["text"] = draft
        return http.Response(200, json=reply)


def test_decks_built_by_sentinel_build_use_the_configured_narrator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = hc.new_project(tmp_path / "project")
    doc = hc.load_config(project)
    doc["narrator"] = {"kind": "claude", "model": MODEL, "max_usd_per_build": 100}
    doc["prices"] = {
        **(doc.get("prices") or {}),
        f"anthropic/{MODEL}": {
            "input": 3.0,
            "output": 15.0,
            "cache_read": 0.3,
            "cache_write_5m": 3.75,
            "source": "test",
        },
    }
    hc.save_config(project, doc)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key")
    replay = Replay()
    client = http.Client(transport=http.MockTransport(replay))
    built_from: dict[str, Any] = {}  # quarter -> the narrative its slides were built from
    real_build_deck = deck_module.build_deck

    def recording_build_deck(facts: Any, narrative: Any) -> Any:
        built_from[facts.period] = narrative
        return real_build_deck(facts, narrative)

    monkeypatch.setattr(deck_module, "build_deck", recording_build_deck)

    result = build_site(project, tmp_path / "site", only="deck", use_cache=False, jobs=1, http_client=client)

    quarters = [d["period"] for d in result.decks]
    assert quarters and sorted(built_from) == sorted(quarters)
    assert sorted({p for p, _ in replay.asked if "-Q" in p}) == sorted(quarters)
    note = drafted_note(MODEL)
    for quarter, narrative in built_from.items():
        texts = {**narrative.sections, "executive_summary": narrative.executive_summary}
        assert narrative.sections and all(
            text.endswith(f"\n\n{MARK.format(period=quarter, section=name)}\n\n{note}")
            for name, text in texts.items()
        ), texts
        assert sorted(narrative.provenance["drafted"]) == sorted([*narrative.sections, "executive_summary"])
    assert result.narrator["kind"] == "claude"
    # every section was drafted but those of closed weeks, which a build does not draft by default
    kept = [r for r in result.narrator["usage"]["sections"] if r["origin"] == "template"]
    assert all(r["reason"].startswith("closed period") and r["period"] in result.weeks[:-1] for r in kept)
    assert {r["period"] for r in kept} == set(result.weeks[:-1])
    assert not {p for p, _ in replay.asked} & set(result.weeks[:-1])


def test_the_template_narrator_makes_no_request(tmp_path: Path) -> None:
    project = hc.new_project(tmp_path / "project")
    replay = Replay()
    client = http.Client(transport=http.MockTransport(replay))
    result = build_site(project, tmp_path / "site", only="deck", use_cache=False, jobs=1, http_client=client)
    assert result.decks and replay.asked == [] and result.narrator["kind"] == "template"


def test_the_brief_publication_writes_narrative_evidence_and_the_summary_names_fallbacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = hc.new_project(tmp_path / "project")
    doc = hc.load_config(project)
    doc["narrator"] = {"kind": "claude", "model": MODEL, "max_usd_per_build": 100}
    doc["prices"] = {
        **(doc.get("prices") or {}),
        f"anthropic/{MODEL}": {"input": 3.0, "output": 15.0, "cache_read": 0.3, "cache_write_5m": 3.75,
                               "source": "test"},
    }  # fmt: skip
    hc.save_config(project, doc)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key")
    replay = Replay()
    client = http.Client(transport=http.MockTransport(replay))
    out = tmp_path / "site"
    result = build_site(project, out, only="brief", use_cache=False, jobs=1, http_client=client)

    assert len(result.weeks) > 1
    manifest = {e["path"] for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]}
    for week in result.weeks:  # every week's narrative was Claude's (drafted or kept), so each has evidence
        path = f"evidence/{week}/narrative.json"
        assert path in manifest and (out / path).is_file()
        evidence = json.loads((out / path).read_text(encoding="utf-8"))
        assert evidence["period"] == week and evidence["model"] == MODEL
        drafted = week == result.weeks[-1]
        assert bool(evidence["drafted"]) is drafted
        assert all((r["origin"] == "claude") is drafted for r in evidence["sections"].values())
    closed = len(result.weeks) - 1
    assert result.fallbacks == [
        f"{closed} closed weeks keep their cached drafts or the template text (not drafted)"
    ]
