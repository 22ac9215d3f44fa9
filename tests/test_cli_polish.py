"""How the command line reads: shell completion, help without `<bool>` on flags, short `-o` on every --out,
plurals, a build line that names what was built, durations in check, and numbers in messages."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from sentinel_reports.check import print_check_report
from sentinel_reports.cli import _report_build, app
from sentinel_reports.config import format_duration
from sentinel_reports.errors import SourceError, shown_value

runner = CliRunner()
COMMANDS = ["check", "facts", "deck", "demo-data", "init", "build", "brief", "status", "send", "pull",
            "verify", "serve"]  # fmt: skip


@pytest.fixture()
def project(example_project: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(example_project, tmp_path / "project", ignore=shutil.ignore_patterns("site")))


def test_shell_completion_is_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "--install-completion" in runner.invoke(app, ["--help"]).output
    # the shell named, not detected from the processes above the test (`make` run from sh, zsh or fish)
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    script = runner.invoke(app, ["--show-completion", "bash"], prog_name="sentinel")
    assert script.exit_code == 0, script.output
    assert "_SENTINEL_COMPLETE" in script.output and "complete" in script.output


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_shows_flags_without_a_type(command: str | None) -> None:
    result = runner.invoke(app, [command, "--help"] if command else ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert re.search(r"--help\s+Show this message", result.output)


@pytest.mark.parametrize("command", ["build", "brief", "deck", "status", "serve"])
def test_every_out_option_has_the_short_o(command: str) -> None:
    help_text = runner.invoke(app, [command, "--help"], terminal_width=200).output
    assert re.search(r"--out\s+-o\b", help_text), help_text


def test_deck_accepts_o(project: Path, tmp_path: Path) -> None:
    # an unknown quarter is refused after the flags parsed: -o is a known option of deck
    result = runner.invoke(
        app, ["--quiet", "deck", "--quarter", "1999-Q1", "-o", str(tmp_path / "d"), "-p", str(project)]
    )
    assert result.exit_code == 2 and "no data for quarter '1999-Q1'" in result.output, result.output
    assert "No such option" not in result.output


def _result(**fields: object) -> SimpleNamespace:
    base: dict[str, object] = dict(weeks=["2026-W47"], rendered_weeks=[], reused_weeks=[], status=False,
                                   decks=[], outputs=0, disabled={}, fallbacks=[])  # fmt: skip
    return SimpleNamespace(**{**base, **fields})


def test_build_line_names_what_was_built(capsys: pytest.CaptureFixture[str]) -> None:
    _report_build(_result(status=True, outputs=1), Path("site"))
    _report_build(_result(rendered_weeks=["2026-W47"], decks=[{"period": "2026-Q4"}], outputs=12), Path("s"))
    _report_build(_result(rendered_weeks=["a"], reused_weeks=["b", "c"], status=True, outputs=30), Path("s"))
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("built")]
    assert lines == [
        "built the status page; 1 file in site",
        "built 1 weekly brief (1 rendered, 0 unchanged), 1 deck; 12 files in s",
        "built 3 weekly briefs (1 rendered, 2 unchanged), the status page; 30 files in s",
    ]


def test_build_only_status_says_it_built_the_status_page(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = runner.invoke(app, ["--quiet", "build", "-p", str(project), "-o", str(out), "--only", "status"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("built"))
    assert line.startswith("built the status page; ") and "brief" not in line, line
    files = sum(
        1 for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"
    )  # the manifest lists them
    assert re.search(rf"; {files} files? in ", line), (line, files)


def _check_report(step_seconds: int | None) -> dict[str, object]:
    return {
        "project": "p", "as_of": "2026-11-23T00:00:00Z", "window": {"start": None, "end": None},
        "config": {"organization": "Acme", "components": 1, "slos": 1, "sources": 1},
        "sources": [], "telemetry_coverage": 1.0, "gaps": [], "lint": [], "errors": [],
        "coverage": [{"component": "chat-api", "signal": "requests_total", "step_seconds": step_seconds,
                      "coverage": 1.0, "missing_runs": 0, "start": None, "end": None}],
        "cost": {"currency": None, "total": None, "attributed": None, "unattributed": None,
                 "unattributed_share": None, "other_currencies": []},
        "incidents": {"count": 0, "by_severity": {}},
        "teams": {"budget_without_spend": [], "spend_without_budget": [], "tag_mismatches": []},
        "preflight": {"weeks": ["2026-W47"], "quarters": ["2026-Q4"]},
    }  # fmt: skip


@pytest.mark.parametrize(("seconds", "shown"), [(86400, "1d"), (3600, "1h"), (300, "5m"), (90, "90s")])
def test_check_prints_steps_as_durations(seconds: int, shown: str) -> None:
    console = Console(width=200, record=True, no_color=True)
    print_check_report(_check_report(seconds), console)
    text = console.export_text()
    row = next(line for line in text.splitlines() if "chat-api" in line)
    assert re.search(rf"\s{shown}\s", row), row
    assert "1440m" not in text and "60m" not in row
    assert "1 weekly brief and 1 deck pass" in text


def test_check_of_the_example_project_spells_its_steps(project: Path) -> None:
    report = json.loads(runner.invoke(app, ["--quiet", "check", "-p", str(project), "--json"]).output)
    steps = {c["step_seconds"] for c in report["coverage"] if c["step_seconds"]}
    assert steps
    text = runner.invoke(app, ["--quiet", "check", "-p", str(project)], terminal_width=200).output
    for seconds in steps:
        spelled = format_duration(pd.Timedelta(seconds=seconds).to_pytimedelta())
        assert re.search(rf"\s{spelled}\s", text), (spelled, text)


def test_facts_for_an_unknown_week_lists_each_week_once(project: Path) -> None:
    result = runner.invoke(app, ["--quiet", "facts", "--week", "2026-W99", "-p", str(project)])
    assert result.exit_code == 2
    listed = result.output.split("the data covers", 1)[1]
    weeks = re.findall(r"\d{4}-W\d\d", listed)
    assert weeks and len(weeks) == len(set(weeks)), result.output


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (np.float64(200.0), "200"),
        (np.float64(0.25), "0.25"),
        (np.int64(300), "300"),
        ([np.float64(1.5), "a"], "[1.5, 'a']"),
        (np.str_("reqs"), "'reqs'"),
        (pd.Timestamp("2026-11-20T10:00:00Z"), "2026-11-20T10:00:00+00:00"),
        ({"n": np.int64(2)}, "{'n': 2}"),
    ],
)
def test_messages_show_plain_numbers(value: object, shown: str) -> None:
    assert shown_value(value) == shown
    message = str(SourceError("f.csv", "bad", row=2, column="c", expected="something", found=value))
    assert message.endswith(f"found {shown})") and "np." not in message and "Timestamp(" not in message


def test_an_eval_row_with_more_passed_than_total_reads_plainly(project: Path) -> None:
    evals = project / "data" / "evals" / "evals.csv"
    lines = evals.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("passed")] = str(int(float(cells[header.index("total")])) + 100)
    lines[2] = ",".join(cells)
    evals.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["--quiet", "check", "-p", str(project)])
    assert result.exit_code == 1 and "evals.csv" in result.output, result.output
    assert "np." not in result.output and re.search(r"found \d+\)", result.output), result.output
