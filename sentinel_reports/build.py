"""What `pipeline.build_site` needs besides the stages themselves: input fingerprints, the narrator, the
pre-publication check of every narrative, and carrying publications over from the previous site.

    key = inputs_key(config, as_of)           sentinel.yaml, every source file, content/, templates/, code
    narrate, usage = make_narrator(config, kind, cache_root)
    problems = review_narrative(facts, narrative)       [] when publishable
    carry_over(site, previous_site, prefixes)            keep briefs/ or status/ when --only skips them

A build whose inputs key matches a previous build reuses that build's facts (``.sentinel/cache/facts``)
without reading any source; the facts then decide which pages are re-rendered (publish.brief.page_key).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .collectors.base import CollectContext, expand_paths, file_digest
from .config import Config
from .errors import ConfigError, ConfigProblem, SentinelError, VerificationError
from .publish.cache import FACTS_CODE, code_digest, digest, tree_digest

PUBLICATIONS = ("brief", "status", "deck")
PREFIXES = {"brief": ("briefs/", "evidence/"), "status": ("status/",), "deck": ("decks/",)}
CLAUDE_INSTRUCTIONS = {
    "executive_summary": "Executive summary of the week for the VP, CTO and CFO: status, customer impact, money, "
    "decisions needed. Translate engineering figures into customer, cost and risk terms.",
    "reliability": "SLOs and error budgets: which objective is at risk, burn rates, what the error-budget policy means.",
    "cost": "Spend against budget, cost per successful task, cache savings and unattributed spend.",
    "incidents": "Incidents of the week: impact, response times, postmortems and overdue action items. Blameless.",
    "quality": "Eval pass rates against targets (the accuracy budget), hallucination and toxicity rates.",
    "gaps": "Observability gaps, each in the fixed sentence shape, highest priority first.",
}


def parse_only(only: str | Iterable[str] | None) -> frozenset[str]:
    """``"brief,status"`` -> {"brief", "status"}; None -> every publication. ValueError names unknown ones."""
    if only is None:
        return frozenset(PUBLICATIONS)
    items = [p.strip() for p in (only.split(",") if isinstance(only, str) else only) if p.strip()]
    unknown = sorted(set(items) - set(PUBLICATIONS))
    if unknown or not items:
        raise ValueError(f"expected a comma-separated list of {', '.join(PUBLICATIONS)}, found {only!r}")
    return frozenset(items)


def inputs_key(config: Config, as_of: Any, memo_dir: Path | None = None) -> str:
    """Digest of everything the facts are computed from. With ``memo_dir``, a file whose size, mtime and
    inode are those recorded there is not read again (see `DigestMemo`)."""
    root = config.project_dir
    memo = DigestMemo(memo_dir)
    parts = [facts_key(config)]
    for index, src in enumerate(config.sources):
        ctx = CollectContext(project_dir=root, source_id=config.source_id(index), tz=config.tz, config=config)
        for path in expand_paths(ctx, src.path):
            parts.append(f"{ctx.relpath(path)}:{memo.digest(path)}")
    memo.save()
    parts.append(str(as_of))
    return digest("inputs-v1", *parts)


class DigestMemo:
    """sha256 of input files, remembered with their (size, mtime_ns, inode, ctime_ns) in
    ``<dir>/digests.json``, so an unchanged year of exports is not read on every build. As in git's index, a
    file modified in the same instant the memo was written ("racy": mtime not older than the memo file) is
    hashed again."""

    def __init__(self, folder: Path | None):
        self.path = folder / "digests.json" if folder is not None else None
        self.entries: dict[str, list] = {}
        self.written_ns = 0
        self.changed = False
        if self.path is not None and self.path.is_file():
            try:
                self.entries = json.loads(self.path.read_text(encoding="utf-8"))
                self.written_ns = self.path.stat().st_mtime_ns
            except (OSError, ValueError):
                self.entries = {}

    def digest(self, path: Path) -> str:
        if self.path is None:
            return file_digest(path)
        st = path.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
        known = self.entries.get(str(path))
        if (
            known
            and known[:4] == stamp
            and st.st_mtime_ns < self.written_ns
            and st.st_ctime_ns < self.written_ns
        ):
            return str(known[4])
        sha = file_digest(path)
        self.entries[str(path)] = [*stamp, sha]
        self.changed = True
        return sha

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a memo that cannot be written is only slower


def facts_key(config: Config) -> str:
    """Digest of what the facts depend on besides the data: sentinel.yaml, OpenSLO files, content/, code."""
    root = config.project_dir
    parts = [(root / "sentinel.yaml").read_bytes() if (root / "sentinel.yaml").is_file() else b""]
    for entry in config.slos:
        if getattr(entry, "source", None) and (root / entry.source).is_file():
            parts.append(f"{entry.source}:{file_digest(root / entry.source)}")
    parts += [tree_digest(root / "content"), code_digest(FACTS_CODE)]
    return digest("facts-inputs-v1", *parts)


def build_record(project: Any) -> dict[str, Any]:
    """What a build needs to know of its inputs without reading them again: the resolved as-of, the weeks
    the data covers and every source with its files (for the manifest)."""
    from .analysis.periods import available_periods
    from .analysis.provenance import plain, source_entries

    return {
        "as_of": project.as_of.isoformat(),
        "weeks": available_periods(project.dataset, project.config, project.as_of, "week"),
        "inputs": plain(source_entries(project.dataset.sources)),
    }


def source_reports(entries: Iterable[Mapping[str, Any]]) -> list[SimpleNamespace]:
    """``sources[]`` entries (facts or a build record) in the shape publish.manifest.inputs_from_sources reads."""
    return [
        SimpleNamespace(
            id=s["id"], start=s.get("start"), end=s.get("end"),
            files=[SimpleNamespace(path=f["path"], sha256=f["sha256"], rows=f.get("rows")) for f in s.get("files") or []],
        )
        for s in entries
    ]  # fmt: skip


Narrate = Callable[[Mapping[str, Any], Any], Any]


def make_narrator(
    config: Config, kind: str | None, cache_root: Path | None, open_periods: Iterable[str] | None = None
) -> tuple[Narrate, Callable[[], dict]]:
    """The narrator function and a usage report for the manifest. ``kind`` overrides ``narrator.kind``.
    ``open_periods`` (None: every period) are drafted; a closed period uses its cached drafts or the template
    text, unless ``narrator.draft_closed_periods`` is set."""
    from .narrative.template import narrate_week

    kind = kind or config.narrator.kind
    if kind == "template":
        return (lambda facts, content: narrate_week(facts, content, config)), (
            lambda: {"kind": "template", "usage": {}, "cost": 0.0}
        )
    if kind != "claude":
        raise ValueError(f"unknown narrator {kind!r} (expected template or claude)")
    if not config.narrator.model:
        raise ConfigError(ConfigProblem("narrator.model", "required for the claude narrator (a model id)"))
    from .narrative.claude import ClaudeNarrator, with_drafts
    from .narrative.llm_cache import DraftCache, MemoryDraftCache

    cache = DraftCache(cache_root / "llm") if cache_root is not None else MemoryDraftCache()
    claude = ClaudeNarrator(
        config.narrator, config.prices, api_key=os.environ.get(config.narrator.api_key_env) or None,
        cache=cache, sleep=time.sleep, component_names=[c.name for c in config.components],
    )  # fmt: skip

    opened = None if open_periods is None else set(open_periods)

    def narrate(facts: Mapping[str, Any], content: Any) -> Any:
        base = narrate_week(facts, content, config)
        request = opened is None or base.period in opened or config.narrator.draft_closed_periods
        texts = {**base.sections, "executive_summary": base.executive_summary}
        results = {
            k: claude.draft(k, facts, v, CLAUDE_INSTRUCTIONS.get(k, ""), request=request)
            for k, v in texts.items()
        }
        return with_drafts(base, results, claude.model, cap_usd=claude.max_usd)

    def usage() -> dict:
        report = claude.usage_report()
        return {"kind": "claude", "usage": report, "cost": report.get("cost")}

    return narrate, usage


def narrative_evidence(narrative: Any) -> str:
    """evidence/<period>/narrative.json: per section the narrator, model, prompt hash, tokens, cost, verdict,
    the findings of rejected drafts, retries and the claims of the published text."""
    return json.dumps(dict(narrative.provenance), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def review_narrative(facts: Mapping[str, Any], narrative: Any) -> list[str]:
    """Voice lint and fact verification of every text of a narrative: the problems, [] when publishable."""
    from .narrative.review import TextReview

    review = TextReview(narrative.verification_facts(facts))
    problems: list[str] = []
    for text in narrative.texts():
        problems += [p for p in review(text) if p not in problems]
    return problems


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


def _site_files(out: Path) -> dict[str, list[int]] | None:
    """(size, mtime_ns, inode) of every file under ``out``; None when it is not a directory."""
    if not out.is_dir():
        return None
    listing: dict[str, list[int]] = {}
    for folder, _dirs, names in os.walk(out):
        for name in names:
            path = Path(folder, name)
            st = path.stat()
            listing[path.relative_to(out).as_posix()] = [st.st_size, st.st_mtime_ns, st.st_ino]
    return listing


def up_to_date(cache: Any, site_key: str, out: Path) -> dict[str, Any] | None:
    """The previous build's result when it was built from the same inputs, options, templates and code and
    its site is exactly as that build left it (every file's size, mtime and inode; no file added or
    removed); None otherwise. Such a rebuild has nothing to do."""
    record = cache.get_json("sites", site_key)
    if record is None or _site_files(out) != record["files"]:
        return None
    return dict(record["result"])


def record_site(cache: Any, site_key: str, out: Path, result: Any) -> None:
    """Remember a finished build and its site's files, for `up_to_date`."""
    files = _site_files(out)
    if files is None:
        return
    fields = ("as_of", "weeks", "status", "decks", "outputs", "narrator")
    summary = {name: getattr(result, name) for name in fields}
    summary["reused_weeks"] = list(result.weeks)
    cache.put_json("sites", site_key, {"files": files, "result": summary})


