"""One new day of data re-renders only the weeks whose look-back it falls in: a closed week is reported as it
stood when it closed, so its facts, pages and files stay byte-identical (and are not written again)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sentinel_reports.pipeline import build_site
from tests.integrity import hostile_corpus as hc
from tests.integrity.conftest import files_under
from tests.integrity.test_incremental import add_late_bill, stamps


@pytest.fixture(scope="module")
def first_build(module_tmp: Path) -> tuple[Path, Path]:
    project = hc.new_project(module_tmp / "project")
    site = module_tmp / "site"
    result = build_site(project, site, only="brief")
    assert result.rendered_weeks == ["2026-W45", "2026-W46", "2026-W47"]
    return project, site


def test_a_late_bill_rerenders_only_its_week(first_build: tuple[Path, Path], module_tmp: Path) -> None:
    project, site = first_build
    before, stamped = files_under(site), stamps(site)
    add_late_bill(project)  # a day of 2026-W47
    messages: list[str] = []
    result = build_site(project, site, only="brief", progress=messages.append)
    assert result.rendered_weeks == ["2026-W47"], messages
    assert result.reused_weeks == ["2026-W45", "2026-W46"]
    assert [m for m in messages if m.startswith("computing facts")] == ["computing facts for 2026-W47"]
    after, restamped = files_under(site), stamps(site)
    for week in ("2026-W45", "2026-W46"):
        for prefix in (f"briefs/{week}/", f"evidence/{week}/"):
            paths = [p for p in before if p.startswith(prefix)]
            assert paths and all(after[p] == before[p] and restamped[p] == stamped[p] for p in paths), prefix
    assert after["evidence/2026-W47/facts.json"] != before["evidence/2026-W47/facts.json"]
    assert "focus_2026-11-22.csv.gz" in after["evidence/2026-W47/facts.json"].decode()
    assert "focus_2026-11-22.csv.gz" not in after["evidence/2026-W46/facts.json"].decode()
    manifest = after["manifest.json"].decode()
    assert "focus_2026-11-22.csv.gz" in manifest


def test_a_later_as_of_leaves_closed_weeks_alone(first_build: tuple[Path, Path], module_tmp: Path) -> None:
    import datetime as dt

    project, _ = first_build
    site = module_tmp / "later-site"
    shutil.copytree(module_tmp / "site", site, copy_function=os.link)
    later = dt.datetime(2026, 11, 25, 6, tzinfo=dt.UTC)
    result = build_site(project, site, only="brief", as_of=later)
    assert "2026-W45" in result.reused_weeks and "2026-W46" in result.reused_weeks
    # the default as-of of the first build was already the end of 2026-W47's last interval (Monday 00:00),
    # so that week was closed and reported as of its end then too
    assert "2026-W47" in result.reused_weeks
