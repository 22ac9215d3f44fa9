"""The collector protocol and the cell parsing every collector shares (file reading: `io`; which collector
reads which source type: `catalog`).

A collector is a class with a `type` name, listed in `catalog.BUILTIN`:

    class PrometheusCollector(Collector):
        type = "prometheus"
        Options = PrometheusOptions          # pydantic model of the source entry (extra keys forbidden)

        def collect(self, options, ctx) -> Batch: ...

Third-party collectors come from the entry-point group `sentinel_reports.collectors` (each entry point
names a Collector subclass; see `catalog`). `collect` turns vendor files into canonical frames (see `model`) and
raises only `SourceError` on bad input, naming file, row/line, column, expected and found.

A collector may also implement `combine(old, new, options, ctx)`: the batch of a source whose files were
`old`'s followed by `new`'s, exactly as one `collect` of all of them would have made it, or None when that
cannot be guaranteed (e.g. an aggregation interval holds rows of both). The parse cache uses it when a
source's glob gains files: only the new files are read (`CollectContext.files` names them; `expand_paths`
returns them). What `combine` needs beyond the report goes in `Batch.state`.

A collector whose result is a re-aggregation of per-file partial aggregates (exact sums, so the grouping of
files cannot change it) instead reads each file through `ctx.part(path, read)`: with the parse cache,
`read` runs only for a file whose (path, digest) has no cached `Part`, so a new or edited file is the only
one aggregated again and a deleted file's part is simply not merged (the `focus` collector does this).
Such a collector sets `per_file = True` and needs no `combine`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, model_validator

from ..config import TABLE_TYPES, Config
from ..errors import SourceError
from ..model import Incident, InputFile, empty_frame

# Every timestamp a collector returns lies in these years (inclusive); anything else is a SourceError
# naming the cell. Dates before the Unix epoch or centuries ahead are typos or unit mistakes (milliseconds
# read as seconds), and pandas cannot hold years past 2262 at all. See docs/sources.md.
EARLIEST_YEAR = 1970
LATEST_YEAR = 2200
EARLIEST = pd.Timestamp(f"{EARLIEST_YEAR}-01-01", tz="UTC")
END = pd.Timestamp(f"{LATEST_YEAR + 1}-01-01", tz="UTC")  # exclusive
TIME_RANGE = f"a time in the years {EARLIEST_YEAR} to {LATEST_YEAR}"


# A count per sample (requests, tokens) above this is not a real count: 1e308 would overflow to infinity
# once summed, and any count this large is a unit or export mistake. Counts are never negative.
MAX_COUNT = 1e15


def count_problem(value: float) -> str:
    """Why a count cell is refused (negative, infinite or above MAX_COUNT)."""
    if value < 0:
        return "negative count"
    if np.isinf(value):
        return "infinite count"
    return "count too large to be real"


def check_counts(values: Any, *, file: str, column: str, row_offset: int = 1, found: Any = None) -> None:
    """A SourceError at the first count that is negative, infinite or above MAX_COUNT (NaN is missing data)."""
    numbers = np.asarray(values, dtype="float64")
    bad = (numbers < 0) | (numbers > MAX_COUNT)
    if not bad.any():
        return
    i = int(bad.nonzero()[0][0])
    shown = found.iloc[i] if isinstance(found, pd.Series) else found[i] if found is not None else numbers[i]
    raise SourceError(
        file,
        count_problem(float(numbers[i])),
        row=i + row_offset,
        column=column,
        expected=f"a count from 0 to {MAX_COUNT:.0e}",
        found=shown,
    )


def good_over_total(frame: pd.DataFrame) -> pd.DataFrame:
    """(ts, component) where Σ requests_good > Σ requests_total, with both sums, in time order."""
    parts = {}
    for signal in ("requests_good", "requests_total"):
        rows = frame.loc[frame["signal"] == signal]
        parts[signal] = rows.groupby(["ts", "component"], observed=True)["value"].sum()
    if not len(parts["requests_good"]) or not len(parts["requests_total"]):
        return pd.DataFrame(columns=["ts", "component", "good", "total"])
    both = pd.concat({"good": parts["requests_good"], "total": parts["requests_total"]}, axis=1, join="inner")
    return both.loc[both["good"] > both["total"]].reset_index().sort_values(["ts", "component"])


def check_good_total(frame: pd.DataFrame, *, file: str, column: str, row_offset: int = 1) -> None:
    """A SourceError when some interval has more good requests than requests (the first such good row).

    ``frame`` has ts, component, signal and value, indexed by 0-based data row."""
    bad = good_over_total(frame)
    if not len(bad):
        return
    first = bad.iloc[0]
    goods = frame.loc[
        (frame["signal"] == "requests_good")
        & (frame["ts"] == first["ts"])
        & (frame["component"] == first["component"])
    ]
    raise SourceError(
        file,
        f"requests_good exceeds requests_total for {first['component']} at {first['ts'].isoformat()}",
        row=int(goods.index[0]) + row_offset if len(goods) else None,
        column=column,
        expected=f"at most requests_total ({first['total']:g})",
        found=float(first["good"]),
    )


def out_of_range_ns(ns: Any) -> np.ndarray:
    """True where int64/float ns since the epoch (or a datetime64 array) fall outside the allowed years."""
    values = np.asarray(ns)
    if np.issubdtype(values.dtype, np.datetime64):
        values = values.astype("datetime64[ns]").view("int64")
    return (values < EARLIEST.value) | (values >= END.value)


def check_time_range(
    ts: Any, *, file: str, column: str, row_offset: int = 1, valid: Any = None, found: Any = None
) -> None:
    """A SourceError at the first timestamp outside EARLIEST_YEAR..LATEST_YEAR (a Series, ns or datetime64).

    ``valid`` masks cells that are missing; ``found`` gives the cells as the file wrote them, for the message.
    """
    if isinstance(ts, pd.Series):
        missing = ts.isna().to_numpy()
        values = ts.to_numpy(dtype="datetime64[ns]").view("int64")
    else:
        values = np.asarray(ts)
        missing = (
            np.isnan(values) if np.issubdtype(values.dtype, np.floating) else np.zeros(len(values), bool)
        )
    bad = out_of_range_ns(values) & ~missing
    if valid is not None:
        bad &= np.asarray(valid, dtype=bool)
    if not bad.any():
        return
    i = int(bad.nonzero()[0][0])
    if found is not None:
        shown = found.iloc[i] if isinstance(found, pd.Series) else found[i]
    else:
        shown = ts.iloc[i] if isinstance(ts, pd.Series) else values[i]
        try:
            shown = pd.Timestamp(int(shown), tz="UTC").isoformat() if not isinstance(ts, pd.Series) else shown
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            pass
        if isinstance(shown, pd.Timestamp):
            shown = shown.isoformat()
    raise SourceError(
        file,
        "timestamp out of range",
        row=i + row_offset,
        column=column,
        expected=TIME_RANGE,
        found=shown,
    )


def datetime_in_range(value: dt.datetime) -> bool:
    """True when an aware datetime (naive: UTC) lies in the allowed years."""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return EARLIEST.to_pydatetime() <= aware < END.to_pydatetime()


def epoch_in_range(seconds: float) -> bool:
    """True when unix seconds lie in the allowed years (NaN and infinities are not)."""
    return bool(EARLIEST.value / 1e9 <= seconds < END.value / 1e9)


class SourceOptions(BaseModel):
    """Fields every source entry has. Collectors subclass this with their own options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    path: str
    table: str | None = None  # a table of the engine instead of files: only for `config.TABLE_TYPES`
    id: str | None = None
    timezone: str | None = None  # for naive timestamps; default: the project's timezone
    allow_outside: list[str] = []  # folders outside the project this source may read (see `io.check_inside`)

    @model_validator(mode="after")
    def _files_only(self) -> SourceOptions:
        if self.table is not None and self.type not in TABLE_TYPES:
            raise ValueError(f"`table:` is for sources of type {' or '.join(TABLE_TYPES)}; give `path:`")
        return self


