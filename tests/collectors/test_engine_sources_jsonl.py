"""DuckDB scanning JSONL request logs itself (plain and gzip) gives what the careful reader gives, for
every format a JSONL log comes in; where the first lines cannot settle what the careful reader would
infer, it declines; bad lines still get the careful reader's error."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sentinel_reports.collectors.llm_requests as requests_module
from sentinel_reports.collectors.engine import engine_for
from sentinel_reports.collectors.llm_requests import (
    FORMATS,
    LlmRequestsCollector,
    LlmRequestsOptions,
    _candidates,
    jsonl,
    scan,
)
from sentinel_reports.errors import SourceError

from .conftest import FIXTURES, make_ctx

MODELS = ["chat-api", "rag-search", "embeddings", "not-configured"]
SUFFIXES = [".jsonl", ".jsonl.gz"]


def iso(ms: int) -> str:
    return pd.Timestamp(int(ms), unit="ms", tz="UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def spend_logs(n: int, seed: int) -> list[dict]:
    """LiteLLM_SpendLogs rows as its JSONL export writes them: ISO times, `metadata` an object."""
    rng = np.random.default_rng(seed)
    start = 1_790_000_000_000 + np.sort(rng.integers(0, 3 * 86_400_000, n))
    latency = rng.integers(50, 9000, n)
    ttft = (latency * rng.uniform(0.1, 0.5, n)).astype("int64")
    rows = []
    for i in range(n):
        meta = {"user_api_key_alias": f"key-{i % 3}"}
        if i % 5:
            meta["usage_object"] = {"cache_read_input_tokens": int(rng.integers(0, 300))}
        rows.append(
            {
                "request_id": f"req-{i}",
                "startTime": iso(start[i]),
                "endTime": iso(start[i] + latency[i]),
                "completionStartTime": None if i % 7 == 0 else iso(start[i] + ttft[i]),
                "status": None if i == 3 else "failure" if rng.random() < 0.05 else "success",
                "prompt_tokens": int(rng.integers(400, 2000)),
                "completion_tokens": int(rng.integers(1, 500)),
                "spend": round(float(rng.uniform(0, 0.05)), 6),
                "model_group": MODELS[int(rng.integers(0, len(MODELS)))],
                "metadata": meta,
                "request_tags": ["a", "b"] if i % 2 else "[]",  # a column no field reads, of two types
            }
        )
    rows[7]["request_id"], rows[7]["startTime"] = rows[6]["request_id"], rows[6]["startTime"]  # a repeat
    return rows


def helicone_rows(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    start = 1_790_000_000_000 + np.sort(rng.integers(0, 86_400_000, n))
    rows = []
    for i in range(n):
        delay = int(rng.integers(100, 5000))
        rows.append(
            {
                "request_id": f"6f1c-{i}",
                "request_created_at": iso(start[i]),
                "response_created_at": None if i % 11 == 0 else iso(start[i] + delay),
                "delay_ms": delay,
                "time_to_first_token": None if i % 4 == 0 else int(delay * 0.3),
                "response_status": [200, 200, 200, 429, 500][i % 5],
                "prompt_tokens": int(rng.integers(0, 3000)),
                "completion_tokens": int(rng.integers(0, 900)),
                "prompt_cache_read_tokens": int(rng.integers(0, 300)),
                "prompt_cache_write_tokens": 0,
                "cost": round(float(rng.uniform(0, 0.02)), 7),
                "model": "claude-sonnet-4-5",
                "request_properties": {"Helicone-Property-App": MODELS[i % len(MODELS)]},
            }
        )
    return rows


def write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path


def write_rows(path: Path, rows: list[dict]) -> Path:
    return write(path, [json.dumps(r) for r in rows])


def options(path: str, fmt: str = "litellm", **extra: object) -> LlmRequestsOptions:
    return LlmRequestsOptions.model_validate(
        {"type": "llm_requests", "format": fmt, "path": path, "interval": "1h", **extra}
    )


def careful_only(o: LlmRequestsOptions, project: Path):  # noqa: ANN201
    original = scan.plan
    scan.plan = lambda *a, **k: None  # type: ignore[assignment]
    try:
        return LlmRequestsCollector().collect(o, make_ctx(project))
    finally:
        scan.plan = original


def both(o: LlmRequestsOptions, project: Path) -> tuple:
    """(batch from the DuckDB scan, batch from the careful reader); fails if the scan declined."""
    reader = requests_module.batches

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the careful reader read the files: the DuckDB scan did not take them")

    requests_module.batches = refuse  # type: ignore[assignment]
    try:
        fast = LlmRequestsCollector().collect(o, make_ctx(project))
    finally:
        requests_module.batches = reader
    return fast, careful_only(o, project)


def read_carefully(o: LlmRequestsOptions, ctx: Any) -> tuple:
    """(batch, the calls of the careful reader it took)."""
    reader, calls = requests_module.batches, []

    def counted(*args: object, **kwargs: object):  # noqa: ANN202
        calls.append(args[0])
        return reader(*args, **kwargs)

    requests_module.batches = counted  # type: ignore[assignment]
    try:
        batch = LlmRequestsCollector().collect(o, ctx)
    finally:
        requests_module.batches = reader
    return batch, calls


def declined(o: LlmRequestsOptions, project: Path) -> tuple:
    """(batch, careful batch) when the scan must decline: the careful reader must have read the files."""
    batch, calls = read_carefully(o, make_ctx(project))
    assert calls, "the DuckDB scan took files it cannot read with the careful reader's meaning"
    return batch, careful_only(o, project)


def same(fast, careful) -> None:  # noqa: ANN001
    pd.testing.assert_frame_equal(fast.samples, careful.samples, check_exact=True)
    for name in ("files", "rows", "duplicates_dropped", "warnings", "summary", "state"):
        assert getattr(fast, name) == getattr(careful, name), name


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_litellm_jsonl_scan_equals_the_careful_reader(tmp_path: Path, suffix: str) -> None:
    write_rows(tmp_path / f"logs{suffix}", spend_logs(3000, 1))
    fast, careful = both(options(f"logs{suffix}"), tmp_path)
    same(fast, careful)
    summary = fast.summary
    assert summary["duplicates_conflicting"] == 1 and summary["dropped_other_components"] > 0
    assert summary["totals"]["tokens_cache_read"] > 0  # read from the nested metadata object
    assert fast.state["request_ids"] and fast.state["ttft"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_litellm_component_from_a_nested_key(tmp_path: Path, suffix: str) -> None:
    write_rows(tmp_path / f"logs{suffix}", spend_logs(2000, 2))
    aliases = {"key-0": "chat-api", "key-1": "rag-search"}
    o = options(f"logs{suffix}", component_from="metadata.user_api_key_alias", components=aliases)
    fast, careful = both(o, tmp_path)
    same(fast, careful)
    assert fast.summary["components"] == ["chat-api", "rag-search"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_helicone_jsonl_scan_equals_the_careful_reader(tmp_path: Path, suffix: str) -> None:
    write_rows(tmp_path / f"h{suffix}", helicone_rows(2500, 3))
    o = options(f"h{suffix}", "helicone", component_from="request_properties.Helicone-Property-App")
    fast, careful = both(o, tmp_path)
    same(fast, careful)
    assert 0 < fast.summary["failed"] < fast.summary["requests"]  # HTTP codes as numbers: 429 and 500


@pytest.mark.parametrize(
    ("name", "fmt", "extra"),
    [
        ("litellm_spendlogs.jsonl", "litellm", {"components": {"chat-assistant": "chat-api"}}),
        (
            "helicone_export.jsonl",
            "helicone",
            {"component_from": "request_properties.Helicone-Property-App"},
        ),
    ],
)
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_vendor_fixtures(tmp_path: Path, name: str, fmt: str, extra: dict, suffix: str) -> None:
    write(tmp_path / (name + suffix), (FIXTURES / "llm_requests" / name).read_text().splitlines())
    fast, careful = both(options(name + suffix, fmt, **extra), tmp_path)
    same(fast, careful)
    assert fast.summary["requests"] >= 3


def test_langfuse_jsonl_goes_to_the_careful_reader(tmp_path: Path) -> None:
    """Langfuse observations hold other row kinds than requests: the careful reader keeps generations."""
    doc = json.loads((FIXTURES / "llm_requests" / "langfuse_observations.json").read_text())
    write_rows(tmp_path / "obs.jsonl", doc["data"])
    o = options("obs.jsonl", "langfuse")
    engine = engine_for(make_ctx(tmp_path).config.engine, tmp_path)
    spec = FORMATS["langfuse"]
    assert scan.plan(engine, [tmp_path / "obs.jsonl"], _candidates(o, spec), o, spec, "UTC") is None
    batch, careful = declined(o, tmp_path)
    same(batch, careful)
    assert (batch.summary["requests"], batch.summary["failed"]) == (2, 1)


def test_plan_reads_declared_columns_only(tmp_path: Path) -> None:
    write_rows(tmp_path / "logs.jsonl", spend_logs(50, 4))
    o = options("logs.jsonl")
    spec = FORMATS["litellm"]
    engine = engine_for(make_ctx(tmp_path).config.engine, tmp_path)
    p = scan.plan(engine, [tmp_path / "logs.jsonl"], _candidates(o, spec), o, spec, "UTC")
    assert p is not None and p.kind == "jsonl"
    assert p.fields["tokens_cache_read"].keys == ("usage_object", "cache_read_input_tokens")
    assert p.declared["startTime"] == "VARCHAR" and p.declared["prompt_tokens"] == "JSON"
    assert p.declared["metadata"].startswith("STRUCT(")
    assert "request_tags" not in p.declared  # a column of two types that no field reads
    # the top-level candidates ranked before the metadata keys must hold nothing on any line
    assert {(a.column, a.keys) for a in p.absent} >= {("cache_read_input_tokens", ())}


# ---------------------------------------------------------------- where the first lines are not enough


def late(rows: list[dict], at: int, **changes: object) -> list[dict]:
    rows[at] = {**rows[at], **changes}
    return rows


@pytest.mark.parametrize(
    "rows",
    [
        # a top-level candidate ranked first, present (with null only) after the sampled lines: the
        # careful reader takes that column (all missing) rather than the metadata keys
        lambda: late(spend_logs(1500, 5), 1400, cache_read_input_tokens=None),
        # the same with a value
        lambda: late(spend_logs(1500, 5), 1400, cache_read_input_tokens=12),
        # a status of another JSON type: the careful reader reads the column as text
        lambda: late(spend_logs(1500, 5), 1200, status=500),
        # a token count written as a string
        lambda: late(spend_logs(1500, 5), 1300, prompt_tokens="700"),
        # a request id written as a number
        lambda: late(spend_logs(1500, 5), 1100, request_id=1100),
    ],
    ids=["null-column-after-sample", "column-after-sample", "mixed-status", "string-number", "number-id"],
)
def test_scan_declines_what_the_sample_cannot_settle(tmp_path: Path, rows) -> None:  # noqa: ANN001
    write_rows(tmp_path / "logs.jsonl", rows())
    batch, careful = declined(options("logs.jsonl"), tmp_path)
    same(batch, careful)


def test_metadata_as_json_text_goes_to_the_careful_reader(tmp_path: Path) -> None:
    rows = spend_logs(300, 6)
    for r in rows:
        r["metadata"] = json.dumps(r["metadata"])
    write_rows(tmp_path / "logs.jsonl", rows)
    batch, careful = declined(options("logs.jsonl"), tmp_path)
    same(batch, careful)


# ---------------------------------------------------------------- bad lines: the careful reader's error


def _line(rows: list[dict], at: int, text: str) -> list[str]:
    lines = [json.dumps(r) for r in rows]
    lines[at] = text
    return lines


BAD = {
    "not-json": lambda r: '{"request_id": "x", "startTime": ',
    "trailing-comma": lambda r: json.dumps(r)[:-1] + ", }",
    "nan-literal-in-an-unread-column": lambda r: (
        json.dumps({**r, "total_tokens": 0})[:-1].replace('"total_tokens": 0', '"total_tokens": nan') + "}"
    ),
    "not-an-object": lambda r: "[1, 2]",
    "null-line": lambda r: "null",
    "number-is-text": lambda r: json.dumps({**r, "prompt_tokens": "many"}),
    "negative-cost": lambda r: json.dumps({**r, "spend": -1.0}),
    "negative-nested-tokens": lambda r: json.dumps(
        {**r, "metadata": {"usage_object": {"cache_read_input_tokens": -3}}}
    ),
    "metadata-not-an-object": lambda r: json.dumps({**r, "metadata": "plain"}),
    "time-is-a-number": lambda r: json.dumps({**r, "endTime": 1790000000}),
    "unreadable-time": lambda r: json.dumps({**r, "startTime": "yesterday"}),
}


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("at", [41, jsonl.SAMPLE_LINES + 41], ids=["in-sample", "after-sample"])
def test_bad_line_gets_the_careful_error(tmp_path: Path, case: str, suffix: str, at: int) -> None:
    """A line that is not an object among the first lines makes the plan decline; a bad line after them
    is found by the DuckDB scan (or DuckDB refuses the file): either way the error is the careful reader's."""
    rows = spend_logs(jsonl.SAMPLE_LINES + 60, 7)
    write(tmp_path / f"logs{suffix}", _line(rows, at, BAD[case](rows[at])))
    o = options(f"logs{suffix}")
    planned = []
    original = scan.plan

    def spy(*args: object, **kwargs: object):  # noqa: ANN202
        planned.append(original(*args, **kwargs))
        return planned[-1]

    scan.plan = spy  # type: ignore[assignment]
    try:
        with pytest.raises(SourceError) as caught:
            LlmRequestsCollector().collect(o, make_ctx(tmp_path))
    finally:
        scan.plan = original
    assert planned and (at < jsonl.SAMPLE_LINES or planned[0] is not None)
    with pytest.raises(SourceError) as expected:
        careful_only(o, tmp_path)
    got, want = caught.value, expected.value
    assert (got.message, got.row, got.line, got.column) == (want.message, want.row, want.line, want.column)
    assert got.file.endswith(f"logs{suffix}") and at + 1 in (got.row, got.line)


