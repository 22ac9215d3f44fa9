"""The HTTP client every vendor module uses: JSON GETs with retries, and errors that name the source, the
endpoint path and the status, never a credential.

- 429 and 5xx replies, and connection failures or timeouts, are retried up to `max_retries` times with
  exponential backoff (1 s, 2 s, 4 s, ... at most 60 s); a `Retry-After` header (seconds or an HTTP date) is
  honoured instead, up to `MAX_RETRY_AFTER`.
- Any other 4xx is a `PullError` at once: `prometheus-1: GET /api/v1/query_range returned 401 Unauthorized
  (check the credential in $PROM_TOKEN)`. The vendor's own error text is added when the reply has one,
  with every credential value replaced by `***`.
- Credentials travel in headers only; `redact` removes their values from any text that is shown.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx2 as httpx

from ..errors import SentinelError

BACKOFF_START = 1.0
BACKOFF_MAX = 60.0
MAX_RETRY_AFTER = 300.0
USER_AGENT = "sentinel-reports pull"


class PullError(SentinelError):
    """A source could not be fetched; the message names the source, endpoint and status."""


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now())


class Client:
    """JSON GETs against one vendor for one source."""

    def __init__(
        self,
        source_id: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        hidden: Iterable[str] = (),
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.source_id = source_id
        self.secrets = dict(secrets or {})  # environment variable name -> value, for hints and redaction
        self.hidden = [*self.secrets.values(), *hidden]  # every value never to show (e.g. a basic-auth pair)
        self.max_retries = max_retries
        self.sleep = sleep
        self.requests = 0
        self._http = httpx.Client(
            base_url=base_url,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _hide(self, text: str) -> str:
        return redact(text, self.hidden)

    def get(self, path: str, params: Any = None) -> Any:
        """The decoded JSON reply of GET `path`, after retries; a PullError when it cannot be had."""
        where = f"{self.source_id}: GET {path}"
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            wait = None
            try:
                reply = self._http.get(path, params=params)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {self._hide(str(exc)) or 'no reply'}"
            else:
                status = reply.status_code
                if status < 300:
                    try:
                        return reply.json()
                    except (json.JSONDecodeError, UnicodeDecodeError):
                        raise PullError(
                            f"{where} returned {status} but the reply is not JSON "
                            f"(content-type {reply.headers.get('content-type', 'none')!r})"
                        ) from None
                problem = f"{status} {reply.reason_phrase}".strip() + self._vendor_text(reply)
                if status != 429 and status < 500:
                    hint = ""
                    if status in (401, 403) and self.secrets:
                        hint = f" (check the credential in ${', $'.join(self.secrets)})"
                    elif status in (401, 403):
                        hint = " (the endpoint needs a credential: set token_env or api_key_env in `pull`)"
                    raise PullError(f"{where} returned {problem}{hint}")
                wait = retry_after(reply.headers.get("retry-after"))
                if wait is not None:
                    wait = min(wait, MAX_RETRY_AFTER)
            if attempt > self.max_retries:
                raise PullError(f"{where} failed after {attempt} attempts: {problem}")
            if wait is None:
                wait = min(BACKOFF_MAX, BACKOFF_START * 2 ** (attempt - 1))
            self.sleep(wait)

    def _vendor_text(self, reply: httpx.Response) -> str:
        """The vendor's error message from a JSON error reply, shortened and redacted ('' when none)."""
        try:
            doc = reply.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            return ""
        text = None
        if isinstance(doc, dict):
            err = doc.get("error")
            if isinstance(err, dict):
                text = err.get("message")
            elif isinstance(err, str):
                text = err
            elif isinstance(doc.get("errors"), list) and doc["errors"]:
                first = doc["errors"][0]
                text = first.get("message") if isinstance(first, dict) else str(first)
            elif isinstance(doc.get("message"), str):
                text = doc["message"]
        if not text:
            return ""
        text = " ".join(str(text).split())
        return f": {self._hide(text[:200])}"