def cached_facts(
    weeks: Iterable[str],
    key: str,
    cache: Any,
    loaded: Callable[[], Any],
    progress: Callable[[str], None],
    jobs: int = 1,
    keys: dict[str, str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Week facts by label, from the facts cache when possible.

    Two levels: under the inputs key (every input file, unchanged since the last build) a week's facts are
    found without reading any source; otherwise the data is loaded and each week's facts are found under the
    fingerprint of the data they read (analysis/fingerprint.py) — a new day of data changes the fingerprint
    of the weeks whose look-back it falls in, and only those are computed again, in ``jobs`` processes.
    ``keys`` receives each week's facts key (what the week's facts are stored under)."""
    from .analysis.facts import week_facts
    from .analysis.fingerprint import period_fingerprint
    from .analysis.series import shared_index, time_order

    out: dict[str, dict[str, Any] | None] = {}
    missing: dict[str, str] = {}
    static = None
    for week in weeks:
        pointer = cache.get_json("facts-index", digest(key, week))
        doc = cache.get_json("facts", pointer["facts"]) if pointer else None
        if doc is not None and keys is not None:
            keys[week] = pointer["facts"]
        if doc is None:
            p = loaded()
            static = static or facts_key(p.config)
            fkey = digest(
                "period-facts-v1", static, period_fingerprint(p.dataset, p.config, "week", week, p.as_of)
            )
            doc = cache.get_json("facts", fkey)
            if keys is not None:
                keys[week] = fkey
            if doc is None:
                missing[week] = fkey
            else:
                cache.put_json("facts-index", digest(key, week), {"facts": fkey})
        out[week] = doc
    if missing:
        p = loaded()
        shared_index(p.dataset.samples), time_order(p.dataset.samples)  # built once, shared by the workers

        def compute(week: str) -> dict[str, Any]:
            return week_facts(p.dataset, p.content, p.config, week, p.as_of)

        if len(missing) > 1 and jobs > 1:
            progress(f"computing facts for {len(missing)} weeks in {min(jobs, len(missing))} processes")
        for week, doc in zip(missing, parallel_map(compute, list(missing), jobs), strict=True):
            progress(f"computing facts for {week}")
            cache.put_json("facts", missing[week], doc)
            cache.put_json("facts-index", digest(key, week), {"facts": missing[week]})
            out[week] = doc
    return out  # type: ignore[return-value]


_TASK: Callable[[Any], Any] | None = None


def _run_task(item: Any) -> tuple[bool, Any]:
    """In a worker process: the task inherited from the parent at fork time, applied to one item. An
    exception comes back as its class, state and args (SentinelError subclasses do not survive pickling
    through their constructors)."""
    assert _TASK is not None
    try:
        return True, _TASK(item)
    except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
        return False, _captured(exc)


def _captured(exc: BaseException) -> tuple[Any, ...]:
    """An exception as picklable parts, for `_rebuilt` in the parent."""
    return type(exc), dict(vars(exc)), exc.args, traceback.format_exc()


def parallel_map(fn: Callable[[Any], Any], items: list[Any], jobs: int) -> Iterable[Any]:
    """``fn(item)`` for each item, in order, computed in up to ``jobs`` forked worker processes (which share
    the parent's memory copy-on-write, so a year of loaded data is not copied). Serial when ``jobs`` is 1,
    for a single item, or where processes cannot be forked. Only for pure computation (facts): a forked
    worker must not use a native library whose threads the parent started (see `render_pages`)."""
    global _TASK
    if jobs <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(fn, items)
        return
    _TASK = fn
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(items))) as pool:
            for ok, value in pool.imap(_run_task, items):
                if not ok:
                    raise _rebuilt(value)
                yield value
    finally:
        _TASK = None


_RENDER: dict[str, Any] = {}
PARALLEL_PAGES = 4  # fewer pages than this render in this process (a worker takes seconds to start)


def _render_init(templates: Path, chart_cache: Path | None, config: Config) -> None:
    from .render.charts import ChartRenderer
    from .render.environment import make_environment

    _RENDER.update(env=make_environment(templates), renderer=ChartRenderer(chart_cache), config=config,
                   templates=templates)  # fmt: skip


def _render_task(task: tuple[Any, ...]) -> tuple[bool, Any]:
    from .publish.brief import render_week

    facts, narrative, history, links = task
    try:
        problems = review_narrative(facts, narrative)  # nothing is rendered that would not publish
        if problems:
            raise VerificationError([f"{facts['period']}: {p}" for p in problems])
        return True, render_week(
            _RENDER["env"], facts, narrative, _RENDER["config"], history=history, renderer=_RENDER["renderer"],
            links=links, project_templates=_RENDER["templates"],
        )  # fmt: skip
    except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
        return False, _captured(exc)


def render_pages(
    tasks: list[tuple[Any, ...]], jobs: int, templates: Path, chart_cache: Path | None, config: Config
) -> Iterable[dict[str, bytes]]:
    """The brief files of each (facts, narrative, history, links), in order. With ``jobs`` > 1 and enough
    pages, in freshly started worker processes: the chart renderer (vl-convert) and WeasyPrint run native
    threads that a forked copy of a process that already used them would find dead."""
    pool = None
    if jobs <= 1 or len(tasks) < PARALLEL_PAGES:
        _render_init(templates, chart_cache, config)
        results: Iterable[tuple[bool, Any]] = map(_render_task, tasks)
    else:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(
            max_workers=min(jobs, len(tasks)), mp_context=multiprocessing.get_context("spawn"),
            initializer=_render_init, initargs=(templates, chart_cache, config),
        )  # fmt: skip
        results = pool.map(_render_task, tasks)
    try:
        for ok, value in results:
            if not ok:
                raise _rebuilt(value)
            yield value
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _rebuilt(value: tuple[Any, ...]) -> BaseException:
    """An exception from a worker, rebuilt from its class, state and args."""
    cls, state, args, text = value
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    if not isinstance(exc, SentinelError):
        return RuntimeError(f"a worker process failed:\n{text}")
    return exc


def default_jobs() -> int:
    """Worker processes for facts and rendering: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def week_brief(
    project_dir: Path | str,
    week: str,
    *,
    as_of: Any = None,
    narrator: str | None = None,
    use_cache: bool = True,
    standalone: bool = False,
    progress: Callable[[str], None] = lambda _m: None,
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """One week's facts and brief files (``sentinel brief`` and ``sentinel send``); UsageError for a week
    the data does not cover. ``standalone`` inlines the stylesheet into index.html (a page outside a site)."""
    from .analysis.periods import parse_week
    from .errors import UsageError, VerificationError
    from .pipeline import CACHE_DIR, load_project, open_project
    from .publish.brief import render_week, week_files
    from .publish.cache import OutputCache
    from .render.brief_charts import TREND_WEEKS, week_points
    from .render.charts import ChartRenderer
    from .render.environment import make_environment

    try:
        parse_week(week)
    except ValueError as exc:
        raise UsageError(f"--week: {exc}") from None
    config = load_project(project_dir)
    root = config.project_dir
    cache_root = root / CACHE_DIR if use_cache else None
    cache = OutputCache(cache_root)
    key = inputs_key(config, as_of.isoformat() if as_of else None)
    project = None

    def loaded() -> Any:
        nonlocal project
        if project is None:
            project = open_project(root, as_of=as_of, progress=progress, use_cache=use_cache)
        return project

    record = cache.get_json("builds", key)
    if record is None or "inputs" not in record:
        record = build_record(loaded())
        cache.put_json("builds", key, record)
    weeks = record["weeks"]
    if week not in weeks:
        shown = f"{weeks[0]} to {weeks[-1]}" if weeks else "no week"
        raise UsageError(f"no data for week {week!r}; the data covers {shown}")
    at = weeks.index(week)
    facts_by_week = cached_facts(weeks[max(0, at - TREND_WEEKS + 1) : at + 1], key, cache, loaded, progress)
    facts = facts_by_week[week]
    history = [week_points(f) for w, f in facts_by_week.items() if w != week]
    narrate, _usage = make_narrator(config, narrator, cache_root)
    narrative = narrate(facts, getattr(project, "content", None))
    problems = review_narrative(facts, narrative)
    if problems:
        raise VerificationError([f"{week}: {p}" for p in problems])
    env = make_environment(root / "templates")
    renderer = ChartRenderer(cache_root / "charts" if cache_root is not None else None)
    links = {"status": False, "decks": False}
    progress(f"rendering the brief for {week}")
    if standalone:
        files = render_week(env, facts, narrative, config, history=history, renderer=renderer, links=links,
                            project_templates=root / "templates", standalone=True)  # fmt: skip
    else:
        files = week_files(env, facts, narrative, config, history=history, renderer=renderer, links=links,
                           cache=cache, project_templates=root / "templates")  # fmt: skip
    return facts, files
