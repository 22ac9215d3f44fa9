"""`incidentio`: incident.io incidents, as returned by `GET /v2/incidents`.

JSON: the reply ``{"incidents": [...], "pagination_meta": {...}}``, a list of such pages, or a bare list of
incidents; JSONL with one page or incident per line.

Source entry::

    - type: incidentio
      path: "data/incidents/incidentio*.json"
      id_field: reference                # "INC-123" (default) or id (the ULID)
      severity: {Critical: SEV1, Major: SEV2, Minor: SEV3}   # severity.name -> level (this is the default)
      timestamps:                        # incident timestamp names -> our fields (these are the defaults)
        started: Impact started
        detected: Reported at
        acknowledged: Accepted at
        mitigated: Fixed at
        resolved: Resolved at
      components_field: Affected services   # custom field listing affected services (optional)
      services: {"Chat API": chat-api}       # its values -> component ids (values equal to ids need no entry)
      customer_impact_severities: [SEV1, SEV2]

Fields read: `id`, `reference`, `name` (title), `mode`, `severity.name`, `incident_status.category` and
`.name`, `incident_timestamp_values[].incident_timestamp.name` / `.value.value`, `created_at`, `permalink`
and the `components_field` entry of `custom_field_entries` (option value, catalog entry name or text).
Role assignments, creators and every other person field are ignored.

- status by `incident_status.category`: triage → investigating; live/active/paused → investigating,
  identified or monitoring by the status name (default identified); learning/post-incident/closed →
  resolved. Declined, merged and canceled incidents, and `mode` test/tutorial incidents, are skipped and
  counted in the summary. Another category is a SourceError.
- started_at is the `started` timestamp, else `detected`, else `created_at`; a missing resolved timestamp
  on a resolved incident is counted and warned about, never invented.
- An unknown severity name, or a resolve before the incident was created, is a SourceError.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..errors import SourceError
from ..model import Incident, Severity
from ._incidents import incident_records
from .ai_incidents import incidentio_fields, with_ai_fields
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

DEFAULT_SEVERITY: dict[str, Severity] = {"Critical": "SEV1", "Major": "SEV2", "Minor": "SEV3"}
SKIPPED = ("declined", "merged", "canceled", "cancelled")
CATEGORIES = ("triage", "live", "active", "paused", "learning", "post-incident", "closed", *SKIPPED)


class TimestampNames(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    started: str = "Impact started"
    detected: str = "Reported at"
    acknowledged: str = "Accepted at"
    mitigated: str = "Fixed at"
    resolved: str = "Resolved at"


class IncidentIoOptions(SourceOptions):
    id_field: Literal["reference", "id"] = "reference"
    severity: dict[str, Severity] = DEFAULT_SEVERITY
    timestamps: TimestampNames = TimestampNames()
    components_field: str | None = None
    services: dict[str, str] = {}
    customer_impact_severities: list[Severity] = list(DEFAULT_IMPACT_SEVERITIES)


def _finish(batch: Batch, notes: dict[str, Any], options: IncidentIoOptions) -> Batch:
    batch.summary = {
        "incidents": len(batch.incidents),
        "by_severity": severity_counts(batch.incidents),
        "skipped_not_incidents": notes["skipped"],
        "unmapped_services": sorted(notes["unmapped"]),
        "resolved_without_timestamp": notes["resolved_without_time"],
    }
    if notes["unmapped"]:
        batch.warnings.append(f"affected services mapped to no component: {sorted(notes['unmapped'])[:8]}")
    if notes["resolved_without_time"]:
        batch.warnings.append(
            f"{notes['resolved_without_time']} resolved incidents have no {options.timestamps.resolved!r} "
            "timestamp; their duration is unknown"
        )
    return batch


def _status(status: Any, file: str, row: int) -> str | None:
    status = status if isinstance(status, dict) else {}
    category = text_of(status.get("category")).lower()
    name = text_of(status.get("name")).lower()
    if category not in CATEGORIES:
        raise SourceError(
            file, "unknown incident status category", row=row, column="incident_status.category",
            expected=" | ".join(CATEGORIES), found=status.get("category"),
        )  # fmt: skip
    if category in SKIPPED:
        return None
    if category in ("learning", "post-incident", "closed"):
        return "resolved"
    if category == "triage":
        return "investigating"
    for word, status_name in (
        ("monitor", "monitoring"),
        ("investigat", "investigating"),
        ("fix", "identified"),
    ):
        if word in name:
            return status_name
    return "identified"


def _timestamps(inc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for entry in inc.get("incident_timestamp_values") or []:
        if not isinstance(entry, dict):
            continue
        stamp, value = entry.get("incident_timestamp"), entry.get("value")
        if isinstance(stamp, dict) and isinstance(value, dict) and stamp.get("name"):
            out[str(stamp["name"]).strip().casefold()] = value.get("value")
    return out


def _field_values(inc: dict[str, Any], field_name: str) -> list[str]:
    out: list[str] = []
    for entry in inc.get("custom_field_entries") or []:
        field = entry.get("custom_field") if isinstance(entry, dict) else None
        if not isinstance(field, dict) or text_of(field.get("name")).casefold() != field_name.casefold():
            continue
        for value in entry.get("values") or []:
            if not isinstance(value, dict):
                continue
            option, catalog = value.get("value_option"), value.get("value_catalog_entry")
            if isinstance(catalog, dict) and catalog.get("name"):
                out.append(text_of(catalog["name"]))
            elif isinstance(option, dict) and option.get("value"):
                out.append(text_of(option["value"]))
            elif value.get("value_text"):
                out.extend(p.strip() for p in str(value["value_text"]).split(",") if p.strip())
    return out


class IncidentIoCollector(Collector):
    type = "incidentio"
    Options = IncidentIoOptions

    def collect(self, options: IncidentIoOptions, ctx: CollectContext) -> Batch:
        check_service_map(options.services, options.path, ctx)
        batch = Batch()
        by_id: dict[str, Incident] = {}
        notes: dict[str, Any] = {"skipped": 0, "unmapped": set(), "resolved_without_time": 0}
        for path in expand_paths(ctx, options.path):
            records = incident_records(path, "incidents")
            batch.files.append(input_file(ctx, path, len(records)))
            batch.rows += len(records)
            for i, rec in enumerate(records, start=1):
                incident = self._incident(rec, options, ctx, str(path), i, notes)
                if incident is None:
                    continue
                if incident.id in by_id:
                    batch.duplicates_dropped += 1
                by_id[incident.id] = incident
        batch.incidents = by_start(list(by_id.values()))
        return _finish(batch, notes, options)

    def combine(
        self, old: Batch, new: Batch, options: IncidentIoOptions, ctx: CollectContext
    ) -> Batch | None:
        batch = joined_batch(old, new)
        if batch is None:
            return None
        a, b = old.summary, new.summary
        notes = {
            "skipped": a["skipped_not_incidents"] + b["skipped_not_incidents"],
            "unmapped": {*a["unmapped_services"], *b["unmapped_services"]},
            "resolved_without_time": a["resolved_without_timestamp"] + b["resolved_without_timestamp"],
        }
        return _finish(batch, notes, options)

    def _incident(
        self,
        rec: dict[str, Any],
        options: IncidentIoOptions,
        ctx: CollectContext,
        file: str,
        row: int,
        notes: dict,
    ) -> Incident | None:
        if text_of(rec.get("mode")).lower() in ("test", "tutorial"):
            notes["skipped"] += 1
            return None
        ident = text_of(rec.get(options.id_field))
        if not ident:
            raise SourceError(
                file, "incident has no identifier", row=row, column=options.id_field, expected="a value"
            )
        status = _status(rec.get("incident_status"), file, row)
        if status is None:
            notes["skipped"] += 1
            return None
        severity_obj = rec.get("severity")
        label = severity_obj.get("name") if isinstance(severity_obj, dict) else severity_obj
        severity = severity_of(label, options.severity, file=file, row=row, column="severity.name")
        stamps = _timestamps(rec)
        names = options.timestamps

        def stamp(which: str) -> Any:
            name = getattr(names, which)
            return parse_instant(stamps.get(name.casefold()), tz=ctx.tz, file=file, row=row, column=name)

        created = parse_instant(
            rec.get("created_at"), tz=ctx.tz, file=file, row=row, column="created_at", required=True
        )
        assert created is not None
        detected, resolved = stamp("detected"), stamp("resolved")
        times = {
            "created_at": created,
            "started_at": stamp("started") or detected or created,
            "detected_at": detected,
            "acknowledged_at": stamp("acknowledged"),
            "mitigated_at": stamp("mitigated"),
            "resolved_at": resolved,
        }
        check_timeline(times, file=file, row=row)
        if status == "resolved" and resolved is None:
            notes["resolved_without_time"] += 1
        components: list[str] = []
        if options.components_field:
            for value in _field_values(rec, options.components_field):
                comp = options.services.get(value) or (value if value in ctx.config.component_ids else None)
                if comp is None:
                    notes["unmapped"].add(value)
                elif comp not in components:
                    components.append(comp)
        incident = Incident(
            id=ident,
            title=text_of(rec.get("name")) or ident,
            severity=severity,
            status=status,  # type: ignore[arg-type]
            components=tuple(components),
            started_at=times["started_at"],
            created_at=created,
            detected_at=detected,
            acknowledged_at=times["acknowledged_at"],
            mitigated_at=times["mitigated_at"],
            resolved_at=resolved if status == "resolved" else None,
            customer_impact=severity in options.customer_impact_severities,
            source=ctx.source_id,
            url=text_of(rec.get("permalink")) or None,
        )
        return with_ai_fields(incident, incidentio_fields(rec), ctx.config, file=file, row=row)
