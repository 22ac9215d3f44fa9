"""The pipeline's shape, kept by parsing imports: a stage imports only from stages to its left.

    config ─► collectors ─► analysis ─► narrative ─► render ─► publish
plus the neutral modules (config, errors, model, display, openslo) anywhere. analysis, narrative and render
also never read the clock. Every top-level module and package has its place in `ORDER` and imports only
what comes before it, and no module of the package imports itself back through others (no import cycle,
counting imports inside functions too).
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


# Every top-level module or package of sentinel_reports, lowest first: each may import only those before it.
ORDER = [
    "__init__", "quick", "errors", "openslo", "model", "config", "display", "collectors",
    "pull",  # beside the collectors: reads config, writes the data files they read, imports no later stage
    "content", "demo", "cache",
    "workers", "project", "analysis", "narrative", "render", "publish", "session", "publications",
    "pipeline", "check", "serve", "cli",
]  # fmt: skip


def top_level_names() -> set[str]:
    return {p.stem for p in PACKAGE.glob("*.py")} | {
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()
    }


def test_every_top_level_module_has_its_place() -> None:
    assert top_level_names() == set(ORDER)


@pytest.mark.parametrize("name", ORDER)
def test_top_level_modules_import_only_lower_ones(name: str) -> None:
    allowed = set(ORDER[: ORDER.index(name) + 1])
    files = (
        [PACKAGE / f"{name}.py"]
        if (PACKAGE / f"{name}.py").is_file()
        else sorted((PACKAGE / name).rglob("*.py"))
    )
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(bad) for p in files if (bad := imported_modules(p) - allowed)
    }
    assert not offenders, f"imports from modules above {name}: {offenders}"


def module_graph() -> dict[str, set[str]]:
    """Every module of the package (dotted, relative to it) with the package modules it imports anywhere in
    its body. ``from a import b`` counts as importing ``a.b`` when that is a module, else ``a``."""
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path

    def known(name: str) -> str | None:
        while name and name not in names:
            name = name.rpartition(".")[0]
        return name if name in names else None

    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".") if package else []
                    base = base[: len(base) - (node.level - 1)]
                    full = ".".join(base + ([node.module] if node.module else []))
                elif node.module and node.module.startswith("sentinel_reports"):
                    full = node.module.removeprefix("sentinel_reports").lstrip(".")
                else:
                    continue
                for alias in node.names:
                    sub = f"{full}.{alias.name}".lstrip(".")
                    targets.add(sub if sub in names else known(full))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("sentinel_reports."):
                        targets.add(known(alias.name.removeprefix("sentinel_reports.")))
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_in_the_package() -> None:
    assert cycles(module_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_cache_keys_follow_the_same_import_graph() -> None:
    """cache.code reads imports the same way, so a publication's code key covers what it really imports."""
    from sentinel_reports.cache.code import import_graph

    def dotted(name: str) -> str:
        return f"sentinel_reports.{name}" if name else "sentinel_reports"

    ours = {dotted(k): {dotted(t) for t in v} for k, v in module_graph().items()}
    theirs = {k: set(v) for k, v in import_graph(PACKAGE).items()}
    assert theirs == ours
