"""Bad and awkward input across the telemetry collectors: clear SourceErrors, or correct normalisation."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sentinel_reports.collectors import registry
from sentinel_reports.errors import SourceError
from tests.collectors.conftest import make_ctx

CSV_HEADER = "timestamp,component,signal,value"
LLM_HEADER = "request_id,start_time,end_time,component,status,input_tokens"
CASES = {
    "csv": ("s.csv", {}),
    "llm_requests": ("r.csv", {"format": "generic"}),
    "evals": ("e.csv", {}),
    "prometheus": ("p.json", {"signal": "requests_total"}),
    "datadog_slo_history": ("d.json", {"component": "chat-api"}),
}


def collect(tmp_path, kind, data: bytes, timezone="UTC", **extra):
    name, options = CASES[kind]
    (tmp_path / name).write_bytes(data)
    cls = registry()[kind]
    opts = cls.Options.model_validate({"type": kind, "path": name, **options, **extra})
    return cls().collect(opts, make_ctx(tmp_path, timezone=timezone))


@pytest.mark.parametrize("kind", sorted(CASES))
def test_empty_file(tmp_path, kind):
    with pytest.raises(SourceError, match="empty|no header"):
        collect(tmp_path, kind, b"")


@pytest.mark.parametrize("kind", sorted(CASES))
def test_invalid_utf8_names_the_line(tmp_path, kind):
    good = {
        "csv": f"{CSV_HEADER}\n2025-11-17T10:00:00Z,chat-api,requests_total,1\n",
        "llm_requests": f"{LLM_HEADER}\nr1,2025-11-17T10:00:00Z,2025-11-17T10:00:01Z,chat-api,ok,5\n",
        "evals": "timestamp,component,eval_name,passed,total\n2025-11-17T10:00:00Z,chat-api,e,1,2\n",
        "prometheus": '{"status": "success",\n "data": {"resultType": "matrix", "result": []}}',
        "datadog_slo_history": '{"data":\n {"series": {}}}',
    }[kind].encode()
    with pytest.raises(SourceError) as info:
        collect(
            tmp_path,
            kind,
            good.replace(b"chat-api", b"chat-\xff\xfeapi")
            .replace(b"matrix", b"ma\xfftrix")
            .replace(b"series", b"ser\xffies"),
        )
    assert info.value.line == 2


@pytest.mark.parametrize("kind", ["prometheus", "datadog_slo_history"])
@pytest.mark.parametrize("doc", ["[1, 2]", '"text"', '{"data": 5}', "{"])
def test_wrong_json_shape(tmp_path, kind, doc):
    with pytest.raises(SourceError):
        collect(tmp_path, kind, doc.encode())


@pytest.mark.parametrize(
    ("kind", "text", "column"),
    [
        ("csv", "timestamp,component,value\n2025-11-17T10:00:00Z,chat-api,1\n", "signal"),
        ("llm_requests", "request_id,component\nr1,chat-api\n", "start_time or timestamp or ts"),
        ("evals", "timestamp,component,passed\n2025-11-17T10:00:00Z,chat-api,1\n", "eval_name"),
    ],
)
def test_missing_column(tmp_path, kind, text, column):
    with pytest.raises(SourceError) as info:
        collect(tmp_path, kind, text.encode())
    assert info.value.column == column


@pytest.mark.parametrize(
    ("kind", "text", "column"),
    [
        (
            "csv",
            f"{CSV_HEADER}\n2025-11-17T10:00:00Z,chat-api,requests_total,1\nyesterday,chat-api,requests_total,2\n",
            "timestamp",
        ),
        (
            "llm_requests",
            f"{LLM_HEADER}\nr1,2025-11-17T10:00:00Z,,chat-api,ok,1\nr2,17/11/2025 25:00,,chat-api,ok,1\n",
            "start_time",
        ),
        ("evals", "timestamp,component,eval_name,passed,total\nsoon,chat-api,e,1,2\n", "timestamp"),
    ],
)
def test_unparseable_timestamp_names_row_and_column(tmp_path, kind, text, column):
    with pytest.raises(SourceError) as info:
        collect(tmp_path, kind, text.encode())
    assert (info.value.column, info.value.row) == (column, 2 if kind != "evals" else 1)


def test_bom_and_crlf_are_accepted(tmp_path):
    text = f"{CSV_HEADER}\r\n2025-11-17T10:00:00Z,chat-api,requests_total,1\r\n"
    batch = collect(tmp_path, "csv", b"\xef\xbb\xbf" + text.encode())
    assert batch.samples["value"].tolist() == [1.0]
    llm = f"{LLM_HEADER}\r\nr1,2025-11-17T10:00:00Z,2025-11-17T10:00:01Z,chat-api,ok,5\r\n"
    batch = collect(tmp_path, "llm_requests", b"\xef\xbb\xbf" + llm.encode())
    assert batch.summary["requests"] == 1 and batch.summary["totals"]["tokens_input"] == 5


def test_mixed_offsets_naive_local_unsorted_duplicates_and_nan(tmp_path):
    text = "\n".join(
        [
            CSV_HEADER,
            "2025-11-17T12:05:00+02:00,chat-api,requests_total,2",  # 10:05Z
            "2025-11-17 11:00:00,chat-api,requests_total,1",  # naive Berlin -> 10:00Z
            "2025-11-17T10:10:00Z,chat-api,requests_total,NaN",
            "2025-11-17T12:05:00+02:00,chat-api,requests_total,2",
        ]
    )
    batch = collect(tmp_path, "csv", text.encode(), timezone="Europe/Berlin")
    assert batch.samples["ts"].tolist() == [
        pd.Timestamp("2025-11-17T10:00:00Z"),
        pd.Timestamp("2025-11-17T10:05:00Z"),
    ]
    assert batch.duplicates_dropped == 1 and batch.summary["missing_values"] == 1


def test_naive_request_times_use_configured_timezone(tmp_path):
    llm = f"{LLM_HEADER}\nr1,2025-11-17 11:02:00,2025-11-17 11:02:01,chat-api,ok,5\nr2,2025-11-17T10:03:00Z,,chat-api,500,1\n"
    batch = collect(tmp_path, "llm_requests", llm.encode(), timezone="Europe/Berlin")
    s = batch.samples
    assert set(s["ts"]) == {pd.Timestamp("2025-11-17T10:00:00Z")}
    total = s[s["signal"] == "requests_total"]["value"].tolist()
    good = s[s["signal"] == "requests_good"]["value"].tolist()
    assert (total, good) == ([2.0], [1.0])  # HTTP 500 is a failure


def test_duplicate_request_rows_are_dropped_and_counted(tmp_path):
    row = "r1,2025-11-17T10:00:00Z,2025-11-17T10:00:01Z,chat-api,ok,5"
    changed = "r1,2025-11-17T10:00:00Z,2025-11-17T10:00:02Z,chat-api,ok,5"
    batch = collect(tmp_path, "llm_requests", f"{LLM_HEADER}\n{row}\n{row}\n{changed}\n".encode())
    assert batch.duplicates_dropped == 1
    assert batch.summary["requests"] == 1
    assert any("repeat a request id" in w for w in batch.warnings)


def test_nan_in_prometheus_and_datadog_is_missing(tmp_path):
    doc = {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"service": "chat-api"}, "values": [[1763373600, "NaN"], [1763373660, "4"], [1763373720, "NaN"]]}]}}  # fmt: skip
    batch = collect(tmp_path, "prometheus", json.dumps(doc).encode())
    assert batch.samples["value"].tolist() == [4.0]


def test_parse_timestamps_reports_out_of_range_cells_as_source_errors() -> None:
    from zoneinfo import ZoneInfo

    import pandas as pd

    from sentinel_reports.collectors.base import parse_timestamps
    from sentinel_reports.errors import SourceError

    values = pd.Series(["2026-01-01T00:00:00Z", "2026-01-01T00:05:00Z", "99999-01-01"])
    try:
        parse_timestamps(values, tz=ZoneInfo("UTC"), file="x.csv", column="ts")
    except SourceError as exc:
        assert (exc.row, exc.column, exc.found) == (3, "ts", "99999-01-01")
    else:
        raise AssertionError("an out-of-range timestamp was accepted")
