"""A digest of the data a period's facts read, so a later build can tell whether a period's facts changed.

A period's facts depend on the configuration, the content and the code (keyed by the caller), and on the
data inside its look-back window [lookback, as_of] (analysis/timeline.py): the samples, cost, eval and KPI rows
with a timestamp in the window, the incidents as known at as-of that touch it, the sources' entries, and
the earliest timestamp of the data (which decides whether a previous period exists). `period_fingerprint`
digests exactly those; the rows of a frame are hashed once (pandas' per-row hash) and summed per window
through prefix sums in time order, so fingerprinting every week of a year costs one pass over the frame.
A later build whose input files changed reuses each day's (rows, hash sum) from the previous build's record
(`day_sums`, `reuse_days`) for the days no changed file can reach, and hashes only the other rows it needs.
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

DAY_NS = 86_400 * 10**9
FRAMES = (("samples", "ts"), ("costs", "day"), ("evals", "ts"), ("kpis", "day"))
stats = {"rows_hashed": 0}  # rows whose hash this process computed (tests: a new day hashes only its rows)


def _hash_rows(frame: pd.DataFrame, rows: np.ndarray | None = None) -> np.ndarray:
    """pandas' per-row hash (uint64) of the frame's rows (of ``rows`` only, when given): a row's hash
    depends on its values alone, so hashing a subset gives the same numbers as hashing the whole frame."""
    part = frame if rows is None else frame.iloc[rows]
    stats["rows_hashed"] += len(part)
    if not len(part):
        return np.empty(0, dtype="uint64")
    return pd.util.hash_pandas_object(part, index=False).to_numpy().astype("uint64", copy=False)


def _day_table(days: np.ndarray, hashes: np.ndarray) -> dict[int, tuple[int, int]]:
    """UTC day index -> (rows, sum of their hashes mod 2**64), for rows sorted by day."""
    if not len(days):
        return {}
    uniq, first = np.unique(days, return_index=True)
    ends = np.append(first[1:], len(days))
    sums = np.add.reduceat(hashes, first, dtype="uint64") if len(hashes) else hashes
    return {int(d): (int(e - f), int(s)) for d, f, e, s in zip(uniq, first, ends, sums, strict=True)}


class _RowSums:
    """Per-row hashes of a frame, summed (mod 2**64) in time order, for O(1) window digests."""

    def __init__(self, frame: pd.DataFrame, ts: np.ndarray, order: np.ndarray):
        """``ts``: the frame's timestamps (int64 ns) in time order; ``order``: the rows in that order."""
        self.ts = ts
        self.hashes = _hash_rows(frame)[order] if len(frame) else ts.astype("uint64")
        # uint64 throughout: a [0] of int64 in front would make the sums float64, whose rounding lets the
        # rows before a window change its digest
        zero = np.zeros(1, dtype="uint64")
        self.sums = np.concatenate((zero, np.cumsum(self.hashes, dtype="uint64")))

    def window(self, since_ns: int, until_ns: int) -> tuple[int, int]:
        """(rows, sum of their hashes) of the rows with since <= ts <= until."""
        lo = int(np.searchsorted(self.ts, since_ns, side="left"))
        hi = int(np.searchsorted(self.ts, until_ns, side="right"))
        return hi - lo, (int(self.sums[hi]) - int(self.sums[lo])) % (1 << 64)

    def days(self) -> dict[int, tuple[int, int]]:
        """(rows, hash sum) of each UTC day that holds rows (what the next build may reuse)."""
        return _day_table(np.floor_divide(self.ts, DAY_NS), self.hashes)


