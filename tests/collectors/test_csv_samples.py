from __future__ import annotations

import pandas as pd
import pytest

from sentinel_reports.collectors.csv_samples import CsvSamplesCollector, CsvSamplesOptions
from sentinel_reports.errors import SourceError
from tests.collectors.conftest import make_ctx


def collect(ctx=None, **options):
    opts = CsvSamplesOptions.model_validate({"type": "csv", **options})
    return CsvSamplesCollector().collect(opts, ctx or make_ctx())


def test_long_samples_are_normalised():
    batch = collect(path="csv/samples.csv", components={"rag": "rag-search"})
    s = batch.samples
    assert list(s.columns) == ["ts", "component", "signal", "value", "source"]
    assert batch.rows == 7
    assert batch.duplicates_dropped == 1
    assert batch.summary["missing_values"] == 1  # the NaN requests_good is missing data, not 0
    rag = s[s["component"] == "rag-search"]
    assert rag["ts"].tolist() == [pd.Timestamp("2025-11-17T10:00:00Z")]  # 11:00+01:00
    assert rag["signal"].tolist() == ["latency_p95_ms"]
    assert "billing-batch" in batch.warnings[0]
    assert s["ts"].is_monotonic_increasing  # unsorted input, sorted output
    assert (s["source"] == "src").all()


def test_renamed_columns_fixed_signal_and_naive_local_time():
    batch = collect(
        make_ctx(timezone="Europe/Berlin"),
        path="csv/gpu_saturation.csv",
        columns={"timestamp": "time", "component": "service", "value": "util"},
        signal="saturation",
    )
    assert batch.samples["ts"].tolist() == [
        pd.Timestamp("2025-11-17T10:00:00Z"),
        pd.Timestamp("2025-11-17T10:05:00Z"),
    ]
    assert batch.samples["value"].tolist() == [0.71, 0.74]


def test_unknown_signal_names_the_row(tmp_path):
    (tmp_path / "s.csv").write_text(
        "timestamp,component,signal,value\n2025-11-17T10:00:00Z,chat-api,reqs,1\n"
    )
    with pytest.raises(SourceError) as info:
        collect(make_ctx(tmp_path), path="s.csv")
    assert (info.value.row, info.value.column, info.value.found) == (1, "signal", "reqs")


def test_non_number_names_the_row(tmp_path):
    (tmp_path / "s.csv").write_text(
        "timestamp,component,signal,value\n2025-11-17T10:00:00Z,chat-api,requests_total,1\n"
        "2025-11-17T10:05:00Z,chat-api,requests_total,many\n"
    )
    with pytest.raises(SourceError) as info:
        collect(make_ctx(tmp_path), path="s.csv")
    assert (info.value.row, info.value.column) == (2, "value")
