"""Memory of recommendations on the example project: a postmortem past due is a Next Action; business days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sentinel_reports.analysis.facts_model import facts_data, facts_from_dict
from sentinel_reports.analysis.memory import business_days_after


def test_business_days_skip_weekends() -> None:
    assert business_days_after(dt.date(2026, 11, 12), 5) == dt.date(2026, 11, 19)  # Thursday → Thursday
    assert business_days_after(dt.date(2026, 11, 6), 1) == dt.date(2026, 11, 9)  # Friday → Monday
    assert business_days_after(dt.date(2026, 11, 7), 0) == dt.date(2026, 11, 9)  # Saturday rolls forward


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    from sentinel_reports.demo import scaffold
    from sentinel_reports.pipeline import open_project

    root: Path = tmp_path_factory.mktemp("memory") / "project"
    scaffold(root)
    return open_project(root, use_cache=False)


def _week(project, label: str) -> dict:
    from sentinel_reports.analysis.facts import week_facts

    return facts_data(week_facts(project.dataset, project.content, project.config, label, project.as_of))


def test_unpublished_postmortem_past_due_is_a_next_action(project) -> None:
    # INC-001, SEV2, resolved 2026-11-12; its postmortem is in review: due 5 business days later, 2026-11-19
    w46, w47 = _week(project, "2026-W46"), _week(project, "2026-W47")
    assert not [a for a in w46["next_actions"] if a.get("kind") == "postmortem_due"]  # not due by 2026-11-15
    [due] = [a for a in w47["next_actions"] if a.get("kind") == "postmortem_due"]
    assert due["deadline"] == "2026-11-19" and "INC-001" in due["action"] and due["origin"] == "postmortem"
    from sentinel_reports.narrative.template import narrate_week

    narrative = narrate_week(facts_from_dict(w47), project.content, project.config)
    assert any(a.action == due["action"] and a.deadline == "2026-11-19" for a in narrative.next_actions)


def test_postmortem_due_follows_the_configured_business_days(project) -> None:
    from sentinel_reports.analysis.facts import week_facts

    config = project.config.model_copy(
        update={"incidents": project.config.incidents.model_copy(update={"postmortem_due": 10})}
    )
    facts = facts_data(week_facts(project.dataset, project.content, config, "2026-W47", project.as_of))
    assert not [a for a in facts["next_actions"] if a.get("kind") == "postmortem_due"]  # due 2026-11-26


def test_recurring_tagging_recommendation_keeps_its_deadline(project) -> None:
    memories = [
        _week(project, w)["recommendation_memory"].get("rule:attribute:spend")
        for w in ("2026-W45", "2026-W46", "2026-W47")
    ]
    assert [m["first_raised"] for m in memories] == ["2026-W45"] * 3
    assert [m["deadline"] for m in memories] == ["2026-11-23"] * 3  # publication 2026-11-09 + 14 days
    assert [m["weeks_open"] for m in memories] == [1, 2, 3]
