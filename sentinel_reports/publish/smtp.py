"""Sending the brief over SMTP; every failure becomes a DeliveryError that says what to fix.

    send_email(msg, config.email.smtp, username=os.environ.get(...), password=os.environ.get(...))

- ``smtp.ssl``: implicit TLS (port 465); otherwise plain SMTP upgraded with STARTTLS when
  ``smtp.starttls`` is set (a server that does not offer STARTTLS is an error, never a silent downgrade).
- ``username`` given: AUTH LOGIN/PLAIN with ``password``. Credentials come from the caller (the CLI reads
  them from the environment variables named in the config); they never appear in an error message.
- ``to_override`` (``sentinel send --to``) replaces both the envelope recipients and the ``To`` header of
  a copy of the message; the original message is not changed.
- Errors: connection refused, timeout, TLS failure, authentication failure, sender or recipients refused,
  and partial delivery (some recipients refused: the message has reached the others) all raise DeliveryError.
"""

from __future__ import annotations

import copy
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from ..config import Smtp
from ..errors import DeliveryError


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}"


def _timeout(where: str, smtp_config: Smtp) -> str:
    return f"SMTP server {where} did not answer within {smtp_config.timeout_seconds:g} s (timeout)"


def send_email(
    msg: EmailMessage,
    smtp_config: Smtp,
    *,
    username: str | None = None,
    password: str | None = None,
    to_override: Sequence[str] | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> list[str]:
    """Deliver ``msg``; returns the envelope recipients. Raises DeliveryError on any failure."""
    if to_override:
        msg = copy.deepcopy(msg)
        del msg["To"]
        msg["To"] = ", ".join(to_override)
        recipients = list(to_override)
    else:
        recipients = [addr for _, addr in getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []))]
    recipients = [r for r in recipients if r]
    if not recipients:
        raise DeliveryError("the message has no recipients")
    sender = parseaddr(str(msg["From"] or ""))[1]
    host, port = smtp_config.host, smtp_config.port
    where = f"{host}:{port}"
    context = tls_context or ssl.create_default_context()
    try:
        if smtp_config.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=smtp_config.timeout_seconds, context=context
            )
        else:
            client = smtplib.SMTP(host, port, timeout=smtp_config.timeout_seconds)
        with client:
            client.ehlo()
            if smtp_config.starttls and not smtp_config.ssl:
                if not client.has_extn("starttls"):
                    raise DeliveryError(
                        f"SMTP server {where} does not offer STARTTLS; refusing to send in clear text "
                        "(set email.smtp.starttls: false only for a relay on a trusted network)"
                    )
                client.starttls(context=context)
                client.ehlo()
            if username:
                client.login(username, password or "")
            refused = client.send_message(msg, from_addr=sender or None, to_addrs=recipients)
    except DeliveryError:
        raise
    except ConnectionRefusedError:
        raise DeliveryError(f"cannot connect to SMTP server {where}: connection refused") from None
    except TimeoutError:
        raise DeliveryError(_timeout(where, smtp_config)) from None
    except smtplib.SMTPServerDisconnected as exc:
        if "timed out" in str(exc):  # smtplib reports a read timeout as a disconnection
            raise DeliveryError(_timeout(where, smtp_config)) from None
        raise DeliveryError(f"SMTP server {where} closed the connection: {exc}") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"SMTP server {where} rejected the login for user {username!r}: {_reply(exc.smtp_code, exc.smtp_error)}"
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"SMTP server {where} does not support a required command: {exc}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        detail = "; ".join(f"{addr}: {_reply(*reply)}" for addr, reply in sorted(exc.recipients.items()))
        raise DeliveryError(f"SMTP server {where} refused every recipient: {detail}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(
            f"SMTP server {where} refused the sender {exc.sender!r}: {_reply(exc.smtp_code, exc.smtp_error)}"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP server {where} answered {_reply(exc.smtp_code, exc.smtp_error)}") from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"TLS with SMTP server {where} failed: {exc.reason or exc}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"cannot deliver through SMTP server {where}: {exc}") from None
    if refused:
        detail = "; ".join(f"{addr}: {_reply(*reply)}" for addr, reply in sorted(refused.items()))
        delivered = sorted(set(recipients) - set(refused))
        raise DeliveryError(f"SMTP server {where} accepted the message for {delivered} but refused: {detail}")
    return recipients
