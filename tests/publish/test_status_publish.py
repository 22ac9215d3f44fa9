"""publish_status: every output path, the real site writer, and a planted gap checked end to end."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

from sentinel_reports.analysis.facts import week_facts
from sentinel_reports.config import Config
from sentinel_reports.model import Dataset, conform, empty_frame
from sentinel_reports.publish.site import SiteWriter
from sentinel_reports.publish.status import publish_status
from sentinel_reports.render.environment import make_environment
from sentinel_reports.render.status_common import safe_file_id


def _load_helper():
    path = Path(__file__).parents[1] / "render" / "status_facts.py"
    spec = importlib.util.spec_from_file_location("status_facts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sf = _load_helper()
API = "status/api/v2/"
EXPECTED_API = {
    "summary.json", "status.json", "components.json", "incidents.json", "incidents/unresolved.json",
    "scheduled-maintenances.json", "scheduled-maintenances/upcoming.json", "scheduled-maintenances/active.json",
}  # fmt: skip


class MemoryWriter:
    """A site writer that keeps files in memory and refuses a path written twice, like SiteWriter."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}

    def write_text(self, rel_path: str, text: str) -> None:
        assert rel_path not in self.files, rel_path
        self.files[rel_path] = text


@pytest.fixture(scope="module")
def env():
    return make_environment(None)


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(
        resources.files("sentinel_reports").joinpath("schemas/statuspage-v2.schema.json").read_text()
    )


def test_publish_writes_every_status_output(env):
    writer = MemoryWriter()
    publish_status(writer, sf.facts(), env, sf.config(), None)
    expected = {
        "status/index.html",
        "status/history.atom",
        "status/incidents/INC-101.html",
        f"status/incidents/{safe_file_id(sf.UNSAFE_ID)}.html",
        *(f"status/badges/{c}.svg" for c in ("chat-api", "rag-search", "embeddings", "batch-evals")),
        *(API + name for name in EXPECTED_API),
    }
    assert set(writer.files) == expected
    for path in writer.files:
        assert re.fullmatch(r"status(/[A-Za-z0-9][A-Za-z0-9._-]*)+", path) and ".." not in path


def test_real_site_writer_and_byte_identical_rebuild(env, tmp_path):
    outputs = []
    for name in ("one", "two"):
        with SiteWriter(tmp_path / name) as site:
            publish_status(site, sf.facts(incident_mode=True), env, sf.config(), None)
        outputs.append(
            {
                p.relative_to(tmp_path / name).as_posix(): p.read_bytes()
                for p in (tmp_path / name).rglob("*")
                if p.is_file()
            }
        )
    assert outputs[0] == outputs[1]
    assert "status/index.html" in outputs[0] and "robots.txt" in outputs[0]
    assert not (tmp_path / "etc").exists() and not (tmp_path / "one" / "etc").exists()


@pytest.mark.parametrize("strict", [False, True])
def test_planted_week_without_data_is_not_operational_anywhere(env, schema, strict):
    writer = MemoryWriter()
    publish_status(writer, sf.facts(plant_gap=True), env, sf.config(strict_enums=strict), None)
    files = writer.files
    # JSON: no_data with the extension (degraded_performance under strict enums); indicator not none
    for name in EXPECTED_API:
        jsonschema.validate(json.loads(files[API + name]), schema)
    summary = json.loads(files[API + "summary.json"])
    rag = next(c for c in summary["components"] if c["id"] == "rag-search")
    assert rag["status"] == ("degraded_performance" if strict else "no_data")
    assert rag["sentinel"]["observability_gap"] is True
    assert summary["status"]["indicator"] != "none"
    # badge: grey "no data ?"
    badge = ET.fromstring(files["status/badges/rag-search.svg"])
    texts = [t.text for t in badge.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[1] == "no data ?" and "operational" not in files["status/badges/rag-search.svg"]
    # HTML: the component's state and its last 7 day cells
    html = files["status/index.html"]
    row = html[html.index('id="component-rag-search"') : html.index('id="component-embeddings"')]
    head = row[: row.index('<ol class="bar"')]
    assert "status-no_data" in head and "Operational" not in head
    cells = re.findall(r'<li class="([a-z ]+)"><span>([^<]*)</span></li>', row)
    assert len(cells) == 90
    assert all(cls == "g" and "Observability gap" in text for cls, text in cells[-7:])


def _tiny_project() -> tuple[Dataset, Config, dt.datetime]:
    """Hourly request counts for 91 days; rag-search stops reporting 7 days before as-of."""
    as_of = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    ts = pd.date_range(as_of - dt.timedelta(days=91), as_of - dt.timedelta(hours=1), freq="1h", tz="UTC")
    frames = []
    for component, stop in (("chat-api", as_of), ("rag-search", as_of - dt.timedelta(days=7))):
        kept = ts[ts < stop]
        total = np.full(len(kept), 1000.0)
        for signal, values in (("requests_total", total), ("requests_good", total - 1)):
            frames.append(
                pd.DataFrame(
                    {"ts": kept, "component": component, "signal": signal, "value": values, "source": "prom"}
                )
            )
    samples = conform("samples", pd.concat(frames, ignore_index=True))
    dataset = Dataset(samples, empty_frame("costs"), empty_frame("evals"), (), ())
    config = Config.model_validate(
        {
            "organization": "Tiny Platform",
            "components": [
                {"id": "chat-api", "name": "Chat API", "group": "Customer-facing", "customer_facing": True, "tier": 1, "owner": "Chat team", "expects": ["availability"]},
                {"id": "rag-search", "name": "RAG Search", "group": "Customer-facing", "customer_facing": True, "tier": 1, "owner": "Retrieval team", "expects": ["availability"]},
            ],
            "slos": [
                {"name": "chat-api-availability", "component": "chat-api", "objective": 0.99, "window": "28d", "indicator": {"ratio": {}}},
                {"name": "rag-search-availability", "component": "rag-search", "objective": 0.99, "window": "28d", "indicator": {"ratio": {}}},
            ],
        }
    )  # fmt: skip
    return dataset, config, as_of


def test_real_facts_from_a_tiny_dataset(env, schema):
    dataset, config, as_of = _tiny_project()
    facts = week_facts(dataset, None, config, "2026-W47", as_of)
    writer = MemoryWriter()
    publish_status(writer, facts, env, config, None)
    summary = json.loads(writer.files[API + "summary.json"])
    jsonschema.validate(summary, schema)
    statuses = {c["id"]: c["status"] for c in summary["components"] if not c["group"]}
    assert statuses == {"chat-api": "operational", "rag-search": "no_data"}
    assert summary["status"]["indicator"] != "none"
    html = writer.files["status/index.html"]
    chat = html[html.index('id="component-chat-api"') : html.index('id="component-rag-search"')]
    assert "99.90%" in chat  # 999 good of 1000 per hour
    rag = html[html.index('id="component-rag-search"') :]
    cells = re.findall(r'<li class="([a-z ]+)"><span>([^<]*)</span></li>', rag)[:90]
    assert [cls for cls, _ in cells[-7:]] == ["g"] * 7
    assert "Current observability gap:" in html[html.index('id="observability-gaps"') :]
    assert "no data ?" in writer.files["status/badges/rag-search.svg"]
