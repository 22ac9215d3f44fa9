"""A week on many services: the release freezes, the decisions and the cost moves the executive summary names
stay readable, agree with each other and with the facts, and every count the narrator derives is verified."""

from __future__ import annotations

import copy
import re
from typing import Any

from sentinel_reports.narrative import template

from .conftest import WEEK_FACTS, as_facts
from .test_template import problems


def _week(internal: int, moves: dict[str, tuple[float, float]] | None = None) -> dict[str, Any]:
    """WEEK_FACTS plus ``internal`` internal services, each with one SLO overspent for its window (the
    verdict freezes their releases), and customer-facing services with (previous, current) cost per
    successful task."""
    data = copy.deepcopy(WEEK_FACTS)
    for i in range(internal):
        cid = f"int-{i:02d}"
        data["components"].append(
            {"id": cid, "name": f"Internal {i:02d}", "group": "Platform", "tier": 3, "customer_facing": False,
             "owner": f"Team {i % 3}", "status": "operational"}
        )  # fmt: skip
        data["slos"].append(
            {**copy.deepcopy(WEEK_FACTS["slos"][0]), "name": f"{cid}-availability", "component": cid,
             "component_name": f"Internal {i:02d}", "customer_facing": False, "budget_remaining": -0.25 - i / 100,
             "budget_consumed": 1.25 + i / 100, "alerts": []}
        )  # fmt: skip
    exhausted = [s for s in data["slos"] if s["budget_remaining"] < 0]
    data["verdict"] = {
        "state": "events",
        "events": [
            {
                "kind": "budget_exhausted",
                "slo": s["name"],
                "component": s["component"],
                "budget_remaining": s["budget_remaining"],
            }
            for s in exhausted
        ],  # fmt: skip
        "counts": {"exhausted_budgets": len(exhausted)},
        "freeze_components": sorted({s["component"] for s in exhausted}),
    }
    for cid, (before, now) in (moves or {}).items():
        data["components"].append(
            {"id": cid, "name": cid.title(), "group": "Customer-facing", "tier": 2, "customer_facing": True,
             "owner": "Search team", "status": "operational"}
        )  # fmt: skip
        data["cost"]["per_successful_task"][cid] = now
        data["cost"].setdefault("previous_per_successful_task", {})[cid] = before
    return data


def test_every_overspent_budget_freezes_its_service_as_the_verdict_says() -> None:
    data = _week(3)
    n = template.narrate_week(as_facts(data))
    frozen = {r.key.split(":")[2] for r in n.recommendations if r.key.startswith("rule:freeze:")}
    assert frozen == set(data["verdict"]["freeze_components"]) == {"int-00", "int-01", "int-02"}
    assert "releases on Internal 00, Internal 01 and Internal 02 are frozen" in n.verdict
    assert all(r.group == "" for r in n.recommendations)
    paragraphs = n.sections["reliability"].split("\n\n")
    internal = [p for p in paragraphs if "**int-01-availability**" in p]
    assert internal == [
        "3 internal objectives are overspent for their window: **int-02-availability** on Internal 02 (overspent "
        "by 27%), **int-01-availability** on Internal 01 (overspent by 26%) and **int-00-availability** on "
        "Internal 00 (overspent by 25%). The error-budget policy holds non-critical releases on those services "
        "too; the SLO table lists each."
    ]
    assert not any("within budget" in p or "budget in hand" in p for p in internal)
    assert problems(n, data) == []


def test_a_freeze_on_many_services_is_one_decision_naming_three_and_counting_the_rest() -> None:
    data = _week(9)
    n = template.narrate_week(as_facts(data))
    freezes = [r for r in n.recommendations if r.key.startswith("rule:freeze:")]
    assert len(freezes) == 9
    group = "Error-budget release freeze on Internal 00, Internal 01, Internal 02 and 6 more services"
    assert {r.group for r in freezes} == {group}
    decisions = n.executive_summary.split("**Decisions needed:** ")[1]
    assert decisions.count("release freeze") == 1 and "and 6 more services" in decisions
    assert "releases on Internal 00, Internal 01, Internal 02 and 6 more services are frozen" in n.verdict
    assert 6 in n.derived["narrative_counts"]
    assert problems(n, data) == []


