"""Byte-for-byte reproducible file writing for the demo generator.

Same inputs give identical bytes: gzip headers carry no time or file name, JSON and CSV are written with
fixed separators and `\\n` line endings, and Parquet files are written with fixed options.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


class Writer:
    """Writes files under a project folder and remembers every path it wrote."""

    def __init__(self, root: Path):
        self.root = root
        self.written: list[Path] = []

    def bytes(self, relpath: str, data: bytes) -> Path:
        path = self.root / relpath
        if path in self.written:
            raise ValueError(f"{relpath} written twice")
        path.parent.mkdir(parents=True, exist_ok=True)
        if relpath.endswith(".gz"):
            data = gzip.compress(data, compresslevel=6, mtime=0)
        path.write_bytes(data)
        self.written.append(path)
        return path

    def text(self, relpath: str, text: str) -> Path:
        return self.bytes(relpath, text.encode("utf-8"))

    def json(self, relpath: str, doc: Any, *, indent: int | None = None) -> Path:
        separators = (",", ": ") if indent else (",", ":")
        text = json.dumps(doc, indent=indent, separators=separators, ensure_ascii=False)
        return self.text(relpath, text + "\n")

    def jsonl(self, relpath: str, records: Iterable[Any]) -> Path:
        lines = (json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in records)
        return self.text(relpath, "".join(line + "\n" for line in lines))

    def csv(self, relpath: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
        return self.text(relpath, buf.getvalue())

    def parquet(self, relpath: str, table: Any, dense: Sequence[str] = ()) -> Path:
        """Zstd Parquet; `dense` columns (unique values: ids, times, amounts) use delta encodings instead
        of dictionaries."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        encoding = {}
        for name in dense:
            kind = table.schema.field(name).type
            encoding[name] = "DELTA_BYTE_ARRAY" if pa.types.is_string(kind) else "DELTA_BINARY_PACKED"
        buf = io.BytesIO()
        pq.write_table(
            table,
            buf,
            compression="zstd",
            compression_level=9,
            row_group_size=1 << 20,
            use_dictionary=[c for c in table.column_names if c not in encoding],
            column_encoding=encoding or None,
        )
        return self.bytes(relpath, buf.getvalue())


def iso(ts: dt.datetime | int | float, *, millis: bool = False) -> str:
    """RFC 3339 in UTC with a `Z`: `2026-11-04T14:10:00Z` (or with milliseconds)."""
    if not isinstance(ts, dt.datetime):
        ts = dt.datetime.fromtimestamp(float(ts), tz=dt.UTC)
    ts = ts.astimezone(dt.UTC)
    if millis:
        return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def number(value: float, digits: int = 6) -> str:
    """A compact decimal string without exponent or trailing zeros."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
