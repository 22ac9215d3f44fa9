"""Reporting periods: ISO weeks (Monday to Sunday) and calendar quarters in the configured timezone.

A period label is `2026-W47` or `2026-Q4`. Its window runs from local midnight at the start of the period
to local midnight at the start of the next one, expressed in UTC; `window` clips the end to as-of. Local
days, weeks, months and quarters follow the timezone's offsets, so a week containing a DST change lasts
167 or 169 hours.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

PeriodKind = Literal["week", "quarter"]

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    """One ISO week or quarter: its label and its full window as UTC datetimes (end exclusive)."""

    kind: PeriodKind
    label: str
    start: dt.datetime
    end: dt.datetime

    def window(self, as_of: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The window up to as-of: (start, min(end, as_of))."""
        return self.start, min(self.end, to_utc(as_of))

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def to_utc(value: Any) -> dt.datetime:
    """A timezone-aware UTC datetime; naive values are read as UTC."""
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of local midnight starting `day` in `tz`."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(dt.UTC)


def local_date(value: dt.datetime, tz: ZoneInfo) -> dt.date:
    return to_utc(value).astimezone(tz).date()


def parse_week(label: str) -> tuple[int, int]:
    """`2026-W47` -> (2026, 47); ValueError naming the expected shape otherwise."""
    m = _WEEK_RE.match(str(label).strip())
    if not m:
        raise ValueError(f"expected an ISO week such as 2026-W47, found {label!r}")
    year, week = int(m.group(1)), int(m.group(2))
    weeks_in_year = dt.date(year, 12, 28).isocalendar()[1]
    if not 1 <= week <= weeks_in_year:
        raise ValueError(f"{year} has ISO weeks 01 to {weeks_in_year:02d}, found {label!r}")
    return year, week


def parse_quarter(label: str) -> tuple[int, int]:
    """`2026-Q4` -> (2026, 4); ValueError naming the expected shape otherwise."""
    m = _QUARTER_RE.match(str(label).strip())
    if not m:
        raise ValueError(f"expected a quarter such as 2026-Q4, found {label!r}")
    return int(m.group(1)), int(m.group(2))


def week_period(label: str, tz: ZoneInfo) -> Period:
    year, week = parse_week(label)
    monday = dt.date.fromisocalendar(year, week, 1)
    return Period(
        "week", f"{year}-W{week:02d}", local_midnight(monday, tz), local_midnight(monday + _WEEK, tz)
    )


def quarter_period(label: str, tz: ZoneInfo) -> Period:
    year, q = parse_quarter(label)
    first = dt.date(year, 3 * q - 2, 1)
    nxt = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    return Period("quarter", f"{year}-Q{q}", local_midnight(first, tz), local_midnight(nxt, tz))


def parse_period(kind: PeriodKind, label: str, tz: ZoneInfo) -> Period:
    return week_period(label, tz) if kind == "week" else quarter_period(label, tz)


_WEEK = dt.timedelta(days=7)


def week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def quarter_label(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_of(kind: PeriodKind, instant: dt.datetime, tz: ZoneInfo) -> str:
    """The label of the week or quarter containing `instant` (in local time)."""
    day = local_date(instant, tz)
    return week_label(day) if kind == "week" else quarter_label(day)


def previous_period(label: str) -> str:
    """The period before `label` (`2026-W01` -> `2025-W52` or `2025-W53`; `2026-Q1` -> `2025-Q4`)."""
    if _QUARTER_RE.match(label.strip()):
        year, q = parse_quarter(label)
        return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"
    year, week = parse_week(label)
    return week_label(dt.date.fromisocalendar(year, week, 1) - _WEEK)


def next_period(label: str) -> str:
    if _QUARTER_RE.match(label.strip()):
        year, q = parse_quarter(label)
        return f"{year + 1}-Q1" if q == 4 else f"{year}-Q{q + 1}"
    year, week = parse_week(label)
    return week_label(dt.date.fromisocalendar(year, week, 1) + _WEEK)


def calendar_start(
    unit: Literal["week", "month", "quarter"], instant: dt.datetime, tz: ZoneInfo
) -> dt.datetime:
    """Local midnight at the start of the calendar week (Monday), month or quarter containing `instant`."""
    day = local_date(instant, tz)
    if unit == "week":
        first = day - dt.timedelta(days=day.weekday())
    elif unit == "month":
        first = day.replace(day=1)
    else:
        first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return local_midnight(first, tz)


def calendar_end(
    unit: Literal["week", "month", "quarter"], instant: dt.datetime, tz: ZoneInfo
) -> dt.datetime:
    """Local midnight at the start of the next calendar unit (the exclusive end of the current one)."""
    start = local_date(calendar_start(unit, instant, tz), tz)
    if unit == "week":
        nxt = start + _WEEK
    else:
        months = 1 if unit == "month" else 3
        month = start.month - 1 + months
        nxt = dt.date(start.year + month // 12, month % 12 + 1, 1)
    return local_midnight(nxt, tz)


def local_days(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> list[dt.date]:
    """Every local date whose day overlaps [start, end)."""
    first, last = local_date(start, tz), local_date(end - dt.timedelta(microseconds=1), tz)
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)] if end > start else []


def available_periods(dataset: Any, config: Any, as_of: dt.datetime, kind: PeriodKind) -> list[str]:
    """Labels of the weeks or quarters (in order) that hold at least one sample, eval, cost day or
    incident at or before as-of, and that started before as-of (an as-of of Monday 00:00 does not open
    that week: its window would be empty)."""
    tz = config.tz
    cutoff = pd.Timestamp(to_utc(as_of))
    days: set[dt.date] = set()
    for frame, col in ((dataset.samples, "ts"), (dataset.evals, "ts"), (dataset.costs, "day")):
        if len(frame):
            ts = frame[col]
            ts = ts[ts <= cutoff]
            # each distinct instant once (a hash pass over millions of rows, which hold a few thousand
            # instants), then its local day, so the per-label work is small however long the series is
            local = pd.DatetimeIndex(pd.unique(ts)).tz_convert(tz).tz_localize(None).floor("D")
            days.update(d.date() for d in pd.DatetimeIndex(np.unique(local.to_numpy())))
    for inc in dataset.incidents:
        if pd.Timestamp(inc.created_at) <= cutoff:
            days.add(local_date(inc.created_at, tz))
    labeller = week_label if kind == "week" else quarter_label
    labels = {labeller(d) for d in days}
    return sorted(x for x in labels if parse_period(kind, x, tz).start < cutoff.to_pydatetime())
