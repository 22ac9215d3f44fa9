"""Text columns: as plain strings, and JSON text read in bulk.

JSON text (a metadata column holding an object per row) is parsed for the wanted key paths in one pass by
pyarrow's JSON reader; when values repeat, only the distinct values are parsed. When pyarrow refuses the
text, the values are read one by one with `json` so the error names the row.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from ...errors import SourceError


def one_chunk(col: Any) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
    return col


def to_text(col: Any) -> pa.Array:
    col = one_chunk(col)
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    return col if pa.types.is_string(col.type) else col.cast(pa.string())


def is_text(typ: pa.DataType) -> bool:
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


def _schema(paths: list[tuple[tuple[str, ...], bool]]) -> pa.Schema:
    """A JSON reader schema holding every key path (numeric leaves as float64, others as string)."""
    tree: dict = {}
    for keys, numeric in paths:
        node = tree
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node.setdefault(keys[-1], numeric)

    def build(node: dict) -> list[pa.Field]:
        return [
            pa.field(k, pa.struct(build(v)) if isinstance(v, dict) else pa.float64() if v else pa.string())
            for k, v in node.items()
        ]

    return pa.schema(build(tree))


def _offsets(arr: pa.Array) -> np.ndarray:
    wide = pa.types.is_large_string(arr.type)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if wide else np.int32)
    return offsets[arr.offset : arr.offset + len(arr) + 1]


def _text_buffer(arr: pa.Array) -> pa.Buffer:
    """The bytes of every value of a string array, back to back."""
    offsets = _offsets(arr)
    first, last = int(offsets[0]), int(offsets[-1])
    return arr.buffers()[2].slice(first, last - first) if arr.buffers()[2] is not None else pa.py_buffer(b"")


def _bulk(arr: pa.Array, paths: list[tuple[tuple[str, ...], bool]]) -> dict[tuple[str, ...], pa.Array] | None:
    """Values at key `paths` of every JSON object of a string array (missing or "" is {}), parsed in one
    pass by pyarrow; None when pyarrow refuses the text (the caller then finds the bad row)."""
    arr = pc.fill_null(
        pc.if_else(pc.equal(arr, ""), pa.scalar("{}", arr.type), arr), pa.scalar("{}", arr.type)
    )
    lines = pc.binary_join_element_wise(arr, pa.scalar("", arr.type), pa.scalar("\n", arr.type))
    options = pajson.ParseOptions(explicit_schema=_schema(paths), unexpected_field_behavior="ignore")
    try:
        table = pajson.read_json(pa.BufferReader(_text_buffer(lines)), parse_options=options)
    except pa.ArrowException:
        return None
    if table.num_rows != len(arr):
        return None
    out = {}
    for keys, _ in paths:
        col = table.column(keys[0]).combine_chunks()
        for key in keys[1:]:
            col = pc.struct_field(col, key)
        out[keys] = col
    return out


def _distinct(column: Any) -> tuple[pa.Array, pa.Array, pa.Array | None]:
    """(distinct values, index per row, the values as text or None) of a text column; a Parquet dictionary
    is taken as it is, without the values per row."""
    chunks = list(column.chunks) if isinstance(column, pa.ChunkedArray) else [column]
    if chunks and all(pa.types.is_dictionary(c.type) for c in chunks):
        unified = pa.chunked_array(chunks, chunks[0].type).unify_dictionaries()
        dictionary = unified.chunk(0).dictionary
        indices = pa.concat_arrays([c.indices for c in unified.chunks])
        return (dictionary if is_text(dictionary.type) else dictionary.cast(pa.string())), indices, None
    text = to_text(column)
    encoded = pc.dictionary_encode(text)
    return encoded.dictionary, encoded.indices, text


def json_text(
    column: Any, paths: list[tuple[tuple[str, ...], bool]], file: str, name: str, offset: int = 0
) -> dict[tuple[str, ...], pa.Array]:
    """Values at key `paths` of every JSON object in a text column, parsed in one bulk pass by pyarrow.

    A text that repeats (the same metadata on many rows) is parsed once: when the column has at most half
    as many distinct values as rows, the distinct values are parsed and the results spread back to rows.
    """
    dictionary, indices, arr = _distinct(column)
    if 2 * len(dictionary) <= len(indices):
        distinct = _bulk(dictionary, paths)
        if distinct is not None:
            return {keys: values.take(indices) for keys, values in distinct.items()}
    arr = dictionary.take(indices) if arr is None else arr
    del dictionary, indices
    values = _bulk(arr, paths)
    if values is not None:
        return values
    arr = pc.fill_null(
        pc.if_else(pc.equal(arr, ""), pa.scalar("{}", arr.type), arr), pa.scalar("{}", arr.type)
    )
    found: dict[tuple[str, ...], list] = {keys: [] for keys, _ in paths}
    for i, text in enumerate(arr.to_pylist()):  # slow path: locate the bad row
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, TypeError, RecursionError):
            raise SourceError(
                file, "invalid JSON", row=offset + i + 1, column=name, expected="a JSON object", found=text
            ) from None
        for keys, _ in paths:
            node = doc
            for key in keys:
                node = node.get(key) if isinstance(node, dict) else None
            found[keys].append(
                node if node is None or isinstance(node, str | int | float) else json.dumps(node)
            )
    return {
        keys: pa.array(
            [None if v is None or isinstance(v, bool) else str(v) for v in found[keys]], pa.string()
        )
        for keys, _ in paths
    }
