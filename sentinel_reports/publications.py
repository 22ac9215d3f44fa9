"""The publications: what a build writes, each behind one small protocol.

    class Publication(Protocol):
        name      "brief 2026-W47", "status", "deck 2026-Q4", "landing"
        part      the `--only` part it belongs to: brief, status, deck ("" for the landing page)
        kind      the store kind its files are kept under ("" : not stored, it is cheap)
        modules   the stage modules it renders with; the code part of its key is their import closure
        depends_on() -> {name: digest}     everything else it is made from
        key() -> str                       digest of both
        render() -> {site path: bytes}

    Brief(session, week, history, links)        briefs/<week>/{index.html, brief.pdf, brief.eml, brief.md,
                                                showback.csv} and evidence/<week>/facts.json (and
                                                evidence/<week>/narrative.json when a model drafted)
    StatusPage(session)                         status/ (page, incident pages, feed, badges, Statuspage API)
    Deck(session, quarter)                      decks/<quarter>/{index.html, deck.pdf, deck.pptx}
    Landing(session, briefs, decks, has_status) index.html

``produce(session, publications)`` yields each publication's files: from the store when its key is there,
else rendered and stored; briefs that must be rendered are rendered in worker processes (workers.py). Every
brief narrative passes the voice lint and the fact verifier before anything is rendered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from . import workers
from .cache.code import code_key, file_key
from .cache.store import digest, tree_digest
from .errors import PublishError, VerificationError
from .project import _quiet
from .session import Session

THIS_MODULE = "sentinel_reports.publications"
BRIEF_FILES = ("index.html", "brief.pdf", "brief.eml", "brief.md", "showback.csv")


class Publication(Protocol):
    name: str
    part: str
    kind: str
    modules: tuple[str, ...]

    def depends_on(self) -> dict[str, str]: ...

    def key(self) -> str: ...

    def render(self) -> dict[str, bytes]: ...


def require(publication: Any) -> None:
    """Import the modules a publication renders with; a missing dependency (python-pptx for the decks,
    WeasyPrint for the PDFs) is a PublishError that says how to leave the publication out, never a
    publication silently skipped."""
    import importlib

    for module in publication.modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise PublishError(
                f"{publication.part or publication.name}: cannot be built: {exc}. Install what is missing, "
                f"or leave it out with `site.disabled: {{{publication.part}: <reason>}}` in sentinel.yaml"
            ) from None


def _text_digest(value: str | bytes) -> str:
    return digest(value)


class _Base:
    name = ""
    part = ""
    kind = ""
    modules: tuple[str, ...] = ()
    session: Session

    def depends_on(self) -> dict[str, str]:  # pragma: no cover - every publication defines it
        raise NotImplementedError

    def key(self) -> str:
        parts = [f"{k}={v}" for k, v in sorted(self.depends_on().items())]
        return digest(f"{self.kind or self.name}-v2", *parts, code_key(self.modules), file_key(THIS_MODULE))

    def render(self) -> dict[str, bytes]:  # pragma: no cover - every publication defines it
        raise NotImplementedError

    def complete(self, files: Mapping[str, bytes]) -> bool:
        """Whether a stored entry holds every file this publication writes."""
        return True


def review_narrative(facts: Mapping[str, Any], narrative: Any) -> list[str]:
    """Voice lint and fact verification of every text of a narrative: the problems, [] when publishable."""
    from .narrative.review import TextReview

    review = TextReview(narrative.verification_facts(facts))
    problems: list[str] = []
    for text in narrative.texts():
        problems += [p for p in review(text) if p not in problems]
    return problems


class Brief(_Base):
    """One week's brief in every format, with its evidence."""

    part = kind = "brief"
    modules = ("sentinel_reports.publish.brief", "sentinel_reports.narrative.review")

    def __init__(
        self,
        session: Session,
        week: str,
        *,
        history: Sequence[Mapping[str, Any]],
        links: Mapping[str, bool],
        narrative: Any = None,
        standalone: bool = False,
    ) -> None:
        self.session, self.week, self.history, self.links = session, week, list(history), dict(links)
        self.name = f"brief {week}"
        self.facts = session.week_facts([week])[week]
        with session.clock("narrative"):
            self.narrative = (
                narrative if narrative is not None else session.narrator.week(self.facts, session.content)
            )
        self.standalone = standalone  # the stylesheet inline in index.html: a page outside a site
        require(self)

    def depends_on(self) -> dict[str, str]:
        s = self.session
        narrative = json.dumps(self.narrative.as_dict(), sort_keys=True, ensure_ascii=False)
        return {
            "facts": _text_digest(s.facts_text(self.week)),
            "narrative": _text_digest(narrative),
            "history": _text_digest(json.dumps(self.history, sort_keys=True)),
            "links": json.dumps(self.links, sort_keys=True),
            "config": _text_digest(s.config.model_dump_json()),
            "templates": tree_digest(s.templates),
            "standalone": str(self.standalone),
        }

    def by_name(self, files: Mapping[str, bytes]) -> dict[str, bytes]:
        """The brief's files by file name (``brief.pdf``), without the evidence."""
        return {name: files[f"briefs/{self.week}/{name}"] for name in BRIEF_FILES}

    def paths(self) -> list[str]:
        evidence = ["facts.json", *(["narrative.json"] if self.narrative.provenance else [])]
        return [f"briefs/{self.week}/{n}" for n in BRIEF_FILES] + [
            f"evidence/{self.week}/{n}" for n in evidence
        ]

    def complete(self, files: Mapping[str, bytes]) -> bool:
        return set(files) == set(self.paths())

    def task(self) -> tuple[Any, ...]:
        """What a worker process needs to render this brief (picklable)."""
        return self.facts, self.narrative, self.history, self.links, self.standalone

    def render(self) -> dict[str, bytes]:
        _brief_init(self.session.templates, self.session.store.root, self.session.config)
        files, _cpu = _render_brief(self.task())
        return self.placed(files)

    def placed(self, files: Mapping[str, bytes]) -> dict[str, bytes]:
        """The rendered files at their site paths, with the week's evidence."""
        out = {f"briefs/{self.week}/{name}": files[name] for name in BRIEF_FILES}
        out[f"evidence/{self.week}/facts.json"] = self.session.facts_text(self.week).encode("utf-8")
        if self.narrative.provenance:  # a model drafted (or tried to draft) this week's text
            out[f"evidence/{self.week}/narrative.json"] = narrative_evidence(self.narrative).encode("utf-8")
        return out


