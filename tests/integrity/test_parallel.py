"""Facts and briefs computed in worker processes give the same bytes as one process, and a failure in a
worker reaches the user as the same clear error."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import sentinel_reports.workers as workers
from sentinel_reports.errors import PublishError
from sentinel_reports.pipeline import build_site
from tests.integrity import hostile_corpus as hc
from tests.integrity.conftest import files_under


@pytest.fixture(scope="module")
def project(module_tmp: Path) -> Path:
    return hc.new_project(module_tmp / "project")


def _build_with_forked_workers(project: Path, out: Path) -> tuple[list[str], dict[str, Any]]:
    """In a freshly started process, where no renderer has run (so the week workers are forked): a build
    with 2 workers, its progress messages and what it reports."""
    workers.PARALLEL_PAGES = 2  # three weeks: render them in workers
    assert workers.fork_safe()
    messages: list[str] = []
    result = build_site(project, out, use_cache=False, jobs=2, progress=messages.append)
    return messages, {"weeks": result.rendered_weeks, "rendered": result.rendered, "decks": result.decks}


def test_workers_and_one_process_write_the_same_bytes(project: Path, module_tmp: Path) -> None:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        messages, parallel = fresh.submit(
            _build_with_forked_workers, project, module_tmp / "parallel"
        ).result()
    assert "rendering 3 briefs in 2 processes" in messages
    assert "computing facts for 3 weeks in 2 processes" in messages
    # the status page and the deck are rendered by the same workers, ahead of the weeks
    first_week = messages.index("rendered the brief for 2026-W45 (web, PDF, email, markdown)")
    assert messages.index("rendered the status page") < first_week
    assert messages.index("rendered the 2026-Q4 deck (HTML, PDF, PPTX)") < first_week
    serial_messages: list[str] = []
    serial = build_site(
        project, module_tmp / "serial", use_cache=False, jobs=1, progress=serial_messages.append
    )
    # one process: rendered after the weeks, as before
    assert "rendered the status page" not in serial_messages
    assert parallel["weeks"] == serial.rendered_weeks == ["2026-W45", "2026-W46", "2026-W47"]
    assert parallel["rendered"] == serial.rendered and parallel["decks"] == serial.decks
    assert files_under(module_tmp / "parallel") == files_under(module_tmp / "serial")


def _rebuild_with_workers_forked_ahead(project: Path, out: Path) -> dict[str, Any]:
    """In a freshly started process: a cold build with 2 workers, then a copy of a default template
    into the project's templates/ (every brief's key changes, no week's facts do), and the rebuild with 2
    workers that forks its render workers ahead of the facts."""
    from sentinel_reports.render.environment import THEME_DIR

    workers.PARALLEL_PAGES = 2
    build_site(project, out, jobs=2, only="brief,status")
    ahead = workers.stats["forked_ahead"]
    (project / "templates").mkdir(exist_ok=True)
    shutil.copy(THEME_DIR / "brief.md", project / "templates" / "brief.md")
    result = build_site(project, out, jobs=2, only="brief,status")
    return {
        "cold": ahead,
        "rebuild": workers.stats["forked_ahead"] - ahead,
        "rendered": result.rendered_weeks,
    }


def test_render_workers_forked_ahead_of_the_facts_write_the_same_bytes(
    project: Path, module_tmp: Path
) -> None:
    """When every week's facts but one are stored, the render workers are forked before the facts are
    loaded and warm their renderers meanwhile; they read the facts from the store and write the bytes one
    process writes (the briefs and the status page; the decks take the same path as the status page)."""
    ahead_project = module_tmp / "ahead"
    shutil.copytree(project, ahead_project)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        seen = fresh.submit(
            _rebuild_with_workers_forked_ahead, ahead_project, module_tmp / "ahead-site"
        ).result()
    assert seen == {"cold": 0, "rebuild": 1, "rendered": ["2026-W45", "2026-W46", "2026-W47"]}
    serial = build_site(
        ahead_project, module_tmp / "ahead-serial", use_cache=False, jobs=1, only="brief,status"
    )
    assert serial.rendered_weeks == seen["rendered"]
    assert files_under(module_tmp / "ahead-site") == files_under(module_tmp / "ahead-serial")


def test_after_a_renderer_ran_here_workers_are_started_afresh_with_the_same_bytes(
    project: Path, module_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that has rendered a chart (its renderer's threads running) must not fork a renderer: the
    week tasks go to freshly started workers, which give the same bytes."""
    import sentinel_reports.render.charts as charts

    monkeypatch.setattr(workers, "PARALLEL_PAGES", 2)
    monkeypatch.setattr(charts, "STARTED", True)
    assert not workers.fork_safe()
    messages: list[str] = []
    fresh = build_site(project, module_tmp / "fresh", use_cache=False, jobs=2, progress=messages.append)
    assert "rendering 3 briefs in 2 processes" in messages
    serial = build_site(project, module_tmp / "serial-2", use_cache=False, jobs=1)
    assert fresh.rendered_weeks == serial.rendered_weeks == ["2026-W45", "2026-W46", "2026-W47"]
    assert files_under(module_tmp / "fresh") == files_under(module_tmp / "serial-2")


