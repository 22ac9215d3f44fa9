"""Incident normalisation shared by the incident collectors (`pagerduty`, `incidentio`, `incidents_csv`).

- **Severity**: every source maps its own scale onto SEV1 (worst) .. SEV4 through a `severity` option, a
  mapping from the source's label to a canonical level. Labels are matched without regard to case or
  surrounding spaces. The canonical names themselves (`SEV1`, `sev 2`, `Sev-3`) are always understood.
  A label that is neither mapped nor canonical is a SourceError that names the row and lists the labels
  the source knows, so a new priority added in the vendor tool cannot slip through as "no severity".
- **Customer impact**: by default an incident has customer impact when its severity is in
  `customer_impact_severities` (default `[SEV1, SEV2]`); a source that states impact explicitly wins.
- **Timeline**: created ≤ acknowledged and started ≤ mitigated ≤ resolved, and nothing is resolved before
  it was created; a violation is a SourceError naming the row and both timestamps.
- **Person fields** are never read: collectors pick the fields they map and ignore the rest, so names of
  responders, resolvers and role holders cannot reach an `Incident`.
- **Appended files** (`joined_batch`): the incidents of files read apart join exactly when no incident
  id is in both; a repeated id (an update of an incident, or an overlapping export) means reading all.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pandas as pd

from ..errors import SourceError
from ..model import Incident, IncidentStatus, Severity
from .base import EARLIEST, END, TIME_RANGE

SEVERITIES: tuple[Severity, ...] = get_args(Severity)
STATUSES: tuple[IncidentStatus, ...] = get_args(IncidentStatus)
DEFAULT_IMPACT_SEVERITIES: tuple[Severity, ...] = ("SEV1", "SEV2")

_CANONICAL = re.compile(r"^\s*sev[\s_-]*([1-4])\s*$", re.IGNORECASE)


def _key(label: object) -> str:
    return str(label).strip().casefold()


def severity_of(
    label: object,
    mapping: dict[str, Severity],
    *,
    file: str,
    row: int | None,
    column: str,
) -> Severity:
    """The canonical severity for a source's label, or a SourceError listing the known labels."""
    if label is None or (isinstance(label, float) and label != label) or str(label).strip() == "":
        raise SourceError(
            file,
            "incident has no severity",
            row=row,
            column=column,
            expected=f"one of {_known(mapping)}",
            found="empty",
        )
    lookup = {_key(k): v for k, v in mapping.items()}
    found = lookup.get(_key(label))
    if found is not None:
        return found
    m = _CANONICAL.match(str(label))
    if m:
        return SEVERITIES[int(m.group(1)) - 1]
    raise SourceError(
        file,
        "unknown severity (add it to the source's `severity` mapping)",
        row=row,
        column=column,
        expected=f"one of {_known(mapping)}",
        found=label,
    )


def _known(mapping: dict[str, Severity]) -> str:
    return ", ".join([*sorted(mapping), *SEVERITIES])


def customer_impact_of(severity: Severity, impact_severities: tuple[str, ...] | list[str]) -> bool:
    return severity in impact_severities


def parse_instant(
    value: Any, *, tz: ZoneInfo, file: str, row: int | None, column: str, required: bool = False
) -> dt.datetime | None:
    """One timestamp cell (ISO 8601 text or epoch seconds) as an aware UTC datetime; naive text is read in `tz`."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        missing = True
    else:
        missing = isinstance(value, str) and not value.strip()
    if missing:
        if required:
            raise SourceError(
                file, "missing timestamp", row=row, column=column, expected="an ISO 8601 timestamp"
            )
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int | float):
            ts = pd.Timestamp(value, unit="s", tz="UTC")
        else:
            ts = pd.Timestamp(str(value).strip())
            if ts.tzinfo is None:
                ts = ts.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
        if ts is pd.NaT:
            raise ValueError
        if not (EARLIEST <= ts < END):
            raise SourceError(
                file, "timestamp out of range", row=row, column=column, expected=TIME_RANGE, found=value
            )
        return ts.tz_convert("UTC").as_unit("ns").to_pydatetime()  # as_unit: within the frames' range
    except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
        raise SourceError(
            file,
            "unparseable timestamp",
            row=row,
            column=column,
            expected="an ISO 8601 timestamp",
            found=value,
        ) from None


def check_timeline(times: dict[str, dt.datetime | None], *, file: str, row: int | None) -> None:
    """Raise a SourceError when the incident's timestamps are out of order.

    `times` holds any of created_at, started_at, detected_at, acknowledged_at, mitigated_at, resolved_at.
    """
    pairs = (
        ("created_at", "resolved_at"),
        ("started_at", "resolved_at"),
        ("created_at", "acknowledged_at"),
        ("started_at", "mitigated_at"),
        ("mitigated_at", "resolved_at"),
        ("detected_at", "resolved_at"),
    )
    for early, late in pairs:
        a, b = times.get(early), times.get(late)
        if a is not None and b is not None and b < a:
            raise SourceError(
                file,
                f"incident {late.removesuffix('_at')} before it was {early.removesuffix('_at')}",
                row=row,
                column=late,
                expected=f"a time at or after {early} {a.isoformat()}",
                found=b.isoformat(),
            )


def text_of(value: Any) -> str:
    """A cell as text: missing values become the empty string."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    return str(value).strip()


def check_service_map(services: dict[str, str], path: str, ctx: Any) -> None:
    """Every component a source's `services` map names must be a configured component."""
    known = set(ctx.config.component_ids)
    for key, comp in services.items():
        if comp not in known:
            raise SourceError(
                path,
                "unknown component",
                column=f"services.{key}",
                expected=f"one of {sorted(known)}",
                found=comp,
            )


def by_start(incidents: list[Incident]) -> list[Incident]:
    """Incidents in the order every incident collector returns them: by start, then id."""
    return sorted(incidents, key=lambda inc: (inc.started_at, inc.id))


def joined_batch(old: Any, new: Any) -> Any:
    """The Batch of earlier and later files of an incident source together (incidents, files, rows,
    duplicates; the summary is the collector's to fill), or None when an incident id is in both."""
    from .base import Batch

    ids = {inc.id for inc in old.incidents}
    if any(inc.id in ids for inc in new.incidents):
        return None
    return Batch(
        incidents=by_start([*old.incidents, *new.incidents]),
        files=[*old.files, *new.files],
        rows=old.rows + new.rows,
        duplicates_dropped=old.duplicates_dropped + new.duplicates_dropped,
    )


def severity_counts(incidents: list[Incident]) -> dict[str, int]:
    return {s: sum(1 for i in incidents if i.severity == s) for s in SEVERITIES}
