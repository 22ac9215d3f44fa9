"""Teams and budgets: owner attribution, `teams:` aliases, the three team checks and the month-end projection.

Checked on the official FOCUS 1.2 samples (attributed by collector rules, since the samples carry no tags) and
on the example project with its bill's team tags rewritten so that they no longer match its budget names.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from sentinel_reports.analysis.cost import cost_facts
from sentinel_reports.analysis.facts_model import facts_data
from sentinel_reports.collectors.focus import FocusCollector, FocusOptions
from sentinel_reports.model import empty_frame
from tests.collectors._cost_ctx import FOCUS_SAMPLES, make_config, make_ctx

SAMPLE = "saas_examples__spend_agreements__saas_spend_agreements_b2.csv"
APRIL = dt.datetime(2025, 4, 1, tzinfo=dt.UTC), dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
RULES = [
    # the usage charge belongs to rag-api; its team label names another team (the owner wins)
    {"match": {"ChargeDescription": "Monthly usage*"}, "component": "rag-api", "team": "Database team"},
    # the unused fees have no component, only a team label: the alias `search`
    {"match": {"ChargeDescription": "*unused fee"}, "team": "search"},
]


def _sample_facts(**config: object) -> dict:
    cfg = make_config(
        budgets={"monthly_spend": {"Search team": 1000, "Assistant Platform team": 500}}, **config
    )
    options = FocusOptions(type="focus", path=SAMPLE, rules=RULES)
    costs = FocusCollector().collect(options, make_ctx(FOCUS_SAMPLES, config=cfg)).costs
    block, gaps = cost_facts(costs, empty_frame("samples"), cfg, *APRIL, APRIL[1])
    return {"cost": block, "gaps": gaps}


def test_official_sample_owner_attribution_and_alias() -> None:
    # April 2025 of the sample: 0 upfront payment (no attribution), 48 usage (rag-api), 12 + 480 unused fees
    out = _sample_facts(teams={"Search team": ["search"]})
    cost = out["cost"]
    assert cost["total"] == pytest.approx(540.0)
    assert cost["by_team"] == pytest.approx({"Search team": 48.0 + 12.0 + 480.0})
    checks = cost["team_checks"]
    assert checks["budget_without_spend"] == ["Assistant Platform team"]
    assert checks["spend_without_budget"] == []
    assert checks["tag_mismatches"] == [
        {"component": "rag-api", "tag": "Database team", "owner": "Search team", "amount": 48.0}
    ]
    kinds = sorted(g.kind for g in out["gaps"])
    # the fees have a team but no component: still unattributed to a component
    assert kinds == ["budget_without_spend", "team_tag_mismatch", "unattributed_spend"]


def test_official_sample_without_the_alias_reports_spend_without_budget() -> None:
    out = _sample_facts()
    cost = out["cost"]
    # the component's spend still goes to its owner; the untagged-component fees stay under their label
    assert cost["by_team"] == pytest.approx({"Search team": 48.0, "search": 492.0})
    [unbudgeted] = cost["team_checks"]["spend_without_budget"]
    assert unbudgeted["team"] == "search" and unbudgeted["amount"] == pytest.approx(492.0)
    gap = next(g for g in out["gaps"] if g.kind == "spend_without_budget")
    assert gap.priority == "P1"  # 492 of 540 is far above 10 %
    assert gap.specific == "$492 of spend (91.1% of spend) belongs to team search, which has no budget"


def test_official_sample_month_end_covers_all_spend() -> None:
    me = _sample_facts(teams={"Search team": ["search"]})["cost"]["month_end"]
    # one ledger day (2025-04-01) of a 30-day month: every projection is month-to-date × 30
    assert me["month"] == "2025-04" and me["elapsed_days"] == 1 and me["days_in_month"] == 30
    assert me["projected_month_end"] == pytest.approx(540.0 * 30)
    assert me["budget_total"] == pytest.approx(1500.0)
    assert me["budgeted_projected"] == pytest.approx(540.0 * 30)
    assert me["unbudgeted_projected"] == pytest.approx(0.0)
    assert sum(t["projected_month_end"] for t in me["teams"]) == pytest.approx(me["projected_month_end"])
    assert {t["team"]: t["month_to_date"] for t in me["teams"]} == pytest.approx(
        {"Assistant Platform team": 0.0, "Search team": 540.0}
    )


def test_aliases_ignore_case_and_one_alias_names_one_team() -> None:
    out = _sample_facts(teams={"Search team": ["SEARCH "]})
    assert out["cost"]["by_team"] == pytest.approx({"Search team": 540.0})
    with pytest.raises(ValidationError, match="listed under both 'Search team' and 'Assistant team'"):
        make_config(teams={"Search team": ["search"], "Assistant team": ["Search"]})


# -- the example project, whose bill's team tags do not match its budget names -------------------------------


def _retag(root: Path) -> None:
    """Team tags as a cloud bill often spells them: `search` and `assistant`; the untagged-component rows
    (shared spend) carry `team: search`."""
    for path in sorted((root / "data" / "billing").glob("*.csv.gz")):
        text = gzip.decompress(path.read_bytes()).decode()
        text = text.replace('""team"":""Search team""', '""team"":""search""')
        text = text.replace('""team"":""Assistant team""', '""team"":""assistant""')
        text = text.replace('{""env"":""prod""}', '{""env"":""prod"",""team"":""search""}')
        path.write_bytes(gzip.compress(text.encode(), mtime=0))


@pytest.fixture(scope="module")
def retagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sentinel_reports.demo import scaffold

    root = tmp_path_factory.mktemp("retagged") / "project"
    scaffold(root)
    _retag(root)
    text = gzip.decompress(next((root / "data" / "billing").glob("*.csv.gz")).read_bytes()).decode()
    assert '""team"":""search""' in text and "Search team" not in text  # the rewrite took effect
    return root


def _check(root: Path, teams: dict | None = None) -> dict:
    from sentinel_reports.check import build_check_report

    config = root / "sentinel.yaml"
    text = config.read_text(encoding="utf-8").split("\nteams:")[0]
    if teams:
        text += "\nteams: " + json.dumps(teams) + "\n"
    config.write_text(text, encoding="utf-8")
    return build_check_report(root)


def test_project_with_other_tags_charges_owners_and_check_reports_the_tags(retagged: Path) -> None:
    report = _check(retagged)
    teams = report["teams"]
    # component spend is the owners'; the tags `search` and `assistant` disagree with them
    assert {(m["component"], m["tag"], m["owner"]) for m in teams["tag_mismatches"]} == {
        ("assistant-api", "assistant", "Assistant team"),
        ("retrieval", "search", "Search team"),
    }
    # the shared spend tagged `search` has no component: with no alias it is a team without a budget
    assert [t["team"] for t in teams["spend_without_budget"]] == ["search"]
    assert teams["budget_without_spend"] == []
    kinds = {g["kind"] for g in report["gaps"]}
    assert {"team_tag_mismatch", "spend_without_budget"} <= kinds


def test_project_with_other_tags_and_aliases_has_no_team_gaps(retagged: Path) -> None:
    report = _check(retagged, {"Search team": ["search"], "Assistant team": ["assistant"]})
    assert report["teams"] == {"budget_without_spend": [], "spend_without_budget": [], "tag_mismatches": []}
    assert not {"team_tag_mismatch", "spend_without_budget", "budget_without_spend"} & {
        g["kind"] for g in report["gaps"]
    }


def test_project_with_other_tags_brief_states_budgets_and_unbudgeted_share(retagged: Path) -> None:
    from sentinel_reports.analysis.facts import week_facts
    from sentinel_reports.narrative.template import narrate_week
    from sentinel_reports.pipeline import open_project

    _check(retagged)  # no aliases
    project = open_project(retagged, use_cache=False)
    model = week_facts(project.dataset, project.content, project.config, "2026-W47", project.as_of)
    facts = facts_data(model)
    me, budgets = facts["cost"]["month_end"], facts["cost"]["budgets"]
    # neither budget team reads 0 %: their components' spend is theirs whatever the tags say
    assert all(b["month_to_date"] > 0 for b in budgets)
    assert me["unbudgeted_projected"] > 0 and 0 < me["unbudgeted_share"] < 1
    assert me["budgeted_projected"] + me["unbudgeted_projected"] == pytest.approx(me["projected_month_end"])
    text = narrate_week(model, project.content, project.config).sections["cost"]
    assert "with no budget" in text and "All spend is projected at" in text
    assert {g["kind"] for g in facts["gaps"]} >= {"team_tag_mismatch", "spend_without_budget"}
