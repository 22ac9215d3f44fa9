"""Writes that nothing later in a build reads (parse-cache entries), done on background threads while the
build goes on.

    with settled():  writes inside the block may go to background threads; all are waited for when it ends
    later(fn)        fn() on a background thread inside a `settled()` block, else now
    background(fn)   fn() on a thread of its own
    settle()         wait for every such thread; the first exception one raised is raised here

A build is one `settled()` block (`pipeline.build_site`), so it waits for its writes before it returns;
every fork of a worker pool waits for them first (`workers.fork_map`, `workers.fork_ahead`): a child
forked while a writer thread holds a lock would inherit the lock without the thread. Outside a build
(`open_project` from a test or a script) writes happen at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_BACKGROUND: list[tuple[threading.Thread, list[BaseException]]] = []
_SCOPES = [0]  # `settled()` blocks open in this process


def later(fn: Callable[[], None]) -> None:
    """``fn()`` on a background thread when a `settled()` block will wait for it, else now."""
    if _SCOPES[0]:
        background(fn)
    else:
        fn()


def background(fn: Callable[[], None]) -> None:
    """``fn()`` on a thread of its own while this process goes on."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - raised again by settle()
            errors.append(exc)

    thread = threading.Thread(target=run, name="sentinel-background")
    thread.start()
    _BACKGROUND.append((thread, errors))


def settle(*, raise_errors: bool = True) -> None:
    """Wait for every `background` task; the first exception one raised is raised here (unless
    ``raise_errors`` is false: a build already failing keeps its own error)."""
    first: BaseException | None = None
    while _BACKGROUND:
        thread, errors = _BACKGROUND.pop(0)
        thread.join()
        if errors and first is None:
            first = errors[0]
    if first is not None and raise_errors:
        raise first


@contextmanager
def settled() -> Iterator[None]:
    """`settle` when the block ends: a write's error raised after a block that succeeded; after one that
    failed, the writes only waited for (the block's own error stands). Inside the block, `later` writes in
    the background."""
    _SCOPES[0] += 1
    try:
        yield
    except BaseException:
        settle(raise_errors=False)
        raise
    finally:
        _SCOPES[0] -= 1
    settle()
