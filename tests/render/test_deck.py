"""The deck's slides from the demo project's 2026-Q4 facts: storyline, figures equal to facts, verification,
missing data as "no data", and the self-contained HTML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import altair as alt
import pytest

from sentinel_reports.analysis.derived import add_derived
from sentinel_reports.analysis.facts_model import facts_data, facts_from_dict
from sentinel_reports.errors import VerificationError
from sentinel_reports.render import formatting as f
from sentinel_reports.render.charts import ChartRenderer
from sentinel_reports.render.deck import build_deck, render_deck_html, verify_deck
from sentinel_reports.render.deck_charts import chart_spec
from sentinel_reports.render.environment import make_environment
from sentinel_reports.render.grouping import as_of_day

REPO = Path(__file__).resolve().parents[2]
QUARTER = "2026-Q4"
STORYLINE = ["title", "glance", "budget", "incidents", "spend", "gaps", "investments", "recommendation"]


@pytest.fixture(scope="module")
def quarter(demo_project, demo_period_facts):
    from sentinel_reports.narrative.template import narrate_quarter

    project, facts = demo_project, demo_period_facts[QUARTER]
    narrative = narrate_quarter(facts, project.content, project.config)
    return facts, narrative, build_deck(facts, narrative)


def slide(deck, key):
    return next(s for s in deck.slides if s.key == key)


def test_storyline_one_idea_per_slide_each_with_one_exhibit_and_a_source(quarter) -> None:
    facts, _, deck = quarter
    keys = [s.key for s in deck.slides]
    assert keys[: len(STORYLINE)] == STORYLINE
    assert keys[-1] == "definitions" and "next-actions" in keys and "sources-1" in keys
    for s in deck.slides:
        assert (s.table is None) != (s.chart is None), f"{s.key}: one chart or one table"
        assert s.source_line.startswith("Source:"), s.key
        assert s.notes, s.key
    assert slide(deck, "definitions").quote == "Hope is not a strategy. Instrumentation is."
    assert slide(deck, "title").lead == deck.summary_line


def test_glance_table_states_the_quarter_attainment_of_each_customer_facing_slo(quarter) -> None:
    facts, _, deck = quarter
    table = slide(deck, "glance").table
    facing = [s for s in facts.slos if s.customer_facing]
    assert len(table.rows) == len(facing)
    for row, s in zip(table.rows, facing, strict=True):
        assert row[0] == s.component_name and row[1] == s.sli
        assert row[3] == f.pct(s.period_attainment, 2)
        assert row[4] == f.pct(s.previous_period_attainment, 2)
        used = (1 - s.period_attainment) / (1 - s.objective)
        assert row[6] == f.pct(used, 0)
        assert deck.derived[f"slos.{s.name}.period_budget_consumed"] == pytest.approx(used)
        assert row[7] == ("✓ Met" if s.period_attainment >= s.objective else "✕ Missed")
    worst = max(facing, key=lambda s: (1 - s.period_attainment) / (1 - s.objective))
    assert table.rows[table.worst][1] == worst.sli


def test_incident_cost_table_multiplies_minutes_by_the_stated_assumption(quarter) -> None:
    facts, _, deck = quarter
    s = slide(deck, "incidents")
    business = facts.business
    assert f.money(business.revenue_at_risk_total) in s.title
    assert s.table.rows[-1][0] == "Total"
    assert s.table.rows[-1][5] == f.money(business.revenue_at_risk_total)
    assert s.table.rows[-1][3] == f"{f.number(facts.incident_stats.impact_minutes_total, 0)} min"
    by_id = {row[0]: row for row in s.table.rows[:-1]}
    assert set(by_id) == {i.id for i in facts.incidents}
    uncharged = 0
    for inc in facts.incidents:
        amount = business.per_incident[inc.id]
        if inc.impact_kind == "degraded" and amount is None:
            # latency only: never charged at the outage rate, and no degraded rate is configured; its share
            # of the revenue at risk is not applicable ("–"), not missing data
            assert by_id[inc.id][5] == "degraded, not charged" and by_id[inc.id][6] == "–"
            uncharged += 1
        else:
            assert by_id[inc.id][5] == f.money(amount)
            rate = inc.business_impact.rate_per_minute if inc.business_impact else None
            if inc.impact_minutes and rate is not None:
                assert by_id[inc.id][4] == f.money(rate)
                assert amount == pytest.approx(inc.impact_minutes * rate)
            if inc.impact_minutes:
                assert by_id[inc.id][6] == f.pct(inc.revenue_share, 1) != f.GAP  # 62.5% and 37.5%
    assert uncharged  # the demo's quarter has a latency-only incident
    shown = [row[6] for row in s.table.rows[:-1] if row[6] != "–"]
    assert len(shown) > 1 and sum(Decimal(x.rstrip("%")) for x in shown) == 100  # not 63% + 38% = 101%
    assert business.assumptions_source in s.source_line


def test_spend_chart_compares_cost_per_successful_task_with_the_previous_quarter(quarter) -> None:
    facts, _, deck = quarter
    s = slide(deck, "spend")
    chart, cost = s.chart, facts.cost
    assert chart.kind == "bar" and [x.name for x in chart.series] == [facts.previous_period, QUARTER]
    names = {c.id: c.name for c in facts.components}
    facing = [c.id for c in facts.components if c.customer_facing]
    assert list(chart.categories) == [names[c] for c in facing]
    assert list(chart.series[1].values) == [cost.per_successful_task[c] for c in facing]
    assert f.money(cost.total) in s.title
    assert cost.cache is not None and any(f.money(cost.cache.saving) in b for b in s.bullets)
    assert any(f.money(cost.unattributed) in b for b in s.bullets)


def test_investments_ranked_with_roi_payback_and_risk_then_the_recommendation_shape(quarter) -> None:
    facts, narrative, deck = quarter
    rows = slide(deck, "investments").table.rows
    proposed = rows[: len(facts.investments)]  # then the options compared with them (do nothing last)
    assert [r[1] for r in proposed] == [i.title for i in facts.investments]
    assert rows[-1][1].startswith("Do nothing")
    for row, inv in zip(proposed, facts.investments, strict=True):
        assert row[2] == f.money(inv.cost) and row[5] == f.pct(inv.roi, 0)
        assert inv.risk is not None and row[8] == inv.risk.level
    lead = slide(deck, "recommendation").lead
    assert re.fullmatch(
        r"\*\*Recommendation: .+\.\*\* Expected impact: .*\d.*\. Risk: (Low|Medium|High) \(.+\)\.", lead
    )
    actions = slide(deck, "next-actions").table.rows
    today = as_of_day(facts)
    assert [
        (a.action, a.owner, f"{a.deadline} (overdue)" if a.deadline < today else a.deadline)
        for a in narrative.next_actions
    ] == list(actions)


def test_next_actions_past_their_deadline_are_counted_and_the_title_names_the_next_date(quarter) -> None:
    from sentinel_reports.narrative.model import NextAction
    from sentinel_reports.render.deck_closing import next_actions_slide
    from sentinel_reports.render.deck_model import Derived

    facts, narrative, _ = quarter
    today = as_of_day(facts)
    day = dt.date.fromisoformat(today)
    dates = [(day + dt.timedelta(days=n)).isoformat() for n in (-30, -1, 0, 9)]

    def slide_of(chosen: list[str]):
        actions = tuple(NextAction(f"Do thing {i}", "team-a", d, "rule") for i, d in enumerate(chosen))
        derived = {**narrative.derived, "next_action_count": len(actions)}
        return next_actions_slide(
            facts, dataclasses.replace(narrative, next_actions=actions, derived=derived), Derived()
        )

    slide = slide_of(dates)
    assert [row[2] for row in slide.table.rows] == [
        f"{dates[0]} (overdue)",
        f"{dates[1]} (overdue)",
        *dates[2:],
    ]
    assert (
        slide.title
        == f"Next Actions: 4 owned actions, 2 past their deadline; the next due {f.date(today, 'long')}"
    )
    assert slide_of(dates[:2]).title == "Next Actions: 2 owned actions, 2 past their deadline"
    assert (
        slide_of(dates[2:]).title == f"Next Actions: 2 owned actions, the first due {f.date(today, 'long')}"
    )


def test_the_deck_verifies_and_an_unsupported_figure_anywhere_fails(quarter) -> None:
    facts, narrative, deck = quarter
    verify_deck(deck, facts, narrative)
    for field, text in (("title", "Spend rose 37.9% in 2026-Q4"), ("notes", "Assumes $999,999 a year.")):
        bad = dataclasses.replace(deck.slides[2], **{field: text})
        broken = dataclasses.replace(deck, slides=(*deck.slides[:2], bad, *deck.slides[3:]))
        with pytest.raises(VerificationError) as err:
            verify_deck(broken, facts, narrative)
        assert ("37.9%" if field == "title" else "999,999") in str(err.value)


def test_missing_data_reads_no_data_with_its_gap_never_zero(quarter) -> None:
    facts, narrative, _ = quarter
    broken = facts_data(facts)  # the JSON data, to change
    target = next(s for s in broken["slos"] if s["customer_facing"])
    target["period_attainment"] = None
    first = next(c["id"] for c in broken["components"] if c["customer_facing"])
    broken["cost"]["per_successful_task"][first] = None
    broken["gaps"].append(
        {"kind": "no_source", "component": target["component"], "signal": "requests_good", "priority": "P1",
         "sources": [], "specific": "no requests_good data", "limits": "measure availability",
         "instrumentation": "export requests_good",
         "sentence": "Current observability gap: no requests_good data. This limits our ability to measure "
         "availability. Recommended instrumentation: export it with priority P1."}
    )  # fmt: skip
    add_derived(
        broken, {s["name"]: s.get("previous_budget_remaining") for s in broken["slos"]}
    )  # as analysis does
    deck = build_deck(facts_from_dict(broken), narrative)
    glance = slide(deck, "glance")
    row = next(r for r in glance.table.rows if r[1] == target["sli"] and r[0] == target["component_name"])
    assert row[3] == "no data" and row[6] == "no data" and row[7] == "? no data"
    assert any("Current observability gap" in b for b in glance.bullets)
    assert "without data" in glance.title
    assert slide(deck, "spend").chart.series[1].values[0] is None
    verify_deck(deck, facts_from_dict(broken), narrative)


def test_html_is_self_contained_16_9_and_works_without_javascript(quarter) -> None:
    _, _, deck = quarter
    html = render_deck_html(make_environment(None), deck, ChartRenderer())
    assert html.count('<section class="frame"') == len(deck.slides)
    assert "<link" not in html and not re.search(r"""(src|href)=["']https?:""", html)
    assert html.count("<svg") == sum(1 for s in deck.slides if s.chart is not None)
    assert "@page { size: 254mm 142.875mm" in html and "aspect-ratio: 16 / 9" in html
    assert 'content="noindex' in html and 'class="no-js"' in html
    for s in deck.slides:
        assert s.title.replace("'", "&#39;") in html


