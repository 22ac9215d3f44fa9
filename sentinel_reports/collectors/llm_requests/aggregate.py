"""Per component × interval figures from request rows, vectorised with numpy (no loop over rows).

Rows are grouped by (component code, start time floored to the interval); sums use `np.bincount`, and the
percentiles come from one integer sort of (group, value in µs) and linear interpolation between the closest
ranks, as `numpy.quantile` does (exact to 1 µs). Intervals with no value for a signal produce no sample (missing, not 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...model import empty_frame

LATENCY_QUANTILES = (("latency_p50_ms", 0.50), ("latency_p95_ms", 0.95), ("latency_p99_ms", 0.99))
VALUE_BITS = 40
VALUE_MASK = (1 << VALUE_BITS) - 1
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
        """One block from many; each field is joined and released from the parts in turn to bound memory."""
        if len(parts) == 1:
            return parts[0]
        keys = sorted(set.intersection(*(set(p.sums) for p in parts)))

        def join(get) -> np.ndarray:
            out = np.concatenate([get(p) for p in parts])
            return out

        ttft = None
        if all(p.ttft_ms is not None for p in parts):
            ttft = join(lambda p: p.ttft_ms)
            for p in parts:
                p.ttft_ms = None
        sums = {}
        for k in keys:
            sums[k] = join(lambda p, k=k: p.sums[k])
            for p in parts:
                del p.sums[k]
        return cls(
            join(lambda p: p.component),
            join(lambda p: p.start_ns),
            join(lambda p: p.good),
            join(lambda p: p.latency_ms),
            ttft,
            sums,
        )


def group_quantiles(gid: np.ndarray, values: np.ndarray, groups: int, qs: list[float]) -> np.ndarray:
    """Per-group quantiles (linear interpolation) of values >= 0; NaN values are ignored.

    Group and value are packed into one int64 (group in the high bits, the value in microseconds in the low
    40 bits, i.e. up to 12 days), so a single integer sort orders values within groups: exact to 1 µs.
    Returns shape (len(qs), groups).
    """
    out = np.full((len(qs), groups), np.nan)
    valid = ~np.isnan(values)
    if not valid.any():
        return out
    micros = np.minimum(np.rint(values[valid] * 1000.0), VALUE_MASK).astype("int64")
    packed = np.sort((gid[valid].astype("int64") << VALUE_BITS) | micros)
    ordered = (packed & VALUE_MASK) / 1000.0
    counts = np.bincount(gid[valid], minlength=groups)
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
    """Canonical samples; component, signal and source are categoricals to keep millions of rows small.

    Consumes `req`: its arrays are released once the per-group figures exist, before the output is built.
    """
    if not len(req.start_ns):
        return empty_frame("samples")
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
    req.sums.clear()
    req.latency_ms = req.ttft_ms = req.good = req.start_ns = req.component = None  # type: ignore[assignment]
    del gid, key, bucket, latency
    group_component = uniques // span
    group_ts = (uniques % span + first) * step_ns
    names = list(signals)
    present = {name: ~np.isnan(values) for name, values in signals.items()}
    size = sum(int(p.sum()) for p in present.values())
    ts, comp = (
        np.empty(size, dtype="int64"),
        np.empty(size, dtype="int16" if len(component_ids) < 2**15 else "int32"),
    )
    sig, value = np.empty(size, dtype="int8"), np.empty(size, dtype="float64")
    at = 0
    for code, name in enumerate(names):
        mask = present.pop(name)
        n = int(mask.sum())
        ts[at : at + n], comp[at : at + n] = group_ts[mask], group_component[mask]
        sig[at : at + n], value[at : at + n] = code, signals.pop(name)[mask]
        at += n
    stamps = pd.DatetimeIndex(ts.view("M8[ns]"), copy=False).tz_localize("UTC")
    del ts
    frame = pd.DataFrame(
        {
            "ts": stamps,
            "component": pd.Categorical.from_codes(comp, categories=component_ids),
            "signal": pd.Categorical.from_codes(sig, categories=names),
            "value": value,
            "source": pd.Categorical.from_codes(np.zeros(size, dtype="int8"), categories=[source_id]),
        },
        copy=False,
    )
    return frame
