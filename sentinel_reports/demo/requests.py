"""Request-level LLM logs: LiteLLM `LiteLLM_SpendLogs` rows (Parquet) and a Helicone request export (CSV).

Every request of the truth model becomes one row, at a random instant inside its five-minute step, so the
counts a collector derives from the log equal the truth. Per-request latency is log-normal around the
component's p95 for that step; tokens and spend follow the component's model usage.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa

from . import aiops
from .files import Writer
from .truth import STEP_SECONDS, Truth
from .usage import BATCH_DISCOUNT, PRICES, TokenUsage

_SIGMA = 0.35  # spread of per-request latency; p95 = median * exp(1.645 * sigma)


def _rows(truth: Truth, usage: TokenUsage, stream: str) -> dict[str, np.ndarray]:
    """One entry per request of the component: start (ms), latency, ttft, good flag and token counts."""
    series = truth.series[usage.component]
    rng = truth.rng(f"requests/{stream}")
    steps = np.repeat(np.arange(len(truth.ts)), series.requests)
    n = len(steps)
    failed_per_step = series.requests - series.good
    good = np.ones(n, dtype=bool)
    first = np.concatenate([[0], np.cumsum(series.requests)[:-1]])
    for step in np.flatnonzero(failed_per_step):
        offsets = rng.choice(series.requests[step], size=failed_per_step[step], replace=False)
        good[first[step] + offsets] = False
    start_ms = truth.ts[steps] * 1000 + rng.integers(0, STEP_SECONDS * 1000, n)
    order = np.argsort(start_ms, kind="stable")
    steps, start_ms, good = steps[order], start_ms[order], good[order]
    median = series.latency_p95_ms[steps] / np.exp(1.645 * _SIGMA)
    latency = np.round(median * rng.lognormal(0.0, _SIGMA, n)).astype(np.int64)
    latency[~good] = rng.integers(200, 30_000, int((~good).sum()))
    usage_step = usage.requests > 0
    per_request = {
        k: np.where(usage_step, getattr(usage, k) / np.maximum(usage.requests, 1), 0.0)[steps]
        for k in ("uncached_input", "cache_read", "cache_write", "output")
    }
    tokens = {k: np.round(v * rng.lognormal(0.0, 0.2, n)).astype(np.int64) for k, v in per_request.items()}
    for k in tokens:
        if k != "uncached_input":
            tokens[k][~good] = 0
    model = usage.model[steps]
    spend = np.zeros(n)
    for m in np.unique(model):
        sel = model == m
        p_in, p_out, p_read, p_write = PRICES[str(m)]
        factor = (BATCH_DISCOUNT if usage.usage.batch else 1.0) / 1e6
        spend[sel] = factor * (
            tokens["uncached_input"][sel] * p_in
            + tokens["output"][sel] * p_out
            + tokens["cache_read"][sel] * p_read
            + tokens["cache_write"][sel] * p_write
        )
    spend[~good] = 0.0
    return {
        "start_ms": start_ms,
        "latency_ms": latency,
        "good": good,
        "model": model,
        "spend": spend,
        **tokens,
    }


def litellm(
    w: Writer, truth: Truth, relpath: str, usage: TokenUsage, team_alias: str, model_group: str
) -> None:
    """`LiteLLM_SpendLogs` rows as exported from the proxy database to Parquet (naive UTC timestamps).

    The batch job calls the model without streaming, so `completionStartTime` is empty and the log gives
    no time to first token.
    """
    r = _rows(truth, usage, f"litellm/{usage.component}")
    n = len(r["start_ms"])
    end_ms = r["start_ms"] + r["latency_ms"]
    prompt = r["uncached_input"] + r["cache_read"] + r["cache_write"]
    status = np.where(r["good"], "success", "failure")
    ok_meta = json.dumps(
        {
            "user_api_key_team_alias": team_alias,
            "user_api_key_alias": f"{team_alias}-worker",
            "status": "success",
        },
        separators=(",", ":"),
    )
    failed_meta = json.dumps(
        {
            "user_api_key_team_alias": team_alias,
            "user_api_key_alias": f"{team_alias}-worker",
            "status": "failure",
            "error_information": {
                "error_code": "500",
                "error_class": "InternalServerError",
                "llm_provider": "openai",
                "error_message": "The server had an error while processing your request.",
            },
        },
        separators=(",", ":"),
    )
    metadata = pa.array(np.where(r["good"], ok_meta, failed_meta), pa.string())
    day = r["start_ms"] // 86_400_000
    seq = np.arange(n) - np.searchsorted(day, day)
    ids = [f"chatcmpl-insb{d:05d}{k:05d}" for d, k in zip(day.tolist(), seq.tolist(), strict=True)]
    const = lambda value: pa.array([value] * n, pa.string())  # noqa: E731
    table = pa.table(
        {
            "request_id": pa.array(ids, pa.string()),
            "call_type": const("acompletion"),
            "api_key": const("88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"),
            "spend": pa.array(np.round(r["spend"], 6)),
            "total_tokens": pa.array(prompt + r["output"]),
            "prompt_tokens": pa.array(prompt),
            "completion_tokens": pa.array(r["output"]),
            "startTime": pa.array(r["start_ms"], pa.timestamp("ms")),
            "endTime": pa.array(end_ms, pa.timestamp("ms")),
            "request_duration_ms": pa.array(r["latency_ms"]),
            "completionStartTime": pa.nulls(n, pa.timestamp("ms")),
            "model": pa.array(r["model"].astype(str), pa.string()),
            "model_group": const(model_group),
            "custom_llm_provider": const("openai"),
            "api_base": const("https://api.openai.com/v1"),
            "user": const(""),
            "metadata": metadata,
            "cache_hit": const("False"),
            "request_tags": const(json.dumps([model_group])),
            "team_id": const("5b0c6f2e-6a59-4c1e-9d1b-2f1f0f8f3a11"),
            "end_user": const(""),
            "status": pa.array(status, pa.string()),
        }
    )
    dense = ["request_id", "total_tokens", "prompt_tokens", "completion_tokens", "startTime", "endTime",
             "request_duration_ms"]  # fmt: skip
    w.parquet(relpath, table, dense=dense)


HELICONE_COLUMNS = (
    "request_id", "request_created_at", "response_created_at", "response_status", "request_model", "model",
    "provider", "delay_ms", "time_to_first_token", "prompt_tokens", "completion_tokens", "total_tokens",
    "prompt_cache_read_tokens", "prompt_cache_write_tokens", "cost", "request_user_id", "properties",
    "country_code",
)  # fmt: skip


def helicone(
    w: Writer, truth: Truth, relpath: str, usage: TokenUsage, app: str, until: dt.datetime | None = None
) -> dict[str, np.ndarray]:
    """Rows of a Helicone request export (`npx @helicone/export --format csv`) of the requests before
    ``until``; returns every request's row (the later ones go to another export)."""
    r = _rows(truth, usage, f"helicone/{usage.component}")
    rng = truth.rng(f"helicone-ids/{usage.component}")
    properties = json.dumps({"app": app, "environment": "prod"}, separators=(",", ":"))
    rows = []
    last = (
        len(r["start_ms"]) if until is None else int(np.searchsorted(r["start_ms"], until.timestamp() * 1000))
    )
    for i in range(last):
        start = int(r["start_ms"][i])
        latency = int(r["latency_ms"][i])
        good = bool(r["good"][i])
        ttft = int(min(latency, 380 + rng.integers(0, 500))) if good else ""
        prompt = int(r["uncached_input"][i] + r["cache_read"][i] + r["cache_write"][i])
        rows.append(
            (
                f"{rng.integers(1 << 62):016x}-{i:06d}",
                _ms(start),
                _ms(start + latency),
                200 if good else int(rng.choice([429, 500, 503])),
                str(r["model"][i]),
                str(r["model"][i]),
                "OPENAI",
                latency,
                ttft,
                prompt,
                int(r["output"][i]),
                prompt + int(r["output"][i]),
                int(r["cache_read"][i]),
                int(r["cache_write"][i]),
                f"{r['spend'][i]:.8f}",
                f"agent-{int(rng.integers(1, 40)):03d}",
                properties,
                "US" if i % 3 else "IE",
            )
        )
    w.csv(relpath, HELICONE_COLUMNS, rows)
    return r


def _ms(epoch_ms: int) -> str:
    t = dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def write_demo(w: Writer, truth: Truth, usages: list[TokenUsage]) -> None:
    by_component = {u.component: u for u in usages}
    litellm(w, truth, "data/requests/litellm_spendlogs.parquet", by_component["batch-summarisation"],
            "insights-batch", "summariser-default")  # fmt: skip
    # Support Copilot moved to OpenTelemetry GenAI instrumentation on OTEL_FROM (demo/aiops.py)
    rows = helicone(w, truth, "data/requests/helicone_support_copilot.csv.gz", by_component["support-copilot"],
                    "support-copilot", until=aiops.OTEL_FROM)  # fmt: skip
    later = rows["start_ms"] >= aiops.OTEL_FROM.timestamp() * 1000
    aiops.support_copilot_traces(w, truth, "data/traces/support_copilot_genai.jsonl.gz",
                                 {k: v[later] for k, v in rows.items()})  # fmt: skip
