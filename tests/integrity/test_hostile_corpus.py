"""The hostile corpus (tests/integrity/hostile/*/*/case.yaml), one parametrised test over every case.

Each case plants one bad or hostile input in a fresh copy of a project, runs the command a user would, and
checks the exit code and the first line printed; for a project input, ``sentinel check`` must give the same
verdict first, so a project that check passes always builds. The format is described in hostile/README.md.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import gzip
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integrity import hostile_corpus as hc
from tests.integrity.conftest import run_cli

CORPUS = Path(__file__).resolve().parent / "hostile"
CASES = sorted(CORPUS.glob("*/*/case.yaml"))
CANARY = "CANARY-OUTSIDE-THE-PROJECT"
OPS = {"write", "append", "replace", "set", "delete", "symlink", "gzip", "mkdir"}


def load_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict) and case.get("what") and isinstance(case.get("expect"), dict), path
    assert case["expect"].get("exit") in (0, 1), path
    assert case.get("base", "scaffold") in ("scaffold", "empty"), path
    assert case.get("check", "predicts") in ("predicts", "n/a"), path
    for edit in case.get("edits") or []:
        assert edit.get("op") in OPS, (path, edit)
    return case


@pytest.fixture(scope="session")
def scaffold_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hc.new_project(tmp_path_factory.mktemp("hostile-template") / "project")


def _expand(value: Any, places: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, place in places.items():
            value = value.replace("{" + name + "}", place)
        return value
    if isinstance(value, list):
        return [_expand(v, places) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v, places) for k, v in value.items()}
    return value


def _set_key(doc: Any, key: str, value: Any) -> None:
    parts = [int(p) if p.isdigit() else p for p in key.split(".")]
    for part in parts[:-1]:
        doc = doc[part]
    if parts[-1] == "+" and isinstance(doc, list):
        doc.append(value)
    else:
        doc[parts[-1]] = value


def apply_edit(project: Path, edit: dict[str, Any]) -> None:
    target = project / edit["file"]
    op = edit["op"]
    if op in ("write", "append", "mkdir", "symlink"):
        target.parent.mkdir(parents=True, exist_ok=True)
    if op == "write":
        data = base64.b64decode(edit["bytes_b64"]) if "bytes_b64" in edit else edit["text"].encode("utf-8")
        target.write_bytes(data)
    elif op == "append":
        with target.open("ab") as fh:
            fh.write(edit["text"].encode("utf-8"))
    elif op == "replace":
        text = target.read_text(encoding="utf-8")
        assert edit["old"] in text, (edit, target)
        target.write_text(text.replace(edit["old"], edit["new"], edit.get("count", -1)), encoding="utf-8")
    elif op == "set":
        if target.suffix == ".json":
            import json

            doc = json.loads(target.read_text(encoding="utf-8"))
            _set_key(doc, edit["key"], edit["value"])
            target.write_text(json.dumps(doc), encoding="utf-8")
        else:
            doc = yaml.safe_load(target.read_text(encoding="utf-8"))
            _set_key(doc, edit["key"], edit["value"])
            target.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    elif op == "delete":
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    elif op == "symlink":
        if target.exists() or target.is_symlink():
            target.unlink()
        target.symlink_to(edit["target"])
    elif op == "gzip":
        data = target.read_bytes()
        target.unlink()
        target.with_name(target.name + ".gz").write_bytes(gzip.compress(data, mtime=0))
    elif op == "mkdir":
        target.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def _enospc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every file opened for writing under the site's temp folders fails as a full disk does."""
    import builtins

    real_open = builtins.open

    def full_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(c in mode for c in "wax") and ".site.tmp-" in str(file):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", full_open)
    real_write_bytes = Path.write_bytes

    def full_write_bytes(self: Path, data: bytes) -> int:
        if ".site.tmp-" in str(self):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_write_bytes)
    yield


@contextlib.contextmanager
def _eio(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every read of a file under data/ fails as a failing disk does (EIO)."""
    real_read_bytes = Path.read_bytes

    def failing_read_bytes(self: Path) -> bytes:
        if "/data/" in str(self.absolute()):
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", failing_read_bytes)
    yield


FAULTS: dict[str, Callable[[pytest.MonkeyPatch], contextlib.AbstractContextManager[None]]] = {
    "enospc": _enospc,
    "eio": _eio,
}


def first_line(output: str) -> str:
    return next((line for line in output.splitlines() if line.strip()), "")


def _outputs(project: Path, pattern: str) -> list[Path]:
    return [p for p in project.glob(pattern) if p.is_file()]


def run_case(case: dict[str, Any], root: Path, template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, outside = root / "project", root / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(f"{CANARY}\nsecond line\n", encoding="utf-8")
    if case.get("base", "scaffold") == "scaffold":
        shutil.copytree(template, project, symlinks=True)
    else:
        project.mkdir()
    places = {
        "project": str(project),
        "out": str(project / "site"),
        "outside": str(outside),
        "tmp": str(root),
    }
    for edit in case.get("edits") or []:
        apply_edit(project, _expand(edit, places))
    command = [str(a) for a in _expand(case.get("command") or ["build"], places)]
    env = {str(k): str(v) for k, v in _expand(case.get("env") or {}, places).items()}
    expect = case["expect"]
    monkeypatch.chdir(project)

    if case.get("check", "predicts") == "predicts" and command[0] != "check":
        checked = run_cli("check", env=env)
        assert "Traceback" not in checked.output, checked.output[-3000:]
        assert checked.exit_code == expect["exit"], (
            f"check exited {checked.exit_code}, {command[0]} is expected to exit {expect['exit']}",
            checked.output[-3000:],
        )

    with contextlib.ExitStack() as stack:
        if case.get("fault"):
            stack.enter_context(FAULTS[case["fault"]](monkeypatch))
        result = run_cli(*command, env=env)
    output = result.output
    assert result.exit_code == expect["exit"], (result.exit_code, output[-3000:], result.exception)
    assert "Traceback" not in output, output[-3000:]
    if expect["exit"] == 1:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert "error:" in output, output[-3000:]
    line = first_line(output)
    assert re.search(expect["first_line"], line), (expect["first_line"], line)
    assert CANARY not in output
    for pattern, needles in (expect.get("absent") or {}).items():
        for path in _outputs(project, pattern):
            data = path.read_bytes().decode("utf-8", "replace")
            for needle in needles:
                assert needle not in data, (needle, path)
    for pattern, needles in (expect.get("present") or {}).items():
        files = _outputs(project, pattern)
        assert files, f"no output matches {pattern}"
        for needle in needles:
            assert any(needle in p.read_bytes().decode("utf-8", "replace") for p in files), (needle, pattern)
    for pattern in expect.get("gone") or []:
        left = sorted(p.name for p in project.glob(pattern))
        assert not left, f"{pattern} should be gone: {left}"
    site = project / "site"
    if site.is_dir():
        for path in site.rglob("*"):
            if path.is_file() and not path.is_symlink():
                assert CANARY.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("case_file", CASES, ids=[f"{p.parent.parent.name}/{p.parent.name}" for p in CASES])
def test_hostile_case(
    case_file: Path, tmp_path: Path, scaffold_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_case(load_case(case_file), tmp_path, scaffold_template, monkeypatch)
