"""Builders for small canonical frames and configurations, handed to tests as the `b` fixture.

Tests run with --import-mode=importlib, so the builders reach test modules through a fixture rather than an
import: `b.config()`, `b.requests(...)`, `b.samples(...)`, `b.t("2026-11-16 03:00")`.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sentinel_reports.config import Config
from sentinel_reports.model import Dataset, conform, empty_frame

UTC = dt.UTC


def t(text: str) -> dt.datetime:
    """`2026-11-16 03:00` -> aware UTC datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def config(**overrides: Any) -> Config:
    """Two components: chat-api (tier 1, customer-facing) and vector-store (tier 2), with an availability
    and a latency SLO on chat-api (28d windows)."""
    doc: dict[str, Any] = {
        "organization": "Acme AI Platform",
        "components": [
            {
                "id": "chat-api",
                "name": "Assistant Chat API",
                "group": "Customer-facing",
                "customer_facing": True,
                "tier": 1,
                "owner": "Assistant Platform team",
                "expects": ["availability", "latency"],
            },
            {
                "id": "vector-store",
                "name": "Vector Store",
                "tier": 2,
                "owner": "Retrieval team",
                "expects": ["latency"],
            },
        ],
        "slos": [
            {
                "name": "chat-api-availability",
                "component": "chat-api",
                "objective": 0.995,
                "window": "28d",
                "indicator": {"ratio": {"good": "requests_good", "total": "requests_total"}},
            },
            {
                "name": "chat-api-latency",
                "component": "chat-api",
                "objective": 0.99,
                "window": "28d",
                "indicator": {"threshold": {"signal": "latency_p95_ms", "op": "lte", "value": 2500}},
            },
        ],
    }
    doc.update(overrides)
    return Config.model_validate(doc)


def series(
    component: str,
    signal: str,
    start: dt.datetime,
    periods: int,
    step: dt.timedelta = dt.timedelta(minutes=5),
    value: float | np.ndarray = 1.0,
    source: str = "prom-1",
) -> pd.DataFrame:
    ts = pd.date_range(start, periods=periods, freq=step, tz="UTC")
    values = np.broadcast_to(np.asarray(value, dtype="float64"), (periods,)).copy()
    return pd.DataFrame(
        {"ts": ts, "component": component, "signal": signal, "value": values, "source": source}
    )


def samples(*frames: pd.DataFrame) -> pd.DataFrame:
    frames = tuple(f for f in frames if len(f))
    if not frames:
        return empty_frame("samples")
    return conform("samples", pd.concat(frames, ignore_index=True))


def requests(
    component: str,
    start: dt.datetime,
    periods: int,
    total: float | np.ndarray = 1000.0,
    good: float | np.ndarray = 1000.0,
    step: dt.timedelta = dt.timedelta(minutes=5),
) -> pd.DataFrame:
    return pd.concat(
        [
            series(component, "requests_total", start, periods, step, total),
            series(component, "requests_good", start, periods, step, good),
        ],
        ignore_index=True,
    )


def dataset(samples_frame: pd.DataFrame, **kw: Any) -> Dataset:
    data = Dataset.empty()
    data.samples = samples_frame
    for key, value in kw.items():
        setattr(data, key, value)
    return data


@pytest.fixture(scope="session")
def b() -> SimpleNamespace:
    return SimpleNamespace(
        t=t, config=config, series=series, samples=samples, requests=requests, dataset=dataset
    )


@pytest.fixture
def cfg() -> Config:
    return config()
