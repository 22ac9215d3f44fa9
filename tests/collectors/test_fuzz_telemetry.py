"""On arbitrary malformed bytes and rows every telemetry collector raises only SourceError, or succeeds."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sentinel_reports.collectors import registry
from sentinel_reports.errors import SourceError
from sentinel_reports.project import check_batch
from tests.collectors.conftest import make_ctx
from tests.fuzzing import examples

TARGETS = [
    ("csv", "f.csv", {}),
    ("prometheus", "f.json", {"signal": "requests_total"}),
    ("datadog_slo_history", "f.json", {"component": "chat-api"}),
    ("llm_requests", "f.csv", {"format": "litellm"}),
    ("llm_requests", "f.jsonl", {"format": "helicone"}),
    ("llm_requests", "f.json", {"format": "langfuse"}),
    ("evals", "f.csv", {}),
    ("evals", "f.jsonl", {"format": "otel"}),
]
SETTINGS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(kind: str, name: str, options: dict, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).write_bytes(data)
        cls = registry()[kind]
        opts = cls.Options.model_validate({"type": kind, "path": name, **options})
        try:
            batch = cls().collect(opts, make_ctx(Path(tmp)))
            check_batch(batch, name)  # the boundary every result passes: times, counts, good <= total
        except SourceError as exc:
            assert str(exc)  # renders without error


# A gzip header with a damaged body (zlib.error escaped the readers).
CORRUPT_GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"not deflate data" * 4


@pytest.mark.parametrize(("kind", "name", "options"), TARGETS)
@SETTINGS
@given(data=st.binary(max_size=400))
@example(data=CORRUPT_GZIP)
@example(data=CORRUPT_GZIP[:12])
@example(data=b"\n\x80\r\x00")  # make fuzz, seed 1489798628: a header after an empty line, not UTF-8
def test_arbitrary_bytes(kind, name, options, data):
    run(kind, name, options, data)


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "NaN",
            "+Inf",
            "-1",
            "1e309",
            "2025-11-17T10:00:00Z",
            "2025-11-17 10:00:00",
            "null",
            "chat-api",
            "failure",
            "true",
            "{}",
            '{"usage_object": 3}',
            "1763373600",
        ]
    ),  # fmt: skip
    st.integers(-(10**20), 10**20).map(str),
)
HEADERS = {
    "csv": ["timestamp", "component", "signal", "value"],
    "llm_requests": [
        "request_id",
        "startTime",
        "endTime",
        "model_group",
        "status",
        "prompt_tokens",
        "spend",
        "metadata",
    ],
    "evals": ["timestamp", "component", "model_version", "eval_name", "passed", "total"],
}


@pytest.mark.parametrize("kind", sorted(HEADERS))
@SETTINGS
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=6))
# found by the hostile corpus: an out-of-range time, negative and overflowing counts, good > total
@example(rows=[["1e30", "chat-api", "requests_total", "1"]])
@example(rows=[["2250-01-01T00:00:00Z", "chat-api", "requests_total", "1"]])
@example(rows=[["2025-11-17T10:00:00Z", "chat-api", "requests_total", "-1"]])
@example(rows=[["2025-11-17T10:00:00Z", "chat-api", "requests_total", "1e308"]])
@example(rows=[["2025-11-17T10:00:00Z", "chat-api", "requests_total", "1e309"]])
@example(
    rows=[
        ["2025-11-17T10:00:00Z", "chat-api", "requests_total", "1"],
        ["2025-11-17T10:00:00Z", "chat-api", "requests_good", "2"],
    ]
)
@example(rows=[["r1", "1e30", "", "chat-api", "success", "10", "0.1", "{}"]])
@example(rows=[["r1", "2025-11-17T10:00:00Z", "", "chat-api", "success", "-10", "-0.1", "{}"]])
@example(rows=[["r1", "2025-11-17T10:00:00Z", "", "chat-api", "success", "10", "inf", "{}"]])
def test_malformed_csv_rows(kind, rows):
    header = HEADERS[kind]
    text = (
        ",".join(header)
        + "\n"
        + "\n".join(",".join(json.dumps(c) if "," in c else c for c in r) for r in rows)
    )
    options = {"format": "litellm"} if kind == "llm_requests" else {}
    run(kind, "f.csv", options, text.encode())


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@SETTINGS
@given(
    result=st.lists(st.fixed_dictionaries({"metric": json_values, "values": json_values}), max_size=3),
    kind=st.sampled_from(["matrix", "vector", 3]),
)
# Hypothesis found this one: a timestamp of 9.2e18 s raised pandas OutOfBoundsDatetime
@example(
    result=[{"metric": {"service": "chat-api"}, "values": [[9.2e18, "1"], [9.2e18 + 300, "1"]]}],
    kind="matrix",
)
@example(result=[{"metric": {"service": "chat-api"}, "values": [[-1e12, "1"]]}], kind="matrix")
@example(
    result=[{"metric": {"service": "chat-api"}, "values": [[1763373600, "-5"], [1763373900, "1e308"]]}],
    kind="matrix",
)
@example(
    result=[{"metric": {"service": "chat-api"}, "values": [[1763373600, "+Inf"], [1763373900, "1"]]}],
    kind="matrix",
)
def test_malformed_prometheus_documents(result, kind):
    doc = {"status": "success", "data": {"resultType": kind, "result": result}}
    run("prometheus", "f.json", {"signal": "requests_total"}, json.dumps(doc).encode())


@SETTINGS
@given(series=json_values, overall=json_values)
@example(
    series={"times": [32503680000000], "numerator": {"values": [1]}, "denominator": {"values": [1]}},
    overall={},
)
@example(
    series={"times": [1763337600000], "numerator": {"values": [1]}, "denominator": {"values": [1e308]}},
    overall={},
)
def test_malformed_datadog_documents(series, overall):
    doc = {"data": {"series": series, "overall": overall}}
    run("datadog_slo_history", "f.json", {"component": "chat-api"}, json.dumps(doc).encode())


@SETTINGS
@given(records=st.lists(json_values, max_size=4))
@example(records=[{"startTime": 1e30, "traceName": "chat-api", "type": "GENERATION"}])
@example(
    records=[
        {
            "startTime": "2025-11-17T10:00:00Z",
            "traceName": "chat-api",
            "type": "GENERATION",
            "usageDetails": {"output": -3},
        }
    ]
)
def test_malformed_json_records(records):
    data = "\n".join(json.dumps({"resourceLogs": r} if i % 2 else r) for i, r in enumerate(records)).encode()
    run("evals", "f.jsonl", {"format": "otel"}, data)
    run("llm_requests", "f.jsonl", {"format": "langfuse"}, data)
