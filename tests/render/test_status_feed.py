"""The Atom history feed, read back with feedparser (a real feed client)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser

from sentinel_reports.render.feed import ATOM_NS, atom_feed
from sentinel_reports.render.status_common import safe_file_id


def _load_helper():
    spec = importlib.util.spec_from_file_location("status_facts", Path(__file__).with_name("status_facts.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sf = _load_helper()


def test_feedparser_reads_every_incident_and_maintenance_entry():
    xml = atom_feed(sf.facts(incident_mode=True), sf.config())
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Acme AI Platform status: incidents and maintenance"
    assert feed.feed.updated == sf.AS_OF
    assert feed.feed.id.startswith("urn:uuid:")
    titles = [e.title for e in feed.entries]
    assert len(feed.entries) == 5  # three incidents, two maintenance windows
    assert "[SEV1] Chat completions failing (identified)" in titles
    assert "[SEV2] Elevated 5xx on chat completions (resolved)" in titles
    assert "[Maintenance] Vector DB minor version upgrade (scheduled)" in titles
    assert "[Maintenance] Gateway certificate rotation (completed)" in titles
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    updated = [e.updated for e in feed.entries]
    assert updated == sorted(updated, reverse=True)
    inc101 = next(e for e in feed.entries if "Elevated 5xx" in e.title)
    assert inc101.updated == "2026-11-12T10:30:00Z"
    assert inc101.link == "incidents/INC-101.html"
    assert inc101.content[0].type == "text/html"
    assert "Rollout reverted" in inc101.content[0].value and "50 min" in inc101.content[0].value


def test_hostile_text_is_escaped_and_ids_are_safe_in_links():
    xml = atom_feed(sf.facts(), sf.config())
    assert "<script>" not in xml and "<b>drained" not in xml
    root = ET.fromstring(xml.encode("utf-8"))
    entries = root.findall(f"{{{ATOM_NS}}}entry")
    hostile = next(e for e in entries if "Elevated errors" in e.findtext(f"{{{ATOM_NS}}}title"))
    assert hostile.findtext(f"{{{ATOM_NS}}}title").startswith('[SEV3] <script>alert("x")</script>')
    content = hostile.findtext(f"{{{ATOM_NS}}}content")
    assert "Queue &lt;b&gt;drained&lt;/b&gt;" in content  # HTML-escaped once inside the html content
    link = hostile.find(f"{{{ATOM_NS}}}link").get("href")
    assert link == f"incidents/{safe_file_id(sf.UNSAFE_ID)}.html" and ".." not in link


def test_base_url_links_ids_stable_and_deterministic():
    config = sf.config().model_copy(
        update={"site": sf.config().site.model_copy(update={"base_url": "https://status.example.com"})}
    )
    first, second = atom_feed(sf.facts(), config), atom_feed(sf.facts(), config)
    assert first == second
    feed = feedparser.parse(first)
    assert not feed.bozo
    assert all(e.link.startswith("https://status.example.com/status/") for e in feed.entries)
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == "https://status.example.com/status/history.atom"
    later = sf.facts().model_copy(update={"as_of": dt.datetime(2026, 11, 30, tzinfo=dt.UTC)})
    ids_now = {e.id for e in feed.entries}
    assert ids_now == {e.id for e in feedparser.parse(atom_feed(later, config)).entries}


def test_feed_carries_no_cost_figures():
    xml = atom_feed(sf.facts(), sf.config())
    assert "$" not in xml and "9,000" not in xml and "9000" not in xml
