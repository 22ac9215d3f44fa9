"""Prometheus HTTP API `query_range` responses (`type: prometheus`).

Accepts the full envelope `{"status": "success", "data": {"resultType": "matrix", "result": [...]}}` or the
bare `data` object; each result is `{"metric": {labels}, "values": [[unix_seconds, "value"], ...]}`.

- `NaN` values mean "no data at this step": no sample is produced (never 0). `+Inf`/`-Inf` are dropped too
  and counted in a warning (a histogram quantile above the largest bucket is not a latency).
- `values: increase` — each value is a count per step (`increase(x[step])`), kept as is;
  `values: rate` — per-second rates, multiplied by the series step to give counts per interval;
  `values: gauge` — levels (latency percentiles, saturation), kept as is.
- Timestamps: Prometheus stamps a range-vector value at the END of its window, while a canonical sample
  describes the interval STARTING at `ts`, so `increase`/`rate` samples are moved back by one step. Gauges
  keep their instant.
- Several series for one component (e.g. split by status code) are summed for count signals. A file that
  holds both a breakdown and its total (a series whose labels are a subset of another's for the same
  component) would be counted twice and is rejected; identical series repeated across files are counted
  once (exact duplicate points are dropped). For non-count signals several series per component are an
  error: aggregate in the query (e.g. `max by (service)`).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import field_validator

from ..config import Duration
from ..errors import SourceError
from ..model import COUNT_SIGNALS, conform
from .base import (
    Batch,
    CollectContext,
    Collector,
    SourceOptions,
    expand_paths,
    input_file,
    read_json,
    register,
)
from .csv_samples import check_signal, map_components


class PrometheusOptions(SourceOptions):
    signal: str
    component_label: str = "service"
    components: dict[str, str] = {}
    values: Literal["increase", "rate", "gauge"] = "increase"
    step: Duration | None = None  # default: the series' median spacing

    @field_validator("signal")
    @classmethod
    def _signal(cls, value: str) -> str:
        return check_signal(value)


def _matrix(doc: Any, file: str) -> list[Any]:
    """The `result` list of a matrix response, or a SourceError saying what the document is instead."""
    if isinstance(doc, dict) and "status" in doc:
        if doc.get("status") == "error":
            raise SourceError(
                file,
                f"Prometheus returned an error: {doc.get('errorType', 'unknown')}: {doc.get('error', '')}",
                column="status",
                expected='"success"',
                found="error",
            )
        if doc.get("status") != "success":
            raise SourceError(
                file, "unknown status", column="status", expected='"success"', found=doc["status"]
            )
        doc = doc.get("data")
    if not isinstance(doc, dict) or "resultType" not in doc:
        raise SourceError(
            file,
            "not a Prometheus query_range response",
            expected='{"status": "success", "data": {"resultType": "matrix", ...}} or its data object',
            found=type(doc).__name__ if not isinstance(doc, dict) else sorted(doc)[:6],
        )
    kind = doc["resultType"]
    if kind != "matrix":
        raise SourceError(
            file,
            f"resultType {kind!r} is an instant query result; export a range query (/api/v1/query_range)",
            column="data.resultType",
            expected='"matrix"',
            found=kind,
        )
    result = doc.get("result")
    if not isinstance(result, list):
        raise SourceError(file, "wrong JSON shape", column="data.result", expected="a list", found=result)
    return result


def _points(series: Any, i: int, file: str) -> tuple[dict[str, str], np.ndarray, np.ndarray]:
    where = f"data.result[{i}]"
    if not isinstance(series, dict) or not isinstance(series.get("metric", {}), dict):
        raise SourceError(file, "wrong JSON shape", column=where, expected="{metric, values}", found=series)
    values = series.get("values")
    if not isinstance(values, list):
        hint = " (a 'value' pair is an instant vector)" if "value" in series else ""
        raise SourceError(file, "missing values" + hint, column=f"{where}.values", expected="a list of pairs")
    times = np.empty(len(values))
    numbers = np.empty(len(values))
    for j, pair in enumerate(values):
        try:
            t, v = pair
            times[j] = float(t)
            numbers[j] = float(v)
            if isinstance(t, bool) or isinstance(v, bool) or not math.isfinite(times[j]):
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            raise SourceError(
                file,
                "malformed sample",
                column=f"{where}.values[{j}]",
                expected='[unix_seconds, "number"]',
                found=pair,
            ) from None
    labels = {str(k): str(v) for k, v in series.get("metric", {}).items()}
    return labels, times, numbers


@register
class PrometheusCollector(Collector):
    type = "prometheus"
    Options = PrometheusOptions

    def collect(self, options: PrometheusOptions, ctx: CollectContext) -> Batch:
        rows, files, parts = 0, [], []
        for path in expand_paths(ctx, options.path):
            file = str(path)
            result = _matrix(read_json(path), file)
            count = 0
            for i, series in enumerate(result):
                labels, times, numbers = _points(series, i, file)
                key = tuple(sorted(labels.items()))
                parts.append(pd.DataFrame({"series": [key] * len(times), "t": times, "value": numbers}))
                count += len(times)
            rows += count
            files.append(input_file(ctx, path, count))
        points = (
            pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["series", "t", "value"])
        )
        before = len(points)
        points = points.drop_duplicates(ignore_index=True)
        duplicates = before - len(points)
        step_s = self._step(points, options, files)  # from every point: NaN steps still mark the spacing
        nan = points["value"].isna().to_numpy()
        inf = np.isinf(points["value"].to_numpy(dtype=float))
        points = points.loc[~nan & ~inf]
        label = options.component_label
        # The component label as a categorical: one value per series, not a copy per point (labels can be long).
        codes, keys = pd.factorize(points["series"])
        label_codes, labels = pd.factorize(pd.Series([dict(k).get(label) for k in keys], dtype=object))
        raw = pd.Series(pd.Categorical.from_codes(label_codes[codes], categories=labels))
        mapped, keep, warning = map_components(raw, options.components, ctx.config.component_ids)
        points = points.loc[keep].assign(component=mapped.to_numpy()[keep])
        self._check_series(points, options, files)
        value = points["value"] * step_s if options.values == "rate" else points["value"]
        shift = step_s if options.values in ("increase", "rate") else 0.0
        frame = pd.DataFrame(
            {
                "ts": pd.to_datetime(((points["t"] - shift) * 1e9).round().astype("int64"), utc=True),
                "component": points["component"],
                "value": value,
            }
        )
        frame = frame.groupby(["ts", "component"], as_index=False, sort=True)["value"].sum()
        frame = frame.assign(signal=options.signal, source=ctx.source_id)
        warnings = [warning] if warning else []
        if inf.any():
            warnings.append(f"{int(inf.sum())} infinite values dropped (no sample for those steps)")
        return Batch(
            samples=conform("samples", frame),
            files=files,
            rows=rows,
            duplicates_dropped=duplicates,
            warnings=warnings,
            summary={
                "samples": len(frame),
                "series": int(points["series"].nunique()),
                "step_seconds": step_s,
                "missing_values": int(nan.sum()),
                "dropped_other_components": int((~keep).sum()),
            },
        )

    @staticmethod
    def _step(points: pd.DataFrame, options: PrometheusOptions, files: list) -> float:
        if options.step is not None:
            return options.step.total_seconds()
        diffs = points.sort_values("t").groupby("series", sort=False)["t"].diff().dropna()
        diffs = diffs[diffs > 0]
        if len(diffs):
            return float(diffs.median())
        if options.values == "gauge":
            return 0.0
        raise SourceError(
            files[0].path if files else options.path,
            "cannot tell the query step",
            column="step",
            expected="a `step:` option or series with at least two points",
            found="single points only",
        )

    @staticmethod
    def _check_series(points: pd.DataFrame, options: PrometheusOptions, files: list) -> None:
        file = ", ".join(f.path for f in files)
        for component, group in points.groupby("component", sort=True)["series"]:
            label_sets = [frozenset(s) for s in group.unique()]
            if len(label_sets) < 2:
                continue
            if options.signal not in COUNT_SIGNALS:
                raise SourceError(
                    file,
                    f"several series for component {component!r} of non-count signal {options.signal}",
                    column="data.result",
                    expected=f"one series per component (aggregate in the query, e.g. max by ({options.component_label}))",
                    found=[dict(s) for s in label_sets[:2]],
                )
            for a in label_sets:
                for b in label_sets:
                    if a < b:
                        raise SourceError(
                            file,
                            f"component {component!r} has a series and its breakdown; summing would count twice",
                            column="data.result",
                            expected="series at one aggregation level",
                            found=[dict(a), dict(b)],
                        )
