"""OpenTelemetry GenAI traces (`type: otel_genai`): OTLP/JSON as the Collector's file exporter writes it.

Each file holds `ExportTraceServiceRequest` documents in the OTLP/JSON mapping (one per line, or one JSON
document; gzip allowed): `resourceSpans[] → scopeSpans[] → spans[]`. The mapping's quirks are handled:
64-bit integers (`intValue`, `startTimeUnixNano`) arrive as strings, attributes are `{key, value: {…Value}}`
lists, trace and span ids are hex strings, times are Unix nanoseconds.

Spans that carry `gen_ai.operation.name` (OpenTelemetry GenAI semantic conventions) are read:

- **a task** is a GenAI span with no GenAI ancestor in its trace: a plain LLM call, or an agent
  (`invoke_agent`) with its nested LLM calls and tool calls (`execute_tool`). A task counts ONCE in
  requests_total / requests_good, however many LLM calls it made, so cost per successful task divides by
  tasks, not LLM calls. It failed when its span status is ERROR (`code` 2) or it carries `error.type`; a
  failed tool call the agent recovered from does not fail the task. Latency is the task span's duration.
- **tokens** are summed over the task's LLM-call spans (every GenAI span that is not an agent or tool span):
  `gen_ai.usage.input_tokens` (includes cached input, as the conventions define it) minus
  `gen_ai.usage.cache_read.input_tokens` (older: `gen_ai.usage.cache_read_input_tokens`) gives uncached
  input (likewise `gen_ai.usage.cache_creation.input_tokens` → cache write); `gen_ai.usage.output_tokens`. An agent span's own usage is counted only when it has no nested LLM
  call (instrumentations that roll usage up to the agent would otherwise count it twice).
- the **component** is the resource attribute `component_attribute` (default `service.name`), mapped
  through `components`; the provider is `gen_ai.provider.name`, else the older `gen_ai.system`.
- **span events** named `gen_ai.evaluation.result` become eval rows (cases grouped into runs per
  `run_interval`), read as the `evals` collector reads them (`segment_attribute` names the attribute holding
  the segment, e.g. `user.language`). They feed the quality section (pass rates, segments); the source
  writes no eval_pass_rate samples (an `evals` source does), so the two never report the same series.

Tasks are aggregated per component and `interval` exactly as request logs are (`llm_requests`), so the same
signals come out: requests_total, requests_good, latency percentiles and token counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..config import Duration
from ..errors import SourceError
from ..model import conform
from .base import MAX_COUNT, Batch, CollectContext, Collector, SourceOptions, drop_duplicates, epoch_in_range
from .csv_samples import map_components
from .evals import EvalsOptions, _runs, otel_cases
from .io import expand_paths, file_format, input_file, read_json, read_jsonl
from .llm_requests import LlmRequestsOptions, _batch
from .llm_requests.aggregate import aggregate, duplicates, signal_names
from .llm_requests.formats import GENERIC
from .llm_requests.normalise import Table, normalise

AGENT_OPERATIONS = frozenset({"invoke_agent", "create_agent"})
TOOL_OPERATIONS = frozenset({"execute_tool"})
ERROR_CODES = frozenset({2, "2", "STATUS_CODE_ERROR", "ERROR"})
INPUT = "gen_ai.usage.input_tokens"
OUTPUT = "gen_ai.usage.output_tokens"
CACHE_READ = ("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens")
CACHE_WRITE = ("gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens")


class OtelGenAiOptions(SourceOptions):
    interval: Duration = dt.timedelta(minutes=5)
    component_attribute: str = "service.name"
    components: dict[str, str] = {}
    segment_attribute: str | None = None
    pass_threshold: float = 0.5
    run_interval: Duration = dt.timedelta(days=1)


def any_value(value: Any, file: str, where: str) -> Any:
    """The Python value of an OTLP `AnyValue` object (`{"intValue": "42"}` → 42)."""
    if not isinstance(value, dict):
        raise SourceError(
            file, "not an OTLP AnyValue", row=None, column=where, expected="an object", found=value
        )
    if not value:
        return None
    (kind, inner), *rest = value.items()
    if rest:
        raise SourceError(
            file, "AnyValue with several values", column=where, expected="one key", found=list(value)
        )
    if kind == "stringValue" and isinstance(inner, str):
        return inner
    if kind == "boolValue" and isinstance(inner, bool):
        return inner
    if kind == "intValue" and isinstance(inner, int | str) and not isinstance(inner, bool):
        try:
            return int(inner)
        except ValueError:
            pass
    elif kind == "doubleValue" and isinstance(inner, int | float | str) and not isinstance(inner, bool):
        try:
            return float(inner)
        except ValueError:
            pass
    elif kind == "arrayValue" and isinstance(inner, dict):
        return [any_value(v, file, where) for v in _list(inner.get("values"), file, where)]
    elif kind == "kvlistValue" and isinstance(inner, dict):
        return attributes(inner.get("values"), file, where)
    elif kind == "bytesValue" and isinstance(inner, str):
        return inner
    raise SourceError(
        file, "unreadable attribute value", column=where, expected="an OTLP AnyValue", found=value
    )


def _list(value: Any, file: str, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SourceError(
            file, "wrong JSON shape", column=where, expected="a list", found=type(value).__name__
        )
    return value


def _object(value: Any, file: str, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SourceError(
            file, "wrong JSON shape", column=where, expected="an object", found=type(value).__name__
        )
    return value


def attributes(items: Any, file: str, where: str) -> dict[str, Any]:
    """An OTLP attribute list (`[{key, value: AnyValue}]`) as a dict."""
    out: dict[str, Any] = {}
    for item in _list(items, file, where):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise SourceError(file, "not an attribute", column=where, expected="{key, value}", found=item)
        out[item["key"]] = any_value(item.get("value") or {}, file, f"{where}.{item['key']}")
    return out


def _nanos(value: Any, file: str, where: str) -> int | None:
    """Unix nanoseconds (a decimal string or an integer) in the allowed years; None when absent or 0."""
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise SourceError(
            file, "not a time", column=where, expected="Unix nanoseconds as digits", found=value
        )
    ns = int(value)
    if not epoch_in_range(ns / 1e9):
        raise SourceError(
            file, "time out of range", column=where, expected="Unix nanoseconds, 1970 to 2200", found=value
        )
    return ns


def _count(attrs: dict[str, Any], keys: tuple[str, ...], file: str, where: str) -> float | None:
    for key in keys:
        if key in attrs and attrs[key] is not None:
            value = attrs[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not (0 <= value <= MAX_COUNT):
                raise SourceError(
                    file, "not a token count", column=f"{where}.{key}",
                    expected=f"a whole number from 0 to {MAX_COUNT:.0e}", found=value,
                )  # fmt: skip
            if value != int(value):
                raise SourceError(
                    file, "not a token count", column=f"{where}.{key}", expected="a whole number", found=value
                )
            return float(value)
    return None


def documents(path: Path) -> list[Any]:
    """The OTLP/JSON documents of one file: JSON Lines (the file exporter) or one JSON document."""
    kind = file_format(path)
    if kind == "jsonl":
        return read_jsonl(path)
    if kind == "json":
        doc = read_json(path)
        return doc if isinstance(doc, list) else [doc]
    raise SourceError(
        str(path), "unsupported file type", expected=".json or .jsonl (gzip allowed)", found=path.suffix
    )


def spans_of(doc: Any, file: str, line: int) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(resource attributes, span) of one ExportTraceServiceRequest document."""
    where = f"line {line}"
    if not isinstance(doc, dict) or "resourceSpans" not in doc:
        raise SourceError(
            file, "not an OTLP trace export", line=line, column="resourceSpans",
            expected='an object with "resourceSpans"', found=type(doc).__name__ if not isinstance(doc, dict) else sorted(doc)[:5],
        )  # fmt: skip
    for i, rs in enumerate(_list(doc["resourceSpans"], file, f"{where}: resourceSpans")):
        rs = _object(rs, file, f"{where}: resourceSpans[{i}]")
        resource = _object(rs.get("resource"), file, f"{where}: resourceSpans[{i}].resource")
        res_attrs = attributes(resource.get("attributes"), file, f"{where}: resource.attributes")
        for j, ss in enumerate(_list(rs.get("scopeSpans"), file, f"{where}: resourceSpans[{i}].scopeSpans")):
            ss = _object(ss, file, f"{where}: scopeSpans[{j}]")
            for k, span in enumerate(_list(ss.get("spans"), file, f"{where}: scopeSpans[{j}].spans")):
                yield res_attrs, _object(span, file, f"{where}: spans[{k}]")


