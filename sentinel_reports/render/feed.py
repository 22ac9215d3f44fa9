"""The status history feed: Atom 1.0 (RFC 4287) entries for incidents and maintenance windows.

    xml = atom_feed(facts, config)      # status/history.atom

Built with ``xml.etree``, so every title and body is escaped by the serialiser; entry content is HTML
(``type="html"``), escaped once more inside the XML as Atom requires. Ids are ``urn:uuid:`` values derived
from the organisation and the incident or maintenance id (stable across builds, unique per entry); the
feed's ``updated`` is as-of. Links are absolute under ``site.base_url`` when configured, else relative to
the feed file (``incidents/<id>.html``). No cost figures: the status page and its feed carry none.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

from markupsafe import escape

from ..analysis.facts_model import Incident, Maintenance, PeriodFacts
from ..config import Config
from .formatting import duration_minutes, timestamp
from .status_common import file_ids, iso, maintenance_status, status_incidents

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_PATH = "status/history.atom"


def _urn(config: Config, *parts: str) -> str:
    name = "/".join(("sentinel-reports", config.organization, *parts))
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _names(config: Config, ids: list[str]) -> str:
    known = {c.id: c.name for c in config.components}
    return ", ".join(known.get(i, i) for i in ids) or "no component recorded"


def _incident_html(inc: Incident, config: Config) -> str:
    status = str(inc.status or "investigating")
    rows = [
        ("Severity", str(inc.severity or "not recorded")),
        ("Status", status.capitalize()),
        ("Components", _names(config, list(inc.components))),
        ("Started", timestamp(inc.started_at)),
        ("Resolved", timestamp(inc.resolved_at) if inc.resolved_at else "not yet resolved"),
        ("Duration", duration_minutes(inc.duration_minutes)),
        ("Customer impact", duration_minutes(inc.impact_minutes) if inc.customer_impact else "none"),
    ]
    parts = ["<dl>"] + [f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows] + ["</dl>"]
    updates = sorted(inc.updates, key=lambda u: u.at, reverse=True)
    if updates:
        parts.append("<h3>Updates</h3><ul>")
        for u in updates:
            word = str(u.status or "").capitalize()
            parts.append(
                f"<li><strong>{escape(word)}</strong> ({escape(timestamp(u.at))}): {escape(u.body or '')}</li>"
            )
        parts.append("</ul>")
    return "".join(parts)


def _maintenance_html(m: Maintenance, status: str, config: Config) -> str:
    rows = [
        ("Status", status.replace("_", " ").capitalize()),
        ("Components", _names(config, list(m.components))),
        ("Starts", timestamp(m.starts)),
        ("Ends", timestamp(m.ends)),
    ]
    return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows) + "</dl>"


def atom_feed(facts: PeriodFacts, config: Config) -> str:
    """The Atom document as text (UTF-8 declaration, trailing newline)."""
    as_of = iso(facts.as_of) or ""
    base = (config.site.base_url or "").rstrip("/")
    prefix = f"{base}/status/" if base else ""
    org = config.organization
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "en"})
    _sub(feed, "id", _urn(config, "status"))
    _sub(feed, "title", f"{org} status: incidents and maintenance")
    _sub(feed, "subtitle", "Internal status history from Sentinel Reports")
    _sub(feed, "updated", as_of)
    author = _sub(feed, "author")
    _sub(author, "name", org)
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{prefix}index.html")
    _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{prefix}history.atom")
    _sub(feed, "generator", "Sentinel Reports")

    entries: list[tuple[str, str, ET.Element]] = []
    incidents = status_incidents(facts)
    inc_files = file_ids(str(i.id) for i in incidents)
    for inc in incidents:
        times = [iso(t) for t in (inc.created_at, inc.started_at, inc.resolved_at)]
        times += [iso(u.at) for u in inc.updates]
        known = [t for t in times if t]
        updated = max(known) if known else as_of
        entry = ET.Element("entry")
        _sub(entry, "id", _urn(config, "incident", str(inc.id)))
        status = str(inc.status or "investigating")
        severity = str(inc.severity or "")
        _sub(entry, "title", f"[{severity}] {inc.title or inc.id} ({status})".strip())
        _sub(entry, "updated", updated)
        _sub(entry, "published", iso(inc.created_at or inc.started_at) or updated)
        _sub(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=f"{prefix}incidents/{inc_files[str(inc.id)]}.html",
        )
        for cid in inc.components:
            _sub(entry, "category", term=str(cid))
        _sub(entry, "content", _incident_html(inc, config), type="html")
        entries.append((updated, f"i:{inc.id}", entry))

    maintenance = list(facts.maintenance)
    m_files = file_ids(str(m.slug) for m in maintenance)
    for m in maintenance:
        status = maintenance_status(m, as_of)
        updated = min(t for t in (iso(m.starts), as_of) if t)
        entry = ET.Element("entry")
        _sub(entry, "id", _urn(config, "maintenance", str(m.slug)))
        word = status.replace("_", " ")
        _sub(entry, "title", f"[Maintenance] {m.title or m.slug} ({word})")
        _sub(entry, "updated", updated)
        _sub(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=f"{prefix}index.html#maintenance-{m_files[str(m.slug)]}",
        )
        for cid in m.components:
            _sub(entry, "category", term=str(cid))
        _sub(entry, "content", _maintenance_html(m, status, config), type="html")
        entries.append((updated, f"m:{m.slug}", entry))

    for _, _, entry in sorted(entries, key=lambda e: (e[0], e[1]), reverse=True):
        feed.append(entry)
    ET.indent(feed, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
