"""Every registered collector, fed random bytes, mutated fixture records and truncated fixture files, raises
nothing but SourceError (its options are validated first; ConfigError/ValidationError belong there)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentinel_reports.collectors.base import CollectContext
from sentinel_reports.collectors.catalog import registry
from sentinel_reports.config import Config
from sentinel_reports.errors import SourceError
from tests.fuzzing import examples

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SETTINGS = settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))

# collector type -> [(fixture path under tests/fixtures, options)]
TARGETS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "prometheus": [
        (
            "telemetry/prometheus/requests_total_increase.json",
            {"signal": "requests_total", "values": "increase"},
        ),
        ("telemetry/prometheus/requests_rate_bare.json", {"signal": "requests_total", "values": "rate"}),
        ("telemetry/prometheus/latency_p95_gauge.json", {"signal": "latency_p95_ms", "values": "gauge"}),
    ],
    "datadog_slo_history": [
        ("telemetry/datadog/slo_history_metric.json", {"component": "chat-api"}),
        ("telemetry/datadog/slo_history_monitor.json", {"component": "chat-api"}),
    ],
    "llm_requests": [
        ("telemetry/llm_requests/litellm_spendlogs.csv", {"format": "litellm"}),
        ("telemetry/llm_requests/litellm_spendlogs.jsonl", {"format": "litellm"}),
        ("telemetry/llm_requests/helicone_export.jsonl", {"format": "helicone"}),
        ("telemetry/llm_requests/langfuse_observations.json", {"format": "langfuse"}),
    ],
    "csv": [
        ("telemetry/csv/samples.csv", {"components": {"rag": "rag-search"}}),
        (
            "telemetry/csv/gpu_saturation.csv",
            {
                "columns": {"timestamp": "time", "component": "service", "value": "util"},
                "signal": "saturation",
            },
        ),
    ],  # fmt: skip
    "evals": [
        ("telemetry/evals/runs.csv", {}),
        ("telemetry/evals/cases.csv", {"rate_signals": {"correctness": "hallucination_rate"}}),
        ("telemetry/evals/otel_events.jsonl", {"format": "otel"}),
    ],
    "focus": [
        ("cost/focus_tagged.csv", {"component_tag": "component", "team_tag": "team"}),
        ("cost/focus_negative_usage.csv", {}),
    ],
    "anthropic_cost_report": [
        ("cost/anthropic_cost_report_page1.json", {}),
        ("cost/anthropic_cost_report_unit_field.json", {}),
    ],
    "anthropic_usage_report": [("cost/anthropic_usage_report.json", {})],
    "openai_costs": [("cost/openai_costs.json", {})],
    "openai_usage": [("cost/openai_usage_completions.json", {})],
    "pagerduty": [
        ("incidents/pagerduty_raw_incidents.json", {}),
        ("incidents/pagerduty_raw_incidents.csv", {}),
    ],
    "incidentio": [("incidents/incidentio_incidents_v2.json", {})],
    "incidents_csv": [("incidents/incidents.csv", {})],
    "otel_genai": [("telemetry/otel/genai_traces.jsonl", {"interval": "1h"})],
    "business_kpis": [("business/kpis.csv", {"rates": ["conversion"]})],
}
COLLECTORS = sorted(TARGETS)

CONFIG = Config.model_validate(
    {
        "organization": "Fuzz Org",
        "components": [
            {"id": "chat-api", "name": "Chat API", "owner": "Assistant Platform team", "tier": 1},
            {"id": "rag-api", "name": "Retrieval API", "owner": "Search team"},
            {"id": "rag-search", "name": "RAG search", "owner": "Search team"},
            {"id": "embeddings", "name": "Embeddings", "owner": "Search team"},
        ],
    }
)


def test_every_registered_collector_is_fuzzed() -> None:
    assert sorted(registry()) == COLLECTORS
    for entries in TARGETS.values():
        assert all((FIXTURES / path).is_file() for path, _ in entries)


def collect(kind: str, name: str, options: dict[str, Any], data: bytes) -> None:
    cls = registry()[kind]
    opts = cls.Options.model_validate({"type": kind, "path": name, **options})
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).write_bytes(data)
        ctx = CollectContext(project_dir=Path(tmp), source_id="fuzz", tz=CONFIG.tz, config=CONFIG)
        try:
            cls().collect(opts, ctx)
        except SourceError as exc:
            assert str(exc)  # renders


@pytest.mark.parametrize("kind", COLLECTORS)
@SETTINGS
@given(data=st.data(), blob=st.binary(max_size=600))
def test_random_bytes(kind: str, data: st.DataObject, blob: bytes) -> None:
    path, options = data.draw(st.sampled_from(TARGETS[kind]))
    collect(kind, Path(path).name, options, blob)


@pytest.mark.parametrize("kind", COLLECTORS)
@SETTINGS
@given(data=st.data())
def test_truncated_fixture(kind: str, data: st.DataObject) -> None:
    path, options = data.draw(st.sampled_from(TARGETS[kind]))
    raw = (FIXTURES / path).read_bytes()
    cut = data.draw(st.integers(0, len(raw)))
    collect(kind, Path(path).name, options, raw[:cut])


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", "NaN", "-1", "1e309", "2026-11-16T00:00:00Z", "13/45/26", "null", "chat-api", "{}", "[]",
                     "SEV1", "P1", "resolved", "$1,0.0 ", '{"component": 3}', "9999-12-31T23:59:59Z", "0001-01-01"]),
)  # fmt: skip
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def leaf_paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    if isinstance(doc, dict) and doc:
        return [p for k, v in doc.items() for p in leaf_paths(v, (*prefix, k))]
    if isinstance(doc, list) and doc:
        return [p for i, v in enumerate(doc) for p in leaf_paths(v, (*prefix, i))]
    return [prefix]


def replace_at(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    copy = list(doc) if isinstance(doc, list) else dict(doc)
    copy[head] = replace_at(doc[head], tuple(rest), value)
    return copy


@pytest.mark.parametrize("kind", COLLECTORS)
@SETTINGS
@given(data=st.data())
def test_mutated_records(kind: str, data: st.DataObject) -> None:
    """Fixture records with fields replaced by random values (JSON) or rows of random cells (CSV)."""
    path, options = data.draw(st.sampled_from(TARGETS[kind]))
    text = (FIXTURES / path).read_text(encoding="utf-8")
    if path.endswith(".csv"):
        header, *rows = list(csv.reader(io.StringIO(text)))
        width = st.integers(max(0, len(header) - 1), len(header) + 1)
        cells = st.one_of(
            scalars.map(lambda v: "" if v is None else str(v)), st.sampled_from(rows[0] if rows else [""])
        )
        extra = data.draw(
            st.lists(width.flatmap(lambda n: st.lists(cells, min_size=n, max_size=n)), max_size=4)
        )
        keep = data.draw(st.lists(st.sampled_from(rows), max_size=3)) if rows else []
        out = io.StringIO()
        csv.writer(out).writerows([header, *keep, *extra])
        blob = out.getvalue().encode()
    elif path.endswith(".jsonl"):
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        i = data.draw(st.integers(0, len(lines) - 1))
        target = data.draw(st.sampled_from(leaf_paths(lines[i])))
        lines[i] = replace_at(lines[i], target, data.draw(json_values))
        blob = "\n".join(json.dumps(line) for line in lines).encode()
    else:
        doc = json.loads(text)
        for _ in range(data.draw(st.integers(1, 3))):
            doc = replace_at(doc, data.draw(st.sampled_from(leaf_paths(doc))), data.draw(json_values))
        blob = json.dumps(doc).encode()
    collect(kind, Path(path).name, options, blob)
