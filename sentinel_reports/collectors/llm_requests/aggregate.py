"""Per component × interval figures from request rows, vectorised with numpy (no loop over rows).

Rows are grouped by (component code, start time floored to the interval); sums use `np.bincount`, and the
percentiles are exact: one `np.lexsort` by (group, value) and linear interpolation between the closest
ranks, as `numpy.quantile` does. Intervals with no value for a signal produce no sample (missing, not 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LATENCY_QUANTILES = (("latency_p50_ms", 0.50), ("latency_p95_ms", 0.95), ("latency_p99_ms", 0.99))
SUM_SIGNALS = ("tokens_input", "tokens_output", "tokens_cache_read", "tokens_cache_write", "cost_requests")


@dataclass
class Requests:
    """Normalised request rows: one entry per request in every array."""

    component: np.ndarray  # int64 code into the sorted component ids, -1 = not a configured component
    start_ns: np.ndarray  # int64 ns since epoch, UTC
    good: np.ndarray  # bool
    latency_ms: np.ndarray  # float64, NaN when unknown
    ttft_ms: np.ndarray | None  # float64, NaN when unknown; None when the source has no TTFT at all
    sums: dict[str, np.ndarray]  # signal -> float64 per request (NaN = unknown) for the fields present

    def take(self, keep: np.ndarray) -> Requests:
        return Requests(
            self.component[keep],
            self.start_ns[keep],
            self.good[keep],
            self.latency_ms[keep],
            None if self.ttft_ms is None else self.ttft_ms[keep],
            {k: v[keep] for k, v in self.sums.items()},
        )

    @classmethod
    def concat(cls, parts: list[Requests]) -> Requests:
        ttft = [p.ttft_ms for p in parts]
        keys = sorted(set.intersection(*(set(p.sums) for p in parts))) if parts else []
        return cls(
            np.concatenate([p.component for p in parts]),
            np.concatenate([p.start_ns for p in parts]),
            np.concatenate([p.good for p in parts]),
            np.concatenate([p.latency_ms for p in parts]),
            None if any(t is None for t in ttft) else np.concatenate(ttft),  # type: ignore[arg-type]
            {k: np.concatenate([p.sums[k] for p in parts]) for k in keys},
        )


def group_quantiles(gid: np.ndarray, values: np.ndarray, groups: int, qs: list[float]) -> np.ndarray:
    """Exact per-group quantiles (linear interpolation); NaN values are ignored; shape (len(qs), groups)."""
    out = np.full((len(qs), groups), np.nan)
    valid = ~np.isnan(values)
    gid, values = gid[valid], values[valid]
    if not len(values):
        return out
    order = np.lexsort((values, gid))
    ordered = values[order]
    counts = np.bincount(gid, minlength=groups)
    starts = np.cumsum(counts) - counts
    has = counts > 0
    for i, q in enumerate(qs):
        pos = starts[has] + q * (counts[has] - 1)
        lo = np.floor(pos).astype("int64")
        hi = np.minimum(lo + 1, starts[has] + counts[has] - 1)
        out[i, has] = ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
    return out


def _sum(gid: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    known = ~np.isnan(values)
    total = np.bincount(gid, weights=np.where(known, values, 0.0), minlength=groups)
    seen = np.bincount(gid, weights=known.astype("float64"), minlength=groups)
    return np.where(seen > 0, total, np.nan)


def aggregate(req: Requests, step_ns: int, component_ids: list[str], source_id: str) -> pd.DataFrame:
    """Canonical samples (categorical component/signal/source columns to keep millions of rows small)."""
    columns = ["ts", "component", "signal", "value", "source"]
    if not len(req.start_ns):
        return pd.DataFrame({c: [] for c in columns}).astype({"value": "float64"})
    bucket = req.start_ns // step_ns
    first = int(bucket.min())
    span = int(bucket.max()) - first + 1
    key = req.component * span + (bucket - first)
    gid, uniques = pd.factorize(key, sort=True)
    groups = len(uniques)
    signals: dict[str, np.ndarray] = {
        "requests_total": np.bincount(gid, minlength=groups).astype("float64"),
        "requests_good": np.bincount(gid, weights=req.good.astype("float64"), minlength=groups),
    }
    latency = group_quantiles(gid, req.latency_ms, groups, [q for _, q in LATENCY_QUANTILES])
    for i, (name, _) in enumerate(LATENCY_QUANTILES):
        signals[name] = latency[i]
    if req.ttft_ms is not None:
        signals["ttft_p95_ms"] = group_quantiles(gid, req.ttft_ms, groups, [0.95])[0]
    for name in SUM_SIGNALS:
        if name in req.sums:
            signals[name] = _sum(gid, req.sums[name], groups)
    group_component = uniques // span
    group_ts = (uniques % span + first) * step_ns
    names = list(signals)
    parts_ts, parts_comp, parts_sig, parts_val = [], [], [], []
    for code, name in enumerate(names):
        values = signals[name]
        present = ~np.isnan(values)
        parts_ts.append(group_ts[present])
        parts_comp.append(group_component[present])
        parts_sig.append(np.full(int(present.sum()), code, dtype="int8"))
        parts_val.append(values[present])
    comp = np.concatenate(parts_comp)
    return pd.DataFrame(
        {
            "ts": pd.to_datetime(np.concatenate(parts_ts), unit="ns", utc=True),
            "component": pd.Categorical.from_codes(comp, categories=component_ids),
            "signal": pd.Categorical.from_codes(np.concatenate(parts_sig), categories=names),
            "value": np.concatenate(parts_val),
            "source": pd.Categorical.from_codes(np.zeros(len(comp), dtype="int8"), categories=[source_id]),
        }
    )
