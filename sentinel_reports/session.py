"""One command's view of a project: created once per command, shared by every publication it builds.

    session = Session(project_dir, as_of=None, narrator=None, use_cache=True, jobs=None, progress=...)
    session.config          sentinel.yaml, validated (the only thing read up front)
    session.store           the content-addressed store (cache.store.Store; remembers nothing with --no-cache)
    session.record          as-of, weeks and inputs of the data, from the store while the inputs are unchanged
    session.week_facts(weeks)   facts by week: from the store, else computed (in worker processes)
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

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .cache.code import code_key, file_key
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
        self.jobs = default_jobs() if jobs is None else max(1, jobs)
        self.progress = progress
        self.http_client = http_client  # for the claude narrator: tests replay recorded replies through it
        self._project: Project | None = None
        self._facts: dict[str, WeekFacts] = {}
        self.input_files: list[Path] = []  # every input file, once inputs_key is known
        self.facts_keys: dict[str, str] = {}  # week -> the key its facts are stored under

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
                )
        return self._project

    @property
    def content(self) -> Any:
        """The project's content when the data is loaded, else None (narrators do not read it)."""
        return self._project.content if self._project is not None else None

    @cached_property
    def inputs_key(self) -> str:
        self.progress("fingerprinting inputs")
        as_of = self.as_of_option.isoformat() if self.as_of_option else None
        with self.clock("fingerprint inputs"):
            return inputs_key(self.config, as_of, self.store.root, read=self.input_files)

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

    def week_facts(self, weeks: Iterable[str]) -> dict[str, WeekFacts]:
        """Week facts by label, from the store when possible.

        Two levels: under the inputs key (every input file unchanged since the last build) a week's facts
        are found without reading any source; otherwise the data is loaded and each week's facts are found
        under the fingerprint of the data they read; the weeks still missing are computed, in ``jobs``
        forked processes."""
        from .analysis.facts import prepare, week_facts
        from .analysis.facts_model import facts_data, facts_from_dict
        from .analysis.fingerprint import period_fingerprint

        weeks = list(weeks)
        missing: dict[str, str] = {}
        static = None
        for week in (w for w in weeks if w not in self._facts):
            key = self.inputs_key
            with self.clock("load stored facts"):
                pointer = self.store.get_json("facts-index", digest(key, week))
                doc = self.store.get_json("facts", pointer["facts"]) if pointer else None
            if doc is not None:
                with self.clock("load stored facts"):
                    doc = facts_from_dict(doc)
                self.facts_keys[week] = pointer["facts"]
            else:
                p = self.project
                with self.clock("fingerprint weeks"):
                    static = static or facts_key(p.config)
                    fprint = period_fingerprint(p.dataset, p.config, "week", week, p.as_of)
                fkey = digest("period-facts-v1", static, fprint)
                self.facts_keys[week] = fkey
                with self.clock("load stored facts"):
                    doc = self.store.get_json("facts", fkey)
                if doc is None:
                    missing[week] = fkey
                    continue
                doc = facts_from_dict(doc)
                self.store.put_json("facts-index", digest(self.inputs_key, week), {"facts": fkey})
            self._facts[week] = doc
        if missing:
            p = self.project
            with self.clock("facts"):  # built once, shared by the workers
                prepare(p.dataset, p.config)

            def compute(week: str) -> WeekFacts:
                return week_facts(p.dataset, p.content, p.config, week, p.as_of)

            if len(missing) > 1 and self.jobs > 1:
                self.progress(
                    f"computing facts for {len(missing)} weeks in {min(self.jobs, len(missing))} processes"
                )
            computed = self.clock.iterate("facts", fork_map(compute, list(missing), self.jobs))
            for week, doc in zip(missing, computed, strict=True):
                self.progress(f"computing facts for {week}")
                with self.clock("facts"):
                    self.store.put_json("facts", missing[week], facts_data(doc))
                    self.store.put_json(
                        "facts-index", digest(self.inputs_key, week), {"facts": missing[week]}
                    )
                self._facts[week] = doc
        return {week: self._facts[week] for week in weeks}

    def facts_text(self, week: str) -> str:
        """The canonical facts.json text of a week, stored beside its facts (indented JSON is slow to write)."""
        from .analysis.facts import json_dumps_facts

        facts = self.week_facts([week])[week]
        with self.clock("facts JSON"):
            text_key = digest(self.facts_keys.get(week, self.inputs_key), week, "facts-text")
            files = self.store.get_files("facts-text", text_key)
            if files is not None:
                return files["facts.json"].decode("utf-8")
            text = json_dumps_facts(facts)
            self.store.put_files("facts-text", text_key, {"facts.json": text.encode("utf-8")})
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
    config: Config, as_of: Any, memo_dir: Path | None = None, read: list[Path] | None = None
) -> str:
    """Digest of everything the facts are computed from. With ``memo_dir``, a file whose size, mtime and
    inode are those recorded there is not read again (see `DigestMemo`). ``read`` gets every input file
    and OpenSLO file appended."""
    root = config.project_dir
    memo = DigestMemo(memo_dir)
    parts = [facts_key(config)]
    for index, src in enumerate(config.sources):
        ctx = CollectContext(project_dir=root, source_id=config.source_id(index), tz=config.tz, config=config)
        files = expand_paths(ctx, src.path)
        check_inside(root, files, getattr(src, "allow_outside", None) or ())
        for path in files:
            if read is not None:
                read.append(path)
            try:
                parts.append(f"{ctx.relpath(path)}:{memo.digest(path)}")
            except OSError as exc:
                raise SourceError(ctx.relpath(path), f"cannot read: {exc.strerror or exc}") from None
    memo.save()
    if read is not None:
        read += [
            root / e.source for e in config.slos if getattr(e, "source", None) and (root / e.source).is_file()
        ]
    parts.append(str(as_of))
    return digest("inputs-v1", *parts)


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
