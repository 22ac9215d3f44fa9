"""Component status per day (90 days) and now, and the platform summary line.

A component's status over a span (a local day, or the last hour for "now") is the worst of:

- availability: Σgood/Σtotal of its first ratio SLO (or of requests_good/requests_total when it has no
  ratio SLO) — below `status.major_outage_below` major_outage, below `status.partial_outage_below`
  partial_outage, below the SLO objective degraded_performance;
- each threshold (latency) SLO: the span's good-slice share below the objective → degraded_performance;
- incidents touching the component during the span (open now, for "now"): SEV1 with customer impact →
  major_outage, other SEV1 and SEV2 → partial_outage, SEV3/SEV4 → degraded_performance;
- a maintenance window overlapping the span → under_maintenance.

Order, worst first: major_outage, partial_outage, degraded_performance, under_maintenance, no_data,
operational. When nothing worse than operational is known and any of those SLIs has coverage below
gaps.min_coverage in the span (or the component has no SLI data at all), the status is no_data: missing
data is never rolled up as operational. A component with no SLO and no request counts is judged on the
coverage of its other series.

"Now" is the last hour (or the coarsest SLI step when that is longer) ending at each SLI's latest sample:
the end of its last interval before the evaluation time, as long as that is within `gaps.stale_after` of
it. A series that lags by a few samples is judged on its latest hour, not called a gap; a series older than
stale_after is judged on the hour ending at the evaluation time, where it has no data (its stale gap is
reported by analysis/gaps.py). `data_as_of` is the earliest of those latest-sample ends among the
component's fresh SLIs: the instant up to which "now" is known.

Uptime per day = Σgood/Σtotal of the availability events; None below min coverage or without traffic.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import Component, Config
from ..model import Incident
from .periods import local_date, local_midnight
from .series import SeriesIndex, to_ns
from .slo import SliEvents, WindowAttainment, ns_bounds, ratio_events, window_attainment, window_attainments

RANK = {
    "operational": 0,
    "no_data": 1,
    "under_maintenance": 2,
    "degraded_performance": 3,
    "partial_outage": 4,
    "major_outage": 5,
}
NOW_WINDOW = dt.timedelta(hours=1)
HISTORY_DAYS = 90


@dataclass(frozen=True)
class DayStatus:
    date: dt.date
    status: str
    uptime: float | None
    coverage: float | None  # lowest coverage among the component's SLIs that day
    incidents: tuple[str, ...]
    gap: bool  # coverage below gaps.min_coverage (an observability gap that day)
    maintenance: bool
    below: tuple[str, ...] = ()  # the SLOs whose SLI was under its objective that day


@dataclass(frozen=True)
class ComponentStatus:
    component: str
    status: str  # now
    now_coverage: float | None
    uptime_90d: float | None
    days: tuple[DayStatus, ...]
    open_incidents: tuple[str, ...]
    data_as_of: dt.datetime | None = None  # "now" is known up to here (None: no fresh SLI)


@dataclass(frozen=True)
class ComponentSlis:
    """The events that classify one component: availability (with its objective) and threshold SLOs."""

    availability: SliEvents | None
    availability_objective: float | None
    thresholds: tuple[tuple[SliEvents, float, str], ...]  # (events, objective, SLO name)
    other: tuple[SliEvents, ...] = ()  # coverage-only series for components without an SLI
    availability_slo: str | None = None  # the ratio SLO's name (`DayStatus.below`)


def component_slis(
    index: SeriesIndex, component: Component, config: Config, events: dict[str, SliEvents]
) -> ComponentSlis:
    """Collect a component's SLI events; `events` maps SLO name to its already-built events."""
    slos = [s for s in config.slos if s.component == component.id]
    ratio = next((s for s in slos if s.indicator.ratio is not None), None)
    availability, objective = None, None
    if ratio is not None:
        r = ratio.indicator.ratio
        assert r is not None
        availability, objective = ratio_events(index, component.id, r.good, r.total), ratio.objective
    elif (component.id, "requests_total") in index:
        availability = ratio_events(index, component.id, "requests_good", "requests_total")
    if availability is not None and not len(availability.ts) and ratio is None:
        availability = None
    thresholds = tuple(
        (events[s.name], s.objective, s.name) for s in slos if s.indicator.threshold is not None
    )
    other: tuple[SliEvents, ...] = ()
    if availability is None and not thresholds:
        found = []
        for comp, signal in index.keys():
            series = index.get(comp, signal) if comp == component.id else None
            if series is not None:
                found.append(SliEvents.of(series.ts, series.ts * 0, series.ts * 0, series.median_step_ns()))
        other = tuple(found)
    return ComponentSlis(availability, objective, thresholds, other, ratio.name if ratio else None)