def test_one_internal_overspent_objective_is_named_with_its_service() -> None:
    data = _week(1)
    n = template.narrate_week(as_facts(data))
    assert (
        "**int-00-availability** on Internal 00, an internal objective, is overspent for its 28-day window by "
        "25%; the error-budget policy holds non-critical releases on Internal 00 too."
    ) in n.sections["reliability"]
    assert problems(n, data) == []


def test_many_objectives_within_budget_are_counted_with_the_three_of_least_margin_named() -> None:
    data = _week(0)
    base = data["slos"][0]
    data["slos"] += [
        {**copy.deepcopy(base), "name": f"quiet-{i:02d}", "customer_facing": False, "budget_remaining": 0.9 - i / 50,
         "budget_consumed": 0.1 + i / 50, "burn_rate": {"1h": 0.1}, "time_to_exhaustion_hours": None, "alerts": []}
        for i in range(14)
    ]  # fmt: skip
    n = template.narrate_week(as_facts(data))
    assert (
        "The other 14 objectives are within budget; the least margin is on **quiet-13** (64% remaining), "
        "**quiet-12** (66% remaining) and **quiet-11** (68% remaining). The SLO table lists every one."
    ) in n.sections["reliability"]
    assert problems(n, data) == []


def test_four_services_are_named_one_by_one() -> None:
    n = template.narrate_week(as_facts(_week(4)))
    decisions = n.executive_summary.split("**Decisions needed:** ")[1]
    assert decisions.count("error-budget release freeze on Internal") == 4
    assert all(r.group == "" for r in n.recommendations)


def test_the_summary_names_the_three_largest_cost_moves_and_counts_the_others() -> None:
    moves = {
        "alpha": (1.00, 1.10), "bravo": (1.00, 0.50), "charlie": (1.00, 1.07), "delta": (2.00, 3.00),
        "echo": (1.00, 0.90), "foxtrot": (0.10, 0.19), "golf": (1.00, 1.01),
    }  # fmt: skip
    data = _week(0, moves)
    n = template.narrate_week(as_facts(data))
    named = re.findall(r"Cost per successful task on \*\*([^*]+)\*\* (rose|fell)", n.executive_summary)
    assert named == [("Bravo", "fell"), ("Delta", "rose"), ("Foxtrot", "rose")]
    assert (
        "Cost per successful task also rose on 2 and fell on 1 other customer-facing services"
        in n.executive_summary
    )
    assert problems(n, data) == []
    few = _week(0, {k: moves[k] for k in ("alpha", "bravo", "charlie")})
    n = template.narrate_week(as_facts(few))
    assert len(re.findall(r"Cost per successful task on \*\*", n.executive_summary)) == 3
    assert "also rose" not in n.executive_summary and "also fell" not in n.executive_summary


def test_instrumenting_data_that_arrived_but_cannot_be_used_is_not_sold_as_restoring_coverage() -> None:
    data = copy.deepcopy(WEEK_FACTS)
    data["gaps"] = [
        {"kind": "missing_assumption", "component": "chat-api", "signal": "tokens_cache_read",
         "specific": "cache reads of chat-api cannot be priced: its cost rows in the window name no model",
         "limits": "state the saving prompt caching produced at the configured prices",
         "instrumentation": "a model column on the cost rows or request logs of this component", "priority": "P1"},
        {"kind": "low_coverage", "component": "rag-search", "signal": "latency_p95_ms",
         "specific": "latency of rag-search covers 80.0% of the week", "limits": "state latency attainment",
         "instrumentation": "a complete latency export", "priority": "P1"},
    ]  # fmt: skip
    data["coverage"]["series"] = [
        {"component": "chat-api", "signal": "tokens_cache_read", "coverage": 1.0},
        {"component": "rag-search", "signal": "latency_p95_ms", "coverage": 0.8},
    ]
    n = template.narrate_week(as_facts(data))
    impacts = {r.key: r.expected_impact for r in n.recommendations if r.key.startswith("rule:instrument:")}
    assert impacts == {
        "rule:instrument:chat-api": "lets the brief state the saving prompt caching produced at the configured "
        "prices for Assistant Chat API: its tokens_cache_read data covers 100.0% of the week but cannot be used "
        "as it is",
        "rule:instrument:rag-search": "restores latency_p95_ms visibility on Retrieval Search API, where coverage "
        "was 80.0% this week",
    }
    assert problems(n, data) == []


