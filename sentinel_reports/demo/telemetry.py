"""Telemetry exports: Prometheus `query_range` JSON, generic long CSV samples and Datadog SLO history.

Each function takes the truth model and writes one file (or one file per month) in the vendor's format.
A component's telemetry outage (`Series.observed` false) leaves no point at all in any of its exports.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .files import Writer, number
from .truth import STEP_SECONDS, Truth, aggregate, observed_steps, weighted

# Prometheus label sets per component: the `service` label carries the component id.
_NAMESPACE = {
    "chat-api": "assistant",
    "agent-orchestrator": "agents",
    "rag-retrieval": "search",
    "moderation": "trust-safety",
    "embeddings": "ml-platform",
    "vector-store": "data-infra",
    "gpu-inference": "ml-platform",
    "batch-summarisation": "insights",
}


def signal_values(truth: Truth, component: str, signal: str, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """(timestamps of the coarse steps, values) for one canonical signal; unobserved steps are dropped."""
    s = truth.series[component]
    ts = truth.ts[: len(truth.ts) // factor * factor : factor]
    if signal == "requests_total":
        values = aggregate(s.requests, factor).astype(float)
    elif signal == "requests_good":
        values = aggregate(s.good, factor).astype(float)
    elif signal in ("latency_p50_ms", "latency_p95_ms", "latency_p99_ms"):
        values = weighted(getattr(s, signal), s.requests, factor)
    elif signal == "ttft_p95_ms":
        assert s.ttft_p95_ms is not None, component
        values = weighted(s.ttft_p95_ms, s.requests, factor)
    elif signal == "saturation":
        assert s.saturation is not None, component
        values = aggregate(s.saturation, factor, "mean")
    else:
        raise ValueError(f"no truth for signal {signal}")
    keep = observed_steps(s, factor)
    return ts[keep], values[keep]


def prometheus(
    w: Writer,
    truth: Truth,
    relpath: str,
    metric: str,
    components: list[str],
    signal: str,
    step_minutes: int,
    kind: str,
    extra_labels: dict[str, str] | None = None,
) -> None:
    """One `query_range` response (full envelope), one series per component.

    `kind` is how the query's values read: `increase` (count per step), `rate` (per second) or `gauge`.
    As Prometheus does, `increase`/`rate` values are stamped at the END of the window they cover (so the
    first point is one step after the start); gauges are instants, evaluated from the start.
    """
    step_seconds = step_minutes * 60
    factor = step_seconds // STEP_SECONDS
    result = []
    for component in components:
        ts, values = signal_values(truth, component, signal, factor)
        if kind in ("increase", "rate"):
            ts = ts + step_seconds
        if kind == "rate":
            text = [number(v / step_seconds, 5) for v in values]
        elif kind == "increase":
            text = [str(int(v)) for v in values]
        else:
            text = [number(v, 4) if signal == "saturation" else str(round(v)) for v in values]
        labels = {
            "__name__": metric,
            "env": "prod",
            "namespace": _NAMESPACE.get(component, "default"),
            "service": component,
            **(extra_labels or {}),
        }
        result.append({"metric": labels, "values": [[int(t), v] for t, v in zip(ts, text, strict=True)]})
    doc = {"status": "success", "data": {"resultType": "matrix", "result": result}}
    w.json(relpath, doc)


def csv_samples(w: Writer, truth: Truth, relpath: str, rows_for: list[tuple[str, str, int]]) -> None:
    """Generic long samples `timestamp,component,signal,value`, one row per (component, signal, step)."""
    rows: list[tuple[str, str, str, str]] = []
    for component, signal, step_minutes in rows_for:
        factor = step_minutes * 60 // STEP_SECONDS
        if signal in ("hallucination_rate", "toxicity_rate"):
            ts, values = safety_values(truth, component, signal, factor)
        else:
            ts, values = signal_values(truth, component, signal, factor)
        integer = signal.startswith("requests_")
        for t, v in zip(ts, values, strict=True):
            stamp = dt.datetime.fromtimestamp(int(t), tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            rows.append((stamp, component, signal, str(int(v)) if integer else number(v, 5)))
    rows.sort()
    w.csv(relpath, ("timestamp", "component", "signal", "value"), rows)


def safety_values(truth: Truth, component: str, signal: str, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """Judged share of sampled responses per step: about 200 responses judged per hour."""
    rng = truth.rng(f"{component}/{signal}")
    s = truth.series[component]
    ts = truth.ts[: len(truth.ts) // factor * factor : factor]
    base = {"hallucination_rate": 0.009, "toxicity_rate": 0.0004}[signal]
    judged = np.maximum(rng.poisson(200 * factor / 12, len(ts)), 1)
    flagged = rng.binomial(judged, base)
    keep = observed_steps(s, factor)
    return ts[keep], (flagged / judged)[keep]


def datadog_slo_history(w: Writer, truth: Truth, relpath_pattern: str, component: str, target: float) -> None:
    """`GET /api/v1/slo/{id}/history` responses for a metric SLO, one per calendar month, hourly series."""
    factor = 3600 // STEP_SECONDS
    ts, good = signal_values(truth, component, "requests_good", factor)
    _, total = signal_values(truth, component, "requests_total", factor)
    months = sorted({(d.year, d.month) for d in truth.days})
    for year, month in months:
        start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
        end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=dt.UTC)
        end = min(end, truth.scenario.end)
        m = (ts >= start.timestamp()) & (ts < end.timestamp())
        num, den = good[m], total[m]
        sli = 100.0 * num.sum() / den.sum() if den.sum() else None
        budget_left = None if sli is None else 100.0 * (1 - (100.0 - sli) / (100.0 - target))

        def series(values: np.ndarray) -> dict:
            return {
                "count": int(len(values)),
                "sum": float(values.sum()),
                "metadata": {"aggr": "sum", "expression": "", "unit": None},
                "values": [float(v) for v in values],
            }

        doc = {
            "data": {
                "from_ts": int(start.timestamp()),
                "to_ts": int(end.timestamp()),
                "type": "metric",
                "type_id": 1,
                "thresholds": {
                    "30d": {"target": target, "target_display": number(target, 3), "timeframe": "30d"}
                },
                "overall": {
                    "name": f"{component} availability",
                    "preview": False,
                    "sli_value": None if sli is None else round(sli, 5),
                    "span_precision": 2,
                    "precision": {"30d": 2},
                    "corrections": [],
                    "error_budget_remaining": {"30d": None if budget_left is None else round(budget_left, 3)},
                },
                "series": {
                    "denominator": series(den),
                    "numerator": series(num),
                    "interval": 3600,
                    "message": "",
                    "query": f"sum:vector.requests.ok{{service:{component}}}.as_count(),"
                    f"sum:vector.requests.total{{service:{component}}}.as_count()",
                    "res_type": "time_series",
                    "resp_version": 2,
                    "times": [int(t) * 1000 for t in ts[m]],
                },
            },
            "errors": None,
        }
        w.json(relpath_pattern.format(month=f"{year}-{month:02d}"), doc)
