"""The meaning check and fact keys on the small week of facts (tests/narrative/conftest.py)."""

from __future__ import annotations

import copy

import pytest

from sentinel_reports.narrative.claims import FactCatalog, render
from sentinel_reports.narrative.meaning import MeaningCheck, split_sentences
from sentinel_reports.narrative.template import narrate_week

from .conftest import WEEK_FACTS, as_facts


@pytest.fixture(scope="module")
def check() -> MeaningCheck:
    return MeaningCheck(WEEK_FACTS)


def reasons(check: MeaningCheck, text: str, **kwargs) -> list[str]:
    return [f.reason for f in check.check(text, **kwargs)]


def test_keys_name_list_items_by_identity_and_carry_entities_units_and_periods() -> None:
    catalog = FactCatalog(WEEK_FACTS)
    attainment = catalog.by_key["slos.chat-api-availability.attainment"]
    assert attainment.unit == "ratio" and attainment.period == "current"
    assert attainment.entities == {"slo:chat-api-availability", "component:chat-api"}
    assert catalog.by_key["cost.previous_total"].period == "previous"
    assert catalog.by_key["cost.total"].unit == "money" and not catalog.by_key["cost.total"].entities
    assert catalog.by_key["incidents.INC-1042.impact_minutes"].unit == "minutes"
    assert catalog.by_key["slos.chat-api-availability.burn_rate.window"].unit == "burn"
    assert catalog.display("cost.week_over_week") == "-12.0%"
    assert catalog.display("cost.week_over_week|abs") == "12.0%"
    assert catalog.display("incidents.INC-1042.started_at") == "2026-11-18 14:05 UTC"
    assert catalog.display("period") == "2026-W47" and catalog.display("cost.totl") is None


def test_gap_spans_resolutions_self_hosting_and_options_figures_are_keyed_facts() -> None:
    """The figures a deck writes about gaps, self-hosting and the options bind to their own keys, in the
    display the deck uses: a gap's span ("61 days", "48 h", "45 min"), a resolution as configured ("15m"),
    token counts in millions, prices per 1M tokens and revenue at risk as money."""
    from hypothesis import given
    from hypothesis import strategies as st

    from sentinel_reports.display import span_hours
    from sentinel_reports.narrative.numbers import extract_numbers

    facts = copy.deepcopy(WEEK_FACTS)
    gap = {"kind": "missing_run", "component": "chat-api", "signal": "latency_p95_ms", "specific": "x",
           "span_hours": 1464.0, "resolution_minutes": [15.0], "alert_after_minutes": 360.0}  # fmt: skip
    facts["gaps"] = [gap]
    facts["self_hosting"] = {
        "self_hosted_per_million": 1.3397, "api_per_million": 3.0, "self_hosted_cost": 175_297.4,
        "api_price": {"input": 2.0, "output": 8.0}, "tokens": 130_846_123_456.0,
    }  # fmt: skip
    facts["options"] = {"do_nothing": {"revenue_at_risk_per_year": 191_133.27, "cost": 0.0}}
    catalog = FactCatalog(facts)
    key = "gaps.chat-api:latency_p95_ms"
    assert catalog.by_key[f"{key}.span_hours"].unit == "hours"
    assert catalog.display(f"{key}.span_hours|days") == "61 days"
    assert catalog.display(f"{key}.resolution_minutes.0|compact") == "15m"
    assert catalog.display(f"{key}.alert_after_minutes|compact") == "6h"
    assert catalog.display("self_hosting.self_hosted_per_million") == "$1.34"
    assert catalog.display("self_hosting.api_per_million") == "$3.00"
    assert catalog.display("self_hosting.api_price.output") == "$8.00"
    assert catalog.display("self_hosting.self_hosted_cost") == "$175,297"
    assert catalog.display("self_hosting.tokens|millions") == "130,846M"
    assert catalog.display("options.do_nothing.revenue_at_risk_per_year") == "$191,133"
    text = (
        "Cost $1.34 against $3.00 (input $2.00, output $8.00); 130,846M tokens; $191,133 a year; 61 days; 15m"
    )
    assert catalog.unkeyed(text) == []
    # the same figures one step off are still caught
    off = "Cost $1.35; 130,847M tokens; $191,134 a year; 62 days; 16m"
    assert [m.raw for m in catalog.unkeyed(off)] == ["$1.35", "130,847M", "$191,134", "62 days", "16m"]

    @given(st.integers(min_value=1, max_value=24 * 400).map(lambda q: q / 4))  # quarter hours
    def every_span_display_is_the_display_of_its_fact(hours: float) -> None:
        gap["span_hours"] = hours
        shown = span_hours(hours)
        (mention,) = extract_numbers(shown)
        spans = FactCatalog(facts)
        fact = spans.by_key[f"{key}.span_hours"]
        assert fact in spans.matches(mention), shown  # the figure as read back is this fact's value
        assert spans.key_written_as(fact, mention.raw) is not None, shown  # in one of its displays

    every_span_display_is_the_display_of_its_fact()


