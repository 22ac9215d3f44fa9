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


def pieces(table: pa.Table, step_ns: int, limit: int) -> list[pa.Table]:
    """The rows cut into tables of about `limit` rows that no interval spans (rows in interval order, each
    keeping its `row` number, so "the first row wins" means the same), for engines that receive the rows
    through Arrow: Spark's driver holds one piece at a time instead of the whole source. A repeat has its
    request's start time, so it lands in the same piece; the pieces' groups are simply put together."""
    n = table.num_rows
    if n <= limit:
        return [table]
    start = table.column("start_ns").to_numpy()
    interval = start - np.fmod(start, step_ns)  # the query's `start_ns - start_ns % step_ns`
    order = np.argsort(interval, kind="stable")
    interval = interval[order]
    cuts, at = [0], 0
    while at + limit < n:
        at = int(np.searchsorted(interval, interval[at + limit], side="left"))
        if at <= cuts[-1]:  # one interval holds more than `limit` rows: cut after it
            at = int(np.searchsorted(interval, interval[cuts[-1]], side="right"))
        if at >= n:
            break
        cuts.append(at)
    cuts.append(n)
    ordered = table.take(pa.array(order))
    return [ordered.slice(a, b - a) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def aggregation(t: Any, step_ns: int, names: list[str], repeats: bool = True) -> Any:
    """Per component × interval: the counts in STATS, first/last start and the signals of `names`.
    `repeats=False`: the caller knows no request is logged twice (no window is needed)."""
    with_ids = "id" in t.columns
    m = t.mutate(_interval=t.start_ns - t.start_ns % step_ns)
    metrics: dict[str, Any] = {}
    if repeats:
        values = [c for c in t.columns if c not in ("row", "id", "bad")]
        every = [t[c] for c in values] + ([t.id] if with_ids else [])
        first_of = ibis().row_number().over(group_by=every, order_by=t.row)
        if with_ids:
            first_of_id = ibis().row_number().over(group_by=[t.start_ns, t.id], order_by=t.row)
            m = m.mutate(_repeat=first_of_id > 0, _exact=first_of > 0)
        else:
            m = m.mutate(_repeat=first_of > 0, _exact=first_of > 0)
        kept = ~m._repeat
        metrics["rows"] = m.count()
        metrics["exact"] = m.count(where=m._exact)
        metrics["conflicting"] = m.count(where=m._repeat & ~m._exact)
        metrics["requests"] = m.count(where=kept)
        metrics["good"] = m.count(where=kept & m.good)
    else:  # every row is kept: no window, no filter
        kept = None
        none = ibis().literal(0, type="int64")
        metrics.update(rows=m.count(), exact=none, conflicting=none, requests=m.count())
        metrics["good"] = m.count(where=m.good)
    metrics["first_ns"] = m.start_ns.min()
    metrics["last_ns"] = m.start_ns.max()
    if "bad" in t.columns:  # a cell the scan's own checks found bad (`scan.relation`)
        metrics["bad"] = m.bad.any()

    def where(cond: Any) -> Any:
        return cond if kept is None else kept & cond

    metrics["_latency"] = m.latency_ms.collect(where=where(m.latency_ms.notnull()))
    if "ttft_p95_ms" in names:
        metrics["_ttft"] = m.ttft_ms.collect(where=where(m.ttft_ms.notnull()))
    for name in SUM_SIGNALS:
        if name in names:
            column = m[name].cast(COST_DECIMAL) if name == "cost_requests" else m[name]
            metrics[name] = column.sum(where=kept).cast("float64")
    g = m.group_by(component=m.component, interval=m._interval).aggregate(**metrics)
    wanted = [(name, "_latency", q) for name, q in LATENCY_QUANTILES]
    if "ttft_p95_ms" in names:
        wanted.append(("ttft_p95_ms", "_ttft", 0.95))
    lists = sorted({column for _, column, _ in wanted})
    g = g.mutate(**{c: g[c].sort() for c in lists})
    g = g.mutate(**{f"{c}_n": g[c].length() for c in lists})
    ranks: dict[str, Any] = {}
    for name, column, q in wanted:
        n = g[f"{column}_n"]
        rank = (n - 1).cast("float64") * ibis().literal(q, type="float64")
        ranks[f"{name}_rank"] = rank
        ranks[f"{name}_whole"] = rank.floor()
    g = g.mutate(**ranks)
    bounds: dict[str, Any] = {}
    for name, column, _ in wanted:
        n, lo = g[f"{column}_n"], g[f"{name}_whole"].cast("int32")
        # Spark's element_at takes an INT index; a group never holds 2^31 requests
        # read only from a non-empty array (Spark refuses index 0)
        none = ibis().null("float64")
        bounds[f"{name}_lo"] = ibis().ifelse(n > 0, g[column][lo], none)
        bounds[f"{name}_hi"] = ibis().ifelse(
            n > 0, g[column][ibis().least(lo + 1, (n - 1).cast("int32"))], none
        )
    g = g.mutate(**bounds)
    g = g.mutate(
        **{
            name: quantile(
                g[f"{column}_n"], g[f"{name}_lo"], g[f"{name}_hi"], g[f"{name}_rank"], g[f"{name}_whole"]
            )
            for name, column, _ in wanted
        }
    )
    helpers = [*lists, *(f"{c}_n" for c in lists)]
    helpers += [f"{name}_{part}" for name, _, _ in wanted for part in ("rank", "whole", "lo", "hi")]
    g = g.drop(*helpers)
    return g.order_by(["component", "interval"])


def quantile(n: Any, low: Any, high: Any, rank: Any, whole: Any) -> Any:
    """The q-quantile of a sorted array of `n` values whose elements at ranks floor(rank) and the next
    are `low` and `high`: linear interpolation between the closest ranks, computed as
    `lo + (hi - lo) * (rank - floor(rank))` with rank = q * (n - 1) in float64, the formula of
    numpy.quantile and of the samples this product always wrote (engines' own quantile functions round
    differently in the last bits); null for an empty array. Each part is a column of its own, computed
    once per group."""
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
    results = []
    for x, r in zip(tables, flags, strict=True):
        results.append(engine.run(aggregation(x, step_ns, names, r), source=source, ordered=ordered))
        engine.release(x)
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
