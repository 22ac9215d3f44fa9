"""Publishing the weekly brief: every file of one week, rendered from its facts and verified narrative.

    files = render_week(env, facts, narrative, config, history=points, renderer=charts, links=links,
                        project_templates=None, standalone=False)
                                    {index.html, brief.pdf, brief.eml, brief.md, showback.csv: bytes}
    message = email_message(files["brief.eml"])            the .eml back as an EmailMessage, for SMTP

The files of a week depend only on its facts, its narrative, the KPI history, which other publications
exist (links), the configuration, the project templates and this package's code; the Brief publication
(publications.py) keys them in the store on exactly that and writes them under ``briefs/<week>/`` beside
``evidence/<week>/facts.json``. Only verified narratives reach this module (the Brief checks them first).
"""

from __future__ import annotations

import email
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError

from ..analysis.facts_model import PeriodFacts
from ..errors import PublishError
from ..render.brief import render_brief
from ..render.charts import ChartRenderer
from ..render.environment import THEME_DIR
from .email import EMAIL_POLICY, build_email, to_bytes

FILES = ("index.html", "brief.pdf", "brief.eml", "brief.md", "showback.csv")
DEFAULT_SENDER = "Sentinel Reports <sentinel-reports@localhost>"
UNDISCLOSED = "undisclosed-recipients:;"
AUTHOR = "Sentinel Reports"


def render_week(
    env: Environment,
    facts: PeriodFacts,
    narrative: Any,
    config: Any,
    *,
    history: Sequence[Mapping[str, Any]],
    renderer: ChartRenderer,
    links: Mapping[str, bool],
    project_templates: Path | None = None,
    standalone: bool = False,
    cpu: dict[str, float] | None = None,
) -> dict[str, bytes]:
    """Render the week's files (no cache): web page, PDF, email, markdown and showback CSV. ``cpu``, when
    given, gets the CPU seconds of this process spent on each step added to it (HTML and charts, PDF,
    email)."""
    import time

    spent = cpu if cpu is not None else {}
    started = time.process_time()

    def lap(step: str) -> None:
        nonlocal started
        now = time.process_time()
        spent[step] = spent.get(step, 0.0) + now - started
        started = now

    try:
        brief = render_brief(
            env, facts, narrative, config, history=history, renderer=renderer, links=links,
            project_templates=project_templates, standalone=standalone,
        )  # fmt: skip
    except TemplateError as exc:
        raise PublishError(f"brief {facts.period}: template error: {exc}") from None
    as_of = facts.as_of
    title = f"{facts.organization or config.organization} · Weekly brief {facts.period}"
    paper = config.site.paper
    lap("HTML and charts")
    pdf = print_edition(
        brief.pdf_html, as_of=as_of, title=title, paper=paper, page_path=f"briefs/{facts.period}/brief.pdf",
        link_base=config.site.base_url, project_templates=project_templates,
    )  # fmt: skip
    lap("PDF")
    mail = config.email
    sender = mail.from_ if mail is not None else DEFAULT_SENDER
    domain = parseaddr(sender)[1].rpartition("@")[2] or "sentinel-reports.invalid"
    message = build_email(
        subject=brief.subject, html=brief.email_html, text=brief.text, images=brief.images,
        attachments=[(f"brief-{facts.period}.pdf", "application/pdf", pdf)], sender=sender,
        to=list(mail.to) if mail is not None and mail.to else [UNDISCLOSED], date=as_of, message_id_domain=domain,
    )  # fmt: skip
    files = {
        "index.html": brief.html.encode("utf-8"),
        "brief.pdf": pdf,
        "brief.eml": to_bytes(message),
        "brief.md": brief.markdown.encode("utf-8"),
        "showback.csv": brief.showback_csv.encode("utf-8"),
    }
    lap("email")
    return files


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


def print_edition(
    html: str, *, as_of: Any, title: str, paper: str, page_path: str, link_base: str | None,
    project_templates: Path | None,
) -> bytes:  # fmt: skip
    """The brief's PDF from its print HTML: laid out by Typst (``publish.print_typst``) unless the project
    overrides a template of the print edition or the HTML holds what that layout does not know; then by
    WeasyPrint, which reads the HTML and its stylesheet as they are."""
    from .print_typst import pdf_or_weasyprint, print_pdf, typst_applies

    meta = {"as_of": as_of, "title": title, "paper": paper, "author": AUTHOR, "link_base": link_base}
    typst = (
        (lambda: print_pdf(html, page_path=page_path, **meta)) if typst_applies(project_templates) else None
    )
    return pdf_or_weasyprint(typst, html, THEME_DIR, page_path=page_path, **meta)
