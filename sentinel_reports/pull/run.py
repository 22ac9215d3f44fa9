"""`sentinel pull`: fetch every pulled source's missing or incomplete days and write them as day files.

    report = pull_sources(config, since=None, until=None, only=(), now=None, env=None, transport=None)

- Days are UTC days from `since` to `until` (both inclusive; default `until`: today, default `since`:
  `default_since`). Days after today are not fetched.
- A source is fetched day by day, oldest first; each day's file is written atomically and recorded in the
  ledger (`store.Ledger`) as soon as it is fetched, so an interrupted or failed pull keeps every day it got.
- A day is complete when it was fetched at least the source's `settle` time after it ended and the vendor
  reply is final (incident days: every incident closed); otherwise the next pull fetches it again.
- A source that fails (a missing credential, a 4xx, retries exhausted) stops at that day and is reported;
  the other sources still run. The report says what was written, skipped and failed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import Config, SourceConfig
from ..errors import UsageError
from .anthropic import AnthropicVendor
from .base import Vendor, Window
from .datadog import DatadogVendor
from .http import Client, PullError, redact
from .incidentio import IncidentIoVendor
from .openai import OpenAIVendor
from .pagerduty import PagerDutyVendor
from .prometheus import PrometheusVendor
from .store import Ledger, atomic_write, day_path, sha256

STATUS_HISTORY_DAYS = 90  # the status page's day bars and incident list (analysis.timeline.HISTORY)
CALENDAR_DAYS = {"week": 7, "month": 31, "quarter": 92}
WEEK_MARGIN_DAYS = 8  # the last closed week before `until`, and one day of margin for local-day alignment

VENDORS: dict[str, Vendor] = {
    t: v
    for v in (PrometheusVendor(), DatadogVendor(), AnthropicVendor(), OpenAIVendor(), PagerDutyVendor(),
              IncidentIoVendor())
    for t in v.types
}  # fmt: skip


@dataclass
class SourcePull:
    source_id: str
    written: list[str] = field(default_factory=list)  # project-relative paths
    refetched: int = 0
    skipped: int = 0
    requests: int = 0
    error: str | None = None


@dataclass
class PullReport:
    since: dt.date
    until: dt.date
    sources: list[SourcePull] = field(default_factory=list)

    @property
    def failed(self) -> list[SourcePull]:
        return [s for s in self.sources if s.error]

    @property
    def requests(self) -> int:
        return sum(s.requests for s in self.sources)

    def summary(self) -> list[str]:
        written = sum(len(s.written) for s in self.sources)
        refetched = sum(s.refetched for s in self.sources)
        skipped = sum(s.skipped for s in self.sources)
        lines = [
            f"pulled {len(self.sources)} sources for {self.since} to {self.until}: {written} files written "
            f"({refetched} of them refetched incomplete days), {skipped} complete days skipped, "
            f"{self.requests} requests, {len(self.failed)} sources failed"
        ]
        lines += [f"failed: {s.error}" for s in self.failed]
        return lines


def longest_slo_days(config: Config) -> int:
    days = [0]
    for slo in config.slos:
        if slo.window_kind == "calendar":
            days.append(CALENDAR_DAYS.get(str(slo.calendar_unit), CALENDAR_DAYS["quarter"]))
        else:
            days.append(-(-int(slo.window.total_seconds()) // 86400))
    return max(days)


def default_since(config: Config, until: dt.date) -> dt.date:
    """The earliest day a build as of `until` reads: the status page's 90 days, plus the longest SLO window
    (a calendar window counts as its longest unit), plus the last closed week and a day of margin."""
    return until - dt.timedelta(days=STATUS_HISTORY_DAYS + longest_slo_days(config) + WEEK_MARGIN_DAYS)


def pulled_sources(config: Config, only: Iterable[str] = ()) -> list[tuple[str, SourceConfig]]:
    pulled = [(config.source_id(i), s) for i, s in enumerate(config.sources) if s.pull is not None]
    only = list(only)
    if not only:
        return pulled
    ids = {sid for sid, _ in pulled}
    every = {config.source_id(i) for i in range(len(config.sources))}
    for sid in only:
        if sid not in ids:
            why = "has no `pull:` block" if sid in every else "is not a source id"
            raise UsageError(f"--source {sid!r} {why} (pulled sources: {', '.join(sorted(ids)) or 'none'})")
    return [(sid, s) for sid, s in pulled if sid in only]


def pull_sources(
    config: Config,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    only: Iterable[str] = (),
    now: dt.datetime | None = None,
    env: Mapping[str, str] | None = None,
    transport: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] = lambda _msg: None,
    echo: Callable[[str], None] = lambda _msg: None,
) -> PullReport:
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    today = now.date()
    until = min(until or today, today)
    since = since or default_since(config, until)
    if since > until:
        raise UsageError(f"--since {since} is after --until {until}")
    env = os.environ if env is None else env
    sources = pulled_sources(config, only)
    if not sources:
        raise UsageError("no source has a `pull:` block in sentinel.yaml (see docs/configuration.md)")
    ledger = Ledger(config.project_dir)
    report = PullReport(since, until)
    for source_id, source in sources:
        result = SourcePull(source_id)
        report.sources.append(result)
        _pull_one(config, source_id, source, since, until, now, env, transport, sleep, progress, echo,
                  ledger, result)  # fmt: skip
    return report


def _pull_one(
    config: Config, source_id: str, source: SourceConfig, since: dt.date, until: dt.date, now: dt.datetime,
    env: Mapping[str, str], transport: Any, sleep: Callable[[float], None], progress: Callable[[str], None],
    echo: Callable[[str], None], ledger: Ledger, result: SourcePull,
) -> None:  # fmt: skip
    settings = source.pull_settings()
    assert settings is not None
    vendor = VENDORS[source.type]
    root = config.project_dir
    hidden: list[str] = []
    try:
        conn = vendor.connect(settings, source.model_copy(update={"id": source_id}), env)
    except PullError as exc:
        result.error = str(exc)
        echo(f"{source_id}: failed: {exc}")
        return
    hidden = [*conn.secrets.values(), *conn.hidden]
    client = Client(source_id, conn.base_url, headers=conn.headers, secrets=conn.secrets, hidden=conn.hidden,
                    transport=transport, timeout=settings.timeout_seconds, max_retries=settings.max_retries,
                    sleep=sleep)  # fmt: skip
    try:
        day = since
        while day <= until:
            path = day_path(root, source.path, day)
            if not ledger.needs_fetch(source_id, day, path, settings.settle):
                result.skipped += 1
                day += dt.timedelta(days=1)
                continue
            progress(f"pulling {source_id} {day}")
            start = dt.datetime.combine(day, dt.time(), dt.UTC)
            window = Window(day, start, min(start + dt.timedelta(days=1), now))
            existed = path.is_file()
            try:
                fetched = vendor.fetch(client, settings, source, window)
            except PullError as exc:
                result.error = redact(str(exc), hidden)
                echo(f"{source_id} {day}: failed: {result.error}")
                return
            data = (json.dumps(fetched.doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
            atomic_write(path, data)
            complete = fetched.final and now >= window.day_end + settings.settle
            ledger.record(source_id, day, complete=complete, digest=sha256(data), at=now)
            ledger.save()
            rel = _relpath(path, root)
            result.written.append(rel)
            result.refetched += existed
            state = "" if complete else ", incomplete: fetched again next time"
            echo(f"{source_id} {day}: wrote {rel} ({fetched.note}{state})")
            day += dt.timedelta(days=1)
    finally:
        result.requests = client.requests
        client.close()


def _relpath(path: Any, root: Any) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
