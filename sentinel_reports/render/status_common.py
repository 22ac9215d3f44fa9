"""Vocabulary shared by the status page, the status API, the feed and the badges.

- ``api_status``: any status spelling in the facts -> a Statuspage component status or ``no_data``.
- ``safe_file_id`` / ``file_ids``: incident, maintenance and component ids become file names
  (``status/incidents/<id>.html``, ``status/badges/<id>.svg``) only as ``[A-Za-z0-9._-]`` without ``..``;
  any other id is mapped to a cleaned form plus a hash of the original, unique even on case-insensitive
  file systems.
- ``iso``: timestamps as ISO 8601 UTC with ``Z``, so strings compare in time order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import Any

from ..analysis.facts_model import Incident, Maintenance, PeriodFacts
from ..model import format_timestamp, parse_timestamp
from .formatting import status_token

API_DIR = "status/api/v2"
COMPONENT_STATUSES = (
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
)
INDICATORS = ("none", "minor", "major", "critical")
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved", "postmortem")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
NO_DATA = "no_data"

_TOKEN_TO_API = {
    "operational": "operational",
    "degraded": "degraded_performance",
    "at_risk": "operational",  # a summary word only: every component is operational
    "partial_outage": "partial_outage",
    "major_outage": "major_outage",
    "maintenance": "under_maintenance",
    "no_data": NO_DATA,
}
# Worst first decides a group's status and the page indicator. No data outranks maintenance and
# operational: a group is never "operational" while one of its members cannot be seen.
STATUS_RANK = {
    "operational": 0,
    "under_maintenance": 1,
    NO_DATA: 2,
    "degraded_performance": 3,
    "partial_outage": 4,
    "major_outage": 5,
}
STATUS_INDICATOR = {
    "operational": "none",
    "under_maintenance": "none",
    NO_DATA: "minor",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
_IMPACT = {"SEV1": "critical", "SEV2": "major", "SEV3": "minor", "SEV4": "none"}
INDICATOR_RANK = {name: i for i, name in enumerate(INDICATORS)}
INDICATOR_DESCRIPTIONS = {
    "critical": "Major Service Outage",
    "major": "Partial System Outage",
    "minor": "Minor Service Outage",
}


_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def safe_file_id(raw: str) -> str:
    """An id usable as a file name: ``[A-Za-z0-9._-]`` only, no ``..``, no leading dot, at most 100 chars.

    Safe ids are kept; anything else is mapped to its cleaned form plus a short hash of the original, so
    two different unsafe ids cannot end up in one file.
    """
    if _SAFE_ID.match(raw) and ".." not in raw:
        return raw
    cleaned = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9._-]+", "-", raw)).strip(".-_")[:80]
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:10]
    return f"{cleaned}-{digest}" if cleaned else f"id-{digest}"


def file_ids(raw_ids: Iterable[str]) -> dict[str, str]:
    """Raw id -> safe file id for a set of ids, unique even where a file system ignores case."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for raw in sorted(set(raw_ids)):
        candidate = safe_file_id(raw)
        if candidate.casefold() in taken:
            candidate = f"{candidate[:80]}-{hashlib.sha256(raw.encode('utf-8')).hexdigest()[:10]}"
        taken.add(candidate.casefold())
        out[raw] = candidate
    return out


def api_status(state: str | None) -> str:
    """Any status spelling from the facts -> a Statuspage component status, or ``no_data``."""
    return _TOKEN_TO_API[status_token(state).key]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "page"


def iso(value: Any) -> str | None:
    """ISO 8601 UTC with ``Z`` (facts already use it; datetimes are converted)."""
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if not isinstance(value, dt.datetime):
        try:
            value = parse_timestamp(str(value))
        except ValueError:
            return str(value)
    return format_timestamp(value)


def impact_of(severity: str | None) -> str:
    return _IMPACT.get(str(severity or "").upper(), "minor")


def maintenance_status(entry: Maintenance, as_of: str) -> str:
    """Statuspage maintenance status from the facts' status, or from the window relative to as-of."""
    raw = str(entry.status or "").strip().lower().replace(" ", "_").replace("-", "_")
    aliases = {
        "active": "in_progress",
        "in_progress": "in_progress",
        "complete": "completed",
        "done": "completed",
    }
    raw = aliases.get(raw, raw)
    if raw in MAINTENANCE_STATUSES:
        return raw
    starts, ends = iso(entry.starts) or "", iso(entry.ends) or ""
    if ends and ends <= as_of:
        return "completed"
    return "in_progress" if starts and starts <= as_of else "scheduled"


def status_incidents(facts: PeriodFacts) -> list[Incident]:
    """The incidents the status outputs show: ``incidents[]`` plus ``incident_history[]`` (the 90 days up
    to the window's end); an id in both uses ``incidents[]``."""
    by_id = {i.id: i for i in facts.incident_history}
    by_id.update({i.id: i for i in facts.incidents})
    return list(by_id.values())
