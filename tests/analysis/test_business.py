"""Business translation: revenue at risk and investment ROI (arithmetic in the comments)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel_reports.analysis.business import (
    attach_business_impact,
    business_facts,
    component_gap_priority,
    investment_facts,
)
from sentinel_reports.config import Config
from tests.fuzzing import examples

SOURCE = "Finance FY27 plan, tab 3"


def make_config(rates: dict | None = None) -> Config:
    business = {"revenue_at_risk_per_minute": rates, "assumptions_source": SOURCE} if rates else {}
    return Config.model_validate(
        {
            "organization": "Acme",
            "components": [
                {
                    "id": "chat-api",
                    "name": "Chat",
                    "tier": 1,
                    "customer_facing": True,
                    "owner": "Platform team",
                },
                {"id": "rag", "name": "Retrieval", "tier": 2, "owner": "Search team"},
                {
                    "id": "search",
                    "name": "Search",
                    "tier": 1,
                    "customer_facing": True,
                    "owner": "Search team",
                },
            ],
            "business": business,
        }
    )


RATES = {"chat-api": 180.0, "rag": 50.0}


def inc(id: str, components: list[str], impact: float) -> dict:
    return {"id": id, "components": components, "impact_minutes": impact, "business_impact": None}


BLOCK = [
    inc("INC-1", ["chat-api"], 50.0),
    inc("INC-2", ["chat-api", "rag"], 60.0),
    inc("INC-4", ["chat-api"], 0.0),
]


def test_revenue_at_risk_sums_each_affected_component() -> None:
    business, gaps = business_facts(BLOCK, make_config(RATES))
    assert gaps == []
    assert business["per_incident"] == {
        "INC-1": 9000.0,  # 50 min × 180
        "INC-2": 13800.0,  # 60 min × (180 + 50): both components' revenue is at risk
        "INC-4": 0.0,  # no customer impact
    }
    assert business["revenue_at_risk_total"] == 22800.0  # 9000 + 13800
    assert business["assumptions_source"] == SOURCE and business["currency"] == "USD"


def test_component_without_assumption_gives_null_and_a_gap() -> None:
    block = [*BLOCK, inc("INC-5", ["search"], 10.0)]
    business, gaps = business_facts(block, make_config(RATES))
    assert business["per_incident"]["INC-5"] is None
    assert business["revenue_at_risk_total"] is None  # never a partial sum presented as the total
    assert business["revenue_at_risk_known"] == 22800.0
    assert business["incidents_without_assumption"] == ["INC-5"]
    (gap,) = gaps
    assert (gap.kind, gap.component, gap.priority) == ("missing_assumption", "search", "P1")
    assert "INC-5" in gap.specific


def test_no_assumptions_at_all() -> None:
    business, gaps = business_facts(BLOCK, make_config())
    assert business["revenue_at_risk_total"] is None and business["assumptions_source"] is None
    assert business["per_incident"] == {"INC-1": None, "INC-2": None, "INC-4": 0.0}
    assert [(g.kind, g.component, g.priority) for g in gaps] == [("missing_assumption", None, "P1")]


def test_incident_with_impact_but_no_component_is_not_priced() -> None:
    business, gaps = business_facts([inc("INC-9", [], 5.0)], make_config(RATES))
    assert business["per_incident"] == {"INC-9": None}
    assert gaps[0].component is None and "INC-9" in gaps[0].specific


def test_attach_business_impact() -> None:
    config = make_config(RATES)
    business, _ = business_facts(BLOCK, config)
    attached = attach_business_impact(BLOCK, business, config)
    assert attached[0]["business_impact"] == {
        "amount": 9000.0,
        "currency": "USD",
        "assumptions_source": SOURCE,
        "impact_minutes": 50.0,
        "rate_per_minute": 180.0,
        "rates": {"chat-api": 180.0},
    }
    # every component the incident lists is charged, and the amount is minutes × the summed rate
    both = attached[1]["business_impact"]
    assert both["rates"] == {"chat-api": 180.0, "rag": 50.0} and both["rate_per_minute"] == 230.0
    assert both["amount"] == both["impact_minutes"] * both["rate_per_minute"]
    assert BLOCK[0]["business_impact"] is None  # the input is not modified


def test_gap_priority_of_unknown_component() -> None:
    assert component_gap_priority(make_config(), "nope") == "P3"
    assert component_gap_priority(make_config(), "rag") == "P2"


def investment(slug: str, cost: float, **kw: object) -> SimpleNamespace:
    fields = {"slug": slug, "title": slug.title(), "cost": cost, "confidence": "medium", "assumptions": ["a"]}
    fields |= {"risk": {"level": "Low", "mitigation": "feature flag"}}
    return SimpleNamespace(**(fields | kw))


INVESTMENTS = [
    investment("multi-region", 100_000, avoided_impact_minutes_per_quarter=120, component="chat-api"),
    investment("search-cache", 5_000, avoided_impact_minutes_per_quarter=30, component="search"),
    investment("canary", 20_000, expected_benefit=60_000),
    investment("eval-harness", 10_000, avoided_impact_share=0.5, component="rag"),
]
QUARTER = {"incidents": [inc("INC-2", ["chat-api", "rag"], 60.0), inc("INC-7", ["rag"], 40.0)]}


def test_investments_ranked_by_roi() -> None:
    rows, gaps = investment_facts(INVESTMENTS, make_config(RATES), QUARTER)
    assert [(r["rank"], r["slug"]) for r in rows] == [
        (1, "canary"),
        (2, "eval-harness"),
        (3, "multi-region"),
        (4, "search-cache"),  # no ROI: ranked last
    ]
    by_slug = {r["slug"]: r for r in rows}
    canary = by_slug["canary"]
    assert canary["roi"] == pytest.approx(2.0)  # (60,000 − 20,000) / 20,000
    assert canary["payback_months"] == pytest.approx(4.0)  # 20,000 / (60,000 / 12)
    assert canary["benefit_method"] == "stated" and canary["assumptions_source"] is None
    region = by_slug["multi-region"]
    assert region["expected_benefit"] == pytest.approx(86_400.0)  # 120 min × 4 quarters × 180
    assert region["roi"] == pytest.approx(-0.136)  # (86,400 − 100,000) / 100,000
    assert region["payback_months"] == pytest.approx(100_000 / 7_200)  # 13.9 months
    assert region["assumptions_source"] == SOURCE
    harness = by_slug["eval-harness"]
    # 0.5 × (60 + 40) rag impact minutes = 50 min/quarter × 4 × 50 = 10,000 per year
    assert harness["expected_benefit"] == pytest.approx(10_000.0)
    assert harness["roi"] == pytest.approx(0.0) and harness["payback_months"] == pytest.approx(12.0)
    assert by_slug["search-cache"]["roi"] is None and by_slug["search-cache"]["payback_months"] is None
    assert [(g.component, g.priority) for g in gaps] == [("search", "P1")]
    assert canary["risk"] == {"level": "Low", "mitigation": "feature flag"}


def test_content_investment_fields_running_cost_and_several_components() -> None:
    rows, gaps = investment_facts(
        [
            investment(
                "gpu-reserve",
                50_000,
                expected_benefit_per_year=80_000,
                running_cost_per_year=20_000,
                components=("chat-api",),
                benefit_basis="capacity plan",
            ),
            investment(
                "failover", 30_000, avoided_impact_minutes_per_quarter=10, components=("rag", "chat-api")
            ),
        ],
        make_config(RATES),
    )
    gpu, failover = rows
    # net benefit 80,000 − 20,000 = 60,000 → roi (60,000 − 50,000) / 50,000 = 0.2; payback 50,000 / 5,000
    assert gpu["roi"] == pytest.approx(0.2) and gpu["payback_months"] == pytest.approx(10.0)
    assert gpu["benefit_basis"] == "capacity plan" and gpu["components"] == ["chat-api"]
    # 10 min × 4 quarters × (180 + 50) = 9,200 per year → roi (9,200 − 30,000) / 30,000
    assert failover["expected_benefit"] == pytest.approx(9_200.0)
    assert failover["roi"] == pytest.approx(-20_800 / 30_000)
    assert gaps == []


def test_roi_ties_break_on_slug() -> None:
    rows, _ = investment_facts(
        [investment("b", 100, expected_benefit=200), investment("a", 100, expected_benefit=200)],
        make_config(),
    )
    assert [r["slug"] for r in rows] == ["a", "b"]


def test_investment_without_any_benefit_is_a_gap() -> None:
    rows, gaps = investment_facts([investment("vague", 1_000)], make_config(RATES))
    assert rows[0]["roi"] is None and rows[0]["expected_benefit"] is None
    assert "vague" in gaps[0].specific


@settings(max_examples=examples(100), deadline=None)
@given(
    cost=st.floats(min_value=1, max_value=1e7),
    benefit=st.floats(min_value=1, max_value=1e7),
)
def test_payback_and_roi_agree(cost: float, benefit: float) -> None:
    (row,), _ = investment_facts([investment("x", cost, expected_benefit=benefit)], make_config())
    # payback_months = cost / (benefit / 12) = 12 / (1 + roi)
    assert row["roi"] == pytest.approx(benefit / cost - 1)
    assert row["payback_months"] == pytest.approx(12 / (row["roi"] + 1))


def test_latency_only_minutes_are_never_charged_at_the_outage_rate() -> None:
    degraded = {**inc("INC-7", ["rag"], 100.0), "impact_kind": "degraded"}
    outage = {**inc("INC-8", ["chat-api"], 10.0), "impact_kind": "outage"}
    business, gaps = business_facts([degraded, outage], make_config(RATES))
    # without a degraded rate: minutes and no money, and the total holds the outage only (10 × 180)
    assert business["per_incident"] == {"INC-7": None, "INC-8": 1800.0}
    assert business["revenue_at_risk_total"] == 1800.0
    assert business["degraded_minutes"] == 100.0 and business["degraded_incidents"] == ["INC-7"]
    assert business["degraded_revenue_at_risk"] is None and gaps == []
    # with one: charged at it (100 × 4), and added to the total
    base = make_config(RATES)
    config = base.model_copy(
        update={
            "business": base.business.model_copy(update={"degraded_revenue_at_risk_per_minute": {"rag": 4.0}})
        }
    )
    business, _ = business_facts([degraded, outage], config)
    assert business["per_incident"] == {"INC-7": 400.0, "INC-8": 1800.0}
    assert business["degraded_revenue_at_risk"] == 400.0 and business["revenue_at_risk_total"] == 2200.0
    [attached, _] = attach_business_impact([degraded, outage], business, config)
    assert attached["business_impact"]["rate_per_minute"] == 4.0


def test_each_incident_share_of_the_revenue_at_risk_is_a_derived_fact() -> None:
    """The deck's "Share" column reads incidents[].revenue_share: amount / the period's total, null (a gap,
    not 0%) when the amount or the total is unknown or the total is 0."""
    from sentinel_reports.analysis.derived import add_derived

    def incident(ident: str, amount: float | None) -> dict:
        return {"id": ident, "business_impact": None if amount is None else {"amount": amount}}

    facts = {
        "kind": "quarter",
        "business": {"revenue_at_risk_total": 72_000.0},
        "incidents": [
            incident("INC-214", 45_000.0),
            incident("INC-215", 27_000.0),
            incident("INC-212", None),
        ],
    }
    add_derived(facts, {})
    assert [i["revenue_share"] for i in facts["incidents"]] == [0.625, 0.375, None]
    for total in (None, 0.0):
        facts["business"]["revenue_at_risk_total"] = total
        add_derived(facts, {})
        assert [i["revenue_share"] for i in facts["incidents"]] == [None, None, None]
