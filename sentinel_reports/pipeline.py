"""The one module that knows every stage and runs them in order.

    sentinel.yaml ─► config ─► collectors ─► analysis ─► narrative ─► render ─► publish ─► site/

Functions here are what the CLI calls. They take an optional `progress` callback so a terminal can show
what is happening on long steps; they never print.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from .collectors.base import CollectContext, expand_paths, file_digest, registry, validate_source_entry
from .config import Config, load_config
from .errors import SourceError, UsageError
from .model import Dataset, SourceReport, empty_frame

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def load_project(project_dir: Path | str = ".") -> Config:
    """Validate sentinel.yaml, including every source entry against its collector; one ConfigError for all."""
    return load_config(Path(project_dir), validate_source=validate_source_entry)


def collect(config: Config, *, progress: Progress = _quiet, cache_dir: Path | None = None) -> Dataset:
    """Run every configured source's collector and combine the canonical frames.

    With `cache_dir`, a source whose files and options are unchanged is read from the parse cache instead,
    and a source whose glob gained files reads only those when its collector can combine batches.
    """
    from .cache import SourceCache, cache_key, source_material

    known = registry()
    cache = SourceCache(cache_dir) if cache_dir is not None else None
    samples, costs, evals, incidents, reports = [], [], [], [], []
    known_components = set(config.component_ids)
    for index, src in enumerate(config.sources):
        source_id = config.source_id(index)
        cls = known[src.type]
        options = cls.Options.model_validate(src.model_dump(exclude_none=True))
        tz = ZoneInfo(options.timezone) if getattr(options, "timezone", None) else config.tz
        ctx = CollectContext(project_dir=config.project_dir, source_id=source_id, tz=tz, config=config)
        batch, key, source = None, None, None
        try:
            if cache is not None:
                files = expand_paths(ctx, options.path)
                digests = [(ctx.relpath(f), file_digest(f)) for f in files]
                material = source_material(options, ctx)
                key, source = (cache_key(src.type, material, str(tz), d) for d in (digests, []))
                batch = cache.load(key)
                if batch is None:
                    batch = cache.append(cls(), options, ctx, files, digests, key, source, progress)
            if batch is None:
                progress(f"reading {source_id} ({src.type})")
                batch = cls().collect(options, ctx)
                if cache is not None and key is not None:
                    cache.store(key, batch, source=source)
        except (OSError, MemoryError) as exc:
            raise SourceError(src.path, f"cannot read: {exc}") from None
        warnings = list(batch.warnings)
        for name, frame in (("samples", batch.samples), ("evals", batch.evals)):
            if len(frame):
                unknown = ~frame["component"].isin(known_components)
                if unknown.any():
                    names = sorted(set(frame.loc[unknown, "component"].astype(str)))[:5]
                    warnings.append(
                        f"{int(unknown.sum())} {name} rows for unknown components {names} ignored"
                    )
                    frame = frame.loc[~unknown]
                (samples if name == "samples" else evals).append(frame)
        if len(batch.costs):
            costs.append(batch.costs)
        incidents.extend(batch.incidents)
        times = [
            f[c] for f, c in ((batch.samples, "ts"), (batch.evals, "ts"), (batch.costs, "day")) if len(f)
        ]
        times += [pd.Series([pd.Timestamp(i.created_at) for i in batch.incidents])] if batch.incidents else []
        start = min(t.min() for t in times).to_pydatetime() if times else None
        end = max(t.max() for t in times).to_pydatetime() if times else None
        reports.append(
            SourceReport(
                id=source_id,
                type=src.type,
                files=tuple(batch.files),
                rows=batch.rows,
                duplicates_dropped=batch.duplicates_dropped,
                start=start,
                end=end,
                warnings=tuple(warnings),
                summary=dict(batch.summary),
            )
        )

    def text_like_others(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
        """Categorical text columns (request-log samples) turned into the `str` columns of the other frames
        through Arrow: the frame pandas would join them into, without a Python object per row."""
        import pyarrow as pa

        frames = [f for f in frames if len(f)]
        for col in ("component", "signal", "source"):
            text = {f[col].dtype for f in frames if str(f[col].dtype) == "str"}
            if len(text) != 1:
                continue
            (dtype,) = text
            for i, f in enumerate(frames):
                if isinstance(f[col].dtype, pd.CategoricalDtype):
                    codes = f[col].cat.codes.to_numpy()
                    values = pa.array(f[col].cat.categories.to_numpy(dtype=object), pa.large_string())
                    rows = values.take(pa.array(codes, mask=codes < 0))
                    frames[i] = f.assign(**{col: pd.array(rows, dtype=dtype)})
        return frames

    return Dataset(
        samples=_concat(text_like_others(samples), "samples"),
        costs=_concat(costs, "costs"),
        evals=_concat(evals, "evals"),
        incidents=tuple(sorted(incidents, key=lambda i: (i.started_at, i.id))),
        sources=tuple(reports),
    )


def _concat(frames: list[pd.DataFrame], kind: Any) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_frame(kind)
    return pd.concat(frames, ignore_index=True)


def clip_to_as_of(dataset: Dataset, as_of: dt.datetime) -> Dataset:
    """Drop everything observed after `as_of` (counted per source); the report is as of that instant."""
    ts = pd.Timestamp(as_of)
    dropped: dict[str, int] = {}

    def keep(frame: pd.DataFrame, col: str) -> pd.DataFrame:
        late = frame[col] > ts
        if late.any():
            for sid, n in frame.loc[late, "source"].value_counts().items():
                dropped[str(sid)] = dropped.get(str(sid), 0) + int(n)
            return frame.loc[~late].reset_index(drop=True)
        return frame

    samples = keep(dataset.samples, "ts")
    costs = keep(dataset.costs, "day")
    evals = keep(dataset.evals, "ts")
    incidents = []
    for inc in dataset.incidents:
        if pd.Timestamp(inc.created_at) > ts:
            dropped[inc.source] = dropped.get(inc.source, 0) + 1
        else:
            incidents.append(inc)
    reports = tuple(
        SourceReport(**{**r.__dict__, "after_as_of_dropped": dropped.get(r.id, 0)}) for r in dataset.sources
    )
    return Dataset(samples, costs, evals, tuple(incidents), reports)


def resolve_as_of(dataset: Dataset, as_of: dt.datetime | None) -> dt.datetime:
    """`--as-of` when given, else the latest timestamp in the data (never the wall clock)."""
    if as_of is not None:
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=dt.UTC)
        return as_of.astimezone(dt.UTC)
    latest = dataset.latest_timestamp()
    if latest is None:
        raise SourceError("sources", "no data in any source, so there is no as-of time", expected="data rows")
    return latest.astimezone(dt.UTC)


@dataclass
class Project:
    """A loaded project: config, collected data clipped to as-of, and content."""

    config: Config
    dataset: Dataset
    as_of: dt.datetime
    content: Any = None
    notes: list[str] = field(default_factory=list)


CACHE_DIR = ".sentinel/cache"


def open_project(
    project_dir: Path | str = ".",
    *,
    as_of: dt.datetime | None = None,
    progress: Progress = _quiet,
    use_cache: bool = True,
) -> Project:
    config = load_project(project_dir)
    cache_dir = config.project_dir / CACHE_DIR if use_cache else None
    dataset = collect(config, progress=progress, cache_dir=cache_dir)
    resolved = resolve_as_of(dataset, as_of)
    dataset = clip_to_as_of(dataset, resolved)
    content = load_content_for(config, dataset, progress)
    return Project(config=config, dataset=dataset, as_of=resolved, content=content)


def load_content_for(config: Config, dataset: Dataset, progress: Progress = _quiet) -> Any:
    from .content import load_content

    progress("reading content/")
    return load_content(config.project_dir, config, {i.id for i in dataset.incidents})


def period_facts(
    project_dir: Path | str = ".",
    *,
    week: str | None = None,
    quarter: str | None = None,
    as_of: dt.datetime | None = None,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """The facts document for one ISO week or one quarter."""
    from .analysis.facts import quarter_facts, week_facts
    from .analysis.periods import available_periods

    project = open_project(project_dir, as_of=as_of, progress=progress)
    kind, label = ("week", week) if week else ("quarter", quarter)
    known = available_periods(project.dataset, project.config, project.as_of, kind)
    if label not in known:
        shown = ", ".join(known[:3] + (["…"] if len(known) > 6 else []) + known[-3:]) if known else "none"
        raise UsageError(f"no data for {kind} {label!r}; the data covers {shown}")
    progress(f"computing facts for {label}")
    build = week_facts if kind == "week" else quarter_facts
    return build(project.dataset, project.content, project.config, label, project.as_of)


# -- the whole site ----------------------------------------------------------------------------------------


@dataclass
class BuildResult:
    """What a build wrote: the weeks, how many were rendered or reused from the cache, and the manifest."""

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
) -> BuildResult:
    """Run the pipeline end to end into ``out_dir`` (default ``<project>/site``), atomically.

    Every ISO week in the data gets its brief (web, PDF, email, markdown, showback CSV) and its evidence;
    the latest week's facts drive the status page; decks come from ``publish.deck`` when that module exists.
    ``only`` ({"brief", "status", "deck"} or "brief,status") re-renders those publications and keeps the
    others' files from the previous site. Every narrative passes the voice lint and the fact verifier before
    anything is written (VerificationError otherwise), and the new site replaces the old one only when the
    whole build succeeded. ``source_date_epoch`` (``SOURCE_DATE_EPOCH``, read by the CLI) is recorded in the
    manifest's build info; nothing else in the site depends on it. ``jobs`` worker processes (default: the
    CPUs available) compute facts and render briefs; the output does not depend on it.
    """
    from jinja2 import TemplateError

    from . import build as b
    from .analysis.facts import json_dumps_facts
    from .errors import PublishError
    from .publish.brief import FILES as BRIEF_FILES
    from .publish.brief import page_key, write_week
    from .publish.cache import DECK_CODE, STATUS_CODE, OutputCache, code_digest, digest, tree_digest
    from .publish.manifest import inputs_from_sources, write_manifest
    from .publish.site import SiteWriter
    from .render.brief_charts import TREND_WEEKS, week_points
    from .render.charts import ChartRenderer
    from .render.environment import make_environment, static_files
    from .render.landing import facts_summary, render_landing

    try:
        parts = b.parse_only(only)
    except ValueError as exc:
        raise UsageError(f"--only: {exc}") from None
    config = load_project(project_dir)
    root = config.project_dir
    out = Path(out_dir) if out_dir is not None else root / "site"
    cache_root = root / CACHE_DIR if use_cache else None
    cache = OutputCache(cache_root)
    templates = root / "templates"
    progress("fingerprinting inputs")
    key = b.inputs_key(config, as_of.isoformat() if as_of else None, cache_root)
    project: Project | None = None

    def loaded() -> Project:
        nonlocal project
        if project is None:
            project = open_project(root, as_of=as_of, progress=progress, use_cache=use_cache)
        return project

    site_key = digest(
        "site-v1", key, ",".join(sorted(parts)), narrator or config.narrator.kind, tree_digest(templates),
        code_digest(), str(source_date_epoch), str(out.resolve()),
    )  # fmt: skip
    previous = b.up_to_date(cache, site_key, out)
    if previous is not None:
        progress("the site is up to date")
        return BuildResult(out, **previous, facts_from_cache=True)
    record = cache.get_json("builds", key)
    if record is None or "inputs" not in record:
        record = b.build_record(loaded())
    resolved = dt.datetime.fromisoformat(record["as_of"])
    jobs = b.default_jobs() if jobs is None else max(1, jobs)
    facts_keys: dict[str, str] = {}  # week -> the key of its facts (the text is cached under it)
    facts_by_week = b.cached_facts(record["weeks"], key, cache, loaded, progress, jobs, facts_keys)
    cache.put_json("builds", key, record)
    narrate, usage = b.make_narrator(config, narrator, cache_root, open_periods=record["weeks"][-1:])
    env = make_environment(templates)
    renderer = ChartRenderer(cache_root / "charts" if cache_root is not None else None)
    result = BuildResult(out, resolved.isoformat(), list(record["weeks"]), facts_from_cache=project is None)
    status_ok = "status" in parts and bool(record["weeks"])
    try:
        from .publish.status import status_outputs
    except ImportError:  # the status publisher is optional while it is being built
        status_ok = False
    links = {"status": status_ok or (out / "status/index.html").is_file(), "decks": False}

    with SiteWriter(out) as site:
        for path, data in static_files(templates).items():
            site.write_bytes(path, data)
        landing = []
        facts_texts: dict[str, str] = {}
        weeks = list(facts_by_week)
        points = [week_points(f) for f in facts_by_week.values()]
        content = getattr(project, "content", None)
        pending: list[tuple[str, str, tuple[Any, ...]]] = []
        progress(f"narrating {len(weeks)} weeks and looking up their pages")
        for i, week in enumerate(weeks):
            facts = facts_by_week[week]
            narrative = narrate(facts, content)
            landing.append(facts_summary(facts, narrative.summary_line))
            if "brief" not in parts:
                continue
            if narrative.provenance:  # a model drafted (or tried to draft) this week's text
                site.write_text(f"evidence/{week}/narrative.json", b.narrative_evidence(narrative))
            text = facts_texts[week] = _facts_text(
                cache, facts_keys.get(week, key), week, facts, json_dumps_facts
            )
            history = points[max(0, i - (TREND_WEEKS - 1)) : i]
            pkey = page_key(
                text, narrative, config, history=history, links=links, project_templates=templates
            )
            files = cache.get_files("pages", pkey)
            if files is not None and set(files) == set(BRIEF_FILES):
                result.reused_weeks.append(week)
                write_week(site, week, files, text)
                continue
            pending.append((week, pkey, (facts, narrative, history, links)))
        if len(pending) >= b.PARALLEL_PAGES and jobs > 1:
            progress(f"rendering {len(pending)} briefs in {min(jobs, len(pending))} processes")
        chart_cache = cache_root / "charts" if cache_root is not None else None
        tasks = [task for _, _, task in pending]
        for (week, pkey, _), files in zip(
            pending, b.render_pages(tasks, jobs, templates, chart_cache, config), strict=True
        ):
            progress(f"rendered the brief for {week} (web, PDF, email, markdown)")
            cache.put_files("pages", pkey, files)
            result.rendered_weeks.append(week)
            write_week(site, week, files, facts_texts[week])
        if status_ok:
            latest = facts_by_week[record["weeks"][-1]]
            latest_text = facts_texts.get(record["weeks"][-1]) or json_dumps_facts(latest)
            status_key = digest("status-v1", latest_text, config.model_dump_json(), code_digest(STATUS_CODE),
                                tree_digest(templates), tree_digest(root / "content"))  # fmt: skip
            files = cache.get_files("status", status_key)
            if files is None:
                progress("rendering the status page")
                try:
                    rendered = status_outputs(latest, env, config, loaded().content)
                except TemplateError as exc:
                    raise PublishError(f"status page: template error: {exc}") from None
                files = {k: v.encode("utf-8") for k, v in rendered.items()}
                cache.put_files("status", status_key, files)
            for path, data in sorted(files.items()):
                site.write_bytes(path, data)
            result.status = True
        if "deck" in parts:
            deck_key = digest(
                "decks-v1", key, config.model_dump_json(), code_digest(DECK_CODE), tree_digest(templates)
            )
            result.decks = _publish_decks(site, loaded, env, renderer, progress, cache, deck_key)
        skipped = [p for p in b.PUBLICATIONS if p not in parts or (p == "status" and not status_ok)]
        b.carry_over(site, out, skipped)
        progress("writing the landing page and manifest")
        site.write_text("index.html", render_landing(
            env, organization=config.organization, as_of=result.as_of, briefs=landing, decks=result.decks,
            has_status=result.status or "status/index.html" in site,
        ))  # fmt: skip
        result.narrator = usage()
        write_manifest(
            site, as_of=resolved, inputs=inputs_from_sources(b.source_reports(record["inputs"])),
            narrator=result.narrator,
            source_date_epoch=source_date_epoch,
        )  # fmt: skip
        result.outputs = len(site.outputs)
    b.record_site(cache, site_key, out, result)
    return result


def _facts_text(cache: Any, key: str, week: str, facts: dict, dumps: Callable[[dict], str]) -> str:
    """The canonical facts.json text of a week, cached beside its facts (indented JSON is slow to write)."""
    from .publish.cache import digest

    text_key = digest(key, week, "facts-text")
    files = cache.get_files("facts-text", text_key)
    if files is not None:
        return files["facts.json"].decode("utf-8")
    text = dumps(facts)
    cache.put_files("facts-text", text_key, {"facts.json": text.encode("utf-8")})
    return text


def _publish_decks(
    site: Any,
    loaded: Callable[[], Project],
    env: Any,
    renderer: Any,
    progress: Progress,
    cache: Any,
    key: str,
) -> list:
    """Hook for the quarterly decks: ``publish.deck.publish_decks(site, project, env, renderer, progress)``
    writes them and returns [{period, href, pdf, pptx}] for the landing page; no deck is built while that
    module does not exist. Decks depend on the whole dataset, so their files are cached under the inputs key
    and replayed on a rebuild with unchanged inputs."""
    import json

    cached = cache.get_files("decks", key)
    if cached is not None:
        for path, data in sorted(cached.items()):
            if path != "decks.json":
                site.write_bytes(path, data)
        return list(json.loads(cached["decks.json"]))
    try:
        from .publish.deck import publish_decks  # type: ignore[import-not-found]
    except ImportError:
        return []
    recorder = _Recorder(site)
    decks = list(publish_decks(recorder, loaded(), env, renderer, progress))
    cache.put_files(
        "decks", key, {**recorder.files, "decks.json": json.dumps(decks, sort_keys=True).encode()}
    )
    return decks


class _Recorder:
    """A site writer seen through a window that remembers what was written (for the deck cache)."""

    def __init__(self, site: Any) -> None:
        self.site, self.files = site, {}
        self.tmp_dir = getattr(site, "tmp_dir", None)

    def write_bytes(self, rel_path: str, data: bytes) -> Any:
        self.files[rel_path] = data
        return self.site.write_bytes(rel_path, data)

    def write_text(self, rel_path: str, text: str) -> Any:
        return self.write_bytes(rel_path, text.encode("utf-8"))
