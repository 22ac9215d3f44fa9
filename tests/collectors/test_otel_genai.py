"""`type: otel_genai`: OTLP/JSON traces with GenAI spans become request rows (one per task) and eval rows."""

from __future__ import annotations

import copy
import gzip
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentinel_reports.collectors import registry
from sentinel_reports.collectors.otel_genai import OtelGenAiCollector, OtelGenAiOptions
from sentinel_reports.errors import SourceError
from sentinel_reports.project import check_batch
from tests.collectors.conftest import make_ctx
from tests.collectors.otlp_fixtures import SpanSpec, agent_task, chat, export, jsonl
from tests.fuzzing import examples


def collect(tmp_path: Path, text: str, name: str = "traces.jsonl", **options):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    opts = OtelGenAiOptions.model_validate({"type": "otel_genai", "path": name, "interval": "1h", **options})
    return OtelGenAiCollector().collect(opts, make_ctx(tmp_path))


def totals(batch, signal: str) -> float:
    rows = batch.samples.loc[batch.samples["signal"].astype(str) == signal]
    return float(rows["value"].sum())


def test_registered_as_builtin():
    assert registry()["otel_genai"] is OtelGenAiCollector


def test_fixture_uses_the_json_mapping_quirks():
    doc = export("chat-api", [chat(1, 2, None, 0, 500, 1200, 80)])
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert isinstance(span["startTimeUnixNano"], str) and span["startTimeUnixNano"].isdigit()
    assert span["traceId"] == "00000000000000000000000000000001"  # hex, as the file exporter writes it
    attrs = {a["key"]: a["value"] for a in span["attributes"]}
    assert attrs["gen_ai.usage.input_tokens"] == {"intValue": "1200"}  # int64 as a string


def test_an_agent_task_counts_once_with_the_tokens_of_its_llm_calls(tmp_path):
    doc = export("chat-api", agent_task(7, 0, calls=3))
    batch = collect(tmp_path, jsonl(doc))
    assert totals(batch, "requests_total") == 1  # one task, not three LLM calls
    assert totals(batch, "requests_good") == 1
    assert totals(batch, "tokens_output") == 300
    assert totals(batch, "tokens_cache_read") == 1200
    assert totals(batch, "tokens_input") == 3 * (1000 - 400)  # input includes cached input
    assert batch.summary["tasks"] == 1 and batch.summary["llm_calls"] == 3


def test_failed_agent_fails_the_task_but_a_recovered_tool_error_does_not(tmp_path):
    docs = [
        export("chat-api", agent_task(1, 0, error=True)),
        export("chat-api", agent_task(2, 5000, tool_error=True)),
    ]
    batch = collect(tmp_path, jsonl(*docs))
    assert totals(batch, "requests_total") == 2
    assert totals(batch, "requests_good") == 1


def test_plain_llm_calls_are_tasks_and_the_older_gen_ai_system_is_read(tmp_path):
    spans = [
        chat(1, 1, None, 0, 400, 100, 10, old_system=True),
        chat(2, 1, None, 1000, 1600, 50, 5, error=True),
    ]
    batch = collect(tmp_path, jsonl(export("chat-api", spans)), name="t.json.gz")
    assert totals(batch, "requests_total") == 2 and totals(batch, "requests_good") == 1
    assert batch.summary["providers"] == ["anthropic"]
    p95 = batch.samples.loc[batch.samples["signal"].astype(str) == "latency_p95_ms", "value"]
    assert 400 <= float(p95.iloc[0]) <= 600


def test_component_from_a_configured_resource_attribute_and_unknown_components_dropped(tmp_path):
    a = export("svc-a", [chat(1, 1, None, 0, 400, 100, 10)], {"app.component": "rag-search"})
    b = export("svc-b", [chat(2, 1, None, 0, 400, 100, 10)], {"app.component": "not-configured"})
    batch = collect(tmp_path, jsonl(a, b), component_attribute="app.component")
    assert set(batch.samples["component"].astype(str)) == {"rag-search"}
    assert batch.summary["dropped_other_components"] == 1


