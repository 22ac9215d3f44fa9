"""A loaded project: sentinel.yaml validated, every source collected (through the parse cache) and clipped
to the as-of instant, and content/ read.

    config = load_project(project_dir)
    dataset = collect(config, progress=..., store=Store(...))
    project = open_project(project_dir, as_of=None)        Project(config, dataset, as_of, content)

The Session (session.py) is what commands use; it calls these when, and only when, a publication needs the
data. Never reads the clock: without ``--as-of`` the report is as of the latest timestamp in the data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from .cache.code import module_key
from .cache.memo import DigestMemo
from .cache.sources import PartCache, SourceCache, cache_key, source_material
from .cache.store import Store
from .cache.writes import later
from .collectors.base import (
    MAX_COUNT,
    TIME_RANGE,
    Batch,
    CollectContext,
    count_problem,
    datetime_in_range,
    good_over_total,
    out_of_range_ns,
)
from .collectors.catalog import registry, validate_source_entry
from .collectors.io import allowed_roots, check_inside, expand_paths, file_digest, is_inside
from .config import Config, load_config
from .display import plural
from .errors import SourceError
from .model import COUNT_SIGNALS, Dataset, SourceReport, codes, empty_frame, parse_timestamp

Progress = Callable[[str], None]
T = TypeVar("T")
CACHE_DIR = ".sentinel/cache"


def _quiet(_: str) -> None:
    return None


class PhaseClock:
    """Seconds per build phase, taken around the work itself (never from progress messages): wall time,
    and CPU time of this process plus that of the worker processes it reaped during the phase. Phases nest
    exclusively: a phase started inside another (collecting the data the first fingerprint needs) is not
    counted in the outer one too. ``phases`` is ``{name: [wall, cpu]}`` in the order first seen.

        clock = PhaseClock()
        with clock("collect"):
            ...
        for item in clock.iterate("briefs", pool_results): ...   # each step timed, the pool's end included
    """

    def __init__(self) -> None:
        self.phases: dict[str, list[float]] = {}
        self._inner: list[list[float]] = []

    @staticmethod
    def _now() -> tuple[float, float]:
        import resource
        import time

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.perf_counter(), time.process_time() + children.ru_utime + children.ru_stime

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        wall0, cpu0 = self._now()
        self._inner.append([0.0, 0.0])
        try:
            yield
        finally:
            inner = self._inner.pop()
            wall1, cpu1 = self._now()
            wall, cpu = wall1 - wall0, cpu1 - cpu0
            total = self.phases.setdefault(phase, [0.0, 0.0])
            total[0] += wall - inner[0]
            total[1] += cpu - inner[1]
            if self._inner:
                self._inner[-1][0] += wall
                self._inner[-1][1] += cpu

    def iterate(self, phase: str, items: Iterable[T]) -> Iterator[T]:
        """``items`` with each step (and the iterator's end) counted in ``phase``."""
        it = iter(items)
        while True:
            with self(phase):
                try:
                    item = next(it)
                except StopIteration:
                    return
            yield item


def _new_files(parts: PartCache | None, files: int) -> str:
    """What a per-file source reads when some of its files' parts are cached ("" when it reads them all)."""
    new = parts.missing() if parts is not None else files
    if new == files:
        return ""
    return ": no new or changed file" if new == 0 else f": {plural(new, 'new or changed file')}"


def load_project(project_dir: Path | str = ".") -> Config:
    """Validate sentinel.yaml, including every source entry against its collector; one ConfigError for all."""
    return load_config(Path(project_dir), validate_source=validate_source_entry)


def collect(
    config: Config,
    *,
    progress: Progress = _quiet,
    store: Store | None = None,
    digests: Mapping[str, str] | None = None,
    jobs: int = 1,
) -> Dataset:
    """Run every configured source's collector and combine the canonical frames.

    With the project's `store`, a source whose files and options are unchanged is read from the parse cache instead,
    and a source whose glob gained files reads only those when its collector can combine batches. `digests`:
    input files' digests (by path in the project) and tables' fingerprints (by source) this build already
    computed for its inputs key (`session.inputs_key`), so they are not worked out twice. With ``jobs`` > 1,
    while an engine aggregates its sources here, the sources parsed in Python are read in a forked worker
    (`read_sources`).
    """
    given = digests or {}
    known = registry()
    cache = SourceCache(store.root) if store is not None and store.root is not None else None
    # input files' sha256 remembered by size, mtime, inode and ctime, as for the inputs key: an unchanged
    # year of exports is not read again to find its parse-cache entries
    memo = DigestMemo(store.root) if cache is not None and store is not None else None
    samples, costs, evals, incidents, reports = [], [], [], [], []
    kpis: list[pd.DataFrame] = []
    known_components = set(config.component_ids)

    parser: Any = None  # the Python parsers' worker (`_parser_worker`), made just before the sources are read

    def read(index: int, say: Progress) -> Batch:
        """One source's checked batch: from the parse cache, extended by its new files, or read."""
        src, cls, options, ctx = _source_setup(config, index)
        source_id, tz = ctx.source_id, ctx.tz
        batch, key, source = None, None, None
        parts: PartCache | None = None
        roots = allowed_roots(config.project_dir, options.allow_outside)
        table = getattr(options, "table", None)  # a table of the engine instead of files (docs/engines.md)
        try:
            files = [] if table is not None else expand_paths(ctx, options.path)
            check_inside(config.project_dir, files, options.allow_outside)
            if cache is not None:
                if table is not None:  # the engine's fingerprint of the rows stands for a file's digest
                    found = [(src.where, given.get(src.where) or cls().fingerprint(options, ctx))]
                else:
                    found = []
                    for f in files:
                        path = ctx.relpath(f)
                        found.append((path, given.get(path) or (memo.digest(f) if memo else file_digest(f))))
                material = source_material(options, ctx)
                code = module_key(cls.__module__)
                key, source = (cache_key(src.type, material, str(tz), d, code) for d in (found, []))
                batch = cache.load(key)
                if batch is None and table is None and cls.per_file:
                    parts = PartCache(cache.root.parent, source, dict(found), ctx)
                elif batch is None and table is None:
                    check = partial(check_batch, path=src.where)
                    batch = cache.append(cls(), options, ctx, files, found, key, source, say, check)
            fresh = batch is None
            if fresh:
                say(f"reading {source_id} ({src.type}){_new_files(parts, len(files))}")
                if parser is not None and parts is None and not cls.uses_engine:
                    batch = parser.call(index)
                else:
                    batch = cls().collect(
                        options, ctx if parts is None else dataclasses.replace(ctx, parts=parts)
                    )
        except SourceError as exc:
            raise _unquoted(exc, roots[:1]) from None
        except (OSError, MemoryError, zlib.error, EOFError, UnicodeError) as exc:
            # the boundary: whatever escaped the collector's own checks names the source, never a traceback
            name = getattr(exc, "filename", None) or src.where
            shown = ctx.relpath(Path(name)) if is_inside(Path(name), roots[:1]) else str(name)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
            if isinstance(exc, zlib.error | EOFError):
                reason = "corrupt gzip data"
            raise SourceError(
                shown, f"cannot read: {reason}", expected=f"a readable {src.type} file"
            ) from None
        except (pd.errors.OutOfBoundsDatetime, OverflowError) as exc:
            raise SourceError(
                src.where, f"timestamp out of range ({type(exc).__name__})", expected=TIME_RANGE
            ) from None
        except BrokenProcessPool:  # the worker reading it was killed (out of memory)
            raise SourceError(
                src.where,
                "cannot read: the process reading it ended without an answer (out of memory?)",
                expected=f"a readable {src.type} file",
            ) from None
        assert batch is not None
        if not batch.checked:  # a batch read back from the parse cache passed these checks when stored
            check_batch(batch, src.where)
            batch.checked = True
        if fresh and cache is not None and key is not None:
            later(partial(_keep, cache, key, batch, source, parts))  # in the background during a build
        return batch

    if cache is not None:  # the code keys, worked out here before the sources are read on two threads
        for src in config.sources:
            module_key(known[src.type].__module__)
    parser = _parser_worker(config) if jobs > 1 and two_lanes(config) is not None else None
    try:
        read_all = list(read_sources(config, read, progress))
    finally:
        if parser is not None:
            parser.close()
    for index, (batch, said) in enumerate(read_all):
        src = config.sources[index]
        source_id = config.source_id(index)
        for message in said:
            progress(message)
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
        if len(batch.kpis):
            kpis.append(batch.kpis)
        incidents.extend(batch.incidents)
        times = [
            f[c]
            for f, c in (
                (batch.samples, "ts"),
                (batch.evals, "ts"),
                (batch.costs, "day"),
                (batch.kpis, "day"),
            )
            if len(f)
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

    if memo is not None:
        memo.save()
    check_one_source_per_interval(samples)
    check_good_within_total(samples)

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
        kpis=_concat(kpis, "kpis"),
    )


def read_sources(
    config: Config, read: Callable[[int, Progress], Any], progress: Progress
) -> Iterator[tuple[Any, list[str]]]:
    """``read(index, progress)`` of every source, yielded in the config's order with the progress messages
    its reading left to say. The sources an engine aggregates (`Collector.uses_engine`: DuckDB or Spark
    work on their own threads) are read here, one after another, while a thread reads the others (the
    Python parsers), so both cores work; their messages wait for their turn in the config's order. An error
    is raised at its source's turn: the first in the config's order, as when read one by one."""
    lanes = two_lanes(config)
    if lanes is None:
        for index in range(len(config.sources)):
            yield read(index, progress), []
        return
    engine, others = lanes
    from concurrent.futures import ThreadPoolExecutor

    said: dict[int, list[str]] = {i: [] for i in others}
    out: dict[int, Any] = {}

    def lane(indices: list[int], buffered: bool) -> None:
        for i in indices:
            try:
                out[i] = read(i, said[i].append if buffered else progress)
            except BaseException as exc:  # noqa: BLE001 - raised again at its source's turn
                out[i] = exc
                return

    with ThreadPoolExecutor(1, thread_name_prefix="sentinel-collect") as pool:
        background = pool.submit(lane, others, True)
        lane(engine, False)
        background.result()
    for index in range(len(config.sources)):
        if index not in out:  # its lane stopped at an earlier error, which is raised first
            continue
        if isinstance(out[index], BaseException):
            raise out[index]
        yield out[index], said.get(index, [])


def _lanes(config: Config) -> tuple[list[int], list[int]]:
    """The sources an engine aggregates, and the others (parsed in Python), by index."""
    known = registry()
    engine = [i for i, s in enumerate(config.sources) if known[s.type].uses_engine]
    return engine, [i for i in range(len(config.sources)) if i not in engine]


def two_lanes(config: Config) -> tuple[list[int], list[int]] | None:
    """The two lanes `read_sources` reads side by side (`_lanes`); None when it reads one source after
    another (one lane is empty, or one CPU)."""
    engine, others = _lanes(config)
    return (engine, others) if engine and others and (os.cpu_count() or 1) >= 2 else None


def _source_setup(config: Config, index: int) -> tuple[Any, Any, Any, CollectContext]:
    """A source's entry, collector class, validated options and context."""
    src = config.sources[index]
    cls = registry()[src.type]
    options = cls.Options.model_validate(src.model_dump(exclude_none=True))
    tz = ZoneInfo(options.timezone) if getattr(options, "timezone", None) else config.tz
    ctx = CollectContext(
        project_dir=config.project_dir, source_id=config.source_id(index), tz=tz, config=config
    )
    return src, cls, options, ctx


def _parser_worker(config: Config) -> Any:
    """A worker process, forked before the engine starts, that reads a source parsed in Python (its
    collector's batch, by source index) while this process's engine aggregates the others. On a thread
    instead, the parser shares the interpreter lock with the engine lane's Python steps: on the scale
    project the engine lane took 11.6 s beside a thread parsing the telemetry, 9.8 s beside a process and
    8.6 s alone (`benchmarks/collect_lanes.py`, docs/integrity.md). None where processes cannot be forked,
    or in a pool's worker (a render worker that loads the data itself), which may not start processes of
    its own."""
    import multiprocessing

    from .workers import ForkedHelper

    if "fork" not in multiprocessing.get_all_start_methods() or multiprocessing.current_process().daemon:
        return None

    def fresh(index: int) -> Batch:
        _, cls, options, ctx = _source_setup(config, index)
        return cls().collect(options, ctx)

    return ForkedHelper(fresh)


def check_one_source_per_interval(frames: list[pd.DataFrame]) -> None:
    """Two sources may report the same signal of the same component only for different intervals (a change
    of exporter: the old source up to a date, the new one after it); their samples then form one series.
    An interval both report is a SourceError naming both sources (summing or choosing would be a guess)."""
    claimed: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for frame in frames:
        if not len(frame):
            continue
        for pair in _series_keys(frame):
            claimed.setdefault(pair, []).append(frame)
    for (component, signal), parts in sorted(claimed.items()):
        if len(parts) < 2:
            continue
        rows = [
            f.loc[
                (f["component"].astype(str) == component) & (f["signal"].astype(str) == signal),
                ["ts", "source"],
            ]
            for f in parts
        ]
        both = pd.concat(rows, ignore_index=True)
        shared = both.loc[both.duplicated("ts", keep=False)].sort_values(["ts", "source"], kind="stable")
        if len(shared):
            first = shared.iloc[0]["ts"]
            names = sorted(set(shared.loc[shared["ts"] == first, "source"].astype(str)))
            raise SourceError(
                "sources",
                f"sources {' and '.join(repr(n) for n in names)} both report {signal} for {component} "
                f"at {pd.Timestamp(first).isoformat()}",
                expected="one source per component and signal for each interval (see docs/sources.md)",
                found=f"{len(shared.drop_duplicates('ts'))} shared intervals",
            )


def _series_keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """The distinct (component, signal) pairs of a samples frame, from integer codes of both columns (a
    count per pair: no sort and no Python object per row of millions)."""
    if frame["component"].isna().any() or frame["signal"].isna().any():
        pairs = frame[["component", "signal"]].drop_duplicates().itertuples(index=False)
        return [(str(component), str(signal)) for component, signal in pairs]
    comp, comps = _text_codes(frame["component"])
    sig, sigs = _text_codes(frame["signal"])
    key = comp.astype("int64") * len(sigs) + sig
    found = np.flatnonzero(np.bincount(key)) if len(comps) * len(sigs) <= 1 << 24 else pd.unique(key)
    return [(comps[k // len(sigs)], sigs[k % len(sigs)]) for k in found.tolist()]


def _text_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), [str(c) for c in column.cat.categories]
    return codes(column)


def check_good_within_total(frames: list[pd.DataFrame]) -> None:
    """requests_good and requests_total often come from two sources (two Prometheus queries): where they
    meet, an interval with more good requests than requests is a SourceError naming both sources."""
    relevant = [
        f.loc[
            f["signal"].isin(["requests_good", "requests_total"]),
            ["ts", "component", "signal", "value", "source"],
        ]
        for f in frames
        if len(f)
    ]
    relevant = [f for f in relevant if len(f)]
    if len(relevant) < 2:
        return  # one source: checked with its own batch
    both = pd.concat(relevant, ignore_index=True).astype({"component": str, "signal": str, "source": str})
    over = good_over_total(both)
    if not len(over):
        return
    first = over.iloc[0]
    at = (both["ts"] == first["ts"]) & (both["component"] == first["component"])
    names = sorted(set(both.loc[at, "source"]))
    raise SourceError(
        "sources " + " and ".join(repr(n) for n in names),
        f"requests_good exceeds requests_total for {first['component']} at {pd.Timestamp(first['ts']).isoformat()}",
        expected=f"at most requests_total ({first['total']:g})",
        found=float(first["good"]),
    )


def _unquoted(exc: SourceError, roots: list[Path]) -> SourceError:
    """The error, without the cell it quotes when its file lies outside the project (allowed by
    `allow_outside`): a message never repeats content of a file outside the project."""
    path = Path(exc.file)
    try:
        inside = not path.is_absolute() or is_inside(path, roots)
    except (OSError, ValueError):
        inside = False
    if inside:
        return exc
    return SourceError(
        exc.file,
        exc.message.split(":")[0],
        row=exc.row,
        line=exc.line,
        column=exc.column,
        expected=exc.expected,
    )


def check_batch(batch: Any, path: str) -> None:
    """The boundary checks every collector's result passes, whatever the collector: every timestamp in the
    years EARLIEST_YEAR..LATEST_YEAR, counts finite, not negative and at most MAX_COUNT, every other sample
    value finite, and never more good requests than requests in one interval."""
    file = ", ".join(f.path for f in batch.files) or path
    for name, frame, col in (
        ("samples", batch.samples, "ts"),
        ("evals", batch.evals, "ts"),
        ("costs", batch.costs, "day"),
        ("kpis", batch.kpis, "day"),
    ):
        if len(frame):
            bad = out_of_range_ns(frame[col].to_numpy(dtype="datetime64[ns]")) & frame[col].notna().to_numpy()
            if bad.any():
                found = frame[col].iloc[int(bad.nonzero()[0][0])]
                raise SourceError(
                    file, f"{name} timestamp out of range", expected=TIME_RANGE, found=str(found)
                )
    for inc in batch.incidents:
        for when in (inc.created_at, inc.started_at, inc.resolved_at):
            if when is not None and not datetime_in_range(when):
                raise SourceError(
                    file, f"incident {inc.id} timestamp out of range", expected=TIME_RANGE, found=str(when)
                )
    samples = batch.samples
    if len(samples):
        values = samples["value"].to_numpy(dtype="float64")
        counts = samples["signal"].isin(COUNT_SIGNALS).to_numpy(dtype=bool)
        bad = np.isinf(values) | (counts & ((values < 0) | (values > MAX_COUNT)))
        if bad.any():
            row = samples.iloc[int(bad.nonzero()[0][0])]
            raise SourceError(
                file, f"{row['signal']} for {row['component']} at {pd.Timestamp(row['ts']).isoformat()}: "
                + (count_problem(row["value"]) if row["signal"] in COUNT_SIGNALS else "not a finite number"),
                expected="finite values; counts from 0 to " + f"{MAX_COUNT:.0e}", found=float(row["value"]),
            )  # fmt: skip
        repeated = samples.duplicated(["ts", "component", "signal"])
        if repeated.any():
            row = samples.loc[repeated].iloc[0]
            raise SourceError(
                file,
                f"two values of {row['signal']} for {row['component']} at {pd.Timestamp(row['ts']).isoformat()}",
                expected="one value per interval, component and signal",
                found="two",
            )
        over = good_over_total(samples)
        if len(over):
            first = over.iloc[0]
            raise SourceError(
                file,
                f"requests_good exceeds requests_total for {first['component']} at {first['ts'].isoformat()}",
                expected=f"at most requests_total ({first['total']:g})",
                found=float(first["good"]),
            )


def _keep(cache: SourceCache, key: str, batch: Batch, source: str | None, parts: PartCache | None) -> None:
    """A freshly read source's checked batch stored in the parse cache (only checked batches are kept), and
    what it replaces removed: per-file parts of files it no longer has, entries of its earlier files."""
    cache.store(key, batch, source=source)
    if parts is not None and source is not None:
        parts.prune()
        cache.discard_source(source, keep=key)


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
    kpis = keep(dataset.kpis, "day")
    incidents = []
    for inc in dataset.incidents:
        if pd.Timestamp(inc.created_at) > ts:
            dropped[inc.source] = dropped.get(inc.source, 0) + 1
        else:
            incidents.append(inc)
    reports = tuple(
        SourceReport(**{**r.__dict__, "after_as_of_dropped": dropped.get(r.id, 0)}) for r in dataset.sources
    )
    return Dataset(samples, costs, evals, tuple(incidents), reports, kpis)


def resolve_as_of(dataset: Dataset, as_of: dt.datetime | None) -> dt.datetime:
    """`--as-of` when given, else the latest timestamp in the data (never the wall clock). This is the one
    place as-of is normalised (`model.parse_timestamp`: aware, UTC); the stages take it as it is."""
    if as_of is not None:
        as_of = parse_timestamp(as_of)
        if not datetime_in_range(as_of):
            raise SourceError("--as-of", "out of range", expected=TIME_RANGE, found=as_of.isoformat())
        return as_of
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


def usable_cache_dir(project_dir: Path) -> Path | None:
    """``<project>/.sentinel/cache`` when it can be created and written, else None: the caches only save
    time, so a read-only project folder (or a file named ``.sentinel``) builds without them."""
    folder = project_dir / CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return None
    return folder


def open_project(
    project_dir: Path | str = ".",
    *,
    as_of: dt.datetime | None = None,
    progress: Progress = _quiet,
    use_cache: bool = True,
    config: Config | None = None,
    store: Store | None = None,
    digests: Mapping[str, str] | None = None,
    jobs: int = 1,
) -> Project:
    """Config (given or loaded), data collected through the parse cache (``store``, default: the project's
    unless ``use_cache`` is false) and clipped to as-of, and content."""
    config = config if config is not None else load_project(project_dir)
    if store is None and use_cache:
        store = Store(usable_cache_dir(config.project_dir))
    dataset = collect(config, progress=progress, store=store, digests=digests, jobs=jobs)
    resolved = resolve_as_of(dataset, as_of)
    dataset = clip_to_as_of(dataset, resolved)
    content = load_content_for(config, dataset, progress)
    return Project(config=config, dataset=dataset, as_of=resolved, content=content)


def load_content_for(config: Config, dataset: Dataset, progress: Progress = _quiet) -> Any:
    from .content import load_content

    progress("reading content/")
    return load_content(config.project_dir, config, {i.id for i in dataset.incidents})
