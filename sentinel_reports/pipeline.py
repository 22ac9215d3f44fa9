"""The one module that knows every publication and builds the site from them.

    sentinel.yaml ─► config ─► collectors ─► analysis ─► narrative ─► render ─► publish ─► site/

``build_site`` opens a Session (session.py: config, data loaded on first use, the store, the narrator, the
template environment, the chart renderer), lists the publications (publications.py: a Brief per week, the
StatusPage, a Deck per quarter, the Landing page), writes each one's files (from the store, or rendered)
through the site writer, and the manifest. The CLI's other commands use the same Session and publications.
Functions here take an optional `progress` callback so a terminal can show what is happening; they never
print.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache.code import code_key
from .cache.store import digest, tree_digest
from .errors import UsageError
from .project import (  # noqa: F401 - the loading API, as the CLI, tests and benchmarks import it
    CACHE_DIR,
    Progress,
    Project,
    _quiet,
    clip_to_as_of,
    collect,
    load_project,
    open_project,
    resolve_as_of,
)
from .publications import Brief, Deck, Landing, StatusPage, produce, produce_weeks
from .quick import site_listing
from .session import Session, source_reports

PUBLICATIONS = ("brief", "status", "deck")
PREFIXES = {"brief": ("briefs/", "evidence/"), "status": ("status/",), "deck": ("decks/",)}


@dataclass
class BuildResult:
    """What a build wrote: the weeks, which publications were rendered or reused from the store, and why
    any publication was not built."""

    out_dir: Path
    as_of: str
    weeks: list[str]
    rendered_weeks: list[str] = field(default_factory=list)
    reused_weeks: list[str] = field(default_factory=list)
    status: bool = False
    decks: list[dict[str, Any]] = field(default_factory=list)
    outputs: int = 0
    narrator: dict[str, Any] = field(default_factory=dict)
    facts_from_cache: bool = False
    disabled: dict[str, str] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # publication names ("brief 2026-W47", "status", ...)
    fallbacks: list[str] = field(default_factory=list)  # the weeks whose text fell back to the template, why
    phases: dict[str, list[float]] = field(default_factory=dict)  # [wall, CPU] seconds per phase (PhaseClock)
    brief_cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per step of the rendered briefs

    def add_week(self, week: str, rendered: bool) -> None:
        (self.rendered if rendered else []).append(f"brief {week}")
        (self.rendered_weeks if rendered else self.reused_weeks).append(week)

    def add(self, pub: Any, files: dict[str, bytes], rendered: bool) -> None:
        (self.rendered if rendered else []).append(pub.name)
        if isinstance(pub, Brief):
            (self.rendered_weeks if rendered else self.reused_weeks).append(pub.week)
        elif isinstance(pub, StatusPage):
            self.status = True
        elif isinstance(pub, Deck):
            self.decks = sorted([*self.decks, pub.entry(files)], key=lambda d: str(d["period"]))


def build_site(
    project_dir: Path | str = ".",
    out_dir: Path | str | None = None,
    *,
    as_of: dt.datetime | None = None,
    narrator: str | None = None,
    only: Any = None,
    use_cache: bool = True,
    progress: Progress = _quiet,
    source_date_epoch: int | None = None,
    jobs: int | None = None,
    http_client: Any = None,
) -> BuildResult:
    """Build every publication into ``out_dir`` (default ``<project>/site``), atomically: a brief per week,
    the status page, a deck per quarter, the landing page. ``only`` ("brief,status") builds those and keeps
    the others' files from the previous site; ``site.disabled`` leaves one out, with its reason in the result.
    ``source_date_epoch`` goes into the manifest; ``jobs`` (default: the CPUs) changes no output byte."""
    from .cache.writes import settled

    with settled():  # parse-cache entries are written beside the build, and waited for (cache/writes.py)
        return _build_site(
            project_dir, out_dir, as_of=as_of, narrator=narrator, only=only, use_cache=use_cache,
            progress=progress, source_date_epoch=source_date_epoch, jobs=jobs, http_client=http_client,
        )  # fmt: skip


def _build_site(
    project_dir: Path | str,
    out_dir: Path | str | None,
    *,
    as_of: dt.datetime | None,
    narrator: str | None,
    only: Any,
    use_cache: bool,
    progress: Progress,
    source_date_epoch: int | None,
    jobs: int | None,
    http_client: Any,
) -> BuildResult:
    """`build_site`'s work, inside the block that waits for its background writes."""
    from .publish.manifest import inputs_from_sources, write_manifest
    from .publish.site import SiteWriter
    from .render.brief_charts import TREND_WEEKS
    from .render.environment import static_files

    s = Session(project_dir, as_of=as_of, narrator=narrator, use_cache=use_cache, jobs=jobs,
                progress=progress, http_client=http_client)  # fmt: skip
    disabled = {p: r for p, r in s.config.site.disabled.items() if p in parse_only(only)}
    parts = parse_only(only) - set(disabled)
    out = Path(out_dir) if out_dir is not None else s.root / "site"
    site_key = digest("site-v2", s.inputs_key, ",".join(sorted(parts)), s.narrator_kind, tree_digest(s.templates),
                      code_key(), str(source_date_epoch), str(out.resolve()))  # fmt: skip
    with s.clock("up-to-date check"):
        previous = up_to_date(s.store, site_key, out)
    if previous is not None:
        progress("the site is up to date")
        result = BuildResult(out, **previous, facts_from_cache=True, phases=s.clock.phases)
        if s.store.root is not None:
            stamp_build(s, out, result, project_dir, out_dir, as_of, narrator, only, source_date_epoch)
        return result
    s.narrator.open_periods = {*s.weeks[-1:], *s.quarters[-1:]}  # closed periods are not drafted again
    result = BuildResult(out, s.record["as_of"], s.weeks, disabled=disabled)
    status_ok = "status" in parts and bool(s.weeks)
    links = {"status": status_ok or ("status" not in disabled and (out / "status/index.html").is_file())}
    progress(f"narrating {len(s.weeks)} weeks and looking up their pages")
    histories = [s.weeks[max(0, i - TREND_WEEKS + 1) : i] for i in range(len(s.weeks))]
    pubs = [*([StatusPage(s)] if status_ok else []), *([Deck(s, q) for q in s.quarters] if "deck" in parts else [])]  # fmt: skip
    lines: dict[str, str | None] = {}
    writer = s.clock("write site")
    with writer, SiteWriter(out) as site:  # the atomic swap at the end is counted too
        for path, data in static_files(s.templates).items():
            site.write_bytes(path, data)
        ready: dict[str, dict[str, bytes]] = {}  # the status page and decks rendered beside the weeks
        if "brief" in parts:
            weeks = produce_weeks(s, s.weeks, histories, {**links, "decks": False}, pubs, ready)
            for week, files, rendered, line in weeks:
                for path, data in sorted(files.items()):
                    site.write_bytes(path, data)
                result.add_week(week, rendered)
                lines[week] = line
        result.facts_from_cache = not s.loaded  # every week's facts from the store, no source read
        for pub, files, rendered in produce(s, pubs, ready):
            for path, data in sorted(files.items()):
                site.write_bytes(path, data)
            result.add(pub, files, rendered)
        kept = [p for p in PUBLICATIONS if p not in disabled and (p not in parts or p == "status" and not status_ok)]  # fmt: skip
        carry_over(site, out, kept)
        progress("writing the landing page and manifest")
        metas = s.week_metas(s.weeks)
        summaries = [
            {**metas[w]["summary"], "summary_line": lines[w] if w in lines else landing_line(s, w)}
            for w in s.weeks
        ]
        landing = Landing(s, summaries, result.decks, result.status or "status/index.html" in site)
        for path, data in landing.render().items():
            site.write_bytes(path, data)
        result.narrator = s.narrator.usage()
        result.fallbacks = fallback_lines(result.narrator)
        write_manifest(site, as_of=s.as_of, inputs=inputs_from_sources(source_reports(s.record["inputs"])),
                       narrator=result.narrator, source_date_epoch=source_date_epoch)  # fmt: skip
        result.outputs = len(site.outputs)
    with s.clock("write site"):
        record_site(s.store, site_key, out, result)
        if s.store.root is not None:
            stamp_build(s, out, result, project_dir, out_dir, as_of, narrator, only, source_date_epoch)
    result.phases, result.brief_cpu = s.clock.phases, dict(s.brief_cpu)
    return result


