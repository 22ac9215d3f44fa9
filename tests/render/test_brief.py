"""The brief's context and renderings: section order, tables, charts, emoji only where they render, gaps as
"no data", and a showback CSV that a spreadsheet cannot execute."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from sentinel_reports.analysis.derived import add_derived
from sentinel_reports.analysis.facts_model import facts_data, facts_from_dict
from sentinel_reports.config import load_config
from sentinel_reports.narrative.template import narrate_week
from sentinel_reports.render.brief import SECTIONS, render_brief, showback_csv, strip_emoji
from sentinel_reports.render.brief_charts import kpi_tiles, spread_labels
from sentinel_reports.render.brief_tables import (
    budget_table,
    markdown_table,
    slo_table,
    text_table,
    unit_cost_table,
)
from sentinel_reports.render.charts import ChartRenderer, line_chart
from sentinel_reports.render.environment import make_environment


@pytest.fixture(scope="module")
def week(example_site, example_project: Path):  # type: ignore[no-untyped-def]
    site, result = example_site
    label = result.weeks[-1]
    facts = facts_from_dict(
        json.loads((site / "evidence" / label / "facts.json").read_text(encoding="utf-8"))
    )
    config = load_config(example_project)
    return facts, config


@pytest.fixture(scope="module")
def rendered(week, tmp_path_factory):  # type: ignore[no-untyped-def]
    facts, config = week
    renderer = ChartRenderer()
    return render_brief(
        make_environment(), facts, narrate_week(facts, None, config), config, renderer=renderer
    )


def test_sections_appear_in_reading_order(rendered) -> None:  # type: ignore[no-untyped-def]
    positions = [rendered.html.index(f'id="{anchor}-h"') for anchor, _, _ in SECTIONS]
    assert positions == sorted(positions)
    first_screen = [
        rendered.html.index(marker) for marker in ('class="summary-line', 'class="kpis"', 'id="summary-h"')
    ]
    assert first_screen == sorted(first_screen) and first_screen[-1] < positions[1]


def test_every_page_is_internal_and_offline(rendered) -> None:  # type: ignore[no-untyped-def]
    for html in (rendered.html, rendered.pdf_html):
        assert '<meta name="robots" content="noindex' in html
        assert not re.search(r"""(?:src|href)=["']https?://""", html)


def test_emoji_stay_on_screen_and_leave_the_pdf(rendered) -> None:  # type: ignore[no-untyped-def]
    assert "📊" in rendered.html and "📊" in rendered.markdown
    assert not re.search("[\U0001f6a8\u2705\U0001f4ca]", rendered.pdf_html)
    assert strip_emoji("✅ Clear. 🚨 **Outage**") == "Clear. **Outage**"


def test_charts_are_inline_svg_with_text_alternatives_and_png_by_cid_in_email(rendered) -> None:  # type: ignore[no-untyped-def]
    assert rendered.chart_titles, "the example has SLOs and spend, so both charts exist"
    for title in rendered.chart_titles:
        assert re.search(r"<svg[^>]*role=\"img\"", rendered.html)
        assert title.replace("'", "&#39;") in rendered.html or title in rendered.html
    cids = set(re.findall(r'src="cid:([^"]+)"', rendered.email_html))
    assert cids == set(rendered.images) and cids
    assert all(png.startswith(b"\x89PNG") for png in rendered.images.values())
    assert all(re.search(rf'src="cid:{c}"[^>]*width="\d+"', rendered.email_html) for c in cids)


def test_plain_text_carries_the_same_numbers(rendered, week) -> None:  # type: ignore[no-untyped-def]
    facts, _ = week
    assert rendered.subject == f"Weekly brief {facts.period} · " + rendered.subject.split(" · ", 1)[1]
    assert rendered.subject.split(" · ", 1)[1] in rendered.text  # the summary line
    slo = next(s for s in facts.slos if s.name == facts.summary.budget_slo)
    assert slo.name in rendered.text
    for label in ("Availability", "Error budget remaining", "Spend", "Incidents"):
        assert label in rendered.text