def test_chart_specs_are_valid_vega_lite_without_a_visible_title(quarter) -> None:
    _, _, deck = quarter
    for s in deck.slides:
        if s.chart is not None:
            spec = chart_spec(s.chart)
            alt.LayerChart.from_dict(spec)
            assert "title" not in spec and spec["usermeta"]["sentinel"]["description"] == s.chart.description


def test_html_is_byte_identical_across_renders_and_chart_ids_never_collide(quarter) -> None:
    _, _, deck = quarter
    first = render_deck_html(make_environment(None), deck, ChartRenderer())
    second = render_deck_html(make_environment(None), deck, ChartRenderer())  # vega's clip counter moved on
    assert first == second
    ids = re.findall(r'\sid="([^"]+)"', first)
    assert len(ids) == len(set(ids))


def test_the_glance_title_names_the_slo_that_used_most_budget_once_when_it_was_also_overspent(
    quarter,
) -> None:
    facts, _, deck = quarter
    title = slide(deck, "glance").title
    spent = [s for s in facts.slos if s.customer_facing and s.overspent_days]
    assert spent  # the demo's quarter: one SLO used most budget and was over its rolling budget
    most = max(spent, key=lambda s: (s.overspent_days, s.name))
    label = most.component_name + " " + most.sli
    assert title.count(label) == 1, title
    assert f"{label} used the most error budget" in title
    assert title.endswith(f", and its rolling error budget was overspent on {most.overspent_days} days"), (
        title
    )