def test_the_memory_walks_back_every_recurring_recommendation_the_narrator_raises() -> None:
    """A freeze on an internal service recurs week after week: the analysis must raise the same keys as the
    narrator, or such a freeze would get a new deadline every week instead of going overdue."""
    from sentinel_reports.analysis.facts_model import facts_data
    from sentinel_reports.analysis.memory import raised_keys

    data = _week(9)
    data["gaps"] = [
        {"kind": "low_coverage", "component": "chat-api", "signal": "latency_p95_ms", "specific": "thin",
         "limits": "state latency attainment", "instrumentation": "an export", "priority": "P1"}
    ]  # fmt: skip
    facts = as_facts(data)
    n = template.narrate_week(facts)
    walked = ("attribute", "budget", "freeze", "instrument")
    raised = {r.key.removeprefix("rule:") for r in n.recommendations if r.key.split(":")[1] in walked}
    assert {k for k in raised if k.startswith("freeze:int-")} == {f"freeze:int-{i:02d}" for i in range(9)}
    assert raised == raised_keys(facts_data(facts), None)


def test_a_sev1_is_the_most_serious_event_even_when_a_sev2_lasted_longer() -> None:
    data = copy.deepcopy(WEEK_FACTS)
    data["incidents"].append(
        {**copy.deepcopy(WEEK_FACTS["incidents"][0]), "id": "INC-1043", "severity": "SEV1",
         "components": ["rag-search"], "duration_minutes": 30, "impact_minutes": 30}
    )  # fmt: skip
    n = template.narrate_week(as_facts(data))
    assert "most serious event was **INC-1043** (SEV1" in n.executive_summary
    assert problems(n, data) == []


def test_cost_held_steady_is_said_only_of_services_with_a_previous_week() -> None:
    moves = {"alpha": (1.00, 1.01), "bravo": (1.00, 1.02)}
    data = _week(0, moves)
    data["cost"]["previous_per_successful_task"]["chat-api"] = 0.0421  # WEEK_FACTS' own service
    assert (
        "held steady on every customer-facing service"
        in template.narrate_week(as_facts(data)).executive_summary
    )
    data["cost"]["previous_per_successful_task"]["bravo"] = None
    n = template.narrate_week(as_facts(data))
    assert (
        "held steady on the 2 customer-facing services with a previous week to compare" in n.executive_summary
    )
    assert problems(n, data) == []
    for component in data["cost"]["previous_per_successful_task"]:
        data["cost"]["previous_per_successful_task"][component] = None
    assert "held steady" not in template.narrate_week(as_facts(data)).executive_summary


def _customer_facing_overspent(count: int) -> dict[str, Any]:
    """WEEK_FACTS plus ``count`` customer-facing services, each with an availability SLO overspent."""
    data = copy.deepcopy(WEEK_FACTS)
    for i in range(count):
        cid = f"cf-{i:02d}"
        data["components"].append(
            {"id": cid, "name": f"Customer {i:02d}", "group": "Customer-facing", "tier": 1,
             "customer_facing": True, "owner": f"Team {i}", "status": "degraded"}
        )  # fmt: skip
        data["slos"].append(
            {**copy.deepcopy(WEEK_FACTS["slos"][0]), "name": f"{cid}-availability", "component": cid,
             "component_name": f"Customer {i:02d}", "customer_facing": True,
             "budget_remaining": -0.5 - i / 10, "budget_consumed": 1.5 + i / 10, "alerts": [],
             "period_attainment": 0.99 - i / 1000}
        )  # fmt: skip
    return data


