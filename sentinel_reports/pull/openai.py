"""OpenAI organization Usage and Costs APIs -> one file per UTC day holding the list of reply pages.

- `openai_usage`: `GET /v1/organization/usage/completions` with `bucket_width` (1h by default) and
  `group_by=project_id`, `group_by=model`.
- `openai_costs`: `GET /v1/organization/costs` with daily buckets and `group_by=project_id`,
  `group_by=line_item` (which carries the model).

The admin key (`api_key_env`) is a bearer token; pages follow `has_more` / `next_page` (sent back as
`page`); times are unix seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import OpenAIPull, SourceConfig
from .anthropic import report_pages
from .base import Connection, Fetched, Vendor, Window, secret
from .http import Client


class OpenAIVendor(Vendor):
    types = ("openai_usage", "openai_costs")

    def connect(self, settings: OpenAIPull, source: SourceConfig, env: Mapping[str, str]) -> Connection:
        key = secret(env, settings.api_key_env, "api_key_env", source.id or source.type)
        headers = {"Authorization": f"Bearer {key}"}
        return Connection(settings.base_url or "https://api.openai.com", headers, {settings.api_key_env: key})

    def fetch(self, client: Client, settings: OpenAIPull, source: SourceConfig, window: Window) -> Fetched:
        if source.type == "openai_costs":
            path = "/v1/organization/costs"
            params: dict[str, Any] = {
                "bucket_width": "1d",
                "limit": 1,
                "group_by": ["project_id", "line_item"],
            }
        else:
            path = "/v1/organization/usage/completions"
            width = settings.bucket_width
            params = {"bucket_width": width, "limit": 24 if width == "1h" else 1,
                      "group_by": ["project_id", "model"]}  # fmt: skip
        params.update(start_time=int(window.start.timestamp()), end_time=int(window.end.timestamp()))
        pages = report_pages(client, path, params, "page")
        buckets = sum(len(p.get("data") or []) for p in pages)
        return Fetched(pages, True, f"{len(pages)} pages, {buckets} buckets")
