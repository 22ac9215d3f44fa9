"""The demo project and its deterministic generator.

`generate(project_dir, seed)` writes the repository's demo project: `sentinel.yaml`, the vendor exports in
`data/` and the hand-written-style `content/`. `scaffold(directory)` writes the small example project that
`sentinel init` creates. The same seed always gives byte-identical files; the story they tell is in
`scenario.py`, and which export carries which component in `project.py`.
"""

from __future__ import annotations

import shutil
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import UsageError
from . import project, truth
from .files import Writer
from .scenario import DEMO, EXAMPLE

# Folders the generator owns inside a project: they are emptied before writing, so a regenerated project
# holds exactly what the generator writes (no stale files left to be picked up by a glob).
GENERATED_DIRS = (
    "data/anthropic",
    "data/billing",
    "data/datadog",
    "data/evals",
    "data/incidents",
    "data/kpis",
    "data/openai",
    "data/prometheus",
    "data/requests",
    "data/slos",
    "data/telemetry",
    "data/traces",
    "content/investments",
    "content/maintenance",
    "content/notes",
    "content/postmortems",
    "content/recommendations",
)


def _copy_tree(w: Writer, root: Traversable) -> None:
    """Copy the static files of a package folder (sentinel.yaml, OpenSLO files, content) into the project."""

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            rel = f"{prefix}{child.name}"
            if child.name.startswith(("_", ".")) or child.name.endswith((".py", ".pyc")):
                continue
            if child.is_dir():
                walk(child, rel + "/")
            else:
                w.bytes(rel, child.read_bytes())

    walk(root, "")


def generate(project_dir: Path | str = ".", seed: int = 7) -> list[Path]:
    """Write the demo project into `project_dir`; return the files written, sorted."""
    root = Path(project_dir)
    for rel in GENERATED_DIRS:
        shutil.rmtree(root / rel, ignore_errors=True)
    w = Writer(root)
    _copy_tree(w, resources.files(__package__) / "project_files")
    project.write_demo(w, truth.build(DEMO, seed))
    return sorted(w.written)


def scaffold(directory: Path | str, seed: int = 7) -> list[Path]:
    """Create a new project in `directory` (which must not exist or be empty); return the files written."""
    root = Path(directory)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(f"{root} already exists and is not empty; choose a new folder for the project")
    w = Writer(root)
    _copy_tree(w, resources.files("sentinel_reports") / "scaffold")
    project.write_example(w, truth.build(EXAMPLE, seed))
    return sorted(w.written)
