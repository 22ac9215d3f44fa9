"""Coverage of every component × signal series over a window, and the observability gaps it reveals.

Definitions (SPEC section 7):

- a sample at `ts` describes the interval [ts, ts + step); the expected step is the series' median step;
- expected intervals over [start, end) = ceil((end - start) / step); present intervals = distinct
  timestamps in [start, end), at most the expected count; coverage = present / expected;
- a missing run is a stretch of at least one whole step with no point: between two points more than
  1.5 steps apart, before the first point, or after the last one up to `end`.

Telemetry coverage counts every telemetry signal a component expects but no source provides as a series
with nothing present (0 %), sized at the window over the median step of the series that exist.

Besides sample series, eval results (signal `evals`) and attributed cost-ledger rows (signal `cost`) get a
Coverage entry: they satisfy the `quality` and `cost` expectations. They arrive daily or less often, so they
take part only in the no-source check, not in telemetry coverage, missing runs or staleness.
"""

from __future__ import annotations

import datetime as dt
import math
import weakref

import numpy as np
import pandas as pd

from ..config import Config
from ..model import EXPECTATIONS, Coverage, Gap
from .gaps import gaps_for_series, merge_concurrent_gaps, no_source_gaps
from .series import SeriesIndex, codes, column_ns, from_ns, median_step, to_ns

PSEUDO_SIGNALS = ("cost", "evals")


def missing_runs_ns(ts: np.ndarray, start_ns: int, end_ns: int, step_ns: int) -> list[tuple[int, int]]:
    """Missing runs [from, to) in ns for sorted distinct in-window timestamps `ts`; vectorised."""
    if end_ns <= start_ns:
        return []
    if len(ts) == 0:
        return [(start_ns, end_ns)]
    runs: list[tuple[int, int]] = []
    if ts[0] - start_ns >= step_ns:
        runs.append((start_ns, int(ts[0])))
    jumps = np.flatnonzero(np.diff(ts) > 1.5 * step_ns)
    runs.extend(zip((ts[jumps] + step_ns).tolist(), ts[jumps + 1].tolist(), strict=True))
    if end_ns - (int(ts[-1]) + step_ns) >= step_ns:
        runs.append((int(ts[-1]) + step_ns, end_ns))
    return merge_runs(runs)


def merge_runs(runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort runs and merge those that overlap or touch."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(runs):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def series_coverage(
    component: str,
    signal: str,
    ts: np.ndarray,
    sources: tuple[str, ...],
    start: dt.datetime,
    end: dt.datetime,
    step_ns: int | None,
) -> Coverage:
    """Coverage of one series (sorted distinct int64-ns timestamps up to `end`) over [start, end)."""
    start_ns, end_ns = to_ns(start), to_ns(end)
    inside = ts[np.searchsorted(ts, start_ns) : np.searchsorted(ts, end_ns)]
    if step_ns is None or step_ns <= 0:
        expected, runs = 0, []
    else:
        expected = max(0, math.ceil((end_ns - start_ns) / step_ns - 1e-9))
        runs = missing_runs_ns(inside, start_ns, end_ns, step_ns)
    return Coverage(
        component=component,
        signal=signal,
        sources=sources,
        start=from_ns(ts[0]) if len(ts) else None,
        end=from_ns(ts[-1]) if len(ts) else None,
        step_seconds=step_ns / 1e9 if step_ns else None,
        expected_intervals=expected,
        present_intervals=min(len(inside), expected) if expected else len(inside),
        missing_runs=tuple((from_ns(s), from_ns(e)) for s, e in runs),
    )


def _frame_series(
    frame: pd.DataFrame, col: str, end_ns: int
) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """Per component of an eval or cost frame: its distinct timestamps before `end_ns` and its sources."""
    out: dict[str, tuple[np.ndarray, tuple[str, ...]]] = {}
    for component, (ts, sources) in _components(frame, col).items():
        ts = ts[: np.searchsorted(ts, end_ns)]
        if len(ts):
            out[component] = (ts, sources)
    return out


# Per frame (evals, costs) and column: every week of a build reads the same whole frames, so each
# component's distinct timestamps and sources are found once (the frames are never mutated).
_COMPONENTS: dict[tuple[int, str], tuple[weakref.ref, dict[str, tuple[np.ndarray, tuple[str, ...]]]]] = {}


def _components(frame: pd.DataFrame, col: str) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    key = (id(frame), col)
    hit = _COMPONENTS.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    for k in [k for k, (ref, _) in _COMPONENTS.items() if ref() is None]:
        del _COMPONENTS[k]
    out: dict[str, tuple[np.ndarray, tuple[str, ...]]] = {}
    if len(frame):
        rows = frame.loc[frame["component"].notna()]
        ts_all = column_ns(rows[col])
        src_codes, src_names = codes(rows["source"])
        for component, idx in sorted(rows.groupby("component", sort=True).indices.items()):
            sources = tuple(sorted({src_names[c] for c in np.unique(src_codes[idx])}))
            out[str(component)] = (np.unique(ts_all[idx]), sources)
    _COMPONENTS[key] = (weakref.ref(frame), out)
    return out


