"""One page per incident (``status/incidents/<safe id>.html``): timeline, impact, updates and postmortem.

    pages = render_incident_pages(env, facts, config, content)     # {"status/incidents/<id>.html": html}

The postmortem body is the markdown of ``content/postmortems/<slug>.md`` for the incident, rendered by
``render.markdown`` with raw HTML off; the source record link is kept only when it is a safe link. Business
impact (money) is left out: the status pages carry no cost figures.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from ..analysis.facts_model import PeriodFacts
from ..config import Config
from .environment import render_page
from .markdown import is_safe_link, render_markdown
from .status_common import file_ids, iso, status_incidents
from .status_page import component_names, incident_view


def postmortem_markdown(content: Any, incident_id: str) -> str | None:
    """The markdown body of the postmortem for ``incident_id`` in the loaded content, if any."""
    if content is None:
        return None
    items = content.get("postmortems") if isinstance(content, dict) else getattr(content, "postmortems", None)
    if isinstance(items, dict):
        items = [
            items[k]
            for k in sorted(items)
            if str(getattr(items[k], "incident", k)) == incident_id or k == incident_id
        ]
    for pm in sorted(items or [], key=lambda p: str(_field(p, "slug") or "")):
        if str(_field(pm, "incident")) == incident_id:
            body = _field(pm, "body") or _field(pm, "markdown") or _field(pm, "text")
            return str(body) if body else None
    return None


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def render_incident_pages(
    env: Environment, facts: PeriodFacts, config: Config, content: Any = None
) -> dict[str, str]:
    """Every incident's page by its site path, ``status/incidents/<safe id>.html``."""
    names = component_names(config, facts)
    raw = status_incidents(facts)
    files = file_ids(str(i.id) for i in raw)
    pages = {}
    for inc in raw:
        item = incident_view(inc, names, files)
        body = postmortem_markdown(content, item["id"])
        path = f"status/incidents/{files[item['id']]}.html"
        source_url = inc.url if inc.url and is_safe_link(str(inc.url)) else None
        pages[path] = render_page(
            env,
            "status_incident.html",
            page_path=path,
            title=f"{item['severity']}: {item['title']}",
            site_title=config.site.title or config.organization,
            as_of=iso(facts.as_of),
            inc=item,
            raw=inc,
            postmortem_html=render_markdown(body, remote_images=bool(env.globals.get("remote_images")))
            if body
            else None,
            source_url=source_url,
            nav=[{"href": "status/index.html", "label": "Status"}],
        )
    return pages
