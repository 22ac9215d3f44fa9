"""Publishing the status page: HTML, incident pages, Atom feed, badges and the Statuspage v2 JSON.

    publish_status(site_writer, facts, env, config, content)

writes, under ``status/``:

    index.html                          the status page (render.status_page)
    incidents/<id>.html                 one page per incident in the facts
    history.atom                        incidents and maintenance (render.feed)
    badges/<component>.svg              one badge per component (render.badges)
    api/v2/summary.json, status.json, components.json, incidents.json, scheduled-maintenances.json,
    api/v2/incidents/unresolved.json, api/v2/scheduled-maintenances/{upcoming,active}.json

Ids from exports become file names only through ``render.status_common.file_ids`` (``[A-Za-z0-9._-]``,
no ``..``); the site writer refuses anything that would still escape ``site/``. The stylesheets are the
theme's static files, written by whoever writes ``static/`` for the whole site (``render.environment
.static_files``). Rendering happens before the first write, so a failure leaves nothing half-written.
"""

from __future__ import annotations

from typing import Any, Protocol

from jinja2 import Environment

from ..analysis.facts_model import PeriodFacts
from ..config import Config
from ..render.badges import badge_svg
from ..render.feed import FEED_PATH, atom_feed
from ..render.status_api import api_documents, dumps
from ..render.status_common import API_DIR, file_ids
from ..render.status_incident import render_incident_pages
from ..render.status_page import PAGE_PATH, render_status_page


class TextWriter(Protocol):
    def write_text(self, rel_path: str, text: str) -> Any: ...


def status_outputs(
    facts: PeriodFacts, env: Environment, config: Config, content: Any = None
) -> dict[str, str]:
    """Every status file by its site path, rendered but not written (sorted by path)."""
    outputs: dict[str, str] = {PAGE_PATH: render_status_page(env, facts, config, content)}
    outputs.update(render_incident_pages(env, facts, config, content))
    outputs[FEED_PATH] = atom_feed(facts, config)
    components = list(facts.components)
    badge_files = file_ids(str(c.id) for c in components)
    for c in components:
        name = str(c.name or c.id)
        outputs[f"status/badges/{badge_files[str(c.id)]}.svg"] = badge_svg(c.status, label=name, title=name)
    for name, document in api_documents(facts, config).items():
        outputs[f"{API_DIR}/{name}"] = dumps(document)
    return dict(sorted(outputs.items()))


def publish_status(
    site_writer: TextWriter, facts: PeriodFacts, env: Environment, config: Config, content: Any = None
) -> None:
    """Render every status output, then write them through ``site_writer``."""
    for path, text in status_outputs(facts, env, config, content).items():
        site_writer.write_text(path, text)
