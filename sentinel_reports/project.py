"""A loaded project: sentinel.yaml validated, every source collected (through the parse cache) and clipped
to the as-of instant, and content/ read.

    config = load_project(project_dir)
    dataset = collect(config, progress=..., store=Store(...))
    project = open_project(project_dir, as_of=None)        Project(config, dataset, as_of, content)

The Session (session.py) is what commands use; it calls these when, and only when, a publication needs the
data. Never reads the clock: without ``--as-of`` the report is as of the latest timestamp in the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from .cache.code import module_key
from .cache.sources import SourceCache, cache_key, source_material
from .cache.store import Store
from .collectors.base import CollectContext
from .collectors.catalog import registry, validate_source_entry
from .collectors.io import expand_paths, file_digest
from .config import Config, load_config
from .errors import SourceError
from .model import Dataset, SourceReport, empty_frame

Progress = Callable[[str], None]
CACHE_DIR = ".sentinel/cache"


def _quiet(_: str) -> None:
    return None


def load_project(project_dir: Path | str = ".") -> Config:
    """Validate sentinel.yaml, including every source entry against its collector; one ConfigError for all."""
    return load_config(Path(project_dir), validate_source=validate_source_entry)


def collect(config: Config, *, progress: Progress = _quiet, store: Store | None = None) -> Dataset:
    """Run every configured source's collector and combine the canonical frames.

    With the project's `store`, a source whose files and options are unchanged is read from the parse cache instead,
    and a source whose glob gained files reads only those when its collector can combine batches.
    """
    known = registry()
    cache = SourceCache(store.root) if store is not None and store.root is not None else None
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
                code = module_key(cls.__module__)
                key, source = (cache_key(src.type, material, str(tz), d, code) for d in (digests, []))
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


def open_project(
    project_dir: Path | str = ".",
    *,
    as_of: dt.datetime | None = None,
    progress: Progress = _quiet,
    use_cache: bool = True,
    config: Config | None = None,
    store: Store | None = None,
) -> Project:
    """Config (given or loaded), data collected through the parse cache (``store``, default: the project's
    unless ``use_cache`` is false) and clipped to as-of, and content."""
    config = config if config is not None else load_project(project_dir)
    if store is None and use_cache:
        store = Store(config.project_dir / CACHE_DIR)
    dataset = collect(config, progress=progress, store=store)
    resolved = resolve_as_of(dataset, as_of)
    dataset = clip_to_as_of(dataset, resolved)
    content = load_content_for(config, dataset, progress)
    return Project(config=config, dataset=dataset, as_of=resolved, content=content)


def load_content_for(config: Config, dataset: Dataset, progress: Progress = _quiet) -> Any:
    from .content import load_content

    progress("reading content/")
    return load_content(config.project_dir, config, {i.id for i in dataset.incidents})
