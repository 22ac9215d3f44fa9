"""Request-level LLM logs (`type: llm_requests`): LiteLLM, Helicone, Langfuse or a generic table.

Per component and `interval` (default 5m, intervals aligned to the Unix epoch in UTC) the collector derives
requests_total, requests_good, latency_p50/p95/p99_ms, ttft_p95_ms, tokens_input (uncached),
tokens_output, tokens_cache_read, tokens_cache_write and cost_requests, each only where the log has the
field. Latency is end − start when both exist, else the vendor's latency column (`latency_unit` overrides
its unit; for Langfuse it is inferred from rows that have both). TTFT is first-token time − start, else
the vendor's TTFT column. Rows with the same request id are one request: exact repeats are dropped and
counted, repeats that differ are dropped too and reported in a warning (the first row wins).

This is the high-volume input. Rows are aggregated by the configured engine (`collectors.engine`, docs/
engines.md) with one Ibis query (`query`): embedded DuckDB by default, which scans Parquet, CSV and JSONL files
itself (`scan`) after a validation query; files it does not read with the same meaning, and files with a
bad row, are read column-wise by the careful reader (`reading`, `normalise`), whose errors name the file,
row, column, expected and found, and its rows go to the same query. See `formats` for each vendor's columns.

A new file appended to the source (a new day) is read alone and joined to the cached batch by `combine`
when no interval holds requests of both (then no request can repeat across them).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import pyarrow as pa
from pydantic import field_validator

from ...config import Duration
from ...errors import SourceError
from ...model import InputFile
from ..base import Batch, CollectContext, Collector, SourceOptions
from ..engine import Engine, engine_for
from ..io import expand_paths, input_file
from . import jsonl, query, scan
from .aggregate import (
    SUM_SIGNALS,
    Samples,
    merge,
    samples_frame,
    samples_of,
    signal_names,
)
from .formats import FIELDS, FORMATS, FormatSpec
from .normalise import DICTIONARY_FIELDS, Part, Table, failed, normalise, value_codes
from .query import rows_table
from .reading import batches
from .table import collect_table, table_fingerprint

WORKERS = max(1, min(4, os.cpu_count() or 1))  # files read and blocks aggregated at the same time
CHUNK_ROWS = 5_000_000  # rows of files aggregated by one query when files can be cut between intervals
T = TypeVar("T")
R = TypeVar("R")


class LlmRequestsOptions(SourceOptions):
    path: str | None = None  # files, or `table` (a table of the engine, e.g. logs.llm_requests)
    format: Literal["litellm", "helicone", "langfuse", "generic"] = "generic"
    interval: Duration = dt.timedelta(minutes=5)
    component_from: str | None = None  # column or `column.key` path; default per format
    components: dict[str, str] = {}
    latency_unit: Literal["s", "ms"] | None = None
    columns: dict[str, str] = {}  # field -> column path, overriding the format's defaults
    allow_negative_cost: bool = (
        False  # refunds logged as negative costs; otherwise a negative cost is an error
    )

    @field_validator("columns")
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown fields {unknown} (known: {list(FIELDS)})")
        return value

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: dt.timedelta) -> dt.timedelta:
        if value.total_seconds() < 1:
            raise ValueError("interval must be at least 1s")
        return value


def _candidates(options: LlmRequestsOptions, spec: FormatSpec) -> dict[str, tuple[str, ...]]:
    fields = dict(spec.fields)
    fields.update({k: (v,) for k, v in options.columns.items()})
    if options.component_from:
        fields["component"] = (options.component_from,)
    return fields


def _in_order(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """fn over items on WORKERS threads (pyarrow and numpy release the GIL); results and the first error
    come in item order, as a loop would give them."""
    if len(items) < 2 or WORKERS < 2:
        return [fn(item) for item in items]
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="llm-requests")
    try:
        futures = [pool.submit(fn, item) for item in items]
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _FileRead:
    file: InputFile
    parts: list[Part]


class LlmRequestsCollector(Collector):
    type = "llm_requests"
    Options = LlmRequestsOptions
    uses_engine = True

    def collect(self, options: LlmRequestsOptions, ctx: CollectContext) -> Batch:
        spec = FORMATS[options.format]
        fields = _candidates(options, spec)
        paths = {p for candidates in fields.values() for p in candidates}
        roots = paths | {p.split(".")[0] for p in paths}
        # few distinct values (status, component), or JSON text that often repeats: read as dictionaries
        dictionary = {p for name in DICTIONARY_FIELDS for p in fields.get(name, ())}
        dictionary |= {p.split(".")[0] for p in paths if "." in p}
        tz = options.timezone or ("UTC" if spec.naive_utc else ctx.tz.key)
        ids = sorted(ctx.config.component_ids)

        def read(path: Path) -> _FileRead:
            parts, count = [], 0
            for table in batches(path, roots, dictionary):
                t = Table(table, fields, str(path), count)
                count += table.num_rows
                parts.append(normalise(t, options, spec, tz, ids))
                del t, table  # free the Arrow columns before the next table
                pa.default_memory_pool().release_unused()
            starts = [part.requests.start_ns for part in parts if len(part.requests.start_ns)]
            span = np.array([min(x.min() for x in starts), max(x.max() for x in starts)]) if starts else None
            return _FileRead(input_file(ctx, path, count, span), parts)

        if options.table is not None:
            out = collect_table(options, ctx, fields, spec, tz, ids, _step_ns(options))
            if isinstance(out, Batch):
                return out
            return _finish(
                out.samples, out.stats, out.names, ids, ctx, options, [out.file], out.rows, out.state
            )
        paths_in = expand_paths(ctx, options.path)
        engine = engine_for(ctx.config.engine, ctx.project_dir)
        scanned = _scan(engine, paths_in, fields, options, spec, tz, ids, ctx)
        if scanned is not None:
            return scanned
        reads = _in_order(read, paths_in)
        files = [r.file for r in reads]
        rows = sum(f.rows for f in files)
        parts = [part for r in reads for part in r.parts]
        del reads
        if not parts:  # readable files with a header and no rows
            return Batch(files=files, rows=rows, summary={"requests": 0})
        ttft = all(p.requests.ttft_ms is not None for p in parts)
        sums = [k for k in SUM_SIGNALS if all(k in p.requests.sums for p in parts)]
        with_ids = all(p.ids is not None for p in parts)
        names = signal_names(ttft, sums)
        tables, at = [], 0
        for p in parts:  # what one block lacks, the whole source lacks
            req, n = p.requests, len(p.requests.start_ns)
            tables.append(
                rows_table(
                    np.arange(at, at + n), req.component, req.start_ns, req.good, req.latency_ms,
                    req.ttft_ms if ttft else None, {k: req.sums[k] for k in sums}, p.ids if with_ids else None,
                )
            )  # fmt: skip
            at += n
            p.requests, p.ids = None, None  # type: ignore[assignment]
        table = pa.concat_tables(tables)
        del tables
        limit = engine.piece_rows
        cut = [table] if limit is None else query.pieces(table, _step_ns(options), limit)
        del table
        memtables = [engine.memtable(x) for x in cut]
        samples, stats = query.run(engine, memtables, _step_ns(options), names, options.path)
        del cut, memtables
        state = {
            "ttft": ttft,
            "sums": sums,
            "request_ids": with_ids,
            "unknown_components": sorted(set().union(*(p.others for p in parts))),
            "skipped": sum(p.skipped for p in parts),
            "notes": sorted(set().union(*(p.notes for p in parts))),
        }
        return _finish(samples, stats, names, ids, ctx, options, files, rows, state)

    def fingerprint(self, options: LlmRequestsOptions, ctx: CollectContext) -> str:
        return table_fingerprint(options, ctx, _candidates(options, FORMATS[options.format]))

    def combine(
        self, old: Batch, new: Batch, options: LlmRequestsOptions, ctx: CollectContext
    ) -> Batch | None:
        """Exact when no interval holds requests of both (then no request can be repeated across them)."""
        a, b = old.state, new.state
        if not a.get("span_ns") or not b.get("span_ns"):
            return None
        if any(a.get(k) != b.get(k) for k in ("ttft", "sums", "request_ids")):
            return None
        step_ns = _step_ns(options)
        (a0, a1), (b0, b1) = ((s[0] // step_ns, s[1] // step_ns) for s in (a["span_ns"], b["span_ns"]))
        if a1 < b0:
            in_time = [old, new]
        elif b1 < a0:
            in_time = [new, old]
        else:
            return None
        ids = sorted(ctx.config.component_ids)
        names = signal_names(a["ttft"], a["sums"])
        parts = [samples_of(x.samples, names, ids) for x in in_time]
        if any(p is None for p in parts):
            return None
        samples = merge(parts, len(ids))  # type: ignore[arg-type]
        state = {
            "span_ns": [min(a["span_ns"][0], b["span_ns"][0]), max(a["span_ns"][1], b["span_ns"][1])],
            "ttft": a["ttft"],
            "sums": a["sums"],
            "request_ids": a["request_ids"],
            "unknown_components": sorted(set(a["unknown_components"]) | set(b["unknown_components"])),
            "skipped": a["skipped"] + b["skipped"],
            "notes": sorted(set(a["notes"]) | set(b["notes"])),
        }
        counts: dict[str, Any] = {
            k: old.summary[k] + new.summary[k]
            for k in ("requests", "failed", "dropped_other_components", "duplicates_conflicting")
        }
        counts["components"] = sorted(set(old.summary["components"]) | set(new.summary["components"]))
        files, rows = [*old.files, *new.files], old.rows + new.rows
        exact = old.duplicates_dropped + new.duplicates_dropped
        return _batch(samples, names, ids, ctx, options, files, rows, exact, counts, state)


def _finish(
    samples: Samples,
    stats: dict[str, Any],
    names: list[str],
    ids: list[str],
    ctx: CollectContext,
    options: LlmRequestsOptions,
    files: list[InputFile],
    rows: int,
    state: dict[str, Any],
) -> Batch:
    span = stats["span_ns"]
    state = {"span_ns": list(span) if span else None, **state}
    counts = {
        "requests": stats["requests"],
        "failed": stats["requests"] - stats["good"],
        "dropped_other_components": stats["dropped"],
        "duplicates_conflicting": stats["conflicting"],
        "components": [ids[c] for c in stats["components"]],
    }
    return _batch(samples, names, ids, ctx, options, files, rows, stats["exact"], counts, state)


def _scan(
    engine: Engine,
    paths: list[Path],
    fields: dict[str, tuple[str, ...]],
    options: LlmRequestsOptions,
    spec: FormatSpec,
    tz: str,
    ids: list[str],
    ctx: CollectContext,
) -> Batch | None:
    """The batch from DuckDB scanning the files itself, or None when the careful reader must read them
    (a file or column the scan does not read with the same meaning, or a row that breaks a rule: the
    careful reader then raises the error that names it)."""
    p = scan.plan(engine, paths, fields, options, spec, tz)
    if p is None:
        return None
    cols = scan.columns(p)
    stats = scan.validate(engine, p, cols)
    if stats is None or any(st.bad for st in stats):
        return None
    files = [
        input_file(ctx, path, st.rows, None if st.first_ns is None else np.array([st.first_ns, st.last_ns]))
        for path, st in zip(paths, stats, strict=True)
    ]
    rows = sum(st.rows for st in stats)
    if not rows:
        return Batch(files=files, rows=rows, summary={"requests": 0})
    units = []
    for st in stats:
        unit = {}
        for k in ("latency", "ttft"):
            ratio = st.ratios.get(k)
            unit[k] = options.latency_unit or (
                spec.latency_unit if ratio is None else "s" if ratio < 0.03 else "ms"
            )
        units.append(unit)
    values = {v for st in stats for v in st.components}
    statuses = sorted({v for st in stats for v in st.statuses})
    if p.kind == "jsonl":  # JSON texts: decoded, and typed as the careful reader types the column
        text = jsonl.component_values(list(values))
        failures = jsonl.status_failures(statuses, failed)
        if text is None or failures is None:
            return None
        codes, others = value_codes(
            set(text.values()) | ({None} if None in values else set()), options.components, ids
        )
        codes = {raw: codes[value] for raw, value in text.items() if value in codes}
    else:
        codes, others = value_codes(values, options.components, ids)
        failures = [
            v for v, bad in zip(statuses, failed(pa.array(statuses, pa.string())), strict=True) if bad
        ]
    ttft = "ttft_ms" in cols.values
    sums = [k for k in SUM_SIGNALS if k in cols.values]
    names = signal_names(ttft, sums)
    parts = scan.chunks(stats, _step_ns(options), CHUNK_ROWS)
    try:
        samples, result = query.run(
            engine,
            [scan.relation(engine, p, cols, units, codes, failures, files=part) for part in parts],
            _step_ns(options),
            names,
            options.path,
            ordered=p.kind in ("csv", "jsonl"),
            repeats=[scan.may_repeat([stats[i] for i in part]) for part in parts],
        )
    except SourceError as err:
        # The aggregation parses the token and cost cells itself (`scan.Columns.late`): DuckDB refusing
        # one (invalid JSON) sends the files to the careful reader, which names the row; running out of
        # memory stays the engine's error.
        if (cols.late or p.kind == "jsonl") and "OutOfMemory" not in str(err.found):
            return None
        raise
    if result["bad"]:  # a token or cost cell breaks a rule: the careful reader names it
        return None
    notes = [] if "status" in p.fields else ["no status column: every request is counted as successful"]
    state = {
        "ttft": ttft,
        "sums": sums,
        "request_ids": "id" in cols.values,
        "unknown_components": sorted(others),
        "skipped": 0,
        "notes": notes,
    }
    return _finish(samples, result, names, ids, ctx, options, files, rows, state)


def _step_ns(options: LlmRequestsOptions) -> int:
    return int(options.interval.total_seconds() * 1e9)


def _batch(
    samples: Samples,
    names: list[str],
    ids: list[str],
    ctx: CollectContext,
    options: LlmRequestsOptions,
    files: list[InputFile],
    rows: int,
    duplicates_dropped: int,
    counts: dict[str, Any],
    state: dict[str, Any],
) -> Batch:
    """The batch: totals are exact sums (math.fsum) of the per-interval sums, so that blocks and appended
    files give the same figures as one pass; warnings follow from the counts and the state."""
    totals = {k: math.fsum(samples.value[samples.signal == names.index(k)].tolist()) for k in state["sums"]}
    billable = sum(totals.get(k, 0.0) for k in ("tokens_input", "tokens_cache_read", "tokens_cache_write"))
    cache_hit_rate = (
        totals["tokens_cache_read"] / billable if "tokens_cache_read" in totals and billable else None
    )
    warnings = []
    dropped = counts["dropped_other_components"]
    if dropped:
        shown = state["unknown_components"][:5]
        warnings.append(f"{dropped} requests dropped: components not in sentinel.yaml {shown}")
    if counts["duplicates_conflicting"]:
        warnings.append(
            f"{counts['duplicates_conflicting']} rows repeat a request id with different values; the first was kept"
        )
    if state["skipped"]:
        warnings.append(f"{state['skipped']} observations that are not LLM generations ignored")
    warnings += state["notes"]
    return Batch(
        samples=samples_frame(samples, names, ids, ctx.source_id),
        files=files,
        rows=rows,
        duplicates_dropped=duplicates_dropped,
        warnings=warnings,
        summary={
            "requests": counts["requests"],
            "failed": counts["failed"],
            "interval_seconds": options.interval.total_seconds(),
            "components": counts["components"],
            "totals": totals,
            "cache_hit_rate": cache_hit_rate,
            "dropped_other_components": dropped,
            "duplicates_conflicting": counts["duplicates_conflicting"],
        },
        state=state,
    )
