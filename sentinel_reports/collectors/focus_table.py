"""Reading FOCUS files into Arrow and parsing their columns without a Python loop per row.

Used by the `focus` collector, for files and for the distinct values of a table's columns (`focus_engine`).
Values that repeat across rows (dates, tag sets, names) are parsed once per distinct value through Arrow
dictionary encoding; the per-row work stays inside Arrow and NumPy.
"""

from __future__ import annotations

import csv
import gzip
import re
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import SourceError
from .base import EARLIEST, END, TIME_RANGE
from .io import file_format

NULL_CELLS = ["", "null", "NULL", "Null"]
US_DATE_FORMATS = ("%m/%d/%y", "%m/%d/%Y", "%m/%d/%y %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")
MAX_AMOUNT = 1e15  # the ledger sums amounts as DECIMAL(38, 18): 20 integer digits, room for the sums
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d|UTC|GMT)\s*$")
CATEGORIES: tuple[str, ...] = ("usage", "purchase", "tax", "credit", "adjustment")
MAY_BE_NEGATIVE = ("credit", "adjustment")
PROVIDER_COLUMNS = ("ServiceProviderName", "ProviderName", "Provider")
REQUIRED = ("ChargePeriodStart", "ChargeCategory", "EffectiveCost", "BilledCost")


def check_required(names: Iterable[str], where: str) -> None:
    """A SourceError naming the first required FOCUS column missing from `names` (a file's or a table's)."""
    names = list(names)
    for col in REQUIRED:
        if col not in names:
            raise SourceError(
                where, "missing FOCUS column", column=col, expected=f"a column named {col!r}",
                found=sorted(names)[:12],
            )  # fmt: skip