def compute_coverage(
    samples: pd.DataFrame,
    evals: pd.DataFrame,
    costs: pd.DataFrame,
    config: Config,
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
    *,
    index: SeriesIndex | None = None,
) -> list[Coverage]:
    """One Coverage per series with data before `min(end, as_of)`, sorted by (component, signal).

    `start`/`end` of each Coverage are the series' first and last points up to the window end (its
    extent); expected/present intervals and missing runs are for [start, end)."""
    end = min(pd.Timestamp(end), pd.Timestamp(as_of)).to_pydatetime()
    end_ns, start_ns = to_ns(end), to_ns(start)
    index = index if index is not None else SeriesIndex(samples)
    out: list[Coverage] = []
    for component, signal in index.keys():
        series = index.get(component, signal)
        assert series is not None
        ts = series.ts[: np.searchsorted(series.ts, end_ns)]
        if not len(ts):
            continue
        step = series.median_step_ns(start_ns, end_ns)
        out.append(series_coverage(component, signal, ts, series.sources, start, end, step))
    for signal, frame, col in (("evals", evals, "ts"), ("cost", costs, "day")):
        for component, (ts, sources) in _frame_series(frame, col, end_ns).items():
            step = median_step(ts) if len(ts) > 1 else None
            out.append(series_coverage(component, signal, ts, sources, start, end, step))
    return sorted(out, key=lambda c: (c.component, c.signal))


def expected_without_source(coverages: list[Coverage], config: Config) -> list[tuple[str, str]]:
    """(component, signal) of every telemetry signal a component `expects` that no series provides
    (quality and cost are met by eval results and ledger rows, which are not telemetry)."""
    present = {(c.component, c.signal) for c in coverages}
    return [
        (comp.id, signal)
        for comp in config.components
        for expectation in sorted(set(comp.expects))
        if expectation not in ("quality", "cost")
        for signal in EXPECTATIONS[expectation]
        if (comp.id, signal) not in present
    ]


def telemetry_coverage(coverages: list[Coverage], config: Config | None = None) -> float | None:
    """Σ present / Σ expected intervals over every sample series (not evals or cost rows), where each
    expected telemetry signal with no source at all (given `config`) counts as a series with nothing present,
    of window / the median step of the series that exist. None when no telemetry series has an interval in
    the window (no telemetry at all is a gap, not a measured 0 %)."""
    series = [c for c in coverages if c.signal not in PSEUDO_SIGNALS]
    expected = sum(c.expected_intervals for c in series)
    present = sum(c.present_intervals for c in series)
    missing = expected_without_source(coverages, config) if config is not None else []
    timed = [c for c in series if c.step_seconds and c.expected_intervals]
    if missing and timed:
        window = max(c.expected_intervals * c.step_seconds for c in timed)
        step = float(np.median([c.step_seconds for c in timed]))
        expected += len(missing) * max(1, math.ceil(window / step - 1e-9))
    return present / expected if expected > 0 else None


def find_gaps(
    coverages: list[Coverage],
    config: Config,
    as_of: dt.datetime,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[Gap]:
    """Observability gaps from coverage: missing runs longer than gaps.min_duration (one gap per run),
    stale series, expected signals with no source, and coverage below gaps.min_coverage.

    A stale series' trailing run is reported once, as `stale`. A `low_coverage` gap is added only for a
    series that has no missing-run or stale gap (many short dropouts), so one cause is not reported twice.
    `start`/`end` (the window) make the low-coverage wording name its dates."""
    gaps: list[Gap] = []
    for cov in coverages:
        if cov.signal in PSEUDO_SIGNALS:
            continue
        gaps.extend(gaps_for_series(cov, config, as_of, start, end))
    gaps = merge_concurrent_gaps(gaps)
    gaps.extend(no_source_gaps(coverages, config))
    return sort_gaps(gaps)


_KIND_ORDER = {
    k: i
    for i, k in enumerate(
        (
            "no_source",
            "stale",
            "missing_run",
            "low_coverage",
            "unattributed_spend",
            "missing_assumption",
            "currency_mismatch",
            "budget_without_spend",
            "spend_without_budget",
            "team_tag_mismatch",
        )
    )
}


def sort_gaps(gaps: list[Gap]) -> list[Gap]:
    """Deterministic order: priority, component, signal, kind, start, text."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return sorted(
        gaps,
        key=lambda g: (
            g.priority,
            g.component or "",
            g.signal or "",
            _KIND_ORDER.get(g.kind, 99),
            g.start or epoch,
            g.specific,
        ),
    )
