"""Reading request logs as Arrow tables, fast, with precise errors when the fast path refuses a file.

The fast path reads only the needed columns with pyarrow (Parquet, CSV, JSONL) and converts whole columns.
When pyarrow rejects something, the slower path of `collectors.base` re-reads the file so the error names
the row, column, expected and found; a value that pyarrow cannot convert is located the same way.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from ...errors import SourceError
from ..base import file_format, parse_numbers, parse_timestamps, read_json, read_jsonl, read_table

NULLS = ["", "NULL", "null", "None", "NaN", "nan"]


def _stream(path: Path) -> pa.NativeFile:
    raw = pa.OSFile(str(path))
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return pa.CompressedInputStream(raw, "gzip")
    raw.seek(0)
    return raw


def _csv_header(path: Path) -> list[str]:
    opener = gzip.open if path.open("rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as fh:
        line = fh.readline(1 << 20)
    return next(csv.reader([line.decode("utf-8-sig", errors="replace")]), [])


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


def load(path: Path, wanted: set[str], text_columns: set[str]) -> pa.Table:
    """The columns of `wanted` that exist in the file; `text_columns` are read as strings (CSV)."""
    kind, file = file_format(path), str(path)
    if kind == "parquet":
        try:
            names = pq.read_schema(path).names
            return pq.read_table(path, columns=[n for n in names if n in wanted])
        except (pa.ArrowException, OSError) as exc:
            raise SourceError(file, f"cannot read Parquet: {exc}", expected="a Parquet file") from None
    if kind == "csv":
        columns = [c for c in _csv_header(path) if c in wanted]
        try:
            return pacsv.read_csv(
                _stream(path),
                read_options=pacsv.ReadOptions(block_size=1 << 24),
                convert_options=pacsv.ConvertOptions(
                    include_columns=columns,
                    column_types={c: pa.string() for c in columns if c in text_columns},
                    null_values=NULLS,
                    strings_can_be_null=True,
                ),
            )
        except (pa.ArrowException, UnicodeDecodeError, OSError, EOFError):
            frame = read_table(path)  # raises a SourceError naming line and cause
            return pa.Table.from_pandas(
                frame[[c for c in frame.columns if c in wanted]], preserve_index=False
            )
    if kind == "jsonl":
        try:
            table = pajson.read_json(_stream(path))
            return table.select([n for n in table.column_names if n in wanted])
        except (pa.ArrowException, OSError, EOFError):
            table = from_records(read_jsonl(path), file)
    else:
        table = from_records(read_json(path), file)
    return table.select([n for n in table.column_names if n in wanted])


def _json_text(column: pa.ChunkedArray, keys: list[str], numeric: bool, file: str, name: str) -> pa.Array:
    """Key path `keys` of every JSON object in a text column, parsed in bulk by pyarrow's JSON reader."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    arr = pc.fill_null(
        pc.if_else(pc.equal(arr, ""), pa.scalar("{}", arr.type), arr), pa.scalar("{}", arr.type)
    )
    leaf: pa.DataType = pa.float64() if numeric else pa.string()
    for key in reversed(keys[1:]):
        leaf = pa.struct([(key, leaf)])
    schema = pa.schema([(keys[0], leaf)])
    try:
        lines = pc.binary_join_element_wise(arr, pa.scalar("", arr.type), pa.scalar("\n", arr.type))
        offsets = np.frombuffer(
            lines.buffers()[1], dtype=np.int64 if pa.types.is_large_string(lines.type) else np.int32
        )
        start, stop = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
        data = lines.buffers()[2].slice(start, stop - start)
        options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
        table = pajson.read_json(pa.BufferReader(data), parse_options=options)
        if table.num_rows != len(arr):
            raise ValueError("line count")
        out = table.column(0).combine_chunks()
        for key in keys[1:]:
            out = pc.struct_field(out, key)
        return out
    except (pa.ArrowException, ValueError):
        pass
    values = []
    for i, text in enumerate(arr.to_pylist()):  # slow path: locate the bad row
        try:
            node = json.loads(text)
        except (json.JSONDecodeError, TypeError, RecursionError):
            raise SourceError(
                file, "invalid JSON", row=i + 1, column=name, expected="a JSON object", found=text
            ) from None
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        values.append(node if node is None or isinstance(node, str | int | float) else json.dumps(node))
    return (
        pa.array([None if v is None else str(v) for v in values], pa.string())
        if not numeric
        else pa.array(
            [v if isinstance(v, int | float | None) and not isinstance(v, bool) else str(v) for v in values]
        )
    )


def extract(
    table: pa.Table, path: str, file: str, numeric: bool = False
) -> pa.ChunkedArray | pa.Array | None:
    """Column `path` of the table (`a.b` = key b of struct or JSON-text column a), or None when absent."""
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
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            return _json_text(col, keys[i:], numeric, file, root)
        else:
            return None
    return col


def to_text(col: Any) -> pa.Array:
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    return col if pa.types.is_string(col.type) else col.cast(pa.string())


def to_float(col: Any, file: str, column: str) -> np.ndarray:
    """float64 values, NaN where missing; a non-number is a SourceError naming its row."""
    if pa.types.is_null(col.type):
        return np.full(len(col), np.nan)
    try:
        return col.cast(pa.float64()).to_numpy(zero_copy_only=False).astype("float64", copy=False)
    except (pa.ArrowException, TypeError, ValueError):
        values = pd.Series(to_text(col).to_pandas(), dtype=object)
        return parse_numbers(values, file=file, column=column, allow_nan=True).to_numpy()


def to_epoch_ns(col: Any, tz: str, file: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(int64 ns since epoch in UTC, valid mask). Naive times are read in `tz`; offsets are honoured."""
    typ = col.type
    if pa.types.is_null(typ):
        return np.zeros(len(col), dtype="int64"), np.zeros(len(col), dtype=bool)
    if pa.types.is_integer(typ) or pa.types.is_floating(typ):
        values = col.cast(pa.float64()).to_numpy(zero_copy_only=False)
        valid = ~np.isnan(values)
        size = np.nanmedian(np.abs(values)) if valid.any() else 0.0
        scale = 1e9 if size < 1e11 else 1e6 if size < 1e14 else 1e3 if size < 1e17 else 1.0
        return np.where(valid, values * scale, 0).astype("int64"), valid
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
                parsed = parse_timestamps(
                    series.where(~missing, "1970-01-01T00:00:00Z"), tz=_zone(tz), file=file, column=column
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
    ns = col.cast(pa.timestamp("ns", "UTC")) if col.type.unit != "ns" or col.type.tz is None else col
    valid = pc.is_valid(ns).to_numpy(zero_copy_only=False)
    values = ns.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    return values.astype("int64", copy=False), valid


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
