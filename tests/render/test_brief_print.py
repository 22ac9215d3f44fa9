"""The print edition's short forms (render.brief_print): what a long table keeps, what it counts, and that it
says so in words; short tables, the web edition and the email stay as they were."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from sentinel_reports.analysis.facts_model import facts_data, facts_from_dict
from sentinel_reports.render import brief_print as bp
from sentinel_reports.render.brief_charts import budget_chart, spend_chart
from sentinel_reports.render.brief_tables import (
    cache_table,
    gap_table,
    incident_table,
    slo_table,
    source_table,
    unit_cost_table,
)


def _load_helper():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "partial_facts", Path(__file__).with_name("partial_facts.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pf = _load_helper()
WEB = "https://reports.example.com/briefs/2026-W47/"


def _slo(name: str, budget: float | None, *, week: float | None = 0.999, objective: float = 0.995,
         alert: bool = False, sufficient: bool = True, facing: bool = True) -> dict:  # fmt: skip
    return {
        "name": name, "component": name.split("-")[0], "component_name": f"Component {name.split('-')[0]}",
        "sli": "availability", "objective": objective, "window_days": 28, "week_attainment": week,
        "previous_week_attainment": week, "attainment": 0.997 if budget is not None else None,
        "budget_remaining": budget, "burn_rate": {"1h": 0.5}, "customer_facing": facing,
        "data_sufficient": sufficient, "alerts": [{"active": alert, "severity": "page"}],
    }  # fmt: skip


# name -> why it must be listed in print (None: it met its target)
SLOS = {
    **{f"ex{i}-availability": "major_outage" for i in range(5)},  # budget overspent
    **{f"low{i}-availability": "degraded" for i in range(4)},  # under 25% left
    "below-availability": "degraded",  # below the objective this week, budget fine
    "paged-availability": "degraded",  # an active burn-rate alert
    "nobudget-availability": "no_data",
    "noweek-availability": "no_data",
    "thin-availability": "no_data",  # insufficient data
    **{f"ok{i:02d}-availability": None for i in range(25)},
}


def _slo_facts(keep=lambda s: True):  # type: ignore[no-untyped-def]
    slos = []
    for name, state in SLOS.items():
        if name.startswith("ex"):
            slos.append(_slo(name, -0.5 - int(name[2]) / 10))
        elif name.startswith("low"):
            slos.append(_slo(name, 0.05 + int(name[3]) / 100))
        elif name == "below-availability":
            slos.append(_slo(name, 0.8, week=0.99))
        elif name == "paged-availability":
            slos.append(_slo(name, 0.7, alert=True))
        elif name == "nobudget-availability":
            slos.append(_slo(name, None))
        elif name == "noweek-availability":
            slos.append(_slo(name, 0.9, week=None))
        elif name == "thin-availability":
            slos.append(_slo(name, 0.9, sufficient=False))
        else:
            assert state is None
            slos.append(_slo(name, 0.3 + int(name[2:4]) / 100))
    return pf.week_facts({"slos": [s for s in slos if keep(s)], "components": []})


def _text(table) -> str:  # type: ignore[no-untyped-def]
    return " ".join(c.plain for row in table.rows for c in row)


def test_slo_attention_states() -> None:
    facts = _slo_facts()
    got = {s.name: bp.slo_attention(s) for s in facts.slos}
    assert got == SLOS


def test_condensed_slo_table_lists_every_slo_that_is_breached_at_risk_or_unknown() -> None:
    facts = _slo_facts()
    table = bp.print_slos(facts, slo_table(facts), WEB)
    text = _text(table)
    listed = {name for name in SLOS if re.search(rf"\b{re.escape(name)}\b", text)}
    assert listed == {name for name, state in SLOS.items() if state}
    assert [row[0].state for row in table.rows] == ["major_outage", "degraded", "no_data"]
    assert [row[0].text for row in table.rows] == ["Error budget exhausted: 5", "At risk: 6", "No data: 3"]
    assert "nobudget-availability (Component nobudget) no data" in text  # never 0, never green
    assert table.condensed is not None
    assert table.condensed.startswith("25 other objectives met their target this week")
    assert "full table of 39 objectives" in table.condensed and WEB in table.condensed
    exhausted = table.rows[0][1].text
    assert exhausted.index("ex4-availability") < exhausted.index("ex0-availability")  # least budget first


def test_few_flagged_slos_keep_the_full_columns() -> None:
    facts = _slo_facts(lambda s: not s["name"].startswith(("ex", "low")))
    table = bp.print_slos(facts, slo_table(facts), None)
    assert table.columns == slo_table(facts).columns
    assert sorted(row[0].text for row in table.rows) == [
        "below-availability", "nobudget-availability", "noweek-availability", "paged-availability",
        "thin-availability",
    ]  # fmt: skip
    assert table.condensed is not None and table.condensed.startswith("25 other objectives")
    assert table.condensed.endswith("is in the web edition.")


def test_short_tables_are_left_as_they_are() -> None:
    facts = _slo_facts()
    facts = facts.model_copy(update={"slos": facts.slos[: bp.PRINT_ROWS]})
    table = slo_table(facts)
    assert bp.print_tables(facts, {"reliability": [table]})["reliability"] == [table]


def _incident(n: int, severity: str, *, resolved: bool = True, minutes: float | None = 30.0) -> dict:
    return {
        "id": f"INC{n:03d}", "title": f"Incident {n}", "severity": severity, "components": ["api"],
        "resolved_at": "2026-11-20T10:00:00Z" if resolved else None, "impact_minutes": minutes,
        "duration_minutes": minutes, "mtta_minutes": 3.0, "time_to_resolve_minutes": minutes,
        "business_impact": None, "postmortem": None,
    }  # fmt: skip


def test_incidents_keep_every_sev1_sev2_and_open_one_and_count_the_rest() -> None:
    items = [_incident(n, "SEV1") for n in range(3)] + [_incident(3, "SEV2")]
    items += [_incident(4, "SEV3", resolved=False)]
    items += [_incident(10 + n, "SEV3", minutes=60.0) for n in range(8)]
    items += [_incident(20 + n, "SEV4", minutes=None if n == 0 else 15.0) for n in range(4)]
    facts = pf.week_facts(
        {"incidents": items, "components": [{"id": "api", "name": "API"}], "currency": "USD"}
    )
    table = bp.print_incidents(facts, incident_table(facts), WEB)
    assert [row[0].text for row in table.rows] == ["INC000", "INC001", "INC002", "INC003", "INC004"]
    assert table.rows[4][5].text == "open" and table.rows[4][1].state == "major_outage"
    assert table.condensed is not None
    assert "The other 12 incidents (8 SEV3, 4 SEV4), all resolved" in table.condensed
    assert (
        "with 8 h 45 min of customer impact together (customer impact no data for 1 of them)"
        in table.condensed
    )
    quiet = [_incident(n, "SEV3", minutes=0.0) for n in range(bp.PRINT_ROWS + 1)]
    facts = pf.week_facts({**facts_data(facts), "incidents": quiet})
    table = bp.print_incidents(facts, incident_table(facts), None)
    assert table.rows == [] and table.condensed is not None
    assert table.condensed.startswith("There was no SEV1, SEV2 or open incident. The 13 incidents (13 SEV3)")
    assert "all resolved and without customer impact" in table.condensed


def test_gaps_are_grouped_with_every_component_named() -> None:
    components = [{"id": f"c{i}", "name": f"Service {i}"} for i in range(20)]
    gaps = [
        {"priority": "P2" if i % 2 else "P3", "kind": "missing_assumption", "signal": "tokens_cache_read",
         "component": f"c{i}", "start": "2026-11-16T00:00:00Z", "end": "2026-11-23T00:00:00Z"}
        for i in range(20)
    ] + [{"priority": "P1", "kind": "missing_assumption", "signal": None, "component": None}]  # fmt: skip
    facts = pf.week_facts({"gaps": gaps, "components": components})
    table = bp.print_gaps(facts, gap_table(facts), None)
    assert [row[0].text for row in table.rows] == ["P1", "P2", "P3"]
    assert all(row[0].state == "no_data" for row in table.rows)
    text = _text(table)
    assert all(re.search(rf"Service {i}\b", text) for i in range(20))
    assert table.rows[1][4].text.startswith("10: ") and table.rows[0][4].text == "platform"
    assert table.condensed is not None and "The 21 gaps are grouped" in table.condensed


def test_unit_economics_keep_the_largest_the_worst_and_the_unknown() -> None:
    ids = [f"c{i:02d}" for i in range(30)]
    spend = {c: 1000.0 - i * 10 for i, c in enumerate(ids)}
    now = {c: 0.01 for c in ids}
    before = {c: 0.01 for c in ids}
    now["c25"] = 0.02  # doubled: the worst change
    now["c27"] = None  # no data
    facts = pf.week_facts({
        "currency": "USD", "components": [{"id": c, "name": c.upper()} for c in ids],
        "cost": {"by_component": spend, "per_successful_task": now, "previous_per_successful_task": before},
    })  # fmt: skip
    table = bp.print_unit_cost(facts, unit_cost_table(facts), WEB)
    shown = [row[0].text for row in table.rows]
    assert shown == [c.upper() for c in ids[: bp.PRINT_TOP]] + ["C25", "C27"]
    hidden = sum(v for c, v in spend.items() if c.upper() not in shown)
    assert table.condensed is not None
    assert (
        f"The other {len(ids) - len(shown)} components, ${hidden:,.0f} of spend together" in table.condensed
    )


def test_long_narrative_lists_are_cut_with_a_count() -> None:
    text = "Opening paragraph.\n\n" + "\n".join(f"- gap {i}" for i in range(20)) + "\n\nClosing **line**.\n"
    short = bp.shorten_lists(text, WEB)
    assert [f"- gap {i}" in short for i in range(20)] == [i < bp.PRINT_LIST_ITEMS for i in range(20)]
    assert f"*The list continues with 12 more entries in the web edition ({WEB}).*" in short
    assert short.startswith("Opening paragraph.") and short.rstrip().endswith("Closing **line**.")
    few = "Intro.\n\n- one\n- two\n"
    assert bp.shorten_lists(few) == few


def test_many_recommendations_print_as_one_table() -> None:
    rec = {"title": "Freeze releases", "expected_impact": "protects customers", "risk_level": "Low",
           "owner": "team-1", "deadline": "2026-12-01", "text": "**Recommendation:** freeze."}  # fmt: skip
    assert bp.recommendation_table([rec] * bp.PRINT_CALLOUTS, None) is None
    table = bp.recommendation_table([rec] * (bp.PRINT_CALLOUTS + 1), WEB)
    assert table is not None and len(table.rows) == bp.PRINT_CALLOUTS + 1
    assert table.rows[0][0].sub == "Expected impact: protects customers"
    assert table.condensed is not None and "risk assessment" in table.condensed and WEB in table.condensed
    assert table.caption != "Recommendations"  # the section's heading stands right above it


def test_decision_dates_before_the_as_of_date_print_as_overdue() -> None:
    """A recommendation first raised weeks ago keeps its first deadline: on paper it must not read as a date
    still to come (the web edition says "overdue since")."""
    recs = [
        {"title": f"Freeze {n}", "expected_impact": "", "risk_level": "Low", "owner": "team-1",
         "deadline": d, "text": "", "group": g}
        for n, d, g in (("A", "2026-02-02", "Freeze A, B"), ("B", "2026-07-27", "Freeze A, B"),
                        ("C", "2026-07-20", ""), ("D", "2026-07-27", ""), ("E", "2026-01-05", "Freeze E, F"),
                        ("F", "2026-01-12", "Freeze E, F"))
    ]  # fmt: skip
    table = bp.recommendation_table(recs, WEB, "2026-07-27")
    assert table is not None
    dates = {row[0].text: row[3] for row in table.rows}
    assert dates["Freeze A, B"].text == "from 2026-02-02, 1 overdue"
    assert dates["Freeze A, B"].state == "major_outage"
    assert (dates["Freeze C"].text, dates["Freeze C"].state) == ("2026-07-20, overdue", "major_outage")
    assert (dates["Freeze D"].text, dates["Freeze D"].state) == ("2026-07-27", None)  # due today: not late
    assert dates["Freeze E, F"].text == "from 2026-01-05, overdue"
    assert dates["Freeze E, F"].plain.startswith(bp.f.status_token("major_outage").icon)  # icon and word
    undated = {row[0].text: row[3] for row in bp.recommendation_table(recs, WEB).rows}  # no as-of date given
    assert (undated["Freeze C"].text, undated["Freeze C"].state) == ("2026-07-20", None)


def test_print_charts_draw_fewer_lines_and_bars_and_say_so() -> None:
    names = [f"svc-{i:02d}" for i in range(30)]
    facts = pf.week_facts({
        "period": "2026-W47", "currency": "USD", "components": [{"id": n, "name": n.upper()} for n in names],
        "cost": {"by_component": {n: 100.0 + i for i, n in enumerate(names)}, "unattributed": 5.0,
                 "total": 10_000.0, "week_over_week": 0.01},
        "slos": [_slo(f"{n}-availability", 0.5 - i / 100) for i, n in enumerate(names)],
        "summary": {"budget_slo": "svc-29-availability", "budget_remaining": 0.21},
    })  # fmt: skip
    history = [{"daily_budget": {s.name: [["2026-11-20", s.budget_remaining]] for s in facts.slos}}]
    full, short = spend_chart(facts), spend_chart(facts, limit=bp.PRINT_BARS)
    assert full is not None and short is not None
    bars = [v["component"] for v in short["data"]["values"]]
    assert len(bars) == bp.PRINT_BARS and "Unattributed" in bars and "SVC-29" in bars and "SVC-00" not in bars
    note = short["usermeta"]["sentinel"]["note"]
    assert "The other 21 components" in note and f"${sum(100 + i for i in range(21)):,} together" in note
    assert full["title"] == short["title"] and "note" not in full["usermeta"]["sentinel"]
    lines = budget_chart(facts, history, limit=bp.PRINT_LINES)
    assert lines is not None
    drawn = {
        r["slo"]
        for layer in lines["layer"]
        for r in (layer.get("data") or {}).get("values", [])
        if "slo" in r
    }
    assert drawn == {f"svc-{i:02d}-availability" for i in range(30 - bp.PRINT_LINES, 30)}
    assert "of 30" in lines["usermeta"]["sentinel"]["note"]


def scaled_week(site, week: str, project):  # type: ignore[no-untyped-def]
    """A week of the example project with its SLOs repeated 12 times, a third of them healthy: a long SLO
    table with more objectives to list in print than a short table holds. Returns (facts, config)."""
    import json

    from sentinel_reports.config import load_config

    facts = json.loads((site / "evidence" / week / "facts.json").read_text(encoding="utf-8"))
    healthy = {"data_sufficient": True, "alerts": []}
    big = {**facts, "slos": [
        {**s, **healthy, "name": f"{s['name']}-{k}", "week_attainment": s["objective"] + 0.0001,
         "budget_remaining": 0.6 - k / 10}
        for k in range(12) for s in facts["slos"]
    ]}  # fmt: skip
    return facts_from_dict(big), load_config(project)


@pytest.fixture(scope="module")
def scaled(example_site, example_project):  # type: ignore[no-untyped-def]
    site, result = example_site
    return scaled_week(site, result.weeks[-1], example_project)


def test_web_and_email_keep_every_row_while_print_is_condensed(scaled, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sentinel_reports.narrative.template import narrate_week
    from sentinel_reports.render.brief import render_brief
    from sentinel_reports.render.charts import ChartRenderer
    from sentinel_reports.render.environment import make_environment

    facts, config = scaled
    brief = render_brief(make_environment(), facts, narrate_week(facts, None, config), config,
                         renderer=ChartRenderer())  # fmt: skip
    names = [s.name for s in facts.slos]
    assert all(f">{n}<" in brief.html and f">{n}<" in brief.email_html for n in names)
    assert "table-condensed" not in brief.html and "table-condensed" not in brief.email_html
    flagged = [s.name for s in facts.slos if bp.slo_attention(s)]
    others = len(names) - len(flagged)
    assert 0 < others < len(names)
    assert len(flagged) > bp.PRINT_ROWS  # listed by state, "name (component) budget"
    table = re.search(r'id="table-slos-by-state".*?</table>', brief.pdf_html, re.S)
    assert table is not None
    assert all(re.search(rf"\b{re.escape(n)} \(", table.group(0)) for n in flagged)
    healthy = set(names) - set(flagged)
    assert not any(re.search(rf"\b{re.escape(n)}\b", table.group(0)) for n in healthy)
    assert f"{others} other objectives met their target this week" in brief.pdf_html
    assert "<svg" not in brief.pdf_html and "data:image/svg+xml;base64," in brief.pdf_html


def test_print_stylesheet_keeps_the_print_rules() -> None:
    from sentinel_reports.render.environment import THEME_DIR

    css = (THEME_DIR / "static" / "brief-print.css").read_text(encoding="utf-8")
    for rule in (
        "string-set: running-header content(text)",
        "content: string(running-header)",
        'content: "page " counter(page) " / " counter(pages)',
        "content: string(as-of)",
        "tr { break-inside: avoid; }",
        "font-variant-numeric: tabular-nums",
        "#reliability { break-before: page; }",
        "span.status-no_data { padding: 0 0.25em; background-color: #eef1f4; background-image: repeating-linear-gradient",
    ):
        assert rule in css, rule
    assert "@import" not in css and "url(" not in css and "var(" not in css
    assert "display: flex" not in css and "display: grid" not in css  # slow to lay out in WeasyPrint


def test_many_sources_are_grouped_by_type_with_every_source_named() -> None:
    def source(name: str, kind: str, rows: int, start: str, end: str) -> dict:
        return {"id": name, "type": kind, "files": [{}], "rows": rows, "start": start, "end": end}

    sources = [source(f"prom-{i:02d}", "prometheus", 100, f"2026-06-{i + 1:02d}T00:00:00Z", "2026-11-22T23:00:00Z")
               for i in range(10)]  # fmt: skip
    sources += [source("costs", "focus", 0, "2026-06-01T00:00:00Z", "2026-11-23T00:00:00Z")]
    sources += [
        source(f"evals-{i}", "evals", 5, "2026-07-01T00:00:00Z", "2026-11-20T00:00:00Z") for i in range(3)
    ]
    facts = pf.week_facts({"sources": sources})  # with the sources by type, as analysis adds them
    table = bp.print_sources(facts, source_table(facts), WEB)
    assert [row[0].text for row in table.rows] == ["evals", "focus", "prometheus"]
    assert all(re.search(rf"\b{s['id']}\b", _text(table)) for s in sources)
    prometheus = table.rows[2]
    assert [c.text for c in prometheus[2:]] == ["10", "1,000", "2026-06-01 00:00 UTC", "2026-11-22 23:00 UTC"]
    assert table.rows[1][3].text == "0"  # a source that gave no rows says 0 rows
    assert table.condensed is not None and "The 14 sources are grouped by type" in table.condensed
    short = pf.week_facts({"sources": sources[:3]})
    assert bp.print_sources(short, source_table(short), None) == source_table(short)


def test_long_narrative_sections_keep_their_first_paragraphs_and_count_the_rest() -> None:
    paragraphs = [f"Paragraph {i} about svc-{i}." for i in range(12)]
    text = "\n\n".join([*paragraphs[:3], "- one\n- two", *paragraphs[3:]]) + "\n"
    short = bp.shorten_lists(text, WEB)
    kept = bp.PRINT_PARAGRAPHS - 1  # the list counts as one paragraph
    assert [p in short for p in paragraphs] == [i < kept for i in range(12)]
    assert "- one\n- two" in short
    more = 13 - bp.PRINT_PARAGRAPHS
    assert f"*The section continues with {more} more paragraphs in the web edition ({WEB}).*" in short
    enough = "\n\n".join(paragraphs[: bp.PRINT_PARAGRAPHS]) + "\n"
    assert bp.shorten_lists(enough, WEB) == enough


def test_a_next_action_past_its_deadline_is_marked_overdue() -> None:
    from sentinel_reports.narrative.model import NextAction
    from sentinel_reports.render.brief_tables import markdown_table, next_action_table, text_table
    from sentinel_reports.render.grouping import as_of_day

    facts = pf.week_facts({"as_of": "2026-11-23T00:00:00Z"})
    actions = [NextAction(f"Do thing {day}", "team-a", f"2026-11-{day}", "rule") for day in (20, 22, 23, 30)]
    table = next_action_table(actions, as_of_day(facts))
    cells = [row[2] for row in table.rows]
    assert [c.text for c in cells] == [
        "2026-11-20, overdue",
        "2026-11-22, overdue",
        "2026-11-23",
        "2026-11-30",
    ]
    assert [c.state for c in cells] == [
        "major_outage",
        "major_outage",
        None,
        None,
    ]  # icon and word, not colour
    assert "| ✕ 2026-11-20, overdue |" in markdown_table(table)
    assert "✕ 2026-11-22, overdue" in text_table(table)
    # the as-of date in the facts' timezone: 00:00 UTC on the 23rd is still the 22nd in New York
    local = pf.week_facts({"as_of": "2026-11-23T00:00:00Z", "timezone": "America/New_York"})
    assert as_of_day(local) == "2026-11-22"
    assert [r[2].text for r in next_action_table(actions, as_of_day(local)).rows][1] == "2026-11-22"


def test_many_next_actions_are_counted_by_owner() -> None:
    from sentinel_reports.narrative.model import NextAction
    from sentinel_reports.render.brief_tables import next_action_table

    facts = pf.week_facts({"as_of": "2026-11-23T00:00:00Z"})
    owners = ["team-b", "team-a", "team-c"]
    actions = [
        NextAction(f"Do thing {i}", owners[i % 3], f"2026-11-{10 + i:02d}", "rule")
        for i in range(bp.PRINT_ROWS + 5)
    ]
    few = next_action_table(actions[: bp.PRINT_ROWS], "2026-11-23")
    assert bp.print_next_actions(facts, few, actions[: bp.PRINT_ROWS], WEB) is few
    table = bp.print_next_actions(facts, next_action_table(actions, "2026-11-23"), actions, WEB)
    assert [row[0].text for row in table.rows] == ["team-b", "team-a", "team-c"]  # earliest deadline first
    by_owner = {o: [a for a in actions if a.owner == o] for o in owners}
    for row in table.rows:
        mine = by_owner[row[0].text]
        late = [a for a in mine if a.deadline < "2026-11-23"]
        assert [c.text for c in row[1:]] == [str(len(mine)), str(len(late)), min(a.deadline for a in mine)]
    assert sum(int(row[1].text) for row in table.rows) == len(actions)
    late = sum(1 for a in actions if a.deadline < "2026-11-23")
    assert 0 < late < len(actions)
    assert table.condensed == (
        f"The {len(actions)} actions are counted by owner, {late} of them past their deadline on 2026-11-23; "
        f"each action with its owner and deadline is in the web edition ({WEB})."
    )


def test_email_draws_the_print_charts_with_their_note(scaled) -> None:  # type: ignore[no-untyped-def]
    from sentinel_reports.narrative.template import narrate_week
    from sentinel_reports.render.brief import render_brief
    from sentinel_reports.render.charts import ChartRenderer
    from sentinel_reports.render.environment import make_environment

    facts, config = scaled
    renderer = ChartRenderer()
    brief = render_brief(make_environment(), facts, narrate_week(facts, None, config), config,
                         renderer=renderer)  # fmt: skip
    short = budget_chart(facts, (), limit=bp.PRINT_LINES)
    assert short is not None and short != budget_chart(facts, ())
    note = short["usermeta"]["sentinel"]["note"]
    assert note in brief.email_html and note in brief.pdf_html and note not in brief.html
    assert brief.images["chart-reliability-1"] == renderer.png(short, scale=2)


def test_a_rule_on_many_services_prints_as_one_row_with_its_count_owners_and_first_date() -> None:
    group = "Error-budget release freeze on A, B, C and 3 more services"
    freezes = [
        {"title": f"Error-budget release freeze on {n}", "expected_impact": f"protects {n}", "risk_level": "Low",
         "owner": f"team-{i % 2}", "deadline": f"2026-12-0{1 + i % 3}", "text": "", "group": group}
        for i, n in enumerate("ABCDEF")
    ]  # fmt: skip
    other = {"title": "Instrument A", "expected_impact": "restores tokens", "risk_level": "Low",
             "owner": "team-9", "deadline": "2026-12-09", "text": "", "group": ""}  # fmt: skip
    table = bp.recommendation_table([*freezes[:3], other, *freezes[3:]], WEB)
    assert table is not None and len(table.rows) == 2
    row = table.rows[0]
    assert row[0].text == group and row[0].sub is not None and row[0].sub.startswith("6 recommendations")
    assert WEB in row[0].sub
    assert [c.text for c in row[1:]] == ["Low", "2 owners", "from 2026-12-01"]
    assert table.rows[1][0].text == "Instrument A"
    same = [{**r, "owner": "team-0", "deadline": "2026-12-01"} for r in freezes]
    assert [c.text for c in bp.recommendation_table(same, WEB).rows[0][1:]] == ["Low", "team-0", "2026-12-01"]


@pytest.mark.parametrize(("priced", "said"), [(0, "the saving of every one of them cannot be stated (observability gap)."), (20, "the saving of 10 of them cannot be stated (observability gap).")])  # fmt: skip
def test_a_condensed_cache_table_says_which_savings_cannot_be_stated_in_words(priced: int, said: str) -> None:
    """'the saving is no data for 50 of them' read as a fault of the table; it is an observability gap."""
    ids = [f"c{i:02d}" for i in range(30)]
    by = {c: {"hit_rate": 0.4, "saving": 10.0 if n < priced else None} for n, c in enumerate(ids)}
    facts = pf.week_facts({
        "currency": "USD", "components": [{"id": c, "name": c.upper()} for c in ids],
        "cost": {"cache": {"hit_rate": 0.4, "saving": None, "by_component": by}},
    })  # fmt: skip
    table = bp.print_cache(facts, cache_table(facts), WEB)
    assert table.condensed is not None and table.condensed.endswith(said)
    assert "no data for" not in table.condensed
