"""Prometheus HTTP API `query_range` responses (`type: prometheus`).

Accepts the full envelope `{"status": "success", "data": {"resultType": "matrix", "result": [...]}}` or the
bare `data` object; each result is `{"metric": {labels}, "values": [[unix_seconds, "value"], ...]}`.

- `NaN` values mean "no data at this step": no sample is produced (never 0). For gauges `+Inf`/`-Inf` are
  dropped too and counted in a warning (a histogram quantile above the largest bucket is not a latency).
  For count signals a negative, infinite or impossibly large value (above `base.MAX_COUNT`) is an error.
- Timestamps outside the years 1970 to 2200 (`base.EARLIEST_YEAR`, `base.LATEST_YEAR`) are an error.
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
- Files appended later (e.g. one export per day) are read alone and joined to the cached samples
  (`combine`) when every series continues after (or ends before) the points already read, no interval
  gets points from both, and the step stays the same; otherwise every file is read again. Exports whose
  ranges share their edge point are therefore read again whole.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import field_validator

from ..config import Duration
from ..errors import SourceError
from ..model import COUNT_SIGNALS, conform
from .base import (
    EARLIEST,
    END,
    MAX_COUNT,
    TIME_RANGE,
    Batch,
    CollectContext,
    Collector,
    SourceOptions,
    count_problem,
    epoch_in_range,
)
from .csv_samples import check_signal, dropped_warning, map_components
from .io import expand_paths, input_file, read_json

STEP_HISTOGRAM_MAX = 1000  # distinct spacings kept for `combine`; irregular series are read again whole
STATE_MAX_CHARS = 1 << 20  # label text kept for `combine`; beyond it (megabyte labels) files are read again


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


def _points(
    series: Any, i: int, file: str, count: bool = False
) -> tuple[dict[str, str], np.ndarray, np.ndarray]:
    """Labels, times and values of one series; for a count signal (``count``) values are finite, 0 or more
    and at most MAX_COUNT."""
    where = f"data.result[{i}]"
    if not isinstance(series, dict) or not isinstance(series.get("metric", {}), dict):
        raise SourceError(file, "wrong JSON shape", column=where, expected="{metric, values}", found=series)
    values = series.get("values")
    if not isinstance(values, list):
        hint = " (a 'value' pair is an instant vector)" if "value" in series else ""
        raise SourceError(file, "missing values" + hint, column=f"{where}.values", expected="a list of pairs")
    labels = {str(k): str(v) for k, v in series.get("metric", {}).items()}
    fast = _fast_points(values, count)
    if fast is not None:
        return labels, *fast
    return labels, *_each_point(values, where, file, count)


def _each_point(values: list, where: str, file: str, count: bool) -> tuple[np.ndarray, np.ndarray]:
    """Times and values point by point: a SourceError at the first point that is refused."""
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
        if not epoch_in_range(times[j]):
            raise SourceError(
                file,
                "timestamp out of range",
                column=f"{where}.values[{j}]",
                expected=f"unix seconds of {TIME_RANGE}",
                found=pair,
            )
        if count and (numbers[j] < 0 or numbers[j] > MAX_COUNT):
            raise SourceError(
                file,
                count_problem(numbers[j]),
                column=f"{where}.values[{j}]",
                expected=f"a count from 0 to {MAX_COUNT:.0e} (NaN for no data)",
                found=pair,
            )
    return times, numbers


_EPOCH_RANGE = (EARLIEST.value / 1e9, END.value / 1e9)  # unix seconds, as `epoch_in_range` tests them
_NUMBER_TYPES = {int, float, str}  # what float() reads as the per-point loop does; bool is refused


def _fast_points(values: list, count: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """Times and values of a series' points converted column by column (``float`` on every cell, as
    ``_each_point`` does), or None when any point would be refused or is not a plain ``[time, value]``
    pair; ``_each_point`` then finds the first such point and names it."""
    if not values or not set(map(type, values)) <= {list, tuple}:
        return None
    try:
        ts, vs = zip(*values, strict=True)
    except (TypeError, ValueError):
        return None
    if not set(map(type, ts)) <= _NUMBER_TYPES or not set(map(type, vs)) <= _NUMBER_TYPES:
        return None
    try:
        times = np.fromiter(map(float, ts), dtype=float, count=len(ts))
        numbers = np.fromiter(map(float, vs), dtype=float, count=len(vs))
    except (TypeError, ValueError, OverflowError):
        return None
    low, high = _EPOCH_RANGE
    if not bool(((times >= low) & (times < high)).all()):  # NaN and infinite times fail here too
        return None
    if count and bool(((numbers < 0) | (numbers > MAX_COUNT)).any()):
        return None
    return times, numbers


class PrometheusCollector(Collector):
    type = "prometheus"
    Options = PrometheusOptions

    def collect(self, options: PrometheusOptions, ctx: CollectContext) -> Batch:
        rows, files, parts = 0, [], []
        series_code: dict[tuple, int] = {}  # each distinct label set, numbered in the order first seen
        for path in expand_paths(ctx, options.path):
            file = str(path)
            result = _matrix(read_json(path), file)
            count, first, last = 0, np.inf, -np.inf
            for i, series in enumerate(result):
                labels, times, numbers = _points(series, i, file, options.signal in COUNT_SIGNALS)
                code = series_code.setdefault(tuple(sorted(labels.items())), len(series_code))
                parts.append(
                    pd.DataFrame({"series": np.full(len(times), code), "t": times, "value": numbers})
                )
                count += len(times)
                if len(times):
                    first, last = min(first, times.min()), max(last, times.max())
            rows += count
            span = pd.to_datetime([first, last], unit="s", utc=True) if count else None
            files.append(input_file(ctx, path, count, span))
        points = (
            pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["series", "t", "value"])
        )
        before = len(points)
        points = points.drop_duplicates(ignore_index=True)
        duplicates = before - len(points)
        label_sets = list(series_code)
        codes, seen = pd.factorize(points["series"])
        keys = [label_sets[n] for n in seen]
        spacing = _spacings(codes, points["t"].to_numpy(dtype=float))
        step_s = self._step(spacing, options, files)  # from every point: NaN steps still mark the spacing
        times = pd.Series(points["t"].to_numpy(dtype=float)).groupby(codes).agg(["min", "max"])
        nan = points["value"].isna().to_numpy()
        inf = np.isinf(points["value"].to_numpy(dtype=float))
        points = points.loc[~nan & ~inf]
        label = options.component_label
        # The component label as a categorical: one value per series, not a copy per point (labels can be long).
        codes, seen = pd.factorize(points["series"])
        keys_kept = [label_sets[n] for n in seen]
        label_codes, labels = pd.factorize(pd.Series([dict(k).get(label) for k in keys_kept], dtype=object))
        raw = pd.Series(pd.Categorical.from_codes(label_codes[codes], categories=labels))
        mapped, keep, _ = map_components(raw, options.components, ctx.config.component_ids)
        unmapped = mapped.to_numpy()[~keep]  # values, not copies: a label can be megabytes long
        points = points.loc[keep].assign(component=mapped.to_numpy()[keep])
        first = np.sort(np.unique(codes[keep], return_index=True)[1])  # each kept series' first point
        component = points["component"].to_numpy()
        kept = {keys_kept[codes[keep][i]]: component[i] for i in first}
        self._check_series(_label_sets(kept.items()), options, files)
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
        names = sorted({str(v) for v in set(unmapped) if not pd.isna(v)})  # set: str hashes are cached
        notes = {
            "series_kept": len(kept),
            "unmapped": names,
            "no_component": int(pd.isna(unmapped).sum()),
            "infinite": int(inf.sum()),
        }
        state: dict[str, Any] = {}  # none (nothing to combine) when labels are megabytes long
        if sum(len(k) + len(v) for key in keys for k, v in key) + sum(map(len, names)) <= STATE_MAX_CHARS:
            state = {
                **notes,
                "series": {_key(keys[i]): [float(r["min"]), float(r["max"])] for i, r in times.iterrows()},
                "kept": {_key(k): c for k, c in kept.items()},
                "spacings": spacing if len(spacing) <= STEP_HISTOGRAM_MAX else None,
            }
        summary = {
            "samples": len(frame),
            "step_seconds": step_s,
            "missing_values": int(nan.sum()),
            "dropped_other_components": int((~keep).sum()),
        }
        return _batch(conform("samples", frame), files, rows, duplicates, summary, notes, state)

    def combine(
        self, old: Batch, new: Batch, options: PrometheusOptions, ctx: CollectContext
    ) -> Batch | None:
        """Exact when each series' new points all come after (or before) its old ones, no (interval,
        component) has samples from both, and the step is unchanged."""
        a, b = old.state, new.state
        if "series" not in a or "series" not in b:
            return None
        spacing: dict[float, int] | None = None
        if options.step is None:
            if a["spacings"] is None or b["spacings"] is None:
                return None
            spacing = {}
            for pairs in (a["spacings"], b["spacings"]):
                for gap, count in pairs:
                    spacing[gap] = spacing.get(gap, 0) + count
        series = dict(a["series"])
        for key, (lo, hi) in b["series"].items():
            if key in series:
                old_lo, old_hi = series[key]
                if lo > old_hi:
                    gap = lo - old_hi
                elif hi < old_lo:
                    gap = old_lo - hi
                else:
                    return None  # interleaved points: repeats or a changed spacing
                if spacing is not None:
                    spacing[gap] = spacing.get(gap, 0) + 1
                lo, hi = min(lo, old_lo), max(hi, old_hi)
            series[key] = [lo, hi]
        pairs = [[gap, count] for gap, count in sorted(spacing.items())] if spacing is not None else None
        step_s = options.step.total_seconds() if options.step is not None else _median(pairs or [])
        if step_s != old.summary["step_seconds"] or step_s != new.summary["step_seconds"]:
            return None
        kept = {**a["kept"], **b["kept"]}
        try:
            labels = ((tuple(map(tuple, json.loads(k))), c) for k, c in kept.items())
            self._check_series(_label_sets(labels), options, [*old.files, *new.files])
        except SourceError:
            return None
        samples = _join_samples(old.samples, new.samples)
        if samples is None:
            return None
        state = {
            "series": series,
            "kept": kept,
            "spacings": pairs if pairs is not None and len(pairs) <= STEP_HISTOGRAM_MAX else None,
            "unmapped": sorted(set(a["unmapped"]) | set(b["unmapped"])),
            "no_component": a["no_component"] + b["no_component"],
            "infinite": a["infinite"] + b["infinite"],
            "series_kept": len(kept),
        }
        summary = {
            "samples": len(samples),
            "step_seconds": step_s,
            "missing_values": old.summary["missing_values"] + new.summary["missing_values"],
            "dropped_other_components": old.summary["dropped_other_components"]
            + new.summary["dropped_other_components"],
        }
        files, rows = [*old.files, *new.files], old.rows + new.rows
        duplicates = old.duplicates_dropped + new.duplicates_dropped
        chars = sum(len(k) + len(v) for key in series for k, v in json.loads(key)) + sum(
            map(len, state["unmapped"])
        )
        return _batch(
            samples, files, rows, duplicates, summary, state, state if chars <= STATE_MAX_CHARS else {}
        )

    @staticmethod
    def _step(spacing: list[list[float]], options: PrometheusOptions, files: list) -> float:
        if options.step is not None:
            return options.step.total_seconds()
        if spacing:
            return _median(spacing)
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
    def _check_series(
        label_sets: dict[str, list[frozenset]], options: PrometheusOptions, files: list
    ) -> None:
        file = ", ".join(f.path for f in files)
        for component in sorted(label_sets):
            sets = label_sets[component]
            if len(sets) < 2:
                continue
            if options.signal not in COUNT_SIGNALS:
                raise SourceError(
                    file,
                    f"several series for component {component!r} of non-count signal {options.signal}",
                    column="data.result",
                    expected=f"one series per component (aggregate in the query, e.g. max by ({options.component_label}))",
                    found=[dict(s) for s in sets[:2]],
                )
            for x in sets:
                for y in sets:
                    if x < y:
                        raise SourceError(
                            file,
                            f"component {component!r} has a series and its breakdown; summing would count twice",
                            column="data.result",
                            expected="series at one aggregation level",
                            found=[dict(x), dict(y)],
                        )


def _key(series: tuple) -> str:
    return json.dumps(list(series))


def _label_sets(kept: Iterable[tuple[tuple, str]]) -> dict[str, list[frozenset]]:
    """Each component's series (as label sets) in the order they were first seen."""
    out: dict[str, list[frozenset]] = {}
    for series, component in kept:
        out.setdefault(component, []).append(frozenset(series))
    return out


