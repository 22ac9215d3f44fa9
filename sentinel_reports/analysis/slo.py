"""SLO attainment, error budget, burn rates and time to exhaustion (SPEC section 7).

Every budgeting method is reduced to events with a `good` and a `total` weight, so one set of window sums
serves them all:

- occurrences (ratio indicator): one event per interval where both the good and the total count exist;
  good = requests_good (clipped to total), total = requests_total; attainment = Σgood / Σtotal.
- timeslices (threshold indicator): one event per sample interval; total = 1, good = 1 when the value
  meets the threshold; attainment = good slices / slices with data.
- ratio_timeslices: ratio samples are summed into `timeslice` buckets (aligned to the epoch); a bucket with
  traffic is one slice, good when Σgood / Σtotal ≥ timeslice_target. Buckets without traffic are no data.

Windows are half-open [start, end): a sample at `ts` describes [ts, ts + step), so the sample stamped at
the window end belongs to the next window. Rolling windows end at the evaluation time; calendar windows run
from local midnight at the start of the week, month or quarter (configured timezone).

Budget: error budget = 1 − objective; consumed = (1 − attainment) / (1 − objective); remaining = 1 −
consumed (negative when overspent). Burn rate over w = error ratio over w / (1 − objective). Time to
exhaustion = remaining × window / burn(1h), in hours; None when the 1h burn is unknown or ≤ 0 (the budget is
not being spent) or remaining ≤ 0 (already exhausted). A burn window with no traffic, or whose coverage is
below gaps.min_coverage, has burn None and a flag; the SLO window with no traffic has attainment None.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..config import SLO, Config
from .periods import calendar_end, calendar_start
from .series import SeriesIndex, median_step, to_ns

BURN_WINDOWS: tuple[tuple[str, dt.timedelta], ...] = (
    ("5m", dt.timedelta(minutes=5)),
    ("30m", dt.timedelta(minutes=30)),
    ("1h", dt.timedelta(hours=1)),
    ("6h", dt.timedelta(hours=6)),
    ("1d", dt.timedelta(days=1)),
    ("3d", dt.timedelta(days=3)),
)
_OPS = {"lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}


@dataclass(frozen=True)
class SliEvents:
    """Good/total weights per event time (int64 ns, strictly increasing) with prefix sums."""

    ts: np.ndarray
    good: np.ndarray
    total: np.ndarray
    step_ns: int | None
    sources: tuple[str, ...] = ()

    @classmethod
    def of(cls, ts: np.ndarray, good: np.ndarray, total: np.ndarray, step_ns: int | None, sources=()):
        return cls(
            np.asarray(ts, "int64"),
            np.asarray(good, "float64"),
            np.asarray(total, "float64"),
            step_ns,
            tuple(sources),
        )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cg", np.concatenate(([0.0], np.cumsum(self.good))))
        object.__setattr__(self, "_ct", np.concatenate(([0.0], np.cumsum(self.total))))

    def cumulative(self) -> tuple[np.ndarray, np.ndarray]:
        """Prefix sums of good and total (length n + 1), for vectorised window sums."""
        return self._cg, self._ct  # type: ignore[attr-defined]

    def sums(self, start: dt.datetime, end: dt.datetime) -> tuple[float, float, int]:
        """(Σgood, Σtotal, events) over [start, end)."""
        i, j = np.searchsorted(self.ts, [to_ns(start), to_ns(end)])
        return float(self._cg[j] - self._cg[i]), float(self._ct[j] - self._ct[i]), int(j - i)  # type: ignore[attr-defined]

    def coverage(self, start: dt.datetime, end: dt.datetime, events: int) -> float | None:
        return self.coverage_ns(to_ns(start), to_ns(end), events)

    def coverage_ns(self, start_ns: int, end_ns: int, events: int) -> float | None:
        if not self.step_ns or end_ns <= start_ns:
            return None
        expected = math.ceil((end_ns - start_ns) / self.step_ns - 1e-9)
        return min(1.0, events / expected) if expected else None


def sli_kind(slo: SLO) -> str:
    """What the SLO measures, in the status page's words: availability, latency, ttft, quality, ..."""
    if slo.indicator.ratio is not None:
        return "availability"
    signal = slo.indicator.threshold.signal  # type: ignore[union-attr]
    if signal.startswith("latency_"):
        return "latency"
    if signal.startswith("ttft"):
        return "ttft"
    if signal == "eval_pass_rate":
        return "quality"
    return signal


def slo_signals(slo: SLO) -> tuple[str, ...]:
    if slo.indicator.ratio is not None:
        return (slo.indicator.ratio.good, slo.indicator.ratio.total)
    return (slo.indicator.threshold.signal,)  # type: ignore[union-attr]


