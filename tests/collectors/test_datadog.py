from __future__ import annotations

import json

import pandas as pd
import pytest

from sentinel_reports.collectors.datadog import DatadogSloHistoryCollector, DatadogSloHistoryOptions
from sentinel_reports.errors import SourceError
from tests.collectors.conftest import FIXTURES, make_ctx


def collect(ctx=None, **options):
    opts = DatadogSloHistoryOptions.model_validate({"type": "datadog_slo_history", **options})
    return DatadogSloHistoryCollector().collect(opts, ctx or make_ctx())


def test_metric_slo_history_gives_good_and_total():
    batch = collect(path="datadog/slo_history_metric.json", component="chat-api")
    s = batch.samples
    good = s[s["signal"] == "requests_good"]
    total = s[s["signal"] == "requests_total"]
    assert good["value"].tolist() == [990.0, 1000.0, 1978.0]  # the null hour is missing, not 0
    assert total["value"].tolist() == [1000.0, 1000.0, 2000.0]
    assert total["ts"].iloc[0] == pd.Timestamp("2025-11-17T00:00:00Z")
    assert batch.summary["sli_value_reported"] == 99.2
    assert batch.summary["sli_value_from_counts"] == pytest.approx(99.2)
    assert batch.summary["interval_seconds"] == 3600.0


def test_monitor_slo_is_refused_with_reason():
    with pytest.raises(SourceError, match="only metric-based SLO histories carry request counts"):
        collect(path="datadog/slo_history_monitor.json", component="chat-api")


def _doc(**series):
    base = json.loads((FIXTURES / "datadog/slo_history_metric.json").read_text())
    base["data"]["series"].update(series)
    return base


@pytest.mark.parametrize(
    ("series", "column"),
    [
        ({"times": [1, 2]}, "data.series.numerator.values"),
        ({"numerator": {"values": [990, 1000, None, 2500]}}, "data.series.numerator.values[3]"),
        ({"numerator": {"values": [990, "x", None, 1]}}, "data.series.numerator.values[1]"),
    ],
)
def test_inconsistent_series_is_located(tmp_path, series, column):
    (tmp_path / "h.json").write_text(json.dumps(_doc(**series)))
    with pytest.raises(SourceError) as info:
        collect(make_ctx(tmp_path), path="h.json", component="chat-api")
    assert info.value.column == column


def test_component_outside_config_is_dropped_with_warning():
    batch = collect(path="datadog/slo_history_metric.json", component="billing")
    assert len(batch.samples) == 0
    assert "billing" in batch.warnings[0]
