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

from ..config import parse_duration
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
        # uint64 throughout: a [0] of int64 in front would make the sums float64, whose rounding lets the
        # rows before a window change its digest
        zero = np.zeros(1, dtype="uint64")
        self.sums = np.concatenate((zero, np.cumsum(hashes.astype("uint64"), dtype="uint64")))

    def window(self, since_ns: int, until_ns: int) -> tuple[int, int]:
        """(rows, sum of their hashes) of the rows with since <= ts <= until."""
        lo = int(np.searchsorted(self.ts, since_ns, side="left"))
        hi = int(np.searchsorted(self.ts, until_ns, side="right"))
        return hi - lo, (int(self.sums[hi]) - int(self.sums[lo])) % (1 << 64)


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


def window(
    config: Any, kind: PeriodKind, label: str, as_of: dt.datetime
) -> tuple[dt.datetime, dt.datetime, bool]:
    """(since, at, closed): the data a period's facts read lies in [since, at]; ``closed``: as-of is at or
    after the period's end (then ``at`` is that end)."""
    period = parse_period(kind, label, config.tz)
    closed = to_utc(as_of) >= period.end
    return lookback(config, period.start, period.end), min(to_utc(as_of), period.end), closed


def period_fingerprint(
    dataset: Dataset, config: Any, kind: PeriodKind, label: str, as_of: dt.datetime
) -> str:
    """The digest of everything in `dataset` the facts of `label` (as of `as_of`) read."""
    since, at, closed = window(config, kind, label, as_of)
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


# -- which weeks a change of input files cannot reach ---------------------------------------------------------

MARGIN = dt.timedelta(days=1)


def data_state(dataset: Dataset, config: Any, digests: dict[str, str]) -> dict[str, Any]:
    """What `unchanged_weeks` compares between two builds (plain data, kept in the store): each input
    file's digest and the time range of its rows, the reach of a row beyond that range, and a digest of
    what every period reads regardless of its window (the earliest timestamp, every incident, each
    source's identity and dropped duplicates)."""
    spans: dict[str, list[str] | None] = {}
    for report in dataset.sources:
        files = list(report.files)
        for f in files:
            if len(files) == 1 and f.start is None:  # one file: its range is the source's (as provenance)
                known = report.start is not None and report.end is not None
                spans[f.path] = [iso(report.start), iso(report.end)] if known else None
            else:
                spans[f.path] = [f.start, f.end] if f.start is not None and f.end is not None else None
    overall = {
        "earliest": iso(earliest(dataset)),
        "incidents": [repr(i) for i in dataset.incidents],
        "sources": [
            [r.id, r.type, r.duplicates_dropped] for r in sorted(dataset.sources, key=lambda r: r.id)
        ],
    }
    text = json.dumps(overall, sort_keys=True, default=str)
    return {
        "files": dict(digests),
        "spans": spans,
        "reach_s": reach(config).total_seconds(),
        "overall": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }


def reach(config: Any) -> dt.timedelta:
    """How far from its own timestamp a row can change the canonical data: the longest interval any
    source aggregates to (a bucket starts before the rows in it), and a day (daily bill rows) beyond."""
    longest = MARGIN
    for src in config.sources:
        values = src.model_dump().values() if hasattr(src, "model_dump") else vars(src).values()
        for value in values:
            try:  # any option that reads as a duration (interval, run_interval, ...) counts
                longest = max(longest, parse_duration(value))
            except (ValueError, TypeError):
                continue
    return longest + MARGIN


def unchanged_weeks(
    previous: dict[str, Any], now: dict[str, Any], config: Any, weeks: list[str], as_of: dt.datetime
) -> dict[str, str]:
    """The facts keys (from the previous build's record) of the weeks in ``weeks`` whose facts cannot
    have changed: closed then and now, and no input file that was added, removed or changed has a row
    within the row reach of the week's window [since, at]. Anything the comparison cannot bound (a changed
    file without a known time range, an unchanged file whose recorded range differs, a changed incident,
    earliest timestamp or source) proves nothing: {} (every week is fingerprinted)."""
    if previous.get("overall") != now["overall"] or previous.get("reach_s") != now["reach_s"]:
        return {}
    before, after = previous.get("files") or {}, now["files"]
    spans_before, spans_after = previous.get("spans") or {}, now["spans"]
    changed = {p for p in {*before, *after} if before.get(p) != after.get(p)}
    if any(spans_before.get(p) != spans_after.get(p) for p in set(before) & set(after) - changed):
        return {}
    ranges = []
    for path in changed:
        for spans, files in ((spans_before, before), (spans_after, after)):
            if path in files:
                span = spans.get(path)
                if span is None or None in span:
                    return {}
                ranges.append((to_ns(span[0]), to_ns(span[1])))
    margin = int(now["reach_s"] * 1e9)
    kept = {}
    for week in weeks:
        entry = (previous.get("weeks") or {}).get(week)
        if not entry or not entry.get("closed"):
            continue
        since, at, closed = window(config, "week", week, as_of)
        lo, hi = to_ns(since), to_ns(at)
        if closed and all(end + margin < lo or start - margin > hi for start, end in ranges):
            kept[week] = entry["facts"]
    return kept
