"""Per component × signal arrays cut from the samples frame once, for every analysis that walks a series.

The samples frame is long (a year of 5-minute points for 50 components is tens of millions of rows), so it
is factorised and sorted once; each series is then a pair of numpy slices. Timestamps are int64 nanoseconds
since the epoch (UTC). Points that share a timestamp within one series are merged: counts are summed (two
sources counting disjoint traffic), levels are averaged.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import COUNT_SIGNALS, codes


@dataclass(frozen=True)
class Series:
    component: str
    signal: str
    ts: np.ndarray  # int64 ns, strictly increasing
    values: np.ndarray  # float64, one per timestamp
    sources: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ts)

    def median_step_ns(self, start_ns: int | None = None, end_ns: int | None = None) -> int | None:
        """The median spacing of the points in [start, end), or of the whole series when the window
        holds fewer than two points; None for a series of fewer than two points."""
        ts = self.ts
        if start_ns is not None and end_ns is not None:
            inside = ts[np.searchsorted(ts, start_ns) : np.searchsorted(ts, end_ns)]
            if len(inside) >= 2:
                ts = inside
        if len(ts) < 2:
            return None
        return median_step(ts)


_EXACT_IN_FLOAT = 2**53


def median_step(ts: np.ndarray) -> int:
    """``int(np.median(np.diff(ts)))`` of int64 timestamps (at least two): most series are evenly spaced,
    and then the median is the one spacing, found without sorting (exact while float64 holds it)."""
    steps = np.diff(ts)
    first = int(steps[0])
    if -_EXACT_IN_FLOAT < first < _EXACT_IN_FLOAT and steps.min() == first == steps.max():
        return first
    return int(np.median(steps))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def to_ns(value: dt.datetime | pd.Timestamp) -> int:
    """Nanoseconds since the epoch; naive values are read as UTC."""
    if type(value) is dt.datetime and value.tzinfo is not None:
        return (value - _EPOCH) // _MICROSECOND * 1000
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return int(ts.as_unit("ns").value)


def column_ns(column: pd.Series) -> np.ndarray:
    """A datetime column (aware or naive UTC) as int64 nanoseconds since the epoch."""
    index = pd.DatetimeIndex(column)
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    return np.asarray(index.as_unit("ns").asi8, dtype="int64")


def from_ns(value: int | np.integer) -> dt.datetime:
    """The UTC datetime of nanoseconds since the epoch, truncated to the microsecond (as
    ``pd.Timestamp(value, unit="ns", tz="UTC").to_pydatetime()``, without building a Timestamp)."""
    return _EPOCH + dt.timedelta(microseconds=int(value) // 1000)


@dataclass(frozen=True)
class _Coded:
    """The columns an index reads, of every row of a samples frame or of some of its rows: codes and names
    of component, signal and source, timestamps (int64 ns) and values."""

    codes: tuple[tuple[np.ndarray, list[str]], tuple[np.ndarray, list[str]], tuple[np.ndarray, list[str]]]
    ts: np.ndarray
    values: np.ndarray


def _coded(
    samples: pd.DataFrame, positions: np.ndarray | None = None, ts: np.ndarray | None = None
) -> _Coded:
    """The columns of the rows at `positions` (every row: None), read column by column: cutting the text
    columns as codes is several times cheaper than cutting the rows of the frame (``iloc``) first. The
    names are those of every row; an index keys its series by name, so names no kept row has are unused.
    `ts`: the frame's timestamps as ``column_ns`` gives them, when already at hand."""
    ts = column_ns(samples["ts"]) if ts is None else ts
    values = samples["value"].to_numpy(dtype="float64")
    coded = [codes(samples[name]) for name in ("component", "signal", "source")]
    if positions is not None:
        coded = [(raw[positions], names) for raw, names in coded]
        ts, values = ts[positions], values[positions]
    return _Coded((coded[0], coded[1], coded[2]), ts, values)


