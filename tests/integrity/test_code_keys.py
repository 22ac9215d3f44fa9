"""The code part of every cache key follows imports: an edit to any module of the package rebuilds exactly
the outputs whose code imports it (directly or not), and nothing else. Each build runs in a fresh process on
an edited copy of the package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sentinel_reports
from sentinel_reports.cache.code import closure
from tests.integrity import hostile_corpus as hc

PACKAGE = Path(sentinel_reports.__file__).resolve().parent
BUILD = """
import json, sys
import sentinel_reports
from sentinel_reports.pipeline import build_site
result = build_site(sys.argv[1], sys.argv[2], jobs=1)
print(json.dumps({"package": sentinel_reports.__file__, "rendered": result.rendered}))
"""


@pytest.fixture(scope="module")
def copy(module_tmp: Path) -> Path:
    root = module_tmp / "code"
    shutil.copytree(PACKAGE, root / "sentinel_reports", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def build(copy: Path, project: Path, out: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(project), str(out)],
        cwd=copy, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(report["package"]).resolve().is_relative_to(copy.resolve())  # the edited copy ran
    return sorted(report["rendered"])


def edit(copy: Path, module: str) -> None:
    path = copy / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_an_edit_rebuilds_exactly_the_outputs_that_import_the_module(copy: Path, module_tmp: Path) -> None:
    project = hc.new_project(module_tmp / "project")
    out = module_tmp / "site"
    everything = build(copy, project, out)
    briefs = [name for name in everything if name.startswith("brief ")]
    decks = [name for name in everything if name.startswith("deck ")]
    assert briefs and decks and "status" in everything

    assert build(copy, project, out) == []  # nothing changed: nothing rendered

    edit(copy, "sentinel_reports.render.status_api")  # only the status page imports it
    assert build(copy, project, out) == ["status"]

    edit(copy, "sentinel_reports.render.deck_slides")  # only the decks
    assert build(copy, project, out) == decks

    edit(copy, "sentinel_reports.render.brief_tables")  # only the briefs
    assert build(copy, project, out) == briefs

    edit(copy, "sentinel_reports.display")  # gap texts: every publication shows them
    assert build(copy, project, out) == everything


def test_the_closures_used_above_are_what_the_publications_import() -> None:
    brief = closure(["sentinel_reports.publish.brief"])
    status = closure(["sentinel_reports.publish.status"])
    deck = closure(["sentinel_reports.publish.deck"])
    assert "sentinel_reports.render.status_api" in status - brief - deck
    assert "sentinel_reports.render.deck_slides" in deck - brief - status
    assert "sentinel_reports.render.brief_tables" in brief - status - deck
    assert "sentinel_reports.display" in brief & status & deck


def test_a_kept_import_graph_is_the_one_parsing_gives_and_an_edit_parses_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentinel_reports.cache import code

    root = tmp_path / "sentinel_reports"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__"))
    kept = tmp_path / "graphs"
    parse = code._parse_graph
    try:
        code.keep_graphs_in(kept)
        code.import_graph.cache_clear()
        parsed = code.import_graph(root)
        assert parsed == parse(root) and len(list(kept.glob("*.json"))) == 1

        def refuse(_root: Path) -> None:
            raise AssertionError("parsed although a graph of these files is kept")

        monkeypatch.setattr(code, "_parse_graph", refuse)
        code.import_graph.cache_clear()
        assert code.import_graph(root) == parsed  # read back, not parsed
        monkeypatch.setattr(code, "_parse_graph", parse)
        display = root / "display.py"
        display.write_text(display.read_text(encoding="utf-8") + "\nfrom . import errors\n", encoding="utf-8")
        code.import_graph.cache_clear()
        edited = code.import_graph(root)
        assert "sentinel_reports.errors" in edited["sentinel_reports.display"]
        assert edited == parse(root) and len(list(kept.glob("*.json"))) == 2
    finally:
        code.keep_graphs_in(None)
        code.import_graph.cache_clear()