def test_a_template_error_in_a_worker_is_a_publish_error(
    project: Path, module_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "PARALLEL_PAGES", 2)
    broken = module_tmp / "broken"
    shutil.copytree(project, broken)
    (broken / "templates").mkdir(exist_ok=True)
    (broken / "templates" / "brief.html").write_text("{% if %}", "utf-8")
    with pytest.raises(PublishError):
        build_site(broken, module_tmp / "broken-site", use_cache=False, jobs=2)
    assert not (module_tmp / "broken-site").exists()  # nothing half-written


def test_a_deck_that_fails_in_a_worker_is_the_same_clear_error_and_nothing_is_written(
    project: Path, module_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deck template whose expression fails (a syntax error takes the same path: both are Jinja template
    errors) is the same one-line PublishError from a worker and from one process."""
    monkeypatch.setattr(workers, "PARALLEL_PAGES", 2)
    broken = module_tmp / "broken-deck"
    shutil.copytree(project, broken)
    (broken / "templates").mkdir(exist_ok=True)
    (broken / "templates" / "deck.html").write_text("<p>\n{{ 1 / 0 }}</p>", "utf-8")
    errors = []
    for jobs in (2, 1):
        site = module_tmp / f"broken-deck-site-{jobs}"
        with pytest.raises(PublishError) as err:
            build_site(broken, site, use_cache=False, jobs=jobs)
        assert not site.exists()  # nothing half-written
        errors.append(str(err.value))
    assert errors[0] == errors[1]
    assert errors[0] == "deck 2026-Q4: template error: deck.html, line 2: ZeroDivisionError: division by zero"


def test_sentinel_jobs_sets_the_default_workers_and_jobs_overrides_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentinel_reports.session import Session

    monkeypatch.setenv("SENTINEL_JOBS", "3")
    assert workers.default_jobs() == 3 and Session(project, use_cache=False).jobs == 3
    assert Session(project, use_cache=False, jobs=1).jobs == 1
    monkeypatch.delenv("SENTINEL_JOBS")
    assert workers.default_jobs() == len(os.sched_getaffinity(0))
    for bad in ("0", "-2", "1.5", "two", "²"):
        monkeypatch.setenv("SENTINEL_JOBS", bad)
        with pytest.raises(workers.SentinelError, match=f"SENTINEL_JOBS: expected .* found '{bad}'"):
            workers.default_jobs()


def _check_with_forked_workers(project: Path) -> tuple[list[str], Any, int]:
    """In a freshly started process (so the periods are checked in forked workers): `sentinel check` with 2
    workers, its progress messages, its report or the error it raised, and how many pools it forked."""
    from sentinel_reports.check import build_check_report
    from sentinel_reports.errors import SentinelError

    assert workers.fork_safe()
    messages: list[str] = []
    forked = workers.stats["forked"]
    try:
        outcome: Any = build_check_report(project, jobs=2, progress=messages.append)
    except SentinelError as exc:
        outcome = (type(exc).__name__, str(exc))
    return messages, outcome, workers.stats["forked"] - forked


def _check_in_one_process(project: Path) -> tuple[list[str], Any]:
    from sentinel_reports.check import build_check_report
    from sentinel_reports.errors import SentinelError

    messages: list[str] = []
    try:
        return messages, build_check_report(project, jobs=1, progress=messages.append)
    except SentinelError as exc:
        return messages, (type(exc).__name__, str(exc))


def test_check_in_workers_reports_what_one_process_reports(project: Path, module_tmp: Path) -> None:
    """The weeks and the quarter are checked by forked workers; the report and the progress messages are
    those of one process (the facts the workers' check stored are the ones build reads)."""
    checked = module_tmp / "checked"
    shutil.copytree(project, checked)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        messages, report, forked = fresh.submit(_check_with_forked_workers, checked).result()
    assert forked >= 2  # the facts of the weeks, then the weeks and the quarter
    serial_messages, serial = _check_in_one_process(checked)
    assert report == serial and isinstance(report, dict)
    weeks = [m for m in messages if m.startswith(("checking the brief", "checking the 2026"))]
    assert (
        weeks
        == [m for m in serial_messages if m in weeks]
        == [
            "checking the brief of 2026-W45",
            "checking the brief of 2026-W46",
            "checking the brief of 2026-W47",
            "checking the 2026-Q4 deck",
        ]
    )


def test_check_in_workers_raises_the_error_one_process_meets_first(project: Path, module_tmp: Path) -> None:
    """Texts XML cannot hold in the facts of two weeks: the workers check every week at once, and the error
    raised is the earliest week's, word for word the one a check in one process gives."""
    broken = module_tmp / "broken-check"
    shutil.copytree(project, broken)
    hc.add_incidents(broken, {"a": "Queue stalled \ufffe", "b": "Index rebuild \uffff"})
    header, rows = hc.incident_rows(broken)
    later = next(r for r in rows if r["title"] == "Index rebuild \uffff")
    for column in ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at"):
        later[column] = later[column].replace("2026-11-13", "2026-11-20")  # in 2026-W47
    hc.save_incidents(broken, header, rows)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        _, error, forked = fresh.submit(_check_with_forked_workers, broken).result()
    assert forked >= 2
    _, serial = _check_in_one_process(broken)
    assert error == serial
    kind, message = error
    assert kind == "PublishError" and "U+FFFE" in message and "2026-W46" in message
