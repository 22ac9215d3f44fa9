"""Malformed input reaches the user as a SourceError, never as another exception."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sentinel_reports.collectors.anthropic import (
    AnthropicCostCollector,
    AnthropicCostOptions,
    AnthropicUsageCollector,
    WorkspaceOptions,
)
from sentinel_reports.collectors.focus import FocusCollector, FocusOptions
from sentinel_reports.collectors.incidentio import IncidentIoCollector, IncidentIoOptions
from sentinel_reports.collectors.incidents_csv import IncidentsCsvCollector, IncidentsCsvOptions
from sentinel_reports.collectors.openai import (
    OpenAICostOptions,
    OpenAICostsCollector,
    OpenAIUsageCollector,
    ProjectOptions,
)
from sentinel_reports.collectors.pagerduty import PagerDutyCollector, PagerDutyOptions
from sentinel_reports.errors import SourceError
from sentinel_reports.project import check_batch
from tests.collectors._cost_ctx import make_ctx
from tests.fuzzing import examples

FUZZ = settings(max_examples=examples(60), deadline=None)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["", "null", "$1,0.0 ", "(3)", "2026-11-16", "13/45/26", "SEV2", "P1"]),
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
cells = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["", "null", "-1", "$5.00 ", "2026-11-16T00:00:00Z", "Usage", "{}", '{"component": 3}']),
)


def run(collector, options, name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).write_bytes(data)
        try:
            check_batch(collector.collect(options, make_ctx(Path(tmp))), name)
        except SourceError:
            pass


CORRUPT_GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"not deflate data" * 4


FOCUS_COLUMNS = [
    "BillingCurrency",
    "BilledCost",
    "EffectiveCost",
    "ChargeCategory",
    "ChargeClass",
    "ChargePeriodStart",
    "ServiceName",
    "Tags",
]


@FUZZ
@given(st.lists(st.fixed_dictionaries({c: cells for c in FOCUS_COLUMNS}), min_size=1, max_size=4))
def test_focus_rows(rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, FOCUS_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    opts = FocusOptions(type="focus", path="f.csv", component_tag="component", team_tag="team",
                        rules=[{"match": {"ServiceName": "A*"}, "team": "Search team"}])  # fmt: skip
    run(FocusCollector(), opts, "f.csv", out.getvalue().encode())


@FUZZ
@given(st.binary(max_size=200))
@example(CORRUPT_GZIP)  # zlib.error escaped focus_table's header reader
def test_focus_arbitrary_bytes(data: bytes) -> None:
    run(FocusCollector(), FocusOptions(type="focus", path="f.csv"), "f.csv", data)


def report(result: dict) -> bytes:
    return json.dumps(
        {"data": [{"starting_at": "2026-11-16T00:00:00Z", "start_time": 1794787200, "results": [result]}]}
    ).encode()


COST_FIELDS = ("amount", "currency", "workspace_id", "model", "unit", "project_id", "line_item", "object")
USAGE_FIELDS = ("uncached_input_tokens", "cache_read_input_tokens", "cache_creation", "output_tokens",
                "cache_creation_5m_input_tokens", "input_tokens", "input_cached_tokens", "num_model_requests", "server_tool_use")  # fmt: skip


@FUZZ
@given(st.dictionaries(st.sampled_from(COST_FIELDS + USAGE_FIELDS), json_values, max_size=8), st.booleans())
def test_provider_reports(result: dict, dollars: bool) -> None:
    data = report(result)
    unit = "dollars" if dollars else None
    run(
        AnthropicCostCollector(),
        AnthropicCostOptions(type="anthropic_cost_report", path="r.json", amount_unit=unit),
        "r.json",
        data,
    )
    run(
        AnthropicUsageCollector(),
        WorkspaceOptions(type="anthropic_usage_report", path="r.json"),
        "r.json",
        data,
    )
    run(OpenAICostsCollector(), OpenAICostOptions(type="openai_costs", path="r.json"), "r.json", data)
    run(OpenAIUsageCollector(), ProjectOptions(type="openai_usage", path="r.json"), "r.json", data)


@FUZZ
@given(json_values)
def test_report_envelopes(doc: object) -> None:
    data = json.dumps(doc).encode()
    run(
        AnthropicCostCollector(),
        AnthropicCostOptions(type="anthropic_cost_report", path="r.json"),
        "r.json",
        data,
    )
    run(OpenAIUsageCollector(), ProjectOptions(type="openai_usage", path="r.json"), "r.json", data)
    run(PagerDutyCollector(), PagerDutyOptions(type="pagerduty", path="r.json"), "r.json", data)
    run(IncidentIoCollector(), IncidentIoOptions(type="incidentio", path="r.json"), "r.json", data)


PD_FIELDS = (
    "id",
    "priority_name",
    "urgency",
    "created_at",
    "resolved_at",
    "seconds_to_first_ack",
    "seconds_to_resolve",
    "major",
    "status",
    "service_id",
)
IO_FIELDS = (
    "id",
    "reference",
    "mode",
    "severity",
    "incident_status",
    "incident_timestamp_values",
    "created_at",
    "custom_field_entries",
)


@FUZZ
@given(st.dictionaries(st.sampled_from(PD_FIELDS), json_values, max_size=9))
@example({"id": "Q1", "created_at": "2250-01-01T00:00:00Z"})
@example({"id": "Q1", "created_at": 1e30})
def test_pagerduty_records(rec: dict) -> None:
    run(
        PagerDutyCollector(),
        PagerDutyOptions(type="pagerduty", path="p.json"),
        "p.json",
        json.dumps({"data": [rec]}).encode(),
    )


@FUZZ
@given(st.dictionaries(st.sampled_from(IO_FIELDS), json_values, max_size=8))
def test_incidentio_records(rec: dict) -> None:
    opts = IncidentIoOptions(type="incidentio", path="i.json", components_field="Affected services")
    run(IncidentIoCollector(), opts, "i.json", json.dumps({"incidents": [rec]}).encode())


CSV_COLUMNS = [
    "id",
    "title",
    "severity",
    "status",
    "components",
    "started_at",
    "acknowledged_at",
    "resolved_at",
    "customer_impact",
]


@FUZZ
@given(st.lists(st.fixed_dictionaries({c: cells for c in CSV_COLUMNS}), min_size=1, max_size=3))
def test_incident_table_rows(rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    run(
        IncidentsCsvCollector(),
        IncidentsCsvOptions(type="incidents_csv", path="i.csv"),
        "i.csv",
        out.getvalue().encode(),
    )
