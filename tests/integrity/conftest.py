"""Helpers shared by the integrity tests: running the CLI in-process and reading a built site."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def run_cli(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """``sentinel --quiet <args>`` in-process; returns the click Result (exit_code, output, exception)."""
    from sentinel_reports.cli import app

    return CliRunner().invoke(app, ["--quiet", *args], env=env, catch_exceptions=True)


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_clean_failure(result, *needles: str) -> None:  # type: ignore[no-untyped-def]
    """Exit 1 with an ``error:`` line naming the problem and no Python traceback."""
    text = result.output
    assert result.exit_code == 1, (result.exit_code, text[-2000:], result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in text and "error:" in text, text[-2000:]
    for needle in needles:
        assert needle in text, (needle, text[-2000:])


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    return tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
