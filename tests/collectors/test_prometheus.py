from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sentinel_reports.collectors.prometheus import (
    PrometheusCollector,
    PrometheusOptions,
    _each_point,
    _fast_points,
)
from sentinel_reports.errors import SourceError
from tests.collectors.conftest import make_ctx


def collect(ctx=None, **options):
    opts = PrometheusOptions.model_validate({"type": "prometheus", **options})
    return PrometheusCollector().collect(opts, ctx or make_ctx())


def value(batch, component, ts):
    s = batch.samples
    hit = s[(s["component"] == component) & (s["ts"] == pd.Timestamp(ts))]
    return hit["value"].tolist()


def test_increase_sums_status_codes_and_moves_to_interval_start():
    batch = collect(
        path="prometheus/requests_total_increase.json",
        signal="requests_total",
        components={"chat": "chat-api"},
    )
    # 1180 (code 200) + 20 (code 500) stamped 10:00:00 describe 09:59-10:00
    assert value(batch, "chat-api", "2025-11-17T09:59:00Z") == [1200.0]
    assert value(batch, "rag-search", "2025-11-17T10:01:00Z") == [305.0]
    # both chat series are NaN at 10:02 -> no sample, never 0
    assert value(batch, "chat-api", "2025-11-17T10:01:00Z") == []
    assert set(batch.samples["signal"]) == {"requests_total"}
    assert batch.summary["missing_values"] == 2
    assert batch.summary["step_seconds"] == 60.0
    assert batch.rows == 16
    assert "billing-batch" in batch.warnings[0]
    assert batch.files[0].path == "prometheus/requests_total_increase.json"


def test_rate_is_multiplied_by_the_step():
    batch = collect(
        path="prometheus/requests_rate_bare.json",
        signal="requests_total",
        values="rate",
        components={"chat": "chat-api"},
    )
    assert batch.samples["value"].tolist() == [600.0, 615.0, 585.0]
    assert batch.samples["ts"].iloc[0] == pd.Timestamp("2025-11-17T09:59:30Z")


def test_gauge_keeps_instant_and_drops_nan_and_inf():
    batch = collect(
        path="prometheus/latency_p95_gauge.json",
        signal="latency_p95_ms",
        values="gauge",
        components={"chat": "chat-api"},
    )
    assert batch.samples["value"].tolist() == [812.5, 901.0]
    assert batch.samples["ts"].tolist() == [
        pd.Timestamp("2025-11-17T10:00:00Z"),
        pd.Timestamp("2025-11-17T10:03:00Z"),
    ]
    assert any("infinite" in w for w in batch.warnings)


def test_error_envelope_names_error_type():
    with pytest.raises(SourceError, match="bad_data"):
        collect(path="prometheus/error.json", signal="requests_total")


def test_vector_result_is_refused_with_hint():
    with pytest.raises(SourceError, match="query_range"):
        collect(path="prometheus/vector.json", signal="requests_total")


def _write(tmp_path, name, result):
    doc = {"status": "success", "data": {"resultType": "matrix", "result": result}}
    (tmp_path / name).write_text(json.dumps(doc))


def test_breakdown_and_total_together_would_double_count(tmp_path):
    values = [[1763373600, "5"], [1763373660, "6"]]
    _write(
        tmp_path,
        "mixed.json",
        [
            {"metric": {"service": "chat-api", "code": "200"}, "values": values},
            {"metric": {"service": "chat-api"}, "values": values},
        ],
    )
    with pytest.raises(SourceError, match="count twice"):
        collect(make_ctx(tmp_path), path="mixed.json", signal="requests_total")


def test_several_series_of_a_gauge_is_an_error(tmp_path):
    values = [[1763373600, "5"], [1763373660, "6"]]
    _write(
        tmp_path,
        "p95.json",
        [
            {"metric": {"service": "chat-api", "pod": "a"}, "values": values},
            {"metric": {"service": "chat-api", "pod": "b"}, "values": values},
        ],
    )
    with pytest.raises(SourceError, match="non-count"):
        collect(make_ctx(tmp_path), path="p95.json", signal="latency_p95_ms", values="gauge")


