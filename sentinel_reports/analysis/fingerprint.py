"""A digest of the data a period's facts read, so a later build can tell whether a period's facts changed.

A period's facts depend on the configuration, the content and the code (keyed by the caller), and on the
data inside its look-back window [lookback, as_of] (analysis/timeline.py): the samples, cost, eval and KPI rows
with a timestamp in the window, the incidents as known at as-of that touch it, the sources' entries, and
the earliest timestamp of the data (which decides whether a previous period exists). `period_fingerprint`
digests exactly those; the rows of a frame are hashed once (pandas' per-row hash) and summed per window
through prefix sums in time order, so fingerprinting every week of a year costs one pass over the frame.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import weakref
from typing import Any

import numpy as np
import pandas as pd

from ..model import Dataset
from .periods import PeriodKind, parse_period, to_utc
from .provenance import iso, source_entries
from .series import column_ns, time_order, to_ns
from .timeline import earliest, incidents_known_at, lookback


class _RowSums:
    """Per-row hashes of a frame, summed (mod 2**64) in time order, for O(1) window digests."""

    def __init__(self, frame: pd.DataFrame, ts: np.ndarray, order: np.ndarray):
        """``ts``: the frame's timestamps (int64 ns) in time order; ``order``: the rows in that order."""
        self.ts = ts
        hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()[order] if len(frame) else ts
        self.sums = np.concatenate(([0], np.cumsum(hashes.astype("uint64"), dtype="uint64")))

    def window(self, since_ns: int, until_ns: int) -> tuple[int, int]:
        """(rows, sum of their hashes) of the rows with since <= ts <= until."""
        lo = int(np.searchsorted(self.ts, since_ns, side="left"))
        hi = int(np.searchsorted(self.ts, until_ns, side="right"))
        return hi - lo, int((self.sums[hi] - self.sums[lo]) % (1 << 64))


_MEMO: dict[tuple[int, str], tuple[weakref.ref, _RowSums]] = {}


def _row_sums(frame: pd.DataFrame, col: str, samples: bool = False) -> _RowSums:
    key = (id(frame), col)
    hit = _MEMO.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    for k in [k for k, (ref, _) in _MEMO.items() if ref() is None]:
        del _MEMO[k]
    if samples:  # the time order the analysis of every week uses too (series.time_order)
        by_time = time_order(frame)
        sums = _RowSums(frame, by_time.ts, by_time.order)
    else:
        ts = column_ns(frame[col]) if len(frame) else np.empty(0, dtype="int64")
        order = np.argsort(ts, kind="stable")
        sums = _RowSums(frame, ts[order], order)
    _MEMO[key] = (weakref.ref(frame), sums)
    return sums


def period_fingerprint(
    dataset: Dataset, config: Any, kind: PeriodKind, label: str, as_of: dt.datetime
) -> str:
    """The digest of everything in `dataset` the facts of `label` (as of `as_of`) read."""
    period = parse_period(kind, label, config.tz)
    closed = to_utc(as_of) >= period.end
    at = min(to_utc(as_of), period.end)
    since = lookback(config, period.start, period.end)
    lo, hi = to_ns(since), to_ns(at)
    parts: dict[str, Any] = {
        "period": [kind, label, iso(at), closed],
        "earliest": iso(earliest(dataset)),
        "sources": source_entries(dataset.sources, since=since, until=at, closed=closed),
    }
    for name, col in (("samples", "ts"), ("costs", "day"), ("evals", "ts"), ("kpis", "day")):
        parts[name] = _row_sums(getattr(dataset, name), col, name == "samples").window(lo, hi)
    parts["incidents"] = [
        repr(i) for i in incidents_known_at(dataset.incidents, at) if (i.resolved_at or at) >= since
    ]
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
