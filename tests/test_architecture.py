"""The pipeline's shape, kept by parsing imports: a stage imports only from stages to its left.

    config ─► collectors ─► analysis ─► narrative ─► render ─► publish
plus the neutral modules (config, errors, model, display, openslo) anywhere. analysis, narrative and render
also never read the clock.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sentinel_reports"
STAGES = ["collectors", "analysis", "narrative", "render", "publish"]
NEUTRAL = {"config", "errors", "model", "display", "openslo", "__init__"}


def imported_modules(path: Path) -> set[str]:
    """First component below sentinel_reports of every package-internal import in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE).with_suffix("").parts
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel[: len(rel) - node.level])
                parts = base + (node.module.split(".") if node.module else [])
                if not parts:  # "from .. import __version__": the package itself
                    parts = ["__init__"]
                out.add(parts[0])
            elif node.module and node.module.startswith("sentinel_reports."):
                out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("sentinel_reports."):
                    out.add(a.name.split(".")[1])
    return out


@pytest.mark.parametrize("stage", STAGES)
def test_stages_import_only_to_their_left(stage: str) -> None:
    allowed = set(STAGES[: STAGES.index(stage) + 1]) | NEUTRAL
    offenders = {}
    for path in sorted((PACKAGE / stage).rglob("*.py")):
        bad = imported_modules(path) - allowed
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert not offenders, f"imports from stages to the right: {offenders}"


@pytest.mark.parametrize("stage", ["analysis", "narrative", "render"])
def test_pure_stages_never_read_the_clock(stage: str) -> None:
    clock = re.compile(r"datetime\.now|date\.today|time\.time\(\)|utcnow")
    hits = [
        f"{p.relative_to(PACKAGE)}:{i}"
        for p in sorted((PACKAGE / stage).rglob("*.py"))
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if clock.search(line)
    ]
    assert not hits