def landing_line(s: Session, week: str) -> str | None:
    """The summary line the landing page shows of a week whose brief this build does not write (``--only``
    without brief): its narrative's."""
    facts = s.week_facts([week])[week]
    return s.narrator.week(facts, s.content).summary_line


def stamp_build(
    s: Session, out: Path, result: BuildResult, project_dir: Any, out_dir: Any, as_of: Any, narrator: Any,
    only: Any, source_date_epoch: Any,
) -> None:  # fmt: skip
    """Record what this build was made from for ``quick.unchanged_build`` (``sentinel build`` with nothing
    changed answers from it without importing the pipeline)."""
    from . import quick

    folders = []
    for src in s.config.sources:
        if src.path is None:  # a table changes without any file showing it: every build asks the engine
            return
        folders += quick.glob_folders(s.root, src.path)
    stamp = quick.build_stamp(s.root, s.input_files, folders, out.resolve())
    if stamp is None:
        return
    fields = ("as_of", "weeks", "status", "decks", "outputs", "disabled", "fallbacks")
    summary: dict[str, Any] = {name: getattr(result, name) for name in fields}
    summary.update(reused_weeks=list(result.weeks), rendered_weeks=[], out_dir=str(result.out_dir))
    as_of_text = as_of.isoformat() if as_of is not None else None
    key = quick.options_key(project_dir, out_dir, as_of_text, narrator, only, source_date_epoch)
    quick.write_stamp(s.root, key, stamp, summary)


