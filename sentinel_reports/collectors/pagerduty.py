"""`pagerduty`: PagerDuty Analytics raw incident data (`POST /analytics/raw/incidents`), JSON or CSV.

JSON: the reply ``{"data": [incident, ...], "more", "last", ...}``, a list of such pages, a bare list of
incidents, or JSONL with one incident per line. CSV: one incident per row with the same field names.

Source entry::

    - type: pagerduty
      path: "data/incidents/pagerduty*.json"
      services: {PXXXXXX: chat-api, "Vector Search": rag-api}   # service_id or service_name -> component
      severity: {P1: SEV1, P2: SEV2, P3: SEV3, P4: SEV4, P5: SEV4, high: SEV2, low: SEV3}   # the default
      major_severity: SEV1               # incidents flagged `major` are at least this severe (null: ignore)
      customer_impact_severities: [SEV1, SEV2]

Fields read: `id`, `description` (title), `service_id`, `service_name`, `priority_name`, `urgency`,
`major`, `created_at`, `resolved_at`, `seconds_to_first_ack`, `seconds_to_resolve`, `status` (when present).
Everything else is ignored, including every person field (`resolved_by_user_name`, assignees, ...).

- severity: `priority_name` looked up in `severity` (case-insensitive); without a priority, `urgency` is.
  A `severity` entry replaces the whole default map. An unmapped label is a SourceError listing the known
  labels.
- times: started_at = detected_at = created_at (PagerDuty records no separate impact start);
  acknowledged_at = created_at + seconds_to_first_ack; resolved_at = `resolved_at`, else created_at +
  seconds_to_resolve; mitigated_at is not known. A resolve before the create is a SourceError.
- status: `status` triggered → investigating, acknowledged → identified, resolved → resolved; without it:
  resolved when resolved, identified when acknowledged, else investigating.
- components: the service mapped by `services` (by id, then by name); an unmapped service leaves the
  incident without components and is reported in the summary and a warning.
- The same incident id seen again (overlapping exports) keeps the last record read; the rest are counted
  as duplicates. A file appended later is read alone when none of its ids were read before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import SourceError
from ..model import Incident, Severity
from ._incidents import incident_records
from .ai_incidents import pagerduty_fields, with_ai_fields
from .base import Batch, CollectContext, Collector, SourceOptions
from .io import expand_paths, input_file
from .severity import (
    DEFAULT_IMPACT_SEVERITIES,
    by_start,
    check_service_map,
    check_timeline,
    joined_batch,
    parse_instant,
    severity_counts,
    severity_of,
    text_of,
)

DEFAULT_SEVERITY: dict[str, Severity] = {
    "P1": "SEV1", "P2": "SEV2", "P3": "SEV3", "P4": "SEV4", "P5": "SEV4", "high": "SEV2", "low": "SEV3",
}  # fmt: skip
STATUS = {"triggered": "investigating", "acknowledged": "identified", "resolved": "resolved"}


class PagerDutyOptions(SourceOptions):
    services: dict[str, str] = {}
    severity: dict[str, Severity] = DEFAULT_SEVERITY
    major_severity: Severity | None = "SEV1"
    customer_impact_severities: list[Severity] = list(DEFAULT_IMPACT_SEVERITIES)


def _finish(batch: Batch, unmapped: set[str]) -> Batch:
    batch.summary = {
        "incidents": len(batch.incidents),
        "by_severity": severity_counts(batch.incidents),
        "unmapped_services": sorted(unmapped),
    }
    if unmapped:
        batch.warnings.append(f"incidents on services mapped to no component: {sorted(unmapped)[:8]}")
    return batch


def seconds_after(start: dt.datetime, value: Any, *, file: str, row: int, column: str) -> dt.datetime | None:
    text = text_of(value)
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if isinstance(value, bool) or not seconds >= 0 or seconds > 10 * 365 * 86400:
        raise SourceError(
            file, "not a duration in seconds", row=row, column=column, expected="seconds >= 0", found=value
        )
    return start + dt.timedelta(seconds=seconds)


class PagerDutyCollector(Collector):
    type = "pagerduty"
    Options = PagerDutyOptions

    def collect(self, options: PagerDutyOptions, ctx: CollectContext) -> Batch:
        check_service_map(options.services, options.path, ctx)
        batch = Batch()
        by_id: dict[str, Incident] = {}
        unmapped: set[str] = set()
        for path in expand_paths(ctx, options.path):
            records = incident_records(path, "data")
            batch.files.append(input_file(ctx, path, len(records)))
            batch.rows += len(records)
            for i, rec in enumerate(records, start=1):
                incident = self._incident(rec, options, ctx, str(path), i, unmapped)
                if incident.id in by_id:
                    batch.duplicates_dropped += 1
                by_id[incident.id] = incident
        batch.incidents = by_start(list(by_id.values()))
        return _finish(batch, unmapped)

    def combine(self, old: Batch, new: Batch, options: PagerDutyOptions, ctx: CollectContext) -> Batch | None:
        batch = joined_batch(old, new)
        if batch is None:
            return None
        return _finish(batch, {*old.summary["unmapped_services"], *new.summary["unmapped_services"]})

    def _incident(
        self,
        rec: dict[str, Any],
        options: PagerDutyOptions,
        ctx: CollectContext,
        file: str,
        row: int,
        unmapped: set[str],
    ) -> Incident:
        ident = text_of(rec.get("id"))
        if not ident:
            raise SourceError(
                file, "incident has no id", row=row, column="id", expected="an incident id", found="empty"
            )
        priority = text_of(rec.get("priority_name"))
        column = "priority_name" if priority else "urgency"
        severity = severity_of(
            priority or rec.get("urgency"), options.severity, file=file, row=row, column=column
        )
        if options.major_severity and text_of(rec.get("major")).lower() in ("true", "1", "yes"):
            severity = min(severity, options.major_severity)
        created = parse_instant(
            rec.get("created_at"), tz=ctx.tz, file=file, row=row, column="created_at", required=True
        )
        assert created is not None
        acked = seconds_after(
            created, rec.get("seconds_to_first_ack"), file=file, row=row, column="seconds_to_first_ack"
        )
        resolved = parse_instant(rec.get("resolved_at"), tz=ctx.tz, file=file, row=row, column="resolved_at")
        if resolved is None:
            resolved = seconds_after(
                created, rec.get("seconds_to_resolve"), file=file, row=row, column="seconds_to_resolve"
            )
        check_timeline(
            {"created_at": created, "acknowledged_at": acked, "resolved_at": resolved}, file=file, row=row
        )
        status_text = text_of(rec.get("status")).lower()
        if status_text:
            if status_text not in STATUS:
                raise SourceError(
                    file,
                    "unknown status",
                    row=row,
                    column="status",
                    expected=" | ".join(STATUS),
                    found=status_text,
                )
            status = STATUS[status_text]
        else:
            status = "resolved" if resolved else "identified" if acked else "investigating"
        service_id, service_name = text_of(rec.get("service_id")), text_of(rec.get("service_name"))
        component = options.services.get(service_id) or options.services.get(service_name)
        if component is None and (service_id or service_name):
            unmapped.add(service_name or service_id)
        incident = Incident(
            id=ident,
            title=text_of(rec.get("description")) or text_of(rec.get("title")) or ident,
            severity=severity,
            status=status,  # type: ignore[arg-type]
            components=(component,) if component else (),
            started_at=created,
            created_at=created,
            detected_at=created,
            acknowledged_at=acked,
            mitigated_at=None,
            resolved_at=resolved if status == "resolved" else None,
            customer_impact=severity in options.customer_impact_severities,
            source=ctx.source_id,
        )
        return with_ai_fields(incident, pagerduty_fields(rec), ctx.config, file=file, row=row)