def test_glob_over_overlapping_exports_counts_each_point_once(tmp_path):
    series = {"metric": {"service": "chat-api"}, "values": [[1763373600, "5"], [1763373660, "6"]]}
    _write(tmp_path, "a.json", [series])
    later = {"metric": {"service": "chat-api"}, "values": [[1763373660, "6"], [1763373720, "7"]]}
    _write(tmp_path, "b.json", [later])
    batch = collect(make_ctx(tmp_path), path="*.json", signal="requests_total")
    assert batch.samples["value"].tolist() == [5.0, 6.0, 7.0]
    assert batch.duplicates_dropped == 1
    assert len(batch.files) == 2


def test_malformed_pair_is_located(tmp_path):
    _write(
        tmp_path,
        "bad.json",
        [{"metric": {"service": "chat-api"}, "values": [[1763373600, "5"], [1763373660]]}],
    )
    with pytest.raises(SourceError) as info:
        collect(make_ctx(tmp_path), path="bad.json", signal="requests_total", step="1m")
    assert info.value.column == "data.result[0].values[1]"


def test_options_are_validated():
    with pytest.raises(ValidationError):
        PrometheusOptions.model_validate({"type": "prometheus", "path": "x.json", "signal": "requests"})
    with pytest.raises(ValidationError):
        PrometheusOptions.model_validate(
            {"type": "prometheus", "path": "x.json", "signal": "requests_total", "lable": "service"}
        )


# -- the column-by-column reading of a series' points agrees with the point-by-point one -------------------

_CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from(["1.5", "NaN", "+Inf", "-Inf", " 12 ", "1_000", "x", "", "1e309", "2000000000"]),
    st.booleans(),
    st.none(),
)
_TIMES = st.one_of(st.floats(min_value=0, max_value=8e9), _CELLS)
_PAIRS = st.one_of(
    st.tuples(_TIMES, _CELLS).map(list),
    st.tuples(
        st.floats(min_value=1e9, max_value=2e9), st.sampled_from(["0", "3.25", "NaN", "-1", "+Inf"])
    ).map(list),
    st.lists(_CELLS, max_size=3),
    st.sampled_from(["ab", {"a": 1, "b": 2}, 7, None]),
)


@given(values=st.lists(_PAIRS, max_size=8), count=st.booleans())
def test_points_read_column_by_column_equal_those_read_one_by_one(values, count):
    """`_fast_points` gives exactly the times and values of the point-by-point loop, and declines (None)
    every series in which the loop refuses a point, so the loop names it."""
    fast = _fast_points(values, count)
    try:
        slow = _each_point(values, "data.result[0]", "f.json", count)
    except SourceError:
        assert fast is None
        return
    if fast is not None:
        for a, b in zip(fast, slow, strict=True):
            assert a.tobytes() == b.tobytes()


_WELL_FORMED = st.lists(
    st.tuples(
        st.one_of(st.floats(min_value=-1e3, max_value=8e9), st.integers(-5, 8 * 10**9)),
        st.one_of(
            st.sampled_from(["0", "3.25", "NaN", "-1", "+Inf", "-Inf", "1e16", "-0"]),
            st.floats(allow_nan=True, allow_infinity=True),
        ),
    ).map(list),
    min_size=1,
    max_size=6,
)


@given(values=_WELL_FORMED, count=st.booleans())
def test_well_formed_series_read_column_by_column_equal_those_read_one_by_one(values, count):
    """The same agreement on series of plain pairs, where the column-by-column reading usually applies and
    only the range of the times and (for counts) of the values can refuse a point."""
    test_points_read_column_by_column_equal_those_read_one_by_one.hypothesis.inner_test(values, count)


def test_a_series_with_a_refused_point_is_named_at_that_point(tmp_path):
    good = [[1_700_000_000 + 60 * i, str(i)] for i in range(50)]
    bad = [*good[:30], [1_700_001_800, True], *good[31:]]
    doc = {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"service": "chat"}, "values": good},
        {"metric": {"service": "chat", "code": "500"}, "values": bad},
    ]}}  # fmt: skip
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SourceError) as err:
        collect(make_ctx(tmp_path), path="p.json", signal="requests_total", components={"chat": "chat-api"})
    assert "data.result[1].values[30]" in str(err.value)
