from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel_reports.collectors.llm_requests import LlmRequestsCollector, LlmRequestsOptions
from sentinel_reports.collectors.llm_requests.aggregate import group_quantiles
from sentinel_reports.errors import SourceError
from sentinel_reports.model import conform
from tests.collectors.conftest import FIXTURES, make_ctx
from tests.fuzzing import examples

LITELLM = {"format": "litellm", "components": {"chat-assistant": "chat-api", "embed": "embeddings"}}


def collect(ctx=None, **options):
    opts = LlmRequestsOptions.model_validate({"type": "llm_requests", **options})
    return LlmRequestsCollector().collect(opts, ctx or make_ctx())


def wide(batch):
    s = batch.samples
    return s.pivot_table(index=["component", "ts"], columns="signal", values="value", observed=True)


def test_litellm_spendlogs_csv():
    batch = collect(path="llm_requests/litellm_spendlogs.csv", **LITELLM)
    w = wide(batch)
    chat = w.loc[("chat-api", pd.Timestamp("2025-11-17T10:00:00Z"))]
    assert chat["requests_total"] == 3
    assert chat["requests_good"] == 2  # status "failure"
    assert chat["latency_p50_ms"] == 2000.0  # end - start of 1200, 2000, 30000 ms
    assert chat["latency_p95_ms"] == pytest.approx(2000 + 0.9 * 28000)
    assert chat["ttft_p95_ms"] == pytest.approx(400 + 0.95 * 300)  # the failed request has no first token
    assert chat["tokens_input"] == (1200 - 800 - 100) + 700 + 650  # prompt_tokens include the cache
    assert chat["tokens_cache_read"] == 800 and chat["tokens_cache_write"] == 100
    assert chat["cost_requests"] == pytest.approx(0.0073)
    embed = w.loc[("embeddings", pd.Timestamp("2025-11-17T10:05:00Z"))]
    assert embed["requests_total"] == 1 and np.isnan(embed["tokens_cache_read"])  # unknown, not 0
    assert batch.rows == 6 and batch.duplicates_dropped == 1
    assert batch.summary["requests"] == 4 and batch.summary["failed"] == 1
    assert "internal-tools" in batch.warnings[0]
    assert batch.samples["component"].astype(str).isin(["chat-api", "embeddings"]).all()


def test_component_from_metadata_key_in_jsonl():
    batch = collect(
        path="llm_requests/litellm_spendlogs.jsonl",
        format="litellm",
        component_from="metadata.user_api_key_alias",
        components={"chat-api-prod": "chat-api", "rag-indexer": "embeddings"},
    )
    csv = collect(path="llm_requests/litellm_spendlogs.csv", **LITELLM)
    pd.testing.assert_frame_equal(wide(batch), wide(csv))


def test_parquet_and_gzip_csv_read_the_same(tmp_path):
    table = pacsv.read_csv(FIXTURES / "llm_requests/litellm_spendlogs.csv")
    pq.write_table(table, tmp_path / "logs.parquet")
    (tmp_path / "logs.csv.gz").write_bytes(
        gzip.compress((FIXTURES / "llm_requests/litellm_spendlogs.csv").read_bytes())
    )
    ctx = make_ctx(tmp_path)
    expected = wide(collect(path="llm_requests/litellm_spendlogs.csv", **LITELLM))
    for name in ("logs.parquet", "logs.csv.gz"):
        pd.testing.assert_frame_equal(wide(collect(ctx, path=name, **LITELLM)), expected)


def test_unsorted_input_gives_the_same_samples(tmp_path):
    lines = (FIXTURES / "llm_requests/litellm_spendlogs.csv").read_text().splitlines()
    (tmp_path / "rev.csv").write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    got = collect(make_ctx(tmp_path), path="rev.csv", **LITELLM).samples
    expected = collect(path="llm_requests/litellm_spendlogs.csv", **LITELLM).samples
    pd.testing.assert_frame_equal(got, expected)


def test_helicone_http_status_and_ttft_column():
    batch = collect(
        path="llm_requests/helicone_export.jsonl",
        format="helicone",
        component_from="request_properties.Helicone-Property-App",
    )
    chat = wide(batch).loc[("chat-api", pd.Timestamp("2025-11-17T10:00:00Z"))]
    assert (chat["requests_total"], chat["requests_good"]) == (2, 1)  # 429 is a failure
    assert chat["ttft_p95_ms"] == 420.0
    assert chat["tokens_input"] == 400  # 1000 - 600 cache reads


def test_langfuse_generations_only_error_level_and_latency_seconds():
    batch = collect(path="llm_requests/langfuse_observations.json", format="langfuse")
    chat = wide(batch).loc[("chat-api", pd.Timestamp("2025-11-17T10:00:00Z"))]
    assert (chat["requests_total"], chat["requests_good"]) == (2, 1)
    assert chat["latency_p50_ms"] == pytest.approx((3000 + 1500) / 2)  # 1.5 s latency column for obs-2
    assert any("not LLM generations" in w for w in batch.warnings)


def test_langfuse_latency_unit_inferred_from_rows_with_end_time(tmp_path):
    doc = json.loads((FIXTURES / "llm_requests/langfuse_observations.json").read_text())
    doc["data"][0]["latency"] = 3000.0  # this export writes milliseconds
    doc["data"][1]["latency"] = 1500.0
    (tmp_path / "obs.json").write_text(json.dumps(doc))
    chat = wide(collect(make_ctx(tmp_path), path="obs.json", format="langfuse")).iloc[0]
    assert chat["latency_p50_ms"] == pytest.approx(2250.0)


def test_interval_option_and_negative_latency(tmp_path):
    batch = collect(path="llm_requests/litellm_spendlogs.csv", interval="1h", **LITELLM)
    assert set(batch.samples["ts"]) == {pd.Timestamp("2025-11-17T10:00:00Z")}
    text = (FIXTURES / "llm_requests/litellm_spendlogs.csv").read_text()
    (tmp_path / "neg.csv").write_text(text.replace("2025-11-17 10:01:12.000", "2025-11-17 10:01:09.000"))
    with pytest.raises(SourceError) as info:
        collect(make_ctx(tmp_path), path="neg.csv", **LITELLM)
    assert (info.value.row, info.value.column) == (2, "endTime")


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.floats(0, 1e6, allow_nan=False)),
        min_size=1,
        max_size=60,
    )
)
def test_group_quantiles_match_numpy(rows):
    gid = np.array([g for g, _ in rows])
    values = np.round(np.array([v for _, v in rows]), 3)
    got = group_quantiles(gid, values, 5, [0.5, 0.95, 0.99])
    for g in range(5):
        mine = values[gid == g]
        for i, q in enumerate([0.5, 0.95, 0.99]):
            if len(mine):
                assert got[i, g] == pytest.approx(np.quantile(mine, q), abs=1e-6)
            else:
                assert np.isnan(got[i, g])


def test_samples_are_already_canonical():
    samples = collect(path="llm_requests/litellm_spendlogs.csv", **LITELLM).samples
    canonical = conform("samples", samples)
    pd.testing.assert_frame_equal(canonical, samples)
    assert str(samples["ts"].dtype) == "datetime64[ns, UTC]" and samples["value"].dtype == "float64"


def test_header_only_file_gives_no_samples(tmp_path):
    (tmp_path / "h.csv").write_text("request_id,start_time,component\n")
    batch = collect(make_ctx(tmp_path), path="h.csv")
    assert batch.rows == 0 and len(batch.samples) == 0 and len(batch.files) == 1