def test_guard_sees_what_only_duckdb_reads() -> None:
    quick, exact = jsonl.guard({"cache_read_input_tokens"})
    pattern = re.compile(exact)

    def hit(line: str) -> bool:
        found = bool(pattern.search(line))
        assert not found or any(re.search(q, line) for q in quick)  # the quick ones let no hit through
        return found

    assert hit('{"a": 1, }') and hit('{"a": [1,2,]}')
    assert hit('{"a": nan}') and hit('{"a": -Infinity}') and hit('{"a": [inf]}') and hit('{"a": 1,NAN]}')
    assert hit('{"m": {"cache_read_input_tokens" : null}}')
    assert not hit('{"a": "x, }", "b": ": nan", "c": "\\", }"}')  # inside strings
    assert not hit('{"cache_read_input_tokens": 5, "info": "nancy", "n": null}')
    assert not hit('{"note": "\\"cache_read_input_tokens\\": null"}')


def test_a_folder_of_jsonl_days_is_one_source(tmp_path: Path) -> None:
    """Day files (plain and gzip mixed) in a folder: scanned one by one, aggregated as one source."""
    rows = spend_logs(4000, 8)
    days: dict[str, list[dict]] = {}
    for r in rows:
        days.setdefault(r["startTime"][:10], []).append(r)
    assert len(days) >= 3
    for i, (day, part) in enumerate(sorted(days.items())):
        write_rows(tmp_path / "logs" / f"dt={day}" / ("part.jsonl.gz" if i % 2 else "part.jsonl"), part)
    write_rows(tmp_path / "all.jsonl", rows)
    folder, careful = both(options("logs"), tmp_path)
    same(folder, careful)
    whole = LlmRequestsCollector().collect(options("all.jsonl"), make_ctx(tmp_path))
    pd.testing.assert_frame_equal(folder.samples, whole.samples, check_exact=True)
    assert len(folder.files) == len(days) and folder.summary == whole.summary


def test_times_without_offset_outside_utc_go_to_the_careful_reader(tmp_path: Path) -> None:
    """Helicone times are read in the project's timezone: the scan reads text times in UTC only."""
    write_rows(tmp_path / "h.jsonl", helicone_rows(200, 9))
    o = options("h.jsonl", "helicone", component_from="request_properties.Helicone-Property-App")
    batch, calls = read_carefully(o, make_ctx(tmp_path, timezone="Europe/Berlin"))
    assert calls and batch.rows == 200
