"""The status API: Statuspage v2 shape, the shipped schema, and no_data never rolled up as operational."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from sentinel_reports.render.status_api import api_documents, dumps
from sentinel_reports.render.status_common import file_ids, safe_file_id


def _load_helper():
    spec = importlib.util.spec_from_file_location("status_facts", Path(__file__).with_name("status_facts.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sf = _load_helper()

STANDARD_DESCRIPTIONS = {
    "All Systems Operational",
    "Partially Degraded Service",
    "Minor Service Outage",
    "Partial System Outage",
    "Major Service Outage",
    "Service Under Maintenance",
}

# The public Statuspage v2 API (https://<page>.statuspage.io/api/v2/): field names and enums as documented.
STATUSPAGE = {
    "page": {"id", "name", "url", "time_zone", "updated_at"},
    "status": {"indicator", "description"},
    "indicator": {"none", "minor", "major", "critical"},
    "component": {
        "id",
        "name",
        "status",
        "created_at",
        "updated_at",
        "position",
        "description",
        "showcase",
        "start_date",
        "group_id",
        "page_id",
        "group",
        "only_show_if_degraded",
    },
    "component_status": {
        "operational",
        "degraded_performance",
        "partial_outage",
        "major_outage",
        "under_maintenance",
    },
    "incident": {
        "id",
        "name",
        "status",
        "impact",
        "created_at",
        "updated_at",
        "monitoring_at",
        "resolved_at",
        "shortlink",
        "started_at",
        "page_id",
        "incident_updates",
    },
    "unresolved_status": {"investigating", "identified", "monitoring"},
    "impact": {"none", "minor", "major", "critical"},
    "incident_update": {"id", "status", "body", "created_at", "updated_at", "display_at", "incident_id"},
    "maintenance": {"scheduled_for", "scheduled_until"},
    "maintenance_status": {"scheduled", "in_progress", "verifying", "completed"},
}
DOCUMENTS = {
    "summary.json", "status.json", "components.json", "incidents.json", "incidents/unresolved.json",
    "scheduled-maintenances.json", "scheduled-maintenances/upcoming.json", "scheduled-maintenances/active.json",
}  # fmt: skip


@pytest.fixture(scope="module")
def schema() -> dict:
    text = (
        resources.files("sentinel_reports").joinpath("schemas/statuspage-v2.schema.json").read_text("utf-8")
    )
    return json.loads(text)


def _validate(schema: dict, doc: dict) -> None:
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)


def _check_documented(doc: dict, *, strict: bool) -> None:
    """Every documented field is present with a documented value; our additions are the only exceptions."""
    assert STATUSPAGE["page"] <= set(doc["page"])
    if "status" in doc:
        assert STATUSPAGE["status"] <= set(doc["status"])
        assert doc["status"]["indicator"] in STATUSPAGE["indicator"]
    for c in doc.get("components", []):
        assert STATUSPAGE["component"] <= set(c), c["id"]
        if strict or "sentinel" not in c:
            assert c["status"] in STATUSPAGE["component_status"], c
        else:
            assert c["status"] == "no_data" and c["sentinel"]["observability_gap"] is True
        if c["group"]:
            assert isinstance(c["components"], list) and c["group_id"] is None
    for inc in doc.get("incidents", []):
        assert STATUSPAGE["incident"] <= set(inc)
        assert inc["impact"] in STATUSPAGE["impact"]
        for u in inc["incident_updates"]:
            assert STATUSPAGE["incident_update"] <= set(u)
            assert u["incident_id"] == inc["id"]
    for m in doc.get("scheduled_maintenances", []):
        assert STATUSPAGE["incident"] | STATUSPAGE["maintenance"] <= set(m)
        assert m["status"] in STATUSPAGE["maintenance_status"]


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("incident_mode", [False, True])
def test_every_document_validates_against_schema_and_statuspage_fields(schema, strict, incident_mode):
    docs = api_documents(sf.facts(incident_mode=incident_mode), sf.config(strict_enums=strict))
    assert set(docs) == DOCUMENTS
    for name, doc in docs.items():
        _validate(schema, doc)
        _check_documented(doc, strict=strict)
        assert doc["page"]["updated_at"] == sf.AS_OF, name


def test_schema_rejects_no_data_without_extension_and_unknown_status(schema):
    doc = api_documents(sf.facts(), sf.config())["components.json"]
    broken = json.loads(json.dumps(doc))
    rag = next(c for c in broken["components"] if c["id"] == "rag-search")
    del rag["sentinel"]
    with pytest.raises(jsonschema.ValidationError):
        _validate(schema, broken)
    rag["status"] = "fine"
    with pytest.raises(jsonschema.ValidationError):
        _validate(schema, broken)


def test_planted_gap_is_no_data_with_extension_and_indicator_not_none():
    docs = api_documents(sf.facts(plant_gap=True), sf.config())
    comps = {c["id"]: c for c in docs["summary.json"]["components"]}
    rag = comps["rag-search"]
    assert rag["status"] == "no_data"
    assert rag["sentinel"]["observability_gap"] is True
    assert "RAG Search" in rag["sentinel"]["specific"] and rag["sentinel"]["priority"] == "P1"
    group = comps["group-customer-facing"]
    assert group["group"] is True and group["components"] == ["chat-api", "rag-search"]
    assert group["status"] == "no_data"  # a group is never operational while a member cannot be seen
    status = docs["status.json"]["status"]
    assert status["indicator"] != "none"
    assert status["sentinel"]["customer_facing"] == ["rag-search"]
    # the standard field keeps a standard description; the gap is named in the extension
    assert status["description"] in STANDARD_DESCRIPTIONS
    assert "RAG Search" in status["sentinel"]["description"]


def _embeddings_operational(facts: dict) -> dict:
    emb = next(c for c in facts["components"] if c["id"] == "embeddings")
    emb.update(status="operational", uptime_90d=0.9999)
    for d in emb["days"]:
        d.update(status="operational", uptime=0.9999, gap=False)
    return facts


def test_only_customer_facing_gap_still_raises_indicator():
    facts = _embeddings_operational(sf.facts_dict(plant_gap=True, unsafe_incident=False))
    status = api_documents(sf.typed(facts), sf.config())["status.json"]["status"]
    assert status["indicator"] == "minor"
    assert status["description"] == "Partially Degraded Service"
    assert "All Systems Operational" not in status["description"]


def test_strict_enums_report_degraded_performance_and_keep_extension():
    docs = api_documents(sf.facts(plant_gap=True), sf.config(strict_enums=True))
    statuses = {c["status"] for c in docs["summary.json"]["components"]}
    assert statuses <= STATUSPAGE["component_status"]
    comps = {c["id"]: c for c in docs["summary.json"]["components"]}
    assert comps["rag-search"]["status"] == "degraded_performance"
    assert comps["rag-search"]["sentinel"]["status"] == "no_data"
    assert comps["embeddings"]["status"] == "degraded_performance"
    assert docs["status.json"]["status"]["indicator"] != "none"


def test_all_clear_page_reports_none_and_operational():
    facts = _embeddings_operational(sf.facts_dict(plant_gap=False, unsafe_incident=False))
    docs = api_documents(sf.typed(facts), sf.config())
    assert docs["status.json"]["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert {c["status"] for c in docs["components.json"]["components"]} == {"operational"}
    assert "sentinel" not in dumps(docs["components.json"])


def test_configured_component_missing_from_facts_is_no_data():
    facts = _embeddings_operational(sf.facts_dict(plant_gap=False, unsafe_incident=False))
    facts["components"] = [c for c in facts["components"] if c["id"] != "embeddings"]
    docs = api_documents(sf.typed(facts), sf.config())
    comps = {c["id"]: c for c in docs["components.json"]["components"]}
    assert comps["embeddings"]["status"] == "no_data"
    assert docs["status.json"]["status"]["indicator"] == "minor"


def test_incidents_unresolved_and_impact():
    docs = api_documents(sf.facts(incident_mode=True), sf.config())
    unresolved = docs["incidents/unresolved.json"]["incidents"]
    assert {i["id"] for i in unresolved} == {"INC-200", sf.UNSAFE_ID}
    assert all(i["status"] in STATUSPAGE["unresolved_status"] for i in unresolved)
    inc200 = next(i for i in unresolved if i["id"] == "INC-200")
    assert inc200["impact"] == "critical" and inc200["components"][0]["id"] == "chat-api"
    assert inc200["incident_updates"][0]["body"] == "Failing over inference to the secondary region."
    assert docs["status.json"]["status"]["indicator"] == "critical"
    all_ids = [i["id"] for i in docs["incidents.json"]["incidents"]]
    assert "INC-101" in all_ids and all_ids == sorted(all_ids, key=all_ids.index)
    unsafe = next(i for i in unresolved if i["id"] == sf.UNSAFE_ID)
    # incidents/unresolved.json sits one folder deeper than summary.json: its links climb one more level
    assert unsafe["shortlink"] == f"../../../incidents/{safe_file_id(sf.UNSAFE_ID)}.html"
    summary_unsafe = next(i for i in docs["summary.json"]["incidents"] if i["id"] == sf.UNSAFE_ID)
    assert summary_unsafe["shortlink"] == f"../../incidents/{safe_file_id(sf.UNSAFE_ID)}.html"
    assert ".." not in safe_file_id(sf.UNSAFE_ID)


def test_scheduled_maintenance_documents():
    docs = api_documents(sf.facts(), sf.config())
    upcoming = docs["scheduled-maintenances/upcoming.json"]["scheduled_maintenances"]
    assert [m["id"] for m in upcoming] == ["db-upgrade"]
    assert upcoming[0]["scheduled_for"] == "2026-11-25T02:00:00Z" and upcoming[0]["status"] == "scheduled"
    assert docs["scheduled-maintenances/active.json"]["scheduled_maintenances"] == []
    everything = {m["id"]: m["status"] for m in docs["scheduled-maintenances.json"]["scheduled_maintenances"]}
    assert everything == {"db-upgrade": "scheduled", "gw-rotate": "completed"}
    assert [m["id"] for m in docs["summary.json"]["scheduled_maintenances"]] == ["db-upgrade"]


def test_base_url_makes_links_absolute_and_output_is_deterministic():
    config = sf.config().model_copy(
        update={"site": sf.config().site.model_copy(update={"base_url": "https://status.example.com/"})}
    )
    first = {k: dumps(v) for k, v in api_documents(sf.facts(), config).items()}
    second = {k: dumps(v) for k, v in api_documents(sf.facts(), config).items()}
    assert first == second
    summary = json.loads(first["summary.json"])
    assert summary["page"]["url"] == "https://status.example.com/status/"
    assert all(
        i["shortlink"].startswith("https://status.example.com/status/incidents/")
        for i in summary["incidents"]
    )
    assert (
        first["status.json"]
        == json.dumps(json.loads(first["status.json"]), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    )


@pytest.mark.parametrize(
    "raw",
    [
        "INC-1",
        "Q1ABC.2",
        "../../etc/passwd",
        "a/b",
        "..",
        ".hidden",
        "",
        "inc 7",
        "ü-ñ",
        "x" * 300,
        "a..b",
        "C:\\x",
    ],
)
def test_safe_file_id(raw):
    out = safe_file_id(raw)
    assert out and len(out) <= 100
    assert all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in out)
    assert ".." not in out and not out.startswith(".")
    if raw in ("INC-1", "Q1ABC.2"):
        assert out == raw


def test_file_ids_unique_even_ignoring_case():
    ids = file_ids(["a/b", "a?b", "INC-1", "inc-1", "a-b"])
    assert len({v.casefold() for v in ids.values()}) == 5


def test_every_incident_carries_its_timeline_as_updates():
    docs = api_documents(sf.facts(incident_mode=True), sf.config())
    for inc in docs["incidents.json"]["incidents"]:
        updates = inc["incident_updates"]
        assert updates, inc["id"]
        times = [u["created_at"] for u in updates]
        assert times == sorted(times, reverse=True)  # newest first, as Statuspage lists them
        assert updates[-1]["created_at"] == inc["created_at"]  # the opening update
        assert updates[-1]["status"] == "investigating"
    inc101 = next(i for i in docs["incidents.json"]["incidents"] if i["id"] == "INC-101")
    by_status = [(u["status"], u["created_at"]) for u in reversed(inc101["incident_updates"])]
    # created, acknowledged, the written "identified" update, mitigated (monitoring), resolved once
    assert by_status == [
        ("investigating", "2026-11-12T09:04:00Z"),
        ("investigating", "2026-11-12T09:10:00Z"),
        ("identified", "2026-11-12T09:15:00Z"),
        ("monitoring", "2026-11-12T09:50:00Z"),
        ("resolved", "2026-11-12T10:30:00Z"),
    ]
    assert inc101["monitoring_at"] == "2026-11-12T09:50:00Z"
    assert len({u["id"] for u in inc101["incident_updates"]}) == len(inc101["incident_updates"])


def test_a_dated_postmortem_is_an_update_and_an_undated_one_is_not():
    facts = sf.facts_dict(incident_mode=True)
    inc = next(i for i in facts["incidents"] if i["id"] == "INC-101")
    inc["postmortem"]["published_on"] = "2026-11-14"
    docs = api_documents(sf.typed(facts), sf.config())
    updates = next(i for i in docs["incidents.json"]["incidents"] if i["id"] == "INC-101")["incident_updates"]
    assert (updates[0]["status"], updates[0]["created_at"]) == ("postmortem", "2026-11-14T00:00:00Z")
    inc["postmortem"]["published_on"] = None
    docs = api_documents(sf.typed(facts), sf.config())
    updates = next(i for i in docs["incidents.json"]["incidents"] if i["id"] == "INC-101")["incident_updates"]
    assert "postmortem" not in {u["status"] for u in updates}


def test_no_data_is_explained_by_the_stale_gap_not_an_old_closed_one():
    facts = sf.facts_dict(plant_gap=True)
    old = {
        "component": "rag-search",
        "kind": "missing_run",
        "priority": "P1",
        "amount": None,
        "start": "2026-09-01T00:00:00Z",
        "end": "2026-09-01T06:00:00Z",
        "specific": "AAA an old, closed gap",
        "sentence": "old",
    }
    stale = {
        "component": "rag-search", "kind": "stale", "priority": "P2", "amount": None,
        "start": "2026-11-20T00:00:00Z", "end": facts["as_of"],
        "specific": "ZZZ the latest data is from yesterday", "sentence": "stale",
    }  # fmt: skip
    facts["gaps"] = [old, stale]
    comps = {c["id"]: c for c in api_documents(sf.typed(facts), sf.config())["components.json"]["components"]}
    assert comps["rag-search"]["sentinel"]["specific"] == stale["specific"]
    assert comps["rag-search"]["sentinel"]["sentence"] == "stale"


def test_every_link_in_the_built_status_api_resolves_to_a_file(example_site) -> None:  # type: ignore[no-untyped-def]
    site = example_site[0]
    api = site / "status" / "api" / "v2"
    documents = sorted(api.rglob("*.json"))
    assert len(documents) >= 8
    checked = 0

    def links(node):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("url", "shortlink") and isinstance(value, str):
                    yield value
                else:
                    yield from links(value)
        elif isinstance(node, list):
            for value in node:
                yield from links(value)

    for document in documents:
        for link in links(json.loads(document.read_text(encoding="utf-8"))):
            target = (document.parent / link.split("#", 1)[0]).resolve()
            assert target.is_file() and site.resolve() in target.parents, (document.relative_to(site), link)
            checked += 1
    assert checked >= len(documents)  # every document has at least its page url
