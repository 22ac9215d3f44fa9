"""The brief as a real MIME message, reproducible byte for byte.

    msg = build_email(subject=summary_line, html=email_html, text=plain_text,
                      images={"chart-budget": png}, attachments=[("brief.pdf", "application/pdf", pdf)],
                      sender=config.email.from_, to=config.email.to, date=as_of,
                      message_id_domain="sentinel.acme.example")
    site.write_bytes("briefs/2026-W47/brief.eml", to_bytes(msg))

Structure::

    multipart/mixed
    ├── multipart/related
    │   ├── multipart/alternative
    │   │   ├── text/plain            every number of the brief, readable without HTML
    │   │   └── text/html             CSS inlined into style attributes (css-inline), no remote CSS
    │   └── image/png  Content-ID <chart-budget>   ... one per ``images`` entry, inline
    └── application/pdf  attachment  ... one per ``attachments`` entry

- ``html`` references images as ``cid:<key>``; every referenced cid must be in ``images`` (PublishError
  otherwise), and images that the HTML does not reference are refused as well.
- The subject is the summary line made safe: ``**`` removed, control characters (CR, LF, ...) replaced by
  spaces, whitespace collapsed, cut at a word boundary to ``SUBJECT_MAX`` characters.
- Deterministic: ``Date`` is ``date`` (as_of), the Message-ID and the MIME boundaries are derived from a
  hash of the content, so the same brief gives the same .eml bytes. ``to_bytes`` uses the SMTP policy
  (CRLF line endings), the form an .eml file and an SMTP server expect.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from email import policy
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime

import css_inline

from ..errors import PublishError
from ..render.markdown import strip_markdown_emphasis

SUBJECT_MAX = 160
EMAIL_POLICY = policy.SMTP.clone(max_line_length=78)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_CID_REF_RE = re.compile(r"""cid:([^\s"'<>)]+)""")
_CID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
_FILENAME_BAD_RE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def email_subject(summary_line: str) -> str:
    """``**Current AI Platform Status: Degraded** | ...`` -> a one-line subject without markup."""
    text = _CONTROL_RE.sub(" ", strip_markdown_emphasis(summary_line))
    text = " ".join(text.split())
    if len(text) > SUBJECT_MAX:
        cut = text[: SUBJECT_MAX - 1].rsplit(" ", 1)[0].rstrip(" |,;:")
        text = cut + "…"
    return text


def inline_css(html: str) -> str:
    """Move ``<style>`` rules into style attributes; remote stylesheets are never loaded."""
    inliner = css_inline.CSSInliner(
        keep_style_tags=False, keep_link_tags=False, load_remote_stylesheets=False, keep_at_rules=True
    )
    return inliner.inline(html)


def _header_value(name: str, value: str) -> str:
    if _CONTROL_RE.search(value):
        raise PublishError(f"email {name} contains a line break or control character: {value!r}")
    return value


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


def build_email(
    *,
    subject: str,
    html: str,
    text: str,
    images: Mapping[str, bytes] | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    sender: str,
    to: Sequence[str],
    date: dt.datetime,
    message_id_domain: str = "sentinel-reports.invalid",
) -> EmailMessage:
    """A multipart/mixed ⊃ related ⊃ alternative message; see the module docstring."""
    images = dict(sorted((images or {}).items()))
    if not to:
        raise PublishError("the email has no recipients (email.to is empty)")
    for cid in images:
        if not _CID_RE.match(cid):
            raise PublishError(f"invalid Content-ID {cid!r}: use letters, digits, '.', '_', '-', '@'")
    referenced = set(_CID_REF_RE.findall(html))
    if missing := sorted(referenced - set(images)):
        raise PublishError(f"the email HTML references images that are not attached: {missing}")
    if unused := sorted(set(images) - referenced):
        raise PublishError(f"images attached to the email but not referenced by its HTML: {unused}")
    if date.tzinfo is None:
        date = date.replace(tzinfo=dt.UTC)

    subject_line = email_subject(subject)
    html_inlined = inline_css(html)
    digest = _digest(
        subject_line, sender, *to, date.isoformat(), text, html_inlined,
        *(f"{k}:{hashlib.sha256(v).hexdigest()}" for k, v in images.items()),
        *(f"{n}:{m}:{hashlib.sha256(b).hexdigest()}" for n, m, b in attachments),
    )  # fmt: skip

    msg = EmailMessage(policy=EMAIL_POLICY)
    msg["Subject"] = subject_line
    msg["From"] = _header_value("From", sender)
    msg["To"] = ", ".join(_header_value("To", addr) for addr in to)
    msg["Date"] = format_datetime(date.astimezone(dt.UTC))
    msg["Message-ID"] = f"<{digest[:32]}@{_header_value('message_id_domain', message_id_domain)}>"
    msg["MIME-Version"] = "1.0"
    msg["Auto-Submitted"] = "auto-generated"

    alternative = MIMEPart(policy=EMAIL_POLICY)
    alternative.set_content(text, subtype="plain", charset="utf-8")
    alternative.add_alternative(html_inlined, subtype="html", charset="utf-8")
    alternative.set_boundary(f"alt-{digest[:24]}")

    related = MIMEPart(policy=EMAIL_POLICY)
    related["Content-Type"] = 'multipart/related; type="multipart/alternative"'
    related.set_boundary(f"rel-{digest[:24]}")
    related.attach(alternative)
    for cid, png in images.items():
        image = MIMEPart(policy=EMAIL_POLICY)
        image.set_content(png, "image", "png", cid=f"<{cid}>", filename=f"{cid}.png", disposition="inline")
        related.attach(image)

    msg["Content-Type"] = "multipart/mixed"
    msg.set_boundary(f"mix-{digest[:24]}")
    msg.attach(related)
    for filename, mime, data in attachments:
        maintype, _, subtype = mime.partition("/")
        if not subtype:
            raise PublishError(f"attachment {filename!r}: MIME type {mime!r} is not type/subtype")
        safe_name = _FILENAME_BAD_RE.sub("_", filename).strip(" .") or "attachment"
        part = MIMEPart(policy=EMAIL_POLICY)
        part.set_content(data, maintype, subtype, filename=safe_name, disposition="attachment")
        msg.attach(part)
    return msg


def to_bytes(msg: EmailMessage) -> bytes:
    """The message as an .eml file: SMTP policy, CRLF line endings, no Unix ``From`` line."""
    return msg.as_bytes(policy=EMAIL_POLICY)
