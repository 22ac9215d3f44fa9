"""Anthropic Admin API reports -> one file per UTC day holding the list of reply pages.

- `anthropic_usage_report`: `GET /v1/organizations/usage_report/messages` with `bucket_width` (1h by
  default) and `group_by[]=workspace_id`, `group_by[]=model` (the collector maps workspaces to components).
- `anthropic_cost_report`: `GET /v1/organizations/cost_report` with daily buckets and
  `group_by[]=workspace_id`, `group_by[]=description` (which carries the model).

The admin key (`api_key_env`) goes in `x-api-key`, with `anthropic-version: 2023-06-01`. Pages follow
`has_more` / `next_page` (sent back as `page`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import AnthropicPull, SourceConfig
from .base import Connection, Fetched, Vendor, Window, iso, secret
from .http import Client, PullError

API_VERSION = "2023-06-01"
MAX_PAGES = 1000


class AnthropicVendor(Vendor):
    types = ("anthropic_usage_report", "anthropic_cost_report")

    def connect(self, settings: AnthropicPull, source: SourceConfig, env: Mapping[str, str]) -> Connection:
        key = secret(env, settings.api_key_env, "api_key_env", source.id or source.type)
        headers = {"x-api-key": key, "anthropic-version": API_VERSION}
        return Connection(
            settings.base_url or "https://api.anthropic.com", headers, {settings.api_key_env: key}
        )

    def fetch(self, client: Client, settings: AnthropicPull, source: SourceConfig, window: Window) -> Fetched:
        if source.type == "anthropic_cost_report":
            path = "/v1/organizations/cost_report"
            params: dict[str, Any] = {"bucket_width": "1d", "group_by[]": ["workspace_id", "description"]}
        else:
            path = "/v1/organizations/usage_report/messages"
            width = settings.bucket_width
            params = {"bucket_width": width, "group_by[]": ["workspace_id", "model"],
                      "limit": 24 if width == "1h" else 1}  # fmt: skip
        params.update(starting_at=iso(window.start), ending_at=iso(window.end))
        pages = report_pages(client, path, params, "page")
        buckets = sum(len(p.get("data") or []) for p in pages)
        return Fetched(pages, True, f"{len(pages)} pages, {buckets} buckets")


def report_pages(client: Client, path: str, params: dict[str, Any], page_param: str) -> list[dict[str, Any]]:
    """Every page of a `{"data", "has_more", "next_page"}` report (Anthropic and OpenAI alike)."""
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        doc = client.get(path, params={**params, **({page_param: cursor} if cursor else {})})
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            raise PullError(f"{client.source_id}: GET {path} returned no `data` list")
        pages.append(doc)
        cursor = doc.get("next_page")
        if not doc.get("has_more") or not cursor:
            return pages
        if len(pages) >= MAX_PAGES:
            raise PullError(f"{client.source_id}: GET {path} kept returning more pages ({MAX_PAGES} read)")