def narrative_evidence(narrative: Any) -> str:
    """evidence/<period>/narrative.json: per section the narrator, model, prompt hash, tokens, cost, verdict,
    the findings of rejected drafts, retries and the claims of the published text."""
    return json.dumps(dict(narrative.provenance), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


_WORKER: dict[str, Any] = {}


def _brief_init(templates: Any, store_root: Any, config: Any) -> None:
    """Set up a process (a worker, or this one) to render briefs."""
    from .cache.store import Store
    from .render.charts import ChartRenderer
    from .render.environment import make_environment

    key = (templates, store_root, config.model_dump_json())
    if _WORKER.get("key") == key:
        return
    store = Store(store_root) if store_root is not None else None
    _WORKER.update(key=key, env=make_environment(templates, remote_images=config.content.allow_remote_images), renderer=ChartRenderer(store), config=config,
                   templates=templates)  # fmt: skip


def _render_brief(task: tuple[Any, ...]) -> tuple[dict[str, bytes], dict[str, float]]:
    """The brief files of (facts, narrative, history, links, standalone), and the CPU seconds of each step
    (review, HTML and charts, PDF, email); nothing is rendered that would not publish."""
    import gc
    import time

    from .publish.brief import render_week

    facts, narrative, history, links, standalone = task
    # A brief allocates some millions of short-lived objects (WeasyPrint's boxes and styles above all), which
    # set off a few full collections; each would walk every object of the process too (modules, templates,
    # fonts, the week's facts, a forked worker's inheritance), about 0.05-0.1 CPU-s apiece at scale. Frozen,
    # those are left out; the render's own leftovers are collected at its end, before they thaw.
    gc.freeze()
    try:
        started = time.process_time()
        problems = review_narrative(facts, narrative)
        cpu = {"review": time.process_time() - started}
        if problems:
            raise VerificationError([f"{facts.period}: {p}" for p in problems])
        files = render_week(
            _WORKER["env"], facts, narrative, _WORKER["config"], history=history, renderer=_WORKER["renderer"],
            links=links, project_templates=_WORKER["templates"], standalone=standalone, cpu=cpu,
        )  # fmt: skip
        gc.collect()
        return files, cpu
    finally:
        gc.unfreeze()


class StatusPage(_Base):
    """The status page of the latest week, with its incident pages, feed, badges and Statuspage API."""

    name = part = kind = "status"
    modules = ("sentinel_reports.publish.status",)

    def __init__(self, session: Session) -> None:
        self.session = session
        self.week = session.weeks[-1]
        require(self)

    def depends_on(self) -> dict[str, str]:
        s = self.session
        return {
            "facts": _text_digest(s.facts_text(self.week)),
            "config": _text_digest(s.config.model_dump_json()),
            "templates": tree_digest(s.templates),
            "content": tree_digest(s.root / "content"),
        }

    def render(self) -> dict[str, bytes]:
        from jinja2 import TemplateError

        from .publish.status import status_outputs

        s = self.session
        s.progress("rendering the status page")
        facts = s.week_facts([self.week])[self.week]
        try:
            rendered = status_outputs(facts, s.env, s.config, s.project.content)
        except TemplateError as exc:
            raise PublishError(f"status page: template error: {exc}") from None
        return {path: text.encode("utf-8") for path, text in rendered.items()}


class Deck(_Base):
    """One quarter's deck: HTML slides, a 16:9 PDF and an editable PPTX, narrated by the session's
    narrator."""

    part = kind = "deck"
    modules = ("sentinel_reports.publish.deck",)

    def __init__(self, session: Session, quarter: str, formats: Sequence[str] | None = None) -> None:
        require(self)
        from .publish.deck import FORMATS

        self.session, self.quarter = session, quarter
        self.formats = tuple(formats or FORMATS)
        self.name = f"deck {quarter}"
        self.folder = f"decks/{quarter}"

    def depends_on(self) -> dict[str, str]:
        s = self.session
        return {
            "inputs": s.inputs_key,
            "quarter": self.quarter,
            "formats": ",".join(self.formats),
            "config": _text_digest(s.config.model_dump_json()),
            "narrator": s.narrator.identity,
            "templates": tree_digest(s.templates),
        }

    def render(self) -> dict[str, bytes]:
        from jinja2 import TemplateError

        from .publish.deck import deck_files

        s = self.session
        s.progress(f"building the {self.quarter} deck (HTML, PDF, PPTX)")
        try:
            files = deck_files(
                s.project, self.quarter, s.env, formats=self.formats, charts=s.charts,
                narrate=s.narrator.quarter, facts=s.quarter_facts(self.quarter),
            )  # fmt: skip
        except TemplateError as exc:
            raise PublishError(f"deck {self.quarter}: template error: {exc}") from None
        return {f"{self.folder}/{name}": data for name, data in files.items()}

    def entry(self, files: Mapping[str, bytes]) -> dict[str, str | None]:
        """What the landing page lists of this deck: ``{period, href, pdf, pptx}``."""
        from .publish.deck import FILE_NAMES

        paths = {kind: f"{self.folder}/{name}" for kind, name in FILE_NAMES.items()}
        found = {kind: (path if path in files else None) for kind, path in paths.items()}
        return {"period": self.quarter, "href": found["html"], "pdf": found["pdf"], "pptx": found["pptx"]}


class Landing(_Base):
    """The landing page: the latest brief, the archive, the decks and the status link."""

    name = "landing"
    modules = ("sentinel_reports.render.landing",)

    def __init__(
        self,
        session: Session,
        briefs: Sequence[Mapping[str, Any]],
        decks: Sequence[Mapping[str, Any]],
        has_status: bool,
    ) -> None:
        self.session, self.briefs, self.decks, self.has_status = session, briefs, decks, has_status

    def depends_on(self) -> dict[str, str]:
        doc = [self.session.config.organization, self.session.record["as_of"], self.briefs, self.decks]
        return {
            "page": _text_digest(json.dumps([*doc, self.has_status], sort_keys=True, default=str)),
            "templates": tree_digest(self.session.templates),
        }

    def render(self) -> dict[str, bytes]:
        from .render.landing import render_landing

        s = self.session
        html = render_landing(
            s.env, organization=s.config.organization, as_of=s.record["as_of"], briefs=self.briefs,
            decks=self.decks, has_status=self.has_status,
        )  # fmt: skip
        return {"index.html": html.encode("utf-8")}


def week_brief(session: Session, week: str, *, standalone: bool = False) -> Brief:
    """The brief of one week outside a site build (``sentinel brief`` and ``sentinel send``): its KPI
    history from the weeks before it, no links to other publications; UsageError for a week the data does
    not cover."""
    from .render.brief_charts import TREND_WEEKS, week_points

    session.check_week(week)
    at = session.weeks.index(week)
    facts = session.week_facts(session.weeks[max(0, at - TREND_WEEKS + 1) : at + 1])
    history = [week_points(f) for w, f in facts.items() if w != week]
    links = {"status": False, "decks": False}
    return Brief(session, week, history=history, links=links, standalone=standalone)


# -- a build's briefs: one task per week, end to end -------------------------------------------------------

BRIEF_INDEX_MODULES = (*Brief.modules, "sentinel_reports.narrative.template")
_SESSION: list[Session] = []  # the session of the week tasks, inherited by forked workers


def brief_pointer(
    session: Session, week: str, history: Sequence[str], links: Mapping[str, bool]
) -> str | None:
    """Where a build finds a week's brief without loading its facts: the facts keys of the week and of the
    weeks its trends plot (``history``), the links, configuration, templates and code. None for a
    narrator whose text is not decided by these (Claude: drafts depend on the draft cache and replies)."""
    if session.narrator.claude is not None:
        return None
    keys = session.week_keys([week, *history])
    return digest(
        "brief-index-v1", keys[week], *(keys[w] for w in history), json.dumps(dict(links), sort_keys=True),
        session.narrator.identity, _text_digest(session.config.model_dump_json()), tree_digest(session.templates),
        code_key(BRIEF_INDEX_MODULES), file_key(THIS_MODULE),
    )  # fmt: skip


def _week_init(session: Session) -> None:
    """Set up a spawned worker (or this process) for `_week_task`."""
    if not _SESSION or _SESSION[-1] is not session:
        _SESSION.append(session)


_SIDE: list[Publication] = []  # the status page and decks that may be rendered beside the week tasks


def _pool_task(item: tuple[str, Any]) -> Any:
    """In a forked worker: a week task, or (``("side", (n, key))``) the n-th publication of ``_SIDE``
    rendered and stored under ``key``, its progress messages left to the parent."""
    kind, payload = item
    if kind == "week":
        return _week_task(payload)
    n, key = payload
    pub = _SIDE[n]
    session = _SESSION[-1]
    said, session.progress = session.progress, _quiet
    try:
        files = pub.render()
    finally:
        session.progress = said
    if pub.kind:
        session.store.put_files(pub.kind, key, files)
    return files


def _week_task(item: tuple[str, list[Any], dict[str, bool]]) -> dict[str, Any]:
    """In a worker (or here): one week's brief end to end (its facts from the store, the narrative, the
    review and every format), stored; returns the files and what the build reports of them."""
    import time

    session = _SESSION[-1]
    week, history, links = item
    started = time.process_time()
    brief = Brief(session, week, history=history, links=links)
    key = brief.key()
    cpu = {"facts and narrative": time.process_time() - started}
    files = session.store.get_files(brief.kind, key)
    rendered = files is None or not brief.complete(files)
    if rendered:
        _brief_init(session.templates, session.store.root, session.config)
        made, steps = _render_brief(brief.task())
        files = brief.placed(made)
        session.store.put_files(brief.kind, key, files)
        cpu.update(steps)
    assert files is not None
    return {
        "files": files,
        "rendered": rendered,
        "key": key,
        "summary_line": brief.narrative.summary_line,
        "cpu": cpu,
    }


def produce_weeks(
    session: Session,
    weeks: Sequence[str],
    histories: Sequence[Sequence[str]],
    links: Mapping[str, bool],
    side: Sequence[Publication] = (),
    ready: dict[str, dict[str, bytes]] | None = None,
) -> Iterator[tuple[str, dict[str, bytes], bool, str | None]]:
    """(week, its brief's files, whether they were rendered, the summary line) for each week, in order.

    ``side`` (the status page, the decks): those not in the store are rendered by the same forked workers,
    ahead of the weeks, so they do not wait for the weeks to end and then run one after another here; their
    files go to ``ready`` by key, for `produce`. Without forked workers they are left to `produce`.

    A brief found under its pointer (`brief_pointer`) is read from the store here, its facts never loaded.
    The others are week tasks (`_week_task`), in ``jobs`` forked worker processes when this process has not
    started a renderer's threads (workers.fork_safe) and the narrator keeps no state a worker would lose
    (the template narrator), else here one after another; either way the facts stay in the process that
    renders them and only the files come back."""
    store, clock = session.store, session.clock
    found: dict[str, tuple[dict[str, bytes], str | None]] = {}
    pointers: dict[str, str | None] = {}
    for week, history in zip(weeks, histories, strict=True):
        with clock("page look-up"):
            pointer = pointers[week] = brief_pointer(session, week, history, links)
            record = store.get_json("brief-index", pointer) if pointer else None
            files = store.get_files("brief", record["key"]) if record else None
            if files is not None and set(files) == set(_brief_paths(week, files)):
                found[week] = files, record["summary_line"]  # type: ignore[index]
    todo = [(w, h) for w, h in zip(weeks, histories, strict=True) if w not in found]
    needed = [w for w in weeks if w in {x for w, h in todo for x in (w, *h)}]
    jobs = session.jobs if session.narrator.claude is None else 1
    _SIDE[:] = side if ready is not None else ()
    ahead = _fork_ahead(session, needed, len(todo), jobs)
    try:
        metas = session.week_metas(needed)  # facts computed here when missing
        tasks = [(w, [metas[x]["points"] for x in h], dict(links)) for w, h in todo]
        pending: list[tuple[int, Publication, str]] = []
        if ahead is not None or workers.fork_safe() or jobs == 1:
            if jobs > 1 and tasks and ready is not None:
                with clock("page look-up"):
                    pending = [
                        (n, pub, key)
                        for n, pub in enumerate(side)
                        for key in [pub.key()]
                        if _stored(session, pub, key) is None
                    ]
            items = [*(("side", (n, key)) for n, _, key in pending), *(("week", t) for t in tasks)]
            results = ahead.map(items) if ahead is not None else workers.fork_map(_pool_task, items, jobs)
            shown = len(tasks) > 1 and jobs > 1
        else:  # forking now would copy a renderer without its threads: fresh workers, the session sent along
            results = workers.spawn_map(_week_task, tasks, jobs, _week_init, (session.worker_state(),))
            shown = len(tasks) >= workers.PARALLEL_PAGES and jobs > 1
    except BaseException:
        if ahead is not None:
            ahead.close()
        _SIDE.clear()
        raise
    if shown:
        session.progress(f"rendering {len(tasks)} briefs in {min(jobs, len(tasks))} processes")
    _SESSION.append(session)
    try:
        done = iter(clock.iterate("briefs", results))
        for _, pub, key in pending:
            assert ready is not None
            ready[key] = next(done)
            session.progress(
                f"rendered the {pub.quarter} deck (HTML, PDF, PPTX)"
                if isinstance(pub, Deck)
                else "rendered the status page"
            )
        for week in weeks:
            if week in found:
                files, line = found[week]
                yield week, files, False, line
                continue
            out = next(done)
            if out["rendered"]:
                session.progress(f"rendered the brief for {week} (web, PDF, email, markdown)")
                for step, seconds in out["cpu"].items():
                    session.brief_cpu[step] = session.brief_cpu.get(step, 0.0) + seconds
            if pointers[week]:
                store.put_json(
                    "brief-index", pointers[week], {"key": out["key"], "summary_line": out["summary_line"]}
                )  # type: ignore[arg-type]
            yield week, out["files"], out["rendered"], out["summary_line"]
        for _ in done:  # the pool's end (its workers reaped) counted in "briefs"
            pass
    finally:
        _SESSION.pop()
        _SIDE.clear()
        if ahead is not None:
            ahead.close()


def _fork_ahead(session: Session, needed: list[str], briefs: int, jobs: int) -> workers.ForkedPool | None:
    """The render workers forked before the facts of ``needed`` are loaded, when that is safe and pays:
    ``briefs`` to render and ``jobs`` > 1; no renderer has run here (`workers.fork_safe`); the facts go
    through the store (the workers read what this process stores after the fork); at most one week's facts
    are missing, so no other pool forks while this one waits (one new day: the latest week's). As many
    workers as there are briefs warm their renderers (`_warm_renderer`) on the core the facts leave free;
    the others stay idle for the status page and decks, which they take first. Otherwise None: the workers
    are forked once the facts are in. One new day at scale: the brief's phase 1.9-2.1 s instead of 2.5-2.9
    (docs/integrity.md)."""
    if not briefs or jobs <= 1 or not workers.fork_safe() or session.store.root is None:
        return None
    if len(session.facts_missing(needed)) > 1:
        return None
    _SESSION.append(session)
    try:
        return workers.fork_ahead(_pool_task, min(jobs, briefs + len(_SIDE)), _warm_renderer, briefs)
    finally:
        _SESSION.pop()


def _warm_renderer() -> None:
    """In a render worker forked ahead of its briefs: the set-up its first brief would do (the renderers'
    imports, the print engine's fonts (Typst's, or WeasyPrint's first layout), the chart engine's start), done while the parent loads the
    facts. No output changes: every PDF is laid out on its own, and charts' clip ids are renumbered per
    chart (`render.charts.scoped_clip_ids`)."""
    from .publish import brief  # noqa: F401 - the modules a brief is rendered with
    from .publish.pdf import warm_up as warm_pdf
    from .publish.print_typst import typst_applies
    from .publish.print_typst import warm_up as warm_typst
    from .render.charts import warm_up as warm_charts

    session = _SESSION[-1]
    _brief_init(session.templates, session.store.root, session.config)
    if typst_applies(session.templates):
        warm_typst()
    else:
        warm_pdf()
    warm_charts()


def _stored(session: Session, pub: Publication, key: str) -> dict[str, bytes] | None:
    """Every file of ``pub`` the store holds under ``key``, or None when any is missing."""
    files = session.store.get_files(pub.kind, key) if pub.kind else None
    return files if files is not None and isinstance(pub, _Base) and pub.complete(files) else None


def _brief_paths(week: str, files: Mapping[str, bytes]) -> list[str]:
    """The paths a stored brief of ``week`` holds: its formats, facts.json and, when a model drafted,
    narrative.json."""
    evidence = ["facts.json", *(["narrative.json"] if f"evidence/{week}/narrative.json" in files else [])]
    return [f"briefs/{week}/{n}" for n in BRIEF_FILES] + [f"evidence/{week}/{n}" for n in evidence]


def files_of(session: Session, publication: Publication) -> dict[str, bytes]:
    """One publication's files, from the store or rendered."""
    ((_, files, _),) = produce(session, [publication])
    return files


def produce(
    session: Session, publications: Sequence[Publication], ready: Mapping[str, dict[str, bytes]] | None = None
) -> Iterator[tuple[Publication, dict, bool]]:
    """(publication, its files, whether they were rendered) for each publication, stored ones first in
    order, then the rendered ones in order; briefs are rendered in worker processes. ``ready``: files by
    key that `produce_weeks` rendered (and stored) in this build."""
    store, clock = session.store, session.clock
    pending: list[tuple[Publication, str]] = []
    for pub in publications:
        with clock("page look-up"):
            key = pub.key()
            files = None if ready and key in ready else _stored(session, pub, key)
        if files is not None:
            yield pub, files, False
        else:
            pending.append((pub, key))
    briefs = [(p, k) for p, k in pending if isinstance(p, Brief)]
    if len(briefs) >= workers.PARALLEL_PAGES and session.jobs > 1:
        session.progress(f"rendering {len(briefs)} briefs in {min(session.jobs, len(briefs))} processes")
    rendered = workers.spawn_map(
        _render_brief, [p.task() for p, _ in briefs], session.jobs, _brief_init,
        (session.templates, session.store.root, session.config),
    )  # fmt: skip
    for (pub, key), (files, cpu) in zip(briefs, clock.iterate("briefs", rendered), strict=True):
        session.progress(f"rendered the brief for {pub.week} (web, PDF, email, markdown)")  # type: ignore[attr-defined]
        for step, seconds in cpu.items():
            session.brief_cpu[step] = session.brief_cpu.get(step, 0.0) + seconds
        with clock("briefs"):
            placed = pub.placed(files)  # type: ignore[attr-defined]
            store.put_files(pub.kind, key, placed)
        yield pub, placed, True
    for pub, key in pending:
        if isinstance(pub, Brief):
            continue
        if ready and key in ready:
            yield pub, ready[key], True
            continue
        with clock(pub.part or pub.name):
            files = pub.render()
            if pub.kind:
                store.put_files(pub.kind, key, files)
        yield pub, files, True
