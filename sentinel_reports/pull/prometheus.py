"""Prometheus `GET /api/v1/query_range` -> one matrix reply per UTC day (`type: prometheus`).

The collector stamps an `increase`/`rate` value at the END of its step (the interval it counts ends
there), so a day's file holds the steps ending in (day start, day end]: `start = day + step`,
`end = day + 1 day`. Gauges (`values: gauge`) are instants: [day start, day end - step]. For today the range
ends at the last whole step before the fetch time.

A query over more than `MAX_POINTS` steps is split into consecutive requests (Prometheus refuses more than
11,000 points per series), and their series are joined by label set into one reply. Auth: `token_env`
(bearer) or `username_env` + `password_env` (basic).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..config import PrometheusPull, SourceConfig
from .base import Connection, Fetched, Vendor, Window, secret
from .http import Client, PullError

MAX_POINTS = 10_000  # per request and series; Prometheus's limit is 11,000
PATH = "/api/v1/query_range"


def _seconds(t: dt.datetime) -> float:
    return t.timestamp()


def ranges(start: float, end: float, step: float, max_points: int = MAX_POINTS) -> list[tuple[float, float]]:
    """[start, end] cut into ranges of at most `max_points` evaluation steps each (inclusive ends)."""
    out = []
    while start <= end:
        last = min(end, start + (max_points - 1) * step)
        out.append((start, last))
        start = last + step
    return out


class PrometheusVendor(Vendor):
    types = ("prometheus",)

    def connect(self, settings: PrometheusPull, source: SourceConfig, env: Mapping[str, str]) -> Connection:
        sid = source.id or source.type
        headers, secrets, hidden = {}, {}, ()
        if settings.token_env:
            token = secret(env, settings.token_env, "token_env", sid)
            headers["Authorization"], secrets[settings.token_env] = f"Bearer {token}", token
        elif settings.username_env and settings.password_env:
            user = secret(env, settings.username_env, "username_env", sid)
            password = secret(env, settings.password_env, "password_env", sid)
            pair = base64.b64encode(f"{user}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
            secrets = {settings.username_env: user, settings.password_env: password}
            hidden = (pair,)
        return Connection(settings.base_url or settings.url, headers, secrets, hidden)

    def fetch(
        self, client: Client, settings: PrometheusPull, source: SourceConfig, window: Window
    ) -> Fetched:
        step = settings.step.total_seconds()
        values = (source.model_extra or {}).get("values", "increase")
        day0 = _seconds(window.start)
        if values == "gauge":
            start, last = day0, _seconds(window.day_end) - step
        else:
            start, last = day0 + step, _seconds(window.day_end)
        if window.partial:  # the last whole step before the fetch time
            now = _seconds(window.end)
            last = min(last, day0 + ((now - day0) // step) * step)
        series: dict[tuple, dict[str, Any]] = {}
        points = 0
        for lo, hi in ranges(start, last, step):
            doc = client.get(PATH, params={"query": settings.query, "start": _num(lo), "end": _num(hi),
                                           "step": _num(step)})  # fmt: skip
            result = _result(doc, client.source_id)
            for item in result:
                metric = item.get("metric") or {}
                key = tuple(sorted(metric.items()))
                entry = series.setdefault(key, {"metric": metric, "values": []})
                entry["values"].extend(item.get("values") or [])
                points += len(item.get("values") or [])
        result = [series[k] for k in sorted(series)]
        doc = {"status": "success", "data": {"resultType": "matrix", "result": result}}
        return Fetched(doc, True, f"{len(result)} series, {points} points")


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _result(doc: Any, source_id: str) -> list[dict[str, Any]]:
    if not isinstance(doc, dict) or doc.get("status") != "success":
        error = doc.get("error") if isinstance(doc, dict) else None
        raise PullError(
            f"{source_id}: GET {PATH} returned no success status" + (f": {error}" if error else "")
        )
    data = doc.get("data")
    if (
        not isinstance(data, dict)
        or data.get("resultType") != "matrix"
        or not isinstance(data.get("result"), list)
    ):
        raise PullError(
            f"{source_id}: GET {PATH} did not return a matrix (check that the query is a range query)"
        )
    return [r for r in data["result"] if isinstance(r, dict)]
