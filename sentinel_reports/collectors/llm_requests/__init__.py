"""Request-level LLM logs (`type: llm_requests`): LiteLLM, Helicone, Langfuse or a generic table.

Per component and `interval` (default 5m, intervals aligned to the Unix epoch in UTC) the collector derives
requests_total, requests_good, latency_p50/p95/p99_ms, ttft_p95_ms, tokens_input (uncached),
tokens_output, tokens_cache_read, tokens_cache_write and cost_requests, each only where the log has the
field. Latency is end − start when both exist, else the vendor's latency column (`latency_unit` overrides
its unit; for Langfuse it is inferred from rows that have both). TTFT is first-token time − start, else
the vendor's TTFT column. Rows with the same request id are one request: exact repeats are dropped and
counted, repeats that differ are dropped too and reported in a warning (the first row wins).

This is the high-volume input: files are read column-wise with pyarrow (only needed columns) and
aggregated with numpy, never row by row. See `formats` for each vendor's columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import field_validator

from ...config import Duration
from ...errors import SourceError
from ..base import Batch, CollectContext, Collector, SourceOptions, expand_paths, input_file, register
from .aggregate import Requests, aggregate
from .formats import FAILURE_WORDS, FIELDS, FORMATS, FormatSpec
from .reading import batches, extract, to_epoch_ns, to_float, to_text

TEXT_FIELDS = ("id", "status", "component", "kind")


class LlmRequestsOptions(SourceOptions):
    format: Literal["litellm", "helicone", "langfuse", "generic"] = "generic"
    interval: Duration = dt.timedelta(minutes=5)
    component_from: str | None = None  # column or `column.key` path; default per format
    components: dict[str, str] = {}
    latency_unit: Literal["s", "ms"] | None = None
    columns: dict[str, str] = {}  # field -> column path, overriding the format's defaults

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


def _failed(status: pa.Array) -> np.ndarray:
    """True where the status says the request failed: a failure word or an HTTP code outside 2xx."""
    if pa.types.is_integer(status.type) or pa.types.is_floating(status.type):
        code = status.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return ~np.isnan(code) & ((code < 200) | (code >= 300))
    if pa.types.is_boolean(status.type):
        return ~pc.fill_null(status, True).to_numpy(zero_copy_only=False)
    text = pc.utf8_lower(pc.utf8_trim_whitespace(to_text(status)))
    word = pc.is_in(text, value_set=pa.array(FAILURE_WORDS)).to_numpy(zero_copy_only=False)
    digits = pc.fill_null(pc.utf8_is_digit(text), False)
    code = pc.if_else(digits, text, pa.scalar("200")).cast(pa.int64()).to_numpy(zero_copy_only=False)
    return word | (code < 200) | (code >= 300)


class _File:
    """Normalises one file's columns into a `Requests` block."""

    def __init__(self, table: pa.Table, fields: dict[str, tuple[str, ...]], file: str, offset: int):
        self.table, self.fields, self.file, self.used, self.cache = table, fields, file, {}, {}
        self.offset = offset  # rows of the file before this batch, for error row numbers
        self.json_paths: dict[str, list] = {}
        for field, paths in fields.items():
            for path in paths:
                root, *keys = path.split(".")
                if keys:
                    self.json_paths.setdefault(root, []).append((tuple(keys), field not in TEXT_FIELDS))

    def get(self, field: str):
        for path in self.fields.get(field, ()):
            col = extract(self.table, path, self.file, self.json_paths, self.cache, self.offset)
            if col is not None:
                self.used[field] = path
                return col
        return None

    def number(self, field: str) -> np.ndarray | None:
        col = self.get(field)
        return None if col is None else to_float(col, self.file, self.used[field], self.offset)

    def time(self, field: str, tz: str) -> tuple[np.ndarray, np.ndarray] | None:
        col = self.get(field)
        return None if col is None else to_epoch_ns(col, tz, self.file, self.used[field], self.offset)


def _required(f: _File, field: str) -> None:
    raise SourceError(
        f.file,
        "missing column",
        column=" or ".join(f.fields.get(field, ())) or field,
        expected=f"the {field} column of this format (set `columns:` or `component_from:` to name it)",
        found=sorted(f.table.column_names)[:12],
    )


