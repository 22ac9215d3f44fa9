"""Publishing the weekly brief: every file of one week, rendered once and reused while nothing changed.

    files = week_files(env, facts, narrative, config, history=points, renderer=charts, cache=outputs)
    write_week(site, facts, files)            briefs/<week>/{index.html, brief.pdf, brief.eml, brief.md,
                                              showback.csv} and evidence/<week>/facts.json
    message = email_message(files["brief.eml"])            the .eml back as an EmailMessage, for SMTP

The files of a week depend only on its facts, its narrative, the KPI history, which other publications
exist (links), the configuration, the project templates and this package's code: their digest is the cache
key (``page_key``), so a rebuild with unchanged inputs copies the previous bytes instead of rendering and
running WeasyPrint again. Only verified narratives reach this module (pipeline.build_site checks them first).
"""

from __future__ import annotations

import datetime as dt
import email
import json
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError

from ..analysis.facts import json_dumps_facts
from ..errors import PublishError
from ..render.brief import render_brief
from ..render.charts import ChartRenderer
from ..render.environment import THEME_DIR
from .cache import BRIEF_CODE, OutputCache, code_digest, digest, tree_digest
from .email import EMAIL_POLICY, build_email, to_bytes

FILES = ("index.html", "brief.pdf", "brief.eml", "brief.md", "showback.csv")
DEFAULT_SENDER = "Sentinel Reports <sentinel-reports@localhost>"
UNDISCLOSED = "undisclosed-recipients:;"


def _as_of(facts: Mapping[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(facts["as_of"]).replace("Z", "+00:00"))


def page_key(
    facts_text: str,
    narrative: Any,
    config: Any,
    *,
    history: Sequence[Mapping[str, Any]],
    links: Mapping[str, bool],
    project_templates: Path | None,
) -> str:
    """Digest of everything a week's files are made from."""
    narrative_json = json.dumps(narrative.as_dict(), sort_keys=True, ensure_ascii=False)
    return digest(
        "brief-v1", facts_text, narrative_json, json.dumps(list(history), sort_keys=True),
        json.dumps(dict(links), sort_keys=True), config.model_dump_json(), code_digest(BRIEF_CODE),
        tree_digest(project_templates) if project_templates else "",
    )  # fmt: skip


def render_week(
    env: Environment,
    facts: Mapping[str, Any],
    narrative: Any,
    config: Any,
    *,
    history: Sequence[Mapping[str, Any]],
    renderer: ChartRenderer,
    links: Mapping[str, bool],
    project_templates: Path | None = None,
    standalone: bool = False,
) -> dict[str, bytes]:
    """Render the week's files (no cache): web page, PDF, email, markdown and showback CSV."""
    try:
        brief = render_brief(
            env, facts, narrative, config, history=history, renderer=renderer, links=links,
            project_templates=project_templates, standalone=standalone,
        )  # fmt: skip
    except TemplateError as exc:
        raise PublishError(f"brief {facts['period']}: template error: {exc}") from None
    as_of = _as_of(facts)
    title = f"{facts.get('organization') or config.organization} · Weekly brief {facts['period']}"
    paper = config.site.paper
    from .pdf import html_to_pdf  # WeasyPrint takes about a second to import: only on use

    pdf = html_to_pdf(
        brief.pdf_html, THEME_DIR, as_of=as_of, title=title, paper=paper, author="Sentinel Reports",
        page_path=f"briefs/{facts['period']}/brief.pdf", link_base=config.site.base_url,
    )  # fmt: skip
    mail = config.email
    sender = mail.from_ if mail is not None else DEFAULT_SENDER
    domain = parseaddr(sender)[1].rpartition("@")[2] or "sentinel-reports.invalid"
    message = build_email(
        subject=brief.subject, html=brief.email_html, text=brief.text, images=brief.images,
        attachments=[(f"brief-{facts['period']}.pdf", "application/pdf", pdf)], sender=sender,
        to=list(mail.to) if mail is not None and mail.to else [UNDISCLOSED], date=as_of, message_id_domain=domain,
    )  # fmt: skip
    return {
        "index.html": brief.html.encode("utf-8"),
        "brief.pdf": pdf,
        "brief.eml": to_bytes(message),
        "brief.md": brief.markdown.encode("utf-8"),
        "showback.csv": brief.showback_csv.encode("utf-8"),
    }


def week_files(
    env: Environment,
    facts: Mapping[str, Any],
    narrative: Any,
    config: Any,
    *,
    history: Sequence[Mapping[str, Any]],
    renderer: ChartRenderer,
    links: Mapping[str, bool],
    cache: OutputCache,
    project_templates: Path | None = None,
    facts_text: str | None = None,
) -> dict[str, bytes]:
    """The week's files from the cache when their inputs are unchanged, else rendered and stored."""
    facts_text = facts_text if facts_text is not None else json_dumps_facts(facts)
    key = page_key(
        facts_text, narrative, config, history=history, links=links, project_templates=project_templates
    )
    files = cache.get_files("pages", key)
    if files is None or set(files) != set(FILES):
        files = render_week(
            env, facts, narrative, config, history=history, renderer=renderer, links=links,
            project_templates=project_templates,
        )  # fmt: skip
        cache.put_files("pages", key, files)
    return files


def write_week(site: Any, week: str, files: Mapping[str, bytes], facts_text: str) -> None:
    """Write one week's brief files and its evidence through the site writer."""
    for name in FILES:
        site.write_bytes(f"briefs/{week}/{name}", files[name])
    site.write_text(f"evidence/{week}/facts.json", facts_text)


def email_message(eml: bytes) -> EmailMessage:
    """An .eml file back as a message object (for sending), in the policy it was written with."""
    message = email.message_from_bytes(eml, policy=EMAIL_POLICY)
    assert isinstance(message, EmailMessage)
    return message


def describe_message(message: EmailMessage, recipients: Sequence[str], size: int) -> list[str]:
    """What `sentinel send --dry-run` prints: recipients, subject, size and parts."""
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename() or part.get("Content-ID") or ""
        parts.append(
            f"{part.get_content_type()}{f' {name}' if name else ''} ({len(part.get_payload(decode=True) or b'')} bytes)"
        )
    return [
        f"From: {message['From']}",
        f"To: {', '.join(recipients)}",
        f"Subject: {message['Subject']}",
        f"Size: {size:,} bytes",
        *(f"  part: {p}" for p in parts),
    ]
