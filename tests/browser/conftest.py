"""Playwright driving Debian's chromium (headless, no network). `make system-deps` installs it in CI.

A missing browser fails the browser tests with a clear message instead of skipping them: a green run must
mean the pages were checked in a real browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        hint = "install it with `apt-get update && apt-get install -y chromium` (or run `make system-deps`)"
        found = shutil.which("chromium")
        pytest.fail(
            f"{CHROMIUM} is missing; {hint}" + (f" (a chromium was found at {found})" if found else "")
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
            headless=True,
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ (git-ignored): screenshots for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
