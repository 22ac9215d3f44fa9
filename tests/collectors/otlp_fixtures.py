"""OTLP/JSON trace exports built with the official `opentelemetry-proto` messages and protobuf's JSON mapping
(`google.protobuf.json_format.MessageToDict`): ids become hex strings, 64-bit integers and times strings,
attributes key/value lists; trace and span ids are then turned from base64 into hex, as the OTLP/JSON
specification requires and the Collector's file exporter writes them."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

T0 = 1_763_373_600_000_000_000  # 2025-11-17T10:00:00Z in Unix ns


def kv(key: str, value: object) -> KeyValue:
    if isinstance(value, bool):
        v = AnyValue(bool_value=value)
    elif isinstance(value, int):
        v = AnyValue(int_value=value)
    elif isinstance(value, float):
        v = AnyValue(double_value=value)
    else:
        v = AnyValue(string_value=str(value))
    return KeyValue(key=key, value=v)


@dataclass
class SpanSpec:
    trace: int
    span: int
    parent: int | None
    start_ms: int
    end_ms: int
    attrs: dict = field(default_factory=dict)
    error: bool = False
    events: list[tuple[str, int, dict]] = field(default_factory=list)  # (name, at_ms, attributes)


def export(service: str, spans: list[SpanSpec], resource_extra: dict | None = None) -> dict:
    """One ExportTraceServiceRequest in the OTLP/JSON mapping."""
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    rs.resource.attributes.extend(
        [kv("service.name", service), *(kv(k, v) for k, v in (resource_extra or {}).items())]
    )
    ss = rs.scope_spans.add()
    ss.scope.name = "opentelemetry.instrumentation.genai"
    for s in spans:
        span = Span(
            trace_id=s.trace.to_bytes(16, "big"),
            span_id=s.span.to_bytes(8, "big"),
            name=f"{s.attrs.get('gen_ai.operation.name', 'http')} {s.attrs.get('gen_ai.request.model', '')}".strip(),
            kind=Span.SPAN_KIND_CLIENT,
            start_time_unix_nano=T0 + s.start_ms * 1_000_000,
            end_time_unix_nano=T0 + s.end_ms * 1_000_000,
            attributes=[kv(k, v) for k, v in s.attrs.items()],
            status=Status(code=Status.STATUS_CODE_ERROR if s.error else Status.STATUS_CODE_OK),
        )
        if s.parent is not None:
            span.parent_span_id = s.parent.to_bytes(8, "big")
        for name, at_ms, attrs in s.events:
            ev = span.events.add()
            ev.name = name
            ev.time_unix_nano = T0 + at_ms * 1_000_000
            ev.attributes.extend([kv(k, v) for k, v in attrs.items()])
        ss.spans.append(span)
    return hex_ids(MessageToDict(req))


def hex_ids(doc: dict) -> dict:
    """The OTLP/JSON mapping's one departure from protobuf's: trace and span ids are hex, not base64."""
    for rs in doc.get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            for span in ss.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64decode(span[key]).hex()
    return doc


def chat(trace: int, span: int, parent: int | None, start: int, end: int, inp: int, out: int, cache: int = 0,
         error: bool = False, provider: str = "anthropic", old_system: bool = False) -> SpanSpec:  # fmt: skip
    attrs = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.response.model": "claude-sonnet-4-5-20250929",
        "gen_ai.system" if old_system else "gen_ai.provider.name": provider,
        "gen_ai.usage.input_tokens": inp,
        "gen_ai.usage.output_tokens": out,
    }
    if cache:
        attrs["gen_ai.usage.cache_read.input_tokens"] = cache
    return SpanSpec(trace, span, parent, start, end, attrs, error)


def agent_task(
    trace: int, start: int, calls: int = 3, error: bool = False, tool_error: bool = False
) -> list[SpanSpec]:
    """An invoke_agent span with `calls` nested chat spans and a tool call between each pair."""
    root = SpanSpec(trace, 1, None, start, start + 1000 * calls, {"gen_ai.operation.name": "invoke_agent",
                    "gen_ai.agent.name": "support-agent", "gen_ai.provider.name": "anthropic"}, error)  # fmt: skip
    out = [root]
    for i in range(calls):
        out.append(chat(trace, 10 + i, 1, start + 1000 * i, start + 1000 * i + 600, 1000, 100, cache=400))
        if i < calls - 1:
            out.append(SpanSpec(trace, 20 + i, 1, start + 1000 * i + 650, start + 1000 * i + 900,
                                {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search_tickets"},
                                tool_error and i == 0))  # fmt: skip
    return out


def jsonl(*docs: dict) -> str:
    return "".join(json.dumps(d) + "\n" for d in docs)