def test_missing_figures_read_no_data_never_zero(week) -> None:  # type: ignore[no-untyped-def]
    facts, _ = week
    data = facts_data(facts)
    for slo in data["slos"]:
        slo["budget_remaining"] = slo["week_attainment"] = None
    data["summary"]["budget_remaining"] = None
    component = next(iter(data["cost"]["per_successful_task"]))
    data["cost"]["per_successful_task"][component] = None
    add_derived(
        data, {s["name"]: s.get("previous_budget_remaining") for s in data["slos"]}
    )  # as analysis does
    broken = facts_from_dict(data)
    table = slo_table(broken)
    assert all(row[5].text == "no data" and row[5].state == "no_data" for row in table.rows)
    assert table.worst is None
    costs = unit_cost_table(broken)
    row = next(r for r in costs.rows if r[2].text == "no data")
    assert row[4].text == "no data"
    tiles = {t["label"]: t for t in kpi_tiles(broken)}
    assert tiles["Error budget remaining"]["value"] == "no data"
    assert tiles["Error budget remaining"]["state"] == "no_data"


def test_spend_tile_speaks_of_projections_and_never_calls_a_team_without_one_within(week) -> None:  # type: ignore[no-untyped-def]
    facts, _ = week
    data = facts_data(facts)
    budgets = data["cost"]["budgets"]
    assert len(budgets) >= 2
    over = sum(1 for b in budgets if (b["projected_share"] or 0) > 1)

    def spend(d: dict) -> dict:
        return next(t for t in kpi_tiles(facts_from_dict(d)) if t["label"] == "Spend")

    tile = spend(data)
    if over:  # the demo's last week: a team is projected, not yet, over its budget
        assert tile["state"] == "degraded"
        assert tile["state_word"] == f"{over} of {len(budgets)} teams projected over budget"
    for b in budgets:  # every team projected inside its budget
        b["projected_month_end"] = b["monthly_budget"] * 0.5
        b["projected_share"] = 0.5
    add_derived(data, {s["name"]: s.get("previous_budget_remaining") for s in data["slos"]})
    assert spend(data)["state"] == "operational"
    assert spend(data)["state_word"] == "Teams projected within budget"
    budgets[0]["projected_month_end"] = budgets[0]["projected_share"] = None  # one team has no projection
    add_derived(data, {s["name"]: s.get("previous_budget_remaining") for s in data["slos"]})
    tile = spend(data)
    assert tile["state"] == "no_data" and "within" not in tile["state_word"]
    assert tile["state_word"] == f"1 of {len(budgets)} budget teams without a projection"


def test_tables_mark_the_worst_row_in_every_format(week) -> None:  # type: ignore[no-untyped-def]
    facts, _ = week
    table = slo_table(facts)
    assert table.worst == 0  # customer-facing, least budget first
    assert "◀ worst" in markdown_table(table).splitlines()[4]
    assert "◀ worst" in text_table(table)


def test_showback_csv_neutralises_spreadsheet_formulas(week) -> None:  # type: ignore[no-untyped-def]
    facts, _ = week
    data = facts_data(facts)
    data["cost"]["by_team"] = {
        '=HYPERLINK("http://x")': 10.0,
        "+cmd": 1.0,
        "@sum": 2.0,
        "\tTab": 3.0,
        "Credit team": -5.25,
    }
    rows = list(csv.reader(io.StringIO(showback_csv(facts_from_dict(data)))))
    assert rows[0] == ["week", "dimension", "team", "component_id", "component", "spend", "currency"]
    teams = {r[2]: r[5] for r in rows[1:] if r[1] == "team"}
    assert set(teams) == {'\'=HYPERLINK("http://x")', "'+cmd", "'@sum", "'\tTab", "Credit team"}
    assert teams["Credit team"] == "-5.25"  # a negative amount is a number, not a formula
    assert any(r[1] == "unattributed" for r in rows)
    components = [r for r in rows if r[1] == "component"]
    assert {r[3] for r in components} == set(facts.cost.by_component)


def test_end_of_line_labels_are_spread_apart() -> None:
    points = [{"d": f"2026-11-0{d}", "v": 0.50 + d * 0.001, "s": s} for d in (1, 2) for s in ("a", "b", "c")]
    spec = spread_labels(
        line_chart(points, x="d", y="v", series="s", title="t", description="d"), "v", height=220
    )
    values = [p["v"] for p in points]
    scale = 220 / (max(values) - min(values))
    labels = [
        layer
        for layer in spec["layer"]
        if layer["mark"].get("type") == "text" and "color" in layer["encoding"]
    ]
    shown = sorted(
        (max(values) - layer["data"]["values"][0]["v"]) * scale + layer["mark"]["dy"] for layer in labels
    )
    assert len(shown) == 3 and all(b - a >= 12 for a, b in zip(shown, shown[1:], strict=False))


