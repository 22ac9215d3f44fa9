"""The process pools, all of them: facts in forked workers, rendering in freshly started ones.

    for value in fork_map(fn, items, jobs): ...               fn(item) in order; pure computation only
    pool = fork_ahead(fn, jobs, warm); pool.map(items)        the same, the workers forked (and warmed) first
    helper = ForkedHelper(fn); helper.call(item)              fn(item) in one worker forked now, called later
                                                              from any thread
    for value in spawn_map(fn, items, jobs, init, args): ...  fn(item) in order in spawned workers, each
                                                              set up once by init(*args)
    default_jobs()                                            $SENTINEL_JOBS, else cpus()
    cpus()                                                    the CPUs this process may use

Forked workers share the parent's memory copy-on-write, so a year of loaded data is not copied; they must
not use a native library whose threads the parent started. The chart renderer (vl-convert) and WeasyPrint
run such threads, so rendering uses spawned workers (and runs in this process below ``PARALLEL_PAGES``
items: a spawned worker takes seconds to start). An exception in a worker reaches the caller as the same
SentinelError (rebuilt from its class, state and args), anything else as a RuntimeError with the worker's
traceback. The output never depends on ``jobs``.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .cache.writes import settle
from .errors import SentinelError

PARALLEL_PAGES = 4  # fewer items than this are rendered in this process

_TASK: Callable[[Any], Any] | None = None
# pools forked in this process, and of them by fork_ahead (tests: which path a build or a check took)
stats = {"forked": 0, "forked_ahead": 0}


def _run_task(item: Any) -> tuple[bool, Any]:
    """In a worker process: the task inherited from the parent at fork time, applied to one item. An
    exception comes back as its class, state and args (SentinelError subclasses do not survive pickling
    through their constructors)."""
    assert _TASK is not None
    try:
        return True, _TASK(item)
    except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
        return False, captured(exc)


def captured(exc: BaseException) -> tuple[Any, ...]:
    """An exception as picklable parts, for `_rebuilt` in the parent."""
    return type(exc), dict(vars(exc)), exc.args, traceback.format_exc()


def fork_map(fn: Callable[[Any], Any], items: list[Any], jobs: int) -> Iterator[Any]:
    """``fn(item)`` for each item, in order, in up to ``jobs`` forked worker processes. Serial when ``jobs``
    is 1, for a single item, or where processes cannot be forked."""
    if jobs <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(fn, items)
        return
    yield from _fork(fn, min(jobs, len(items))).map(items)


def fork_ahead(
    fn: Callable[[Any], Any], jobs: int, warm: Callable[[], None], warmed: int
) -> ForkedPool | None:
    """``jobs`` worker processes for ``fn``, forked now, before their items are known; the first ``warmed``
    of them run ``warm()`` (the set-up a heavy item would do: imports, fonts, an engine's start) while this
    process goes on, and the others wait idle for the light items (a worker that did not warm does that
    set-up itself if a heavy item reaches it). None where processes cannot be forked. The workers share
    what this process holds now, not what it computes later: their items must find the rest where this
    process puts it (the store)."""
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    stats["forked_ahead"] += 1
    counter = multiprocessing.get_context("fork").Value("i", 0)
    return _fork(fn, jobs, _warm, (warm, counter, warmed))


def _fork(
    fn: Callable[[Any], Any], processes: int, init: Any = None, initargs: tuple[Any, ...] = ()
) -> ForkedPool:
    """``processes`` workers forked now, each inheriting ``fn`` as its task and set up by ``init``."""
    global _TASK
    stats["forked"] += 1
    settle()  # no background write is running (and holding a lock a child would inherit) at the fork
    _TASK = fn
    context = multiprocessing.get_context("fork")
    return ForkedPool(context.Pool(processes, initializer=init, initargs=initargs))


def _warm(warm: Callable[[], None], counter: Any, warmed: int) -> None:
    with counter.get_lock():
        n = counter.value
        counter.value += 1
    if n >= warmed:
        return
    try:
        warm()
    except Exception:  # noqa: BLE001, S110 - a set-up that fails costs only its time: the first item does it
        pass


class ForkedPool:
    """Forked workers: ``map(items)`` once, ``fn(item)`` in order (an exception in a worker raised here as
    `_rebuilt` makes it); then the workers are ended."""

    def __init__(self, pool: Any):
        self.pool: Any = pool

    def map(self, items: list[Any]) -> Iterator[Any]:
        try:
            for ok, value in self.pool.imap(_run_task, items):
                if not ok:
                    raise _rebuilt(value)
                yield value
        finally:
            self.close()

    def close(self) -> None:
        """End the workers (once; a second call does nothing)."""
        global _TASK
        if self.pool is not None:
            pool, self.pool = self.pool, None
            pool.terminate()
            pool.join()
            _TASK = None


_HELPER_TASK: Callable[[Any], Any] | None = None


def _run_helper_task(item: Any) -> tuple[bool, Any]:
    """In a `ForkedHelper`'s worker: its task, inherited at fork time, applied to one item. A SentinelError
    comes back as its parts (`captured`); any other exception is raised, and the executor sends it back
    pickled, as its own type (an OSError keeps its file name and reason)."""
    assert _HELPER_TASK is not None
    try:
        return True, _HELPER_TASK(item)
    except SentinelError as exc:
        return False, captured(exc)


class ForkedHelper:
    """One worker process, forked when this is made, that runs ``fn(item)`` for items sent later, from any
    thread (``call``): work in Python that would otherwise share this process's interpreter lock with
    another thread's. Make it before other threads start native work (the fork copies this process as it
    is); the results travel back pickled. ``close()`` ends the worker."""

    def __init__(self, fn: Callable[[Any], Any]):
        from concurrent.futures import ProcessPoolExecutor

        global _HELPER_TASK
        settle()  # no background write is running (and holding a lock the child would inherit) at the fork
        _HELPER_TASK = fn
        try:
            self.pool: Any = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self.pool.submit(int).result()  # the worker is forked now, from this thread
        finally:
            _HELPER_TASK = None  # the worker has its own copy

    def call(self, item: Any) -> Any:
        """``fn(item)`` in the worker; its exception raised here. A worker that ended without an answer (killed:
        out of memory) raises ``BrokenProcessPool``."""
        ok, value = self.pool.submit(_run_helper_task, item).result()
        if not ok:
            raise _rebuilt(value)
        return value

    def close(self) -> None:
        """End the worker (once; a second call does nothing)."""
        if self.pool is not None:
            pool, self.pool = self.pool, None
            pool.shutdown(cancel_futures=True)


def _guarded(fn: Callable[[Any], Any], item: Any) -> tuple[bool, Any]:
    try:
        return True, fn(item)
    except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
        return False, captured(exc)


def spawn_map(
    fn: Callable[[Any], Any],
    items: list[Any],
    jobs: int,
    init: Callable[..., None],
    initargs: tuple[Any, ...] = (),
) -> Iterator[Any]:
    """``fn(item)`` for each item, in order; ``fn`` and ``init`` are module-level functions (they travel
    by name). With ``jobs`` > 1 and at least ``PARALLEL_PAGES`` items, in spawned worker processes each set
    up by ``init(*initargs)``; otherwise here, after ``init(*initargs)``."""
    from functools import partial

    pool = None
    if jobs <= 1 or len(items) < PARALLEL_PAGES:
        init(*initargs)
        results: Iterable[tuple[bool, Any]] = (_guarded(fn, item) for item in items)
    else:
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(
            max_workers=min(jobs, len(items)), mp_context=multiprocessing.get_context("spawn"),
            initializer=init, initargs=initargs,
        )  # fmt: skip
        results = pool.map(partial(_guarded, fn), items)
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


NATIVE_MODULES = (
    "sentinel_reports.render.charts", "sentinel_reports.publish.pdf", "sentinel_reports.publish.print_typst",
)  # fmt: skip


def fork_safe() -> bool:
    """Whether a forked worker may render: no renderer with threads of its own (vl-convert, WeasyPrint, Typst) has
    run in this process (each module sets its ``STARTED`` when it first does). A worker forked after that
    would inherit their state without their threads."""
    import sys

    return not any(getattr(sys.modules.get(name), "STARTED", False) for name in NATIVE_MODULES)


JOBS_VARIABLE = "SENTINEL_JOBS"


def default_jobs() -> int:
    """Worker processes for facts and rendering when ``--jobs`` is not given: ``SENTINEL_JOBS`` when set (a
    container whose CPU quota is smaller than the CPUs it sees, a test suite that already runs one process
    per CPU), else the CPUs this process may use."""
    value = os.environ.get(JOBS_VARIABLE, "").strip()
    if not value:
        return cpus()
    if not (value.isascii() and value.isdigit()) or int(value) < 1:  # "²" is a digit int() refuses
        raise SentinelError(
            f"{JOBS_VARIABLE}: expected a whole number of worker processes, 1 or more; found {value!r}"
        )
    return int(value)


def cpus() -> int:
    """The CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
