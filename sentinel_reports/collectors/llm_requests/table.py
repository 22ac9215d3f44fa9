"""Request logs in a table of the engine (`table: logs.llm_requests`) instead of files (docs/engines.md).

The table holds the format's columns (LiteLLM's spend-log columns, Helicone's, ...; `columns:` maps
others). Everything runs in the engine as Ibis expressions, so the same code reads a DuckDB database, a
Spark catalog table, ClickHouse, Trino or BigQuery:

1. `_fields` finds each field's column in the table's schema (plain columns and struct fields; a key inside
   JSON text is refused with a message naming the field, see `_resolve`).
2. `_normalised` builds the same normalised columns the file path gives the aggregation (`query`): start
   in ns since the epoch, component code, good flag, latency and TTFT in ms, token and cost sums, id; and
   the careful reader's checks as boolean expressions, in its order.
3. One validation query counts the rows, the time span, every check's bad rows and the rows' digest
   (`fingerprint`); small queries list the distinct component and status values and whether a request
   repeats. A bad row is then looked up (`_first_bad`) and named by its request id, or by its start time
   and component when the log has no ids: a table has no row numbers.
4. The aggregation is `query.aggregation`, unchanged; Python gets only its groups.

Rows of a table have no order. Of rows repeating a request id with different values, the one kept is the
first in order of (start, id, the normalised values), which every engine gives the same way; a file keeps
its first row instead (the same request logged twice with different values is an error of the log either
way, and is reported as a warning).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ...errors import SourceError
from ...model import InputFile
from ..base import EARLIEST, END, MAX_COUNT, TIME_RANGE, Batch, CollectContext, utc
from ..engine import Engine, engine_for, ibis
from ..engine_table import Check, fingerprint_of, fingerprint_stats, first_row, open_table, where_of
from .aggregate import SUM_SIGNALS, VALUE_MASK, signal_names
from .formats import FormatSpec
from .normalise import failed, value_codes
from .query import run

TIME_FIELDS = ("start", "end", "first_token")


@dataclass
class Column:
    path: str  # as configured: column, or column.key of a struct column
    value: Any  # the Ibis expression of the cell
    dtype: Any  # its Ibis type


def _resolve(t: Any, path: str, where: str) -> Column | None:
    if path in t.columns:
        return Column(path, t[path], t[path].type())
    root, *keys = path.split(".")
    if not keys or root not in t.columns:
        return None
    value = t[root]
    for key in keys:
        dtype = value.type()
        if dtype.is_struct():
            if key not in dtype.names:
                return None
            value = value[key]
        elif dtype.is_string() or dtype.is_json():
            raise SourceError(
                where,
                "a key inside JSON text is not read from a table",
                column=path,
                expected="a column or a struct field: map the field with `columns:` to a column (e.g. of a "
                "view that extracts the key)",
                found=f"{root}: {dtype}",
            )
        else:
            return None
    return Column(path, value, value.type())


def _fields(t: Any, candidates: dict[str, tuple[str, ...]], where: str) -> dict[str, Column]:
    out = {}
    for name, paths in candidates.items():
        for path in paths:
            col = _resolve(t, path, where)
            if col is not None:
                out[name] = col
                break
    for name in ("start", "component"):
        if name not in out:
            raise SourceError(
                where,
                "missing column",
                column=" or ".join(candidates.get(name, ())) or name,
                expected=f"the {name} column of this format (set `columns:` or `component_from:` to name it)",
                found=sorted(t.columns)[:12],
            )
    return out


@dataclass
class Normalised:
    t: Any  # the table (rows of other kinds left out)
    fields: dict[str, Column]
    values: dict[str, Any]  # start_ns, component_text, good/status_text, latency_ms, ttft_ms, sums, id
    checks: list[Check]
    ratios: dict[str, Any]  # duration field -> median of given / measured
    skipped: Any | None  # count of rows of other kinds


def _type_error(where: str, col: Column, expected: str) -> SourceError:
    return SourceError(
        where, "column type not read from a table", column=col.path, expected=expected, found=str(col.dtype)
    )


def _time(kind: str, col: Column, tz: str, where: str) -> tuple[Any, Any, Any, Any]:
    """(ns since the epoch, readable time, condition of an unreadable cell, of a time out of range)."""
    dtype = col.dtype
    if dtype.is_timestamp():
        if dtype.timezone is None and tz != "UTC":
            raise _type_error(
                where,
                col,
                f"times with a time zone, or `timezone: UTC` (naive times are read as UTC; this source's timezone is {tz})",
            )
        ts = col.value.cast("timestamp") if dtype.timezone is not None else col.value
        unreadable = ibis().literal(False)
    elif dtype.is_string():
        if tz != "UTC":
            raise _type_error(
                where,
                col,
                f"a timestamp column, or `timezone: UTC` for text times (this source's timezone is {tz})",
            )
        ts = col.value.try_cast("timestamp('UTC')").cast("timestamp")
        unreadable = col.value.notnull() & ts.isnull()
    else:
        raise _type_error(where, col, "a timestamp (or ISO 8601 text) column")
    micros = epoch_micros(kind, ts)
    in_range = (micros >= EARLIEST.value // 1000) & (micros < END.value // 1000)
    # ns only where it cannot overflow int64 (a year 3000 is a bad cell, found by the range check)
    ns = ibis().ifelse(in_range, micros * 1000, ibis().null("int64"))
    return ns, ts, unreadable, micros.notnull() & ~in_range


# The engine's own function for microseconds since the epoch of a timestamp (the Ibis backends of DuckDB
# and Spark have no portable spelling of it); other engines combine whole seconds and the microsecond.
MICROS = {
    "duckdb": "epoch_us",
    "spark": "unix_micros",
    "bigquery": "unix_micros",
    "clickhouse": "toUnixTimestamp64Micro",
}
_UDFS: dict[str, Any] = {}


def epoch_micros(kind: str, ts: Any) -> Any:
    """int64 microseconds since the epoch of a (naive, UTC) timestamp, computed by the engine."""
    name = MICROS.get(kind)
    if name is None:
        seconds = ts.truncate("s").epoch_seconds().cast("int64")
        return seconds * 1_000_000 + ts.microsecond().cast("int64")
    if name not in _UDFS:
        import ibis.expr.datatypes as dt

        def micros(value):  # noqa: ANN001, ANN202 - the engine's function; Ibis reads the types below
            ...

        micros.__annotations__ = {"value": dt.timestamp, "return": dt.int64}
        _UDFS[name] = ibis().udf.scalar.builtin(name=name)(micros)
    return _UDFS[name](ts).cast("int64")


def _number(col: Column, where: str) -> tuple[Any, Any]:
    """(float64 value, NaN as null; condition of an unreadable cell)."""
    dtype = col.dtype
    if dtype.is_numeric():
        value, unreadable = col.value.cast("float64"), ibis().literal(False)
    elif dtype.is_string():
        value = col.value.try_cast("float64")
        unreadable = col.value.notnull() & value.isnull()
    else:
        raise _type_error(where, col, "a number (or numeric text) column")
    value = ibis().ifelse(value.isnan().fill_null(False), ibis().null("float64"), value)
    return value, unreadable


def _normalise(
    kind: str,
    t: Any,
    candidates: dict[str, tuple[str, ...]],
    options: Any,
    spec: FormatSpec,
    tz: str,
    where: str,
) -> Normalised:
    f = _fields(t, candidates, where)
    skipped = None
    if "kind" in f and spec.kinds:
        keep = f["kind"].value.cast("string").isin(list(spec.kinds)).fill_null(False)
        skipped = t.count(where=~keep)
        t = t.filter(keep)
        f = _fields(t, candidates, where)
    values: dict[str, Any] = {}
    checks: list[Check] = []
    lit = ibis().literal
    start_ns, start_ts, bad, out_of_range = _time(kind, f["start"], tz, where)
    s = f["start"]
    checks.append(
        Check(s.path, bad, "unparseable timestamp", "an ISO 8601 timestamp, " + TIME_RANGE, s.value)
    )
    checks.append(Check(s.path, s.value.isnull(), "missing timestamp", "a timestamp", s.value))
    checks.append(Check(s.path, out_of_range, "timestamp out of range", TIME_RANGE, start_ts))
    values["start_ns"] = start_ns
    values["component_text"] = f["component"].value.cast("string")
    ratios = {}
    for name, end_field, out in (("latency", "end", "latency_ms"), ("ttft", "first_token", "ttft_ms")):
        measured = None
        if end_field in f:
            e = f[end_field]
            end_ns, end_ts, bad, end_out = _time(kind, e, tz, where)
            checks.append(
                Check(
                    e.path,
                    bad,
                    "unparseable timestamp",
                    "an ISO 8601 timestamp, " + TIME_RANGE,
                    e.value,
                )
            )
            checks.append(
                Check(
                    e.path,
                    end_out,
                    "timestamp out of range",
                    TIME_RANGE,
                    end_ts,
                )
            )
            measured = (end_ns.cast("float64") - start_ns.cast("float64")) / 1e6
            checks.append(
                Check(
                    e.path,
                    measured < 0,
                    "ends before it starts",
                    "a time after the start",
                    end_ts,
                )
            )
        given = None
        if name in f:
            given, bad = _number(f[name], where)
            checks.append(Check(f[name].path, bad, "not a number", "a number", f[name].value))
        if given is not None and measured is not None:
            both = (given > 0) & (measured > 0)  # a median without `where`: Spark's percentile refuses one
            ratios[name] = ibis().ifelse(both, given / measured, ibis().null("float64")).median()
        values[out] = (measured, given)
    status = f.get("status")
    if status is None:
        values["good"] = lit(True)
    elif status.dtype.is_boolean():
        values["good"] = status.value.fill_null(True)
    elif status.dtype.is_numeric():
        code = status.value.cast("float64")
        values["good"] = ~((code < 200) | (code >= 300)).fill_null(False)
    elif status.dtype.is_string():
        values["status_text"] = status.value
    else:
        raise _type_error(where, status, "a text, number or boolean status column")
    for name in ("tokens_input", "tokens_output", "tokens_cache_read", "tokens_cache_write", "cost"):
        if name not in f:
            continue
        col = f[name]
        value, bad = _number(col, where)
        what = "cost" if name == "cost" else "token count"
        expected = f"a {what} of 0 or more" + ("" if name == "cost" else f", at most {MAX_COUNT:.0e}")
        checks.append(Check(col.path, bad, "not a number", "a number", col.value))
        checks.append(Check(col.path, value.isinf(), "not a finite number", expected, col.value))
        if not (name == "cost" and options.allow_negative_cost):
            checks.append(Check(col.path, value < 0, f"negative {what}", expected, col.value))
        if name != "cost":
            checks.append(
                Check(col.path, value > MAX_COUNT, "count too large to be real", expected, col.value)
            )
        values["cost_requests" if name == "cost" else name] = value
    if spec.input_includes_cache and "tokens_input" in values and "tokens_input" not in options.columns:
        cached = lit(0.0)
        for k in ("tokens_cache_read", "tokens_cache_write"):
            if k in values:
                cached = cached + values[k].fill_null(0.0)
        raw = values["tokens_input"]
        values["tokens_input"] = ibis().ifelse(
            raw.isnull(), ibis().null("float64"), ibis().greatest(raw - cached, 0.0)
        )
    if "id" in f:
        values["id"] = f["id"].value.cast("string")
    return Normalised(t, f, values, checks, ratios, skipped)


def _read_columns(n: Normalised) -> dict[str, Any]:
    return {col.path: col.value for col in n.fields.values()}


def _stats(engine: Engine, n: Normalised, where: str) -> dict[str, Any]:
    t, start = n.t, n.values["start_ns"]
    metrics = fingerprint_stats(t, start, _read_columns(n))
    # as many distinct (start, id) keys as rows: no request is logged twice and the aggregation needs no
    # window (a hash collision only makes it look for repeats it will not find)
    key = {"start": start, **({"id": n.values["id"]} if "id" in n.values else {})}
    metrics["keys"] = ibis().struct(key).hash().nunique()
    for i, c in enumerate(n.checks):
        metrics[f"bad_{i}"] = t.count(where=c.bad.fill_null(False))
    for k, r in n.ratios.items():
        metrics[f"ratio_{k}"] = r
    if n.skipped is not None:
        metrics["skipped"] = n.skipped
    return engine.run(t.aggregate(**metrics), source=where).to_pylist()[0]


def table_fingerprint(options: Any, ctx: CollectContext, candidates: dict[str, tuple[str, ...]]) -> str:
    """A digest of the table's rows as the source reads them: row count, first and last start time and the
    sum of a hash of every read column per row, computed in the engine (one scan of those columns)."""
    from .formats import FORMATS

    where = where_of(options)
    engine = engine_for(ctx.config.engine, ctx.project_dir)
    spec = FORMATS[options.format]
    tz = options.timezone or ("UTC" if spec.naive_utc else ctx.tz.key)
    n = _normalise(
        engine.kind, open_table(engine, options.table, where), candidates, options, spec, tz, where
    )
    stats = fingerprint_stats(n.t, n.values["start_ns"], _read_columns(n))
    found = engine.run(n.t.aggregate(**stats), source=where).to_pylist()[0]
    return fingerprint_of(engine, options.table, list(_read_columns(n)), found)


def _first_bad(engine: Engine, n: Normalised, check: Check, where: str) -> SourceError:
    """The error naming the earliest bad row of `check`: by its request id, else by start and component."""
    named = [n.fields["id"]] if "id" in n.fields else [n.fields["start"], n.fields["component"]]
    order = [n.values["start_ns"]] + ([n.values["id"]] if "id" in n.values else [])
    key, row = first_row(
        engine, n.t, check.bad, {c.path: c.value for c in named}, order, where, {"found": check.found}
    )
    return SourceError(
        where, check.problem, row_key=key, column=check.column, expected=check.expected, found=row["found"]
    )


@dataclass
class Aggregated:
    samples: Any  # aggregate.Samples
    stats: dict[str, Any]  # query.stats_of_groups
    names: list[str]
    file: InputFile  # the table's manifest entry (its fingerprint as sha256)
    rows: int
    state: dict[str, Any]


def _distinct(engine: Engine, t: Any, value: Any, where: str) -> list[Any]:
    expr = t.select(v=value).distinct()
    return engine.run(expr, source=where).column("v").to_pylist()


def collect_table(
    options: Any,
    ctx: CollectContext,
    candidates: dict[str, tuple[str, ...]],
    spec: FormatSpec,
    tz: str,
    ids: list[str],
    step_ns: int,
) -> Batch | Aggregated:
    """A `table:` source validated, then aggregated by `query.aggregation`, in the engine: the batch of an
    empty table, else what the collector's `_finish` makes the batch from."""

    where = where_of(options)
    engine = engine_for(ctx.config.engine, ctx.project_dir)
    n = _normalise(
        engine.kind, open_table(engine, options.table, where), candidates, options, spec, tz, where
    )
    stats = _stats(engine, n, where)
    for i, check in enumerate(n.checks):
        if stats[f"bad_{i}"]:
            raise _first_bad(engine, n, check, where)
    t, v = n.t, n.values
    rows = int(stats["rows"])
    span = None if stats["lo"] is None else np.array([stats["lo"], stats["hi"]])
    start = end = None
    if span is not None:
        start, end = (utc(pd.Timestamp(int(x), unit="ns")).isoformat() for x in span)
    file = InputFile(
        path=where,
        sha256=fingerprint_of(engine, options.table, list(_read_columns(n)), stats),
        rows=rows,
        start=start,
        end=end,
    )
    skipped = int(stats.get("skipped") or 0)
    if not rows:
        return Batch(files=[file], rows=rows + skipped, summary={"requests": 0})
    codes, others = value_codes(_distinct(engine, t, v["component_text"], where), options.components, ids)
    component = (
        v["component_text"].substitute(codes, else_=-1).cast("int32")
        if codes
        else ibis().literal(-1).cast("int32")
    )
    if "status_text" in v:
        statuses = [x for x in _distinct(engine, t, v["status_text"], where) if x is not None]
        failures = [
            x for x, bad in zip(statuses, failed(pa.array(statuses, pa.string())), strict=True) if bad
        ]
        good = ~v["status_text"].isin(failures).fill_null(False) if failures else ibis().literal(True)
    else:
        good = v["good"]
    columns: dict[str, Any] = {
        "component": component,
        "start_ns": v["start_ns"],
        "good": good.cast("boolean"),
    }
    for name, k in (("latency_ms", "latency"), ("ttft_ms", "ttft")):
        measured, given = v.get(name, (None, None))
        if measured is None and given is None:
            if name == "latency_ms":
                columns[name] = ibis().null("float64")
            continue
        if given is not None:
            ratio = stats.get(f"ratio_{k}")
            unit = options.latency_unit or (
                spec.latency_unit if ratio is None else "s" if ratio < 0.03 else "ms"
            )
            given = given * (1000.0 if unit == "s" else 1.0)
        value = measured if given is None else given if measured is None else measured.fill_null(given)
        micros = (value * 1000.0).round(0)
        columns[name] = (ibis().ifelse(micros > float(VALUE_MASK), float(VALUE_MASK), micros) / 1000.0).cast(
            "float64"
        )
    sums = [k for k in SUM_SIGNALS if k in v]
    for k in sums:
        columns[k] = v[k].cast("float64")
    if "id" in v:
        columns["id"] = v["id"]
    repeats = int(stats["keys"]) < rows
    rel = t.select(**columns)
    if repeats:
        order = [rel[c] for c in rel.columns]
        rel = rel.mutate(row=ibis().row_number().over(order_by=order))
    else:
        rel = rel.mutate(row=ibis().literal(0).cast("int64"))
    ttft = "ttft_ms" in rel.columns
    names = signal_names(ttft, sums)
    samples, result = run(engine, rel, step_ns, names, where, repeats=repeats)
    notes = [] if "status" in n.fields else ["no status column: every request is counted as successful"]
    state = {
        "ttft": ttft,
        "sums": sums,
        "request_ids": "id" in v,
        "unknown_components": sorted(others),
        "skipped": skipped,
        "notes": notes,
    }
    return Aggregated(samples, result, names, file, rows + skipped, state)
