"""Per component × interval figures from request rows, vectorised with numpy (no loop over rows): the
reference the engine query (`query`) is tested against bit for bit, and the samples' array form
(`Samples`, `merge`, `samples_frame`) that `combine` uses to join cached batches.

Rows are grouped by (component code, start time floored to the interval); sums use `np.bincount`, and the
percentiles come from one integer sort of (group, value in µs) and linear interpolation between the closest
ranks, as `numpy.quantile` does (exact to 1 µs). Intervals with no value for a signal produce no sample (missing, not 0).

Samples are ordered by signal, component and interval start. Blocks of requests whose intervals do not
overlap aggregate independently: `merge` joins their samples into the order one aggregation of all the
requests would give, which is what lets files be aggregated apart (and appended later) exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ...model import empty_frame

LATENCY_QUANTILES = (("latency_p50_ms", 0.50), ("latency_p95_ms", 0.95), ("latency_p99_ms", 0.99))
COUNT_SIGNALS = ("requests_total", "requests_good")
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
    if not valid.all():
        gid, values = gid[valid], values[valid]
    micros = np.rint(values * 1000.0)
    np.minimum(micros, VALUE_MASK, out=micros)
    packed = np.left_shift(gid, VALUE_BITS, dtype="int64")
    packed |= micros.astype("int64")
    del micros
    packed.sort()
    counts = np.bincount(gid, minlength=groups)
    starts = np.cumsum(counts) - counts
    has = counts > 0
    for i, q in enumerate(qs):
        rank = q * (counts[has] - 1)  # within the group, so a group's figure never depends on the others
        whole = np.floor(rank)
        lo = starts[has] + whole.astype("int64")
        hi = np.minimum(lo + 1, starts[has] + counts[has] - 1)
        low, high = (packed[lo] & VALUE_MASK) / 1000.0, (packed[hi] & VALUE_MASK) / 1000.0
        out[i, has] = low + (high - low) * (rank - whole)
    return out


def _sum(gid: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    known = ~np.isnan(values)
    if known.all():  # every group has rows, so every group has a sum
        return np.bincount(gid, weights=values, minlength=groups)
    total = np.bincount(gid, weights=np.where(known, values, 0.0), minlength=groups)
    seen = np.bincount(gid, weights=known.astype("float64"), minlength=groups)
    return np.where(seen > 0, total, np.nan)


def signal_names(ttft: bool, sums: Iterable[str]) -> list[str]:
    """The signals an aggregation produces, in sample order: counts, latency, TTFT when known, then sums."""
    present = set(sums)
    return [
        *COUNT_SIGNALS,
        *(name for name, _ in LATENCY_QUANTILES),
        *(["ttft_p95_ms"] if ttft else []),
        *(name for name in SUM_SIGNALS if name in present),
    ]


def duplicates(req: Requests, ids: list[pa.Array] | None) -> tuple[int, int, np.ndarray]:
    """(exact duplicates, conflicting repeats of a request id, rows to keep); the first row of a repeat wins.

    A request logged twice has the same start time, so only rows sharing a start time are compared in
    full (found with one stable sort of the start times, which logs mostly already are), and with their
    request ids when `ids` (one array per block of rows) is given.
    """
    n = len(req.start_ns)
    keep = np.ones(n, dtype=bool)
    start = req.start_ns
    ordered = bool((start[1:] >= start[:-1]).all())
    order = None if ordered else np.argsort(start, kind="stable")
    sorted_start = start if order is None else start[order]
    same = sorted_start[1:] == sorted_start[:-1]
    if not same.any():
        return 0, 0, keep
    shared = np.zeros(n, dtype=bool)
    shared[1:] = same
    shared[:-1] |= same
    rows = shared.nonzero()[0] if order is None else np.sort(order[shared])
    frame = pd.DataFrame({"c": req.component[rows], "t": req.start_ns[rows], "g": req.good[rows]})
    frame["l"] = req.latency_ms[rows]
    if req.ttft_ms is not None:
        frame["f"] = req.ttft_ms[rows]
    for k, v in req.sums.items():
        frame[k] = v[rows]
    exact = frame.duplicated().to_numpy()
    repeated = exact
    if ids is not None:
        picked = pa.chunked_array(ids, pa.string()).take(pa.array(rows)).to_pandas()
        same_id = pd.DataFrame({"t": frame["t"].to_numpy(), "id": picked.to_numpy()}).duplicated().to_numpy()
        exact = frame.assign(id=picked.to_numpy()).duplicated().to_numpy()
        repeated = same_id
    keep[rows[repeated]] = False
    return int(exact.sum()), int((repeated & ~exact).sum()), keep


@dataclass
class Samples:
    """Samples as arrays, ordered by signal code, component code and interval start."""

    ts_ns: np.ndarray  # int64 interval start, ns since epoch (UTC)
    component: np.ndarray  # code into the component ids
    signal: np.ndarray  # code into the signal names
    value: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.value)


def aggregate(req: Requests, step_ns: int, names: list[str]) -> Samples:
    """Samples of `names` (see `signal_names`) per component and interval.

    Consumes `req`: its arrays are released once the per-group figures exist, before the output is built.
    """
    if not len(req.start_ns):
        return Samples(*(np.empty(0, dtype=d) for d in ("int64", "int64", "int8", "float64")))
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
    if "ttft_p95_ms" in names:
        signals["ttft_p95_ms"] = group_quantiles(gid, req.ttft_ms, groups, [0.95])[0]
    for name in SUM_SIGNALS:
        if name in names:
            signals[name] = _sum(gid, req.sums[name], groups)
    req.sums.clear()
    req.latency_ms = req.ttft_ms = req.good = req.start_ns = req.component = None  # type: ignore[assignment]
    del gid, key, bucket, latency
    group_component = uniques // span
    group_ts = (uniques % span + first) * step_ns
    present = {name: ~np.isnan(signals[name]) for name in names}
    size = sum(int(p.sum()) for p in present.values())
    ts, comp = np.empty(size, dtype="int64"), np.empty(size, dtype="int64")
    sig, value = np.empty(size, dtype="int8"), np.empty(size, dtype="float64")
    at = 0
    for code, name in enumerate(names):
        mask = present.pop(name)
        n = int(mask.sum())
        ts[at : at + n], comp[at : at + n] = group_ts[mask], group_component[mask]
        sig[at : at + n], value[at : at + n] = code, signals.pop(name)[mask]
        at += n
    return Samples(ts, comp, sig, value)


def merge(parts: list[Samples], components: int) -> Samples:
    """One ordered Samples from parts whose intervals do not overlap, given in time order."""
    parts = [p for p in parts if len(p)]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return Samples(*(np.empty(0, dtype=d) for d in ("int64", "int64", "int8", "float64")))
    joined = Samples(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("ts_ns", "component", "signal", "value"))
    )
    key = joined.signal.astype("int64") * components + joined.component
    if int(key.max()) < 1 << 16:
        key = key.astype("uint16")  # a stable sort of 16-bit keys is a radix sort
    order = np.argsort(key, kind="stable")  # stable: each (signal, component) stays in time order
    return Samples(*(getattr(joined, f)[order] for f in ("ts_ns", "component", "signal", "value")))


def samples_frame(s: Samples, names: list[str], component_ids: list[str], source_id: str) -> pd.DataFrame:
    """Canonical samples; component, signal and source are categoricals to keep millions of rows small."""
    if not len(s):
        return empty_frame("samples")
    stamps = pd.DatetimeIndex(s.ts_ns.view("M8[ns]"), copy=False).tz_localize("UTC")
    comp = s.component.astype("int16" if len(component_ids) < 2**15 else "int32")
    return pd.DataFrame(
        {
            "ts": stamps,
            "component": pd.Categorical.from_codes(comp, categories=component_ids),
            "signal": pd.Categorical.from_codes(s.signal, categories=names),
            "value": s.value,
            "source": pd.Categorical.from_codes(np.zeros(len(s), dtype="int8"), categories=[source_id]),
        },
        copy=False,
    )


def samples_of(frame: pd.DataFrame, names: list[str], component_ids: list[str]) -> Samples | None:
    """The arrays of a frame `samples_frame` made (e.g. read back from the parse cache); None if it is not one."""
    if not len(frame):
        return Samples(*(np.empty(0, dtype=d) for d in ("int64", "int64", "int8", "float64")))
    component = pd.Categorical(frame["component"], categories=component_ids).codes.astype("int64")
    signal = pd.Categorical(frame["signal"], categories=names).codes.astype("int8")
    if (component < 0).any() or (signal < 0).any():
        return None
    ts = frame["ts"].array.asi8 if hasattr(frame["ts"].array, "asi8") else None
    if ts is None:
        return None
    return Samples(np.asarray(ts, dtype="int64"), component, signal, frame["value"].to_numpy(dtype="float64"))