class SeriesIndex:
    """Fast lookup of one component × signal series in a samples frame."""

    def __init__(self, samples: pd.DataFrame, coded: _Coded | None = None):
        """The index of every row of `samples`, or (`coded`) of the rows `_coded` picked of it."""
        self._slices: dict[tuple[str, str], tuple[int, int]] = {}
        self._cache: dict[tuple[str, str], Series] = {}
        self._parent: SeriesIndex | None = None
        self._window = (0, 0)
        n = len(samples) if coded is None else len(coded.ts)
        if n == 0:
            self._ts = np.empty(0, dtype="int64")
            self._values = np.empty(0, dtype="float64")
            self._src = np.empty(0, dtype="int64")
            self._sources = np.empty(0, dtype=object)
            return
        coded = coded if coded is not None else _coded(samples)
        (comp_codes, comps), (sig_codes, sigs), (src_codes, sources) = coded.codes
        ts, values = coded.ts, coded.values
        del coded  # a whole frame's codes are dropped once keyed (a window's stay with `_WINDOW`)
        key = comp_codes.astype("int64") * len(sigs) + sig_codes
        del comp_codes, sig_codes
        bounds = np.flatnonzero(key[1:] != key[:-1]) + 1
        starts = np.concatenate(([0], bounds))
        # Collectors emit one series after another: then each series is one contiguous run and no
        # sort (and no copy of the long arrays) is needed unless time runs backwards inside a run.
        contiguous = len(np.unique(key[starts])) == len(starts)
        inside = np.ones(n - 1, dtype=bool)
        inside[bounds - 1] = False
        backwards = np.any((ts[1:] < ts[:-1]) & inside)
        if not contiguous or backwards:
            order = np.lexsort((ts, key)) if backwards else np.argsort(key, kind="stable")
            key, ts, values, src_codes = key[order], ts[order], values[order], src_codes[order]
            bounds = np.flatnonzero(key[1:] != key[:-1]) + 1
            starts = np.concatenate(([0], bounds))
        self._ts, self._values, self._src = ts, values, src_codes
        self._sources = np.asarray(sources, dtype=object)
        ends = np.concatenate((bounds, [n]))
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            k = int(key[s])
            self._slices[(comps[k // len(sigs)], sigs[k % len(sigs)])] = (s, e)

    def between(self, since: dt.datetime, until: dt.datetime) -> SeriesIndex:
        """The same index with only the points in [since, until] (views of this index's arrays: nothing is
        copied). A period's facts read such a view, so they depend on no data outside their look-back."""
        lo_ns, hi_ns = to_ns(since), to_ns(until)
        view = object.__new__(SeriesIndex)
        view._ts, view._values, view._src, view._sources = self._ts, self._values, self._src, self._sources
        view._slices, view._cache, view._parent, view._window = {}, {}, self, (lo_ns, hi_ns)
        for key, (s, e) in self._slices.items():
            ts = self._ts[s:e]
            a = s + int(np.searchsorted(ts, lo_ns, side="left"))
            b = s + int(np.searchsorted(ts, hi_ns, side="right"))
            if b > a:
                view._slices[key] = (a, b)
        return view

    def keys(self) -> list[tuple[str, str]]:
        return sorted(self._slices)

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._slices

    def get(self, component: str, signal: str) -> Series | None:
        key = (component, signal)
        if key in self._cache:
            return self._cache[key]
        if key not in self._slices:
            return None
        s, e = self._slices[key]
        parent = self._parent
        if parent is not None:  # a view: cut the parent's merged series (built once for every view)
            full = parent.get(component, signal)
            assert full is not None
            lo = int(np.searchsorted(full.ts, self._window[0], side="left"))
            hi = int(np.searchsorted(full.ts, self._window[1], side="right"))
            sources = full.sources
            if len(sources) > 1 and hi - lo < len(full.ts):
                sources = tuple(sorted(str(x) for x in self._sources[np.unique(self._src[s:e])]))
            series = Series(component, signal, full.ts[lo:hi], full.values[lo:hi], sources)
            self._cache[key] = series
            return series
        ts, values = self._ts[s:e], self._values[s:e]
        sources = tuple(sorted(str(x) for x in self._sources[np.unique(self._src[s:e])]))
        if len(ts) > 1 and np.any(ts[1:] == ts[:-1]):
            first = np.concatenate(([True], ts[1:] != ts[:-1]))
            starts = np.flatnonzero(first)
            sums = np.add.reduceat(values, starts)
            if signal not in COUNT_SIGNALS:
                sums = sums / np.diff(np.concatenate((starts, [len(ts)])))
            ts, values = ts[starts], sums
        series = Series(component, signal, ts, values, sources)
        self._cache[key] = series
        return series


# One index per samples frame: the facts of every week of a year read the same frame, and building the
# index (factorise, sort) is the costliest step of a week's analysis. Keyed by the frame's identity and
# dropped with the frame; only the most recent frame is kept.
_SHARED: list[tuple[weakref.ref, SeriesIndex, TimeOrder | None]] = []


def _shared_entry(samples: pd.DataFrame) -> list:
    if _SHARED and _SHARED[0][0]() is samples:
        return _SHARED
    _SHARED[:] = [(weakref.ref(samples), SeriesIndex(samples), None)]
    return _SHARED


def shared_index(samples: pd.DataFrame) -> SeriesIndex:
    """The SeriesIndex of `samples`, built once per frame object (the frame must not be mutated)."""
    return _shared_entry(samples)[0][1]


# A build that analyses a few periods only (one new day: the week it falls in) reads a few months of a
# year of samples: `prepare_window` cuts the rows of [since, until] once and indexes only those. An index of
# the rows in a window answers every `between` inside that window as the index of every row does (series
# are cut by timestamp, points merged per timestamp, sources taken from the rows of the window).
_WINDOW: list[tuple[weakref.ref, int, int, np.ndarray, SeriesIndex, _Coded]] = []


def prepare_window(samples: pd.DataFrame, since: dt.datetime, until: dt.datetime) -> bool:
    """Index the rows of `samples` in [since, until] for `index_between` and `rows_between`; False (nothing
    kept) when that is every row, so the index of the whole frame serves."""
    lo, hi = to_ns(since), to_ns(until)
    ts = column_ns(samples["ts"]) if len(samples) else np.empty(0, dtype="int64")
    inside = (ts >= lo) & (ts <= hi)
    if inside.all():
        _WINDOW.clear()
        return False
    positions = np.flatnonzero(inside)
    coded = _coded(samples, positions, ts)
    _WINDOW[:] = [(weakref.ref(samples), lo, hi, positions, SeriesIndex(samples, coded), coded)]
    return True


def _window(samples: pd.DataFrame, lo: int, hi: int) -> tuple[np.ndarray, SeriesIndex, _Coded] | None:
    if _WINDOW and _WINDOW[0][0]() is samples and _WINDOW[0][1] <= lo and hi <= _WINDOW[0][2]:
        return _WINDOW[0][3], _WINDOW[0][4], _WINDOW[0][5]
    return None


def index_between(samples: pd.DataFrame, since: dt.datetime, until: dt.datetime) -> SeriesIndex:
    """``shared_index(samples).between(since, until)``, from the window `prepare_window` indexed when it
    covers [since, until]."""
    found = _window(samples, to_ns(since), to_ns(until))
    return (found[1] if found else shared_index(samples)).between(since, until)


def rows_between(
    samples: pd.DataFrame, start: dt.datetime, end: dt.datetime, pick: Callable[[list[str]], list[str]]
) -> pd.DataFrame:
    """The rows with start <= ts < end of the signals `pick` chooses of the frame's signals, in their
    original order (index and values as ``time_order(samples).rows``), cut from the window
    `prepare_window` kept when it covers them."""
    lo, hi = to_ns(start), to_ns(end)
    found = _window(samples, lo, hi)
    if found is None:
        order = time_order(samples)
        return order.rows(samples, start, end, pick(order.signals(samples)))
    positions, _, coded = found
    if not len(positions):
        return samples.iloc[positions]
    sig_codes, names = coded.codes[1]
    wanted = set(pick(sorted(names)))  # the frame's signals, as `TimeOrder.signals` offers them
    keep = np.isin(sig_codes, [i for i, name in enumerate(names) if name in wanted])
    ts = coded.ts
    return _compact(samples.iloc[positions[np.flatnonzero(keep & (ts >= lo) & (ts < hi))]])


class TimeOrder:
    """The rows of a samples frame in time order, to cut [start, end) windows without scanning every row;
    and a compact copy of the rows of a few signals with each signal's rows in time order, to cut a window
    of those signals without touching the others."""

    def __init__(self, samples: pd.DataFrame):
        ts = column_ns(samples["ts"]) if len(samples) else np.empty(0, dtype="int64")
        self.order = np.argsort(ts, kind="stable")
        self.ts = ts[self.order]
        self._samples = weakref.ref(samples)
        self._signal_names: list[str] | None = None
        self._subsets: dict[
            frozenset[str], tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]]]
        ] = {}

    def rows(
        self,
        samples: pd.DataFrame,
        start: dt.datetime,
        end: dt.datetime,
        signals: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """The rows with start <= ts < end (of `signals` only, when given), in their original order."""
        lo_ns, hi_ns = to_ns(start), to_ns(end)
        if signals is None:
            lo, hi = np.searchsorted(self.ts, [lo_ns, hi_ns])
            return samples.iloc[np.sort(self.order[lo:hi])]
        subset, by_signal = self.subset(samples, signals)
        parts = []
        for ts, rows in by_signal.values():
            lo, hi = np.searchsorted(ts, [lo_ns, hi_ns])
            parts.append(rows[lo:hi])
        rows = np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype="int64")
        return subset.iloc[rows]

    def signals(self, samples: pd.DataFrame) -> list[str]:
        """The distinct signals of the frame, sorted."""
        if self._signal_names is None:
            self._signal_names = sorted(codes(samples["signal"])[1]) if len(samples) else []
        return self._signal_names

    def subset(
        self, samples: pd.DataFrame, signals: Iterable[str]
    ) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]]]:
        """The rows of `signals` (original order, index and dtypes; each text column one contiguous Arrow
        array, which takes rows several times faster than the frame's chunks), and per signal its rows'
        timestamps in time order with their positions in that subset. Built once per set of signals (a
        build asks for one set: only the latest is kept)."""
        key = frozenset(signals)
        if key not in self._subsets:
            assert self._samples() is samples, "a TimeOrder cuts only the frame it was built from"
            by_signal: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            kept = np.empty(0, dtype="int64")
            if len(samples):
                sig_codes, names = codes(samples["signal"])
                wanted = [i for i, name in enumerate(names) if name in key]
                kept = np.flatnonzero(np.isin(sig_codes, wanted))
                sub_codes, sub_ts = sig_codes[kept], column_ns(samples["ts"])[kept]
                in_time = np.argsort(sub_ts, kind="stable")
                grouped = in_time[np.argsort(sub_codes[in_time], kind="stable")]  # by signal, then time
                grouped_codes = sub_codes[grouped]
                bounds = np.flatnonzero(grouped_codes[1:] != grouped_codes[:-1]) + 1
                starts, ends = np.concatenate(([0], bounds)), np.concatenate((bounds, [len(grouped)]))
                for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
                    if b > a:
                        rows = grouped[a:b]
                        by_signal[names[int(grouped_codes[a])]] = (sub_ts[rows], rows)
            by_signal = dict(sorted(by_signal.items()))
            self._subsets = {key: (_compact(samples.iloc[kept]), by_signal)}
        return self._subsets[key]


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with each Arrow-backed text column in one chunk (same values, dtype and index)."""
    out = frame  # a new frame (cut with iloc): its columns are replaced, the frame it came from is not
    for col in out.columns:
        array = out[col].array
        chunks = getattr(array, "_pa_array", None)
        if chunks is not None and chunks.num_chunks > 1 and isinstance(array.dtype, pd.StringDtype):
            import pyarrow as pa

            one = type(array)(pa.chunked_array([chunks.combine_chunks()]), dtype=array.dtype)
            if one.dtype == array.dtype:
                out[col] = pd.Series(one, index=out.index, name=col)
    return out


def time_order(samples: pd.DataFrame) -> TimeOrder:
    """The TimeOrder of `samples`, built once per frame object."""
    entry = _shared_entry(samples)
    ref, index, order = entry[0]
    if order is None:
        order = TimeOrder(samples)
        entry[0] = (ref, index, order)
    return order
