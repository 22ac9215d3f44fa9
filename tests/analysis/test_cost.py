"""Spend definitions, checked against hand-computed ledgers (arithmetic in the comments)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel_reports.analysis.cost import cost_facts
from sentinel_reports.config import Config
from sentinel_reports.model import COST_COLUMNS, SAMPLE_COLUMNS, conform, empty_frame
from tests.fuzzing import examples

START = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)  # 2026-W47, Monday
END = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
SONNET = "anthropic/claude-sonnet-4-5"


def make_config(**overrides: object) -> Config:
    base: dict = {
        "organization": "Acme",
        "components": [
            {"id": "chat-api", "name": "Chat", "tier": 1, "customer_facing": True, "owner": "Platform team"},
            {"id": "rag", "name": "Retrieval", "tier": 2, "owner": "Search team", "expects": ["cost"]},
        ],
        "budgets": {"monthly_spend": {"Platform team": 4000, "Search team": 1000}},
        "prices": {
            SONNET: {"input": 3.0, "output": 15.0, "cache_read": 0.30, "source": "price page 2026-11"}
        },
    }
    base.update(overrides)
    return Config.model_validate(base)


def row(day: str, cost: float, component: str | None = None, **kw: object) -> dict:
    out = {
        "day": pd.Timestamp(day, tz="UTC"),
        "component": component,
        "team": None,
        "provider": "anthropic",
        "service": "Claude API",
        "model": None,
        "category": "usage",
        "cost": cost,
        "billed_cost": cost,
        "currency": "USD",
        "source": "focus-1",
    }
    out.update(kw)
    return out


def ledger(*rows: dict) -> pd.DataFrame:
    return conform("costs", pd.DataFrame(list(rows), columns=list(COST_COLUMNS)))


def samples(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    if not rows:
        return empty_frame("samples")
    frame = pd.DataFrame(
        [
            {"ts": pd.Timestamp(t, tz="UTC"), "component": c, "signal": s, "value": v, "source": "prom"}
            for t, c, s, v in rows
        ],
        columns=list(SAMPLE_COLUMNS),
    )
    return conform("samples", frame)


def week_ledger() -> pd.DataFrame:
    return ledger(
        row("2026-10-31", 999.0, "chat-api"),  # October: outside the window and the month
        row("2026-11-02", 300.0, "chat-api"),  # November, before both windows
        row("2026-11-10", 80.0, "chat-api"),  # previous week
        row("2026-11-11", 20.0, "rag", team="Search team", provider="aws"),
        row("2026-11-16", 100.0, "chat-api", team="Platform team", model="claude-sonnet-4-5"),
        row("2026-11-17", 50.0, "chat-api", model="claude-sonnet-4-5"),  # team from the component owner
        row("2026-11-17", 30.0, "rag", team="Search team", provider="aws", service="Amazon OpenSearch"),
        row("2026-11-18", 20.0, provider="aws", service="AWS Support", category="fee"),
        row("2026-11-18", 5.0, provider="aws", service="Tax", category="tax"),
        row("2026-11-19", -10.0, "chat-api", category="credit"),
        row("2026-11-19", 40.0, "chat-api", currency="EUR", source="focus-eu"),
    )


def week_samples() -> pd.DataFrame:
    return samples(
        ("2026-11-10T00:00", "chat-api", "requests_good", 2000.0),
        ("2026-11-10T00:00", "rag", "requests_good", 0.0),
        ("2026-11-16T00:00", "chat-api", "requests_good", 1000.0),
        ("2026-11-17T00:00", "chat-api", "requests_good", 2000.0),
        ("2026-11-18T00:00", "chat-api", "requests_good", 1000.0),
        ("2026-11-23T00:00", "chat-api", "requests_good", 9999.0),  # at `end`: outside [start, end)
        ("2026-11-16T00:00", "chat-api", "tokens_cache_read", 3_000_000.0),
        ("2026-11-17T00:00", "chat-api", "tokens_cache_read", 1_000_000.0),
        ("2026-11-16T00:00", "chat-api", "tokens_input", 1_000_000.0),
    )


@pytest.fixture
def week() -> tuple[dict, list]:
    return cost_facts(week_ledger(), week_samples(), make_config(), START, END, END)


def test_totals_include_credits_and_taxes_in_the_configured_currency_only(week: tuple[dict, list]) -> None:
    block, _ = week
    # 100 + 50 + 30 + 20 (fee) + 5 (tax) − 10 (credit) = 195; the EUR 40 is not summed
    assert block["total"] == pytest.approx(195.0)
    assert block["previous_total"] == pytest.approx(100.0)  # 80 + 20
    assert block["week_over_week"] == pytest.approx(0.95)  # (195 − 100) / 100
    assert block["by_component"] == pytest.approx({"chat-api": 140.0, "rag": 30.0})  # 100 + 50 − 10
    assert block["by_team"] == pytest.approx({"Platform team": 140.0, "Search team": 30.0})
    assert block["by_provider"] == pytest.approx({"anthropic": 140.0, "aws": 55.0})  # 30 + 20 + 5
    assert block["by_model"] == pytest.approx({"claude-sonnet-4-5": 150.0})
    assert block["by_day"] == [
        {"date": "2026-11-16", "cost": 100.0},
        {"date": "2026-11-17", "cost": 80.0},
        {"date": "2026-11-18", "cost": 25.0},
        {"date": "2026-11-19", "cost": -10.0},
    ]
    assert block["sources"] == ["focus-1", "focus-eu"]


def test_unattributed_spend_is_named_with_its_share_and_a_p1_gap_above_ten_percent(
    week: tuple[dict, list],
) -> None:
    block, gaps = week
    assert block["unattributed"] == pytest.approx(25.0)  # 20 fee + 5 tax with no component
    assert block["unattributed_share"] == pytest.approx(25.0 / 195.0)  # 0.1282 > 0.10
    assert block["unattributed_by_category"] == pytest.approx({"fee": 20.0, "tax": 5.0})
    (gap,) = [g for g in gaps if g.kind == "unattributed_spend"]
    assert gap.priority == "P1"
    assert gap.amount == pytest.approx(25.0)
    # the amount is written as every other sum of money in the publications ($929, not 929.13 USD)
    assert gap.specific.startswith("$25 of spend (12.8% of total spend) has no component attribution")
    assert "AWS Support" in gap.instrumentation


def test_small_unattributed_share_is_p2() -> None:
    costs = ledger(row("2026-11-16", 95.0, "chat-api"), row("2026-11-16", 5.0))  # 5 / 100 = 5 %
    block, gaps = cost_facts(costs, samples(), make_config(), START, END, END)
    assert block["unattributed_share"] == pytest.approx(0.05)
    assert [g.priority for g in gaps if g.kind == "unattributed_spend"] == ["P2"]


def test_second_currency_is_listed_and_reported_never_summed(week: tuple[dict, list]) -> None:
    block, gaps = week
    assert block["other_currencies"] == [{"currency": "EUR", "amount": 40.0}]
    (gap,) = [g for g in gaps if g.kind == "currency_mismatch"]
    assert gap.amount == 40.0 and gap.sources == ("focus-eu",)
    assert (
        gap.specific.startswith("€40 of spend is billed in a currency other than USD") and "USD" in gap.limits
    )


def test_only_foreign_currency_gives_a_null_total_not_zero() -> None:
    costs = ledger(row("2026-11-16", 40.0, "chat-api", currency="EUR"))
    block, gaps = cost_facts(costs, samples(), make_config(), START, END, END)
    assert block["total"] is None and block["unattributed"] is None and block["unattributed_share"] is None
    assert [g.kind for g in gaps] == ["currency_mismatch"]


def test_credits_larger_than_spend_make_the_total_negative_and_week_over_week_null() -> None:
    costs = ledger(
        row("2026-11-09", 10.0, "chat-api"),
        row("2026-11-09", -30.0, "chat-api", category="credit"),  # previous week: 10 − 30 = −20
        row("2026-11-16", 50.0, "chat-api"),
        row("2026-11-16", -60.0, "chat-api", category="credit"),  # this week: 50 − 60 = −10
    )
    block, _ = cost_facts(costs, samples(), make_config(), START, END, END)
    assert block["total"] == pytest.approx(-10.0)
    assert block["previous_total"] == pytest.approx(-20.0)
    assert block["week_over_week"] is None  # a change relative to a negative base is not a growth rate
    assert block["unattributed_share"] is None  # no share of a non-positive total


def test_cost_per_successful_task(week: tuple[dict, list]) -> None:
    block, _ = week
    # chat-api: 140 / (1000 + 2000 + 1000) = 0.035; rag has spend but no requests_good → null
    assert block["per_successful_task"]["chat-api"] == pytest.approx(0.035)
    assert block["per_successful_task"]["rag"] is None
    # previous week: chat-api 80 / 2000 = 0.04; rag 20 / 0 → null, never a division by zero
    assert block["previous_per_successful_task"] == {"chat-api": pytest.approx(0.04), "rag": None}


def test_zero_requests_good_gives_null_cost_per_task() -> None:
    costs = ledger(row("2026-11-16", 10.0, "chat-api"))
    zero = samples(("2026-11-16T00:00", "chat-api", "requests_good", 0.0))
    block, _ = cost_facts(costs, zero, make_config(), START, END, END)
    assert block["per_successful_task"]["chat-api"] is None


def test_budgets_project_linearly_to_month_end(week: tuple[dict, list]) -> None:
    block, _ = week
    platform, search = block["budgets"]
    # November, 30 days; the ledger's latest November day is the 19th → 19 elapsed days
    # Platform team: 300 + 80 + 100 + 50 − 10 = 520 → 520 / 19 × 30 = 821.05; 821.05 / 4000
    assert platform["team"] == "Platform team" and platform["month"] == "2026-11"
    assert platform["month_to_date"] == pytest.approx(520.0)
    assert (platform["elapsed_days"], platform["days_in_month"]) == (19, 30)
    assert platform["projected_month_end"] == pytest.approx(520.0 / 19 * 30)
    assert platform["projected_share"] == pytest.approx(520.0 / 19 * 30 / 4000)
    # Search team: 20 + 30 = 50 → 50 / 19 × 30 = 78.95
    assert search["month_to_date"] == pytest.approx(50.0)
    assert search["projected_month_end"] == pytest.approx(50.0 / 19 * 30)


def test_budget_month_is_the_month_of_the_windows_last_instant() -> None:
    # window 2026-11-30 → 2026-12-01 00:00: the last instant is in November, not December
    start, end = dt.datetime(2026, 11, 30, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    costs = ledger(row("2026-11-01", 600.0, "rag"), row("2026-11-30", 300.0, "rag"))
    block, _ = cost_facts(costs, samples(), make_config(), start, end, end)
    search = [b for b in block["budgets"] if b["team"] == "Search team"][0]
    assert search["month"] == "2026-11"
    assert search["projected_month_end"] == pytest.approx(900.0)  # 900 / 30 × 30


def test_a_week_across_a_months_end_closes_that_month_whole() -> None:
    # 2026-W44: Monday 26 October to Sunday 1 November; the projection is November's (from one day), and
    # October, which ended inside the week, is stated whole: every October row, not only the week's
    start, end = dt.datetime(2026, 10, 26, tzinfo=dt.UTC), dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    costs = ledger(
        row("2026-09-30", 777.0, "chat-api"),  # September: not October's
        row("2026-10-01", 3000.0, "chat-api"),  # Platform team (the component's owner)
        row("2026-10-15", 1500.0, "chat-api"),
        row("2026-10-31", 400.0, "rag", team="Search team"),
        row("2026-10-31", 60.0, provider="aws", service="AWS Support", category="fee"),  # no team
        row("2026-11-01", 90.0, "chat-api"),  # November: the projection's, not October's
    )
    block, _ = cost_facts(costs, samples(), make_config(), start, end, end)
    closed = block["closed_month"]
    assert (closed["month"], closed["first_day"], closed["data_through"]) == (
        "2026-10",
        "2026-10-01",
        "2026-10-31",
    )
    assert closed["complete"] is True
    assert closed["spend"] == pytest.approx(4960.0)
    assert (closed["budgeted_spend"], closed["unbudgeted_spend"]) == (
        pytest.approx(4900.0),
        pytest.approx(60.0),
    )
    assert closed["budget_total"] == 5000.0 and closed["budgeted_share"] == pytest.approx(0.98)
    teams = {t["team"]: t for t in closed["teams"]}
    assert teams["Platform team"]["spend"] == pytest.approx(4500.0)
    assert teams["Platform team"]["share"] == pytest.approx(4500.0 / 4000)
    assert teams["Search team"]["share"] == pytest.approx(0.4)
    assert closed["overrun_count"] == 1
    assert block["month_end"]["month"] == "2026-11" and block["month_end"]["elapsed_days"] == 1


def test_no_month_closes_inside_a_week_within_one_month_or_one_starting_on_the_first() -> None:
    costs = ledger(row("2026-10-31", 100.0, "rag"), row("2026-11-16", 100.0, "rag"))
    assert cost_facts(costs, samples(), make_config(), START, END, END)[0]["closed_month"] is None
    # 2026-W23 begins on Monday 1 June: May ended before the week, in the week before's brief
    start, end = dt.datetime(2026, 6, 1, tzinfo=dt.UTC), dt.datetime(2026, 6, 8, tzinfo=dt.UTC)
    costs = ledger(row("2026-05-31", 100.0, "rag"), row("2026-06-02", 100.0, "rag"))
    assert cost_facts(costs, samples(), make_config(), start, end, end)[0]["closed_month"] is None
    # without budgets there is nothing to close against
    start, end = dt.datetime(2026, 10, 26, tzinfo=dt.UTC), dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    costs = ledger(row("2026-10-01", 100.0, "rag"), row("2026-10-31", 100.0, "rag"))
    no_budgets = make_config(budgets={"monthly_spend": {}})
    assert cost_facts(costs, samples(), no_budgets, start, end, end)[0]["closed_month"] is None


def test_a_month_the_bill_covers_only_in_part_is_not_complete() -> None:
    start, end = dt.datetime(2026, 10, 26, tzinfo=dt.UTC), dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    for days in (("2026-10-05", "2026-10-31"), ("2026-10-01", "2026-10-29")):
        costs = ledger(*(row(d, 100.0, "rag") for d in days))
        closed = cost_facts(costs, samples(), make_config(), start, end, end)[0]["closed_month"]
        assert (closed["first_day"], closed["data_through"]) == days and closed["complete"] is False


def test_budget_without_ledger_rows_in_the_month_is_null_not_zero() -> None:
    costs = ledger(row("2026-10-20", 100.0, "rag"))
    block, _ = cost_facts(costs, samples(), make_config(), START, END, END)
    assert all(b["month_to_date"] is None and b["projected_month_end"] is None for b in block["budgets"])
    assert block["total"] is None


def test_cache_hit_rate_and_saving_at_configured_prices() -> None:
    costs = ledger(row("2026-11-16", 100.0, "chat-api", model="claude-sonnet-4-5"))
    block, gaps = cost_facts(costs, week_samples(), make_config(), START, END, END)
    cache = block["cache"]
    # hit rate: 4M cache read / (4M + 1M input) = 0.8
    assert cache["hit_rate"] == pytest.approx(0.8)
    # saving: 4,000,000 × (3.00 − 0.30) / 1e6 = 10.80
    assert cache["saving"] == pytest.approx(10.8)
    assert cache["price_source"] == "price page 2026-11"
    assert cache["by_component"]["chat-api"]["price_key"] == SONNET
    assert not [g for g in gaps if g.kind == "missing_assumption"]


def test_cache_saving_without_a_price_is_null_with_a_gap() -> None:
    costs = ledger(row("2026-11-16", 100.0, "chat-api", model="claude-opus-9"))
    block, gaps = cost_facts(costs, week_samples(), make_config(), START, END, END)
    assert block["cache"]["saving"] is None and block["cache"]["price_source"] is None
    assert block["cache"]["hit_rate"] == pytest.approx(0.8)  # token counts need no price
    (gap,) = [g for g in gaps if g.kind == "missing_assumption"]
    assert gap.specific == "no price for anthropic/claude-opus-9 cache reads in sentinel.yaml prices"
    assert gap.priority == "P1"  # chat-api is tier 1 and customer-facing


def test_cache_saving_with_two_models_is_ambiguous() -> None:
    costs = ledger(
        row("2026-11-16", 100.0, "chat-api", model="claude-sonnet-4-5"),
        row("2026-11-16", 10.0, "chat-api", model="claude-haiku-4-5"),
    )
    block, gaps = cost_facts(costs, week_samples(), make_config(), START, END, END)
    assert block["cache"]["saving"] is None
    assert any("2 models" in g.specific for g in gaps)


def test_days_are_placed_by_their_local_midnight() -> None:
    # America/New_York: W47 runs 2026-11-16 05:00Z → 2026-11-23 05:00Z
    config = make_config(timezone="America/New_York")
    start, end = dt.datetime(2026, 11, 16, 5, tzinfo=dt.UTC), dt.datetime(2026, 11, 23, 5, tzinfo=dt.UTC)
    costs = ledger(
        row("2026-11-15", 1.0, "rag"), row("2026-11-16", 10.0, "rag"), row("2026-11-23", 100.0, "rag")
    )
    block, _ = cost_facts(costs, samples(), config, start, end, end)
    assert block["total"] == 10.0  # the 15th belongs to W46, the 23rd to W48


def test_empty_ledger_has_no_figures() -> None:
    block, gaps = cost_facts(empty_frame("costs"), empty_frame("samples"), make_config(), START, END, END)
    assert block["total"] is None and block["by_component"] == {} and block["by_day"] == []
    assert block["per_successful_task"] == {"rag": None}  # rag expects cost, so it is listed as unknown
    assert block["cache"] == {"hit_rate": None, "saving": None, "price_source": None, "by_component": {}}
    assert gaps == []


# requests_good is a count per interval: zero, missing (NaN) or a whole number
good_values = st.lists(
    st.one_of(st.just(0.0), st.just(float("nan")), st.integers(min_value=0, max_value=10**9).map(float)),
    max_size=5,
)


@settings(max_examples=examples(100), deadline=None)
@given(spend=st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6)), good=good_values)
def test_cost_per_task_is_never_computed_from_zero_or_missing_data(
    spend: float | None, good: list[float]
) -> None:
    costs = ledger(row("2026-11-16", spend, "chat-api")) if spend is not None else empty_frame("costs")
    series = samples(
        *((f"2026-11-16T{i:02d}:00", "chat-api", "requests_good", v) for i, v in enumerate(good))
    )
    block, _ = cost_facts(costs, series, make_config(), START, END, END)
    value = block["per_successful_task"].get("chat-api")
    observed = [v for v in good if not math.isnan(v)]
    if spend is None or not observed or sum(observed) <= 0:
        assert value is None
    else:
        assert value == pytest.approx(spend / sum(observed))
        assert math.isfinite(value)
