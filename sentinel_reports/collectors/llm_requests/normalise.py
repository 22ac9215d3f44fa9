"""One table of request-log rows (a file, or a million rows of one) as a normalised `Requests` block.

Columns are looked up by the format's candidate paths (`formats`), converted whole with pyarrow and numpy,
and checked with errors that name the file, row and column. Low-cardinality text (status, component, row
kind) may arrive dictionary-encoded from Parquet: it is then interpreted once per distinct value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import SourceError
from ..base import MAX_COUNT, check_time_range, count_problem
from .aggregate import Requests
from .formats import FAILURE_WORDS, FormatSpec
from .reading import extract, to_epoch_ns, to_float
from .text import to_text

TEXT_FIELDS = ("id", "status", "component", "kind")
DICTIONARY_FIELDS = ("status", "component", "kind")  # few distinct values: read as dictionaries


@dataclass
class Part:
    """One table's requests, its request ids (None when the log has none) and what it noted."""

    requests: Requests
    ids: pa.Array | None
    skipped: int = 0  # rows that are not requests (observations of another kind)
    others: set[str] = field(default_factory=set)  # component values that are not configured components
    notes: set[str] = field(default_factory=set)


def value_codes(values: Any, aliases: dict[str, str], ids: list[str]) -> tuple[dict[str, int], set[str]]:
    """The component values a log holds -> their configured component's index (through the source's
    `components` aliases), and the values that name no configured component ("(no value)" for a missing one)."""
    codes: dict[str, int] = {}
    others: set[str] = set()
    for value in values:
        if value is None:
            others.add("(no value)")
            continue
        mapped = aliases.get(value, value)
        if mapped in ids:
            codes[value] = ids.index(mapped)
        else:
            others.add(str(mapped))
    return codes, others


def _chunks(col) -> list[pa.Array]:  # noqa: ANN001
    if isinstance(col, pa.ChunkedArray):
        return list(col.chunks) or [pa.array([], col.type)]
    return [col]


def _failed_text(status: pa.Array) -> np.ndarray:
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


def failed(status) -> np.ndarray:  # noqa: ANN001
    """True where the status says the request failed: a failure word or an HTTP code outside 2xx."""
    out = []
    for chunk in _chunks(status):
        if pa.types.is_dictionary(chunk.type):
            per_value = np.append(_failed_text(chunk.dictionary), False)  # a missing status is a success
            out.append(per_value[_indices(chunk)])
        else:
            out.append(_failed_text(chunk))
    return np.concatenate(out) if len(out) != 1 else out[0]


def _indices(chunk: pa.DictionaryArray) -> np.ndarray:
    """Dictionary index per row; a missing value gets len(dictionary)."""
    indices = chunk.indices if not chunk.null_count else chunk.indices.fill_null(len(chunk.dictionary))
    return indices.to_numpy(zero_copy_only=False)


def component_codes(component, options, ids: list[str], others: set[str]) -> np.ndarray:  # noqa: ANN001
    """Index into `ids` per row (-1: not a configured component); unconfigured values are added to `others`."""
    out = []
    for chunk in _chunks(component):
        if pa.types.is_dictionary(chunk.type) and pa.types.is_string(chunk.type.value_type):
            vendor, indices = chunk.dictionary.to_pylist(), _indices(chunk)
        else:
            encoded = pc.dictionary_encode(to_text(chunk))
            vendor, indices = encoded.dictionary.to_pylist(), _indices(encoded)
        used = np.bincount(indices, minlength=len(vendor) + 1) > 0
        mapped = [options.components.get(v, v) for v in vendor]
        lut = np.array([ids.index(m) if m in ids else -1 for m in mapped] + [-1], dtype="int64")
        others.update(str(m) for m, u in zip(mapped, used[:-1], strict=True) if u and m not in ids)
        if used[-1]:
            others.add("(no value)")
        out.append(lut[indices])
    return np.concatenate(out) if len(out) != 1 else out[0]