@pytest.mark.parametrize(
    ("shares", "places"),
    [([0.625, 0.375], 1), ([0.5, 0.5], 0), ([0.6, 0.4, 0.0], 0), ([0.01251, 0.01251, 0.97498], 2),
     ([1 / 3, 1 / 3, 1 / 3], 1), ([0.625, 0.3], 0), ([], 0)],
)  # fmt: skip
def test_shares_of_one_whole_are_shown_at_the_fewest_decimals_that_add_up_to_100(
    shares: list[float], places: int
) -> None:
    from sentinel_reports.render.deck_economics import share_places

    assert share_places(shares) == places


def test_one_investment_is_the_one_proposal_not_the_best_of_1_proposals(quarter) -> None:
    from sentinel_reports.narrative.template import narrate_quarter

    facts, _, deck = quarter
    assert len(facts.investments) > 1 and "has the best return of" in slide(deck, "investments").title
    data = facts_data(facts)
    data["investments"] = data["investments"][:1]
    data["investments"][0]["rank"] = 1
    add_derived(
        data, {s["name"]: s.get("previous_budget_remaining") for s in data["slos"]}
    )  # as analysis does
    one = facts_from_dict(data)
    narrative = narrate_quarter(one)
    one_deck = build_deck(one, narrative)
    title = slide(one_deck, "investments").title
    top = one.investments[0]
    assert title == (
        f"{top.title}, the one proposal, returns {f.pct(top.roi, 0)} in the first year and pays back in "
        f"{f.number(top.payback_months, 1)} months"
    )
    verify_deck(one_deck, one, narrative)