def test_many_exhausted_customer_facing_budgets_read_as_one_paragraph_naming_each_not_the_same_one_again() -> (
    None
):
    """Nine exhausted latency budgets were nine near-identical paragraphs, each ending 'The policy is not a
    punishment'; past three, the worst two keep theirs and the others share one paragraph naming each."""
    few = template.narrate_week(as_facts(_customer_facing_overspent(2)))
    assert few.sections["reliability"].count("The policy is not a punishment") >= 2
    data = _customer_facing_overspent(6)
    n = template.narrate_week(as_facts(data))
    text = n.sections["reliability"]
    exhausted = [s for s in data["slos"] if s["customer_facing"] and s["budget_remaining"] < 0]
    assert len(exhausted) >= 6
    for s in exhausted:  # every one named, with its overspend
        assert f"**{s['name']}**" in text
    assert text.count("The policy is not a punishment") <= 3
    together = next(
        par for par in text.split("\n\n") if "more customer-facing objectives have exhausted" in par
    )
    worst_first = [s["name"] for s in sorted(exhausted, key=lambda s: s["budget_remaining"])]
    named = re.findall(r"\*\*(cf-\d\d-availability)\*\*", together)
    assert named == [x for x in worst_first if x in named] and len(named) >= 2
    assert "**cf-03-availability** on Customer 03 (overspent by 80%, 98.70% this week)" in together
    assert problems(n, data) == []


def _cache_gap(cid: str, priority: str) -> dict[str, Any]:
    specific = f"cache reads of {cid} cannot be priced: its cost rows in the window name no model"
    limits = "state the saving prompt caching produced at the configured prices"
    instrumentation = "a model column on the cost rows or request logs of this component"
    return {"kind": "missing_assumption", "component": cid, "signal": "tokens_cache_read", "specific": specific,
            "limits": limits, "instrumentation": instrumentation, "priority": priority,
            "sentence": f"Current observability gap: {specific}. This limits our ability to {limits}. "
                        f"Recommended instrumentation: {instrumentation} with priority {priority}."}  # fmt: skip


def test_a_gap_the_same_on_many_components_is_written_once_and_names_the_others() -> None:
    """Thirty 'cache reads of svc-NN cannot be priced' sentences were the gaps section at scale: a gap that is
    the same but for its component is written once, with the other components named after it."""
    data = _week(0)
    ids = [f"svc-{i:02d}" for i in range(12)]
    for cid in ids:
        data["components"].append(
            {"id": cid, "name": f"Service {cid[-2:]}", "group": "Platform", "tier": 3, "customer_facing": False,
             "owner": "Team 0", "status": "operational"}
        )  # fmt: skip
    data["gaps"] = [_cache_gap(c, "P2") for c in ids[:10]] + [_cache_gap(c, "P3") for c in ids[10:]]
    n = template.narrate_week(as_facts(data))
    lines = n.sections["gaps"].splitlines()
    assert sum("cache reads of" in line for line in lines) == 3  # one for the ten P2 gaps, two P3 ones alone
    assert "- The same gap on 9 more components: " in n.sections["gaps"]
    together = next(line for line in lines if line.startswith("- The same gap"))
    assert all(f"Service {c[-2:]}" in together for c in ids[1:10]) and "Service 00" not in together
    assert "cache reads of svc-00 cannot be priced" in n.sections["gaps"]
    assert all(f"cache reads of {c} cannot be priced" in n.sections["gaps"] for c in ids[10:])
    assert problems(n, data) == []
