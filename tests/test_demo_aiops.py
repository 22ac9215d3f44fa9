"""The demo's AI operations stories, end to end on the committed demo project (golden facts and texts).

Planted in `demo/scenario.py` and `demo/aiops.py`: Support Copilot on OpenTelemetry GenAI traces from
2026-11-16 with a hidden Japanese-segment regression; the SEV2 jailbreak incident INC-215 on high-risk
chat-api with AICS roles but no Safety Officer (a possible reporting candidate); drift; answer acceptance and
CSAT around the Knowledge Search model change; the self-hosting economics of the GPU pool.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel_reports.narrative import aiops as say
from sentinel_reports.narrative.voice import determinations, lint_text

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project(demo_project):  # type: ignore[no-untyped-def]
    return demo_project


@pytest.fixture(scope="module")
def w47(project) -> dict:
    from sentinel_reports.analysis.facts import week_facts

    return week_facts(project.dataset, project.content, project.config, "2026-W47", project.as_of)


@pytest.fixture(scope="module")
def q4(project):
    from sentinel_reports.analysis.facts import quarter_facts
    from sentinel_reports.narrative.template import narrate_quarter
    from sentinel_reports.render.deck import build_deck, verify_deck

    facts = quarter_facts(project.dataset, project.content, project.config, "2026-Q4", project.as_of)
    narrative = narrate_quarter(facts, project.content, project.config)
    deck = build_deck(facts, narrative)
    verify_deck(deck, facts, narrative)  # every figure on the new slides traces to a fact
    return facts, deck


def names(facts):
    return {c.id: c.name for c in facts.components}


def test_support_copilot_tasks_from_otel_traces_count_once_each(project):
    source = next(s for s in project.dataset.sources if s.id == "otel-support-copilot")
    assert (
        source.summary["tasks"] > 0 and source.summary["llm_calls"] > source.summary["tasks"]
    )  # agents call LLMs 2-3 times
    samples = project.dataset.samples
    mine = samples.loc[
        (samples["source"].astype(str) == "otel-support-copilot")
        & (samples["signal"].astype(str) == "requests_total")
    ]
    assert mine["value"].sum() == source.summary["tasks"] - source.summary.get("dropped_other_components", 0)
    assert str(mine["ts"].min()) == "2026-11-16 00:00:00+00:00"  # Helicone before, traces after


def test_w47_safety_incident_roles_flag_and_regulatory_candidate(w47):
    ai = w47.ai_incidents
    assert ai.by_class["safety"].ids == ["INC-215"]
    (entry,) = [e for e in ai.incidents if e.id == "INC-215"]
    assert entry.roles == {"Incident Commander": "Assistant Platform team", "Model SME": "ML Platform team",
                              "Communications Lead": "Customer Support desk"}  # fmt: skip
    assert ai.safety_officer_missing == ["INC-215"]
    (candidate,) = ai.regulatory.candidates
    assert candidate.incident == "INC-215" and candidate.components == ["chat-api"]
    assert [d.days for d in candidate.deadlines] == [15, 2, 10] and all(d.source for d in candidate.deadlines)
    (criterion,) = ai.severity_criteria
    assert criterion.severity == "SEV2" and criterion.incidents == ["INC-215"]


def test_regulatory_flag_is_a_flag_for_counsel_never_a_determination(w47):
    (candidate,) = w47.ai_incidents.regulatory.candidates
    text = say.regulatory_flag(w47.ai_incidents.regulatory.candidates[0], names(w47))
    assert text.startswith("Possible serious-incident reporting candidate") and text.endswith(
        "recommend counsel review."
    )
    assert "15 days" in text and "Art. 73(2)" in text
    assert lint_text(text) == []
    assert determinations(
        text.replace("Possible serious-incident reporting candidate", "INC-215 must be reported")
    )


def test_w47_segment_regression_hidden_by_a_healthy_overall_rate(w47):
    (seg,) = [s for s in w47.segments if s.component == "support-copilot"]
    assert seg.overall_met and seg.hidden_regressions == ["ja"] and seg.worst == "ja"
    ja = next(r for r in seg.segments if r.segment == "ja")
    assert ja.cases >= seg.min_segment_cases and ja.pass_rate < seg.target <= seg.overall_pass_rate
    (model,) = [s for s in w47.segments if s.component == "support-copilot"]
    text = say.segment_observation(model, names(w47))
    assert "not a finding about its cause" in text and lint_text(text) == []


def test_w47_drift_peaked_critical_on_chat_api(w47):
    chat = next(d for d in w47.drift if d.component == "chat-api")
    assert chat.peak_level == "critical" and chat.level == "ok" and chat.thresholds_source


def test_q4_kpi_fell_after_the_model_change_and_recovered_after_rollback(q4):
    facts, _ = q4
    acceptance = [c for c in facts.kpi_changes if c.kpi == "answer_acceptance"]
    change, rollback = acceptance
    assert change.to_version == "gpt-5-mini-2025-08-07" and change.direction == "fell" and change.significant
    assert rollback.direction == "rose" and change.before.n >= 1000 and change.window_days == 4
    csat = next(c for c in facts.kpi_changes if c.kpi == "csat" and c.to_version == "gpt-5-mini-2025-08-07")
    assert csat.test == "Welch's t-test" and csat.direction == "fell"
    (model, _) = [c for c in facts.kpi_changes if c.kpi == "answer_acceptance"]
    text = say.kpi_sentence(model, names(facts))
    assert (
        "association in time" in text and "caused" in text and "p < 0.001" in text and lint_text(text) == []
    )


def test_q4_deck_slides(q4):
    facts, deck = q4
    keys = [s.key for s in deck.slides]
    assert {"ai-incidents", "ai-quality", "self-hosting"} <= set(keys) and keys.index(
        "self-hosting"
    ) < keys.index("next-actions")
    sh = facts.self_hosting
    assert sh.missing == [] and sh.cheaper == "self-hosted"
    assert sh.break_even_tokens_per_month < sh.tokens_per_month
    slide = next(s for s in deck.slides if s.key == "self-hosting")
    assert any("Assumptions:" in b for b in slide.bullets) and sh.engineering_source in slide.notes
    for s in deck.slides:
        if s.key in ("ai-incidents", "ai-quality", "self-hosting"):
            assert not [f for f in lint_text("\n".join([s.title, *s.bullets])) if f.severity == "error"], (
                s.key
            )


def test_brief_shows_the_new_tables_in_every_format(project, w47):
    from sentinel_reports.render import brief_aiops, brief_tables

    keys = [t.key for t in brief_aiops.incident_tables(w47) + brief_aiops.quality_tables(w47)]
    assert keys == ["ai_classes", "ai_roles", "ai_severity", "ai_regulatory", "segments", "drift"]
    md = "\n".join(brief_tables.markdown_table(t) for t in brief_aiops.incident_tables(w47))
    assert "recommend counsel review" in md and "Alex" not in md and "Placeholder" not in md