class _Span:
    __slots__ = (
        "trace",
        "id",
        "parent",
        "op",
        "attrs",
        "resource",
        "start",
        "end",
        "failed",
        "events",
        "where",
    )

    def __init__(self, resource: dict, span: dict, file: str, where: str):
        attrs = attributes(span.get("attributes"), file, f"{where}.attributes")
        self.trace = str(span.get("traceId") or "")
        self.id = str(span.get("spanId") or "")
        self.parent = str(span.get("parentSpanId") or "")
        self.op = attrs.get("gen_ai.operation.name")
        if self.op is not None and not isinstance(self.op, str):
            raise SourceError(file, "not an operation name", column=f"{where}.attributes.gen_ai.operation.name",
                              expected="a string such as chat or invoke_agent", found=self.op)  # fmt: skip
        self.attrs, self.resource, self.where = attrs, resource, where
        self.start = _nanos(span.get("startTimeUnixNano"), file, f"{where}.startTimeUnixNano")
        self.end = _nanos(span.get("endTimeUnixNano"), file, f"{where}.endTimeUnixNano")
        if self.start is None:
            raise SourceError(
                file, "missing start time", column=f"{where}.startTimeUnixNano", expected="Unix nanoseconds"
            )
        if self.end is not None and self.end < self.start:
            raise SourceError(file, "ends before it starts", column=f"{where}.endTimeUnixNano",
                              expected=f"at least startTimeUnixNano ({self.start})", found=self.end)  # fmt: skip
        status = _object(span.get("status"), file, f"{where}.status")
        code = status.get("code")
        if code is not None and (isinstance(code, bool) or not isinstance(code, int | str)):
            raise SourceError(file, "not a status code", column=f"{where}.status.code",
                              expected="0, 1, 2 or a STATUS_CODE_ name", found=code)  # fmt: skip
        self.failed = status.get("code") in ERROR_CODES or attrs.get("error.type") not in (None, "")
        self.events = _list(span.get("events"), file, f"{where}.events")

    @property
    def llm_call(self) -> bool:
        return self.op not in AGENT_OPERATIONS and self.op not in TOOL_OPERATIONS


