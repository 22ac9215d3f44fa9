"""`sentinel build` with nothing changed answers from the last build's stamp without running the pipeline;
any change to what the build was made from, to the site or to the options runs the pipeline again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentinel_reports import pipeline, quick
from sentinel_reports.cli import app
from tests.conftest import make_example_project

runner = CliRunner()


class PipelineRan(Exception):
    pass


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(quick, "RACY_SECONDS", 0.0)  # the files were written a moment ago
    root = make_example_project(tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    return root


def build(root: Path, *extra: str, pipeline_allowed: bool = True, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run `sentinel build`; with ``pipeline_allowed`` false, a run that reaches the pipeline raises PipelineRan."""
    original = pipeline.build_site

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PipelineRan

    monkeypatch.setattr(pipeline, "build_site", original if pipeline_allowed else refuse)
    result = runner.invoke(
        app, ["--quiet", "build", "--project", str(root), "--only", "brief,status", *extra]
    )
    monkeypatch.setattr(pipeline, "build_site", original)
    if isinstance(result.exception, PipelineRan):
        return "pipeline"
    assert result.exit_code == 0, result.output
    return result.output


def test_an_unchanged_build_answers_without_the_pipeline(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build(project, monkeypatch=monkeypatch)
    assert "3 rendered" in first
    normal = build(project, monkeypatch=monkeypatch)  # the pipeline's own no-change answer
    quick_answer = build(project, pipeline_allowed=False, monkeypatch=monkeypatch)
    assert quick_answer == normal
    assert "(0 rendered, 3 unchanged)" in quick_answer


@pytest.mark.parametrize(
    "change",
    ["input file touched", "new file in a glob folder", "config edited", "content added", "site file edited",
     "site file removed", "other options", "no cache"],
)  # fmt: skip
def test_any_change_runs_the_pipeline(project: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    build(project, monkeypatch=monkeypatch)
    assert build(project, pipeline_allowed=False, monkeypatch=monkeypatch) != "pipeline"
    extra: tuple[str, ...] = ()
    site = project / "site"
    if change == "input file touched":
        target = project / "data/evals/evals.csv"
        os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 1_000_000_000))
    elif change == "new file in a glob folder":
        billing = project / "data/billing"
        first = sorted(billing.iterdir())[0]
        shutil.copy(first, billing / ("zz-" + first.name))
    elif change == "config edited":
        config = project / "sentinel.yaml"
        config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "content added":
        (project / "content/notes/2026-W01.md").write_text(
            "---\nweek: 2026-W01\n---\nA note.\n", encoding="utf-8"
        )
    elif change == "site file edited":
        page = site / "index.html"
        page.write_text(page.read_text(encoding="utf-8") + " ", encoding="utf-8")
    elif change == "site file removed":
        (site / "robots.txt").unlink()
    elif change == "other options":
        extra = ("--narrator", "template")
    elif change == "no cache":
        extra = ("--no-cache",)
    assert build(project, *extra, pipeline_allowed=False, monkeypatch=monkeypatch) == "pipeline"


def test_no_stamp_for_files_changed_just_before_the_build(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file changed within RACY_SECONDS of the stamp could change again unseen: no stamp is written."""
    monkeypatch.setattr(quick, "RACY_SECONDS", 3600.0)
    build(project, monkeypatch=monkeypatch)
    assert build(project, pipeline_allowed=False, monkeypatch=monkeypatch) == "pipeline"
    assert not list((project / ".sentinel/cache/quick").glob("*.json"))
