"""How DuckDB reads JSONL request logs (`.jsonl`, `.ndjson`, gzip too) with the careful reader's meaning.

The careful reader (`reading.batches`: pyarrow's JSON reader, or Python's `json` when pyarrow refuses the
file) sees every key of every line: a field takes the first candidate path present on any line (a key
whose every value is null is present), objects become structs, and each column's type is inferred from
all its values. DuckDB reads only the columns it is given (`read_json` with explicit columns, no
detection), so what the careful reader would infer is settled here, in three steps:

- `fields` picks each field's path from the first lines of each file (`SAMPLE_LINES`), as the careful
  reader would from those lines. Times are read as text; every other value as its JSON text (`raw`), so
  that a string is never taken for a number or a number for a string. Anything the sample leaves unsure
  (a nested path under a value that is not an object, a column wanted with two meanings) returns None.
- The validation query (`scan.validate`) then proves it for every line: a candidate the sample did not
  see must hold no value anywhere (`Plan.absent`), an id must be a string, a number a JSON number.
- `guard` proves, in one pass over the raw lines, what DuckDB's parser lets through and the careful reader
  refuses: trailing commas and `nan` / `inf` literals (DuckDB reads them, Python's `json` does not), and
  a key of `Plan.absent` written with a null value (present to the careful reader, invisible to DuckDB's
  columns). Component and status values come back as distinct JSON texts and are decoded here
  (`component_values`, `status_failures`), with the careful reader's typing of the whole column.

Whatever is unsure sends the files to the careful reader, which raises the error naming file, line, column,
expected and found, or reads them.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

SAMPLE_LINES = 1000
SAMPLE_BYTES = 8 << 20
TIME_FIELDS = ("start", "end", "first_token")
STRING = r'"(?:[^"\\]|\\.)*"'
LENIENT = r",\s*[}\]]|[:\[,]\s*[-+]?(?i:nan|inf)"  # read by DuckDB, refused by Python's json


def compression(path: Path) -> str:
    """gzip by magic number, as the careful reader decides (not by name)."""
    with path.open("rb") as fh:
        return "gzip" if fh.read(2) == b"\x1f\x8b" else "none"


def sample(path: Path) -> list[dict] | None:
    """The first lines of the file as objects; None when one is not a JSON object (the careful reader
    then names it)."""
    out: list[dict] = []
    size = 0
    try:
        opener = gzip.open if compression(path) == "gzip" else open
        with opener(path, "rb") as fh:
            for raw in fh:
                size += len(raw)
                if not raw.strip():
                    continue
                doc = json.loads(raw)
                if not isinstance(doc, dict):
                    return None
                out.append(doc)
                if len(out) >= SAMPLE_LINES or size >= SAMPLE_BYTES:
                    break
    except (OSError, EOFError, zlib.error, ValueError, RecursionError):
        return None
    return out or None


def _lookup(docs: list[dict], path: str) -> tuple[str, tuple[str, ...]] | str | None:
    """(column, keys) of a candidate path present in the sample; None when absent; "unsure" when a value
    on the way is neither an object nor null."""
    if any(path in d for d in docs):
        return path, ()
    root, *keys = path.split(".")
    if not keys:
        return None
    found = False
    for d in docs:
        node: Any = d
        for i, key in enumerate([root, *keys]):
            if node is None:
                break
            if not isinstance(node, dict):
                return "unsure"
            if key not in node:
                break
            node = node[key]
            if i == len(keys):
                found = True
    return (root, tuple(keys)) if found else None


def fields(paths: list[Path], candidates: dict[str, tuple[str, ...]]):  # noqa: ANN201
    """(chosen, absent, declared) agreed by every file's sample, or None. chosen: field -> (column,
    keys); absent: the (column, keys) of every candidate ranked before the chosen one (or of every
    candidate, for a field with none) that no sampled line holds; declared: the DuckDB type of each column
    read."""
    chosen: dict[str, tuple[str, tuple[str, ...]]] | None = None
    absent: set[tuple[str, tuple[str, ...]]] = set()
    for path in paths:
        docs = sample(path)
        if docs is None:
            return None
        here: dict[str, tuple[str, tuple[str, ...]]] = {}
        for name, options in candidates.items():
            for option in options:
                hit = _lookup(docs, option)
                if hit == "unsure":
                    return None
                if hit is not None:
                    here[name] = hit  # type: ignore[assignment]
                    break
                absent.add((option, ()))  # the careful reader first looks for a column of that very name
                root, *keys = option.split(".")
                if keys:
                    absent.add((root, tuple(keys)))
        if chosen is not None and here != chosen:
            return None
        chosen = here
    assert chosen is not None
    absent -= set(chosen.values())
    declared = _declared(chosen, absent)
    return None if declared is None else (chosen, absent, declared)


def _declared(chosen: dict, absent: set) -> dict[str, str] | None:
    """The DuckDB type of each column read: times as text, plain values as JSON text, objects as
    structs of JSON leaves."""
    plain: dict[str, str] = {}
    trees: dict[str, dict] = {}
    for name, (column, keys) in [*chosen.items(), *((None, a) for a in sorted(absent))]:
        if not keys:
            kind = "VARCHAR" if name in TIME_FIELDS else "JSON"
            if plain.setdefault(column, kind) != kind:
                return None  # one column with two meanings
            continue
        node = trees.setdefault(column, {})
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                return None
        if isinstance(node.get(keys[-1]), dict):
            return None
        node[keys[-1]] = "JSON"
    if set(plain) & set(trees):
        return None

    def struct(node: dict) -> str:
        return (
            "STRUCT("
            + ", ".join(
                '"' + k.replace('"', '""') + '" ' + (struct(v) if isinstance(v, dict) else v)
                for k, v in sorted(node.items())
            )
            + ")"
        )

    return {**plain, **{c: struct(t) for c, t in trees.items()}}


def guard(absent_keys: set[str]) -> tuple[list[str], str]:
    """Regular expressions finding a line the careful reader refuses although DuckDB reads it, or that
    names a key of `absent_keys` with a null value: (quick ones, each opening with one literal character,
    that every such line matches; the exact one, which skips strings whole, for the lines they match)."""
    names = [_re(k) + r'"\s*:\s*null' for k in sorted(absent_keys)]
    quick = [
        r",\s*[}\]]",
        *(rf"{c}\s*[-+]?[nNiI][aAnN]" for c in (":", ",", r"\[")),
        *names,
    ]
    found = "|".join([LENIENT, *('"' + n for n in names)])
    exact = rf"^(?:{STRING}|[^\"])*?(?:{found})"
    return quick, exact


def _re(text: str) -> str:
    return "".join(c if c.isalnum() or c == "_" else "\\" + c for c in text)


def component_values(raw: list[str | None]) -> dict[str, str] | None:
    """JSON text -> the string it holds; None when one is not a string (the careful reader would read
    the column otherwise)."""
    out = {}
    for text in raw:
        if text is None:
            continue
        value = json.loads(text)
        if not isinstance(value, str):
            return None
        out[text] = value
    return out


def status_failures(raw: list[str], failed) -> list[str] | None:  # noqa: ANN001
    """The status JSON texts that mean a failed request, judged by `failed` on the column the careful
    reader would build from them (text, numbers or booleans); None for a mix it would read as text
    converted from other types."""
    values = [json.loads(t) for t in raw]
    kinds = {
        bool if isinstance(v, bool) else float if isinstance(v, int | float) else type(v) for v in values
    }
    if not values:
        return []
    if kinds == {str}:
        column = pa.array(values, pa.string())
    elif kinds == {float} and all(abs(v) < 2**53 for v in values):
        column = pa.array([float(v) for v in values], pa.float64())
    elif kinds == {bool}:
        column = pa.array(values, pa.bool_())
    else:
        return None
    return [t for t, bad in zip(raw, np.asarray(failed(column)), strict=True) if bad]
