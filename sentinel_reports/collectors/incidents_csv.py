"""`incidents_csv`: a generic incident table (CSV, also JSON/JSONL records or Parquet) for tools without a
dedicated collector.

Columns (header names can be remapped with `columns`)::

    id, title, severity, status, components, started_at, detected_at, acknowledged_at, mitigated_at,
    resolved_at, customer_impact            (+ optional created_at, url)
    class, incident_commander, model_sme, data_pipeline_lead, safety_officer, communications_lead (optional)

Source entry::

    - type: incidents_csv
      path: data/incidents/incidents.csv
      columns: {id: "Incident ID", title: Summary}     # our column -> header in the file
      severity: {Critical: SEV1, High: SEV2}           # extra labels; SEV1..SEV4 are always understood
      services: {"Chat": chat-api}                     # component labels -> ids (ids need no entry)
      customer_impact_severities: [SEV1, SEV2]

- `id`, `title`, `severity`, `status` and `started_at` are required in every row.
- `status`: investigating, identified, monitoring or resolved; also open/active/ongoing (→ investigating),
  mitigated (→ monitoring), closed (→ resolved). Anything else is a SourceError naming the row.
- `components`: component ids (or `services` labels) separated by semicolons; an unknown one is a SourceError.
- timestamps: ISO 8601; naive values are read in the source's (or project's) timezone; `created_at`
  defaults to `started_at`. A resolve before the start or creation is a SourceError.
- `customer_impact`: true/false, yes/no or 1/0; empty means "by severity" (`customer_impact_severities`).
- `class` is the AI incident class; the role columns hold the team or role name filling each AICS role
  (`collectors/ai_incidents.py`): a value that names no configured team or role holder is dropped, so no
  person name is kept. Columns not listed here are never read.
- Identical rows are dropped and counted; two different rows with one id are a SourceError.
"""

from __future__ import annotations

from typing import Any

from ..errors import SourceError
from ..model import AICS_ROLES, Incident, Severity
from .ai_incidents import with_ai_fields
from .base import Batch, CollectContext, Collector, SourceOptions
from .io import expand_paths, input_file, read_table, require_columns
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

