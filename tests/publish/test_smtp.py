"""Delivery through a real SMTP server on loopback (aiosmtpd), and a clear DeliveryError for each failure."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
from collections.abc import Iterator
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sentinel_reports.config import Smtp
from sentinel_reports.errors import DeliveryError
from sentinel_reports.publish.email import build_email
from sentinel_reports.publish.smtp import send_email

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self, refuse: tuple[str, ...] = ()):
        self.envelopes: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def _serve(handler: Inbox, **kwargs) -> Iterator[int]:  # type: ignore[no-untyped-def]
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture()
def inbox() -> Inbox:
    return Inbox(refuse=("nobody@example.com",))


@pytest.fixture()
def port(inbox: Inbox) -> Iterator[int]:
    yield from _serve(inbox)


def _message(**kw):  # type: ignore[no-untyped-def]
    args = dict(
        subject="**Current AI Platform Status: Degraded** | Error budget remaining: 41%",
        html="<html><head><style>p { color: #1f2328; }</style></head><body><p>Budget 41%</p>"
        '<img src="cid:chart-budget" alt="budget"></body></html>',
        text="Budget 41%\n",
        images={"chart-budget": PNG},
        attachments=[("brief.pdf", "application/pdf", b"%PDF-1.7 test")],
        sender="Sentinel Reports <sentinel@example.com>",
        to=["cto@example.com", "cfo@example.com"],
        date=dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC),
    )
    args.update(kw)
    return build_email(**args)


def _smtp(port: int, **kw) -> Smtp:  # type: ignore[no-untyped-def]
    return Smtp(host="127.0.0.1", port=port, starttls=False, timeout_seconds=5, **kw)


def test_delivers_a_message_that_parses_back(inbox: Inbox, port: int):
    assert send_email(_message(), _smtp(port)) == ["cto@example.com", "cfo@example.com"]
    ((mail_from, rcpts, data),) = inbox.envelopes
    assert mail_from == "sentinel@example.com" and rcpts == ["cto@example.com", "cfo@example.com"]
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert parsed["Subject"] == "Current AI Platform Status: Degraded | Error budget remaining: 41%"
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert 'style="color: #1f2328;"' in html
    cids = {p["Content-ID"].strip("<>") for p in parsed.walk() if p["Content-ID"]}
    assert set(re.findall(r'cid:([^"]+)', html)) <= cids == {"chart-budget"}
    attachments = list(parsed.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["brief.pdf"]


def test_to_override_replaces_envelope_and_header_of_a_copy(inbox: Inbox, port: int):
    msg = _message()
    send_email(msg, _smtp(port), to_override=["me@example.com"])
    ((_, rcpts, data),) = inbox.envelopes
    assert rcpts == ["me@example.com"]
    assert email.message_from_bytes(data, policy=policy.default)["To"] == "me@example.com"
    assert msg["To"] == "cto@example.com, cfo@example.com"


def test_refused_recipients(inbox: Inbox, port: int):
    with pytest.raises(DeliveryError, match="refused every recipient: nobody@example.com: 550"):
        send_email(_message(to=["nobody@example.com"]), _smtp(port))
    with pytest.raises(DeliveryError, match=r"accepted the message for \['cto@example.com'\] but refused"):
        send_email(_message(to=["cto@example.com", "nobody@example.com"]), _smtp(port))


def test_starttls_required_but_not_offered(port: int):
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send_email(_message(), Smtp(host="127.0.0.1", port=port, starttls=True, timeout_seconds=5))


pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def test_authentication_failure_names_the_user_not_the_password():
    def reject(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        return AuthResult(success=False, handled=False)

    for port in _serve(Inbox(), authenticator=reject, auth_required=True, auth_require_tls=False):
        with pytest.raises(DeliveryError, match="rejected the login for user 'sentinel-bot'") as info:
            send_email(_message(), _smtp(port), username="sentinel-bot", password="s3cret-value")
        assert "s3cret-value" not in str(info.value)


def test_authentication_success():
    def accept(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        return AuthResult(success=auth_data.password == b"right")

    inbox = Inbox()
    for port in _serve(inbox, authenticator=accept, auth_required=True, auth_require_tls=False):
        send_email(_message(), _smtp(port), username="sentinel-bot", password="right")
    assert len(inbox.envelopes) == 1


def test_connection_refused():
    port = _free_port()  # nothing listens here
    with pytest.raises(
        DeliveryError, match=f"cannot connect to SMTP server 127.0.0.1:{port}: connection refused"
    ):
        send_email(_message(), _smtp(port))


def test_timeout_when_the_server_never_greets():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the TCP connection in the backlog but never says 220
        port = silent.getsockname()[1]
        smtp = Smtp(host="127.0.0.1", port=port, starttls=False, timeout_seconds=0.3)
        with pytest.raises(DeliveryError, match="did not answer within 0.3 s"):
            send_email(_message(), smtp)