def test_the_template_text_round_trips_through_placeholders() -> None:
    narrative = narrate_week(as_facts(WEEK_FACTS))
    check = MeaningCheck(
        narrative.verification_facts(WEEK_FACTS), fixed={"summary_line": narrative.summary_line}
    )
    for name, text in {**narrative.sections, "summary": narrative.executive_summary}.items():
        draft = check.to_placeholders(text)
        assert render(draft, check.catalog).text == text, name
        assert check.check(draft, mode="draft") == [], name


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("**Retrieval Search API** uptime was 99.87% over 90 days.", "wrong-entity"),
        ("**Assistant Chat API** uptime was 99.87% over 90 days.", None),
        ("Spend this week was $14,105.", "wrong-period"),
        ("Spend was $14,105 the week before.", None),
        ("Spend was up 12.0% on the previous week.", "direction"),
        ("Spend was down 12.0% on the previous week.", None),
        ("Spend fell this week.", None),
        ("Spend grew this week.", "direction"),
        ("0.3% of requests failed on **Assistant Chat API**.", None),  # the complement of 99.7% attainment
        ("**Assistant Chat API** availability was 0.3%.", "unsupported-number"),
        ("The **Ledger Service** is healthy.", "unknown-name"),
        ("Freeze Retrieval Search API releases until the budget recovers.", None),
        ("Errors rose because of INC-1042.", None),
        ("Errors rose because of a deploy.", "uncited-cause"),
        ("The error budget cannot be stated because its telemetry is incomplete.", None),
    ],
)
def test_findings(check: MeaningCheck, text: str, reason: str | None) -> None:
    found = reasons(check, text)
    assert (reason in found) if reason else found == [], found


def test_a_figure_of_another_slo_of_the_same_component_is_wrong() -> None:
    facts = copy.deepcopy(WEEK_FACTS)
    other = copy.deepcopy(facts["slos"][0]) | {"name": "chat-api-latency", "objective": 0.99}
    facts["slos"].append(other)
    check = MeaningCheck(facts)
    assert reasons(check, "**chat-api-availability** at 99.54% against 99.0%.") == ["wrong-entity"]
    assert reasons(check, "**chat-api-availability** at 99.54% against 99.5%.") == []


def test_drafts_must_use_placeholders_of_existing_keys(check: MeaningCheck) -> None:
    assert reasons(check, "Spend was {{cost.total}}.", mode="draft") == []
    assert reasons(check, "Spend was $12,412.", mode="draft") == ["raw-number"]
    assert reasons(check, "Spend was {{cost.totl}}.", mode="draft") == ["unknown-key"]
    assert reasons(check, "In 2026-W47 spend was {{cost.total}}.", mode="draft") == ["raw-number"]
    assert reasons(check, "Spend was {{cost.previous_total}} this week.", mode="draft") == ["wrong-period"]
    found = reasons(
        check, "**Retrieval Search API** latency was {{components.chat-api.latency_p95_ms}}.", mode="draft"
    )
    assert found == ["wrong-entity"]


def test_required_content_names_its_section(check: MeaningCheck) -> None:
    text = "# Notes\n\n## Incidents\n\nOne incident this week.\n"
    found = check.check(text, complete=True)
    assert [(f.reason, f.section, f.line) for f in found] == [("missing-required", "incidents", 3)]
    assert found[0].message == "SEV2 INC-1042 is not mentioned in the incidents section"
    text = "# Notes\n\n## Incidents\n\n**INC-1042** (SEV2) degraded chat completions.\n"
    assert reasons(check, text, complete=True) == []
    facts = copy.deepcopy(WEEK_FACTS)
    facts["slos"][0]["budget_remaining"] = -0.2
    found = MeaningCheck(facts).check(text, complete=True)
    assert [(f.reason, f.section) for f in found] == [("missing-required", "reliability")]
    assert (
        found[0].message
        == "exhausted SLO chat-api-availability is not mentioned: the text has no reliability section"
    )


def test_table_cells_read_with_their_row_and_column() -> None:
    text = "| Component | This week | Previous week |\n|---|---|---|\n| **Assistant Chat API** | $0.0421 | $14,105 |\n"
    cells = [s.text for s in split_sentences(text, cells=True)]
    assert cells == [
        "**Assistant Chat API** | This week: $0.0421",
        "**Assistant Chat API** | Previous week: $14,105",
    ]