@dataclass(frozen=True)
class CollectContext:
    project_dir: Path
    source_id: str
    tz: ZoneInfo
    config: Config
    files: tuple[Path, ...] | None = None  # read these instead of the files `path` matches (an append)
    parts: Callable[[Path, Callable[[], Part]], Part] | None = None  # the parse cache's per-file parts

    def part(self, path: Path, read: Callable[[], Part]) -> Part:
        """`read()`'s partial aggregate of one file, or the cached one of the same file content."""
        return read() if self.parts is None else self.parts(path, read)

    def relpath(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.project_dir.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


@dataclass
class Batch:
    """What one source produced. Frames use the canonical columns of `model`."""

    samples: pd.DataFrame = field(default_factory=lambda: empty_frame("samples"))
    costs: pd.DataFrame = field(default_factory=lambda: empty_frame("costs"))
    evals: pd.DataFrame = field(default_factory=lambda: empty_frame("evals"))
    kpis: pd.DataFrame = field(default_factory=lambda: empty_frame("kpis"))
    incidents: list[Incident] = field(default_factory=list)
    files: list[InputFile] = field(default_factory=list)
    rows: int = 0
    duplicates_dropped: int = 0
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)  # JSON-able facts `combine` needs; not reported
    checked: bool = False  # passed project.check_batch (the parse cache keeps only such batches)


