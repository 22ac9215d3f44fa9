"""The collector protocol, the registry, and the file reading every collector shares.

A collector is a class registered under its `type` name:

    @register
    class PrometheusCollector(Collector):
        type = "prometheus"
        Options = PrometheusOptions          # pydantic model of the source entry (extra keys forbidden)

        def collect(self, options, ctx) -> Batch: ...

Third-party collectors register through the entry-point group `sentinel_reports.collectors` (each entry
point names a Collector subclass). `collect` turns vendor files into canonical frames (see `model`) and
raises only `SourceError` on bad input, naming file, row/line, column, expected and found.

A collector may also implement `combine(old, new, options, ctx)`: the batch of a source whose files were
`old`'s followed by `new`'s, exactly as one `collect` of all of them would have made it, or None when that
cannot be guaranteed (e.g. an aggregation interval holds rows of both). The parse cache uses it when a
source's glob gains files: only the new files are read (`CollectContext.files` names them; `expand_paths`
returns them). What `combine` needs beyond the report goes in `Batch.state`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, ValidationError

from ..config import Config, SourceConfig, problems_from_validation
from ..errors import ConfigProblem, SourceError
from ..model import Incident, InputFile, empty_frame

ENTRY_POINT_GROUP = "sentinel_reports.collectors"

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
    id: str | None = None
    timezone: str | None = None  # for naive timestamps; default: the project's timezone
    allow_outside: list[str] = []  # folders outside the project this source may read (see `check_inside`)


@dataclass(frozen=True)
class CollectContext:
    project_dir: Path
    source_id: str
    tz: ZoneInfo
    config: Config
    files: tuple[Path, ...] | None = None  # read these instead of the files `path` matches (an append)

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
    incidents: list[Incident] = field(default_factory=list)
    files: list[InputFile] = field(default_factory=list)
    rows: int = 0
    duplicates_dropped: int = 0
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)  # JSON-able facts `combine` needs; not reported


class Collector:
    type: ClassVar[str]
    Options: ClassVar[type[SourceOptions]] = SourceOptions

    def collect(self, options: Any, ctx: CollectContext) -> Batch:  # pragma: no cover - protocol
        raise NotImplementedError

    def combine(self, old: Batch, new: Batch, options: Any, ctx: CollectContext) -> Batch | None:
        """`old` (read from the first files) extended with `new` (read from the files after them), equal to
        what `collect` of all the files returns; None when this collector cannot guarantee that."""
        return None

    @classmethod
    def can_combine(cls) -> bool:
        return cls.combine is not Collector.combine


_REGISTRY: dict[str, type[Collector]] = {}
_ENTRY_POINTS_LOADED = False


def register(cls: type[Collector]) -> type[Collector]:
    """Class decorator: make a collector available under `cls.type`."""
    if cls.type in _REGISTRY and _REGISTRY[cls.type] is not cls:
        raise ValueError(f"collector type {cls.type!r} registered twice")
    _REGISTRY[cls.type] = cls
    return cls


def registry() -> dict[str, type[Collector]]:
    """Every known collector by type: the built-in ones and those from installed entry points."""
    global _ENTRY_POINTS_LOADED
    from . import builtin  # noqa: F401  (imports every built-in collector module)

    if not _ENTRY_POINTS_LOADED:
        _ENTRY_POINTS_LOADED = True
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            cls = ep.load()
            if isinstance(cls, type) and issubclass(cls, Collector):
                _REGISTRY.setdefault(cls.type, cls)
    return dict(_REGISTRY)


def validate_source_entry(index: int, source: SourceConfig) -> list[ConfigProblem]:
    """The config hook: validate one `sources[i]` entry with its collector's Options."""
    known = registry()
    where = f"sources[{index}]"
    if source.type not in known:
        return [
            ConfigProblem(f"{where}.type", f"unknown source type {source.type!r} (known: {sorted(known)})")
        ]
    try:
        known[source.type].Options.model_validate(source.model_dump(exclude_none=True))
    except ValidationError as exc:
        return problems_from_validation(exc, where)
    return []


