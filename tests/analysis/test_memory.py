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


def _overspent_for_months(root: Path) -> Path:
    """One service whose 99.9% availability objective is missed every hour (1% of requests fail) for 32
    weeks, from Monday 2026-01-05 (the first day of 2026-W02)."""
    (root / "data").mkdir(parents=True)
    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    lines = ["timestamp,component,signal,value"]
    for hour in range(24 * 7 * 32):
        ts = (start + dt.timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines += [f"{ts},api,requests_total,1000", f"{ts},api,requests_good,990"]
    (root / "data" / "samples.csv").write_text("\n".join(lines) + "\n", "utf-8")
    (root / "sentinel.yaml").write_text(
        "organization: Example AI Team\n"
        "components:\n  - {id: api, name: API, customer_facing: true, owner: API team, expects: [availability]}\n"
        "slos:\n  - name: api-availability\n    component: api\n    objective: 0.999\n    window: 28d\n"
        "    indicator: {ratio: {good: requests_good, total: requests_total}}\n"
        "sources:\n  - {type: csv, path: data/samples.csv}\n",
        "utf-8",
    )
    return root


def test_a_freeze_held_for_months_keeps_the_week_it_was_first_raised(tmp_path: Path) -> None:
    """The walk back through the weeks reads each week's SLO window: the facts read that far back
    (timeline.lookback), so an objective missed for 19 weeks is not reported as raised 13 weeks ago (the
    90 days of the status history), with a deadline that moved every week."""
    from sentinel_reports.analysis.facts import week_facts
    from sentinel_reports.analysis.memory import LOOKBACK_WEEKS
    from sentinel_reports.pipeline import open_project

    p = open_project(_overspent_for_months(tmp_path / "project"), use_cache=False)

    def freeze(week: str) -> dict:
        facts = facts_data(week_facts(p.dataset, p.content, p.config, week, p.as_of))
        return facts["recommendation_memory"]["rule:freeze:api"]

    w20, w21 = freeze("2026-W20"), freeze("2026-W21")
    assert w20["first_raised"] == w21["first_raised"] == "2026-W02"  # its first week of data
    assert (w20["weeks_open"], w21["weeks_open"]) == (19, 20)
    assert w20["deadline"] == w21["deadline"] == "2026-01-19"  # W02 is published on 2026-01-12; 7 days
    assert w21["overdue"] and LOOKBACK_WEEKS == 26


def test_a_freeze_held_longer_than_the_memory_reads_says_it_may_be_older(tmp_path: Path) -> None:
    """Past the 26 weeks the memory walks back, with data before them, the week it names is the oldest it
    read: the brief says "or earlier" and "or more" rather than a first week that is not the first."""
    from sentinel_reports.analysis.facts import week_facts
    from sentinel_reports.narrative.risks import memory_words
    from sentinel_reports.pipeline import open_project

    p = open_project(_overspent_for_months(tmp_path / "project"), use_cache=False)
    facts = {w: facts_from_dict(facts_data(week_facts(p.dataset, p.content, p.config, w, p.as_of)))
             for w in ("2026-W27", "2026-W30")}  # fmt: skip
    w27, w30 = (facts[w].recommendation_memory["rule:freeze:api"] for w in ("2026-W27", "2026-W30"))
    assert (w27.first_raised, w27.weeks_open, w27.earlier) == ("2026-W02", 26, False)  # the data's first week
    assert (w30.first_raised, w30.weeks_open, w30.earlier) == ("2026-W04", 27, True)
    assert (
        memory_words(w30)
        == " (first raised in 2026-W04 or earlier; overdue since 2026-02-02 or earlier, open 27 weeks or more)"
    )
    assert memory_words(w27) == " (first raised in 2026-W02; overdue since 2026-01-19, open 26 weeks)"
