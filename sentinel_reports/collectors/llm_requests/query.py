"""The request-log aggregation as one Ibis expression, run by the configured engine (`collectors.engine`).

Input: one row per logged request in the normalised columns of `ROWS` (`row` is the row's place in the
source, files in order, so "the first row wins" means the same on every engine). The expression

1. marks repeats: a row repeating an earlier row's request id and start time (or, without ids, an earlier
   row in every column) is dropped; it is an exact duplicate when it equals that row in every column;
2. groups the rows by component code × interval (start time floored to the interval, in integer ns);
3. per group: rows, exact and conflicting repeats, kept requests and good ones, the earliest and latest
   start, latency p50/p95/p99 and TTFT p95 (`quantile`: linear interpolation between the closest ranks,
   of the group's values collected and sorted, so every engine rounds alike) and the sums of tokens and cost (cost summed as
   DECIMAL(38, 18), exact, so the result does not depend on the order an engine adds rows in).

Latency and TTFT arrive rounded to the microsecond (half to even), as the samples always were. A group
whose component is not configured (code -1) contributes its counts and is not a sample.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..engine import Engine, ibis
from .aggregate import LATENCY_QUANTILES, SUM_SIGNALS, VALUE_MASK, Samples

COST_DECIMAL = "decimal(38, 18)"
STATS = ("rows", "exact", "conflicting", "requests", "good", "dropped")


def micros(values: np.ndarray) -> np.ndarray:
    """Milliseconds rounded to whole microseconds (half to even), capped as the samples were; NaN stays."""
    out = np.rint(values * 1000.0)
    np.minimum(out, VALUE_MASK, out=out)
    out /= 1000.0
    return out


def rows_table(
    row: np.ndarray,
    component: np.ndarray,
    start_ns: np.ndarray,
    good: np.ndarray,
    latency_ms: np.ndarray,
    ttft_ms: np.ndarray | None,
    sums: dict[str, np.ndarray],
    ids: pa.Array | None,
) -> pa.Table:
    """Normalised request rows as the Arrow table the expression reads (NaN becomes null)."""
    columns: dict[str, Any] = {
        "row": pa.array(row, pa.int64()),
        "component": pa.array(component, pa.int32()),
        "start_ns": pa.array(start_ns, pa.int64()),
        "good": pa.array(good, pa.bool_()),
        "latency_ms": pa.array(micros(latency_ms), pa.float64(), from_pandas=True),
    }
    if ttft_ms is not None:
        columns["ttft_ms"] = pa.array(micros(ttft_ms), pa.float64(), from_pandas=True)
    for name in SUM_SIGNALS:
        if name in sums:
            columns[name] = pa.array(sums[name], pa.float64(), from_pandas=True)
    if ids is not None:
        columns["id"] = ids.cast(pa.string())
    return pa.table(columns)


def aggregation(t: Any, step_ns: int, names: list[str], repeats: bool = True) -> Any:
    """Per component × interval: the counts in STATS, first/last start and the signals of `names`.
    `repeats=False`: the caller knows no request is logged twice (no window is needed)."""
    with_ids = "id" in t.columns
    values = [c for c in t.columns if c not in ("row", "id", "bad")]
    every = [t[c] for c in values] + ([t.id] if with_ids else [])
    first_of = ibis().row_number().over(group_by=every, order_by=t.row)
    if not repeats:
        m = t.mutate(_repeat=ibis().literal(False), _exact=ibis().literal(False))
    elif with_ids:
        first_of_id = ibis().row_number().over(group_by=[t.start_ns, t.id], order_by=t.row)
        m = t.mutate(_repeat=first_of_id > 0, _exact=first_of > 0)
    else:
        m = t.mutate(_repeat=first_of > 0, _exact=first_of > 0)
    m = m.mutate(_interval=m.start_ns - m.start_ns % step_ns)
    kept = ~m._repeat
    metrics: dict[str, Any] = {
        "rows": m.count(),
        "exact": m.count(where=m._exact),
        "conflicting": m.count(where=m._repeat & ~m._exact),
        "requests": m.count(where=kept),
        "good": m.count(where=kept & m.good),
        "first_ns": m.start_ns.min(),
        "last_ns": m.start_ns.max(),
    }
    if "bad" in t.columns:  # a cell the scan's own checks found bad (`scan.relation`)
        metrics["bad"] = m.bad.any()
    metrics["_latency"] = m.latency_ms.collect(where=kept & m.latency_ms.notnull())
    if "ttft_p95_ms" in names:
        metrics["_ttft"] = m.ttft_ms.collect(where=kept & m.ttft_ms.notnull())
    for name in SUM_SIGNALS:
        if name in names:
            column = m[name].cast(COST_DECIMAL) if name == "cost_requests" else m[name]
            metrics[name] = column.sum(where=kept).cast("float64")
    g = m.group_by(component=m.component, interval=m._interval).aggregate(**metrics)
    ordered = {"_latency": g._latency.sort()}
    if "ttft_p95_ms" in names:
        ordered["_ttft"] = g._ttft.sort()
    g = g.mutate(**ordered)
    quantiles = {name: quantile(g._latency, q) for name, q in LATENCY_QUANTILES}
    if "ttft_p95_ms" in names:
        quantiles["ttft_p95_ms"] = quantile(g._ttft, 0.95)
    g = g.mutate(**quantiles).drop(*ordered)
    return g.order_by(["component", "interval"])


def quantile(values: Any, q: float) -> Any:
    """The q-quantile of a sorted array: linear interpolation between the closest ranks, computed as
    `lo + (hi - lo) * (rank - floor(rank))` with rank = q * (n - 1) in float64, the formula of
    numpy.quantile and of the samples this product always wrote (engines' own quantile functions round
    differently in the last bits); null for an empty array."""
    n = values.length()
    rank = (n - 1).cast("float64") * ibis().literal(q, type="float64")
    whole = rank.floor()
    lo = whole.cast("int32")  # Spark's element_at takes an INT index; a group never holds 2^31 requests
    hi = ibis().least(lo + 1, (n - 1).cast("int32"))
    low, high = values[lo], values[hi]
    return ibis().ifelse(n > 0, low + (high - low) * (rank - whole), ibis().null("float64"))


def run(
    engine: Engine,
    t: Any,
    step_ns: int,
    names: list[str],
    source: str,
    *,
    ordered: bool = False,
    repeats: bool | list[bool] = True,
) -> tuple[Samples, dict]:
    """Samples (ordered by signal, component and interval start) and the source's counts. `ordered`: the
    rows are numbered in scan order (CSV), which DuckDB then keeps. `t` may be a list of tables that no
    component × interval spans (`scan.chunks`), aggregated one after the other (with `repeats` per
    table) and their groups put together."""
    tables = t if isinstance(t, list) else [t]
    flags = repeats if isinstance(repeats, list) else [repeats] * len(tables)
    results = [
        engine.run(aggregation(x, step_ns, names, r), source=source, ordered=ordered)
        for x, r in zip(tables, flags, strict=True)
    ]
    result = results[0]
    if len(results) > 1:
        result = pa.concat_tables(results).sort_by([("component", "ascending"), ("interval", "ascending")])
    return samples_of_groups(result, names), stats_of_groups(result)


def _column(result: pa.Table, name: str, dtype: str) -> np.ndarray:
    col = result.column(name)
    if dtype == "float64":
        return col.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return col.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)


def stats_of_groups(result: pa.Table) -> dict:
    """Counts over every group; `span_ns` over every row; the configured components with requests."""
    component = _column(result, "component", "int64")
    configured = component >= 0
    rows = _column(result, "rows", "int64")
    requests = _column(result, "requests", "int64")
    out = {k: int(_column(result, k, "int64").sum()) for k in ("rows", "exact", "conflicting")}
    out["requests"] = int(requests[configured].sum())
    out["good"] = int(_column(result, "good", "int64")[configured].sum())
    out["dropped"] = int(rows[~configured].sum())
    out["components"] = np.unique(component[configured & (requests > 0)])
    first, last = _column(result, "first_ns", "int64"), _column(result, "last_ns", "int64")
    out["span_ns"] = (int(first.min()), int(last.max())) if len(first) else None
    out["bad"] = "bad" in result.column_names and bool(pc.any(result.column("bad")).as_py())
    return out


def samples_of_groups(result: pa.Table, names: list[str]) -> Samples:
    component = _column(result, "component", "int64")
    ts = _column(result, "interval", "int64")
    requests = _column(result, "requests", "int64")
    groups = (component >= 0) & (requests > 0)
    signals = {
        "requests_total": requests.astype("float64"),
        "requests_good": _column(result, "good", "int64").astype("float64"),
    }
    for name in names:
        if name not in signals:
            signals[name] = _column(result, name, "float64")
    parts = []
    for code, name in enumerate(names):
        mask = groups & ~np.isnan(signals[name])
        n = int(mask.sum())
        parts.append((ts[mask], component[mask], np.full(n, code, dtype="int8"), signals[name][mask]))
    if not parts:
        return Samples(*(np.empty(0, dtype=d) for d in ("int64", "int64", "int8", "float64")))
    return Samples(*(np.concatenate([p[i] for p in parts]) for i in range(4)))