def sli_events(index: SeriesIndex, slo: SLO) -> SliEvents:
    """The SLO's events from the samples (empty when a needed series is absent)."""
    empty = SliEvents.of(np.empty(0), np.empty(0), np.empty(0), None)
    if slo.indicator.threshold is not None:
        th = slo.indicator.threshold
        series = index.get(slo.component, th.signal)
        if series is None:
            return empty
        keep = ~np.isnan(series.values)
        ts, values = series.ts[keep], series.values[keep]
        good = _OPS[th.op](values, th.value).astype("float64")
        return SliEvents.of(ts, good, np.ones(len(ts)), series.median_step_ns(), series.sources)
    ratio = slo.indicator.ratio
    assert ratio is not None
    events = ratio_events(index, slo.component, ratio.good, ratio.total)
    ts, good, total, sources = events.ts, events.good, events.total, events.sources
    if slo.budgeting_method != "ratio_timeslices" or not len(ts):
        return events
    slice_ns = int(slo.timeslice.total_seconds() * 1e9)
    buckets, inverse = np.unique(ts // slice_ns * slice_ns, return_inverse=True)
    bg = np.bincount(inverse, weights=good, minlength=len(buckets))
    bt = np.bincount(inverse, weights=total, minlength=len(buckets))
    traffic = bt > 0
    ok = (bg[traffic] / bt[traffic]) >= (slo.timeslice_target or 0.0)
    return SliEvents.of(
        buckets[traffic], ok.astype("float64"), np.ones(int(traffic.sum())), slice_ns, sources
    )


def ratio_events(index: SeriesIndex, component: str, good: str, total: str) -> SliEvents:
    """Occurrence events of a good/total pair: intervals where both counts exist, good clipped to total."""
    g, t = index.get(component, good), index.get(component, total)
    if g is None or t is None:
        return SliEvents.of(np.empty(0), np.empty(0), np.empty(0), None)
    if len(g.ts) == len(t.ts) and np.array_equal(g.ts, t.ts):
        ts, good_raw, total_raw = t.ts, g.values, t.values  # the usual case: both counts every interval
    else:
        ts, gi, ti = np.intersect1d(g.ts, t.ts, assume_unique=True, return_indices=True)
        good_raw, total_raw = g.values[gi], t.values[ti]
    total_v = np.nan_to_num(total_raw, nan=0.0).clip(min=0)
    good_v = np.minimum(np.nan_to_num(good_raw, nan=0.0).clip(min=0), total_v)
    step = median_step(ts) if len(ts) > 1 else None
    return SliEvents.of(ts, good_v, total_v, step, sorted(set(g.sources) | set(t.sources)))


def slo_window(slo: SLO, at: dt.datetime, config: Config) -> tuple[dt.datetime, dt.datetime, dt.timedelta]:
    """(start, end, full window length) of the SLO window evaluated at `at`."""
    if slo.window_kind == "calendar" and slo.calendar_unit is not None:
        just_before = at - dt.timedelta(microseconds=1)
        start = calendar_start(slo.calendar_unit, just_before, config.tz)
        return start, at, calendar_end(slo.calendar_unit, just_before, config.tz) - start
    return at - slo.window, at, slo.window


def budget_consumed(attainment: float | None, objective: float) -> float | None:
    return None if attainment is None else (1.0 - attainment) / (1.0 - objective)


def budget_remaining(attainment: float | None, objective: float) -> float | None:
    consumed = budget_consumed(attainment, objective)
    return None if consumed is None else 1.0 - consumed


def burn_rate(error_ratio: float | None, objective: float) -> float | None:
    return None if error_ratio is None else error_ratio / (1.0 - objective)


def time_to_exhaustion_hours(
    remaining: float | None, window: dt.timedelta, burn: float | None
) -> float | None:
    """remaining × window / burn, in hours; None when burn is unknown or ≤ 0, or nothing remains."""
    if remaining is None or burn is None or burn <= 0 or remaining <= 0:
        return None
    return remaining * window.total_seconds() / 3600 / burn


@dataclass(frozen=True)
class WindowAttainment:
    start: dt.datetime
    end: dt.datetime
    good: float
    total: float
    events: int
    coverage: float | None

    @property
    def attainment(self) -> float | None:
        return self.good / self.total if self.total > 0 else None


def window_attainment(events: SliEvents, start: dt.datetime, end: dt.datetime) -> WindowAttainment:
    good, total, n = events.sums(start, end)
    return WindowAttainment(start, end, good, total, n, events.coverage(start, end, n))


def window_attainments(
    events: SliEvents,
    bounds: Sequence[tuple[dt.datetime, dt.datetime]],
    bounds_ns: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[WindowAttainment]:
    """`window_attainment` of each [start, end) in `bounds` (`bounds_ns`: the same as int64 nanoseconds,
    when the caller has them), in one pass: the same searchsorted positions, prefix-sum differences and
    coverage arithmetic, so every figure equals the one-window result exactly."""
    if not bounds:
        return []
    if bounds_ns is None:
        bounds_ns = ns_bounds(bounds)
    lo, hi = bounds_ns
    i, j = np.searchsorted(events.ts, lo), np.searchsorted(events.ts, hi)
    cg, ct = events.cumulative()
    good, total, n = (cg[j] - cg[i]).tolist(), (ct[j] - ct[i]).tolist(), (j - i).tolist()
    coverage = events.coverage_ns
    return [
        WindowAttainment(a, b, g, t, k, coverage(a_ns, b_ns, k))
        for (a, b), a_ns, b_ns, g, t, k in zip(bounds, lo.tolist(), hi.tolist(), good, total, n, strict=True)
    ]


def ns_bounds(bounds: Sequence[tuple[dt.datetime, dt.datetime]]) -> tuple[np.ndarray, np.ndarray]:
    """The starts and ends of `bounds` as int64 nanoseconds since the epoch."""
    lo = np.fromiter((to_ns(a) for a, _ in bounds), dtype="int64", count=len(bounds))
    hi = np.fromiter((to_ns(b) for _, b in bounds), dtype="int64", count=len(bounds))
    return lo, hi


def burn_over(
    events: SliEvents, objective: float, end: dt.datetime, width: dt.timedelta, min_coverage: float
) -> float | None:
    """Burn rate over [end − width, end); None without traffic or below min_coverage."""
    w = window_attainment(events, end - width, end)
    if w.attainment is None or w.coverage is None or w.coverage < min_coverage:
        return None
    return burn_rate(1.0 - w.attainment, objective)


@dataclass(frozen=True)
class SloResult:
    name: str
    component: str
    sli: str
    objective: float
    budgeting_method: str
    window_start: dt.datetime
    window_end: dt.datetime
    window_days: float
    attainment: float | None
    coverage: float | None
    data_sufficient: bool
    budget_consumed: float | None
    budget_remaining: float | None
    burn_rates: tuple[tuple[str, float | None], ...]  # BURN_WINDOWS labels, then "window"
    time_to_exhaustion_hours: float | None
    flags: tuple[str, ...]
    sources: tuple[str, ...]

    def burn(self, label: str) -> float | None:
        return dict(self.burn_rates)[label]


def evaluate_slo(events: SliEvents, slo: SLO, config: Config, at: dt.datetime) -> SloResult:
    """Attainment, budget and burn rates of `slo` for the window ending at `at`."""
    start, end, length = slo_window(slo, at, config)
    w = window_attainment(events, start, end)
    attainment = w.attainment
    min_cov = config.gaps.min_coverage
    flags: list[str] = []
    if attainment is None:
        flags.append("no_data_in_window")
    elif w.coverage is None or w.coverage < min_cov:
        flags.append("low_coverage_in_window")
    burns: list[tuple[str, float | None]] = []
    for label, width in BURN_WINDOWS:
        b = burn_over(events, slo.objective, end, width, min_cov)
        if b is None:
            flags.append(f"burn_{label}_insufficient_data")
        burns.append((label, b))
    burns.append(("window", burn_rate(None if attainment is None else 1.0 - attainment, slo.objective)))
    remaining = budget_remaining(attainment, slo.objective)
    return SloResult(
        name=slo.name,
        component=slo.component,
        sli=sli_kind(slo),
        objective=slo.objective,
        budgeting_method=str(slo.budgeting_method),
        window_start=start,
        window_end=end,
        window_days=length.total_seconds() / 86400,
        attainment=attainment,
        coverage=w.coverage,
        data_sufficient=attainment is not None and w.coverage is not None and w.coverage >= min_cov,
        budget_consumed=budget_consumed(attainment, slo.objective),
        budget_remaining=remaining,
        burn_rates=tuple(burns),
        time_to_exhaustion_hours=time_to_exhaustion_hours(remaining, length, dict(burns)["1h"]),
        flags=tuple(flags),
        sources=events.sources,
    )


@dataclass(frozen=True)
class DailyAttainment:
    date: dt.date
    attainment: float | None  # None without traffic or below gaps.min_coverage that day
    coverage: float | None
    budget_remaining: float | None  # of the SLO window ending at the end of that day (or as-of)


def daily_attainment(
    events: SliEvents, slo: SLO, config: Config, days: list[dt.date], as_of: dt.datetime
) -> list[DailyAttainment]:
    """Per local day: that day's attainment and the budget remaining at the day's end (for charts)."""
    from .periods import local_midnight

    out: list[DailyAttainment] = []
    for day in days:
        start = local_midnight(day, config.tz)
        end = min(local_midnight(day + dt.timedelta(days=1), config.tz), as_of)
        if end <= start:
            continue
        w = window_attainment(events, start, end)
        ok = w.coverage is not None and w.coverage >= config.gaps.min_coverage
        ws, we, _ = slo_window(slo, end, config)
        rolling = window_attainment(events, ws, we)
        out.append(
            DailyAttainment(
                day,
                w.attainment if ok else None,
                w.coverage,
                budget_remaining(rolling.attainment, slo.objective),
            )
        )
    return out