def _member(days: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``np.isin(days, wanted)`` for day numbers, through a table over the days' range (one gather per row
    instead of a sort of every row: a year of samples spans a few hundred days)."""
    if not len(days) or not len(wanted):
        return np.zeros(len(days), dtype=bool)
    lo, hi = int(days.min()), int(days.max())
    table = np.zeros(hi - lo + 1, dtype=bool)
    inside = wanted[(wanted >= lo) & (wanted <= hi)]
    table[inside - lo] = True
    return table[days - lo]


def _day_counts(days: np.ndarray) -> dict[int, int]:
    """How many rows each day holds (``np.unique(days, return_counts=True)``, by counting instead of sorting)."""
    if not len(days):
        return {}
    lo = int(days.min())
    counts = np.bincount(days - lo)
    present = np.flatnonzero(counts)
    return dict(zip((present + lo).tolist(), counts[present].tolist(), strict=True))


class _DaySums:
    """Window digests from the previous build's per-day sums: the (rows, hash sum) of a UTC day that no
    changed input file can reach is taken from the store, and only the rows of the other days (and of the
    days a window cuts in part) are hashed. Additive mod 2**64, so every window's digest is the one
    `_RowSums` gives."""

    def __init__(self, frame: pd.DataFrame, col: str, kept: dict[int, tuple[int, int]]):
        """``kept``: the stored sums of the days no change can reach (checked against the rows' counts
        by the caller)."""
        self.frame = frame
        self.ts = column_ns(frame[col]) if len(frame) else np.empty(0, dtype="int64")
        self.day = np.floor_divide(self.ts, DAY_NS)
        self.kept = kept
        self.kept_days = np.array(sorted(kept), dtype="int64")
        counts = np.array([kept[d][0] for d in self.kept_days], dtype="int64")
        sums = np.array([kept[d][1] for d in self.kept_days], dtype="uint64")
        self.count_prefix = np.concatenate(([0], np.cumsum(counts)))
        self.sum_prefix = np.concatenate((np.zeros(1, dtype="uint64"), np.cumsum(sums, dtype="uint64")))
        self.in_kept = _member(self.day, self.kept_days)  # the rows whose day's sum is stored
        self.hashes = np.zeros(len(self.ts), dtype="uint64")
        self.known = np.zeros(len(self.ts), dtype=bool)

    def _hashes(self, rows: np.ndarray) -> np.ndarray:
        todo = rows[~self.known[rows]]
        if len(todo):
            self.hashes[todo] = _hash_rows(self.frame, todo)
            self.known[todo] = True
        return self.hashes[rows]

    def window(self, since_ns: int, until_ns: int) -> tuple[int, int]:
        # whole days inside [since, until] whose sums are kept; every other row of the window is hashed
        first = -(-since_ns // DAY_NS)
        last = (until_ns + 1) // DAY_NS - 1
        lo, hi = np.searchsorted(self.kept_days, [first, last + 1])
        rows_kept = int(self.count_prefix[hi] - self.count_prefix[lo])
        sum_kept = int(self.sum_prefix[hi]) - int(self.sum_prefix[lo])
        inside = (self.ts >= since_ns) & (self.ts <= until_ns)
        if hi > lo:
            inside &= ~(self.in_kept & (self.day >= first) & (self.day <= last))
        rows = np.flatnonzero(inside)
        total = int(self._hashes(rows).sum(dtype="uint64")) if len(rows) else 0
        return rows_kept + len(rows), (sum_kept + total) % (1 << 64)

    def days(self) -> dict[int, tuple[int, int]]:
        rows = np.flatnonzero(~self.in_kept)
        order = rows[np.argsort(self.day[rows], kind="stable")]
        return {**self.kept, **_day_table(self.day[order], self._hashes(order))}


_MEMO: dict[tuple[int, str], tuple[weakref.ref, _RowSums | _DaySums]] = {}


def _row_sums(frame: pd.DataFrame, col: str, samples: bool = False) -> _RowSums | _DaySums:
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


def reuse_days(dataset: Dataset, stored: Any, changed: list[tuple[int, int]]) -> bool:
    """Let the window digests of `dataset` reuse the previous build's per-day sums (``stored``, as
    `day_sums` gave them) for the days no changed rows can reach: ``changed`` is the time ranges (ns,
    widened by the rows' reach) the changed input files cover. A day whose row count differs from the
    stored one proves the ranges wrong: then nothing is reused (False) and every row is hashed."""
    if not isinstance(stored, dict) or any(name not in stored for name, _ in FRAMES):
        return False
    plans = []
    for name, col in FRAMES:
        frame = getattr(dataset, name)
        try:
            days = {int(d): (int(n), int(s)) for d, n, s in stored[name]}
        except (TypeError, ValueError):
            return False
        kept = {
            d: v
            for d, v in days.items()
            if all(end < d * DAY_NS or start > (d + 1) * DAY_NS - 1 for start, end in changed)
        }
        sums = _DaySums(frame, col, kept)
        have = _day_counts(sums.day)
        reachable = [
            d for d in have if all(end < d * DAY_NS or start > (d + 1) * DAY_NS - 1 for start, end in changed)
        ]
        if any(have.get(d, 0) != n for d, (n, _) in kept.items()) or any(d not in kept for d in reachable):
            return False  # rows appeared, vanished or moved on a day no change should reach
        plans.append(((id(frame), col), frame, sums))
    for key, frame, sums in plans:
        _MEMO[key] = (weakref.ref(frame), sums)
    return True


def day_sums(dataset: Dataset) -> dict[str, list[list[int]]]:
    """Each frame's (UTC day, rows, hash sum) per day holding rows, for the next build's `reuse_days`."""
    out = {}
    for name, col in FRAMES:
        table = _row_sums(getattr(dataset, name), col, name == "samples").days()
        out[name] = [[d, n, s] for d, (n, s) in sorted(table.items())]
    return out


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
    for name, col in FRAMES:
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


def changed_ranges(previous: dict[str, Any], now: dict[str, Any]) -> list[tuple[int, int]] | None:
    """The time ranges (int ns, widened by the row reach) where the canonical rows may differ between the
    data of ``previous`` and ``now`` (two `data_state` records): the spans of the input files added,
    removed or changed. None when the comparison cannot bound them (a changed incident, earliest
    timestamp, source or reach; a changed file without a known time range; an unchanged file whose
    recorded range differs)."""
    if previous.get("overall") != now["overall"] or previous.get("reach_s") != now["reach_s"]:
        return None
    before, after = previous.get("files") or {}, now["files"]
    spans_before, spans_after = previous.get("spans") or {}, now["spans"]
    changed = {p for p in {*before, *after} if before.get(p) != after.get(p)}
    if any(spans_before.get(p) != spans_after.get(p) for p in set(before) & set(after) - changed):
        return None
    margin = int(now["reach_s"] * 1e9)
    ranges = []
    for path in sorted(changed):
        for spans, files in ((spans_before, before), (spans_after, after)):
            if path in files:
                span = spans.get(path)
                if span is None or None in span:
                    return None
                ranges.append((to_ns(span[0]) - margin, to_ns(span[1]) + margin))
    return ranges


def unchanged_weeks(
    previous: dict[str, Any], now: dict[str, Any], config: Any, weeks: list[str], as_of: dt.datetime
) -> dict[str, str]:
    """The facts keys (from the previous build's record) of the weeks in ``weeks`` whose facts cannot
    have changed: closed then and now, and no input file that was added, removed or changed has a row
    within the row reach of the week's window [since, at] (`changed_ranges`). Anything the comparison
    cannot bound proves nothing: {} (every week is fingerprinted)."""
    ranges = changed_ranges(previous, now)
    if ranges is None:
        return {}
    kept = {}
    for week in weeks:
        entry = (previous.get("weeks") or {}).get(week)
        if not entry or not entry.get("closed"):
            continue
        since, at, closed = window(config, "week", week, as_of)
        lo, hi = to_ns(since), to_ns(at)
        if closed and all(end < lo or start > hi for start, end in ranges):
            kept[week] = entry["facts"]
    return kept
