"""AI operations exports of the demo: OpenTelemetry GenAI traces, business KPIs, drift scores and the GPU
pool's serving token counts.

- Support Copilot moved from Helicone to OpenTelemetry GenAI instrumentation on `OTEL_FROM`: from then on
  its requests are agent tasks in OTLP/JSON traces (an `invoke_agent` span, two or three `chat` spans and
  the tool calls between them), one ExportTraceServiceRequest per hour of traffic. Each task carries a
  `gen_ai.evaluation.result` event from the online judge with the customer's language: Japanese replies
  pass less often (`SEGMENT_PASS`) while the overall rate stays on target (a hidden segment regression).
- Business KPIs (daily): Knowledge Search answer acceptance (a rate) and CSAT (a mean) drop while the
  candidate answer model of `scenario.model_changes` is live; Assistant conversion stays flat.
- Drift scores (PSI, every 6 hours) for chat-api and rag-retrieval: rag-retrieval's output drift rises with
  the model change; chat-api's input drift spikes with the jailbreak prompt pattern (`SAFETY_EVENT`).
- vLLM prompt and generation token counters of the self-hosted GPU pool (Prometheus, hourly increase), for
  the self-hosting economics slide.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .files import Writer, number
from .scenario import utc
from .truth import STEP_SECONDS, Truth

OTEL_FROM = utc(2026, 11, 16)
LANGUAGES = (("en", 0.6), ("de", 0.2), ("ja", 0.2))
SEGMENT_PASS = {"en": 0.97, "de": 0.96, "ja": 0.80}
GPU_TOKENS = (3000, 600)  # prompt and generation tokens per request of the self-hosted models


def _attr(key: str, value: object) -> dict:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}  # int64 as a string (OTLP/JSON mapping)
    return {"key": key, "value": {"stringValue": str(value)}}


def support_copilot_traces(w: Writer, truth: Truth, relpath: str, rows: dict[str, np.ndarray]) -> None:
    """OTLP/JSON traces of the Support Copilot agent for the requests in ``rows`` (see requests._rows)."""
    rng = truth.rng("otel-traces/support-copilot")
    resource = {"attributes": [_attr("service.name", "support-copilot"), _attr("service.version", "3.4.1"),
                               _attr("deployment.environment.name", "prod")]}  # fmt: skip
    scope = {"name": "opentelemetry.instrumentation.openai_agents", "version": "0.9.0"}
    by_hour: dict[int, list[dict]] = {}
    for i in range(len(rows["start_ms"])):
        start_ns = int(rows["start_ms"][i]) * 1_000_000
        latency_ns = int(rows["latency_ms"][i]) * 1_000_000
        good = bool(rows["good"][i])
        trace = f"{int(rng.integers(1 << 62)):016x}{int(rng.integers(1 << 62)):016x}"
        calls = 2 + int(rng.integers(0, 2))
        model = str(rows["model"][i])
        root = f"{int(rng.integers(1 << 62)):016x}"
        language = LANGUAGES[int(rng.choice(3, p=[p for _, p in LANGUAGES]))][0]
        passed = bool(rng.random() < SEGMENT_PASS[language])
        spans = [{
            "traceId": trace, "spanId": root, "name": "invoke_agent support-copilot", "kind": 3,
            "startTimeUnixNano": str(start_ns), "endTimeUnixNano": str(start_ns + latency_ns),
            "attributes": [_attr("gen_ai.operation.name", "invoke_agent"), _attr("gen_ai.agent.name", "support-copilot"),
                           _attr("gen_ai.provider.name", "openai"), _attr("gen_ai.request.model", model),
                           _attr("app.customer.language", language)],
            "status": {"code": 1} if good else {"code": 2, "message": "upstream model error"},
            "events": [] if not good else [{
                "timeUnixNano": str(start_ns + latency_ns), "name": "gen_ai.evaluation.result",
                "attributes": [_attr("gen_ai.evaluation.name", "reply_quality"),
                               _attr("gen_ai.evaluation.score.label", "pass" if passed else "fail"),
                               _attr("gen_ai.response.model", model)],
            }],
        }]  # fmt: skip
        shares = rng.dirichlet(np.ones(calls))
        tokens = {k: int(rows[k][i]) for k in ("uncached_input", "cache_read", "cache_write", "output")}
        split = {k: np.floor(shares * v).astype(int) for k, v in tokens.items()}
        for k, v in tokens.items():
            split[k][-1] += v - int(split[k].sum())  # the parts add up to the task's tokens exactly
        slot = latency_ns // calls
        for c in range(calls):
            begin = start_ns + c * slot
            span_id = f"{int(rng.integers(1 << 62)):016x}"
            inp = int(split["uncached_input"][c] + split["cache_read"][c] + split["cache_write"][c])
            spans.append({
                "traceId": trace, "spanId": span_id, "parentSpanId": root, "name": f"chat {model}", "kind": 3,
                "startTimeUnixNano": str(begin), "endTimeUnixNano": str(begin + int(slot * 0.7)),
                "attributes": [_attr("gen_ai.operation.name", "chat"), _attr("gen_ai.provider.name", "openai"),
                               _attr("gen_ai.request.model", model), _attr("gen_ai.response.model", model),
                               _attr("gen_ai.usage.input_tokens", inp),
                               _attr("gen_ai.usage.cache_read.input_tokens", int(split["cache_read"][c])),
                               _attr("gen_ai.usage.cache_creation.input_tokens", int(split["cache_write"][c])),
                               _attr("gen_ai.usage.output_tokens", int(split["output"][c]))],
                "status": {"code": 1} if good or c < calls - 1 else {"code": 2, "message": "upstream model error"},
            })  # fmt: skip
            if c < calls - 1:
                spans.append({
                    "traceId": trace, "spanId": f"{int(rng.integers(1 << 62)):016x}", "parentSpanId": root,
                    "name": "execute_tool search_tickets", "kind": 1,
                    "startTimeUnixNano": str(begin + int(slot * 0.72)), "endTimeUnixNano": str(begin + int(slot * 0.95)),
                    "attributes": [_attr("gen_ai.operation.name", "execute_tool"), _attr("gen_ai.tool.name", "search_tickets")],
                    "status": {"code": 1},
                })  # fmt: skip
        by_hour.setdefault(start_ns // 3_600_000_000_000, []).extend(spans)
    lines = [
        {"resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": scope, "spans": by_hour[h]}]}]}
        for h in sorted(by_hour)
    ]
    w.jsonl(relpath, lines)


def business_kpis(w: Writer, truth: Truth, relpath: str) -> None:
    """`date,component,kpi,value,n`: one row per day and KPI."""
    rng = truth.rng("business-kpis")
    changes = [c for c in truth.scenario.model_changes if c.component == "rag-retrieval"]
    rows = []
    day = truth.scenario.start
    while day < truth.scenario.end:
        candidate = any(c.start <= day + dt.timedelta(hours=12) < c.end for c in changes)
        mask = truth.mask(day, day + dt.timedelta(days=1))
        rag = int(truth.series["rag-retrieval"].requests[mask].sum())
        chat = int(truth.series["chat-api"].requests[mask].sum())
        n = max(1, int(rag * 0.012))
        rate = 0.281 if candidate else 0.312
        rows.append(
            (
                day.date().isoformat(),
                "rag-retrieval",
                "answer_acceptance",
                number(rng.binomial(n, rate) / n, 5),
                n,
            )
        )
        surveys = max(2, int(rng.poisson(320)))
        csat = rng.normal(4.17 if candidate else 4.31, 0.6, surveys).clip(1, 5).mean()
        rows.append((day.date().isoformat(), "rag-retrieval", "csat", number(csat, 4), surveys))
        sessions = max(1, int(chat * 0.004))
        rows.append((day.date().isoformat(), "chat-api", "conversion", number(rng.binomial(sessions, 0.031) / sessions, 5), sessions))  # fmt: skip
        day += dt.timedelta(days=1)
    w.csv(relpath, ("date", "component", "kpi", "value", "n"), rows)


SAFETY_EVENT = (utc(2026, 11, 18, 11, 20), utc(2026, 11, 18, 15, 30))


def drift_scores(w: Writer, truth: Truth, relpath: str) -> None:
    """PSI drift scores every 6 hours: `timestamp,component,signal,value`."""
    rng = truth.rng("drift-scores")
    changes = [c for c in truth.scenario.model_changes if c.component == "rag-retrieval"]
    rows = []
    at = truth.scenario.start
    while at < truth.scenario.end:
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        rag = 0.05 + 0.015 * rng.random()
        if any(c.start <= at < c.end for c in changes):
            rag = 0.17 + 0.03 * rng.random()  # the candidate model answers differently (warn)
        chat = 0.04 + 0.02 * rng.random()
        if SAFETY_EVENT[0] - dt.timedelta(hours=6) < at <= SAFETY_EVENT[1]:
            chat = 0.29  # the jailbreak prompt pattern shifts the input distribution (critical)
        rows.append((stamp, "chat-api", "drift_score", number(chat, 4)))
        rows.append((stamp, "rag-retrieval", "drift_score", number(rag, 4)))
        at += dt.timedelta(hours=6)
    w.csv(relpath, ("timestamp", "component", "signal", "value"), rows)


def vllm_tokens(w: Writer, truth: Truth, relpath: str, which: str) -> None:
    """`increase(vllm:{prompt,generation}_tokens_total[1h])` of the GPU pool, per hour (stamped at the end)."""
    rng = truth.rng(f"vllm/{which}")
    per_request = GPU_TOKENS[0] if which == "prompt" else GPU_TOKENS[1]
    requests = truth.series["gpu-inference"].requests
    factor = 3600 // STEP_SECONDS
    hours = len(requests) // factor
    counts = requests[: hours * factor].reshape(hours, factor).sum(axis=1)
    tokens = np.round(counts * per_request * rng.lognormal(0.0, 0.05, hours)).astype(np.int64)
    ts = truth.ts[: hours * factor : factor] + 3600
    metric = {
        "__name__": f"vllm:{which}_tokens",
        "env": "prod",
        "namespace": "inference",
        "service": "gpu-inference",
    }
    values = [[int(t), str(int(v))] for t, v in zip(ts, tokens, strict=True) if v > 0]
    w.json(relpath, {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": metric, "values": values}]}})  # fmt: skip