@dataclass
class Part:
    """One input file reduced on its own: a partial aggregate (Arrow; sums exact, so parts re-aggregate to
    what one pass over every file gives) with the file's manifest entry, rows, warnings and JSON state."""

    table: pa.Table
    file: InputFile
    rows: int = 0
    warnings: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


class Collector:
    type: ClassVar[str]
    Options: ClassVar[type[SourceOptions]] = SourceOptions
    per_file: ClassVar[bool] = False  # reads every file through `CollectContext.part`
    # aggregates on the configured engine (`engine_for`): read one after another with the other such sources,
    # beside the sources parsed in Python (`project.read_sources`); an engine connection serves one query
    uses_engine: ClassVar[bool] = False

    def collect(self, options: Any, ctx: CollectContext) -> Batch:  # pragma: no cover - protocol
        raise NotImplementedError

    def fingerprint(self, options: Any, ctx: CollectContext) -> str:
        """A source that reads a table (`table:`) instead of files: a digest that changes when the rows it
        reads change, computed in the engine (the parse cache and the facts key use it as a file's sha256)."""
        raise NotImplementedError

    def combine(self, old: Batch, new: Batch, options: Any, ctx: CollectContext) -> Batch | None:
        """`old` (read from the first files) extended with `new` (read from the files after them), equal to
        what `collect` of all the files returns; None when this collector cannot guarantee that. Every row
        (and incident) of the result is one of `old` or `new`, and the rows of one (interval, component)
        come from one of them, so a result of two batches that passed `project.check_batch` passes it too."""
        return None

    @classmethod
    def can_combine(cls) -> bool:
        return cls.combine is not Collector.combine


# ---------------------------------------------------------------- parsing cells


