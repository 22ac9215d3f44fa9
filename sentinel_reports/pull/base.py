"""What every vendor module implements, and the credentials they read from the environment.

A vendor module has one `Vendor` subclass per source type it serves:

    class PrometheusVendor(Vendor):
        types = ("prometheus",)
        def connect(self, settings, source) -> Connection      # base URL, headers, credentials
        def fetch(self, client, settings, source, window) -> Fetched

`fetch` returns the document to write for one UTC day, in the shape the source's collector reads, and
whether that document is final (an incident day is not final while one of its incidents is open).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..config import PullCommon, SourceConfig
from .http import Client, PullError


@dataclass(frozen=True)
class Window:
    """One UTC day to fetch: [start, end), where end is the day's end or, for today, the fetch time."""

    day: dt.date
    start: dt.datetime
    end: dt.datetime

    @property
    def day_end(self) -> dt.datetime:
        return self.start + dt.timedelta(days=1)

    @property
    def partial(self) -> bool:
        return self.end < self.day_end


@dataclass(frozen=True)
class Connection:
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)  # env var name -> value
    hidden: tuple[str, ...] = ()  # other values never to show (an encoded basic-auth pair)


@dataclass(frozen=True)
class Fetched:
    doc: Any
    final: bool = True
    note: str = ""  # e.g. "288 points", "3 incidents"


class Vendor:
    types: ClassVar[tuple[str, ...]]

    def connect(self, settings: Any, source: SourceConfig, env: Mapping[str, str]) -> Connection:
        raise NotImplementedError  # pragma: no cover - protocol

    def fetch(self, client: Client, settings: Any, source: SourceConfig, window: Window) -> Fetched:
        raise NotImplementedError  # pragma: no cover - protocol


def secret(env: Mapping[str, str] | None, name: str, key: str, source_id: str) -> str:
    """The value of environment variable `name` (named by `pull.<key>`); a PullError when unset."""
    value = (env if env is not None else os.environ).get(name, "")
    if not value.strip():
        raise PullError(f"{source_id}: environment variable {name} (pull.{key}) is not set")
    return value.strip()


def base_url(settings: PullCommon, default: str) -> str:
    return settings.base_url or default


def iso(t: dt.datetime) -> str:
    """RFC 3339 in UTC with a Z, to the second."""
    return t.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
