"""A project config with a few components and a CollectContext factory for collector tests."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sentinel_reports.collectors.base import CollectContext
from sentinel_reports.config import Config

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telemetry"


def make_config(timezone: str = "UTC") -> Config:
    return Config.model_validate(
        {
            "organization": "Test Org",
            "timezone": timezone,
            "components": [
                {"id": "chat-api", "name": "Chat API", "owner": "Assistant Platform team", "tier": 1},
                {"id": "rag-search", "name": "RAG search", "owner": "Search team"},
                {"id": "embeddings", "name": "Embeddings", "owner": "Search team", "tier": 3},
            ],
        }
    )


def make_ctx(project_dir: Path = FIXTURES, timezone: str = "UTC", source_id: str = "src") -> CollectContext:
    config = make_config(timezone)
    return CollectContext(project_dir=project_dir, source_id=source_id, tz=ZoneInfo(timezone), config=config)


@pytest.fixture
def ctx() -> CollectContext:
    return make_ctx()
