"""What the Anthropic and OpenAI report collectors share: saved report pages as time buckets of result
objects (repeats dropped and counted), the components the options name, typed fields of a result, and
summed token samples."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import SourceError
from ..model import conform
from .base import Batch, CollectContext
from .io import expand_paths, input_file, read_json, read_jsonl
from .severity import parse_instant


def report_buckets(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(location, bucket) for every time bucket of every page in a saved report file (Anthropic or OpenAI)."""
    file = str(path)
    name = path.name.lower().removesuffix(".gz")
    doc: Any = read_jsonl(path) if name.endswith((".jsonl", ".ndjson")) else read_json(path)
    pages = doc if isinstance(doc, list) else [doc]
    out = []
    for p, page in enumerate(pages):
        where = f"[{p}]" if isinstance(doc, list) else ""
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise SourceError(
                file, "not a report page", column=where or "(top level)",
                expected='an object {"data": [buckets], "has_more": ..., "next_page": ...}',
                found=type(page).__name__ if not isinstance(page, dict) else sorted(page)[:6],
            )  # fmt: skip
        for b, bucket in enumerate(page["data"]):
            loc = f"{where}data[{b}]"
            if not isinstance(bucket, dict) or not isinstance(bucket.get("results"), list):
                raise SourceError(
                    file, "not a time bucket", column=loc, expected="an object with a `results` list",
                    found=type(bucket).__name__,
                )  # fmt: skip
            out.append((loc, bucket))
    return out


def check_components(
    options: Any, ctx: CollectContext, mapping: dict[str, str], option: str
) -> dict[str, str]:
    """Every component the options name must exist; returns {component id: owning team}."""
    known = set(ctx.config.component_ids)
    named = [
        *((f"{option}.{k}", v) for k, v in mapping.items()),
        ("default_component", options.default_component),
    ]
    for key, comp in named:
        if comp is not None and comp not in known:
            raise SourceError(
                options.path, "unknown component", column=key, expected=f"one of {sorted(known)}", found=comp
            )
    return {c.id: c.owner for c in ctx.config.components}


Result = tuple[pd.Timestamp, dict[str, Any], str, str]  # bucket start, result object, file, location


def collect_results(options: Any, ctx: CollectContext, batch: Batch) -> list[Result]:
    """Every result of every bucket, minus exact repeats within the same bucket start (counted)."""
    out: list[Result] = []
    seen: set[tuple[pd.Timestamp, str]] = set()
    for path in expand_paths(ctx, options.path):
        file = str(path)
        n = 0
        for loc, bucket in report_buckets(path):
            start = bucket_start(bucket, ctx, file, loc)
            for r, result in enumerate(bucket["results"]):
                where = f"{loc}.results[{r}]"
                if not isinstance(result, dict):
                    raise SourceError(file, "not a result object", column=where, expected="an object")
                n += 1
                key = (start, json.dumps(result, sort_keys=True, default=str))
                if key in seen:
                    batch.duplicates_dropped += 1
                    continue
                seen.add(key)
                out.append((start, result, file, where))
        batch.files.append(input_file(ctx, path, n))
        batch.rows += n
    return out


def bucket_start(bucket: dict[str, Any], ctx: CollectContext, file: str, loc: str) -> pd.Timestamp:
    if "starting_at" in bucket:
        value = parse_instant(
            bucket["starting_at"], tz=ctx.tz, file=file, row=None, column=f"{loc}.starting_at", required=True
        )
    else:  # OpenAI buckets: start_time in unix seconds
        raw = bucket.get("start_time")
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise SourceError(
                file, "bucket has no start", column=f"{loc}.start_time",
                expected="starting_at (RFC 3339) or start_time (unix seconds)", found=raw,
            )  # fmt: skip
        value = parse_instant(raw, tz=ctx.tz, file=file, row=None, column=f"{loc}.start_time", required=True)
    return pd.Timestamp(value)


def text_field(result: dict[str, Any], key: str, file: str, loc: str) -> str | None:
    """An optional text field (an id or a model name); anything but text or null is a SourceError."""
    value = result.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise SourceError(file, "not text", column=f"{loc}.{key}", expected="a string or null", found=value)
    return value.strip()


def samples_frame(records: list[dict[str, Any]], source_id: str) -> pd.DataFrame:
    """Samples summed per (ts, component, signal), in a stable order."""
    frame = pd.DataFrame.from_records(records, columns=["ts", "component", "signal", "value"])
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    frame = frame.groupby(["ts", "component", "signal"], sort=True, as_index=False)["value"].sum()
    frame["source"] = source_id
    return conform("samples", frame)


def count_field(result: dict[str, Any], key: str, file: str, loc: str, *, required: bool = True) -> int:
    """A non-negative whole-number token count."""
    if key not in result or result[key] is None:
        if required:
            raise SourceError(
                file,
                "missing token count",
                column=f"{loc}.{key}",
                expected="a whole number >= 0",
                found="absent",
            )
        return 0
    value = result[key]
    finite = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
    if isinstance(value, bool) or not finite or value < 0 or value != int(value):
        raise SourceError(
            file, "not a token count", column=f"{loc}.{key}", expected="a whole number >= 0", found=value
        )
    return int(value)