def test_the_self_hosting_title_does_not_stutter_on_a_component_named_self_hosted(quarter) -> None:
    facts, _, deck = quarter
    name = next(c.name for c in facts.components if c.id == facts.self_hosting.component)
    assert name.startswith("Self-hosted")  # the demo's component: "Self-hosting Self-hosted ..." before
    assert (
        slide(deck, "self-hosting").title
        == f"{name}: self-hosting costs less per token than the API at current volume"
    )


def test_the_spend_title_puts_the_amount_in_its_own_quarter(quarter) -> None:
    """'AI spend rose 0.7% to $2,956,013 on 2026-Q2' read as the second quarter's spend; the amount is this
    quarter's, and the change is against the one before."""
    facts, narrative, _ = quarter
    data = facts_data(facts)
    total = data["cost"]["total"]
    data["cost"].update(change_basis="total", week_over_week=0.007, previous_total=total / 1.007)
    data["comparison"].update(complete=True, to_date=False)
    whole = facts_from_dict(data)
    title = slide(build_deck(whole, narrative), "spend").title
    said = f"AI spend rose 0.7% on {whole.previous_period} to {f.money(total)} in {QUARTER}"
    assert title.startswith(said), title


def test_the_gaps_title_counts_p1_gaps_without_placing_them_all_on_components(quarter) -> None:
    """A P1 gap can be about no component (unattributed spend above 10%, a missing revenue assumption): '5 at
    P1 on tier-1 customer-facing components' counted one that is on none."""
    facts, narrative, _ = quarter
    data = facts_data(facts)
    data["gaps"] = [{**g, "priority": "P1"} if g.get("component") is None else g for g in data["gaps"]]
    platform = [g for g in data["gaps"] if g.get("component") is None and g["priority"] == "P1"]
    assert platform, "the demo quarter has a gap about no component"
    add_derived(data, {s["name"]: s.get("previous_budget_remaining") for s in data["slos"]})
    title = slide(build_deck(facts_from_dict(data), narrative), "gaps").title
    p1 = sum(g["priority"] == "P1" for g in data["gaps"])
    assert f"{p1} at P1" in title and "on tier-1" not in title


def test_a_quarter_in_progress_is_named_so_in_every_title_that_states_a_result(
    quarter, demo_period_facts
) -> None:
    """A slide title is read alone (the outline, a slide shown on its own): while the quarter is in progress
    the titles that state a result for it say "so far" (the spend slide says "to date"); a closed quarter's
    do not."""
    from sentinel_reports.narrative.template import narrate_quarter

    facts, _, deck = quarter
    assert facts.in_progress
    for key in ("glance", "budget", "incidents", "gaps"):
        assert f"{facts.period} so far" in slide(deck, key).title, slide(deck, key).title
    assert f"{facts.period} to date" in slide(deck, "spend").title
    closed = demo_period_facts["2026-Q3"]
    assert not closed.in_progress
    whole = build_deck(closed, narrate_quarter(closed, None, None))
    assert not any("so far" in s.title or "to date" in s.title for s in whole.slides)
    assert "in 2026-Q3" in slide(whole, "glance").title and "in 2026-Q3" in slide(whole, "gaps").title
