"""One command's view of a project: created once per command, shared by every publication it builds.

    session = Session(project_dir, as_of=None, narrator=None, use_cache=True, jobs=None, progress=...)
    session.config          sentinel.yaml, validated (the only thing read up front)
    session.store           the content-addressed store (cache.store.Store; remembers nothing with --no-cache)
    session.record          as-of, weeks and inputs of the data, from the store while the inputs are unchanged
    session.week_keys(weeks)    each week's facts key, without loading facts (only the weeks changed data can
                                reach are fingerprinted)
    session.week_metas(weeks)   each week's trend points and landing figures; missing facts computed (in
                                worker processes that store them)
    session.week_facts(weeks)   facts by week: from the store, else computed
    session.project         config + collected data + content, loaded on first use only
    session.narrator        the configured narrator (template or claude), for weeks and quarters alike
    session.env, .charts    the template environment and the chart renderer (charts cached in the store)

Everything is lazy: a rebuild whose inputs are unchanged finds the facts in the store and never parses a
source. Keys: ``inputs_key`` digests sentinel.yaml, OpenSLO files, content/, every input file and the code
the facts are computed with (``FACTS_MODULES``' import closure); a week's facts are also stored under the
fingerprint of the data they read (analysis/fingerprint.py), so a new day of data recomputes only the weeks
whose look-back it falls in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .cache.code import code_key, file_key, keep_graphs_in
from .cache.memo import DigestMemo
from .cache.store import Store, digest, tree_digest
from .collectors.base import CollectContext
from .collectors.io import check_inside, expand_paths, file_digest
from .config import Config
from .errors import ConfigError, ConfigProblem, SourceError, UsageError
from .model import parse_timestamp
from .project import PhaseClock, Progress, Project, _quiet, load_project, open_project, usable_cache_dir
from .workers import default_jobs, fork_map

if TYPE_CHECKING:
    from .analysis.facts_model import QuarterFacts, WeekFacts

FACTS_MODULES = (
    "sentinel_reports.project",
    "sentinel_reports.analysis.facts",
    "sentinel_reports.analysis.fingerprint",
    "sentinel_reports.analysis.periods",
    "sentinel_reports.analysis.provenance",
)
REUSE_DAYS_WEEKS = 8  # at most this many weeks to fingerprint: reuse the previous build's per-day sums
# the code of a week's summary (`Session.week_metas`): the trend figures and the landing page's line
WEEK_META_MODULES = ("sentinel_reports.render.brief_charts", "sentinel_reports.render.landing")
CLAUDE_INSTRUCTIONS = {
    "executive_summary": "Executive summary of the week for the VP, CTO and CFO: status, customer impact, money, "
    "decisions needed. Translate engineering figures into customer, cost and risk terms.",
    "reliability": "SLOs and error budgets: which objective is at risk, burn rates, what the error-budget policy means.",
    "cost": "Spend against budget, cost per successful task, cache savings and unattributed spend.",
    "incidents": "Incidents of the week: impact, response times, postmortems and overdue action items. Blameless.",
    "quality": "Eval pass rates against targets (the accuracy budget), hallucination and toxicity rates.",
    "gaps": "Observability gaps, each in the fixed sentence shape, highest priority first.",
}


class Session:
    def __init__(
        self,
        project_dir: Path | str = ".",
        *,
        as_of: dt.datetime | None = None,
        narrator: str | None = None,
        use_cache: bool = True,
        jobs: int | None = None,
        progress: Progress = _quiet,
        http_client: Any = None,
    ) -> None:
        self.clock = PhaseClock()  # seconds per phase of this command (BuildResult.phases)
        self.brief_cpu: dict[str, float] = {}  # CPU seconds per step of the briefs rendered, summed
        with self.clock("config"):
            self.config: Config = load_project(project_dir)
        self.root = self.config.project_dir
        self.templates = self.root / "templates"
        self.as_of_option = as_of
        self.narrator_kind = narrator or self.config.narrator.kind
        self.store = Store(usable_cache_dir(self.root) if use_cache else None)  # None: a read-only project
        keep_graphs_in(self.store.root / "code-graph" if self.store.root is not None else None)
        self.jobs = default_jobs() if jobs is None else max(1, jobs)
        self.progress = progress
        self.http_client = http_client  # for the claude narrator: tests replay recorded replies through it
        self._project: Project | None = None
        self._facts: dict[str, WeekFacts] = {}
        self._metas: dict[str, dict[str, Any]] = {}  # week-meta key -> the week's summary (`_get_meta`)
        self.input_files: list[Path] = []  # every input file, once inputs_key is known
        self.facts_keys: dict[str, str] = {}  # week -> the key its facts are stored under
        self.input_digests: dict[str, str] = {}  # input file (relative path) -> its digest, with inputs_key
        self.fingerprinted: list[str] = []  # the weeks whose data this command fingerprinted
        self._state: dict[str, Any] | None = None
        self._days_reused = False  # the window digests reuse the previous build's per-day sums

    # -- the data, loaded on first use ---------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._project is not None

    @property
    def project(self) -> Project:
        if self._project is None:
            with self.clock("collect"):
                self._project = open_project(
                    self.root,
                    as_of=self.as_of_option,
                    progress=self.progress,
                    config=self.config,
                    store=self.store,
                    digests=self.input_digests,  # filled by inputs_key when this build computed it
                    jobs=self.jobs,
                )
        return self._project

    @property
    def content(self) -> Any:
        """The project's content when the data is loaded, else None (narrators do not read it)."""
        return self._project.content if self._project is not None else self.__dict__.get("_content")

    def worker_state(self) -> Session:
        """A copy of this session to send to a spawned worker: everything but the data, the narrator and
        the renderers (the worker makes its own); week facts come from the facts store under the keys
        known here."""
        state = {
            k: v
            for k, v in self.__dict__.items()
            if k not in ("_project", "narrator", "env", "charts", "progress", "http_client")
        }
        state.update(_project=None, _facts={}, _content=self.content, progress=_quiet, http_client=None)
        state.update(clock=PhaseClock())
        copy = Session.__new__(Session)
        copy.__dict__.update(state)
        copy.record, copy.inputs_key, copy.facts_store = self.record, self.inputs_key, self.facts_store
        return copy

    @cached_property
    def inputs_key(self) -> str:
        self.progress("fingerprinting inputs")
        as_of = self.as_of_option.isoformat() if self.as_of_option else None
        with self.clock("fingerprint inputs"):
            return inputs_key(
                self.config, as_of, self.store.root, read=self.input_files, digests=self.input_digests
            )

    @cached_property
    def record(self) -> dict[str, Any]:
        """As-of, weeks and inputs of the data: what a build needs to know without reading the sources."""
        record = self.store.get_json("builds", self.inputs_key)
        if record is None or "inputs" not in record or "quarters" not in record:
            from .analysis.periods import available_periods
            from .analysis.provenance import plain, source_entries

            p = self.project
            record = {
                "as_of": p.as_of.isoformat(),
                "weeks": available_periods(p.dataset, p.config, p.as_of, "week"),
                "quarters": available_periods(p.dataset, p.config, p.as_of, "quarter"),
                "inputs": plain(source_entries(p.dataset.sources)),
            }
            self.store.put_json("builds", self.inputs_key, record)
        return record

    @property
    def as_of(self) -> dt.datetime:
        return parse_timestamp(self.record["as_of"])

    @property
    def weeks(self) -> list[str]:
        return list(self.record["weeks"])

    def check_week(self, week: str) -> None:
        """UsageError for a week that is not an ISO week or that the data does not cover."""
        from .analysis.periods import parse_week

        try:
            parse_week(week)
        except ValueError as exc:
            raise UsageError(f"--week: {exc}") from None
        if week not in self.weeks:
            shown = f"{self.weeks[0]} to {self.weeks[-1]}" if self.weeks else "no week"
            raise UsageError(f"no data for week {week!r}; the data covers {shown}")

    @property
    def quarters(self) -> list[str]:
        return list(self.record["quarters"])

    def check_quarter(self, quarter: str) -> None:
        if quarter not in self.quarters:
            covered = ", ".join(self.quarters) or "none"
            raise UsageError(f"no data for quarter {quarter!r}; the data covers {covered}")

    # -- facts -----------------------------------------------------------------------------------------------

    @cached_property
    def facts_store(self) -> Store:
        """Where week facts, their JSON text and their summaries are kept: the store, or (``--no-cache``) a
        folder of this command's own, removed when the session is, so worker processes hand them on
        without sending them through this process."""
        if self.store.root is not None:
            return self.store
        import shutil
        import tempfile
        import weakref

        scratch = Path(tempfile.mkdtemp(prefix="sentinel-facts-"))
        weakref.finalize(self, shutil.rmtree, scratch, ignore_errors=True)
        return Store(scratch)

    @cached_property
    def _static_key(self) -> str:
        return facts_key(self.config)

    def week_keys(self, weeks: Iterable[str]) -> dict[str, str]:
        """The key each week's facts are stored under, without loading any facts.

        Under the inputs key (every input file unchanged since a build) a pointer gives it without reading a
        source. Otherwise the data is loaded; a week the previous build of this project also had, closed
        then and now, keeps its key when it provably read none of what changed (analysis/fingerprint.py,
        `unchanged_weeks`); the other weeks are fingerprinted (``fingerprinted`` lists them)."""
        from .analysis.fingerprint import period_fingerprint

        weeks = list(weeks)
        todo = self._without_pointer(weeks)
        if todo:
            # every week of the data at once: one comparison with the previous build and one record of
            # this one (a build asks week by week; asked one at a time, each would be compared with the
            # record the one before wrote)
            todo += self._without_pointer([w for w in self.weeks if w not in todo])
            p = self.project
            with self.clock("fingerprint weeks"):
                kept = self._unchanged_keys(todo)
                for week in todo:
                    if week in kept:
                        fkey = kept[week]
                    else:
                        fprint = period_fingerprint(p.dataset, p.config, "week", week, p.as_of)
                        fkey = digest("period-facts-v1", self._static_key, fprint)
                        self.fingerprinted.append(week)
                    self.facts_keys[week] = fkey
                    self.facts_store.put_json("facts-index", digest(self.inputs_key, week), {"facts": fkey})
                self._remember_data()
        return {week: self.facts_keys[week] for week in weeks}

    def _without_pointer(self, weeks: list[str]) -> list[str]:
        """The weeks whose key neither this session nor a `facts-index` pointer of the inputs key gives."""
        todo = []
        for week in weeks:
            if week in self.facts_keys:
                continue
            with self.clock("load stored facts"):
                pointer = self.facts_store.get_json("facts-index", digest(self.inputs_key, week))
            if pointer is not None:
                self.facts_keys[week] = pointer["facts"]
            else:
                todo.append(week)
        return todo

    def _data_key(self) -> str:
        as_of = self.as_of_option.isoformat() if self.as_of_option else ""
        return digest("latest-data-v1", as_of)  # the store is the project's: no need to name it

    def _unchanged_keys(self, weeks: list[str]) -> dict[str, str]:
        """The facts keys of the weeks the previous build's record proves unchanged (see
        `analysis.fingerprint.unchanged_weeks`); {} without such a record."""
        from .analysis.fingerprint import changed_ranges, data_state, reuse_days, unchanged_weeks

        previous = self.store.get_json("latest-data", self._data_key())
        if previous is None or previous.get("static") != self._static_key:
            return {}
        p = self.project
        now = data_state(p.dataset, p.config, self.input_digests)
        self._state = now
        kept = unchanged_weeks(previous, now, p.config, weeks, p.as_of)
        ranges = changed_ranges(previous, now)
        if ranges is not None and not self._days_reused and len(weeks) - len(kept) <= REUSE_DAYS_WEEKS:
            # hash only the rows of the days a change reaches (many weeks: one pass over every row is faster)
            self._days_reused = reuse_days(p.dataset, previous.get("days"), ranges)
        return kept

    def _remember_data(self) -> None:
        """Record the data and the weeks' keys of this build for the next build's `_unchanged_keys`."""
        from .analysis.fingerprint import data_state, day_sums, window

        p = self.project
        state = getattr(self, "_state", None) or data_state(p.dataset, p.config, self.input_digests)
        weeks = {}
        for week, fkey in self.facts_keys.items():
            since, at, closed = window(p.config, "week", week, p.as_of)
            weeks[week] = {"facts": fkey, "closed": closed}
        self.store.put_json(
            "latest-data",
            self._data_key(),
            {**state, "static": self._static_key, "weeks": weeks, "days": day_sums(p.dataset)},
        )

    def _meta_key(self, week: str) -> str:
        return digest("week-meta-v1", self.facts_keys[week], code_key(WEEK_META_MODULES))

    def week_metas(self, weeks: Iterable[str]) -> dict[str, dict[str, Any]]:
        """What a build needs of each week besides its brief (``points``: the figures later weeks plot,
        ``summary``: what the landing page shows), from the store; the weeks whose facts are missing are
        computed, in ``jobs`` forked processes, each storing the facts, their JSON text and this summary
        itself (the facts never come back to this process)."""
        weeks = list(weeks)
        self.week_keys(weeks)
        metas: dict[str, dict[str, Any]] = {}
        missing = []
        for week in weeks:
            with self.clock("load stored facts"):
                meta = self._get_meta(week)
            if meta is None:
                missing.append(week)
            else:
                metas[week] = meta
        if missing:
            from .analysis.facts import prepare
            from .analysis.fingerprint import window

            p = self.project
            spans = [window(p.config, "week", w, p.as_of) for w in missing]
            with self.clock("facts"):  # built once, shared by the workers; of the data those weeks read
                prepare(p.dataset, p.config, (min(s[0] for s in spans), max(s[1] for s in spans)))
            if len(missing) > 1 and self.jobs > 1:
                self.progress(
                    f"computing facts for {len(missing)} weeks in {min(self.jobs, len(missing))} processes"
                )
            computed = self.clock.iterate("facts", fork_map(self._compute_week, missing, self.jobs))
            for week, meta in zip(missing, computed, strict=True):
                self.progress(f"computing facts for {week}")
                metas[week] = self._metas[self._meta_key(week)] = meta
        return {week: metas[week] for week in weeks}

    def facts_missing(self, weeks: Iterable[str]) -> list[str]:
        """The weeks among ``weeks`` whose facts the store does not hold (`week_metas` computes them)."""
        weeks = list(weeks)
        self.week_keys(weeks)
        return [week for week in weeks if self._get_meta(week) is None]

    def _compute_week(self, week: str) -> dict[str, Any]:
        """In a worker (or here): a week's facts, stored with their JSON text; returns the week's summary."""
        from .analysis.facts import week_facts
        from .analysis.facts_model import facts_data
        from .analysis.facts_text import canonical_json
        from .render.brief_charts import week_points
        from .render.landing import facts_summary

        p = self.project
        doc = week_facts(p.dataset, p.content, p.config, week, p.as_of)
        fkey, store = self.facts_keys[week], self.facts_store
        data = facts_data(doc)
        stored = json.dumps(data, ensure_ascii=False, allow_nan=False)  # in order: roles, tags, ...
        store.put_files("facts", fkey, {"doc.json": stored.encode("utf-8")})
        text = canonical_json(data)  # json_dumps_facts(doc), without dumping the model a second time
        store.put_files("facts-text", digest(fkey, week, "facts-text"), {"facts.json": text.encode("utf-8")})
        text = json.dumps({"points": week_points(doc), "summary": facts_summary(doc)}, allow_nan=False)
        store.put_files("week-meta", self._meta_key(week), {"meta.json": text.encode("utf-8")})
        self._facts[week] = doc
        return json.loads(text)  # as a later build reads it back: the same figures in the same order

    def _get_meta(self, week: str) -> dict[str, Any] | None:
        """A week's stored summary, read once per session (`facts_missing`, `week_metas` for the weeks and
        for the landing page ask for it again); None when the store does not hold it."""
        key = self._meta_key(week)
        if key not in self._metas:
            files = self.facts_store.get_files("week-meta", key)
            if files is None or "meta.json" not in files:
                return None
            self._metas[key] = json.loads(files["meta.json"])
        return self._metas[key]

    def week_facts(self, weeks: Iterable[str]) -> dict[str, WeekFacts]:
        """Week facts by label: from the store under their keys (`week_keys`), the missing ones computed
        (`week_metas`)."""
        from .analysis.facts_model import facts_from_json

        weeks = list(weeks)
        self.week_keys(weeks)
        for week in (w for w in weeks if w not in self._facts):
            with self.clock("load stored facts"):
                files = self.facts_store.get_files("facts", self.facts_keys[week])
                if files is not None and "doc.json" in files:
                    self._facts[week] = facts_from_json(files["doc.json"])  # type: ignore[assignment]
        missing = [w for w in weeks if w not in self._facts]
        if missing:
            for week in missing:  # a summary without its facts (a damaged store): computed again
                self.facts_store.put_files("week-meta", self._meta_key(week), {})
                self._metas.pop(self._meta_key(week), None)
            self.week_metas(missing)
            for week in (w for w in missing if w not in self._facts):  # computed in another process
                files = self.facts_store.get_files("facts", self.facts_keys[week])
                assert files is not None
                self._facts[week] = facts_from_json(files["doc.json"])  # type: ignore[assignment]
        return {week: self._facts[week] for week in weeks}

    def facts_text(self, week: str) -> str:
        """The canonical facts.json text of a week, stored beside its facts (indented JSON is slow to write)."""
        from .analysis.facts import json_dumps_facts

        fkey = self.week_keys([week])[week]
        with self.clock("facts JSON"):
            text_key = digest(fkey, week, "facts-text")
            files = self.facts_store.get_files("facts-text", text_key)
            if files is not None:
                return files["facts.json"].decode("utf-8")
        facts = self.week_facts([week])[week]
        with self.clock("facts JSON"):
            text = json_dumps_facts(facts)
            self.facts_store.put_files("facts-text", text_key, {"facts.json": text.encode("utf-8")})
            return text

    def quarter_facts(self, quarter: str) -> QuarterFacts:
        from .analysis.facts import quarter_facts

        p = self.project
        return quarter_facts(p.dataset, p.content, p.config, quarter, p.as_of)

    def period_facts(
        self, *, week: str | None = None, quarter: str | None = None
    ) -> WeekFacts | QuarterFacts:
        """The facts document for one ISO week or one quarter (``sentinel facts``), always computed."""
        from .analysis.facts import quarter_facts, week_facts
        from .analysis.periods import available_periods

        p = self.project
        kind, label = ("week", week) if week else ("quarter", quarter)
        known = available_periods(p.dataset, p.config, p.as_of, kind)
        if label not in known:
            shown = ", ".join(known if len(known) <= 6 else [*known[:3], "…", *known[-3:]]) or "none"
            raise UsageError(f"no data for {kind} {label!r}; the data covers {shown}")
        self.progress(f"computing facts for {label}")
        build = week_facts if kind == "week" else quarter_facts
        return build(p.dataset, p.content, p.config, label, p.as_of)  # type: ignore[arg-type]

    # -- narrator, templates, charts -----------------------------------------------------------------------

    @cached_property
    def narrator(self) -> Narrator:
        return Narrator(self.config, self.narrator_kind, self.store, self.http_client)

    @cached_property
    def env(self) -> Any:
        from .render.environment import make_environment

        return make_environment(self.templates, remote_images=self.config.content.allow_remote_images)

    @cached_property
    def charts(self) -> Any:
        from .render.charts import ChartRenderer

        return ChartRenderer(self.store if self.store.root is not None else None)