def _eval_records(span: _Span, file: str, segment: str | None) -> list[dict[str, Any]]:
    out = []
    for n, event in enumerate(span.events):
        event = _object(event, file, f"{span.where}.events[{n}]")
        if event.get("name") != "gen_ai.evaluation.result":
            continue
        attrs = attributes(event.get("attributes"), file, f"{span.where}.events[{n}].attributes")
        model = span.attrs.get("gen_ai.response.model") or span.attrs.get("gen_ai.request.model")
        if model is not None:
            attrs.setdefault("gen_ai.response.model", model)
        if segment and segment not in attrs:
            value = span.attrs.get(segment, span.resource.get(segment))
            if value is not None:
                attrs[segment] = value
        out.append({"eventName": event["name"], "timeUnixNano": event.get("timeUnixNano") or span.end or span.start,
                    "attributes": attrs, "resource": span.resource})  # fmt: skip
    return out


def tasks(spans: list[_Span], component_attribute: str) -> dict[str, list]:
    """One row per task (a GenAI span without a GenAI ancestor), with the tokens of its LLM calls."""
    by_id = {(s.trace, s.id): s for s in spans}
    genai = [s for s in spans if s.op is not None]
    root_of: dict[tuple[str, str], _Span] = {}

    def root(s: _Span) -> _Span:
        top, seen, cur = s, set(), s
        while cur.parent and (cur.trace, cur.parent) in by_id and (cur.trace, cur.parent) not in seen:
            seen.add((cur.trace, cur.parent))
            cur = by_id[(cur.trace, cur.parent)]
            if cur.op is not None:
                top = cur
        return top

    members: dict[tuple[str, str], list[_Span]] = {}
    for s in genai:
        r = root_of.setdefault((s.trace, s.id), root(s))
        members.setdefault((r.trace, r.id), []).append(s)
    rows: dict[str, list] = {k: [] for k in ("request_id", "start_time", "end_time", "status", "component",
                                             "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
                                             "provider")}  # fmt: skip
    for key in sorted(members, key=lambda k: (by_id[k].start, k)):
        task, parts = by_id[key], members[key]
        calls = [p for p in parts if p.llm_call]
        counted = calls or [task]
        totals = {"input": [], "output": [], "cache": [], "write": []}
        for p in counted:
            totals["input"].append(p.attrs.get(INPUT))
            totals["output"].append(p.attrs.get(OUTPUT))
            totals["cache"].append(next((p.attrs[k] for k in CACHE_READ if p.attrs.get(k) is not None), None))
            totals["write"].append(
                next((p.attrs[k] for k in CACHE_WRITE if p.attrs.get(k) is not None), None)
            )
        rows["request_id"].append(f"{task.trace}/{task.id}")
        rows["start_time"].append(task.start)
        rows["end_time"].append(task.end)
        rows["status"].append("error" if task.failed else "ok")
        comp = task.attrs.get(component_attribute, task.resource.get(component_attribute))
        rows["component"].append(None if comp is None else str(comp))
        provider = next((p.attrs.get("gen_ai.provider.name") or p.attrs.get("gen_ai.system") for p in counted
                         if p.attrs.get("gen_ai.provider.name") or p.attrs.get("gen_ai.system")), None)  # fmt: skip
        rows["provider"].append(provider)
        cache_sum, write_sum = _sum(totals["cache"]), _sum(totals["write"])
        input_sum = _sum(totals["input"])
        cached = (cache_sum or 0.0) + (write_sum or 0.0)
        rows["input_tokens"].append(None if input_sum is None else max(input_sum - cached, 0.0))
        rows["cache_write_tokens"].append(write_sum)
        rows["output_tokens"].append(_sum(totals["output"]))
        rows["cache_read_tokens"].append(cache_sum)
    return rows


