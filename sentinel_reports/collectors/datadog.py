"""Datadog SLO history (`type: datadog_slo_history`): the `GET /api/v1/slo/{slo_id}/history` response.

Shape (Datadog API v1, `SLOHistoryResponse`): `{"data": {"type": "metric", "overall": {"sli_value": 99.95,
...}, "series": {"numerator": {"values": [...], "sum": ..., "count": ...}, "denominator": {...},
"times": [epoch_ms, ...], "interval": seconds, "res_type": "time_series", ...}}, "errors": [...]}`.

Each time becomes `requests_good` (numerator) and `requests_total` (denominator) for the configured
`component`; `times` are the start of each rollup interval. A null value is missing data (no sample).
`data.overall.sli_value` (a percentage) is kept in the summary next to the value recomputed from the counts,
so the two can be reconciled. Monitor-based SLOs have no `series` (only monitor uptime), so they carry no
request counts and are rejected with that explanation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import SourceError
from ..model import conform
from .base import (
    MAX_COUNT,
    TIME_RANGE,
    Batch,
    CollectContext,
    Collector,
    SourceOptions,
    drop_duplicates,
    epoch_in_range,
)
from .csv_samples import map_components
from .io import expand_paths, input_file, read_json


class DatadogSloHistoryOptions(SourceOptions):
    component: str


def _numbers(values: Any, file: str, column: str, n: int) -> np.ndarray:
    if not isinstance(values, list) or len(values) != n:
        raise SourceError(
            file,
            "series length does not match `times`",
            column=column,
            expected=f"a list of {n} numbers",
            found=f"{type(values).__name__} of {len(values) if isinstance(values, list) else 0}",
        )
    out = np.full(n, np.nan)
    for i, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise SourceError(
                file, "not a number", column=f"{column}[{i}]", expected="a number or null", found=v
            )
        out[i] = v
    return out


def _series(doc: Any, file: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if isinstance(doc, dict) and isinstance(doc.get("data"), dict):
        data = doc["data"]
    elif isinstance(doc, dict) and ("series" in doc or "overall" in doc):
        data = doc
    else:
        errors = doc.get("errors") if isinstance(doc, dict) else None
        raise SourceError(
            file,
            "not a Datadog SLO history response" + (f": errors {errors}" if errors else ""),
            expected='{"data": {"series": ..., "overall": ...}}',
            found=type(doc).__name__ if not isinstance(doc, dict) else sorted(doc)[:6],
        )
    series = data.get("series")
    if not isinstance(series, dict) or not isinstance(series.get("numerator"), dict):
        kind = data.get("type", "monitor" if "monitors" in data or "groups" in data else "unknown")
        raise SourceError(
            file,
            f"SLO history of type {kind!r} has no numerator/denominator series: only metric-based SLO "
            "histories carry request counts (monitor-based SLOs report uptime only)",
            column="data.series.numerator",
            expected="a metric-based SLO history",
            found=sorted(data)[:8],
        )
    return data, series


class DatadogSloHistoryCollector(Collector):
    type = "datadog_slo_history"
    Options = DatadogSloHistoryOptions

    def collect(self, options: DatadogSloHistoryOptions, ctx: CollectContext) -> Batch:
        frames, files, rows, sli_reported, interval = [], [], 0, [], None
        for path in expand_paths(ctx, options.path):
            file = str(path)
            data, series = _series(read_json(path), file)
            times = series.get("times")
            if not isinstance(times, list):
                raise SourceError(
                    file, "missing times", column="data.series.times", expected="a list of epoch ms"
                )
            n = len(times)
            ms = _numbers(times, file, "data.series.times", n)
            if np.isnan(ms).any():
                i = int(np.isnan(ms).nonzero()[0][0])
                raise SourceError(file, "missing time", column=f"data.series.times[{i}]", expected="epoch ms")
            outside = ~np.array([epoch_in_range(t / 1000.0) for t in ms], dtype=bool)
            if outside.any():
                i = int(outside.nonzero()[0][0])
                raise SourceError(
                    file, "timestamp out of range", column=f"data.series.times[{i}]",
                    expected=f"epoch ms of {TIME_RANGE}", found=times[i],
                )  # fmt: skip
            good = _numbers(series["numerator"].get("values"), file, "data.series.numerator.values", n)
            denominator = series.get("denominator")
            total = _numbers(
                denominator.get("values") if isinstance(denominator, dict) else None,
                file,
                "data.series.denominator.values",
                n,
            )
            bad = (good > total) | (good < 0) | (total < 0) | (total > MAX_COUNT)
            if bad.any():
                i = int(bad.nonzero()[0][0])
                raise SourceError(
                    file,
                    "numerator exceeds denominator, is negative or is too large to be a count",
                    column=f"data.series.numerator.values[{i}]",
                    expected=f"0 <= good <= total ({total[i]})",
                    found=good[i],
                )
            ts = pd.to_datetime(ms.astype("int64"), unit="ms", utc=True)
            for signal, values in (("requests_good", good), ("requests_total", total)):
                frames.append(pd.DataFrame({"ts": ts, "signal": signal, "value": values}))
            overall = data.get("overall") if isinstance(data.get("overall"), dict) else {}
            if isinstance(overall.get("sli_value"), int | float):
                sli_reported.append(float(overall["sli_value"]))
            if isinstance(series.get("interval"), int | float):
                interval = float(series["interval"])
            rows += n
            files.append(input_file(ctx, path, n))
        frame = pd.concat(frames, ignore_index=True)
        frame, duplicates = drop_duplicates(frame)
        nan = frame["value"].isna().to_numpy()
        frame = frame.loc[~nan].assign(component=options.component, source=ctx.source_id)
        _, keep, warning = map_components(frame["component"], {}, ctx.config.component_ids)
        frame = frame.loc[keep].sort_values(["ts", "signal"], kind="stable")
        sums = frame.groupby("signal")["value"].sum()
        computed = None
        if sums.get("requests_total", 0) > 0:
            computed = round(100.0 * float(sums.get("requests_good", 0.0)) / float(sums["requests_total"]), 6)
        return Batch(
            samples=conform("samples", frame),
            files=files,
            rows=rows,
            duplicates_dropped=duplicates,
            warnings=[warning] if warning else [],
            summary={
                "samples": len(frame),
                "sli_value_reported": sli_reported[0] if len(sli_reported) == 1 else sli_reported or None,
                "sli_value_from_counts": computed,
                "interval_seconds": interval,
                "missing_values": int(nan.sum()),
            },
        )
