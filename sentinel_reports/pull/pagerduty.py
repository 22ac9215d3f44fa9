"""PagerDuty REST API v2 `GET /incidents` and `GET /incidents/{id}/log_entries` -> one file per UTC day in
the Analytics raw-incident shape the `pagerduty` collector reads (`{"data": [incident, ...]}`).

The incidents created during the day are listed (`since`/`until`, offset pagination with `more`); each
one's log entries give the first acknowledgement and the last resolution. Each record keeps only `id`,
`incident_number`, `description` (the title), `status`, `urgency`, `priority_name`, `service_id`,
`service_name`, `created_at`, `resolved_at`, `seconds_to_first_ack` and `seconds_to_resolve`: no person
field is written. A day is final only once every incident created on it is resolved; until then the next
`sentinel pull` fetches it again. The token (`token_env`) is sent as `Authorization: Token token=...`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..config import PagerDutyPull, SourceConfig
from ..model import parse_timestamp
from .base import Connection, Fetched, Vendor, Window, iso, secret
from .http import Client, PullError

PAGE = 100
MAX_PAGES = 1000


def offset_pages(client: Client, path: str, params: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Every item of an offset-paginated PagerDuty list (`limit`, `offset`, `more`)."""
    items: list[dict[str, Any]] = []
    offset = 0
    for _ in range(MAX_PAGES):
        doc = client.get(path, params={**params, "limit": PAGE, "offset": offset})
        if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
            raise PullError(f"{client.source_id}: GET {path} returned no `{key}` list")
        items.extend(i for i in doc[key] if isinstance(i, dict))
        if not doc.get("more") or not doc[key]:
            return items
        limit = doc.get("limit")  # the next page starts at offset + the limit the server applied
        offset += limit if isinstance(limit, int) and limit > 0 else len(doc[key])
    raise PullError(f"{client.source_id}: GET {path} kept returning more pages ({MAX_PAGES} read)")


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = parse_timestamp(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def record(incident: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """An Analytics raw-incident record from a REST incident and its log entries."""
    created = _time(incident.get("created_at"))
    acks = sorted(
        t for e in entries if e.get("type") == "acknowledge_log_entry" and (t := _time(e.get("created_at")))
    )
    resolves = sorted(
        t for e in entries if e.get("type") == "resolve_log_entry" and (t := _time(e.get("created_at")))
    )
    status = incident.get("status")
    resolved = resolves[-1] if resolves and status == "resolved" else None
    if resolved is None and status == "resolved":
        resolved = _time(incident.get("resolved_at"))
    service = incident.get("service") if isinstance(incident.get("service"), dict) else {}
    priority = incident.get("priority") if isinstance(incident.get("priority"), dict) else {}
    return {
        "id": incident.get("id"),
        "incident_number": incident.get("incident_number"),
        "description": incident.get("title") or incident.get("summary"),
        "status": status,
        "urgency": incident.get("urgency"),
        "priority_name": priority.get("summary") or priority.get("name"),
        "service_id": service.get("id"),
        "service_name": service.get("summary") or service.get("name"),
        "created_at": iso(created) if created else incident.get("created_at"),
        "resolved_at": iso(resolved) if resolved else None,
        "seconds_to_first_ack": int((acks[0] - created).total_seconds()) if acks and created else None,
        "seconds_to_resolve": int((resolved - created).total_seconds()) if resolved and created else None,
    }


class PagerDutyVendor(Vendor):
    types = ("pagerduty",)

    def connect(self, settings: PagerDutyPull, source: SourceConfig, env: Mapping[str, str]) -> Connection:
        token = secret(env, settings.token_env, "token_env", source.id or source.type)
        headers = {
            "Authorization": f"Token token={token}",
            "Accept": "application/vnd.pagerduty+json;version=2",
        }
        return Connection(
            settings.base_url or "https://api.pagerduty.com", headers, {settings.token_env: token}
        )

    def fetch(self, client: Client, settings: PagerDutyPull, source: SourceConfig, window: Window) -> Fetched:
        params: dict[str, Any] = {"since": iso(window.start), "until": iso(window.end), "time_zone": "UTC"}
        if settings.service_ids:
            params["service_ids[]"] = list(settings.service_ids)
        incidents = offset_pages(client, "/incidents", params, "incidents")
        records = []
        for incident in sorted(incidents, key=lambda i: str(i.get("id"))):
            ident = incident.get("id")
            if not isinstance(ident, str) or not ident:
                raise PullError(f"{client.source_id}: GET /incidents returned an incident without an id")
            entries = offset_pages(
                client, f"/incidents/{ident}/log_entries", {"time_zone": "UTC"}, "log_entries"
            )
            records.append(record(incident, entries))
        final = all(r["status"] == "resolved" for r in records)
        return Fetched({"data": records}, final, f"{len(records)} incidents")
