"""Reading request logs as Arrow tables, fast, with precise errors when the fast path refuses a file.

The fast path reads only the needed columns with pyarrow (Parquet, CSV, JSONL) and converts whole columns.
When pyarrow rejects something, the slower path of `collectors.base` re-reads the file so the error names
the row, column, expected and found; a value that pyarrow cannot convert is located the same way.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from ...errors import SourceError
from ..base import TIME_RANGE, check_time_range, parse_numbers
from ..csv_samples import parse_times
from ..io import file_format, read_bytes, read_json, read_jsonl, read_table
from .text import is_text, json_text, to_text

NOT_AN_OBJECT_LINE = re.compile(rb"(?:^|\n)[ \t\r]*[^{\s]")
NULLS = ["", "NULL", "null", "None", "NaN", "nan"]


def _stream(path: Path) -> pa.NativeFile:
    with path.open("rb") as fh:
        gzipped = fh.read(2) == b"\x1f\x8b"
    # a plain file, not a memory map: mapped pages of a multi-GB CSV would count as resident memory
    return pa.CompressedInputStream(pa.OSFile(str(path)), "gzip") if gzipped else pa.OSFile(str(path))


def _csv_header(path: Path) -> list[str]:
    """The header row's names; a SourceError (from the careful reader) when there is no readable header."""
    try:
        with path.open("rb") as fh:
            opener = gzip.open if fh.read(2) == b"\x1f\x8b" else open
        with opener(path, "rb") as fh:
            # the first non-empty line, as pyarrow's reader takes it (it skips empty lines)
            raw = fh.readline(1 << 20)
            while raw and not raw.rstrip(b"\r\n"):
                raw = fh.readline(1 << 20)
            line = raw.decode("utf-8-sig").rstrip("\r\n")
        return next(csv.reader([line]), [])
    except (csv.Error, UnicodeDecodeError, OSError, EOFError, zlib.error):
        read_table(path)  # raises a SourceError naming the cause
        raise SourceError(str(path), "unreadable header row", expected="a CSV header row") from None


def from_records(records: Any, file: str) -> pa.Table:
    """A list of JSON objects as a table; columns of mixed types become strings (objects as JSON text)."""
    if isinstance(records, dict) and isinstance(records.get("data"), list):
        records = records["data"]
    if not isinstance(records, list):
        raise SourceError(
            file, "wrong JSON shape", expected="a list of objects", found=type(records).__name__
        )
    for i, r in enumerate(records):
        if not isinstance(r, dict):
            raise SourceError(file, "wrong JSON shape", row=i + 1, expected="an object", found=r)
    keys = list(dict.fromkeys(k for r in records for k in r))
    columns = {}
    for key in keys:
        values = [r.get(key) for r in records]
        try:
            columns[key] = pa.array(values)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            columns[key] = pa.array(
                [v if v is None else json.dumps(v) if isinstance(v, dict | list) else str(v) for v in values],
                pa.string(),
            )
    return pa.table(columns) if columns else pa.table({})


BATCH_ROWS = 1 << 20


def _rechunk(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.Table]:
    """Group small record batches into tables of about BATCH_ROWS rows."""
    pending, rows = [], 0
    for batch in batches:
        pending.append(batch)
        rows += batch.num_rows
        if rows >= BATCH_ROWS:
            yield pa.Table.from_batches(pending)
            pending, rows = [], 0
    if pending:
        yield pa.Table.from_batches(pending)


def _row_groups(parquet: pq.ParquetFile, columns: list[str]) -> Iterator[pa.Table]:
    """Whole row groups (their columns decoded in parallel) gathered into tables of about BATCH_ROWS rows;
    a row group much larger than that is read in batches."""
    group: list[int] = []
    rows = 0
    for i in range(parquet.metadata.num_row_groups):
        n = parquet.metadata.row_group(i).num_rows
        if n == 0:
            continue
        if n > 2 * BATCH_ROWS:
            if group:
                yield parquet.read_row_groups(group, columns=columns)
                group, rows = [], 0
            yield from _rechunk(parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[i], columns=columns))
            continue
        group.append(i)
        rows += n
        if rows >= BATCH_ROWS:
            yield parquet.read_row_groups(group, columns=columns)
            group, rows = [], 0
    if group:
        yield parquet.read_row_groups(group, columns=columns)


