"""The brief email: MIME structure, inlined CSS, Content-IDs that resolve, safe subject, reproducible bytes."""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy

import pytest

from sentinel_reports.errors import PublishError
from sentinel_reports.publish.email import SUBJECT_MAX, build_email, email_subject, to_bytes
from sentinel_reports.render import charts
from sentinel_reports.render.environment import make_environment

AS_OF = dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)
SUMMARY = "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)"
PNG = charts.ChartRenderer().png(charts.sparkline([1.0, 2.0, 1.5], title="t", description="d"))
PDF = b"%PDF-1.7\n% fake pdf for the test\n"
EMAIL_PAGE = """{% extends "email.html" %}{% import "macros.html" as m %}{% block content %}
<p>Availability <strong>99.41%</strong> against a 99.5% target.</p>
<img src="cid:chart-budget" width="560" alt="Error budget burned 2.3x the sustainable rate">
{{ m.data_table(["SLO", "Budget remaining (%)"], [["chat", "41%"]], numeric=(1,)) }}
{% endblock %}"""


def _html() -> str:
    env = make_environment(None)
    return env.from_string(EMAIL_PAGE).render(
        title="Weekly brief 2026-W47", summary_line=SUMMARY, summary_state="degraded",
        web_url="https://status.example.com/briefs/2026-W47/", as_of=AS_OF,
    )  # fmt: skip


def _message(**overrides):  # type: ignore[no-untyped-def]
    kwargs = dict(
        subject=SUMMARY,
        html=_html(),
        text="Current AI Platform Status: Degraded | Error budget remaining: 41%\n\nAvailability 99.41%.\n",
        images={"chart-budget": PNG},
        attachments=[("brief-2026-W47.pdf", "application/pdf", PDF)],
        sender="Sentinel Reports <sentinel@example.com>",
        to=["cto@example.com", "vp-eng@example.com"],
        date=AS_OF,
        message_id_domain="sentinel.example.com",
    )
    kwargs.update(overrides)
    return build_email(**kwargs)


def test_mime_structure_cids_and_attachment():
    raw = to_bytes(_message())
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    related, attachment = parsed.get_payload()
    assert related.get_content_type() == "multipart/related"
    alternative, *images = related.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html_part = alternative.get_payload()
    assert plain.get_content_type() == "text/plain" and "Availability 99.41%" in plain.get_content()
    html = html_part.get_content()
    assert html_part.get_content_type() == "text/html"
    referenced = set(re.findall(r'cid:([^"\']+)', html))
    by_cid = {p["Content-ID"].strip("<>"): p for p in images}
    assert referenced == {"chart-budget"} and referenced <= set(by_cid)
    assert by_cid["chart-budget"].get_content_type() == "image/png"
    assert by_cid["chart-budget"].get_content() == PNG
    assert attachment.get_filename() == "brief-2026-W47.pdf"
    assert attachment.get_content_disposition() == "attachment" and attachment.get_content() == PDF
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only


def test_css_is_inlined_and_layout_is_fluid_up_to_600px():
    parsed = email.message_from_bytes(to_bytes(_message()), policy=policy.default)
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "<style" not in html and "<link" not in html
    container = re.search(r'<table[^>]*class="container"[^>]*>', html).group()
    assert re.search(r'style="[^"]*width: 100%', container) and "max-width: 600px" in container
    assert "640" not in html
    # Outlook for Windows ignores max-width: a conditional table holds it at 600 px
    assert '<!--[if mso]><table role="presentation" width="600"' in html
    assert re.search(r'<th class="num"[^>]*style="[^"]*text-align: right', html)
    assert 'href="https://status.example.com/briefs/2026-W47/"' in html and "View in browser" in html


def test_headers_are_deterministic_and_subject_is_the_summary_line():
    a, b = _message(), _message()
    assert to_bytes(a) == to_bytes(b)
    assert (
        a["Subject"]
        == "Current AI Platform Status: Degraded | Error budget remaining: 41% | 3 active alerts (2 informational)"
    )
    assert a["Date"] == "Sun, 22 Nov 2026 23:00:00 +0000"
    assert re.fullmatch(r"<[0-9a-f]{32}@sentinel\.example\.com>", a["Message-ID"])
    assert _message(text="changed")["Message-ID"] != a["Message-ID"]
    assert a["To"] == "cto@example.com, vp-eng@example.com"


def test_subject_header_injection_is_neutralised():
    msg = _message(subject="**Status: Degraded**\r\nBcc: attacker@example.com\nX-Evil: 1")
    raw = to_bytes(msg)
    assert b"\r\nBcc:" not in raw and b"\r\nX-Evil:" not in raw
    assert msg["Subject"] == "Status: Degraded Bcc: attacker@example.com X-Evil: 1"
    with pytest.raises(PublishError, match="line break"):
        _message(to=["cto@example.com\r\nBcc: attacker@example.com"])


def test_long_subject_is_cut_at_a_word():
    subject = email_subject("**Current AI Platform Status: Degraded** | " + "very long detail " * 30)
    assert len(subject) <= SUBJECT_MAX and subject.endswith("…") and "  " not in subject


def test_images_and_cids_must_match():
    with pytest.raises(PublishError, match="not attached"):
        _message(images={})
    with pytest.raises(PublishError, match="not referenced"):
        _message(images={"chart-budget": PNG, "chart-unused": PNG})
    with pytest.raises(PublishError, match="invalid Content-ID"):
        _message(html='<img src="cid:bad id">', images={"bad id": PNG})
    with pytest.raises(PublishError, match="no recipients"):
        _message(to=[])


def test_attachment_filenames_are_sanitised():
    msg = _message(attachments=[("../../etc/brief\r\n.pdf", "application/pdf", PDF)])
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "_.._etc_brief_.pdf"
