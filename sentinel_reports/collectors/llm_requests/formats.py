"""Where each vendor's request log keeps the fields the aggregation needs.

Each field lists candidate column paths, first match wins; `a.b` reads key `b` of column `a` (a struct in
Parquet/JSONL, or JSON text as in CSV exports). Where the shapes are documented:

- `litellm`: the `LiteLLM_SpendLogs` table (litellm `schema.prisma`): request_id, startTime, endTime,
  completionStartTime, request_duration_ms, status ("success"/"failure"), prompt_tokens (includes cached
  input), completion_tokens, spend, model_group, metadata (JSON; `usage_object` holds the cache counts).
  Prisma stores DateTime as UTC in `timestamp without time zone`, so naive times are read as UTC.
- `helicone`: request rows of the Helicone export (`@helicone/export`, `/v1/request/query-clickhouse`):
  request_id, request_created_at, response_created_at, delay_ms, time_to_first_token (ms),
  response_status (HTTP code), prompt_tokens, completion_tokens, prompt_cache_read_tokens,
  prompt_cache_write_tokens, cost, model.
- `langfuse`: observations, both the API/UI export (camelCase: startTime, endTime, completionStartTime,
  latency and timeToFirstToken in seconds, level, usageDetails, costDetails, calculatedTotalCost) and the
  blob-storage export (snake_case, times in UTC). Only GENERATION observations are requests; level ERROR
  is a failed request. usageDetails.input excludes cached input.
- `generic`: one row per request with the column names below; naive times use the configured timezone.
"""

from __future__ import annotations

from dataclasses import dataclass

FIELDS = (
    "id",
    "start",
    "end",
    "first_token",
    "latency",
    "ttft",
    "status",
    "tokens_input",
    "tokens_output",
    "tokens_cache_read",
    "tokens_cache_write",
    "cost",
    "component",
    "kind",
)


@dataclass(frozen=True)
class FormatSpec:
    fields: dict[str, tuple[str, ...]]
    latency_unit: str = "ms"  # unit of the `latency` and `ttft` duration columns
    naive_utc: bool = False  # the vendor writes naive timestamps in UTC
    input_includes_cache: bool = False  # tokens_input counts cache reads and writes too
    kinds: tuple[str, ...] = ()  # when a `kind` column exists, only these row kinds are requests


LITELLM = FormatSpec(
    fields={
        "id": ("request_id",),
        "start": ("startTime",),
        "end": ("endTime",),
        "first_token": ("completionStartTime",),
        "latency": ("request_duration_ms",),
        "status": ("status",),
        "tokens_input": ("prompt_tokens",),
        "tokens_output": ("completion_tokens",),
        "tokens_cache_read": ("cache_read_input_tokens", "metadata.usage_object.cache_read_input_tokens"),
        "tokens_cache_write": (
            "cache_creation_input_tokens",
            "metadata.usage_object.cache_creation_input_tokens",
        ),
        "cost": ("spend",),
        "component": ("model_group",),
    },
    naive_utc=True,
    input_includes_cache=True,
)

HELICONE = FormatSpec(
    fields={
        "id": ("request_id",),
        "start": ("request_created_at",),
        "end": ("response_created_at",),
        "latency": ("delay_ms", "latency"),
        "ttft": ("time_to_first_token",),
        "status": ("response_status", "status"),
        "tokens_input": ("prompt_tokens",),
        "tokens_output": ("completion_tokens",),
        "tokens_cache_read": ("prompt_cache_read_tokens",),
        "tokens_cache_write": ("prompt_cache_write_tokens",),
        "cost": ("cost", "costUSD", "cost_usd"),
        "component": ("model",),
    },
    input_includes_cache=True,
)

LANGFUSE = FormatSpec(
    fields={
        "id": ("id",),
        "start": ("startTime", "start_time"),
        "end": ("endTime", "end_time"),
        "first_token": ("completionStartTime", "completion_start_time"),
        "latency": ("latency",),
        "ttft": ("timeToFirstToken", "time_to_first_token"),
        "status": ("level",),
        "tokens_input": ("usageDetails.input", "usage_details.input", "usage.input", "promptTokens"),
        "tokens_output": ("usageDetails.output", "usage_details.output", "usage.output", "completionTokens"),
        "tokens_cache_read": (
            "usageDetails.cache_read_input_tokens",
            "usage_details.cache_read_input_tokens",
            "usageDetails.input_cached_tokens",
            "usage_details.input_cached_tokens",
        ),
        "tokens_cache_write": (
            "usageDetails.cache_creation_input_tokens",
            "usage_details.cache_creation_input_tokens",
        ),
        "cost": ("costDetails.total", "cost_details.total", "calculatedTotalCost", "total_cost"),
        "component": ("traceName", "trace_name", "name"),
        "kind": ("type",),
    },
    latency_unit="s",
    naive_utc=True,
    kinds=("GENERATION",),
)

GENERIC = FormatSpec(
    fields={
        "id": ("request_id", "id"),
        "start": ("start_time", "timestamp", "ts"),
        "end": ("end_time",),
        "first_token": ("first_token_time",),
        "latency": ("latency_ms", "duration_ms"),
        "ttft": ("ttft_ms",),
        "status": ("status", "status_code"),
        "tokens_input": ("input_tokens",),
        "tokens_output": ("output_tokens",),
        "tokens_cache_read": ("cache_read_tokens",),
        "tokens_cache_write": ("cache_write_tokens",),
        "cost": ("cost",),
        "component": ("component",),
    },
)

FORMATS = {"litellm": LITELLM, "helicone": HELICONE, "langfuse": LANGFUSE, "generic": GENERIC}

# A status is a failure when it is one of these words, or an HTTP code outside 2xx. Missing means success
# (LiteLLM_SpendLogs rows written before the `status` column existed were successes).
FAILURE_WORDS = ("failure", "failed", "fail", "error", "false", "timeout", "cancelled")

NUMBER_FIELDS = (  # the fields read as numbers, in the order their cells are checked
    "latency",
    "ttft",
    "tokens_input",
    "tokens_output",
    "tokens_cache_read",
    "tokens_cache_write",
    "cost",
)