# ---------------------------------------------------------------- file reading


def expand_paths(ctx: CollectContext, pattern: str) -> list[Path]:
    """Files matching a path or glob relative to the project folder, sorted; a SourceError if none.

    When the context names its files (`CollectContext.files`, an append to a cached batch), those.
    """
    if ctx.files is not None:
        return list(ctx.files)
    base = ctx.project_dir
    if Path(pattern).is_absolute():
        base, pattern = Path("/"), pattern.lstrip("/")
    matches = (
        sorted(p for p in base.glob(pattern) if p.is_file()) if any(ch in pattern for ch in "*?[") else []
    )
    if not any(ch in pattern for ch in "*?["):
        single = base / pattern
        matches = [single] if single.is_file() else []
    if not matches:
        raise SourceError(pattern, "no file matches this path", expected="at least one file", found="none")
    return matches


def allowed_roots(project_dir: Path, allow_outside: Iterable[str] = ()) -> list[Path]:
    """The project folder and the `allow_outside` folders (relative ones from the project), resolved."""
    root = project_dir.resolve()
    return [
        root,
        *((root / a).resolve() if not Path(a).is_absolute() else Path(a).resolve() for a in allow_outside),
    ]


def is_inside(path: Path, roots: list[Path]) -> bool:
    real = path.resolve()
    return any(real.is_relative_to(r) for r in roots)


def check_inside(project_dir: Path, files: Iterable[Path], allow_outside: Iterable[str] = ()) -> None:
    """A SourceError for the first file that resolves outside the project folder (through `..`, an absolute
    path or a symlink) and outside every folder listed in the source's `allow_outside`. Nothing of the
    file is read or quoted."""
    roots = allowed_roots(project_dir, allow_outside)
    for path in files:
        if not is_inside(path, roots):
            try:
                shown = path.relative_to(project_dir).as_posix()
            except ValueError:
                shown = str(path)
            how = "a symlink to a file" if path.is_symlink() else "a file"
            raise SourceError(
                shown,
                "resolves outside the project folder",
                expected="a file inside the project, or under a folder listed in the source's allow_outside",
                found=f"{how} outside the project",
            )


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip (by magic number, not by name)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(
                str(path), f"corrupt gzip data: {exc}", expected="a whole gzip file", found="a damaged one"
            ) from None
    return data


def decode_text(data: bytes, file: str) -> str:
    """UTF-8 (a BOM is accepted and removed); invalid bytes are a SourceError with line and byte offset."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            file,
            f"invalid UTF-8 at byte {exc.start}",
            line=line,
            expected="UTF-8 text",
            found=data[exc.start : exc.start + 4],
        ) from None
    if not text.strip():
        raise SourceError(file, "file is empty", expected="data", found="empty file")
    return text


def read_text(path: Path) -> str:
    return decode_text(read_bytes(path), str(path))


def file_format(path: Path) -> str:
    """csv, json, jsonl or parquet from the file name (a .gz suffix is looked through)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for ext, kind in ((".parquet", "parquet"), (".pq", "parquet"), (".jsonl", "jsonl"), (".ndjson", "jsonl")):
        if name.endswith(ext):
            return kind
    if name.endswith(".json"):
        return "json"
    if name.endswith(".csv") or name.endswith(".tsv"):
        return "csv"
    raise SourceError(
        str(path),
        "unknown file type",
        expected=".csv, .json, .jsonl or .parquet (optionally .gz)",
        found=path.suffix,
    )


def read_json(path: Path) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            str(path),
            f"invalid JSON: {exc.msg}",
            line=exc.lineno,
            expected="JSON",
            found=text[exc.pos : exc.pos + 20],
        ) from None
    except RecursionError:
        raise SourceError(str(path), "JSON nested too deeply", expected="JSON of ordinary depth") from None