def _duration(f: _File, start: np.ndarray, b: tuple | None, column: str, unit: str | None, default: str):
    """ms between start and b where known, else the duration column (in `unit`; inferred when None)."""
    out = None
    if b is not None:
        end, valid = b
        out = np.where(valid, (end - start) / 1e6, np.nan)
        negative = out < 0
        if negative.any():
            i = int(negative.nonzero()[0][0])
            raise SourceError(f.file, "ends before it starts", row=f.offset + i + 1, column=f.used[f"{column}_end"],
                              expected="a time after the start", found=pd.Timestamp(int(end[i]), tz="UTC"))  # fmt: skip
    given = f.number(column)
    if given is None:
        return out
    if unit is None:
        both = ~np.isnan(given) & (given > 0) & (~np.isnan(out) & (out > 0) if out is not None else False)
        ratio = float(np.median(given[both] / out[both])) if out is not None and both.any() else None
        unit = default if ratio is None else "s" if ratio < 0.03 else "ms"
    given = given * (1000.0 if unit == "s" else 1.0)
    return given if out is None else np.where(np.isnan(out), given, out)


@register
class LlmRequestsCollector(Collector):
    type = "llm_requests"
    Options = LlmRequestsOptions

    def collect(self, options: LlmRequestsOptions, ctx: CollectContext) -> Batch:
        spec = FORMATS[options.format]
        fields = _candidates(options, spec)
        paths = {p for candidates in fields.values() for p in candidates}
        roots = paths | {p.split(".")[0] for p in paths}
        tz = options.timezone or ("UTC" if spec.naive_utc else ctx.tz.key)
        ids = sorted(ctx.config.component_ids)
        parts, id_parts, files, rows, skipped, others, notes = [], [], [], 0, 0, set(), set()
        for path in expand_paths(ctx, options.path):
            count = 0
            for table in batches(path, roots):
                f = _File(table, fields, str(path), count)
                count += table.num_rows
                kind = f.get("kind")
                if kind is not None and spec.kinds:
                    keep = pc.is_in(to_text(kind), value_set=pa.array(spec.kinds)).to_numpy(
                        zero_copy_only=False
                    )
                    skipped += int((~keep).sum())
                    f.table = f.table.filter(pa.array(keep))
                    f.cache.clear()
                block, id_col = _normalise(f, options, spec, tz, ids, others, notes)
                parts.append(block)
                id_parts.append(id_col)
                del f, table  # free the Arrow columns before the next batch
                pa.default_memory_pool().release_unused()
            rows += count
            files.append(input_file(ctx, path, count))
        if not parts:  # readable files with a header and no rows
            return Batch(files=files, rows=rows, summary={"requests": 0})
        req = Requests.concat(parts)
        del parts
        duplicates, conflicting, keep = _duplicates(req, id_parts)
        del id_parts
        dropped = req.component < 0
        if not keep.all() or dropped.any():
            req = req.take(keep & ~dropped)
        warnings = []
        if dropped.any():
            shown = sorted(others)[:5]
            warnings.append(f"{int(dropped.sum())} requests dropped: components not in sentinel.yaml {shown}")
        if conflicting:
            warnings.append(
                f"{conflicting} rows repeat a request id with different values; the first was kept"
            )
        if skipped:
            warnings.append(f"{skipped} observations that are not LLM generations ignored")
        warnings += sorted(notes)
        totals = {k: float(np.nansum(v)) for k, v in req.sums.items()}
        billable = sum(
            totals.get(k, 0.0) for k in ("tokens_input", "tokens_cache_read", "tokens_cache_write")
        )
        cache_hit_rate = (
            totals["tokens_cache_read"] / billable if "tokens_cache_read" in totals and billable else None
        )
        requests, failed = len(req.start_ns), int((~req.good).sum())
        used = [ids[c] for c in np.unique(req.component)]
        pa.default_memory_pool().release_unused()
        # Built with the canonical columns and dtypes (a test checks it equals model.conform's result);
        # conform's defensive copy would double the peak memory of tens of millions of samples.
        samples = aggregate(req, int(options.interval.total_seconds() * 1e9), ids, ctx.source_id)
        return Batch(
            samples=samples,
            files=files,
            rows=rows,
            duplicates_dropped=duplicates,
            warnings=warnings,
            summary={
                "requests": requests,
                "failed": failed,
                "interval_seconds": options.interval.total_seconds(),
                "components": used,
                "totals": totals,
                "cache_hit_rate": cache_hit_rate,
                "dropped_other_components": int(dropped.sum()),
                "duplicates_conflicting": conflicting,
            },
        )