class Narrator:
    """The configured narrator for weekly briefs and quarterly decks alike: the template narrator, or
    Claude drafting each section of the template narrative (which stays the fallback); ``usage()`` is the
    report for the manifest. ``kind`` overrides ``narrator.kind``. ``open_periods`` (None: every period)
    are drafted; ``build_site`` sets it to the latest week and quarter, so a build drafts only the open
    periods and the closed ones keep their cached drafts or the template text."""

    def __init__(self, config: Config, kind: str, store: Store, http_client: Any = None) -> None:
        self.config, self.kind = config, kind
        self.open_periods: set[str] | None = None  # None: every period is drafted (sentinel brief, send)
        if kind not in ("template", "claude"):
            raise ValueError(f"unknown narrator {kind!r} (expected template or claude)")
        self.claude = None
        if kind == "claude":
            if not config.narrator.model:
                raise ConfigError(
                    ConfigProblem("narrator.model", "required for the claude narrator (a model id)")
                )
            from .cache.drafts import DraftCache
            from .narrative.claude import ClaudeNarrator
            from .narrative.llm_cache import MemoryDraftCache

            drafts = DraftCache(store) if store.root is not None else MemoryDraftCache()
            self.claude = ClaudeNarrator(
                config.narrator, config.prices, api_key=os.environ.get(config.narrator.api_key_env) or None,
                cache=drafts, sleep=time.sleep, component_names=[c.name for c in config.components],
                http_client=http_client,
            )  # fmt: skip

    @property
    def identity(self) -> str:
        """What, besides the facts, decides the narrative: the kind and, for Claude, its settings."""
        return self.kind if self.claude is None else f"claude:{self.config.narrator.model_dump_json()}"

    def week(self, facts: Mapping[str, Any], content: Any = None) -> Any:
        from .narrative.template import narrate_week

        return self._drafted(facts, narrate_week(facts, content, self.config))

    def quarter(self, facts: Mapping[str, Any], content: Any = None, _config: Any = None) -> Any:
        from .narrative.template import narrate_quarter

        return self._drafted(facts, narrate_quarter(facts, content, self.config))

    def _drafted(self, facts: Mapping[str, Any], base: Any) -> Any:
        """``base`` with each section and the executive summary drafted by Claude (or kept, with the reason),
        marked with who drafted it and carrying its ``provenance``. A closed period (not in
        ``open_periods``) uses its cached drafts or the template text, unless
        ``narrator.draft_closed_periods`` is set."""
        if self.claude is None:
            return base
        from .narrative.claude import with_drafts

        opened = self.open_periods
        request = opened is None or base.period in opened or self.config.narrator.draft_closed_periods
        texts = {**base.sections, "executive_summary": base.executive_summary}
        results = {
            k: self.claude.draft(k, facts, v, CLAUDE_INSTRUCTIONS.get(k, ""), request=request)
            for k, v in texts.items()
        }
        return with_drafts(base, results, self.claude.model, cap_usd=self.claude.max_usd)

    def usage(self) -> dict[str, Any]:
        """The narrator's report for the manifest: kind, usage (requests, tokens, each section's origin), cost."""
        if self.claude is None:
            return {"kind": "template", "usage": {}, "cost": 0.0}
        report = self.claude.usage_report()
        return {"kind": "claude", "usage": report, "cost": report.get("cost")}


