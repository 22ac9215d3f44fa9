"""Datadog SLO history `GET /api/v1/slo/{slo_id}/history` -> one reply per UTC day
(`type: datadog_slo_history`), with `DD-API-KEY` and `DD-APPLICATION-KEY` from the environment variables
`api_key_env` and `app_key_env`; `site` picks the Datadog site (`https://api.<site>`)."""

from __future__ import annotations

from collections.abc import Mapping

from ..config import DatadogPull, SourceConfig
from .base import Connection, Fetched, Vendor, Window, secret
from .http import Client, PullError


class DatadogVendor(Vendor):
    types = ("datadog_slo_history",)

    def connect(self, settings: DatadogPull, source: SourceConfig, env: Mapping[str, str]) -> Connection:
        sid = source.id or source.type
        api = secret(env, settings.api_key_env, "api_key_env", sid)
        app = secret(env, settings.app_key_env, "app_key_env", sid)
        headers = {"DD-API-KEY": api, "DD-APPLICATION-KEY": app}
        base = settings.base_url or f"https://api.{settings.site}"
        return Connection(base, headers, {settings.api_key_env: api, settings.app_key_env: app})

    def fetch(self, client: Client, settings: DatadogPull, source: SourceConfig, window: Window) -> Fetched:
        path = f"/api/v1/slo/{settings.slo_id}/history"
        params = {"from_ts": int(window.start.timestamp()), "to_ts": int(window.end.timestamp())}
        doc = client.get(path, params=params)
        data = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(data, dict):
            raise PullError(f"{client.source_id}: GET {path} returned no `data` object")
        times = (data.get("series") or {}).get("times") if isinstance(data.get("series"), dict) else None
        return Fetched(doc, True, f"{len(times) if isinstance(times, list) else 0} intervals")