def now_window(slis: ComponentSlis) -> dt.timedelta:
    """The span "now" is judged on: the last hour, or the coarsest SLI step when that is longer (a
    series with one point a day is judged on its latest day)."""
    events = _all_events(slis)
    steps = [dt.timedelta(microseconds=e.step_ns // 1000) for e in events if e.step_ns]
    return max([NOW_WINDOW, *steps])


def _incident_status(inc: Incident) -> str:
    if inc.severity == "SEV1":
        return "major_outage" if inc.customer_impact else "partial_outage"
    return "partial_outage" if inc.severity == "SEV2" else "degraded_performance"


def latest_end(events: SliEvents, at: dt.datetime) -> dt.datetime | None:
    """The end of the last interval of `events` that starts before `at` (ts + step, at most `at`)."""
    i = int(np.searchsorted(events.ts, to_ns(at), side="left"))
    if i == 0:
        return None
    end = pd.Timestamp(int(events.ts[i - 1]) + int(events.step_ns or 0), tz="UTC").to_pydatetime()
    return min(end, at)


def fresh_end(events: SliEvents, at: dt.datetime, stale_after: dt.timedelta) -> dt.datetime | None:
    """`latest_end` when it is within `stale_after` of `at`, else None (a stale or empty series)."""
    end = latest_end(events, at)
    return end if end is not None and at - end <= stale_after else None


def classify(
    slis: ComponentSlis,
    start: dt.datetime,
    end: dt.datetime,
    incidents: Iterable[Incident],
    maintenance: bool,
    config: Config,
    span: Callable[[SliEvents], tuple[dt.datetime, dt.datetime]] | None = None,
    attained: Callable[[SliEvents], WindowAttainment] | None = None,
    below: list[str] | None = None,
) -> tuple[str, float | None, float | None]:
    """(status, uptime, lowest SLI coverage) of one component over [start, end); `span` gives another
    range per SLI (for "now": the hour ending at each SLI's latest sample); `attained` gives each SLI's
    window over [start, end) already computed; ``below``, when given, receives the name of each SLO whose SLI
    is under its objective."""
    min_cov = config.gaps.min_coverage
    worst, coverages, uptime = "operational", [], None
    missed = below if below is not None else []

    def window(events: SliEvents) -> WindowAttainment:
        if attained is not None:
            return attained(events)
        a, b = span(events) if span is not None else (start, end)
        return window_attainment(events, a, b)

    def worsen(status: str) -> None:
        nonlocal worst
        if RANK[status] > RANK[worst]:
            worst = status

    if slis.availability is not None:
        w = window(slis.availability)
        coverages.append(w.coverage or 0.0)
        if w.coverage is not None and w.coverage >= min_cov and w.attainment is not None:
            uptime = w.attainment
            under = slis.availability_objective is not None and uptime < slis.availability_objective
            if under and slis.availability_slo is not None:
                missed.append(slis.availability_slo)
            if uptime < config.status.major_outage_below:
                worsen("major_outage")
            elif uptime < config.status.partial_outage_below:
                worsen("partial_outage")
            elif under:
                worsen("degraded_performance")
    for events, objective, name in slis.thresholds:
        w = window(events)
        coverages.append(w.coverage or 0.0)
        if (
            w.coverage is not None
            and w.coverage >= min_cov
            and w.attainment is not None
            and w.attainment < objective
        ):
            worsen("degraded_performance")
            missed.append(name)
    for events in slis.other:
        coverages.append(window(events).coverage or 0.0)
    for inc in incidents:
        worsen(_incident_status(inc))
    if maintenance:
        worsen("under_maintenance")
    lowest = min(coverages) if coverages else None
    if worst == "operational" and (lowest is None or lowest < min_cov):
        worst = "no_data"
    return worst, uptime, lowest


def _aware(value: Any) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _touching(
    incidents: Iterable[Incident], component: str, start: dt.datetime, end: dt.datetime, as_of: dt.datetime
) -> list[Incident]:
    out = []
    for inc in incidents:
        if component not in inc.components or inc.started_at > as_of:
            continue
        stop = inc.resolved_at if inc.resolved_at is not None and inc.resolved_at <= as_of else as_of
        if inc.started_at < end and stop >= start:
            out.append(inc)
    return out


def is_open(inc: Incident, as_of: dt.datetime) -> bool:
    return inc.started_at <= as_of and (inc.resolved_at is None or inc.resolved_at > as_of)


def in_maintenance(maintenance: Iterable[Any], component: str, start: dt.datetime, end: dt.datetime) -> bool:
    """Any maintenance object (duck-typed: .components, .starts, .ends) for `component` overlapping [start, end)."""
    return any(
        component in tuple(m.components) and _aware(m.starts) < end and _aware(m.ends) > start
        for m in maintenance
    )


def component_status(
    slis: ComponentSlis,
    component: str,
    incidents: tuple[Incident, ...],
    maintenance: tuple[Any, ...],
    config: Config,
    as_of: dt.datetime,
    days: int = HISTORY_DAYS,
) -> ComponentStatus:
    """Status now and for each of the `days` local days ending with as-of's day."""
    tz = config.tz
    last = local_date(as_of - dt.timedelta(microseconds=1), tz)
    incidents = tuple(i for i in incidents if component in i.components and i.started_at <= as_of)
    history: list[DayStatus] = []
    good = total = 0.0
    dates, bounds, bounds_ns = _day_bounds(last, tz, days, as_of)
    # every SLI's window of each day, computed in one pass per SLI (the same figures as day by day)
    by_day = {id(e): window_attainments(e, bounds, bounds_ns) for e in _all_events(slis)}
    for n, (day, (start, end)) in enumerate(zip(dates, bounds, strict=True)):
        touching = _touching(incidents, component, start, end, as_of)
        maint = in_maintenance(maintenance, component, start, end)
        below: list[str] = []
        status, uptime, coverage = classify(
            slis, start, end, touching, maint, config, attained=lambda e, n=n: by_day[id(e)][n], below=below
        )
        if uptime is not None and slis.availability is not None:
            w = by_day[id(slis.availability)][n]
            good, total = good + w.good, total + w.total
        gap = coverage is None or coverage < config.gaps.min_coverage
        ids = tuple(sorted(i.id for i in touching))
        history.append(DayStatus(day, status, uptime, coverage, ids, gap, maint, tuple(below)))
    open_now = [i for i in incidents if component in i.components and is_open(i, as_of)]
    maint_now = in_maintenance(maintenance, component, as_of, as_of + dt.timedelta(microseconds=1))
    width, stale_after = now_window(slis), config.gaps.stale_after

    def now_span(events: SliEvents) -> tuple[dt.datetime, dt.datetime]:
        anchor = fresh_end(events, as_of, stale_after) or as_of
        return anchor - width, anchor

    now, _, now_cov = classify(slis, as_of - width, as_of, open_now, maint_now, config, span=now_span)
    fresh = [fresh_end(e, as_of, stale_after) for e in _all_events(slis)]
    return ComponentStatus(
        component=component,
        status=now,
        now_coverage=now_cov,
        uptime_90d=good / total if total > 0 else None,
        days=tuple(history),
        open_incidents=tuple(sorted(i.id for i in open_now)),
        data_as_of=min((f for f in fresh if f is not None), default=None),
    )


@functools.lru_cache(maxsize=8)
def _day_bounds(
    last: dt.date, tz: Any, days: int, as_of: dt.datetime
) -> tuple[tuple[dt.date, ...], tuple[tuple[dt.datetime, dt.datetime], ...], tuple[np.ndarray, np.ndarray]]:
    """The `days` local days ending with `last`, their [local midnight, next midnight or as-of) spans and
    those spans in nanoseconds, shared by every component of a period (callers only read them)."""
    dates = tuple(last - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1))
    midnights = [local_midnight(d, tz) for d in (*dates, last + dt.timedelta(days=1))]
    bounds = tuple((a, min(b, as_of)) for a, b in zip(midnights, midnights[1:], strict=False))
    return dates, bounds, ns_bounds(bounds)


def _all_events(slis: ComponentSlis) -> list[SliEvents]:
    return [e for e in (slis.availability, *(e for e, _, _ in slis.thresholds), *slis.other) if e is not None]
