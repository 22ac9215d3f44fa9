"""DuckDB scanning request-log files itself gives what the careful reader gives, hive folders are one source,
bad cells still get the careful reader's error, and the engine settings are validated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

import sentinel_reports.collectors.llm_requests as requests_module
from sentinel_reports.collectors.llm_requests import LlmRequestsCollector, LlmRequestsOptions, scan
from sentinel_reports.config import Engine
from sentinel_reports.errors import SourceError

from .conftest import make_ctx

MODELS = ["chat-api", "rag-search", "embeddings", "not-configured"]


def spend_logs(n: int, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    start = 1_790_000_000_000 + np.sort(rng.integers(0, 3 * 86_400_000, n))
    latency = rng.integers(50, 9000, n)
    ttft = (latency * rng.uniform(0.1, 0.5, n)).astype("int64")
    group = rng.integers(0, len(MODELS), n)
    cache = rng.integers(0, 300, n)
    meta = [
        f'{{"usage_object": {{"cache_read_input_tokens": {c}}}}}' if i % 5 else ""
        for i, c in enumerate(cache)
    ]
    ids = [f"req-{i}" for i in range(n)]
    ids[7] = ids[6]  # a repeat with other values: kept out and reported
    start[7] = start[6]
    status = np.where(rng.random(n) < 0.05, "failure", "success").astype(object)
    status[3] = None
    return pa.table(
        {
            "request_id": ids,
            "startTime": pa.array(start, pa.int64()).cast(pa.timestamp("ms")),
            "endTime": pa.array(start + latency, pa.int64()).cast(pa.timestamp("ms")),
            "completionStartTime": pa.array(start + ttft, pa.int64()).cast(pa.timestamp("ms")),
            "status": pa.array(status, pa.string()),
            "prompt_tokens": rng.integers(400, 2000, n),
            "completion_tokens": rng.integers(1, 500, n),
            "spend": np.round(rng.uniform(0, 0.05, n), 6),
            "model_group": pa.array([MODELS[g] for g in group]),
            "metadata": pa.array(meta),
        }
    )


def options(path: str, **extra: object) -> LlmRequestsOptions:
    return LlmRequestsOptions.model_validate(
        {"type": "llm_requests", "format": "litellm", "path": path, "interval": "1h", **extra}
    )


def both(path: str, project: Path) -> tuple:
    """(batch from the DuckDB scan, batch from the careful reader) of the same files."""
    ctx = make_ctx(project)
    reader = requests_module.batches

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the careful reader read the files: the DuckDB scan did not take them")

    requests_module.batches = refuse  # type: ignore[assignment]
    try:
        fast = LlmRequestsCollector().collect(options(path), ctx)
    finally:
        requests_module.batches = reader
    original = scan.plan
    scan.plan = lambda *a, **k: None  # type: ignore[assignment]
    try:
        careful = LlmRequestsCollector().collect(options(path), ctx)
    finally:
        scan.plan = original
    return fast, careful


def same(fast, careful) -> None:  # noqa: ANN001
    pd.testing.assert_frame_equal(fast.samples, careful.samples, check_exact=True)
    for name in ("files", "rows", "duplicates_dropped", "warnings", "summary", "state"):
        assert getattr(fast, name) == getattr(careful, name), name


def test_parquet_scan_equals_the_careful_reader(tmp_path: Path) -> None:
    pq.write_table(spend_logs(5000, 1), tmp_path / "logs.parquet")
    fast, careful = both("logs.parquet", tmp_path)
    same(fast, careful)
    assert fast.summary["duplicates_conflicting"] == 1 and fast.summary["dropped_other_components"] > 0


def test_scan_is_taken_for_plain_parquet(tmp_path: Path) -> None:
    """The equality above would be trivial if the scan declined: it must plan these files."""
    from sentinel_reports.collectors.engine import engine_for
    from sentinel_reports.collectors.llm_requests import FORMATS, _candidates

    pq.write_table(spend_logs(100, 2), tmp_path / "logs.parquet")
    ctx = make_ctx(tmp_path)
    o = options("logs.parquet")
    engine = engine_for(ctx.config.engine, tmp_path)
    p = scan.plan(
        engine, [tmp_path / "logs.parquet"], _candidates(o, FORMATS["litellm"]), o, FORMATS["litellm"], "UTC"
    )
    assert p is not None and p.fields["tokens_cache_read"].keys == ("usage_object", "cache_read_input_tokens")


def test_csv_scan_equals_the_careful_reader(tmp_path: Path) -> None:
    table = spend_logs(3000, 3)
    pacsv.write_csv(table, tmp_path / "logs.csv")
    fast, careful = both("logs.csv", tmp_path)
    same(fast, careful)


def day_partitions(table: pa.Table, root: Path) -> list[str]:
    """The rows written as hive partitions `root/dt=YYYY-MM-DD/part-0.parquet`; each row's day."""
    days = pa.compute.strftime(table.column("startTime"), "%Y-%m-%d").to_pylist()
    for day in sorted(set(days)):
        folder = root / f"dt={day}"
        folder.mkdir(parents=True)
        pq.write_table(table.filter(pa.array([d == day for d in days])), folder / "part-0.parquet")
    return days