REQUIRED = ("id", "title", "severity", "status", "started_at")
OPTIONAL = ("components", "created_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
OPTIONAL_TEXT = ("customer_impact", "url", "class", *AICS_ROLES)
STATUS_ALIASES = {
    "investigating": "investigating", "open": "investigating", "active": "investigating",
    "ongoing": "investigating", "identified": "identified", "monitoring": "monitoring",
    "mitigated": "monitoring", "resolved": "resolved", "closed": "resolved",
}  # fmt: skip
TRUE = ("true", "yes", "y", "1")
FALSE = ("false", "no", "n", "0")


class IncidentsCsvOptions(SourceOptions):
    columns: dict[str, str] = {}
    severity: dict[str, Severity] = {}
    services: dict[str, str] = {}
    customer_impact_severities: list[Severity] = list(DEFAULT_IMPACT_SEVERITIES)


class IncidentsCsvCollector(Collector):
    type = "incidents_csv"
    Options = IncidentsCsvOptions

    def collect(self, options: IncidentsCsvOptions, ctx: CollectContext) -> Batch:
        check_service_map(options.services, options.path, ctx)
        batch = Batch()
        by_id: dict[str, tuple[Incident, str, int]] = {}
        for path in expand_paths(ctx, options.path):
            file = str(path)
            frame = read_table(path)
            frame.columns = [str(c).strip() for c in frame.columns]
            header = {
                ours: options.columns.get(ours, ours) for ours in (*REQUIRED, *OPTIONAL, *OPTIONAL_TEXT)
            }
            require_columns(frame, [header[c] for c in REQUIRED], file)
            present = [header[c] for c in header if header[c] in frame.columns]
            batch.files.append(input_file(ctx, path, len(frame)))
            batch.rows += len(frame)
            frame = frame.loc[:, present].astype(object)
            frame = frame.where(frame.notna(), None)
            repeated = frame.duplicated(keep="first")
            batch.duplicates_dropped += int(repeated.sum())
            for index in frame.index[~repeated.to_numpy()]:
                rec = {ours: frame.at[index, col] for ours, col in header.items() if col in frame.columns}
                row = int(index) + 1
                incident = self._incident(rec, options, ctx, file, row, header)
                if incident.id in by_id:
                    _, first_file, first_row = by_id[incident.id]
                    raise SourceError(
                        file, f"incident id used twice (first in {first_file}, row {first_row})", row=row,
                        column=header["id"], expected="one row per incident", found=incident.id,
                    )  # fmt: skip
                by_id[incident.id] = (incident, file, row)
        batch.incidents = by_start([v[0] for v in by_id.values()])
        batch.summary = {"incidents": len(batch.incidents), "by_severity": severity_counts(batch.incidents)}
        return batch

    def combine(
        self, old: Batch, new: Batch, options: IncidentsCsvOptions, ctx: CollectContext
    ) -> Batch | None:
        """An id in both files is an error of the whole source: then every file is read (and it is reported)."""
        batch = joined_batch(old, new)
        if batch is not None:
            batch.summary = {
                "incidents": len(batch.incidents),
                "by_severity": severity_counts(batch.incidents),
            }
        return batch

    def _incident(
        self,
        rec: dict[str, Any],
        options: IncidentsCsvOptions,
        ctx: CollectContext,
        file: str,
        row: int,
        header: dict[str, str],
    ) -> Incident:
        for col in REQUIRED:
            if not text_of(rec.get(col)):
                raise SourceError(
                    file, "missing value", row=row, column=header[col], expected="a value", found="empty"
                )
        severity = severity_of(
            rec["severity"], options.severity, file=file, row=row, column=header["severity"]
        )
        status = STATUS_ALIASES.get(text_of(rec["status"]).lower())
        if status is None:
            raise SourceError(
                file, "unknown status", row=row, column=header["status"],
                expected=" | ".join(sorted(STATUS_ALIASES)), found=rec["status"],
            )  # fmt: skip
        times = {
            col: parse_instant(rec.get(col), tz=ctx.tz, file=file, row=row, column=header[col])
            for col in (
                "started_at",
                "created_at",
                "detected_at",
                "acknowledged_at",
                "mitigated_at",
                "resolved_at",
            )
        }
        times["created_at"] = times["created_at"] or times["started_at"]
        check_timeline(times, file=file, row=row)
        components: list[str] = []
        for label in (p.strip() for p in text_of(rec.get("components")).split(";")):
            if not label:
                continue
            comp = options.services.get(label) or label
            if comp not in ctx.config.component_ids:
                raise SourceError(
                    file, "unknown component", row=row, column=header["components"],
                    expected=f"component ids separated by ';' ({', '.join(ctx.config.component_ids)})", found=label,
                )  # fmt: skip
            if comp not in components:
                components.append(comp)
        impact_text = text_of(rec.get("customer_impact")).lower()
        if impact_text in TRUE:
            impact = True
        elif impact_text in FALSE:
            impact = False
        elif not impact_text:
            impact = severity in options.customer_impact_severities
        else:
            raise SourceError(
                file, "not a yes/no value", row=row, column=header["customer_impact"],
                expected="true/false, yes/no or 1/0", found=rec.get("customer_impact"),
            )  # fmt: skip
        if status == "resolved" and times["resolved_at"] is None:
            raise SourceError(
                file, "resolved incident without resolved_at", row=row, column=header["resolved_at"],
                expected="the time the incident was resolved", found="empty",
            )  # fmt: skip
        incident = Incident(
            id=text_of(rec["id"]),
            title=text_of(rec["title"]),
            severity=severity,
            status=status,  # type: ignore[arg-type]
            components=tuple(components),
            started_at=times["started_at"],  # type: ignore[arg-type]
            created_at=times["created_at"],  # type: ignore[arg-type]
            detected_at=times["detected_at"],
            acknowledged_at=times["acknowledged_at"],
            mitigated_at=times["mitigated_at"],
            resolved_at=times["resolved_at"] if status == "resolved" else None,
            customer_impact=impact,
            source=ctx.source_id,
            url=text_of(rec.get("url")) or None,
        )
        fields = {k: [rec[k]] for k in ("class", *AICS_ROLES) if rec.get(k) not in (None, "")}
        return with_ai_fields(incident, fields, ctx.config, file=file, row=row)
