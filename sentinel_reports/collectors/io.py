"""Reading input files, shared by every collector: paths and globs (and whether they stay inside the
project), bytes and text, JSON, JSON Lines and tables (CSV, Parquet, gzip), required columns, and each
file's manifest entry.

Every failure is a `SourceError` naming the file (and the line or column where there is one).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import threading
import warnings
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import SourceError
from ..model import InputFile
from .base import CollectContext, utc


def expand_paths(ctx: CollectContext, pattern: str) -> list[Path]:
    """Files matching a path or glob relative to the project folder, sorted; a SourceError if none. A
    folder stands for every file under it (hidden files and `_SUCCESS`-style markers left out), so a
    hive-partitioned folder such as `logs/` (holding `dt=2026-11-20/*.parquet`) is one source.

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
        if single.is_dir():  # a folder (e.g. hive partitions logs/dt=2026-11-20/...): every file under it
            matches = sorted(
                p for p in single.rglob("*")
                if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(single).parts)
            )  # fmt: skip
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


_CSV_WARNINGS = threading.Lock()


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
            # a row longer than the header: an error, not a shifted index (the warnings filter is the
            # process's: one CSV at a time sets it, as collect may read two sources at once)
            with _CSV_WARNINGS, warnings.catch_warnings():
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


def input_file(ctx: CollectContext, path: Path, rows: int, times: Any = None) -> InputFile:
    """The file's manifest entry; with ``times`` (its rows' timestamps: a pyarrow array, a pandas Series or
    int64 ns since the epoch as numpy) also its time range, which lets a period list only the files whose
    data it covers (analysis/provenance.py)."""
    start, end = time_span(times)
    return InputFile(path=ctx.relpath(path), sha256=file_digest(path), rows=rows, start=start, end=end)


def time_span(times: Any) -> tuple[str | None, str | None]:
    """The first and last of ``times`` (as `input_file` takes them) in ISO 8601, UTC; None without any."""
    if times is None or not len(times):
        return None, None
    if isinstance(times, pa.Array | pa.ChunkedArray):
        span = pc.min_max(times)
        lo, hi = span["min"].as_py(), span["max"].as_py()
    else:
        lo, hi = times.min(), times.max()
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return None, None
    return tuple(  # type: ignore[return-value]
        utc(pd.Timestamp(v, unit="ns") if isinstance(v, int | np.integer) else v).isoformat()
        for v in (lo, hi)
    )
