"""`sentinel verify-text` on texts written by hand, against the demo project's 2026-W45 facts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentinel_reports.cli import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()

pytestmark = pytest.mark.skipif(
    not (REPO / "sentinel.yaml").exists(), reason="the demo project is not generated"
)

CLEAN = """# Notes on 2026-W45

## Reliability

**rag-retrieval-latency** on **Knowledge Search** has exhausted its error budget, overspent by 53%.
**chat-api-availability** keeps 32% of its 28-day error budget.

## Cost

The platform spent $112,902 this week, down 9.9% against $125,356 the week before.
"""

WRONG = """# Notes on 2026-W45

**Knowledge Search** availability was 99.85% this week.

Spend was up 9.9% on the previous week. The Billing Gateway is healthy.
"""


def verify(tmp_path: Path, text: str, *extra: str) -> tuple[int, list[str]]:
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    args = ["--quiet", "verify-text", "--week", "2026-W45", "--project", str(REPO), str(path), *extra]
    result = runner.invoke(app, args)
    return result.exit_code, result.output.splitlines()


def test_a_correct_text_exits_0_and_the_same_text_is_incomplete_with_complete(tmp_path: Path) -> None:
    assert verify(tmp_path, CLEAN) == (0, [])
    code, lines = verify(tmp_path, CLEAN, "--complete")
    assert code == 1
    assert all(": missing-required: " in line for line in lines)
    assert any("SEV1 INC-214" in line for line in lines)
    assert any("team over budget ML Platform team" in line for line in lines)
    assert not any("rag-retrieval-latency" in line for line in lines)


def test_a_wrong_text_gives_one_line_per_finding(tmp_path: Path) -> None:
    code, lines = verify(tmp_path, WRONG)
    assert code == 1
    assert lines[0].startswith("line 3: wrong-entity: 99.85% is components.chat-api.uptime_90d")
    assert lines[1].startswith("line 5: direction: 'up' 9.9%")
    assert lines[2].startswith("line 5: unknown-name: 'Billing Gateway'")
    assert len(lines) == 3


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify-text", "--week", "2026-W45", str(tmp_path / "missing.md")])
    assert result.exit_code == 1
    assert "missing.md: cannot read the text" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["verify-text", str(tmp_path / "missing.md")])
    assert result.exit_code == 2
