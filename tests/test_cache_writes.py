"""Parse-cache entries written on background threads: a build waits for them before it returns, every fork
waits for them first, and an error in one is not lost."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from sentinel_reports import workers
from sentinel_reports.cache import writes
from sentinel_reports.pipeline import build_site
from tests.integrity import hostile_corpus as hc


def test_a_background_write_runs_beside_the_caller_and_settle_waits_for_it() -> None:
    started, release, done = threading.Event(), threading.Event(), []

    def write() -> None:
        started.set()
        release.wait(5)
        done.append(threading.current_thread().name)

    writes.background(write)
    assert started.wait(5)
    assert done == []  # the caller went on while the write waits
    release.set()
    writes.settle()
    assert done == ["sentinel-background"]


def test_settle_raises_the_first_error_unless_the_build_already_fails() -> None:
    def fail(n: int) -> None:
        time.sleep(0.05 * n)
        raise ValueError(f"write {n} failed")

    writes.background(lambda: fail(1))
    writes.background(lambda: fail(2))
    with pytest.raises(ValueError, match="write 1 failed"):
        writes.settle()
    writes.background(lambda: fail(1))
    writes.settle(raise_errors=False)  # waited for, and not raised over the build's own error
    writes.settle()  # nothing left


def _exists(path: str) -> bool:
    return Path(path).is_file()


def test_a_fork_waits_for_the_background_writes(tmp_path: Path) -> None:
    target = tmp_path / "entry"

    def write() -> None:
        time.sleep(0.3)
        target.write_text("written")

    writes.background(write)
    seen = list(workers.fork_map(_exists, [str(target), str(target)], 2))
    assert seen == [True, True]  # the children were forked after the write ended


def test_later_writes_in_the_background_inside_a_settled_block_and_at_once_outside() -> None:
    ran: list[str] = []
    gate = threading.Event()

    def write() -> None:
        gate.wait(5)
        ran.append("written")

    with writes.settled():
        writes.later(write)
        assert ran == []  # the block went on
        gate.set()
    assert ran == ["written"]  # waited for when the block ended
    writes.later(lambda: ran.append("at once"))
    assert ran == ["written", "at once"]


def test_a_build_returns_with_its_parse_cache_written(tmp_path: Path) -> None:
    project = hc.new_project(tmp_path / "project")
    build_site(project, tmp_path / "site", jobs=1)
    assert not writes._BACKGROUND  # settled
    entries = sorted((project / ".sentinel").rglob("sources/*/meta.json"))
    assert entries, "no parse-cache entry after the build"
    assert not [p for p in (project / ".sentinel").rglob("sources/.tmp-*")]  # no write left half done


def test_settled_raises_a_write_error_after_a_block_that_succeeded_and_keeps_a_failing_block_s_own() -> None:
    def fail() -> None:
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"), writes.settled():
        writes.background(fail)
    with pytest.raises(KeyError, match="the build's own"), writes.settled():
        writes.background(fail)
        raise KeyError("the build's own")
    assert not writes._BACKGROUND
