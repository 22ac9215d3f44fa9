"""Shared test fixtures: the repository's paths, the published sample files and a guard against network use."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from hypothesis import settings

# The suite draws the same examples on every run (CI is reproducible); `make fuzz` loads the "fuzz" profile,
# whose seeds are random (pytest prints the seed to replay with --hypothesis-seed) and examples many more.
settings.register_profile("suite", derandomize=True, database=None, print_blob=True)
settings.register_profile("fuzz", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("SENTINEL_HYPOTHESIS_PROFILE", "suite"))

# The suite already runs one test process per CPU (pytest-xdist), so a build inside a test computes facts and
# renders in its own process unless the test asks for workers (`jobs=2`, `--jobs 2`: tests/integrity/
# test_parallel.py compares both). `SENTINEL_JOBS=2 make test` runs every build with workers instead.
os.environ.setdefault("SENTINEL_JOBS", "1")

REPO = Path(__file__).resolve().parents[1]
REAL_FIXTURES = REPO / "tests" / "fixtures" / "real"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one test process per CPU and one more, as several tests wait on a process of their own (the
    Spark JVM, chromium, LibreOffice, Prometheus, a fresh interpreter) while their CPU sits idle."""
    from sentinel_reports.workers import cpus

    return cpus() + 1


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach a non-loopback address fails the test: no network at run time or in tests."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            return real_connect(self, address)
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        raise AssertionError(f"test tried to open a network connection to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)


# -- a small project and its site, built once per session (briefs, status page) ------------------------------


def make_example_project(root: Path) -> Path:
    """The `sentinel init` example project (three ISO weeks of data) in ``root``, as a new user gets it."""
    from sentinel_reports.demo import scaffold

    scaffold(root)
    return root


@pytest.fixture(scope="session")
def example_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_example_project(tmp_path_factory.mktemp("example") / "project")


@pytest.fixture(scope="session")
def example_site(example_project: Path) -> tuple[Path, object]:
    """(site folder, BuildResult) of the example project, built once: every brief file and the status page."""
    from sentinel_reports.pipeline import build_site

    out = example_project.parent / "site"
    result = build_site(example_project, out, only="brief,status")
    return out, result


# -- the repository's demo project, opened once per test process ---------------------------------------------


@pytest.fixture(scope="session")
def demo_project():  # type: ignore[no-untyped-def]
    """The repository's demo project (sentinel.yaml and the committed data/), opened with no cache once per
    test process. Shared by every module that reads the demo: a test may read it, never change it."""
    from sentinel_reports.pipeline import open_project

    return open_project(REPO, use_cache=False)


@pytest.fixture(scope="session")
def demo_period_facts(demo_project):  # type: ignore[no-untyped-def]
    """The facts of every week and quarter of the demo (``analysis.facts``), computed once per test process,
    by label. The facts models are frozen, so sharing them cannot leak a change from one test to another."""
    from sentinel_reports.analysis.facts import quarter_facts, week_facts
    from sentinel_reports.analysis.periods import available_periods

    p, out = demo_project, {}
    for kind, build in (("week", week_facts), ("quarter", quarter_facts)):
        for label in available_periods(p.dataset, p.config, p.as_of, kind):
            out[label] = build(p.dataset, p.content, p.config, label, p.as_of)
    return out