def batches(path: Path, wanted: set[str], dictionary: Iterable[str] = ()) -> Iterator[pa.Table]:
    """The file's `wanted` columns (those that exist) in tables of about a million rows.

    Parquet text columns named in `dictionary` are read dictionary-encoded (values with few distinct
    values are then not materialised per row). CSV cells are read as text and converted per column later,
    so a bad cell is reported with its row.
    """
    kind, file = file_format(path), str(path)
    if kind == "parquet":
        try:
            schema = pq.read_schema(path)
            columns = [n for n in schema.names if n in wanted]
            text = [n for n in columns if n in set(dictionary) and is_text(schema.field(n).type)]
            yield from _row_groups(pq.ParquetFile(path, read_dictionary=text), columns)
        except (pa.ArrowException, OSError) as exc:
            raise SourceError(file, f"cannot read Parquet: {exc}", expected="a Parquet file") from None
        return
    if kind == "csv":
        columns = [c for c in _csv_header(path) if c in wanted]
        options = pacsv.ConvertOptions(
            include_columns=columns,
            column_types={c: pa.string() for c in columns},
            null_values=NULLS,
            strings_can_be_null=True,
        )
        try:
            yield from _rechunk(pacsv.open_csv(_stream(path), convert_options=options))
        except (pa.ArrowException, UnicodeDecodeError, OSError, EOFError, zlib.error) as exc:
            read_table(path)  # raises a SourceError naming the line and cause
            raise SourceError(
                file, f"malformed CSV: {exc}", expected="comma-separated rows with a header"
            ) from None
        return
    if kind == "jsonl":
        data = read_bytes(path)
        # pyarrow's JSON reader only gets files whose every line opens an object (it crashes on a bare
        # `null` line); anything else takes the careful path, which names the offending line.
        try:
            if NOT_AN_OBJECT_LINE.search(data):
                raise ValueError("not one object per line")
            table = pajson.read_json(pa.BufferReader(data))
        except (pa.ArrowException, ValueError):
            table = from_records(read_jsonl(path), file)
    else:
        table = from_records(read_json(path), file)
    yield table.select([n for n in table.column_names if n in wanted])


def extract(
    table: pa.Table, path: str, file: str, json_paths: dict[str, list], cache: dict, offset: int = 0
) -> pa.ChunkedArray | pa.Array | None:
    """Column `path` of the table (`a.b` = key b of struct or JSON-text column a), or None when absent.

    `json_paths` lists, per root column, every key path wanted from it, so JSON text is parsed once.
    """
    if path in table.column_names:
        return table.column(path)
    root, *keys = path.split(".")
    if not keys or root not in table.column_names:
        return None
    col: Any = table.column(root)
    for i, key in enumerate(keys):
        if pa.types.is_struct(col.type):
            if col.type.get_field_index(key) < 0:
                return None
            col = pc.struct_field(col, key)
        elif is_text(col.type) or (pa.types.is_dictionary(col.type) and is_text(col.type.value_type)):
            prefix = tuple(keys[:i])
            wanted = [(k[i:], n) for k, n in json_paths.get(root, []) if k[:i] == prefix and len(k) > i]
            if (root, prefix) not in cache:
                cache[(root, prefix)] = json_text(col, wanted, file, root, offset)
            return cache[(root, prefix)].get(tuple(keys[i:]))
        else:
            return None
    return col


