"""`sentinel check`: validate a project and describe what its data covers, without publishing anything.

`build_check_report` returns a JSON-ready dict (also printed by `--json`); `print_check_report` renders it as
tables on a terminal.

Check runs everything `sentinel build` runs before it renders (`preflight`): the facts of every week and
quarter the build would publish, their template narratives through the voice lint and the fact verifier,
each quarter's deck slides through the deck verifier, the status page's outputs, and a scan of every text
for characters XML (Atom, PPTX, SVG) cannot hold. A project that check passes therefore builds; any
failure is the same error build would give. Week facts are stored in the facts cache build reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from . import workers
from .analysis.cost import cost_facts
from .analysis.coverage import compute_coverage, find_gaps, telemetry_coverage
from .analysis.facts_model import FactsBase
from .config import format_duration
from .display import plural
from .model import format_timestamp
from .project import Progress
from .session import Session


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return format_timestamp(pd.Timestamp(value).to_pydatetime())


def _data_start(project: Any) -> dt.datetime:
    starts = [r.start for r in project.dataset.sources if r.start is not None]
    return min(starts) if starts else project.as_of


# Characters an XML 1.0 document cannot contain (C0 controls other than tab, newline and return; U+FFFE,
# U+FFFF; lone surrogates): a text holding one would break the Atom feed, the PPTX and the SVG charts.
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_unsafe(doc: Any, where: str) -> str | None:
    """The place (`facts for 2026-W47: incidents[0].title`) of the first text in ``doc`` that XML cannot hold:
    in a mapping its keys (the last first), then its values in order, depth first."""
    found = _unsafe_text(doc)
    if found is None:
        return None
    steps, char = found
    path = ""
    for step, key in reversed(steps):
        if step == ".":
            path = f"{path}.{key}" if path else str(key)
        else:
            path = f"{path}{step.format(key)}"
    return f"{where}: {path or '(text)'} holds the character U+{ord(char):04X}"


def _unsafe_text(node: Any) -> tuple[list[tuple[str, Any]], str] | None:
    """(the path's steps from the text up: a mapping's key, a list's ``[i]`` or `` (key)``; the character) of
    the first text XML cannot hold, or None. A week's facts are tens of thousands of texts and none should
    hold one: a path is spelt out only for a hit, and the exact types of JSON data are tested first."""
    kind = type(node)
    if kind is str or (kind is not dict and kind is not list and isinstance(node, str)):
        m = XML_UNSAFE.search(node)
        return ([], m.group()) if m else None
    if kind is dict or (kind is not list and isinstance(node, Mapping)):
        for key in reversed([k for k in node if isinstance(k, str)]):
            if m := XML_UNSAFE.search(key):
                return [(" (key)", None)], m.group()
        for key, value in node.items():
            if (found := _unsafe_text(value)) is not None:
                found[0].append((".", key))
                return found
        return None
    if kind is list or isinstance(node, tuple):
        for i, value in enumerate(node):
            if (found := _unsafe_text(value)) is not None:
                found[0].append(("[{}]", i))
                return found
        return None
    if isinstance(node, FactsBase):  # a facts model (analysis/facts_model.py): its JSON data
        return _unsafe_text(node.model_dump(mode="json", exclude_unset=True))
    return None


def preflight(session: Session) -> dict[str, Any]:
    """What build computes before rendering, for every period it would publish, with the objects build uses
    (the session's facts and narrator, the Brief, StatusPage and Deck publications); raises what build
    raises. A publication left out by ``site.disabled`` is not checked, as build does not build it.

    The weeks and quarters are checked in forked workers (``session.jobs``), as build narrates and renders
    them, unless the narrator keeps state a worker would lose (Claude); their errors are raised in the order
    a check one by one would meet them: the weeks, the status page, the decks."""
    from .publications import Deck, StatusPage
    from .publish.deck import pptx_template

    s = session
    disabled = set(s.config.site.disabled)
    weeks, quarters = s.weeks, s.quarters
    s.week_metas(weeks)  # every week's facts in the store (the missing ones computed): a worker loads its own
    decks = quarters if "deck" not in disabled else []
    jobs = s.jobs if s.narrator.claude is None and workers.fork_safe() else 1
    _CHECKED.append(s)
    try:
        items = [*(("week", w) for w in weeks), *(("quarter", q) for q in decks)]
        checked = workers.fork_map(_check_period, items, jobs)
        for week in weeks:
            s.progress(f"checking the brief of {week}")
            next(checked)  # the first week in order that fails raises its error
        if weeks and "status" not in disabled:
            s.progress("checking the status page")
            StatusPage(s).render()
        if decks:
            Deck(s, decks[0])  # the deck modules are importable (else: how to leave the decks out)
            pptx_template(s.project)
        for quarter in decks:
            s.progress(f"checking the {quarter} deck")
            next(checked)
    finally:
        _CHECKED.clear()
    return {"weeks": weeks, "quarters": quarters}


_CHECKED: list[Session] = []  # the session whose periods preflight checks (a forked worker inherits it)


def _check_period(item: tuple[str, str]) -> None:
    """The checks of one week's brief or one quarter's deck (here or in a forked worker); raises what build
    raises. A brief: its narrative through the voice lint and the fact verifier; a deck: its slides through
    the deck verifier; both: their facts and texts through the XML scan."""
    from .errors import VerificationError
    from .publications import Brief, review_narrative
    from .render.deck import build_deck, verify_deck

    s, (kind, label) = _CHECKED[0], item
    if kind == "quarter":
        facts = s.quarter_facts(label)
        narrative = s.narrator.quarter(facts, s.content)
        deck = build_deck(facts, narrative)
        verify_deck(deck, facts, narrative)
        _unsafe(facts, f"facts of {label}")
        _unsafe([text for _, text in deck.texts()], f"the {label} deck")
        return
    facts = s.week_facts([label])[label]
    brief = Brief(s, label, history=[], links={"status": False, "decks": False})
    if "brief" not in s.config.site.disabled:
        problems = review_narrative(facts, brief.narrative)
        if problems:
            raise VerificationError([f"{label}: {p}" for p in problems])
    _unsafe(facts, f"facts of {label}")
    _unsafe(list(brief.narrative.texts()), f"the brief of {label}")


def _unsafe(doc: Any, where: str) -> None:
    from .errors import PublishError

    problem = xml_unsafe(doc, where)
    if problem:
        raise PublishError(f"{problem}, which XML (the Atom feed, PPTX, SVG) cannot hold")


def build_check_report(
    project_dir: Path | str,
    *,
    as_of: dt.datetime | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
) -> dict[str, Any]:
    progress = progress or (lambda _m: None)
    # the template narrator: check never calls a model API (a Claude narrative falls back to this one)
    session = Session(
        project_dir, as_of=as_of, narrator="template", use_cache=use_cache, progress=progress, jobs=jobs
    )
    project = session.project
    periods = preflight(session)
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
        "preflight": periods,
        "lint": _lint_config(config) + _lint_content(project),
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


def _lint_config(config: Any) -> list[dict[str, Any]]:
    """Warnings about sentinel.yaml that do not stop a build.

    ``feed-base-url``: without an absolute ``site.base_url`` the Atom feed's self link (and every entry
    link) is relative; RFC 4287 resolves it against the feed's own URL, but feed validators warn and
    readers that copy the feed elsewhere lose it. Feeds need ``site.base_url`` (docs/configuration.md)."""
    base = config.site.base_url or ""
    if "status" in config.site.disabled or base.lower().startswith(("http://", "https://")):
        return []
    found = f"it is {base!r}, a relative path" if base else "it is not set"
    return [
        {
            "file": "sentinel.yaml",
            "rule": "feed-base-url",
            "message": (
                f"site.base_url: the Atom feed (status/history.atom) needs the public URL of the site, and {found}; "
                "the feed's self link and entry links are relative (feed validators warn, feed readers may "
                "not resolve them). Set site.base_url to an https:// URL"
            ),
            "excerpt": f"site.base_url: {base}" if base else "site: (no base_url)",
            "severity": "warning",
        }
    ]


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
        step = "-" if c["step_seconds"] is None else format_duration(dt.timedelta(seconds=c["step_seconds"]))
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

    pre = report.get("preflight") or {}
    console.print(
        f"[bold]Preflight[/]: facts, narratives and verification of "
        f"{plural(len(pre.get('weeks', [])), 'weekly brief')} and {plural(len(pre.get('quarters', [])), 'deck')} "
        "pass"
    )
    console.print(f"[bold]Observability gaps[/]: {len(report['gaps'])}")
    for g in report["gaps"]:
        console.print(f"  [{g['priority']}] {g['sentence']}")
    if report["lint"]:
        console.print(f"[bold]Content lint[/]: {plural(len(report['lint']), 'warning')}")
        for f in report["lint"]:
            console.print(f"  {f['file']}: {f['message']} ({f['excerpt']!r})")
