"""Anthropic Admin API cost and usage reports: cents, pagination, workspaces, the cents/dollars guard."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sentinel_reports.collectors.anthropic import (
    AnthropicCostCollector,
    AnthropicCostOptions,
    AnthropicUsageCollector,
    WorkspaceOptions,
)
from sentinel_reports.errors import SourceError
from tests.collectors._cost_ctx import COST, make_ctx

WORKSPACES = {"wrkspc_chat": "chat-api", "default": "rag-api"}


def cost(path: str, project: Path = COST, **options: object):
    opts = AnthropicCostOptions(type="anthropic_cost_report", path=path, **options)
    return AnthropicCostCollector().collect(opts, make_ctx(project))


def usage(path: str, project: Path = COST, **options: object):
    opts = WorkspaceOptions(type="anthropic_usage_report", path=path, **options)
    return AnthropicUsageCollector().collect(opts, make_ctx(project))


def test_cost_pages_are_read_in_cents_and_attributed_by_workspace() -> None:
    batch = cost("anthropic_cost_report_page*.json", workspaces=WORKSPACES)
    assert batch.rows == 5 and batch.duplicates_dropped == 1  # page 2 repeats one result of page 1
    c = batch.costs.assign(day=batch.costs["day"].dt.strftime("%Y-%m-%d"))
    rows = {(r.day, r.component if isinstance(r.component, str) else None): r.cost for r in c.itertuples()}
    assert rows[("2026-11-16", "chat-api")] == pytest.approx(1234.5678)  # "123456.78" cents
    assert rows[("2026-11-16", "rag-api")] == pytest.approx(25.0)  # null workspace = Default Workspace
    assert rows[("2026-11-16", None)] == pytest.approx(10.0)  # unmapped workspace: unattributed
    assert rows[("2026-11-17", "chat-api")] == pytest.approx(0.505)
    assert set(batch.costs["provider"]) == {"anthropic"} and set(batch.costs["service"]) == {"Claude API"}
    assert (batch.costs["cost"] == batch.costs["billed_cost"]).all()
    chat = batch.costs[batch.costs["component"] == "chat-api"]
    assert set(chat["team"]) == {"Assistant Platform team"} and set(chat["model"]) == {"claude-sonnet-4-5"}
    assert batch.summary["unattributed_cost"] == pytest.approx(10.0)
    assert batch.summary["total_cost"] == pytest.approx(1270.0728)


def test_default_component_catches_unlisted_workspaces() -> None:
    batch = cost("anthropic_cost_report_page1.json", workspaces=WORKSPACES, default_component="chat-api")
    assert batch.costs["component"].notna().all()
    assert batch.summary["unattributed_cost"] == 0


def test_numeric_dollar_amounts_are_refused_unless_the_unit_is_declared() -> None:
    with pytest.raises(SourceError) as err:
        cost("anthropic_cost_report_dollars.json")
    assert "amount_unit" in str(err.value) and err.value.column == "data[0].results[0].amount"
    assert cost("anthropic_cost_report_dollars.json", amount_unit="dollars").costs["cost"].tolist() == [12.34]
    assert cost("anthropic_cost_report_dollars.json", amount_unit="cents").costs["cost"].tolist() == [0.1234]


def test_a_unit_field_must_agree_with_the_declared_unit() -> None:
    with pytest.raises(SourceError, match="amount_unit"):
        cost("anthropic_cost_report_unit_field.json")
    with pytest.raises(SourceError, match="amount_unit"):
        cost("anthropic_cost_report_unit_field.json", amount_unit="cents")
    assert cost("anthropic_cost_report_unit_field.json", amount_unit="dollars").costs["cost"].tolist() == [
        12.34
    ]


def page(results: list[dict]) -> dict:
    return {
        "data": [
            {"starting_at": "2026-11-16T00:00:00Z", "ending_at": "2026-11-17T00:00:00Z", "results": results}
        ]
    }


@pytest.mark.parametrize(
    ("amount", "fragment"),
    [
        ("-120", "negative usage charge"),
        ("ten", "not an amount"),
        ("NaN", "not a finite"),
        (None, "missing amount"),
    ],
)
def test_bad_amounts(tmp_path: Path, amount: object, fragment: str) -> None:
    (tmp_path / "c.json").write_text(
        json.dumps(page([{"amount": amount, "currency": "USD"}])), encoding="utf-8"
    )
    with pytest.raises(SourceError, match=fragment):
        cost("c.json", tmp_path)


def test_unknown_component_in_options_is_rejected() -> None:
    with pytest.raises(SourceError, match="unknown component"):
        cost("anthropic_cost_report_page1.json", workspaces={"wrkspc_chat": "nope"})


def test_usage_tokens_map_to_canonical_signals() -> None:
    batch = usage("anthropic_usage_report.json", workspaces=WORKSPACES)
    s = batch.samples
    at0 = s[s["ts"] == pd.Timestamp("2026-11-16T00:00Z")].set_index(["component", "signal"])["value"]
    assert at0[("chat-api", "tokens_input")] == 1000
    assert at0[("chat-api", "tokens_cache_read")] == 5000
    assert at0[("chat-api", "tokens_cache_write")] == 250  # 5m + 1h
    assert at0[("chat-api", "tokens_output")] == 700
    assert at0[("rag-api", "tokens_cache_write")] == 5  # flattened variant, Default Workspace
    assert batch.summary["unattributed_tokens"]["tokens_input"] == 9  # wrkspc_sandbox is not mapped
    assert batch.summary["web_search_requests"] == 6
    assert any("not counted" in w for w in batch.warnings)
    assert set(s["signal"]) == {"tokens_input", "tokens_output", "tokens_cache_read", "tokens_cache_write"}
    assert s["ts"].is_monotonic_increasing


def test_usage_count_must_be_whole_and_non_negative(tmp_path: Path) -> None:
    bad = {
        "uncached_input_tokens": -1,
        "cache_read_input_tokens": 0,
        "output_tokens": 0,
        "cache_creation": {},
    }
    (tmp_path / "u.json").write_text(json.dumps(page([bad])), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        usage("u.json", tmp_path)
    assert err.value.column == "data[0].results[0].uncached_input_tokens"


def test_not_a_report_page(tmp_path: Path) -> None:
    (tmp_path / "u.json").write_text(json.dumps({"results": []}), encoding="utf-8")
    with pytest.raises(SourceError, match="not a report page"):
        usage("u.json", tmp_path)
