"""The truth model: what every component really did, every five minutes.

Exporters never invent numbers of their own: they read these arrays, aggregate them to their step and write
them in a vendor format, so Prometheus, Datadog, request logs and bills tell one consistent story. All noise
comes from one `numpy.random.Generator` seeded by the caller, drawn in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np

from .scenario import ComponentSpec, Scenario

STEP_SECONDS = 300

# Components whose traffic follows the nightly batch schedule rather than the business day.
_NIGHTLY = {"batch-summarisation"}
_FLAT = {"gpu-inference"}
_TTFT_MS = {"chat-api": 620.0, "agent-orchestrator": 880.0, "rag-retrieval": 700.0, "assistant-api": 650.0}


@dataclass
class Series:
    """One component's five-minute truth. Arrays share the index of `Truth.ts`."""

    spec: ComponentSpec
    load: np.ndarray  # expected requests per second
    requests: np.ndarray  # int64 count per step
    good: np.ndarray  # int64 count per step
    latency_p50_ms: np.ndarray
    latency_p95_ms: np.ndarray
    latency_p99_ms: np.ndarray
    ttft_p95_ms: np.ndarray | None
    saturation: np.ndarray | None
    observed: np.ndarray  # bool: telemetry was collected for this step


@dataclass
class Truth:
    scenario: Scenario
    seed: int
    ts: np.ndarray  # int64 epoch seconds, start of each five-minute step
    series: dict[str, Series]

    def rng(self, stream: str) -> np.random.Generator:
        """A generator for one export stream, derived from the seed and the stream's name only, so adding
        a stream never changes the numbers of another."""
        return np.random.default_rng([self.seed, zlib.crc32(stream.encode())])

    @property
    def days(self) -> list[dt.date]:
        start, end = self.scenario.start.date(), self.scenario.end.date()
        return [start + dt.timedelta(days=i) for i in range((end - start).days)]

    def mask(self, start: dt.datetime, end: dt.datetime) -> np.ndarray:
        return (self.ts >= int(start.timestamp())) & (self.ts < int(end.timestamp()))


def _profile(ts: np.ndarray, component: str, growth: float, start: int) -> np.ndarray:
    """Traffic shape with mean 1 over a week: business-day diurnal curve, quieter weekends, weekly growth."""
    hours = (ts % 86400) / 3600.0
    weekday = ((ts // 86400) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    if component in _NIGHTLY:
        daily = 0.6 + 2.0 * np.exp(-(((hours - 3.0) / 1.6) ** 2))
        weekly = np.ones_like(hours)
    elif component in _FLAT:
        daily = 0.8 + 0.35 * np.exp(-(((hours - 15.0) / 6.0) ** 2))
        weekly = np.where(weekday >= 5, 0.85, 1.0)
    else:
        daily = (
            0.32 + 1.1 * np.exp(-(((hours - 15.0) / 5.0) ** 2)) + 0.25 * np.exp(-(((hours - 8.5) / 2.5) ** 2))
        )
        weekly = np.where(weekday == 5, 0.62, np.where(weekday == 6, 0.57, 1.0))
    shape = daily * weekly
    week_index = (ts - start) / (7 * 86400)
    return shape / shape[: 7 * 288].mean() * (1.0 + growth) ** week_index


def build(scenario: Scenario, seed: int) -> Truth:
    start, end = int(scenario.start.timestamp()), int(scenario.end.timestamp())
    ts = np.arange(start, end, STEP_SECONDS, dtype=np.int64)
    truth = Truth(scenario, seed, ts, {})
    for spec in scenario.components:
        truth.series[spec.id] = _component(truth, spec, truth.rng(f"truth/{spec.id}"))
    return truth


def _component(truth: Truth, spec: ComponentSpec, rng: np.random.Generator) -> Series:
    scenario, ts, n = truth.scenario, truth.ts, len(truth.ts)
    load = spec.requests_per_second * _profile(ts, spec.id, scenario.weekly_growth, int(ts[0]))
    load = load * rng.lognormal(0.0, 0.05, n)
    requests = rng.poisson(load * STEP_SECONDS).astype(np.int64)

    error_ratio = np.full(n, spec.error_ratio) * rng.lognormal(0.0, 0.35, n)
    latency_extra = np.zeros(n)
    saturation_override = np.full(n, np.nan)
    for d in scenario.degradations:
        if d.component != spec.id:
            continue
        m = truth.mask(d.start, d.end)
        if d.error_ratio is not None:
            error_ratio[m] = d.error_ratio * rng.uniform(0.9, 1.1, int(m.sum()))
        latency_extra[m] += d.latency_factor - 1.0
        if d.saturation is not None:
            saturation_override[m] = d.saturation
    failed = rng.binomial(requests, np.clip(error_ratio, 0.0, 1.0))
    good = requests - failed

    relative_load = load / load.mean()
    latency_factor = 1.0 + latency_extra * np.clip(relative_load, 0.25, 1.6)
    p95 = spec.latency_p95_ms * (0.85 + 0.15 * relative_load) * latency_factor * rng.lognormal(0.0, 0.05, n)
    ttft = None
    if spec.id in _TTFT_MS:
        ttft = _TTFT_MS[spec.id] * (0.9 + 0.1 * relative_load) * latency_factor * rng.lognormal(0.0, 0.06, n)
    saturation = None
    if spec.saturation is not None:
        drift = 0.0003 * (ts - ts[0]) / 86400 if spec.id == "vector-store" else 0.0
        level = spec.saturation * (0.8 + 0.2 * relative_load) + drift
        level = np.where(np.isnan(saturation_override), level, saturation_override)
        saturation = np.clip(level + rng.normal(0.0, 0.015, n), 0.05, 0.995)

    observed = np.ones(n, dtype=bool)
    for component, window in scenario.telemetry_gaps:
        if component == spec.id:
            observed &= ~truth.mask(window.start, window.end)
    return Series(
        spec=spec,
        load=load,
        requests=requests,
        good=good.astype(np.int64),
        latency_p50_ms=p95 * 0.42,
        latency_p95_ms=p95,
        latency_p99_ms=p95 * 1.65,
        ttft_p95_ms=ttft,
        saturation=saturation,
        observed=observed,
    )


def aggregate(values: np.ndarray, factor: int, how: str = "sum") -> np.ndarray:
    """Five-minute values to `factor` times coarser steps (sum for counts, mean or max for levels)."""
    usable = len(values) // factor * factor
    shaped = values[:usable].reshape(-1, factor)
    if how == "sum":
        return shaped.sum(axis=1)
    if how == "max":
        return shaped.max(axis=1)
    return shaped.mean(axis=1)


def weighted(values: np.ndarray, weights: np.ndarray, factor: int) -> np.ndarray:
    """Request-weighted mean of a level over coarser steps (latency percentiles across sub-steps)."""
    w = aggregate(weights.astype(float), factor)
    v = aggregate(values * weights, factor)
    plain = aggregate(values, factor, "mean")
    return np.where(w > 0, v / np.maximum(w, 1e-9), plain)


def observed_steps(series: Series, factor: int) -> np.ndarray:
    """A coarse step is observed only when every five-minute step inside it was."""
    return aggregate(series.observed.astype(np.int64), factor) == factor
