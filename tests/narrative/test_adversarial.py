"""The meaning check against the adversarial corpus and against every demo period's template text.

tests/narrative/adversarial/<reason>--<name>.md holds one draft each, with front matter naming the finding
expected (``expect``), the week whose facts it is checked against, ``mode`` (plain: figures as a person writes
them; draft: figures as ``{{fact.key}}`` placeholders) and ``complete`` (required-content checks). Every draft
must be rejected with its expected finding, class by class, and every demo week's and quarter's template text
must pass with no finding at all. docs/narrative.md reports both; the test checks the table there.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from sentinel_reports.narrative.meaning import REASONS, MeaningCheck
from sentinel_reports.narrative.template import narrate_quarter, narrate_week

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).parent / "adversarial"
DOC = REPO / "docs" / "narrative.md"

pytestmark = pytest.mark.skipif(
    not (REPO / "sentinel.yaml").exists(), reason="the demo project is not generated"
)


def drafts() -> list[tuple[str, dict[str, Any], str]]:
    out = []
    for path in sorted(CORPUS.glob("*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        out.append((path.stem, yaml.safe_load(head), body))
    return out


@pytest.fixture(scope="module")
def project(demo_project: Any) -> Any:
    return demo_project


@pytest.fixture(scope="module")
def periods(demo_period_facts: dict[str, Any]) -> dict[str, Any]:
    return demo_period_facts


def checker(facts: dict, project: Any) -> MeaningCheck:
    narrate = narrate_quarter if facts.kind == "quarter" else narrate_week
    narrative = narrate(facts, project.content, project.config)
    return MeaningCheck(narrative.verification_facts(facts), config=project.config)


def test_corpus_is_large_and_labelled() -> None:
    cases = drafts()
    assert len(cases) >= 60
    per_class = Counter(head["expect"] for _, head, _ in cases)
    assert set(per_class) <= set(REASONS)
    required = {
        "raw-number", "unknown-key", "wrong-entity", "wrong-period", "direction", "unknown-name", "hype",
        "blame", "person", "uncited-cause", "missing-required", "wrong-unit", "unsupported-number",
    }  # fmt: skip
    assert required <= set(per_class)
    assert min(per_class.values()) >= 4, per_class


def rejection_table(periods: dict, project: Any) -> tuple[dict[str, tuple[int, int]], list[str]]:
    checks: dict[str, MeaningCheck] = {}
    rates: dict[str, list[int]] = {}
    missed = []
    for name, head, body in drafts():
        week = head["week"]
        if week not in checks:
            checks[week] = checker(periods[week], project)
        found = checks[week].check(body, mode=head["mode"], complete=bool(head.get("complete")))
        hit = any(f.reason == head["expect"] for f in found)
        rates.setdefault(head["expect"], [0, 0])
        rates[head["expect"]][0] += hit
        rates[head["expect"]][1] += 1
        if not hit:
            missed.append(f"{name}: expected {head['expect']}, found {[str(f) for f in found]}")
    return {k: (v[0], v[1]) for k, v in sorted(rates.items())}, missed


def test_every_draft_is_rejected_with_its_finding_and_the_docs_say_so(periods: dict, project: Any) -> None:
    table, missed = rejection_table(periods, project)
    assert missed == []
    doc = DOC.read_text(encoding="utf-8")
    for reason, (rejected, total) in table.items():
        row = f"| {reason} | {total} | {rejected} | {rejected / total:.0%} |"
        assert row in doc, f"docs/narrative.md lacks the row {row!r}"


def test_every_demo_periods_template_text_passes_complete(periods: dict, project: Any) -> None:
    assert len([p for p in periods if "-W" in p]) >= 20 and any("-Q" in p for p in periods)
    rejected, figures = {}, 0
    for label, facts in periods.items():
        narrate = narrate_quarter if facts.kind == "quarter" else narrate_week
        text = narrate(facts, project.content, project.config).to_markdown()
        found = checker(facts, project).check(text, complete=True)
        if found:
            rejected[label] = [str(f) for f in found]
        figures += sum(ch.isdigit() for ch in text)
    assert rejected == {}
    assert figures > 1000
    doc = DOC.read_text(encoding="utf-8")
    assert f"false rejections: 0 of {len(periods)} demo periods" in doc


def test_a_dropped_required_item_is_found_where_the_template_text_passes(periods: dict, project: Any) -> None:
    """The required-content check is not vacuous: removing the SEV1 from the W45 incidents section fails it."""
    facts = periods["2026-W45"]
    text = narrate_week(facts, project.content, project.config).to_markdown()
    check = checker(facts, project)
    assert check.check(text, complete=True) == []
    head, rest = text.split("## Incidents\n", 1)
    cut = head + "## Incidents\n\nOne incident, resolved.\n\n## " + rest.split("## ", 1)[1]
    found = check.check(cut, complete=True)
    assert [f.reason for f in found] == ["missing-required"]
    assert "SEV1 INC-214" in found[0].message


def test_every_demo_template_text_is_a_valid_draft_of_its_own_claims(periods: dict, project: Any) -> None:
    """The template text with its figures, dates and labels turned into placeholders renders back to itself and
    passes the draft check: the baseline the model rewrites is already a draft the check accepts."""
    from sentinel_reports.narrative.claims import render

    problems, figures, claims = [], 0, 0
    for label, facts in periods.items():
        narrate = narrate_quarter if facts.kind == "quarter" else narrate_week
        narrative = narrate(facts, project.content, project.config)
        check = MeaningCheck(
            narrative.verification_facts(facts), config=project.config,
            fixed={"summary_line": narrative.summary_line},
        )  # fmt: skip
        for name, text in {**narrative.sections, "executive_summary": narrative.executive_summary}.items():
            draft = check.to_placeholders(text)
            if render(draft, check.catalog).text != text:
                problems.append(f"{label} {name}: does not render back")
            problems += [f"{label} {name}: {f}" for f in check.check(draft, mode="draft")]
            claims += len(check.claims_in(text))
            figures += draft.count("{{")
    assert problems == []
    assert claims > 1500 and figures >= claims
