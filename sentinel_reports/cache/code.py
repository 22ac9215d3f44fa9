"""The code part of every cache key: a digest of the package's own source files that an output depends
on, found by following imports, never from a hand-kept list.

    code_key()                                          every source file and the theme
    code_key(["sentinel_reports.publish.brief"])        the import closure of those modules, plus the
                                                        theme when the closure renders templates
    closure(["sentinel_reports.publish.status"])        the module names themselves

The import graph is read from the source (``ast``), with every ``import`` and ``from ... import`` inside the
package, at module level or inside a function: a module a publication imports only when it needs it is
still part of what it depends on. ``root`` is the package folder (tests point it at an edited copy).

Parsing every module takes most of a second, so a command with a project store (`keep_graphs_in`, called by
`Session`) keeps the graph there, under the digest of the relative paths and bytes of every module: the
graph is a function of exactly those, so a stored one is the graph parsing would give.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
THEME = "theme"
THEME_USER = "render.environment"  # the module that loads the theme's templates and static files


def _name(root: Path, path: Path) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules(root: Path) -> dict[str, Path]:
    return {
        _name(root, p): p
        for p in sorted(root.rglob("*.py"))
        if "__pycache__" not in p.relative_to(root).parts
    }


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


_GRAPHS: list[Path] = []  # where import graphs are kept (the project store's `code-graph/`), if anywhere


def keep_graphs_in(folder: Path | None) -> None:
    """Keep the import graphs this process parses in ``folder`` and read them from there (None: nowhere)."""
    _GRAPHS[:] = [folder] if folder is not None else []


@cache
def import_graph(root: Path = PACKAGE_DIR) -> dict[str, frozenset[str]]:
    """Every module of the package (dotted name) with the package modules it imports."""
    if not _GRAPHS:
        return _parse_graph(root)
    h = hashlib.sha256(b"import-graph-v1\x00")
    for name, path in _modules(root).items():
        h.update(f"{name}\x00{path.relative_to(root).as_posix()}\x00".encode())
        h.update(_file_digest(path))
    stored = _GRAPHS[0] / f"{h.hexdigest()}.json"
    try:
        return {k: frozenset(v) for k, v in json.loads(stored.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    graph = _parse_graph(root)
    try:
        stored.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=stored.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({k: sorted(v) for k, v in graph.items()}, out, sort_keys=True)
        os.replace(tmp, stored)
    except OSError:
        pass  # a graph that cannot be kept is only parsed again
    return graph


_PARSING = threading.Lock()  # CPython 3.11's ast.parse is not safe in two threads at once


def _parse_graph(root: Path) -> dict[str, frozenset[str]]:
    with _PARSING:
        return _parsed_graph(root)


def _parsed_graph(root: Path) -> dict[str, frozenset[str]]:
    modules = _modules(root)
    graph: dict[str, frozenset[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    full = ".".join(base + ([node.module] if node.module else []))
                else:
                    full = node.module or ""
                for alias in node.names:
                    target = _resolve(f"{full}.{alias.name}", modules)
                    targets.add(target if target == f"{full}.{alias.name}" else _resolve(full, modules) or "")
            elif isinstance(node, ast.Import):
                targets.update(_resolve(alias.name, modules) or "" for alias in node.names)
        graph[name] = frozenset(t for t in targets if t and t != name)
    return graph


def closure(modules: Iterable[str], root: Path = PACKAGE_DIR) -> frozenset[str]:
    """The modules and everything they import inside the package, transitively."""
    graph = import_graph(root)
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in graph:
            raise KeyError(f"no module {name!r} in {root}")
        seen.add(name)
        todo.extend(graph[name])
    return frozenset(seen)


def _file_digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


@cache
def code_key(modules: tuple[str, ...] | None = None, root: Path = PACKAGE_DIR) -> str:
    """sha256 over the relative paths and bytes of the source files of ``closure(modules)`` (None: every
    source file), and of the theme's files when the closure loads it (or always, for None)."""
    files = _modules(root)
    names = sorted(files) if modules is None else sorted(closure(modules, root))
    paths = [files[n] for n in names]
    if modules is None or f"{root.name}.{THEME_USER}" in names:
        paths += sorted(p for p in (root / THEME).rglob("*") if p.is_file())
    h = hashlib.sha256()
    for path in paths:
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\x00")
        h.update(_file_digest(path))
    return h.hexdigest()


def file_key(module: str, root: Path = PACKAGE_DIR) -> str:
    """sha256 of one module's own source file (not what it imports)."""
    return hashlib.sha256(_modules(root)[module].read_bytes()).hexdigest()


def module_key(module: str, root: Path = PACKAGE_DIR) -> str:
    """``code_key`` of one module of the package; for a module outside it (a third-party collector), its
    name, so its cache entries are at least its own."""
    return code_key((module,), root) if module in _modules(root) else f"external:{module}"
