"""`anthropic_cost_report` and `anthropic_usage_report`: saved replies of the Anthropic Admin API.

Both read saved pages of `GET /v1/organizations/cost_report` or `GET /v1/organizations/usage_report/messages`:
``{"data": [{"starting_at", "ending_at", "results": [...]}], "has_more", "next_page"}``. A path may match
several files (one page each), a file may hold a JSON list of pages, or a JSONL file one page per line.
Identical results for the same bucket (overlapping exports) are dropped and counted.

Source entries::

    - type: anthropic_cost_report
      path: "data/anthropic/cost_report*.json"
      workspaces: {wrkspc_01AbC: chat-api, default: rag-api}   # workspace_id -> component id
      default_component: null           # component for workspaces not listed (null: unattributed)
      amount_unit: null                 # null (strict API shape), cents or dollars; see below

    - type: anthropic_usage_report
      path: "data/anthropic/usage_report*.json"
      workspaces: {wrkspc_01AbC: chat-api}
      default_component: null

`workspace_id` is null for the organisation's Default Workspace (and when the report is not grouped by
workspace); the key `default` in `workspaces` maps it. A row's team is its component's owner.

**Cost report → cost ledger**: one row per UTC day (`starting_at`), component, model and currency, with
provider `anthropic`, service `Claude API`, category `usage`, cost = billed_cost = amount. The API writes
`amount` as a decimal *string* in the lowest currency unit (cents: `"123.45"` USD is $1.23), so amounts are
divided by 100. Guard against files re-exported in dollars: with `amount_unit` unset, a numeric `amount`
or a unit field (`unit`, `amount_unit`, `amount_usd`, `cost_usd`) is a SourceError asking the user to
declare the unit, because a converted file cannot be told apart by value (cent amounts carry any number of
decimals, e.g. `"0.0325"`, so a "more than two decimals" test would misfire). `amount_unit: cents` or
`dollars` accepts numbers too; a unit field that contradicts the declared unit is a SourceError. A
negative amount is a SourceError (the report holds usage charges only).

**Usage report → samples** at each bucket's `starting_at`, summed per component: `tokens_input` =
uncached_input_tokens, `tokens_output` = output_tokens, `tokens_cache_read` = cache_read_input_tokens,
`tokens_cache_write` = cache_creation.ephemeral_5m_input_tokens + ephemeral_1h_input_tokens (the flattened
`cache_creation_5m_input_tokens` / `cache_creation_1h_input_tokens` are read too). Tokens of workspaces
that map to no component are not emitted; their totals are in the summary and a warning.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import pandas as pd

from ..errors import SourceError
from ..model import conform
from ._cost_reports import check_components, collect_results, count_field, samples_frame, text_field
from .base import Batch, CollectContext, Collector, SourceOptions
from .focus import KEYS, cost_summary, currency_warnings

UNIT_FIELDS = ("unit", "amount_unit", "amount_usd", "cost_usd")


class WorkspaceOptions(SourceOptions):
    workspaces: dict[str, str] = {}
    default_component: str | None = None


class AnthropicCostOptions(WorkspaceOptions):
    amount_unit: Literal["cents", "dollars"] | None = None


def _component(result: dict[str, Any], options: WorkspaceOptions, file: str, loc: str) -> str | None:
    ws = text_field(result, "workspace_id", file, loc)
    return options.workspaces.get(ws if ws is not None else "default", options.default_component)


class AnthropicCostCollector(Collector):
    type = "anthropic_cost_report"
    Options = AnthropicCostOptions

    def collect(self, options: AnthropicCostOptions, ctx: CollectContext) -> Batch:
        owners = check_components(options, ctx, options.workspaces, "workspaces")
        batch = Batch()
        records = []
        for start, result, file, loc in collect_results(options, ctx, batch):
            comp = _component(result, options, file, loc)
            currency = result.get("currency")
            if not isinstance(currency, str) or not currency.strip():
                raise SourceError(
                    file,
                    "missing currency",
                    column=f"{loc}.currency",
                    expected="a currency code such as USD",
                    found=currency,
                )
            records.append(
                {
                    "day": start.floor("D"),
                    "component": comp,
                    "team": owners.get(comp) if comp else None,
                    "provider": "anthropic",
                    "service": "Claude API",
                    "model": text_field(result, "model", file, loc),
                    "category": "usage",
                    "currency": currency.strip().upper(),
                    "cost": _amount(result, options.amount_unit, file, loc),
                }
            )
        frame = pd.DataFrame.from_records(records, columns=[*KEYS, "cost"])
        if len(frame):
            frame = frame.groupby(list(KEYS), dropna=False, sort=True, as_index=False)["cost"].sum()
        frame["billed_cost"] = frame["cost"]
        frame["source"] = ctx.source_id
        batch.costs = conform("costs", frame)
        batch.summary = cost_summary(batch.costs, ctx.config.currency)
        batch.summary["amount_unit"] = options.amount_unit or "cents"
        batch.warnings.extend(currency_warnings(batch.summary))
        return batch


def _amount(result: dict[str, Any], unit: str | None, file: str, loc: str) -> float:
    value = result.get("amount")
    column = f"{loc}.amount"
    declared = next((f for f in UNIT_FIELDS if f in result), None)
    if declared is not None:
        said = str(result[declared]).strip().lower() if declared in ("unit", "amount_unit") else "dollars"
        said = {"usd": "dollars", "dollar": "dollars", "cent": "cents"}.get(said, said)
        if unit is None or said != unit:
            raise SourceError(
                file, f"the file states a money unit in `{declared}`, which the Admin API never writes; set "
                "`amount_unit` on the source to the unit the file really uses",
                column=f"{loc}.{declared}", expected=f"amount_unit {unit or 'cents'} (API: decimal string in cents)",
                found=result[declared],
            )  # fmt: skip
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SourceError(
            file, "missing amount", column=column, expected="a decimal string in cents", found=value
        )
    if not isinstance(value, str) and unit is None:
        raise SourceError(
            file, "numeric amount: the Admin API writes amounts as decimal strings in cents, so this file was "
            "converted; set `amount_unit: cents` or `amount_unit: dollars` on the source",
            column=column, expected='a decimal string such as "123.45" (cents)', found=value,
        )  # fmt: skip
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise SourceError(
            file, "not an amount", column=column, expected="a decimal number", found=value
        ) from None
    if not amount.is_finite():
        raise SourceError(
            file, "not a finite amount", column=column, expected="a decimal number", found=value
        )
    if amount < 0:
        raise SourceError(
            file, "negative usage charge", column=column, expected="an amount >= 0", found=value
        )
    return float(amount / 100) if unit in (None, "cents") else float(amount)


TOKEN_SIGNALS = ("tokens_input", "tokens_output", "tokens_cache_read", "tokens_cache_write")


class AnthropicUsageCollector(Collector):
    type = "anthropic_usage_report"
    Options = WorkspaceOptions

    def collect(self, options: WorkspaceOptions, ctx: CollectContext) -> Batch:
        check_components(options, ctx, options.workspaces, "workspaces")
        batch = Batch()
        records = []
        unattributed = dict.fromkeys(TOKEN_SIGNALS, 0)
        web_searches = 0
        for start, result, file, loc in collect_results(options, ctx, batch):
            counts = _token_counts(result, file, loc)
            tool_use = result.get("server_tool_use")
            if isinstance(tool_use, dict):
                web_searches += count_field(
                    tool_use, "web_search_requests", file, f"{loc}.server_tool_use", required=False
                )
            comp = _component(result, options, file, loc)
            for signal, value in counts.items():
                if comp is None:
                    unattributed[signal] += value
                else:
                    records.append({"ts": start, "component": comp, "signal": signal, "value": float(value)})
        batch.samples = samples_frame(records, ctx.source_id)
        batch.summary = {
            "tokens": {
                s: float(batch.samples.loc[batch.samples["signal"] == s, "value"].sum())
                for s in TOKEN_SIGNALS
            },
            "unattributed_tokens": unattributed,
            "web_search_requests": web_searches,
        }
        if any(unattributed.values()):
            batch.warnings.append(
                f"{sum(unattributed.values())} tokens belong to workspaces mapped to no component and are not counted"
            )
        return batch


def _token_counts(result: dict[str, Any], file: str, loc: str) -> dict[str, int]:
    nested = result.get("cache_creation")
    if isinstance(nested, dict):
        write = count_field(
            nested, "ephemeral_5m_input_tokens", file, f"{loc}.cache_creation", required=False
        )
        write += count_field(
            nested, "ephemeral_1h_input_tokens", file, f"{loc}.cache_creation", required=False
        )
    elif any(k in result for k in ("cache_creation_5m_input_tokens", "cache_creation_1h_input_tokens")):
        write = count_field(result, "cache_creation_5m_input_tokens", file, loc, required=False)
        write += count_field(result, "cache_creation_1h_input_tokens", file, loc, required=False)
    else:
        raise SourceError(
            file, "missing cache creation counts", column=f"{loc}.cache_creation",
            expected="cache_creation {ephemeral_5m_input_tokens, ephemeral_1h_input_tokens} or cache_creation_5m_input_tokens",
            found=sorted(result)[:8],
        )  # fmt: skip
    return {
        "tokens_input": count_field(result, "uncached_input_tokens", file, loc),
        "tokens_output": count_field(result, "output_tokens", file, loc),
        "tokens_cache_read": count_field(result, "cache_read_input_tokens", file, loc),
        "tokens_cache_write": write,
    }
