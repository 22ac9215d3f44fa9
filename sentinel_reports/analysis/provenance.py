"""Provenance and JSON shape for the facts: source entries, headline figures with display text, and the
conversion of analysis values (datetimes, numpy scalars, dataclasses, NaN) into plain JSON data.

`figures[]` lists the headline numbers a publication may state. Each carries its unit, its display
precision and the exact text it is displayed as, so the narrative verifier can match a number in a sentence
to a figure at the precision it is shown with. Figures whose value is unknown are left out (the blocks hold
`null` and a gap explains it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..model import Gap, SourceReport, format_timestamp, parse_timestamp

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def iso(value: dt.datetime | None) -> str | None:
    """`2026-11-23T00:00:00Z` (seconds precision, UTC), or None."""
    return None if value is None else format_timestamp(value)


def plain(value: Any) -> Any:
    """JSON-ready data: datetimes as ISO Z, dates as YYYY-MM-DD, numpy scalars as Python numbers, NaN as
    None, tuples and sets as lists (sets sorted), pydantic models and mappings as dicts with str keys."""
    # the facts of a week are tens of thousands of plain values: the exact built-in types first
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return None if math.isnan(value) or math.isinf(value) else value
    if kind is dict:
        return {k if type(k) is str else str(k): plain(v) for k, v in value.items()}
    if kind is list:
        return [plain(v) for v in value]
    return _plain_other(value)


def _plain_other(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, int):
        return int(value)
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return [plain(v) for v in sorted(value, key=str)]
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "__dict__"):
        return {k: plain(v) for k, v in sorted(vars(value).items()) if not k.startswith("_")}
    return str(value)


def source_entries(
    reports: Iterable[SourceReport],
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    closed: bool = False,
) -> list[dict]:
    """`sources[]`: the configured sources with their files (path, sha256, rows) and time range.

    With a window [since, until] (a period's look-back and end), only the sources whose data overlaps it,
    and of those only the files that do (a file whose time range is unknown — one of several files of a
    source, when the collector does not record per-file ranges — is listed, conservatively). `rows` is then
    the listed files' rows, and `start`/`end` the source's span clipped to the window.
    `after_as_of_dropped` is null for a closed period (nothing after its end is part of it)."""
    out = []
    for r in sorted(reports, key=lambda r: r.id):
        files = sorted(r.files, key=lambda f: f.path)
        rows, start, end = r.rows, r.start, r.end
        if since is not None and until is not None:
            known = [(f, f.start, f.end) for f in files]
            if len(files) == 1 and files[0].start is None:  # one file: its range is the source's
                known = [(files[0], iso(r.start), iso(r.end))]
            kept_known = [(f, a, b) for f, a, b in known if _overlaps(a, b, since, until)]
            kept = [f for f, _, _ in kept_known]
            if not kept:
                continue
            files, rows = kept, sum(f.rows for f in kept)
            if all(a is not None and b is not None for _, a, b in kept_known):
                # the span of the files the window reads, so a file added after the window changes nothing
                start = min(_instant(a) for _, a, _ in kept_known)
                end = max(_instant(b) for _, _, b in kept_known)
            # the source's span within the window: data after a closed period must not change its facts
            start = max(start, since) if start is not None else None
            end = min(end, until) if end is not None else None
        out.append(
            {
                "id": r.id,
                "type": r.type,
                "files": [{"path": f.path, "sha256": f.sha256, "rows": f.rows} for f in files],
                "rows": rows,
                "duplicates_dropped": r.duplicates_dropped,
                "after_as_of_dropped": None if closed else r.after_as_of_dropped,
                "start": iso(start),
                "end": iso(end),
            }
        )
    return out


def _instant(text: str) -> dt.datetime:
    return parse_timestamp(text)


def _overlaps(start: str | None, end: str | None, since: dt.datetime, until: dt.datetime) -> bool:
    """Whether a time range (ISO text) overlaps [since, until]; an unknown range overlaps."""
    if start is None or end is None:
        return True
    return parse_timestamp(end) >= since and parse_timestamp(start) <= until


def gap_entry(gap: Gap) -> dict:
    return {
        "kind": gap.kind,
        "component": gap.component,
        "signal": gap.signal,
        "specific": gap.specific,
        "limits": gap.limits,
        "instrumentation": gap.instrumentation,
        "priority": gap.priority,
        "sentence": gap.sentence,
        "start": iso(gap.start),
        "end": iso(gap.end),
        "amount": gap.amount,
        "sources": sorted(gap.sources),
        **({"span_hours": gap.span_hours} if gap.span_hours is not None else {}),
        **({"resolution_minutes": list(gap.resolution_minutes)} if gap.resolution_minutes else {}),
        **({"alert_after_minutes": gap.alert_after_minutes} if gap.alert_after_minutes is not None else {}),
        **({"coverage_threshold": gap.coverage_threshold} if gap.coverage_threshold is not None else {}),
    }


def display(value: float | int, unit: str, precision: int, currency: str = "USD") -> str:
    """The text a figure is shown as: 97.4%, 2.3x, $12,345, 47.9 hours, 3."""
    if unit == "ratio":
        return f"{value * 100:.{precision}f}%"
    if unit == "burn":
        return f"{value:.{precision}f}x"
    if unit == "money":
        symbol = _SYMBOLS.get(currency)
        number = f"{abs(value):,.{precision}f}"
        sign = "-" if value < 0 else ""
        return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"
    if unit == "count":
        return f"{int(value)}"
    if unit in ("hours", "minutes", "days"):
        return f"{value:,.{precision}f} {unit}"
    return f"{value:.{precision}f}"


class Figures:
    """Collects `figures[]`; unknown (None) values are skipped."""

    def __init__(self, currency: str):
        self.currency = currency
        self.items: dict[str, dict] = {}

    def add(self, key: str, value: Any, unit: str, precision: int, sources: Iterable[str] = ()) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        value = float(value) if unit != "count" else int(value)
        self.items[key] = {
            "key": key,
            "value": value,
            "unit": unit if unit != "money" else self.currency,
            "precision": precision,
            "display": display(value, unit, precision, self.currency),
            "sources": sorted(set(sources)),
        }

    def as_list(self) -> list[dict]:
        return [self.items[k] for k in sorted(self.items)]
