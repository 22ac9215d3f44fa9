"""`sentinel check`: validate a project and describe what its data covers, without writing anything.

`build_check_report` returns a JSON-ready dict (also printed by `--json`); `print_check_report` renders it as
tables on a terminal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from .analysis.cost import cost_facts
from .analysis.coverage import compute_coverage, find_gaps, telemetry_coverage
from .pipeline import Progress, open_project


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def _data_start(project: Any) -> dt.datetime:
    starts = [r.start for r in project.dataset.sources if r.start is not None]
    return min(starts) if starts else project.as_of


def build_check_report(
    project_dir: Path | str, *, as_of: dt.datetime | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    project = open_project(project_dir, as_of=as_of, progress=progress or (lambda _m: None))
    config, data = project.config, project.dataset
    start, end = _data_start(project), project.as_of
    if progress:
        progress("computing coverage")
    coverages = compute_coverage(data.samples, data.evals, data.costs, config, start, end, project.as_of)
    gaps = list(find_gaps(coverages, config, project.as_of))
    cost_block, cost_gaps = cost_facts(data.costs, data.samples, config, start, end, project.as_of)
    gaps.extend(cost_gaps)
    severity = Counter(i.severity for i in data.incidents)
    report: dict[str, Any] = {
        "project": str(Path(project_dir)),
        "as_of": _iso(project.as_of),
        "window": {"start": _iso(start), "end": _iso(end)},
        "config": {
            "organization": config.organization,
            "components": len(config.components),
            "slos": len(config.slos),
            "sources": len(config.sources),
        },
        "sources": [
            {
                "id": r.id,
                "type": r.type,
                "files": [{"path": f.path, "rows": f.rows, "sha256": f.sha256} for f in r.files],
                "rows": r.rows,
                "duplicates_dropped": r.duplicates_dropped,
                "after_as_of_dropped": r.after_as_of_dropped,
                "start": _iso(r.start),
                "end": _iso(r.end),
                "warnings": list(r.warnings),
                "summary": _jsonable(r.summary),
            }
            for r in data.sources
        ],
        "coverage": [
            {
                "component": c.component,
                "signal": c.signal,
                "sources": list(c.sources),
                "start": _iso(c.start),
                "end": _iso(c.end),
                "step_seconds": c.step_seconds,
                "expected_intervals": c.expected_intervals,
                "present_intervals": c.present_intervals,
                "coverage": c.ratio,
                "missing_runs": len(c.missing_runs),
            }
            for c in coverages
        ],
        "telemetry_coverage": telemetry_coverage(coverages, config),
        "gaps": [
            {
                "kind": g.kind,
                "component": g.component,
                "signal": g.signal,
                "priority": g.priority,
                "specific": g.specific,
                "sentence": g.sentence,
                "start": _iso(g.start),
                "end": _iso(g.end),
                "amount": g.amount,
            }
            for g in sorted(gaps, key=lambda g: (g.priority, g.component or "", g.kind, str(g.start)))
        ],
        "cost": {
            "currency": cost_block.get("currency"),
            "total": cost_block.get("total"),
            "attributed": (
                None
                if cost_block.get("total") is None
                else cost_block["total"] - (cost_block.get("unattributed") or 0.0)
            ),
            "unattributed": cost_block.get("unattributed"),
            "unattributed_share": cost_block.get("unattributed_share"),
            "other_currencies": cost_block.get("other_currencies", []),
        },
        "teams": cost_block["team_checks"],
        "incidents": {
            "count": len(data.incidents),
            "by_severity": {s: severity.get(s, 0) for s in ("SEV1", "SEV2", "SEV3", "SEV4")},
        },
        "lint": _lint_content(project),
        "errors": [],
    }
    return report


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | pd.Timestamp):
        return _iso(value)
    if hasattr(value, "item"):
        return value.item()
    return value


def _lint_content(project: Any) -> list[dict[str, Any]]:
    """Voice lint of hand-written content (warnings: e.g. a postmortem that says "human error")."""
    from .narrative.voice import lint_text

    findings: list[dict[str, Any]] = []
    content_dir = project.config.project_dir / "content"
    if not content_dir.is_dir():
        return findings
    for path in sorted(content_dir.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for f in lint_text(text, context=path.name):
            findings.append(
                {
                    "file": path.relative_to(project.config.project_dir).as_posix(),
                    "rule": f.rule,
                    "message": f.message,
                    "excerpt": f.excerpt,
                    "severity": "warning",
                }
            )
    return findings


def _pct(value: float | None) -> str:
    return "no data" if value is None else f"{value * 100:.1f}%"


def print_check_report(report: dict[str, Any], console: Console) -> None:
    if not console.is_terminal:
        console.width = max(console.width, 160)  # logs and pipes: do not truncate table cells
    console.print(
        f"[bold]{report['config']['organization']}[/] — as of {report['as_of']}; "
        f"{report['config']['components']} components, {report['config']['slos']} SLOs, "
        f"{report['config']['sources']} sources"
    )
    sources = Table(title="Sources", title_justify="left")
    for col in ("source", "type", "files", "rows", "duplicates", "from", "to"):
        sources.add_column(col, justify="right" if col in ("files", "rows", "duplicates") else "left")
    for s in report["sources"]:
        sources.add_row(
            s["id"],
            s["type"],
            str(len(s["files"])),
            f"{s['rows']:,}",
            f"{s['duplicates_dropped']:,}",
            s["start"] or "-",
            s["end"] or "-",
        )
    console.print(sources)
    for s in report["sources"]:
        for w in s["warnings"]:
            console.print(f"  warning: {s['id']}: {w}")

    cov = Table(title=f"Coverage (telemetry {_pct(report['telemetry_coverage'])})", title_justify="left")
    for col in ("component", "signal", "step", "coverage", "missing runs", "from", "to"):
        cov.add_column(col, justify="right" if col in ("step", "coverage", "missing runs") else "left")
    for c in report["coverage"]:
        step = "-" if c["step_seconds"] is None else f"{c['step_seconds'] / 60:g}m"
        cov.add_row(
            c["component"],
            c["signal"],
            step,
            _pct(c["coverage"]),
            str(c["missing_runs"]),
            c["start"] or "-",
            c["end"] or "-",
        )
    console.print(cov)

    cost = report["cost"]
    if cost["total"] is not None:
        console.print(
            f"[bold]Cost[/] ({cost['currency']}): total {cost['total']:,.2f}; attributed {cost['attributed']:,.2f}; "
            f"unattributed {cost['unattributed']:,.2f} ({_pct(cost['unattributed_share'])})"
        )
    for other in cost["other_currencies"]:
        console.print(f"  also {other['amount']:,.2f} {other['currency']} (not converted, not summed)")
    teams = report["teams"]
    for team in teams["budget_without_spend"]:
        console.print(
            f"  budget team {team} has no spend (no component it owns has cost rows, no tag names it)"
        )
    for t in teams["spend_without_budget"]:
        console.print(f"  team {t['team']} has {t['amount']:,.2f} {cost['currency']} of spend and no budget")
    for m in teams["tag_mismatches"]:
        console.print(
            f"  {m['amount']:,.2f} {cost['currency']} on {m['component']} is tagged team {m['tag']!r}, "
            f"owner is {m['owner']}"
        )
    inc = report["incidents"]
    by_sev = ", ".join(f"{k} {v}" for k, v in inc["by_severity"].items())
    console.print(f"[bold]Incidents[/]: {inc['count']} ({by_sev})")

    console.print(f"[bold]Observability gaps[/]: {len(report['gaps'])}")
    for g in report["gaps"]:
        console.print(f"  [{g['priority']}] {g['sentence']}")
    if report["lint"]:
        console.print(f"[bold]Content lint[/]: {len(report['lint'])} warnings")
        for f in report["lint"]:
            console.print(f"  {f['file']}: {f['message']} ({f['excerpt']!r})")