def test_the_incidents_figure_its_change_and_its_trend_are_all_the_weeks_incidents(week) -> None:  # type: ignore[no-untyped-def]
    """The tile's figure is the week's incident count, as its change (against the previous week's count)
    and its trend are; incidents still open are its state and target, never its figure."""
    from sentinel_reports.render import formatting as f

    facts, _ = week
    data = facts_data(facts)
    stats = data["incident_stats"]
    # a week with no new incident and one still open from the week before, which had two
    stats.update(count=0, count_by_severity={}, open_count=1, previous_count=2, count_difference=-2)
    tile = next(t for t in kpi_tiles(facts_from_dict(data)) if t["label"] == "Incidents")
    assert (tile["sub"], tile["value"]) == ("This week", "0")
    assert tile["delta"] == f.delta(-2, "", 0) and tile["delta"].startswith("▼")
    assert (tile["state"], tile["state_word"]) == ("degraded", "Open")
    assert tile["target"] == "1 open at the end of the week"
    stats.update(count=3, count_by_severity={"SEV1": 1, "SEV3": 2}, open_count=0, count_difference=1)
    tile = next(t for t in kpi_tiles(facts_from_dict(data)) if t["label"] == "Incidents")
    assert tile["value"] == "3" and tile["delta"].startswith("▲")
    assert (tile["state"], tile["state_word"]) == ("operational", "None open")
    assert tile["target"] == "1 SEV1, 2 SEV3; 0 open at the end of the week"


def test_a_project_without_budgets_gets_no_empty_budget_table_and_no_green_spend_mark(week) -> None:  # type: ignore[no-untyped-def]
    facts, config = week
    data = facts_data(facts)
    data["cost"]["budgets"] = []
    month_end = data["cost"]["month_end"]
    for key in ("budget_total", "budgeted_month_to_date", "budgeted_projected", "budgeted_share",
                "unbudgeted_month_to_date", "unbudgeted_projected", "unbudgeted_share"):  # fmt: skip
        month_end[key] = None
    for team in month_end["teams"]:
        team["monthly_budget"] = None
    add_derived(data, {s["name"]: s.get("previous_budget_remaining") for s in data["slos"]})
    bare = facts_from_dict(data)
    assert budget_table(bare) is None
    tile = next(t for t in kpi_tiles(bare) if t["label"] == "Spend")
    assert tile["state"] is None and tile["state_word"] is None
    projected = f"${month_end['projected_month_end']:,.0f}"
    assert tile["target"] == f"Month-end projection {projected}; no monthly budgets configured"
    html = render_brief(
        make_environment(), bare, narrate_week(bare, None, config), config, renderer=ChartRenderer()
    )
    assert (
        "table-budgets" not in html.html
        and "Spend against monthly budget" not in html.pdf_html + html.markdown
    )
    assert "within budget" not in html.html


def test_every_measure_of_the_incident_table_is_defined_in_the_appendix() -> None:
    """Duration (impact started to resolved), customer impact (to mitigation) and time to resolve (created to
    resolved) differ for one incident (the demo's INC-215: 4 h 10 min, 150 min, 2 h 55 min); the appendix
    defines each, so the three figures do not read as contradicting each other."""
    from sentinel_reports.render.brief import DEFINITIONS
    from sentinel_reports.render.brief_tables import incident_table
    from tests.render.partial_facts import week_facts

    facts = week_facts({"incidents": [{"id": "INC-1", "severity": "SEV2", "components": ["chat-api"]}]})
    table = incident_table(facts)
    assert table is not None
    measures = {re.sub(r" \(.*\)$", "", c) for c in table.columns} - {
        "Incident",
        "Title",
        "Severity",
        "Components",
        "Postmortem",
    }
    assert measures == {
        "Duration",
        "Customer impact",
        "Revenue at risk",
        "Time to acknowledge",
        "Time to resolve",
    }
    assert measures <= {term for term, _ in DEFINITIONS}