def _sum(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(sum(known)) if known else None


class OtelGenAiCollector(Collector):
    type = "otel_genai"
    Options = OtelGenAiOptions

    def collect(self, options: OtelGenAiOptions, ctx: CollectContext) -> Batch:
        spans: list[_Span] = []
        eval_records: list[dict[str, Any]] = []
        files, rows, other_spans = [], 0, 0
        for path in expand_paths(ctx, options.path):
            file, count = str(path), 0
            for line, doc in enumerate(documents(path), start=1):
                for k, (resource, raw) in enumerate(spans_of(doc, file, line)):
                    span = _Span(resource, raw, file, f"line {line}: span {k + 1}")
                    count += 1
                    if span.op is None:
                        other_spans += 1
                    for name in (INPUT, OUTPUT, *CACHE_READ, *CACHE_WRITE):
                        _count(span.attrs, (name,), file, f"{span.where}.attributes")
                    spans.append(span)
                    eval_records.extend(_eval_records(span, file, options.segment_attribute))
            rows += count
            files.append(input_file(ctx, path, count))
        label = ", ".join(f.path for f in files) or options.path
        table = tasks(spans, options.component_attribute)
        batch = self._requests(table, options, ctx, files, rows, label)
        # eval rows only: the quality section reads them (pass rates, segments); no eval_pass_rate samples,
        # so a trace source never competes with an evals source for the same series
        batch.evals, evals_summary, eval_warnings = self._evals(eval_records, options, ctx, label)
        llm_calls = sum(1 for s in spans if s.op is not None and s.llm_call)
        batch.summary.update(
            tasks=len(table["request_id"]), llm_calls=llm_calls, spans_without_genai=other_spans,
            providers=sorted({p for p in table["provider"] if p}), **evals_summary,
        )  # fmt: skip
        batch.warnings.extend(eval_warnings)
        return batch

    def _requests(self, table: dict[str, list], options: OtelGenAiOptions, ctx: CollectContext,
                  files: list, rows: int, label: str) -> Batch:  # fmt: skip
        lr = LlmRequestsOptions(type="llm_requests", path=options.path, format="generic",
                                interval=options.interval, components=options.components)  # fmt: skip
        ids = sorted(ctx.config.component_ids)
        columns = {k: v for k, v in table.items() if k != "provider"}
        if not columns["request_id"]:
            return Batch(files=files, rows=rows, summary={"requests": 0})
        for name in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
            if all(v is None for v in columns[name]):
                del columns[name]  # the traces carry no such count: the signal is absent, not zero
        arrays = {
            k: pa.array(
                v,
                type=pa.timestamp("ns", tz="UTC") if k in ("start_time", "end_time")
                else pa.float64() if k.endswith("_tokens") else pa.string(),
            )
            for k, v in columns.items()
        }  # fmt: skip
        part = normalise(Table(pa.table(arrays), GENERIC.fields, label, 0), lr, GENERIC, "UTC", ids)
        req = part.requests
        exact, conflicting, keep = duplicates(req, [part.ids] if part.ids is not None else None)
        dropped = req.component < 0
        req = req.take(keep & ~dropped)
        used = [ids[c] for c in np.unique(req.component)]
        requests, failed = len(req.start_ns), int((~req.good).sum())
        span = (int(req.start_ns.min()), int(req.start_ns.max())) if len(req.start_ns) else None
        sums = sorted(req.sums)
        names = signal_names(False, sums)
        samples = aggregate(req, int(options.interval.total_seconds() * 1e9), names)
        state = {"span_ns": list(span) if span else None, "ttft": False, "sums": sums, "request_ids": True,
                 "unknown_components": sorted(part.others), "skipped": 0, "notes": []}  # fmt: skip
        counts = {"requests": requests, "failed": failed, "dropped_other_components": int(dropped.sum()),
                  "duplicates_conflicting": conflicting, "components": used}  # fmt: skip
        return _batch(samples, names, ids, ctx, lr, files, rows, exact, counts, state)

    def _evals(self, records: list[dict[str, Any]], options: OtelGenAiOptions, ctx: CollectContext,
               label: str) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:  # fmt: skip
        if not records:
            return conform("evals", pd.DataFrame(columns=["ts", "component", "model_version", "eval_name", "passed", "total", "source"])), {}, []  # fmt: skip
        eo = EvalsOptions(type="evals", path=options.path, format="otel", components=options.components,
                          component_attribute=options.component_attribute, pass_threshold=options.pass_threshold,
                          run_interval=options.run_interval, segment_attribute=options.segment_attribute)  # fmt: skip
        cases, _ = otel_cases(records, eo, ctx.tz, label)
        cases, duplicates_dropped = drop_duplicates(cases.assign(total=1, run=None))
        runs = _runs(cases, options.run_interval)
        mapped, keep, warning = map_components(
            runs["component"], options.components, ctx.config.component_ids
        )
        runs = runs.assign(component=mapped.to_numpy()).loc[keep]
        runs = runs.sort_values(["ts", "component", "model_version", "eval_name", "segment"], kind="stable")
        evals = conform("evals", runs.assign(source=ctx.source_id))
        summary = {"eval_cases": int(evals["total"].sum()), "eval_runs": len(evals)}
        return evals, summary, [warning] if warning else []