def _spacings(codes: np.ndarray, t: np.ndarray) -> list[list[float]]:
    """[gap, count] of every positive gap between consecutive points of a series, by gap."""
    order = np.lexsort((t, codes))
    same = codes[order][1:] == codes[order][:-1]
    gaps = np.diff(t[order])[same]
    gaps, counts = np.unique(gaps[gaps > 0], return_counts=True)
    return [[float(g), int(c)] for g, c in zip(gaps, counts, strict=True)]


def _median(spacing: list[list[float]]) -> float:
    """The median of gaps given as sorted [gap, count] pairs (the mean of the middle two for an even count)."""
    total = sum(c for _, c in spacing)
    if not total:
        return 0.0
    ranks = np.cumsum([c for _, c in spacing])
    gaps = [g for g, _ in spacing]

    def at(rank: int) -> float:  # 0-based rank in the sorted gaps
        return gaps[int(np.searchsorted(ranks, rank, side="right"))]

    if total % 2:
        return at(total // 2)
    return float(np.mean([at(total // 2 - 1), at(total // 2)]))


def _join_samples(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame | None:
    """Samples of both, in order (interval start, then component); None when a (start, component) is in both."""
    if not len(old) or not len(new):
        return old if len(old) else new
    if new["ts"].min() > old["ts"].max():
        joined = pd.concat([old, new], ignore_index=True)
    elif new["ts"].max() < old["ts"].min():
        joined = pd.concat([new, old], ignore_index=True)
    else:
        both = pd.concat([old, new], ignore_index=True)
        if both.duplicated(["ts", "component"]).any():
            return None
        joined = both.sort_values(["ts", "component"], kind="stable")
    return conform("samples", joined)


def _batch(
    samples: pd.DataFrame, files: list, rows: int, duplicates: int, summary: dict, notes: dict, state: dict
) -> Batch:
    """The batch; `notes` holds the series kept, the unmapped component values, the points without one and
    the infinite values, from which the summary's series count and the warnings follow."""
    warnings = []
    if summary["dropped_other_components"]:
        warnings.append(
            dropped_warning(summary["dropped_other_components"], notes["unmapped"], notes["no_component"])
        )
    if notes["infinite"]:
        warnings.append(f"{notes['infinite']} infinite values dropped (no sample for those steps)")
    summary = {
        "samples": summary["samples"],
        "series": notes["series_kept"],
        "step_seconds": summary["step_seconds"],
        "missing_values": summary["missing_values"],
        "dropped_other_components": summary["dropped_other_components"],
    }
    return Batch(
        samples=samples,
        files=files,
        rows=rows,
        duplicates_dropped=duplicates,
        warnings=warnings,
        summary=summary,
        state=state,
    )