class Table:
    """Normalises one table's columns into a `Requests` block."""

    def __init__(self, table: pa.Table, fields: dict[str, tuple[str, ...]], file: str, offset: int):
        self.table, self.fields, self.file, self.used, self.cache = table, fields, file, {}, {}
        self.offset = offset  # rows of the file before this table, for error row numbers
        self.json_paths: dict[str, list] = {}
        for name, paths in fields.items():
            for path in paths:
                root, *keys = path.split(".")
                if keys:
                    self.json_paths.setdefault(root, []).append((tuple(keys), name not in TEXT_FIELDS))

    def get(self, name: str):  # noqa: ANN201
        for path in self.fields.get(name, ()):
            col = extract(self.table, path, self.file, self.json_paths, self.cache, self.offset)
            if col is not None:
                self.used[name] = path
                return col
        return None

    def number(self, name: str) -> np.ndarray | None:
        col = self.get(name)
        return None if col is None else to_float(col, self.file, self.used[name], self.offset)

    def time(self, name: str, tz: str) -> tuple[np.ndarray, np.ndarray] | None:
        """ns since the epoch and the valid mask; a time outside the allowed years is a SourceError."""
        col = self.get(name)
        if col is None:
            return None
        ns, valid = to_epoch_ns(col, tz, self.file, self.used[name], self.offset)
        check_time_range(ns, file=self.file, column=self.used[name], row_offset=self.offset + 1, valid=valid)
        return ns, valid

    def amounts(self, name: str, *, negative: bool = False) -> np.ndarray | None:
        """A token count or cost column: finite, not negative (unless ``negative``) and, for counts, at most
        MAX_COUNT; NaN is a missing value."""
        values = self.number(name)
        if values is None:
            return None
        column = self.used[name]
        bad = np.isinf(values) | (~negative & (values < 0))
        if name != "cost":
            bad |= values > MAX_COUNT
        if bad.any():
            i = int(bad.nonzero()[0][0])
            what = "cost" if name == "cost" else "token count"
            problem = (
                "not a finite number"
                if np.isinf(values[i])
                else f"negative {what}"
                if values[i] < 0
                else count_problem(values[i])
            )
            raise SourceError(
                self.file, problem, row=self.offset + i + 1, column=column,
                expected=f"a {what} of 0 or more" + ("" if name == "cost" else f", at most {MAX_COUNT:.0e}"),
                found=float(values[i]),
            )  # fmt: skip
        return values

    def required(self, name: str) -> SourceError:
        return SourceError(
            self.file,
            "missing column",
            column=" or ".join(self.fields.get(name, ())) or name,
            expected=f"the {name} column of this format (set `columns:` or `component_from:` to name it)",
            found=sorted(self.table.column_names)[:12],
        )


def _duration(t: Table, start: np.ndarray, b: tuple | None, column: str, unit: str | None, default: str):
    """ms between start and b where known, else the duration column (in `unit`; inferred when None)."""
    out = None
    if b is not None:
        end, valid = b
        out = np.subtract(end, start, dtype="float64")
        out /= 1e6
        if not valid.all():
            out[~valid] = np.nan
        negative = out < 0
        if negative.any():
            i = int(negative.nonzero()[0][0])
            raise SourceError(t.file, "ends before it starts", row=t.offset + i + 1, column=t.used[f"{column}_end"],
                              expected="a time after the start", found=pd.Timestamp(int(end[i]), tz="UTC"))  # fmt: skip
    given = t.number(column)
    if given is None:
        return out
    if unit is None:
        both = ~np.isnan(given) & (given > 0) & (~np.isnan(out) & (out > 0) if out is not None else False)
        ratio = float(np.median(given[both] / out[both])) if out is not None and both.any() else None
        unit = default if ratio is None else "s" if ratio < 0.03 else "ms"
    given = given * (1000.0 if unit == "s" else 1.0)
    return given if out is None else np.where(np.isnan(out), given, out)


def _finite(values: np.ndarray) -> np.ndarray:
    """`np.nan_to_num`, without its copies when every value is already finite."""
    return values if np.isfinite(values).all() else np.nan_to_num(values)


def normalise(t: Table, options, spec: FormatSpec, tz: str, ids: list[str]) -> Part:  # noqa: ANN001
    """The table's rows as a Part (rows of another kind than the format's requests are left out)."""
    skipped, notes, others = 0, set(), set()
    kind = t.get("kind")
    if kind is not None and spec.kinds:
        keep = pc.is_in(to_text(kind), value_set=pa.array(spec.kinds)).to_numpy(zero_copy_only=False)
        skipped = int((~keep).sum())
        t.table = t.table.filter(pa.array(keep))
        t.cache.clear()
    n = t.table.num_rows
    start = t.time("start", tz)
    if start is None:
        raise t.required("start")
    start_ns, valid = start
    if not valid.all():
        i = int((~valid).nonzero()[0][0])
        raise SourceError(
            t.file, "missing timestamp", row=t.offset + i + 1, column=t.used["start"], expected="a timestamp"
        )
    component = t.get("component")
    if component is None:
        raise t.required("component")
    codes = component_codes(component, options, ids, others)
    end, first = t.time("end", tz), t.time("first_token", tz)
    t.used["latency_end"], t.used["ttft_end"] = t.used.get("end"), t.used.get("first_token")
    latency = _duration(t, start_ns, end, "latency", options.latency_unit, spec.latency_unit)
    ttft = _duration(t, start_ns, first, "ttft", options.latency_unit, spec.latency_unit)
    status = t.get("status")
    good = np.ones(n, dtype=bool) if status is None else ~failed(status)
    if status is None:
        notes.add("no status column: every request is counted as successful")
    sums = {}
    for name in ("tokens_input", "tokens_output", "tokens_cache_read", "tokens_cache_write"):
        values = t.amounts(name)
        if values is not None:
            sums[name] = values
    if spec.input_includes_cache and "tokens_input" in sums and "tokens_input" not in options.columns:
        cached = sum(_finite(sums[k]) for k in ("tokens_cache_read", "tokens_cache_write") if k in sums)
        sums["tokens_input"] = np.maximum(sums["tokens_input"] - cached, 0.0)
    cost = t.amounts("cost", negative=options.allow_negative_cost)
    if cost is not None:
        sums["cost_requests"] = cost
    latency = latency if latency is not None else np.full(n, np.nan)
    ident = t.get("id")
    requests = Requests(codes, start_ns, good, latency, ttft, sums)
    return Part(requests, None if ident is None else to_text(ident), skipped, others, notes)