def parse_timestamps(
    values: pd.Series, *, tz: ZoneInfo, file: str, column: str, unit: str | None = None, row_offset: int = 1
) -> pd.Series:
    """Parse a column to UTC timestamps.

    Strings with offsets are converted to UTC; naive values are read in `tz`; numbers need `unit`
    ("s" or "ms"). The first unparseable cell raises a SourceError naming its row (1-based data row).
    """
    if unit is not None:  # epoch numbers: the range is checked before pandas converts (and overflows)
        numeric = pd.to_numeric(values, errors="coerce")
        scale = {"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0}.get(unit, 1e9)
        check_time_range(
            (numeric * scale).to_numpy(dtype="float64"), file=file, column=column, row_offset=row_offset,
            found=values,
        )  # fmt: skip
    try:
        parsed = _parse_timestamps(values, tz=tz, file=file, column=column, unit=unit, row_offset=row_offset)
    except (pd.errors.OutOfBoundsDatetime, OverflowError, ValueError, TypeError):
        # pandas refuses some cells outright (years beyond 2262, odd tokens): find the first such cell
        for idx, cell in enumerate(values.tolist()):
            try:
                _parse_timestamps(
                    pd.Series([cell]), tz=tz, file=file, column=column, unit=unit, row_offset=row_offset
                )
            except (pd.errors.OutOfBoundsDatetime, OverflowError, ValueError, TypeError):
                raise SourceError(
                    file,
                    "unparseable timestamp",
                    row=idx + row_offset,
                    column=column,
                    expected=("an ISO 8601 timestamp" if unit is None else f"epoch {unit}")
                    + f", {TIME_RANGE}",
                    found=cell,
                ) from None
        raise SourceError(
            file, "unparseable timestamps", column=column, expected="ISO 8601 timestamps"
        ) from None
    check_time_range(parsed, file=file, column=column, row_offset=row_offset, found=values)
    return parsed


def _parse_timestamps(
    values: pd.Series, *, tz: ZoneInfo, file: str, column: str, unit: str | None = None, row_offset: int = 1
) -> pd.Series:
    """Parse a column to UTC timestamps.

    Strings with offsets are converted to UTC; naive values are read in `tz`; numbers need `unit`
    ("s" or "ms"). The first unparseable cell raises a SourceError naming its row (1-based data row).
    """
    if unit is not None:
        numeric = pd.to_numeric(values, errors="coerce")
        bad = numeric.isna() & values.notna()
        if bad.any() or values.isna().any():
            idx = int((bad | values.isna()).to_numpy().nonzero()[0][0])
            raise SourceError(
                file,
                "unparseable timestamp",
                row=idx + row_offset,
                column=column,
                expected=f"epoch {unit}",
                found=values.iloc[idx],
            )
        return pd.to_datetime(numeric, unit=unit, utc=True).astype("datetime64[ns, UTC]")
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
        if getattr(parsed.dt, "tz", None) is None:
            parsed = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
        return parsed.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    bad = parsed.isna()
    if bad.any():
        # fall back to flexible parsing for the cells ISO 8601 could not read (e.g. "2026-11-20 10:00:00 UTC")
        retry = pd.to_datetime(text[bad], errors="coerce", utc=True, format="mixed")
        parsed[bad] = retry
        bad = parsed.isna()
    if bad.any():
        idx = int(bad.to_numpy().nonzero()[0][0])
        raise SourceError(
            file,
            "unparseable timestamp",
            row=idx + row_offset,
            column=column,
            expected="an ISO 8601 timestamp",
            found=values.iloc[idx],
        )
    naive = ~text.str.contains(r"(?:Z|[+-]\d\d:?\d\d|UTC|GMT)\s*$", regex=True, na=False)
    if naive.any() and str(tz) != "UTC":
        local = pd.to_datetime(text[naive], format="mixed").dt.tz_localize(
            tz, ambiguous="NaT", nonexistent="shift_forward"
        )
        parsed[naive] = local.dt.tz_convert("UTC")
    return parsed.astype("datetime64[ns, UTC]")


def parse_numbers(
    values: pd.Series, *, file: str, column: str, row_offset: int = 1, allow_nan: bool = False
) -> pd.Series:
    """Parse a column to float64; the first non-number raises a SourceError naming its row."""
    numeric = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = numeric.isna()
    if allow_nan:
        missing = values.isna() | values.astype("string").str.strip().str.lower().isin(
            ["nan", "", "<na>"]
        ).fillna(True)
        bad = bad & ~missing.astype(bool)
    if bad.any():
        idx = int(bad.to_numpy().nonzero()[0][0])
        raise SourceError(
            file,
            "not a number",
            row=idx + row_offset,
            column=column,
            expected="a number",
            found=values.iloc[idx],
        )
    return numeric


def drop_duplicates(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Drop exact duplicate rows; return the frame and how many were dropped."""
    before = len(frame)
    out = frame.drop_duplicates(ignore_index=True)
    return out, before - len(out)


def utc(ts: Any) -> dt.datetime:
    return (
        pd.Timestamp(ts).tz_convert("UTC").to_pydatetime()
        if pd.Timestamp(ts).tzinfo
        else pd.Timestamp(ts).tz_localize("UTC").to_pydatetime()
    )