def to_float(col: Any, file: str, column: str, offset: int = 0) -> np.ndarray:
    """float64 values, NaN where missing; a non-number is a SourceError naming its row."""
    if pa.types.is_null(col.type):
        return np.full(len(col), np.nan)
    try:
        return col.cast(pa.float64()).to_numpy(zero_copy_only=False).astype("float64", copy=False)
    except (pa.ArrowException, TypeError, ValueError):
        if pa.types.is_nested(col.type):  # a list or object where a number belongs
            idx = int(np.flatnonzero(np.asarray(pc.is_valid(col)))[:1].sum())
            raise SourceError(
                file, "not a number", row=offset + idx + 1, column=column, expected="a number",
                found=col[idx].as_py() if len(col) else None,
            ) from None  # fmt: skip
        values = pd.Series(to_text(col).to_pandas(), dtype=object)
        return parse_numbers(
            values, file=file, column=column, allow_nan=True, row_offset=offset + 1
        ).to_numpy()


def to_epoch_ns(col: Any, tz: str, file: str, column: str, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(int64 ns since epoch in UTC, valid mask). Naive times are read in `tz`; offsets are honoured."""
    typ = col.type
    if pa.types.is_null(typ):
        return np.zeros(len(col), dtype="int64"), np.zeros(len(col), dtype=bool)
    if pa.types.is_integer(typ) or pa.types.is_floating(typ):
        values = col.cast(pa.float64()).to_numpy(zero_copy_only=False)
        valid = ~np.isnan(values)
        size = np.nanmedian(np.abs(values)) if valid.any() else 0.0
        scale = 1e9 if size < 1e11 else 1e6 if size < 1e14 else 1e3 if size < 1e17 else 1.0
        scaled = values * scale  # range-checked before the cast, which would wrap around
        check_time_range(scaled, file=file, column=column, row_offset=offset + 1, found=values)
        return np.where(valid, scaled, 0).astype("int64"), valid
    if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_dictionary(typ):
        text = to_text(col)
        try:
            col = text.cast(pa.timestamp("ns", "UTC"))
        except pa.ArrowException:
            try:
                col = text.cast(pa.timestamp("ns"))
            except pa.ArrowException:
                series = pd.Series(text.to_pandas(), dtype=object)
                missing = series.isna()
                parsed = parse_times(
                    series.where(~missing, "1970-01-01T00:00:00Z"),
                    tz=ZoneInfo(tz),
                    file=file,
                    column=column,
                    row_offset=offset + 1,
                )
                return parsed.to_numpy(dtype="datetime64[ns]").view("int64"), ~missing.to_numpy()
        typ = col.type
    if pa.types.is_date(typ):
        col, typ = col.cast(pa.timestamp("ns")), pa.timestamp("ns")
    if not pa.types.is_timestamp(typ):
        raise SourceError(
            file, "not a timestamp column", column=column, expected="timestamps", found=str(typ)
        )
    if typ.tz is None and tz != "UTC":
        col = pc.assume_timezone(col, timezone=tz, ambiguous="earliest", nonexistent="earliest")
    elif not col.null_count:  # epoch values as they are, scaled to ns in numpy (with arrow's range check)
        scale = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[typ.unit]
        raw = col.cast(pa.int64()).to_numpy(zero_copy_only=False)
        limit = np.iinfo(np.int64).max // scale
        if not raw.size or (int(raw.max()) <= limit and int(raw.min()) >= -limit):
            return raw * scale if scale > 1 else raw.astype("int64", copy=False), np.ones(
                len(raw), dtype=bool
            )
    try:
        ns = col.cast(pa.timestamp("ns", "UTC")) if col.type.unit != "ns" or col.type.tz is None else col
    except pa.ArrowException:  # beyond the nanosecond range (years past 2262)
        raise SourceError(
            file, "timestamp out of range", column=column, expected=TIME_RANGE, found=str(col.type)
        ) from None
    if not ns.null_count:
        values = ns.cast(pa.int64()).to_numpy(zero_copy_only=False)
        return values.astype("int64", copy=False), np.ones(len(values), dtype=bool)
    valid = pc.is_valid(ns).to_numpy(zero_copy_only=False)
    values = ns.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    return values.astype("int64", copy=False), valid