def read_jsonl(path: Path) -> list[Any]:
    out = []
    for i, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SourceError(
                str(path),
                f"invalid JSON: {exc.msg}",
                line=i,
                expected="one JSON object per line",
                found=line[:40],
            ) from None
        except RecursionError:
            raise SourceError(str(path), "JSON nested too deeply", line=i) from None
    return out


def read_table(path: Path, *, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A CSV, JSON (list of records), JSONL or Parquet file as a DataFrame of strings/numbers.

    CSV cells are read as strings (no type guessing): collectors parse and validate each column themselves
    so errors can name the row. CRLF line endings and a BOM are accepted.
    """
    kind = file_format(path)
    file = str(path)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path, columns=list(columns) if columns else None)
        except Exception as exc:  # pyarrow raises many types for corrupt files
            raise SourceError(file, f"cannot read Parquet: {exc}", expected="a Parquet file") from None
        return table.to_pandas()
    if kind == "csv":
        text = read_text(path)
        try:
            with warnings.catch_warnings():  # a row longer than the header: an error, not a shifted index
                warnings.simplefilter("error", pd.errors.ParserWarning)
                return pd.read_csv(
                    io.StringIO(text),
                    dtype=str,
                    keep_default_na=False,
                    na_values=[""],
                    sep=None if path.name.endswith(".tsv") else ",",
                    engine="c" if not path.name.endswith(".tsv") else "python",
                    index_col=False,
                )
        except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
            raise SourceError(
                file, f"malformed CSV: {exc}", expected="comma-separated rows with a header"
            ) from None
        except pd.errors.EmptyDataError:
            raise SourceError(file, "no header row", expected="a header row", found="nothing") from None
    records = read_json(path) if kind == "json" else read_jsonl(path)
    if isinstance(records, dict) and isinstance(records.get("data"), list):
        records = records["data"]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise SourceError(
            file, "wrong JSON shape", expected="a list of objects", found=type(records).__name__
        )
    return pd.DataFrame.from_records(records)


def require_columns(frame: pd.DataFrame, columns: Iterable[str], file: str) -> None:
    for col in columns:
        if col not in frame.columns:
            raise SourceError(
                file,
                "missing column",
                column=col,
                expected=f"a column named {col!r}",
                found=sorted(map(str, frame.columns))[:12],
            )


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
        bad = bad & ~values.astype("string").str.strip().str.lower().isin(["nan", "", "<na>"]).fillna(True)
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


def input_file(ctx: CollectContext, path: Path, rows: int, times: Any = None) -> InputFile:
    """The file's manifest entry; with ``times`` (its rows' timestamps: a pyarrow array, a pandas Series or
    int64 ns since the epoch as numpy) also its time range, which lets a period list only the files whose
    data it covers (analysis/provenance.py)."""
    start = end = None
    if times is not None and len(times):
        if isinstance(times, pa.Array | pa.ChunkedArray):
            span = pc.min_max(times)
            lo, hi = span["min"].as_py(), span["max"].as_py()
        else:
            lo, hi = times.min(), times.max()
        if lo is not None and hi is not None and not pd.isna(lo) and not pd.isna(hi):
            start, end = (
                utc(pd.Timestamp(v, unit="ns") if isinstance(v, int | np.integer) else v) for v in (lo, hi)
            )
    return InputFile(
        path=ctx.relpath(path), sha256=file_digest(path), rows=rows,
        start=start.isoformat() if start else None, end=end.isoformat() if end else None,
    )  # fmt: skip


def utc(ts: Any) -> dt.datetime:
    return (
        pd.Timestamp(ts).tz_convert("UTC").to_pydatetime()
        if pd.Timestamp(ts).tzinfo
        else pd.Timestamp(ts).tz_localize("UTC").to_pydatetime()
    )