def test_non_genai_spans_are_ignored_and_missing_token_counts_are_absent_not_zero(tmp_path):
    http = SpanSpec(1, 1, None, 0, 100, {"http.request.method": "GET"})
    llm = SpanSpec(2, 1, None, 0, 100, {"gen_ai.operation.name": "chat"})
    batch = collect(tmp_path, jsonl(export("chat-api", [http, llm])))
    assert totals(batch, "requests_total") == 1
    assert "tokens_output" not in set(batch.samples["signal"].astype(str))
    assert batch.summary["spans_without_genai"] == 1


def test_evaluation_events_become_eval_rows_with_segment(tmp_path):
    span = chat(1, 1, None, 0, 400, 100, 10)
    span.events = [
        ("gen_ai.evaluation.result", 500, {"gen_ai.evaluation.name": "helpfulness", "gen_ai.evaluation.score.label": "pass"}),
        ("gen_ai.evaluation.result", 500, {"gen_ai.evaluation.name": "helpfulness", "gen_ai.evaluation.score.value": 0.2}),
    ]  # fmt: skip
    batch = collect(
        tmp_path,
        jsonl(export("chat-api", [span], {"user.language": "ja"})),
        segment_attribute="user.language",
    )
    ev = batch.evals
    assert list(ev["segment"]) == ["ja"] and int(ev["passed"].sum()) == 1 and int(ev["total"].sum()) == 2
    assert ev["model_version"].iloc[0] == "claude-sonnet-4-5-20250929"
    # eval rows only: an evals source, not the traces, provides eval_pass_rate samples
    assert "eval_pass_rate" not in set(batch.samples["signal"].astype(str))


@pytest.mark.parametrize(
    ("mutate", "column"),
    [
        (lambda s: s.update(startTimeUnixNano="yesterday"), "startTimeUnixNano"),
        (lambda s: s.update(endTimeUnixNano="1"), "endTimeUnixNano"),
        (lambda s: s["attributes"].append({"key": "gen_ai.usage.output_tokens", "value": {"intValue": "-5"}}), "gen_ai.usage.output_tokens"),
        (lambda s: s["attributes"].append({"key": "x", "value": {"intValue": "ten"}}), "attributes.x"),
    ],
)  # fmt: skip
def test_bad_cells_name_file_line_and_field(tmp_path, mutate, column):
    doc = export("chat-api", [SpanSpec(1, 1, None, 0, 100, {"gen_ai.operation.name": "chat"})])
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    span["attributes"] = [a for a in span["attributes"] if a["key"] != "gen_ai.usage.output_tokens"]
    mutate(span)
    with pytest.raises(SourceError) as exc:
        collect(tmp_path, jsonl(doc))
    assert "traces.jsonl" in str(exc.value) and column in str(exc.value) and "line 1" in str(exc.value)


def test_not_a_trace_export_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="resourceSpans"):
        collect(tmp_path, json.dumps({"resourceLogs": []}) + "\n")


# ------------------------------------------------------------------ any OTLP JSON: rows or a SourceError

SETTINGS = settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE = export("chat-api", agent_task(3, 0) + [chat(4, 1, None, 100, 900, 10, 1)])

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
              st.text(max_size=8), st.sampled_from(["0", "1763373600000000000", "99999999999999999999", "chat"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)  # fmt: skip


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(BASE) if p]


def run(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            batch = collect(Path(tmp), text)
            check_batch(batch, "traces.jsonl")
        except SourceError as exc:
            assert str(exc)


@SETTINGS
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=4))
def test_any_mutated_otlp_document_gives_rows_or_a_source_error(edits):
    doc = copy.deepcopy(BASE)
    for path, value in edits:
        node = doc
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    run(json.dumps(doc) + "\n")


@SETTINGS
@given(doc=json_values)
def test_any_json_document_gives_rows_or_a_source_error(doc):
    run(json.dumps(doc) + "\n")


@SETTINGS
@given(data=st.binary(max_size=300))
def test_any_bytes_give_rows_or_a_source_error(data):
    run(data)
