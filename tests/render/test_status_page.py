"""The status page HTML: order, bars, gaps, escaping, no JavaScript and no cost figures."""

from __future__ import annotations

import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from sentinel_reports.analysis.facts_model import Summary
from sentinel_reports.render.environment import make_environment
from sentinel_reports.render.status_common import safe_file_id
from sentinel_reports.render.status_incident import render_incident_pages
from sentinel_reports.render.status_page import render_status_page, summary_line


def _load_helper():
    spec = importlib.util.spec_from_file_location("status_facts", Path(__file__).with_name("status_facts.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sf = _load_helper()
_pf = sf._pf


class Tree(HTMLParser):
    """Collects elements with attributes and their text, enough to query bars and cells."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[dict] = []
        self.elements: list[dict] = []

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "children": []}
        if self.stack:
            self.stack[-1]["children"].append(el)
        self.elements.append(el)
        if tag not in ("meta", "link", "br", "img", "input"):
            self.stack.append(el)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for el in self.stack:
            el["text"] += data


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    return tree


@pytest.fixture(scope="module")
def env():
    return make_environment(None)


def bars(tree: Tree) -> dict[str, list[dict]]:
    out = {}
    for el in tree.elements:
        if el["tag"] == "li" and "component" in el["attrs"].get("class", "").split():
            bar = next(c for c in el["children"] if c["tag"] == "ol")
            out[el["attrs"]["id"]] = [li for li in bar["children"] if li["tag"] == "li"]
    return out


def test_page_is_internal_static_and_has_no_cost(env):
    html = render_status_page(env, sf.facts(), sf.config())
    assert re.search(r'<meta name="robots" content="noindex[^"]*">', html)
    assert "<script" not in html.lower()
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)
    assert "javascript:" not in html.lower()
    for figure in ("$", "48,211", "1,234", "9,000", "USD"):
        assert figure not in html, figure
    assert 'href="../static/status.css"' in html and 'href="../static/sentinel.css"' in html


def test_every_component_has_a_90_day_bar_in_group_order(env):
    tree = parse(render_status_page(env, sf.facts(), sf.config()))
    found = bars(tree)
    assert list(found) == [
        "component-chat-api",
        "component-rag-search",
        "component-embeddings",
        "component-batch-evals",
    ]
    assert all(len(cells) == 90 for cells in found.values())
    headings = [el["text"] for el in tree.elements if el["tag"] == "h3"]
    assert headings.index("Customer-facing") < headings.index("Internal")
    first = found["component-chat-api"][0]["text"]
    assert first.startswith("2026-08-25: Operational") and "uptime 99.95%" in first
    outage = found["component-chat-api"][80]
    assert (
        outage["attrs"]["class"] == "p" and "INC-101" in outage["text"] and "Partial outage" in outage["text"]
    )


def test_planted_gap_is_never_operational_on_the_page(env):
    html = render_status_page(env, sf.facts(plant_gap=True), sf.config())
    tree = parse(html)
    cells = bars(tree)["component-rag-search"]
    for cell in cells[-7:]:
        assert cell["attrs"]["class"] == "g"
        assert "Observability gap" in cell["text"] and "Operational" not in cell["text"]
    assert all(c["attrs"]["class"] == "o" for c in cells[:-7])
    row = next(el for el in tree.elements if el["attrs"].get("id") == "component-rag-search")
    badge = next(el for el in row["children"][0]["children"] if "status" in el["attrs"].get("class", ""))
    assert "status-no_data" in badge["attrs"]["class"] and "Observability gap" in badge["text"]
    details = next(el for el in row["children"] if el["tag"] == "details")
    assert "7 of 90 days not operational, 7 with an observability gap" in details["text"]
    assert details["text"].count("2026-11-") >= 7
    summary = next(el for el in tree.elements if "summary-line" in el["attrs"].get("class", ""))
    assert "Unknown" in summary["text"] and "unknown (observability gap)" in summary["text"]


def test_missing_uptime_and_latency_read_no_data_never_100(env):
    tree = parse(render_status_page(env, sf.facts(), sf.config()))
    row = next(el for el in tree.elements if el["attrs"].get("id") == "component-embeddings")
    assert "no data uptime" in " ".join(row["text"].split())
    assert "100%" not in row["text"] and "100.00%" not in row["text"]
    assert "p95 latency" in row["text"] and "no data" in row["text"]
    assert "90 of 90 days not operational, 90 with an observability gap" in row["text"]


def test_gaps_section_orders_by_priority_and_skips_spend(env):
    tree = parse(render_status_page(env, sf.facts(), sf.config()))
    section = next(
        el for el in tree.elements if el["tag"] == "section" and "gap-panel" in el["attrs"].get("class", "")
    )
    items = [li["text"] for ol in section["children"] if ol["tag"] == "ol" for li in ol["children"]]
    assert len(items) == 2
    assert items[0].startswith("P1") and "RAG Search" in items[0] and "Current observability gap:" in items[0]
    assert items[1].startswith("P2") and "with priority P2." in items[1]
    assert "spend" not in section["text"]


def test_incident_mode_banner_comes_first(env):
    html = render_status_page(env, sf.facts(incident_mode=True), sf.config())
    banner = html.index('class="incident-banner"')
    assert banner < html.index("<main") and banner < html.index("summary-line")
    text = " ".join(
        parse(html[banner : html.index("</div>", html.index("Next update"))]).elements[0]["text"].split()
    )
    assert "Assistant Chat API" in text
    assert "2026-11-22 22:40 UTC" in text
    assert "Failing over inference to the secondary region." in text
    assert "2026-11-23 00:30 UTC" in text
    assert 'href="incidents/INC-200.html"' in html
    calm = render_status_page(env, sf.facts(), sf.config())
    assert 'class="incident-banner"' not in calm


def test_active_incidents_history_and_escaping(env):
    html = render_status_page(env, sf.facts(), sf.config())
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Queue &lt;b&gt;drained&lt;/b&gt;; watching." in html
    assert f'href="incidents/{safe_file_id(sf.UNSAFE_ID)}.html"' in html
    assert "../../etc/passwd.html" not in html
    active = html[html.index('id="active-incidents"') : html.index('id="maintenance"')]
    assert "Elevated errors" in active and "Elevated 5xx" not in active
    history = html[html.index('id="history"') :]
    assert history.index("Elevated errors") < history.index("Elevated 5xx")
    maintenance = html[html.index('id="maintenance"') : html.index('id="observability-gaps"')]
    assert "Vector DB minor version upgrade" in maintenance and "certificate rotation" not in maintenance


def test_incident_page_timeline_postmortem_and_no_money(env):
    content = SimpleNamespace(
        postmortems=(
            SimpleNamespace(
                incident="INC-101",
                slug="inc-101",
                body="## What happened\n\nThe gateway pool <script>alert(1)</script> was exhausted.\n\n[x](javascript:alert(1))",
            ),
        )
    )
    pages = render_incident_pages(env, sf.facts(), sf.config(), content)
    assert set(pages) == {
        "status/incidents/INC-101.html",
        f"status/incidents/{safe_file_id(sf.UNSAFE_ID)}.html",
    }
    html = pages["status/incidents/INC-101.html"]
    assert re.search(r'<meta name="robots" content="noindex', html)
    assert "<h2>What happened</h2>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert not re.search(r"href=[\"']?\s*javascript:", html, re.I)  # the source url and the markdown link
    assert "2026-11-12 09:10 UTC" in html and "50 min" in html and "1 h 26 min" in html
    assert "Add a circuit breaker on the model gateway" in html and "Overdue" in html
    assert "$" not in html and "9,000" not in html
    assert 'href="../../static/status.css"' in html


def test_summary_line_shape():
    line = summary_line(
        Summary.model_validate(
            _pf.complete(
                Summary,
                {
                    "status": "Degraded",
                    "budget_remaining": 0.41,
                    "active_alerts": 3,
                    "informational_alerts": 2,
                },
            )
        )
    )
    assert (
        line
        == "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)"
    )
    gap = summary_line(
        Summary.model_validate(
            _pf.complete(
                Summary,
                {
                    "status": "Unknown",
                    "budget_remaining": None,
                    "active_alerts": 1,
                    "informational_alerts": 0,
                },
            )
        )
    )
    assert "Error budget remaining: unknown (observability gap) | 1 active alert (0 informational)" in gap


def test_maintenance_body_from_content_is_rendered_safely(env):
    content = SimpleNamespace(
        maintenance=(
            SimpleNamespace(
                slug="db-upgrade", body="Read-only for **5 minutes** <img src=x onerror=alert(1)>."
            ),
        )
    )
    html = render_status_page(env, sf.facts(), sf.config(), content)
    section = html[html.index('id="maintenance"') : html.index('id="observability-gaps"')]
    assert "<strong>5 minutes</strong>" in section
    assert "<img" not in section and "&lt;img" in section


def test_history_label_states_what_the_incident_list_covers(env):
    facts = sf.facts_dict()
    facts["components"][0]["days"][10]["incidents"] = ["INC-099"]
    html = render_status_page(env, sf.typed(facts), sf.config())
    assert "Incident history (last 90 days)" in html
    assert "Incidents named in the day bars that fall outside this list: INC-099." in html
    assert 'href="incidents/INC-099.html"' not in html  # no link to a page that is not published


def test_a_day_not_operational_without_an_incident_says_which_objective_it_missed(env):
    """'Degraded, uptime 100.00%' with no incident and no note left the reader to guess why."""
    data = sf.facts_dict()
    chat = next(c for c in data["components"] if c["id"] == "chat-api")
    data["slos"].append({**data["slos"][0], "name": "chat-api-latency", "objective": 0.99, "sli": "latency"})
    chat["days"][70].update(status="degraded_performance", uptime=1.0, below=["chat-api-latency"])
    chat["days"][71].update(status="degraded_performance", uptime=1.0, below=["retired-slo"])
    tree = parse(render_status_page(env, sf.typed(data), sf.config()))
    cells = bars(tree)["component-chat-api"]
    assert cells[70]["text"].endswith("uptime 100.00%, chat-api-latency under objective")
    assert "under objective" not in cells[69]["text"]
    rows = [el for el in tree.elements if el["tag"] == "tr" and chat["days"][70]["date"] in el["text"]]
    assert rows and "chat-api-latency under its 99.00% objective" in rows[0]["text"]
    rows = [el for el in tree.elements if el["tag"] == "tr" and chat["days"][71]["date"] in el["text"]]
    assert rows and "retired-slo under objective" in rows[0]["text"]  # no longer among the SLOs
