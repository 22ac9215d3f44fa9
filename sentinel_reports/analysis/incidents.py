"""Incidents of a window: durations, customer impact, response times, postmortems and their action items.

Definitions (SPEC section 7; `incidents[]` and `incident_stats` in docs/facts.md). All in minutes.

- An incident belongs to the window [start, end) when it started inside it, or started before it and was
  still open (or resolved) after `start`. Sorted by started_at, then id.
- **duration_minutes** = started_at → resolved_at, or → as_of while open.
- **impact_minutes** (customer-impact minutes) = 0 without customer impact; otherwise the part of
  started_at → end of impact that lies inside the window (and before as_of). Impact ends at mitigated_at when
  the source records it (customers stop being affected at mitigation), else at resolved_at, else it is ongoing.
- **mtta_minutes** = created_at → acknowledged_at. **time_to_resolve_minutes** = created_at → resolved_at
  (labelled "time to resolve": "MTTR" is ambiguous). Null when the end is missing or precedes the start.
- **postmortem_coverage** = resolved SEV1/SEV2 incidents with a postmortem / resolved SEV1/SEV2 incidents
  (a postmortem is written after resolution); null when there are none.
- **As known then.** Content is read as it stood on the last day the window covers: an action item whose
  `done_on` is later is not done yet, a postmortem whose `published_on` is later is in review (the step
  before publishing). So a closed
  week's brief does not change when an item is completed afterwards.
- An action item is **overdue** when it is not done and its due date is before the as-of date in the
  configured timezone. `overdue_action_items` counts the window's incidents; `overdue_action_items_all`
  counts every postmortem given.

Postmortems are duck-typed: `.incident`, `.status`, `.slug`, `.action_items` (each `.title`, `.owner`,
`.due`, `.done`), and optionally `.url`. Incident records carry no person names, and none are added here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from statistics import fmean
from typing import Any

from ..config import Config
from ..model import Incident, format_timestamp

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
_POSTMORTEM_SEVERITIES = ("SEV1", "SEV2")


def incident_facts(
    incidents: Sequence[Incident],
    postmortems: Sequence[Any],
    config: Config,
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
) -> tuple[list[dict], dict]:
    """`incidents[]` overlapping [start, end) and their `incident_stats`."""
    today = as_of.astimezone(config.tz).date()
    # content dated after the last day the window covers had not happened yet (a closed week's brief)
    known_by = (min(end, as_of) - dt.timedelta(microseconds=1)).astimezone(config.tz).date()
    by_incident: dict[str, Any] = {}
    for pm in sorted(postmortems, key=lambda p: str(p.slug)):
        by_incident.setdefault(str(pm.incident), pm)
    selected = sorted(
        (i for i in incidents if _in_window(i, start, end, as_of)), key=lambda i: (i.started_at, i.id)
    )
    block = [_incident(i, by_incident.get(i.id), start, end, as_of, today, known_by) for i in selected]
    return block, _stats(block, postmortems, today, known_by)


def _in_window(incident: Incident, start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> bool:
    if start <= incident.started_at < end:
        return True
    finished = incident.resolved_at or as_of
    return incident.started_at < start and finished > start


def _minutes(begin: dt.datetime | None, finish: dt.datetime | None) -> float | None:
    if begin is None or finish is None or finish < begin:
        return None
    return (finish - begin).total_seconds() / 60


def impact_minutes(incident: Incident, start: dt.datetime, end: dt.datetime, as_of: dt.datetime) -> float:
    """Customer-impact minutes of `incident` inside [start, end), never past as_of."""
    if not incident.customer_impact:
        return 0.0
    impact_end = incident.mitigated_at or incident.resolved_at or as_of
    begin = max(incident.started_at, start)
    finish = min(impact_end, end, as_of)
    return max(0.0, (finish - begin).total_seconds() / 60)


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else format_timestamp(value)


def _incident(
    inc: Incident,
    pm: Any,
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
    today: dt.date,
    known_by: dt.date,
) -> dict:
    return {
        "id": inc.id,
        "title": inc.title,
        "severity": inc.severity,
        "status": inc.status,
        "components": list(inc.components),
        "started_at": _iso(inc.started_at),
        "created_at": _iso(inc.created_at),
        "detected_at": _iso(inc.detected_at),
        "acknowledged_at": _iso(inc.acknowledged_at),
        "mitigated_at": _iso(inc.mitigated_at),
        "resolved_at": _iso(inc.resolved_at),
        "open": inc.resolved_at is None,
        "duration_minutes": _minutes(inc.started_at, inc.resolved_at or as_of),
        "impact_minutes": impact_minutes(inc, start, end, as_of),
        "customer_impact": inc.customer_impact,
        "mtta_minutes": _minutes(inc.created_at, inc.acknowledged_at),
        "time_to_resolve_minutes": _minutes(inc.created_at, inc.resolved_at),
        "business_impact": None,  # filled from the business block (analysis.business.attach_business_impact)
        "postmortem": _postmortem(pm, today, known_by) if pm is not None else None,
        "updates": [
            {"at": _iso(u.at), "status": u.status, "body": u.body}
            for u in sorted(inc.updates, key=lambda u: u.at)
        ],
        "url": inc.url,
        "sources": [inc.source],
    }


def _due(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value[:10])
    return None


def _postmortem(pm: Any, today: dt.date, known_by: dt.date | None = None) -> dict:
    """The postmortem as known on `known_by` (a closed period's last day; default `today`): an action item
    done after it is open, a postmortem published after it is in review. Undated states hold throughout."""
    known_by = known_by or today
    items = []
    for item in getattr(pm, "action_items", None) or ():
        due = _due(getattr(item, "due", None))
        done_on = _due(getattr(item, "done_on", None))
        done = (bool(getattr(item, "done", False)) or done_on is not None) and (
            done_on is None or done_on <= known_by
        )
        items.append(
            {
                "title": str(item.title),
                "owner": getattr(item, "owner", None),
                "due": due.isoformat() if due else None,
                "done": done,
                "done_on": done_on.isoformat() if done and done_on else None,
                "overdue": not done and due is not None and due < today,
            }
        )
    items.sort(key=lambda a: (a["due"] is None, a["due"] or "", a["title"]))
    published_on = _due(getattr(pm, "published_on", None))
    late = published_on is not None and published_on > known_by
    return {
        "slug": str(pm.slug),
        # published later: before publication it was under review (the last step before publishing)
        "status": "in_review" if late else str(pm.status),
        "published_on": published_on.isoformat() if published_on and not late else None,
        "url": getattr(pm, "url", None),
        "action_items": items,
    }


def _stats(block: list[dict], postmortems: Sequence[Any], today: dt.date, known_by: dt.date) -> dict:
    def mean(key: str) -> float | None:
        values = [i[key] for i in block if i[key] is not None]
        return fmean(values) if values else None

    reviewable = [i for i in block if i["severity"] in _POSTMORTEM_SEVERITIES and not i["open"]]
    covered = [i for i in reviewable if i["postmortem"] is not None]
    overdue_all = sum(
        item["overdue"] for pm in postmortems for item in _postmortem(pm, today, known_by)["action_items"]
    )
    return {
        "count": len(block),
        "open_count": sum(i["open"] for i in block),
        "count_by_severity": {s: sum(i["severity"] == s for i in block) for s in SEVERITIES},
        "customer_impacting_count": sum(i["impact_minutes"] > 0 for i in block),
        "impact_minutes_total": float(sum(i["impact_minutes"] for i in block)),
        "mtta_minutes_mean": mean("mtta_minutes"),
        "time_to_resolve_minutes_mean": mean("time_to_resolve_minutes"),
        "postmortem_coverage": len(covered) / len(reviewable) if reviewable else None,
        "postmortems_expected": len(reviewable),
        "overdue_action_items": sum(
            a["overdue"] for i in block if i["postmortem"] for a in i["postmortem"]["action_items"]
        ),
        "overdue_action_items_all": int(overdue_all),
    }
