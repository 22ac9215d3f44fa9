"""A publication that cannot be built stops the build with a clear error; one the project leaves out in
sentinel.yaml (`site.disabled`) is not built, and the reason is shown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentinel_reports.cli import app
from sentinel_reports.errors import PublishError
from sentinel_reports.pipeline import build_site
from tests.integrity import hostile_corpus as hc


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return hc.new_project(tmp_path / "project")


def without_python_pptx(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if python-pptx were not installed: importing it fails, and the deck modules import again."""
    monkeypatch.setitem(sys.modules, "pptx", None)
    for name in [m for m in sys.modules if m.startswith("sentinel_reports.publish.")]:
        monkeypatch.delitem(sys.modules, name)


def test_a_deck_that_cannot_be_built_is_an_error_not_a_missing_deck(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_python_pptx(monkeypatch)
    with pytest.raises(
        PublishError, match=r"deck: cannot be built: .*pptx.*site\.disabled: \{deck: <reason>\}"
    ):
        build_site(project, tmp_path / "site", only="deck", use_cache=False, jobs=1)
    assert not (tmp_path / "site").exists()


def test_a_disabled_publication_is_left_out_with_its_reason(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = hc.load_config(project)
    doc.setdefault("site", {})["disabled"] = {"deck": "no quarterly review in this team"}
    hc.save_config(project, doc)
    without_python_pptx(monkeypatch)  # not needed when the decks are disabled
    result = build_site(project, tmp_path / "site", only="deck", use_cache=False, jobs=1)
    assert result.disabled == {"deck": "no quarterly review in this team"}
    assert result.decks == [] and not (tmp_path / "site" / "decks").exists()

    out = CliRunner().invoke(app, ["--quiet", "build", "--project", str(project), "--only", "deck",
                                   "--out", str(tmp_path / "site2"), "--no-cache", "--jobs", "1"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "not built: deck (site.disabled in sentinel.yaml: no quarterly review in this team)" in out.output


def test_a_disabled_entry_needs_a_reason(project: Path, tmp_path: Path) -> None:
    doc = hc.load_config(project)
    doc.setdefault("site", {})["disabled"] = {"deck": ""}
    hc.save_config(project, doc)
    out = CliRunner().invoke(
        app, ["--quiet", "build", "--project", str(project), "--out", str(tmp_path / "s")]
    )
    assert out.exit_code == 1 and "site.disabled.deck" in out.output
