"""OpenAI organization Costs and Usage (completions) replies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentinel_reports.collectors.openai import (
    OpenAICostOptions,
    OpenAICostsCollector,
    OpenAIUsageCollector,
    ProjectOptions,
)
from sentinel_reports.errors import SourceError
from tests.collectors._cost_ctx import COST, make_ctx


def costs(path: str, project: Path = COST, **options: object):
    opts = OpenAICostOptions(type="openai_costs", path=path, **options)
    return OpenAICostsCollector().collect(opts, make_ctx(project))


def usage(path: str, project: Path = COST, **options: object):
    return OpenAIUsageCollector().collect(
        ProjectOptions(type="openai_usage", path=path, **options), make_ctx(project)
    )


def test_costs_by_project_day_and_model() -> None:
    batch = costs("openai_costs.json", projects={"proj_chat": "chat-api", "default": "rag-api"})
    c = batch.costs.assign(day=batch.costs["day"].dt.strftime("%Y-%m-%d"))
    got = {
        (r.day, r.component, r.model if isinstance(r.model, str) else None): r.cost for r in c.itertuples()
    }
    assert got == {
        ("2026-11-16", "chat-api", "gpt-4o-2024-08-06"): pytest.approx(0.06),
        ("2026-11-16", "rag-api", None): pytest.approx(1.25),  # value given as a string
        ("2026-11-17", "chat-api", "gpt-4o-mini-2024-07-18"): pytest.approx(2.5),
    }
    assert set(batch.costs["currency"]) == {"USD"} and set(batch.costs["provider"]) == {"openai"}
    assert batch.summary["total_cost"] == pytest.approx(3.81)


def test_unmapped_projects_are_unattributed() -> None:
    batch = costs("openai_costs.json", projects={"proj_chat": "chat-api"}, model_from_line_item=False)
    assert batch.summary["unattributed_cost"] == pytest.approx(1.25)
    assert batch.costs["model"].isna().all()


def test_usage_subtracts_cached_tokens_and_keeps_requests_out_of_samples() -> None:
    batch = usage("openai_usage_completions.json", projects={"proj_chat": "chat-api"})
    values = batch.samples.set_index("signal")["value"].to_dict()
    assert values == {"tokens_input": 600.0, "tokens_cache_read": 400.0, "tokens_output": 500.0}
    assert "requests_total" not in set(batch.samples["signal"]) and "requests_good" not in values
    assert batch.summary["num_model_requests"] == 7
    assert batch.summary["unattributed_tokens"] == {
        "tokens_input": 30,
        "tokens_output": 7,
        "tokens_cache_read": 0,
    }


def bucket(result: dict) -> dict:
    return {
        "object": "page",
        "data": [{"start_time": 1794787200, "end_time": 1794873600, "results": [result]}],
    }


@pytest.mark.parametrize(
    ("result", "fragment"),
    [
        ({"amount": {"value": -1, "currency": "usd"}}, "negative usage charge"),
        ({"amount": {"value": 1}}, "missing currency"),
        ({"amount": 3}, "missing amount"),
        (
            {"object": "organization.usage.completions.result", "amount": {"value": 1, "currency": "usd"}},
            "wrong report",
        ),
    ],
)
def test_bad_cost_results(tmp_path: Path, result: dict, fragment: str) -> None:
    (tmp_path / "c.json").write_text(json.dumps(bucket(result)), encoding="utf-8")
    with pytest.raises(SourceError, match=fragment):
        costs("c.json", tmp_path)


def test_cached_above_input_is_an_error(tmp_path: Path) -> None:
    result = {"input_tokens": 5, "input_cached_tokens": 9, "output_tokens": 1}
    (tmp_path / "u.json").write_text(json.dumps(bucket(result)), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        usage("u.json", tmp_path)
    assert err.value.column == "data[0].results[0].input_cached_tokens"
