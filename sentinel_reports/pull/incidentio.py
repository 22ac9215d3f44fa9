"""incident.io `GET /v2/incidents` -> one file per UTC day (`{"incidents": [...]}`, the shape the
`incidentio` collector reads), for the incidents created that day (`created_at[date_range]=D~D`), following
the `pagination_meta.after` cursor.

Person fields are not written: `creator` and `incident_role_assignments` are dropped, and of the custom
fields only the source's `components_field` is kept. A day is final only once every incident created on
it has closed (status category closed, learning or post-incident, or declined/merged/canceled); until then
the next `sentinel pull` fetches it again. The key (`api_key_env`) is a bearer token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import IncidentIoPull, SourceConfig
from .base import Connection, Fetched, Vendor, Window, secret
from .http import Client, PullError

PATH = "/v2/incidents"
PAGE_SIZE = 250
MAX_PAGES = 1000
CLOSED = {"closed", "learning", "post-incident", "declined", "merged", "canceled", "cancelled"}
PERSON_FIELDS = ("creator", "incident_role_assignments")


def _trim(incident: dict[str, Any], components_field: str | None) -> dict[str, Any]:
    out = {k: v for k, v in incident.items() if k not in PERSON_FIELDS}
    entries = out.get("custom_field_entries")
    if isinstance(entries, list):
        wanted = (components_field or "").casefold()
        out["custom_field_entries"] = [
            e for e in entries
            if wanted and isinstance(e, dict) and isinstance(e.get("custom_field"), dict)
            and str(e["custom_field"].get("name", "")).casefold() == wanted
        ]  # fmt: skip
    return out


def _closed(incident: dict[str, Any]) -> bool:
    status = incident.get("incident_status")
    category = status.get("category") if isinstance(status, dict) else None
    return str(category).lower() in CLOSED or str(incident.get("mode")).lower() in ("test", "tutorial")


class IncidentIoVendor(Vendor):
    types = ("incidentio",)

    def connect(self, settings: IncidentIoPull, source: SourceConfig, env: Mapping[str, str]) -> Connection:
        key = secret(env, settings.api_key_env, "api_key_env", source.id or source.type)
        headers = {"Authorization": f"Bearer {key}"}
        return Connection(
            settings.base_url or "https://api.incident.io", headers, {settings.api_key_env: key}
        )

    def fetch(
        self, client: Client, settings: IncidentIoPull, source: SourceConfig, window: Window
    ) -> Fetched:
        day = window.day.isoformat()
        params: dict[str, Any] = {"page_size": PAGE_SIZE, "created_at[date_range]": f"{day}~{day}"}
        components_field = (source.model_extra or {}).get("components_field")
        incidents: list[dict[str, Any]] = []
        after = None
        for _ in range(MAX_PAGES):
            doc = client.get(PATH, params={**params, **({"after": after} if after else {})})
            if not isinstance(doc, dict) or not isinstance(doc.get("incidents"), list):
                raise PullError(f"{client.source_id}: GET {PATH} returned no `incidents` list")
            incidents.extend(_trim(i, components_field) for i in doc["incidents"] if isinstance(i, dict))
            meta = doc.get("pagination_meta") if isinstance(doc.get("pagination_meta"), dict) else {}
            after = meta.get("after")
            if not after or not doc["incidents"]:
                break
        else:
            raise PullError(f"{client.source_id}: GET {PATH} kept returning more pages ({MAX_PAGES} read)")
        final = all(_closed(i) for i in incidents)
        return Fetched({"incidents": incidents}, final, f"{len(incidents)} incidents")