# -- input fingerprints ----------------------------------------------------------------------------------


def inputs_key(
    config: Config,
    as_of: Any,
    memo_dir: Path | None = None,
    read: list[Path] | None = None,
    digests: dict[str, str] | None = None,
) -> str:
    """Digest of everything the facts are computed from. With ``memo_dir``, a file whose size, mtime and
    inode are those recorded there is not read again (see `DigestMemo`). ``read`` gets every input file
    and OpenSLO file appended; ``digests`` each input file's digest by its path in the project."""
    root = config.project_dir
    memo = DigestMemo(memo_dir)
    parts = [facts_key(config)]
    for index, src in enumerate(config.sources):
        ctx = CollectContext(project_dir=root, source_id=config.source_id(index), tz=config.tz, config=config)
        if src.table is not None:  # no file to digest: the engine fingerprints the rows the source reads
            parts.append(f"{src.where}:{table_fingerprint(config, index, ctx)}")
            if digests is not None:  # as a file's digest: a changed table reopens the weeks of its rows
                digests[src.where] = parts[-1].rsplit(":", 1)[1]
            continue
        files = expand_paths(ctx, src.path)
        check_inside(root, files, getattr(src, "allow_outside", None) or ())
        for path in files:
            if read is not None:
                read.append(path)
            try:
                parts.append(f"{ctx.relpath(path)}:{memo.digest(path)}")
                if digests is not None:
                    digests[ctx.relpath(path)] = parts[-1].rsplit(":", 1)[1]
            except OSError as exc:
                raise SourceError(ctx.relpath(path), f"cannot read: {exc.strerror or exc}") from None
    memo.save()
    if read is not None:
        read += [
            root / e.source for e in config.slos if getattr(e, "source", None) and (root / e.source).is_file()
        ]
    parts.append(str(as_of))
    return digest("inputs-v1", *parts)


def table_fingerprint(config: Config, index: int, ctx: CollectContext) -> str:
    """The fingerprint of a `table:` source, computed by its collector in the engine."""
    from .collectors import registry

    src = config.sources[index]
    cls = registry()[src.type]
    options = cls.Options.model_validate(src.model_dump(exclude_none=True))
    if getattr(options, "timezone", None):
        ctx = dataclasses.replace(ctx, tz=ZoneInfo(options.timezone))
    return cls().fingerprint(options, ctx)


def facts_key(config: Config) -> str:
    """Digest of what the facts depend on besides the data: sentinel.yaml, OpenSLO files, content/, and the
    code (the import closure of ``FACTS_MODULES``, and this module, which runs them)."""
    root = config.project_dir
    parts = [(root / "sentinel.yaml").read_bytes() if (root / "sentinel.yaml").is_file() else b""]
    for entry in config.slos:
        if getattr(entry, "source", None) and (root / entry.source).is_file():
            parts.append(f"{entry.source}:{file_digest(root / entry.source)}")
    parts += [tree_digest(root / "content"), code_key(FACTS_MODULES), file_key("sentinel_reports.session")]
    return digest("facts-inputs-v1", *parts)


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
