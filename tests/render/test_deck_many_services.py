"""The quarterly deck of a platform with many services: every slide still fits its reader. A rule on many
services is one decision and one change row, Next Actions are counted by owner, the SLO table keeps its
twelve rows and counts the rest, and every figure the deck derives for that is verified."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from sentinel_reports.analysis.facts_model import facts_data, facts_from_dict
from sentinel_reports.render import deck_closing, deck_slides
from sentinel_reports.render.deck import build_deck, verify_deck

QUARTER = "2026-Q4"
SERVICES = 30


def _big(demo_project, demo_period_facts, investments: bool) -> Any:
    """The demo's 2026-Q4 with 30 more customer-facing services, each with one SLO overspent for its window
    (a copy of the demo's first customer-facing SLO, so every figure is one the analysis could produce);
    without the demo's investments, the deck's decision is the narrative's first recommendation."""
    from sentinel_reports.narrative.template import narrate_quarter

    data = copy.deepcopy(facts_data(demo_period_facts[QUARTER]))
    if not investments:
        data["investments"] = []
    base_slo = next(s for s in data["slos"] if s["customer_facing"])
    base_component = next(c for c in data["components"] if c["id"] == base_slo["component"])
    for i in range(SERVICES):
        cid = f"svc-{i:02d}"
        data["components"].append({**copy.deepcopy(base_component), "id": cid, "name": f"Service {i:02d}"})
        data["slos"].append(
            {**copy.deepcopy(base_slo), "name": f"{cid}-availability", "component": cid,
             "component_name": f"Service {i:02d}", "budget_remaining": -0.5 - i / 100}
        )  # fmt: skip
    facts = facts_from_dict(data)
    narrative = narrate_quarter(facts, demo_project.content, demo_project.config)
    return facts, narrative, build_deck(facts, narrative)


@pytest.fixture(scope="module")
def big(demo_project, demo_period_facts) -> Any:
    return _big(demo_project, demo_period_facts, investments=True)


@pytest.fixture(scope="module")
def big_no_investment(demo_project, demo_period_facts) -> Any:
    return _big(demo_project, demo_period_facts, investments=False)


def _slide(deck: Any, key: str) -> Any:
    return next(s for s in deck.slides if s.key == key)


def test_the_deck_of_many_services_verifies(big, big_no_investment) -> None:
    for facts, narrative, deck in (big, big_no_investment):
        verify_deck(deck, facts, narrative)


def test_a_freeze_on_many_services_is_one_change_row(big) -> None:
    _, narrative, deck = big
    assert _slide(deck, "recommendation").title.startswith("Decision requested: fund ")
    freezes = [r for r in narrative.recommendations if r.key.startswith("rule:freeze:")]
    changes = _slide(deck, "changes")
    rows = [row for row in changes.table.rows if "release freeze" in row[0]]
    assert len(rows) == 1 and rows[0][0] == freezes[0].group
    assert rows[0][1] == f"{len(freezes)} services, one change each: each expected impact is in the notes"
    assert changes.lead == "" and len(changes.table.rows) <= deck_closing.DECK_ROWS
    assert all(r.text in changes.notes for r in freezes)


def test_a_freeze_on_many_services_is_one_decision_with_every_service_in_the_notes(big_no_investment) -> None:
    _, narrative, deck = big_no_investment
    freezes = [r for r in narrative.recommendations if r.key.startswith("rule:freeze:")]
    assert len(freezes) >= SERVICES and len({r.group for r in freezes}) == 1
    decision = _slide(deck, "recommendation")
    assert decision.title == f"Decision requested: {freezes[0].group}"
    assert re.search(r"and \d+ more services$", decision.title)
    assert decision.bullets == (
        f"The same recommendation applies to {len(freezes) - 1} more services, each with its own owner, deadline "
        "and figures in the speaker notes.",
    )
    assert all(r.text in decision.notes for r in freezes[1:])
    changes = _slide(deck, "changes")
    assert (
        changes.lead
        == f"The table leaves out the {len(freezes)} changes of the decision on the previous slide."
    )
    assert len(changes.table.rows) <= deck_closing.DECK_ROWS
    assert not any("release freeze" in " ".join(row).lower() for row in changes.table.rows)


def test_many_next_actions_are_counted_by_owner_and_listed_in_the_notes(big) -> None:
    facts, narrative, deck = big
    actions = narrative.next_actions
    assert len(actions) > deck_closing.DECK_ROWS
    slide = _slide(deck, "next-actions")
    assert slide.table.columns == ("Owner", "Actions", "Past deadline", "Earliest deadline")
    owners = {a.owner for a in actions}
    assert {row[0] for row in slide.table.rows} == owners
    assert sum(int(row[1]) for row in slide.table.rows) == len(actions)
    today = facts.as_of.date().isoformat()
    late = sum(1 for a in actions if a.deadline and str(a.deadline) < today)
    assert sum(int(row[2]) for row in slide.table.rows) == late
    assert f"{len(actions)} owned actions across {len(owners)} owners" in slide.title
    assert all(a.action in slide.notes for a in actions)


def test_the_slo_table_keeps_twelve_rows_with_every_miss_and_counts_the_rest(big) -> None:
    facts, _, deck = big
    slide = _slide(deck, "glance")
    rows = slide.table.rows
    facing = [s for s in facts.slos if s.customer_facing]
    assert len(facing) > deck_slides.MAX_SLO_ROWS and len(rows) == deck_slides.MAX_SLO_ROWS
    left = len(facing) - (deck_slides.MAX_SLO_ROWS - 1)
    assert rows[-1][0] == f"{left} more SLOs, each in the notes"
    missed = [s for s in facing if s.period_attainment is not None and s.period_attainment < s.objective]
    shown_missed = sum(1 for row in rows[:-1] if row[-1] == "✕ Missed")
    assert shown_missed == min(len(missed), deck_slides.MAX_SLO_ROWS - 1)
    assert all(s.name in slide.notes for s in facing)


def test_a_long_list_of_incidents_names_three_and_counts_the_rest_as_a_verified_figure() -> None:
    from sentinel_reports.render.deck_economics import _first_ids
    from sentinel_reports.render.deck_model import Derived

    d = Derived()
    assert _first_ids(["A", "B", "C", "D"], d, "k") == "A, B, C, D" and d.values == {}
    assert _first_ids([f"Q{i}" for i in range(30)], d, "k") == "Q0, Q1, Q2 and 27 more"
    assert d.values == {"k": 27.0}


def test_a_quarter_without_impact_and_without_a_revenue_assumption_says_no_incident_not_zero_unpriced(
    demo_project, demo_period_facts
) -> None:
    """'Revenue at risk cannot be stated for 0 incidents' was the title of a quarter with no incident with
    customer impact and no revenue assumption; and 'on 1 days' was the budget slide's."""
    from sentinel_reports.narrative.template import narrate_quarter

    data = copy.deepcopy(facts_data(demo_period_facts[QUARTER]))
    data["incidents"] = [{**i, "impact_minutes": 0, "customer_impact": False} for i in data["incidents"]]
    data["business"]["revenue_at_risk_total"] = None
    data["business"]["incidents_without_assumption"] = []
    data["business"]["degraded_incidents"] = []
    facts = facts_from_dict(data)
    deck = build_deck(facts, narrate_quarter(facts, demo_project.content, demo_project.config))
    title = _slide(deck, "incidents").title
    assert title.startswith(f"No incident affected customers in {QUARTER}") and "0 incidents" not in title
    assert not any(re.search(r"\b1 days\b", s.title) for s in deck.slides)


@pytest.mark.parametrize("covered", [True, False])
def test_a_quarter_without_incidents_says_no_incident_only_when_the_record_covers_it(
    demo_project, demo_period_facts, covered: bool
) -> None:
    """The AI-incidents slide said "No incidents this quarter" beside an incident slide saying the record is
    incomplete."""
    from sentinel_reports.render.deck_aiops import ai_incidents_slide
    from sentinel_reports.render.deck_model import Derived

    data = copy.deepcopy(facts_data(demo_period_facts[QUARTER]))
    data["incidents"], data["ai_incidents"]["incidents"], data["ai_incidents"]["by_class"] = [], [], {}
    data["ai_incidents"]["regulatory"]["candidates"] = []
    data["verdict"]["claims"]["incidents_covered"] = covered
    title = ai_incidents_slide(facts_from_dict(data), Derived()).title
    if covered:
        assert title == f"No incident in {QUARTER}" + (" so far" if data["in_progress"] else "")
    else:
        assert (
            title
            == f"No incident is recorded for {QUARTER}, but the incident record does not cover all of it"
        )
