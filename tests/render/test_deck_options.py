"""The fundable deck: the investments slide compares every option with "do nothing", shows the ROI of the
leading option at the low, expected and high incident frequency of the last four quarters (quarters without
an incident record named as gaps), and derives a case from incident history when content proposes none."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sentinel_reports.render import formatting as f
from sentinel_reports.render.deck import build_deck, verify_deck

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    not (REPO / "sentinel.yaml").exists(), reason="the demo project is not generated"
)


@pytest.fixture(scope="module")
def project(demo_project):  # type: ignore[no-untyped-def]
    return demo_project


def _deck(project, content):
    from sentinel_reports.analysis.facts import quarter_facts
    from sentinel_reports.narrative.template import narrate_quarter

    facts = quarter_facts(project.dataset, content, project.config, "2026-Q4", project.as_of)
    narrative = narrate_quarter(facts, content, project.config)
    deck = build_deck(facts, narrative)
    verify_deck(deck, facts, narrative)  # every figure on the slides traces to the facts
    return facts, next(s for s in deck.slides if s.key == "investments")


def test_options_include_do_nothing_and_a_sensitivity_row_from_facts(project) -> None:
    facts, slide = _deck(project, project.content)
    assert slide.table.rows[-1][1].startswith("Do nothing") and slide.table.rows[-1][2] == "$0"
    top = facts.investments[0]
    sens = top.sensitivity
    assert sens is not None
    # the demo's incident record starts in July: earlier quarters are gaps, not quarters without incidents
    assert sens.quarters_without_data == ["2026-Q1", "2026-Q2"]
    assert sens.incidents == ["INC-214", "INC-215"]  # the SEV1 outage and the SEV2 jailbreak
    [row] = [b for b in slide.bullets if b.startswith("**Sensitivity**")]
    for roi in (sens.roi_low, sens.roi_expected, sens.roi_high):
        assert f.pct(roi, 0) in row
    assert f.pct(sens.roi_expected, 0) == f.pct(top.roi, 0)  # the proposal's case is the expected one
    assert "2026-Q1, 2026-Q2: no incident record (a gap, not 0)" in row
    nothing = facts.options.do_nothing
    [kept] = [b for b in slide.bullets if b.startswith("**Do nothing**")]
    assert f.money(nothing.revenue_at_risk_per_year, "USD") in kept and "INC-212" in kept
    assert "(latency only, not charged: INC-212)." in kept  # the ids after what they are, not before it


def test_a_case_is_derived_from_incident_history_when_content_proposes_none(project) -> None:
    content = dataclasses.replace(project.content, investments=())
    facts, slide = _deck(project, content)
    case = facts.options.derived_case
    assert case is not None and case.derived and case.incidents and not facts.investments
    assert "derived from incident history" in slide.title
    assert f.money(case.break_even_cost, "USD") in slide.title
    [origin] = [b for b in slide.bullets if b.startswith("**Derived case:**")]
    assert all(i in origin for i in case.incidents)
    assert slide.table.rows[0][1].startswith("Derived from incident history")


@pytest.mark.parametrize(("rate", "shown"), [(475.0, "475 serious incidents a year"), (8.0, "8.0 serious incidents a year"), (2.66, "2.7 serious incidents a year")])  # fmt: skip
def test_a_large_incident_rate_is_written_whole(project, rate: float, shown: str) -> None:
    """'475.0 serious incidents a year': a decimal that says nothing at that size."""
    from sentinel_reports.analysis.facts import quarter_facts
    from sentinel_reports.analysis.facts_model import facts_data, facts_from_dict
    from sentinel_reports.narrative.template import narrate_quarter

    facts = quarter_facts(project.dataset, project.content, project.config, "2026-Q4", project.as_of)
    narrative = narrate_quarter(facts, project.content, project.config)
    data = facts_data(facts)
    data["options"]["do_nothing"]["incidents_per_year"] = rate
    slide = next(s for s in build_deck(facts_from_dict(data), narrative).slides if s.key == "investments")
    [kept] = [b for b in slide.bullets if b.startswith("**Do nothing**")]
    assert shown in kept