def read_focus_table(path: Path, wanted: Iterable[str]) -> pa.Table:
    """The wanted columns that the file has, with header names stripped of spaces; strings stay strings."""
    file = str(path)
    wanted = set(wanted)
    kind = file_format(path)
    if kind == "parquet":
        try:
            parquet = pq.ParquetFile(path)
            names = [n for n in parquet.schema_arrow.names if n.strip() in wanted]
            table = parquet.read(columns=names)
        except Exception as exc:  # pyarrow raises many types for damaged files
            raise SourceError(file, f"cannot read Parquet: {exc}", expected="a Parquet file") from None
    elif kind == "csv":
        header = _header(path)
        names = [n for n in header if n.strip() in wanted]
        gz = _is_gzip(path)
        try:
            source = pa.input_stream(str(path), compression="gzip" if gz else None)
            table = pacsv.read_csv(
                source,
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    include_columns=names,
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    null_values=NULL_CELLS,
                ),
            )
        except (pa.ArrowException, OSError, EOFError, zlib.error) as exc:
            text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            if _is_gzip(path) and ("compress" in text.lower() or isinstance(exc, zlib.error | EOFError)):
                raise SourceError(
                    file, f"corrupt gzip data: {text}", expected="a whole gzip file", found="a damaged one"
                ) from None
            raise SourceError(
                file, f"malformed CSV: {text}", expected="comma-separated rows with a header"
            ) from None
    else:
        raise SourceError(
            file, "FOCUS data must be CSV or Parquet", expected=".csv or .parquet", found=path.suffix
        )
    return table.rename_columns([n.strip() for n in table.column_names])


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _header(path: Path) -> list[str]:
    file = str(path)
    try:
        opener = gzip.open if _is_gzip(path) else open
        with opener(path, "rb") as fh:  # type: ignore[operator]
            first = fh.readline(1 << 20)
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, zlib.error | EOFError) or isinstance(exc, gzip.BadGzipFile):
            raise SourceError(
                file, f"corrupt gzip data: {exc}", expected="a whole gzip file", found="a damaged one"
            ) from None
        raise SourceError(file, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(file, f"invalid UTF-8 at byte {exc.start}", line=1, expected="UTF-8 text") from None
    if not text.strip():
        raise SourceError(file, "no header row", line=1, expected="a header row", found="empty line")
    try:
        return next(csv.reader([text.rstrip("\r\n")]))
    except csv.Error as exc:
        raise SourceError(
            file, f"malformed header: {exc}", line=1, expected="a comma-separated header row"
        ) from None


def dictionary_codes(values: Any) -> tuple[np.ndarray, list[Any]]:
    """(codes per row, distinct values); a missing cell gets code len(distinct values)."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    encoded = pc.dictionary_encode(arr)
    uniques = encoded.dictionary.to_pylist()
    codes = pc.fill_null(encoded.indices, len(uniques)).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, uniques


def first_row(values: Any, value: Any) -> int:
    """1-based data row of the first cell equal to `value` (or the first missing cell when value is None)."""
    if value is None:
        idx = int(np.flatnonzero(pc.is_null(values).to_numpy(zero_copy_only=False))[0])
    else:
        idx = pc.index(values, value).as_py()
    return idx + 1


def parse_money(values: Any, *, file: str, column: str) -> pa.Array:
    """Amounts as float64: plain numbers, or text with currency signs, thousands commas, spaces, (negatives)."""
    if pc.any(pc.is_null(values)).as_py():
        raise SourceError(
            file,
            "missing amount",
            row=first_row(values, None),
            column=column,
            expected="a number",
            found="empty",
        )
    t = values.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        out = pc.cast(values, pa.float64())
    else:
        text = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
        negative = pc.match_substring_regex(text, r"^\(.*\)$")
        cleaned = pc.replace_substring_regex(text, r"[\s$€£¥,()]", "")
        try:
            out = pc.cast(cleaned, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            numeric = pd.to_numeric(pd.Series(cleaned.to_pylist(), dtype=object), errors="coerce")
            idx = int(np.flatnonzero(numeric.isna().to_numpy())[0])
            raise SourceError(
                file, "not an amount", row=idx + 1, column=column,
                expected='a number such as 12.50 or "$1,200.00"', found=pc.take(values, [idx])[0].as_py(),
            ) from None  # fmt: skip
        out = pc.if_else(negative, pc.negate(out), out)
    out = out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out
    finite = pc.is_finite(out)
    if pc.all(finite).as_py() is False:  # None for no rows
        idx = int(np.flatnonzero(~finite.to_numpy(zero_copy_only=False))[0])
        raise SourceError(
            file,
            "not a finite amount",
            row=idx + 1,
            column=column,
            expected="a finite number",
            found=out[idx].as_py(),
        )
    large = pc.greater(pc.abs(out), MAX_AMOUNT)
    if pc.any(large).as_py():
        idx = int(np.flatnonzero(large.to_numpy(zero_copy_only=False))[0])
        raise SourceError(
            file, "amount too large", row=idx + 1, column=column,
            expected=f"an amount of at most {MAX_AMOUNT:.0e} in magnitude", found=out[idx].as_py(),
        )  # fmt: skip
    return out


def parse_period_start(values: Any, *, file: str, naive_tz: ZoneInfo | None) -> pa.Array:
    """ChargePeriodStart as the UTC day (timestamp[ns, UTC] at midnight). Naive values are UTC unless `naive_tz`."""
    column = "ChargePeriodStart"
    if pc.any(pc.is_null(values)).as_py():
        raise SourceError(
            file, "missing ChargePeriodStart", row=first_row(values, None), column=column,
            expected="a date or timestamp", found="empty",
        )  # fmt: skip
    if pa.types.is_timestamp(values.type) or pa.types.is_date(values.type):
        series = pd.Series(values.to_pandas())
        if getattr(series.dt, "tz", None) is None:
            series = pd.to_datetime(series).dt.tz_localize(naive_tz or "UTC")
        days = series.dt.tz_convert("UTC").dt.floor("D")
        outside = ((days < EARLIEST) | (days >= END)).to_numpy()
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise SourceError(
                file,
                "timestamp out of range",
                row=i + 1,
                column=column,
                expected=TIME_RANGE,
                found=str(days.iloc[i]),
            )
        return pa.array(
            days.dt.tz_localize(None).to_numpy().astype("datetime64[ns]"), pa.timestamp("ns", tz="UTC")
        )
    codes, uniques = dictionary_codes(values)
    text = pd.Series([str(u).strip() for u in uniques], dtype=object)
    parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    for fmt in US_DATE_FORMATS:
        bad = parsed.isna()
        if not bad.any():
            break
        parsed[bad] = pd.to_datetime(text[bad], errors="coerce", utc=True, format=fmt)
    bad = parsed.isna()
    if bad.any():
        code = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceError(
            file, "unparseable date", row=int(np.flatnonzero(codes == code)[0]) + 1, column=column,
            expected="an ISO 8601 timestamp or a US date M/D/YY", found=uniques[code],
        )  # fmt: skip
    if naive_tz is not None:
        naive = ~text.str.contains(_OFFSET)
        if naive.any():
            local = (
                parsed[naive]
                .dt.tz_localize(None)
                .dt.tz_localize(naive_tz, ambiguous="NaT", nonexistent="shift_forward")
            )
            parsed[naive] = local.dt.tz_convert("UTC")
    outside = ((parsed < EARLIEST) | (parsed >= END)).to_numpy()
    if outside.any():
        code = int(np.flatnonzero(outside)[0])
        raise SourceError(
            file, "timestamp out of range", row=int(np.flatnonzero(codes == code)[0]) + 1, column=column,
            expected=TIME_RANGE, found=uniques[code],
        )  # fmt: skip
    try:
        days = parsed.dt.floor("D").dt.tz_localize(None).to_numpy().astype("datetime64[ns]")
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        raise SourceError(
            file, "date out of range", column=column, expected="a date between 1677 and 2262"
        ) from None
    table = np.append(days, np.datetime64("NaT", "ns"))
    return pa.array(table[codes], pa.timestamp("ns", tz="UTC"))
