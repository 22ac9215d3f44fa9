"""How request logs are read: Parquet dictionaries (status, component, JSON metadata), JSON text parsed once
per distinct value, row groups, and the errors that still name the row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from sentinel_reports.collectors.llm_requests import LlmRequestsCollector, LlmRequestsOptions
from sentinel_reports.errors import SourceError
from tests.collectors.conftest import make_ctx

COMPONENTS = {"chat": "chat-api", "rag": "rag-search", "other": "other"}


def litellm_rows(n: int, distinct_metadata: int, seed: int = 3) -> pa.Table:
    """LiteLLM_SpendLogs rows; `distinct_metadata` different metadata texts (cache reads cycle through them)."""
    rng = np.random.default_rng(seed)
    start = np.sort(rng.integers(0, 6 * 3600 * 1000, n)) + 1_763_373_600_000
    latency = rng.integers(100, 9000, n)
    cache_read = np.arange(n) % distinct_metadata
    meta = [json.dumps({"usage_object": {"cache_read_input_tokens": int(c), "cache_creation_input_tokens": 2}})
            for c in cache_read]  # fmt: skip
    return pa.table(
        {
            "request_id": [f"req-{i}" for i in range(n)],
            "startTime": pa.array(start, pa.int64()).cast(pa.timestamp("ms")),
            "endTime": pa.array(start + latency, pa.int64()).cast(pa.timestamp("ms")),
            "status": rng.choice(["success", "success", "failure"], n),
            "prompt_tokens": rng.integers(100, 4000, n) + cache_read,
            "completion_tokens": rng.integers(1, 900, n),
            "spend": np.round(rng.random(n) / 100, 6),
            "model_group": rng.choice(["chat", "rag", "other"], n),
            "metadata": meta,
        }
    )


def collect(folder: Path, path: str) -> object:
    options = LlmRequestsOptions.model_validate(
        {"type": "llm_requests", "format": "litellm", "path": path, "components": COMPONENTS}
    )
    return LlmRequestsCollector().collect(options, make_ctx(folder))


@pytest.mark.parametrize("distinct", [7, 2000])
def test_parquet_dictionaries_read_as_the_csv_export(tmp_path: Path, distinct: int) -> None:
    """Repeating metadata (parsed once per distinct text) and unique metadata give what the CSV gives."""
    table = litellm_rows(2000, distinct)
    pq.write_table(table, tmp_path / "logs.parquet", row_group_size=700)  # several row groups
    csv = table.set_column(1, "startTime", pc.strftime(table["startTime"], "%Y-%m-%d %H:%M:%S"))
    csv = csv.set_column(2, "endTime", pc.strftime(table["endTime"], "%Y-%m-%d %H:%M:%S"))
    pacsv.write_csv(csv, tmp_path / "logs.csv")
    parquet, text = collect(tmp_path, "logs.parquet"), collect(tmp_path, "logs.csv")
    pd.testing.assert_frame_equal(parquet.samples, text.samples, check_exact=True)
    assert parquet.summary == text.summary and parquet.warnings == text.warnings
    read = parquet.samples[parquet.samples["signal"] == "tokens_cache_read"]["value"].sum()
    assert read == sum(i % distinct for i in range(2000) if table["model_group"][i].as_py() != "other")


def test_bad_json_among_repeated_metadata_names_its_row(tmp_path: Path) -> None:
    table = litellm_rows(300, 3)
    meta = table["metadata"].to_pylist()
    meta[211] = '{"usage_object": {"cache_read_input_tokens": 5'
    pq.write_table(table.set_column(8, "metadata", pa.array(meta)), tmp_path / "logs.parquet")
    with pytest.raises(SourceError) as info:
        collect(tmp_path, "logs.parquet")
    assert (info.value.row, info.value.column, info.value.message) == (212, "metadata", "invalid JSON")


def test_empty_parquet_file_in_a_glob_changes_nothing(tmp_path: Path) -> None:
    table = litellm_rows(200, 5)
    pq.write_table(table, tmp_path / "a.parquet")
    alone = collect(tmp_path, "a.parquet")
    pq.write_table(table.slice(0, 0), tmp_path / "b.parquet")
    both = collect(tmp_path, "*.parquet")
    pd.testing.assert_frame_equal(both.samples, alone.samples)
    assert both.summary == alone.summary and [f.rows for f in both.files] == [200, 0]
