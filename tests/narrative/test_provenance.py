"""Provenance and honest cost on a real-size week (2026-W45): drafted sections are marked in every format, the
evidence records each section, closed periods make no request, and the spend cap is stated in the appendix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sentinel_reports.narrative.claude import drafted_note, fallback_lines, with_drafts
from sentinel_reports.narrative.template import narrate_week
from sentinel_reports.publications import narrative_evidence

from .test_claude import Replay
from .test_claude_claims import narrator

REPO = Path(__file__).resolve().parents[2]
NOTE = drafted_note("claude-sonnet-4-6")

pytestmark = pytest.mark.skipif(
    not (REPO / "sentinel.yaml").exists(), reason="the demo project is not generated"
)


@pytest.fixture(scope="module")
def project(demo_project: Any) -> Any:
    return demo_project


@pytest.fixture(scope="module")
def facts(project: Any) -> dict[str, Any]:
    from sentinel_reports.analysis.facts import week_facts

    return week_facts(project.dataset, project.content, project.config, "2026-W45", project.as_of)


def narrate(facts: dict, project: Any, handler: Replay, *, drafted: tuple[str, ...], max_usd: float = 2.0):
    base = narrate_week(facts, project.content, project.config)
    n = narrator(handler)
    n.max_usd = max_usd
    texts = {**base.sections, "executive_summary": base.executive_summary}
    results = {k: n.draft(k, facts, v, "", request=k in drafted) for k, v in texts.items()}
    return with_drafts(base, results, n.model, cap_usd=n.max_usd), n


def test_drafted_sections_are_marked_and_recorded(facts, project) -> None:
    handler = Replay((200, "w45_reliability_entity.json"), (200, "w45_reliability_ok.json"))
    narrative, n = narrate(facts, project, handler, drafted=("reliability",))
    assert narrative.sections["reliability"].endswith(f"\n\n{NOTE}")
    assert NOTE not in narrative.sections["cost"] and NOTE not in narrative.executive_summary
    evidence = json.loads(narrative_evidence(narrative))
    assert evidence["drafted"] == ["reliability"] and evidence["appendix"] == ""
    rel = evidence["sections"]["reliability"]
    assert (
        rel["narrator"] == "claude" and rel["model"] == "claude-sonnet-4-6" and rel["verdict"] == "accepted"
    )
    assert rel["retries"] == 1 and rel["findings"][0].startswith("line 3: wrong-entity: 32% is")
    assert len(rel["prompt_hash"]) == 16 and rel["tokens"]["cache_creation_input_tokens"] > 20_000
    assert rel["cost"] > 0 and {"fact_key", "display"} == set(rel["claims"][0])
    cost = evidence["sections"]["cost"]
    assert cost["narrator"] == "template" and cost["reason"].startswith("closed period")
    assert cost["claims"] and cost["tokens"]["input_tokens"] == 0 and len(handler.requests) == 2
    assert fallback_lines(n.usage_report()) == [
        "1 closed weeks keep their cached drafts or the template text (not drafted)"
    ]


def test_the_mark_appears_in_every_format(facts, project) -> None:
    from sentinel_reports.render.brief import render_brief
    from sentinel_reports.render.charts import ChartRenderer
    from sentinel_reports.render.environment import make_environment

    handler = Replay((200, "w45_incidents_ok.json"))
    narrative, _ = narrate(facts, project, handler, drafted=("incidents",))
    brief = render_brief(
        make_environment(None), facts, narrative, project.config, renderer=ChartRenderer(None)
    )
    for form in ("html", "pdf_html", "email_html", "text", "markdown"):
        assert "Drafted by claude-sonnet-4-6; every figure checked against the facts." in getattr(
            brief, form
        ), form


def test_the_spend_cap_is_stated_in_the_appendix_and_the_summary(facts, project) -> None:
    handler = Replay((200, "w45_reliability_ok.json"))
    narrative, n = narrate(facts, project, handler, drafted=("incidents", "reliability"), max_usd=0.01)
    assert len(handler.requests) == 1  # the first draft spent past the cap: no second request
    assert narrative.provenance["drafted"] == ["reliability"]
    appendix = narrative.provenance["appendix"]
    assert appendix == (
        "The spend cap of 0.01 USD per build stopped model drafting; these sections use the template text: "
        "incidents."
    )
    assert narrative.to_markdown().endswith(appendix + "\n")
    lines = fallback_lines(n.usage_report())
    assert lines[0].startswith("2026-W45: template text for incidents (spend cap reached: 0.0")
