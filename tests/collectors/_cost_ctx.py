"""A small project configuration and collect context for the cost and incident collector tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sentinel_reports.collectors.base import CollectContext
from sentinel_reports.config import Config

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
COST = FIXTURES / "cost"
INCIDENTS = FIXTURES / "incidents"
FOCUS_SAMPLES = FIXTURES / "real" / "focus-1.2"

CONFIG: dict[str, Any] = {
    "organization": "Acme AI Platform",
    "currency": "USD",
    "components": [
        {"id": "chat-api", "name": "Assistant Chat API", "customer_facing": True, "tier": 1,
         "owner": "Assistant Platform team"},
        {"id": "rag-api", "name": "Retrieval API", "tier": 2, "owner": "Search team"},
    ],
}  # fmt: skip


def make_config(**overrides: Any) -> Config:
    return Config.model_validate({**CONFIG, **overrides})


def make_ctx(project_dir: Path, *, config: Config | None = None, source_id: str = "src") -> CollectContext:
    config = config or make_config()
    return CollectContext(project_dir=project_dir, source_id=source_id, tz=config.tz, config=config)