def fallback_lines(narrator: dict[str, Any]) -> list[str]:
    """The build summary's lines on the weeks whose text fell back to the template, and why ([] for the
    template narrator)."""
    if narrator.get("kind") != "claude":
        return []
    from .narrative.claude import fallback_lines as lines

    return lines(narrator.get("usage") or {})


def parse_only(only: str | Iterable[str] | None) -> frozenset[str]:
    """``"brief,status"`` -> {"brief", "status"}; None -> every publication. UsageError names unknown ones."""
    if only is None:
        return frozenset(PUBLICATIONS)
    items = [p.strip() for p in (only.split(",") if isinstance(only, str) else only) if p.strip()]
    unknown = sorted(set(items) - set(PUBLICATIONS))
    if unknown or not items:
        raise UsageError(
            f"--only: expected a comma-separated list of {', '.join(PUBLICATIONS)}, found {only!r}"
        )
    return frozenset(items)


def carry_over(site: Any, previous: Path, publications: Iterable[str]) -> list[str]:
    """Copy the previous site's files of publications this build skips (``--only``); returns their paths."""
    prefixes = tuple(p for pub in publications for p in PREFIXES[pub])
    if not prefixes or not (previous / "manifest.json").is_file():
        return []
    manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    copied = []
    for entry in manifest.get("outputs") or []:
        rel = str(entry.get("path") or "")
        if rel.startswith(prefixes) and (previous / rel).is_file():
            site.write_bytes(rel, (previous / rel).read_bytes())
            copied.append(rel)
    return copied


def up_to_date(store: Any, site_key: str, out: Path) -> dict[str, Any] | None:
    """The previous build's result when it was built from the same inputs, options, templates and code and
    its site is exactly as that build left it (every file's size, mtime and inode; no file added or
    removed); None otherwise. Such a rebuild has nothing to do."""
    record = store.get_json("sites", site_key)
    if record is None or site_listing(out) != record["files"]:
        return None
    return dict(record["result"])


def record_site(store: Any, site_key: str, out: Path, result: BuildResult) -> None:
    """Remember a finished build and its site's files, for `up_to_date`."""
    files = site_listing(out)
    if files is None:
        return
    fields = ("as_of", "weeks", "status", "decks", "outputs", "narrator", "disabled", "fallbacks")
    summary = {name: getattr(result, name) for name in fields}
    summary["reused_weeks"] = list(result.weeks)
    store.put_json("sites", site_key, {"files": files, "result": summary})