def _normalise(f: _File, options, spec: FormatSpec, tz: str, ids: list[str], others: set, notes: set):
    """One file's rows as a Requests block and its request ids (None when the log has no id column)."""
    n = f.table.num_rows
    start = f.time("start", tz)
    if start is None:
        _required(f, "start")
    start_ns, valid = start
    if not valid.all():
        i = int((~valid).nonzero()[0][0])
        raise SourceError(
            f.file, "missing timestamp", row=f.offset + i + 1, column=f.used["start"], expected="a timestamp"
        )
    component = f.get("component")
    if component is None:
        _required(f, "component")
    encoded = pc.dictionary_encode(to_text(component))
    vendor = encoded.dictionary.to_pylist()
    mapped = [options.components.get(v, v) for v in vendor]
    lut = np.array([ids.index(m) if m in ids else -1 for m in mapped] + [-1], dtype="int64")
    indices = encoded.indices.fill_null(len(vendor)).to_numpy(zero_copy_only=False)
    codes = lut[indices]
    others.update(str(m) for m in mapped if m not in ids)
    if (indices == len(vendor)).any():
        others.add("(no value)")
    end, first = f.time("end", tz), f.time("first_token", tz)
    f.used["latency_end"], f.used["ttft_end"] = f.used.get("end"), f.used.get("first_token")
    latency = _duration(f, start_ns, end, "latency", options.latency_unit, spec.latency_unit)
    ttft = _duration(f, start_ns, first, "ttft", options.latency_unit, spec.latency_unit)
    status = f.get("status")
    good = np.ones(n, dtype=bool) if status is None else ~_failed(status)
    if status is None:
        notes.add("no status column: every request is counted as successful")
    sums = {}
    for field in ("tokens_input", "tokens_output", "tokens_cache_read", "tokens_cache_write"):
        values = f.number(field)
        if values is not None:
            sums[field] = values
    if spec.input_includes_cache and "tokens_input" in sums and "tokens_input" not in options.columns:
        cached = sum(np.nan_to_num(sums[k]) for k in ("tokens_cache_read", "tokens_cache_write") if k in sums)
        sums["tokens_input"] = np.maximum(sums["tokens_input"] - cached, 0.0)
    cost = f.number("cost")
    if cost is not None:
        sums["cost_requests"] = cost
    latency = latency if latency is not None else np.full(n, np.nan)
    ident = f.get("id")
    return Requests(codes, start_ns, good, latency, ttft, sums), None if ident is None else to_text(ident)


def _duplicates(req: Requests, id_parts: list) -> tuple[int, int, np.ndarray]:
    """(exact duplicates, conflicting repeats of an id, rows to keep).

    A request logged twice has the same start time, so only rows sharing a start time are compared in
    full (a cheap integer hash first, then the few candidates with their request ids).
    """
    keep = np.ones(len(req.start_ns), dtype=bool)
    candidates = pd.Series(req.start_ns).duplicated(keep=False).to_numpy()
    if not candidates.any():
        return 0, 0, keep
    rows = candidates.nonzero()[0]
    frame = pd.DataFrame({"c": req.component[rows], "t": req.start_ns[rows], "g": req.good[rows]})
    frame["l"] = req.latency_ms[rows]
    if req.ttft_ms is not None:
        frame["f"] = req.ttft_ms[rows]
    for k, v in req.sums.items():
        frame[k] = v[rows]
    exact = frame.duplicated().to_numpy()
    repeated = exact
    if all(p is not None for p in id_parts):
        ids = pa.chunked_array(id_parts, pa.string()).take(pa.array(rows)).to_pandas()
        same_id = pd.DataFrame({"t": frame["t"].to_numpy(), "id": ids.to_numpy()}).duplicated().to_numpy()
        exact = frame.assign(id=ids.to_numpy()).duplicated().to_numpy()
        repeated = same_id
    keep[rows[repeated]] = False
    return int(exact.sum()), int((repeated & ~exact).sum()), keep
