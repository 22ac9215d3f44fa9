"""Generic long samples (`type: csv`): one row per timestamp × component × signal.

    timestamp,component,signal,value
    2026-11-16T10:00:00Z,chat-api,requests_total,1200

Column names are mappable (`columns: {timestamp: time, value: count}`); a file without a signal column takes
the fixed `signal` option. Empty, `NaN` or `null` values are missing data: no sample is produced (never 0).
Unknown signal names are an error (a typo must not silently drop a series), and so are infinite values,
negative counts, counts above `base.MAX_COUNT` and more requests_good than requests_total in one interval.
The component mapping shared by the telemetry collectors (`map_components`) lives here, next to the
simplest collector that uses it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator

from ..errors import SourceError
from ..model import COUNT_SIGNALS, SIGNALS, conform, shorten
from .base import (
    Batch,
    CollectContext,
    Collector,
    SourceOptions,
    check_counts,
    check_good_total,
    drop_duplicates,
    parse_numbers,
    parse_timestamps,
)
from .io import expand_paths, input_file, read_table, require_columns


def check_signal(value: str) -> str:
    """Validator for options naming a canonical signal."""
    if value not in SIGNALS:
        raise ValueError(f"unknown signal {value!r} (known: {sorted(SIGNALS)})")
    return value


def parse_times(values: pd.Series, **kwargs) -> pd.Series:
    """`base.parse_timestamps`, with dates outside pandas' nanosecond range reported as a SourceError."""
    try:
        return parse_timestamps(values, **kwargs)
    except (pd.errors.OutOfBoundsDatetime, OverflowError) as exc:
        raise SourceError(
            kwargs["file"],
            f"timestamp out of range ({exc})",
            column=kwargs["column"],
            expected="a timestamp between 1678 and 2261",
        ) from None


def map_components(
    values: pd.Series, mapping: Mapping[str, str], known: tuple[str, ...] | list[str]
) -> tuple[pd.Series, np.ndarray, str | None]:
    """Map vendor component values to component ids and find the rows to keep.

    Returns the mapped values, a boolean mask of rows whose component is a configured component id, and a
    warning naming what was dropped (exports often contain other services), or None when nothing was.
    """
    # Work on the distinct values: a long value repeated on every row (a Prometheus label) is mapped once.
    codes, uniques = pd.factorize(values)
    text = pd.Series(uniques, dtype=object).astype("string")
    mapped_u = text.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v) if mapping else text
    keep_u = mapped_u.isin(set(known)).fillna(False).to_numpy(dtype=bool)
    valid = codes >= 0
    keep = np.zeros(len(codes), dtype=bool)
    keep[valid] = keep_u[codes[valid]]
    out = np.full(len(codes), pd.NA, dtype=object)
    out[valid] = mapped_u.astype(object).to_numpy()[codes[valid]]
    mapped = pd.Series(out, index=values.index, dtype=object)
    warning = None
    if not keep.all():
        names = sorted(set(mapped_u[~keep_u].dropna().astype(str)))
        warning = dropped_warning(int((~keep).sum()), names, int((~valid).sum()))
    return mapped, keep, warning


def dropped_warning(dropped: int, names: list[str], missing: int) -> str:
    """The warning of `map_components`: `dropped` rows, the component values they had, how many had none."""
    shown = ", ".join(repr(shorten(n, 80)) for n in names[:5]) + (" ..." if len(names) > 5 else "")
    parts = [f"{dropped} rows dropped"]
    if names:
        parts.append(f"components not in sentinel.yaml: {shown}")
    if missing:
        parts.append(f"{missing} without a component value")
    return "; ".join(parts) + " (map them with `components:` if they belong to a component)"


def _check_values(frame: pd.DataFrame, cells: pd.Series, file: str, column: str) -> None:
    """Infinite values, negative or impossibly large counts and more good requests than requests in one
    interval are errors naming the row (NaN is missing data)."""
    values = frame["value"].to_numpy(dtype="float64")
    inf = np.isinf(values)
    if inf.any():
        i = int(inf.nonzero()[0][0])
        raise SourceError(
            file, "not a finite number", row=i + 1, column=column, expected="a finite number (empty for no data)",
            found=cells.iloc[i],
        )  # fmt: skip
    counts = frame["signal"].isin(COUNT_SIGNALS).to_numpy(dtype=bool)
    check_counts(np.where(counts, values, np.nan), file=file, column=column, found=cells)
    check_good_total(frame.dropna(subset=["value"]), file=file, column=column)


class CsvColumns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timestamp: str = "timestamp"
    component: str = "component"
    signal: str = "signal"
    value: str = "value"


class CsvSamplesOptions(SourceOptions):
    columns: CsvColumns = CsvColumns()
    signal: str | None = None  # fixed signal when the file has no signal column
    components: dict[str, str] = {}

    @field_validator("signal")
    @classmethod
    def _signal(cls, value: str | None) -> str | None:
        return value if value is None else check_signal(value)


class CsvSamplesCollector(Collector):
    type = "csv"
    Options = CsvSamplesOptions

    def collect(self, options: CsvSamplesOptions, ctx: CollectContext) -> Batch:
        cols = options.columns
        frames, files, rows, missing = [], [], 0, 0
        for path in expand_paths(ctx, options.path):
            file = str(path)
            table = read_table(path)
            needed = [cols.timestamp, cols.component, cols.value]
            if options.signal is None:
                needed.append(cols.signal)
            require_columns(table, needed, file)
            ts = parse_times(table[cols.timestamp], tz=ctx.tz, file=file, column=cols.timestamp)
            value = parse_numbers(table[cols.value], file=file, column=cols.value, allow_nan=True)
            if options.signal is not None and cols.signal not in table.columns:
                signal = pd.Series(options.signal, index=table.index, dtype=object)
            else:
                signal = table[cols.signal].astype("string").str.strip()
                unknown = ~signal.isin(set(SIGNALS)).fillna(False)
                if unknown.any():
                    idx = int(unknown.to_numpy().nonzero()[0][0])
                    raise SourceError(
                        file,
                        "unknown signal",
                        row=idx + 1,
                        column=cols.signal,
                        expected=f"one of {', '.join(sorted(SIGNALS))}",
                        found=table[cols.signal].iloc[idx],
                    )
            component = table[cols.component].astype("string").str.strip()
            frame = pd.DataFrame(
                {"ts": ts, "component": component.astype(object), "signal": signal.astype(object)}
            )
            frame["value"] = value.to_numpy()
            _check_values(frame, table[cols.value], file, cols.value)
            rows += len(frame)
            files.append(input_file(ctx, path, len(frame), frame["ts"]))
            frames.append(frame)
        frame = pd.concat(frames, ignore_index=True)
        frame, duplicates = drop_duplicates(frame)
        nan = frame["value"].isna().to_numpy()
        missing = int(nan.sum())
        frame = frame.loc[~nan]
        mapped, keep, warning = map_components(
            frame["component"], options.components, ctx.config.component_ids
        )
        frame = frame.assign(component=mapped.to_numpy()).loc[keep]
        frame = frame.sort_values(["ts", "component", "signal"], kind="stable").assign(source=ctx.source_id)
        return Batch(
            samples=conform("samples", frame),
            files=files,
            rows=rows,
            duplicates_dropped=duplicates,
            warnings=[warning] if warning else [],
            summary={
                "samples": len(frame),
                "signals": sorted(set(frame["signal"])),
                "missing_values": missing,
                "dropped_other_components": int((~keep).sum()),
            },
        )
