"""`openai_costs` and `openai_usage`: saved replies of the OpenAI organization Costs and Usage APIs.

Both read pages ``{"object": "page", "data": [{"object": "bucket", "start_time", "end_time", "results": [...]}],
"has_more", "next_page"}`` of `GET /v1/organization/costs` or `GET /v1/organization/usage/completions`
(unix-second bucket bounds). Files, lists of pages and JSONL pages are accepted as for the Anthropic
reports; identical results within one bucket are dropped and counted.

Source entries::

    - type: openai_costs
      path: "data/openai/costs*.json"
      projects: {proj_abc123: chat-api, default: rag-api}   # project_id -> component id
      default_component: null          # component for projects not listed (null: unattributed)
      model_from_line_item: true       # "gpt-4o-2024-08-06, input" -> model gpt-4o-2024-08-06

    - type: openai_usage
      path: "data/openai/usage_completions*.json"
      projects: {proj_abc123: chat-api}
      default_component: null

`project_id` is null when the report is not grouped by project; the key `default` maps it. A row's team is
its component's owner.

**Costs → cost ledger**: one row per UTC day (`start_time`), component, model and currency, provider
`openai`, service `OpenAI API`, category `usage`, cost = billed_cost = `amount.value` (already in currency
units; the currency code is upper-cased). A negative amount is a SourceError. A result whose `object` is
not `organization.costs.result` (e.g. a usage report given to this type) is a SourceError.

**Usage → samples** at each bucket start, summed per component: `tokens_input` = input_tokens −
input_cached_tokens (OpenAI's input count includes cached tokens), `tokens_cache_read` =
input_cached_tokens, `tokens_output` = output_tokens. `num_model_requests` counts requests regardless of
outcome, so it is not a success count and is not emitted as `requests_total` either (request logs and
telemetry own that signal and would be double-counted); its total is in the summary.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from ..errors import SourceError
from ..model import conform
from ._cost_reports import check_components, collect_results, count_field, samples_frame, text_field
from .base import Batch, CollectContext, Collector, SourceOptions
from .focus import KEYS, cost_summary, currency_warnings

COSTS_OBJECT = "organization.costs.result"
USAGE_OBJECT = "organization.usage.completions.result"


class ProjectOptions(SourceOptions):
    projects: dict[str, str] = {}
    default_component: str | None = None


class OpenAICostOptions(ProjectOptions):
    model_from_line_item: bool = True


def _component(result: dict[str, Any], options: ProjectOptions, file: str, loc: str) -> str | None:
    project = text_field(result, "project_id", file, loc)
    return options.projects.get(project if project is not None else "default", options.default_component)


def _check_object(result: dict[str, Any], expected: str, file: str, loc: str) -> None:
    found = result.get("object")
    if found is not None and found != expected:
        raise SourceError(
            file, "wrong report type for this source", column=f"{loc}.object", expected=expected, found=found
        )


class OpenAICostsCollector(Collector):
    type = "openai_costs"
    Options = OpenAICostOptions

    def collect(self, options: OpenAICostOptions, ctx: CollectContext) -> Batch:
        owners = check_components(options, ctx, options.projects, "projects")
        batch = Batch()
        records = []
        for start, result, file, loc in collect_results(options, ctx, batch):
            _check_object(result, COSTS_OBJECT, file, loc)
            value, currency = _amount(result, file, loc)
            comp = _component(result, options, file, loc)
            line_item = text_field(result, "line_item", file, loc)
            model = None
            if options.model_from_line_item and isinstance(line_item, str) and ", " in line_item:
                model = line_item.split(", ", 1)[0].strip() or None
            records.append(
                {
                    "day": start.floor("D"),
                    "component": comp,
                    "team": owners.get(comp) if comp else None,
                    "provider": "openai",
                    "service": "OpenAI API",
                    "model": model,
                    "category": "usage",
                    "currency": currency,
                    "cost": value,
                }
            )
        frame = pd.DataFrame.from_records(records, columns=[*KEYS, "cost"])
        if len(frame):
            frame = frame.groupby(list(KEYS), dropna=False, sort=True, as_index=False)["cost"].sum()
        frame["billed_cost"] = frame["cost"]
        frame["source"] = ctx.source_id
        batch.costs = conform("costs", frame)
        batch.summary = cost_summary(batch.costs, ctx.config.currency)
        batch.warnings.extend(currency_warnings(batch.summary))
        return batch


def _amount(result: dict[str, Any], file: str, loc: str) -> tuple[float, str]:
    amount = result.get("amount")
    column = f"{loc}.amount"
    if not isinstance(amount, dict):
        raise SourceError(
            file, "missing amount", column=column, expected="an object {value, currency}", found=amount
        )
    value, currency = amount.get("value"), amount.get("currency")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SourceError(
            file, "missing amount value", column=f"{column}.value", expected="a number", found=value
        )
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise SourceError(
            file, "not an amount", column=f"{column}.value", expected="a number", found=value
        ) from None
    if not number.is_finite():
        raise SourceError(
            file, "not a finite amount", column=f"{column}.value", expected="a number", found=value
        )
    if number < 0:
        raise SourceError(
            file, "negative usage charge", column=f"{column}.value", expected="an amount >= 0", found=value
        )
    if not isinstance(currency, str) or len(currency.strip()) != 3 or not currency.strip().isalpha():
        raise SourceError(
            file,
            "missing currency",
            column=f"{column}.currency",
            expected='an ISO 4217 code such as "usd"',
            found=currency,
        )
    return float(number), currency.strip().upper()


class OpenAIUsageCollector(Collector):
    type = "openai_usage"
    Options = ProjectOptions

    def collect(self, options: ProjectOptions, ctx: CollectContext) -> Batch:
        check_components(options, ctx, options.projects, "projects")
        batch = Batch()
        records = []
        requests = 0
        unattributed = {"tokens_input": 0, "tokens_output": 0, "tokens_cache_read": 0}
        for start, result, file, loc in collect_results(options, ctx, batch):
            _check_object(result, USAGE_OBJECT, file, loc)
            total_in = count_field(result, "input_tokens", file, loc)
            cached = count_field(result, "input_cached_tokens", file, loc, required=False)
            if cached > total_in:
                raise SourceError(
                    file, "more cached input tokens than input tokens", column=f"{loc}.input_cached_tokens",
                    expected=f"at most input_tokens ({total_in})", found=cached,
                )  # fmt: skip
            counts = {
                "tokens_input": total_in - cached,
                "tokens_output": count_field(result, "output_tokens", file, loc),
                "tokens_cache_read": cached,
            }
            requests += count_field(result, "num_model_requests", file, loc, required=False)
            comp = _component(result, options, file, loc)
            for signal, value in counts.items():
                if comp is None:
                    unattributed[signal] += value
                else:
                    records.append({"ts": start, "component": comp, "signal": signal, "value": float(value)})
        batch.samples = samples_frame(records, ctx.source_id)
        batch.summary = {
            "tokens": {
                s: float(batch.samples.loc[batch.samples["signal"] == s, "value"].sum()) for s in unattributed
            },
            "unattributed_tokens": unattributed,
            "num_model_requests": requests,
        }
        if any(unattributed.values()):
            batch.warnings.append(
                f"{sum(unattributed.values())} tokens belong to projects mapped to no component and are not counted"
            )
        return batch