def test_hive_folder_is_one_source(tmp_path: Path) -> None:
    table = spend_logs(6000, 4)
    pq.write_table(table, tmp_path / "all.parquet")
    days = day_partitions(table, tmp_path / "logs")
    (tmp_path / "logs" / "_SUCCESS").write_text("")
    ctx = make_ctx(tmp_path)
    whole = LlmRequestsCollector().collect(options("all.parquet"), ctx)
    folder = LlmRequestsCollector().collect(options("logs"), ctx)
    pd.testing.assert_frame_equal(whole.samples, folder.samples, check_exact=True)
    assert len(folder.files) == len(set(days)) >= 3
    assert folder.summary == whole.summary


def test_partitions_aggregate_a_few_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Day partitions are aggregated by one query per group of days (the engine holds one group's
    latency lists at a time); the samples and counts equal those of one query over one file."""
    from sentinel_reports.collectors.engine import Engine

    table = spend_logs(8000, 5)
    pq.write_table(table, tmp_path / "all.parquet")
    days = day_partitions(table, tmp_path / "logs")
    ctx = make_ctx(tmp_path)
    queries = []
    run = Engine.run

    def counted(self: Engine, expr: object, **kwargs: object) -> pa.Table:
        queries.append(kwargs["source"])
        return run(self, expr, **kwargs)

    monkeypatch.setattr(Engine, "run", counted)
    whole = LlmRequestsCollector().collect(options("all.parquet"), ctx)
    assert len(queries) == 1
    monkeypatch.setattr(requests_module, "CHUNK_ROWS", 1)
    folder = LlmRequestsCollector().collect(options("logs"), ctx)
    assert len(queries) == 1 + len(set(days)) >= 4  # days share no hour: one query each
    pd.testing.assert_frame_equal(whole.samples, folder.samples, check_exact=True)
    assert folder.summary == whole.summary
    assert folder.duplicates_dropped == whole.duplicates_dropped and folder.warnings == whole.warnings


def test_chunks_never_split_an_interval() -> None:
    """Files whose intervals meet stay in one query, however many rows it holds."""
    hour = 3600 * 10**9

    def st(first_h: float, last_h: float, rows: int = 10) -> scan.FileStats:
        return scan.FileStats(rows, int(first_h * hour), int(last_h * hour), False, [], {})

    stats = [st(2, 2.5), st(0, 0.9), st(2.6, 3), st(0.95, 1.2), st(5, 6), st(7, 7, rows=0)]
    stats[5].first_ns = stats[5].last_ns = None
    # hour 0 holds files 1 and 3, hour 2 files 0 and 2; the empty file 5 is left out
    assert scan.chunks(stats, hour, 1) == [[1, 3], [0, 2], [4]]
    assert scan.chunks(stats, hour, 25) == [[0, 1, 2, 3], [4]]
    assert scan.chunks(stats, hour, 1000) == [[0, 1, 2, 3, 4]]


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("spend", -1.0, "negative cost"),
        ("prompt_tokens", -5, "negative token count"),
        ("metadata", "{not json", "invalid JSON"),
        ("metadata", '{"usage_object": {"cache_read_input_tokens": -3}}', "negative token count"),
        ("metadata", '{"usage_object": {"cache_read_input_tokens": "many"}}', "not a number"),
    ],
)
def test_bad_cell_gets_the_careful_error(tmp_path: Path, column: str, value: object, problem: str) -> None:
    table = spend_logs(50, 5)
    cells = table.column(column).to_pylist()
    cells[41] = value
    table = table.set_column(
        table.schema.get_field_index(column), column, pa.array(cells, table.schema.field(column).type)
    )
    pq.write_table(table, tmp_path / "logs.parquet")
    with pytest.raises(SourceError) as caught:
        LlmRequestsCollector().collect(options("logs.parquet"), make_ctx(tmp_path))
    error = caught.value
    assert problem in error.message and error.row == 42 and error.file.endswith("logs.parquet")


def test_engine_settings_are_validated() -> None:
    assert Engine(kind="spark").master == "local[2]"
    with pytest.raises(ValidationError, match="Spark setting"):
        Engine(master="local[2]")
    with pytest.raises(ValidationError):
        Engine(memory_limit="lots")
    with pytest.raises(ValidationError, match="connection"):
        Engine(connection={"host": "x"})


def test_token_and_cost_cells_are_checked_in_the_aggregation_scan(tmp_path: Path) -> None:
    """The validation query reads times, component, status and ids; the token and cost checks (and the
    JSON metadata) run in the aggregation's own scan, and a bad cell found there still gets the careful
    reader's error (test above)."""
    from sentinel_reports.collectors.engine import engine_for
    from sentinel_reports.collectors.llm_requests import FORMATS, _candidates

    pq.write_table(spend_logs(100, 2), tmp_path / "logs.parquet")
    o = options("logs.parquet")
    engine = engine_for(make_ctx(tmp_path).config.engine, tmp_path)
    p = scan.plan(
        engine, [tmp_path / "logs.parquet"], _candidates(o, FORMATS["litellm"]), o, FORMATS["litellm"], "UTC"
    )
    assert p is not None
    cols = scan.columns(p)
    assert cols.late
    assert {f for f, _ in cols.early_checks()} <= set(scan.EARLY)
    assert {f for f, _ in cols.late_checks()} == {
        "tokens_input",
        "tokens_output",
        "tokens_cache_read",
        "tokens_cache_write",
        "cost",
    }
