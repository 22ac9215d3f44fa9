"""The status API as real Statuspage clients read it, over HTTP from a 127.0.0.1 server this test starts:

- every document validates against the JSON Schema shipped in the package
  (sentinel_reports/schemas/statuspage-v2.schema.json);
- statuspage-prometheus-exporter (PyPI), a Statuspage v2 summary poller, runs once against summary.json and
  its Prometheus metrics carry the page's status, every component, the open incident and the maintenance;
- every link the documents hold (and the exporter copies into its labels) is fetched from the server.

The project has `site.base_url` set to the server's address, as a published site would, so the links are
absolute. The exporter runs as its own process (its console script), with its cache in a temporary folder.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from sentinel_reports.pipeline import build_site
from tests.conftest import make_example_project

DOCUMENTS = ["summary.json", "status.json", "components.json", "incidents.json", "incidents/unresolved.json",
             "scheduled-maintenances.json", "scheduled-maintenances/active.json",
             "scheduled-maintenances/upcoming.json"]  # fmt: skip
OPEN_INCIDENT = (
    "INC-002,Knowledge search timeouts after an index rebuild,SEV3,identified,retrieval,"
    "2026-11-22T20:00:00Z,2026-11-22T20:04:00Z,2026-11-22T20:10:00Z,,,true"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example project's site, with one open incident, served at http://127.0.0.1:<port>/."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    project = make_example_project(tmp_path_factory.mktemp("statuspage") / "project")
    incidents = project / "data" / "incidents" / "incidents.csv"
    incidents.write_text(incidents.read_text(encoding="utf-8").rstrip("\n") + "\n" + OPEN_INCIDENT + "\n")
    config = yaml.safe_load((project / "sentinel.yaml").read_text(encoding="utf-8"))
    config["site"] = {**(config.get("site") or {}), "base_url": base}
    (project / "sentinel.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    site = project / "site"
    build_site(project, site, only="status")
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _get(url: str) -> tuple[int, bytes]:
    assert url.startswith("http://127.0.0.1:"), url
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the test's loopback server
        return response.status, response.read()


def _api(base: str, name: str) -> dict:
    status, body = _get(f"{base}status/api/v2/{name}")
    assert status == 200
    return json.loads(body)


def test_every_served_document_validates_against_the_shipped_schema(served: str) -> None:
    schema = json.loads(
        resources.files("sentinel_reports").joinpath("schemas/statuspage-v2.schema.json").read_text("utf-8")
    )
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for name in DOCUMENTS:
        doc = _api(served, name)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, (name, [f"{list(e.path)}: {e.message}" for e in errors[:5]])
    summary = _api(served, "summary.json")
    assert [i["id"] for i in summary["incidents"]] == ["INC-002"]
    broken = {**summary, "status": {**summary["status"], "indicator": "purple"}}
    assert list(validator.iter_errors(broken)), "the schema must reject an unknown indicator"


def _exporter() -> str:
    script = Path(sys.executable).with_name("statuspage-prometheus-exporter")
    if not script.exists():
        pytest.fail(
            "statuspage-prometheus-exporter is missing; install the test extras: pip install -e '.[test]'"
        )
    return str(script)


@pytest.fixture(scope="module")
def metrics(served: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[dict, float]]]:
    """The exporter's metrics after one pass over summary.json: name -> [(labels, value)]."""
    work = tmp_path_factory.mktemp("exporter")
    (work / "services.json").write_text(
        json.dumps({"sentinel": {"url": f"{served}status/api/v2/summary.json", "name": "Example AI Team"}})
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SLACK_WEBHOOK_URL", "HTTP_PROXY", "HTTPS_PROXY")}
    env.update(RUN_MODE="once", SERVICES_JSON_PATH="services.json", METRICS_TEXTFILE_PATH="out.prom",
               NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")  # fmt: skip
    run = subprocess.run([_exporter()], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    out: dict[str, list[tuple[dict, float]]] = {}
    for line in (work / "out.prom").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(statuspage_\w+)\{(.*)\} (\S+)$", line)
        if m:
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
            out.setdefault(m.group(1), []).append((labels, float(m.group(3))))
    return out


def test_the_exporter_reads_status_components_incident_and_maintenance(served: str, metrics: dict) -> None:
    summary = _api(served, "summary.json")
    assert metrics["statuspage_probe_check"][0][1] == 1.0
    operational = summary["status"]["indicator"] == "none"
    assert metrics["statuspage_service_status"][0][1] == (1.0 if operational else 0.0)
    components = {labels["component_name"]: value for labels, value in metrics["statuspage_component_status"]}
    assert components == {
        c["name"]: (1.0 if c["status"] == "operational" else 0.0) for c in summary["components"]
    }
    incident = next(labels for labels, value in metrics["statuspage_incident_info"] if value == 1.0)
    assert incident["incident_id"] == "INC-002"
    assert incident["incident_name"] == "Knowledge search timeouts after an index rebuild"
    assert incident["started_at"] == summary["incidents"][0]["started_at"]
    maintenances = [labels for labels, value in metrics["statuspage_maintenance_info"] if value == 1.0]
    assert [m["maintenance_id"] for m in maintenances] == [m["id"] for m in summary["scheduled_maintenances"]]


def test_every_link_the_clients_copy_resolves_on_the_server(served: str, metrics: dict) -> None:
    links = {
        labels["shortlink"]
        for name in ("statuspage_incident_info", "statuspage_maintenance_info")
        for labels, value in metrics[name]
        if value == 1.0
    }
    for name in DOCUMENTS:
        doc = _api(served, name)
        links.add(doc["page"]["url"])
        links.update(i["shortlink"] for i in doc.get("incidents", []) + doc.get("scheduled_maintenances", []))
    assert len(links) >= 3
    for link in sorted(links):
        assert link.startswith(served), link
        status, body = _get(link.split("#", 1)[0])
        assert status == 200 and body, link


NODE_CLIENTS = Path(__file__).resolve().parents[1] / "node"


def test_the_npm_statuspage_client_reads_every_endpoint(served: str) -> None:
    """npm `statuspage.io` (3.3.8, the last release that ships its code), pointed at the server by its
    setApiUrl; `make test` installs it into tests/node/node_modules with `npm ci`."""
    node = shutil.which("node")
    if not node or not (NODE_CLIENTS / "node_modules" / "statuspage.io").is_dir():
        pytest.fail(
            "the npm statuspage.io client is missing; run `npm ci --prefix tests/node` (or `make test`)"
        )
    run = subprocess.run(
        [node, str(NODE_CLIENTS / "statuspage-client.js"), f"{served}status"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    read = json.loads(run.stdout)
    assert read["summary"] == _api(served, "summary.json")
    assert read["status"] == _api(served, "status.json")
    assert read["components"] == _api(served, "components.json")
    assert read["incidents"] == _api(served, "incidents.json")
    assert read["unresolved"] == _api(served, "incidents/unresolved.json")
    assert read["maintenances"] == _api(served, "scheduled-maintenances.json")
    assert read["upcoming"] == _api(served, "scheduled-maintenances/upcoming.json")
    assert [i["id"] for i in read["unresolved"]["incidents"]] == ["INC-002"]
    assert read["status"]["status"]["description"] in (
        "All Systems Operational", "Minor Service Outage", "Partial System Outage", "Major Service Outage",
        "Partially Degraded Service", "Service Under Maintenance",
    )  # fmt: skip
