"""What was known at an instant, and how far back a period's facts read.

A closed period is reported as it stood when it closed: its facts are computed as of the period's end, so a
day of data that arrives later (outside the period and its look-back) leaves the period's facts, and its
published brief, unchanged. Two helpers make that exact:

- `incidents_known_at(incidents, at)`: each incident as its record stood at `at` — created after `at`:
  absent; timestamps after `at` (acknowledged, mitigated, resolved) unknown; updates after `at` dropped; the
  status is the latest update's status at `at`, else "resolved" when resolved by then, else "monitoring" when
  mitigated by then, else "investigating" (an open incident with no recorded progress).
- `lookback(config, period)`: the earliest instant whose data a period's facts can read — the longest of the
  previous period (comparisons), the SLO windows, the 90-day status history and incident list, and the walk
  of the memory of recommendations (MEMORY_WEEKS weeks back from the period's last week, each week read with
  its SLO windows and its month to date), with one day of margin for local-day alignment. The facts cache
  keys a period's facts on the data inside [lookback, period end] (analysis.fingerprint).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import weakref
from collections.abc import Iterable
from typing import Any

from ..model import Dataset, Incident
from .periods import to_utc

HISTORY = dt.timedelta(days=90)  # status day bars, uptime_90d and the incident list of the status page
_CALENDAR = {"week": dt.timedelta(days=7), "month": dt.timedelta(days=31), "quarter": dt.timedelta(days=92)}
_MARGIN = dt.timedelta(days=1)
MEMORY_WEEKS = 26
"""Weeks the memory of recommendations looks back from a period's last week (analysis/memory.py)."""
_MONTH = dt.timedelta(days=31)  # a budget's projection reads its month to date


def incidents_known_at(incidents: Iterable[Incident], at: dt.datetime) -> tuple[Incident, ...]:
    out = []
    for inc in incidents:
        if inc.created_at > at:
            continue
        late = [
            name
            for name in ("detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
            if getattr(inc, name) is not None and getattr(inc, name) > at
        ]
        updates = tuple(u for u in inc.updates if u.at <= at)
        if not late and len(updates) == len(inc.updates):
            out.append(inc)
            continue
        changes: dict[str, Any] = {name: None for name in late}
        changes["updates"] = updates
        if updates:
            changes["status"] = max(updates, key=lambda u: u.at).status
        elif inc.resolved_at is not None and inc.resolved_at <= at:
            changes["status"] = "resolved"
        elif inc.mitigated_at is not None and inc.mitigated_at <= at:
            changes["status"] = "monitoring"
        else:
            changes["status"] = "investigating"
        out.append(dataclasses.replace(inc, **changes))
    return tuple(out)


def lookback(config: Any, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """The earliest instant the facts of the period [start, end) read data from."""
    length = end - start
    windows = [
        _CALENDAR.get(str(slo.calendar_unit), _CALENDAR["quarter"])
        if slo.window_kind == "calendar"
        else slo.window
        for slo in config.slos
    ]
    spans = [length + length, HISTORY, *(w + length for w in windows)]
    spans += [rule.long + length for rule in (*config.alerts.page, *config.alerts.ticket)]  # episodes fired
    # the memory of recommendations: the weeks before the last one, each with its SLO windows and the month
    # to date of its budgets (a trigger that held longer than the data read here would look newly raised)
    spans.append(dt.timedelta(weeks=MEMORY_WEEKS + 1) + max([_MONTH, *windows]))
    return end - max(spans) - _MARGIN


def earliest(dataset: Dataset) -> dt.datetime | None:
    """The earliest timestamp of any data (samples, evals, costs, incidents)."""
    times = [
        column_min(f, c)
        for f, c in ((dataset.samples, "ts"), (dataset.evals, "ts"), (dataset.costs, "day"))
        if len(f)
    ]
    times += [i.started_at for i in dataset.incidents]
    return min(to_utc(t) for t in times) if times else None


# The minimum of a column, kept per frame object: every period's facts and fingerprint ask for the earliest
# data, and a year of samples is millions of rows (the frames are not mutated once loaded).
_MINIMA: dict[tuple[int, str], tuple[weakref.ref, Any]] = {}


def column_min(frame: Any, column: str) -> Any:
    """``frame[column].min()``, computed once per frame object and column."""
    key = (id(frame), column)
    entry = _MINIMA.get(key)
    if entry is not None and entry[0]() is frame:
        return entry[1]
    value = frame[column].min()
    if len(_MINIMA) >= 16:
        _MINIMA.clear()
    _MINIMA[key] = (weakref.ref(frame), value)
    return value
