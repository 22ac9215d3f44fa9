"""The no-change build answered before anything heavy is imported: ``sentinel build`` with nothing changed.

    stamp = build_stamp(root, options, files, folders, out)      after a build (pipeline.build_site)
    write_stamp(root, options, stamp, summary)
    summary = unchanged_build(root, options)                      before a build (cli.build): the previous
                                                                  build's summary, or None: build as usual

A normal build decides "the site is up to date" only after loading the configuration, fingerprinting every
input and digesting the code (``pipeline.up_to_date``); importing what that needs (pydantic models of every
collector, pandas, pyarrow) takes most of a second. This module uses the standard library only. After a
build that used the cache, it records the size, mtime, ctime and inode of every file the build was made from
(sentinel.yaml, OpenSLO files, every input file, everything under content/ and templates/, every file of this
package), the mtime of every folder a source's glob reads (a new file changes its folder), and every file of
the site as the build left it. A later ``sentinel build`` with the same options (project, output folder,
as-of, narrator, --only, SOURCE_DATE_EPOCH, working folder) whose files all stat the same reports that build
again without doing anything; any difference (or any doubt) means a normal build, which decides for itself.

As in git's index, a file changed within ``RACY_SECONDS`` before the stamp was written could change again
without its metadata showing it: such a build writes no stamp. ``--no-cache`` neither reads nor writes one.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import __version__

CACHE_DIR = ".sentinel/cache"
RACY_SECONDS = 2.0
PACKAGE = Path(__file__).resolve().parent


def options_key(project: Any, out: Any, as_of: Any, narrator: Any, only: Any, source_date_epoch: Any) -> str:
    """The options a stamp is valid for, as the CLI gives them (paths as typed, with the working folder)."""
    parts = [
        os.getcwd(),
        str(project),
        str(out),
        str(as_of),
        str(narrator),
        str(only),
        str(source_date_epoch),
    ]
    parts += [sys.version, __version__]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def _stamp_file(root: Path, key: str) -> Path:
    return root / CACHE_DIR / "quick" / f"{key}.json"


def _stat(path: str) -> list[int]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _tree(folder: Path) -> tuple[list[str], list[str]]:
    """(files, folders) under ``folder``, __pycache__ left out; ([], []) when it does not exist."""
    files, folders = [], []
    if folder.is_dir():
        for here, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            folders.append(here)
            files += [os.path.join(here, n) for n in sorted(names) if not n.endswith(".pyc")]
    return files, folders


def glob_folders(root: Path, pattern: str) -> list[str]:
    """The folders whose listing decides what ``pattern`` (a source's path, relative to ``root``) matches:
    the folder before its first wildcard and every folder below it."""
    base = Path("/") if Path(pattern).is_absolute() else root
    fixed = []
    for part in Path(pattern.lstrip("/") if base == Path("/") else pattern).parts[:-1]:
        if any(ch in part for ch in "*?["):
            break
        fixed.append(part)
    return _tree(base.joinpath(*fixed))[1]


def site_listing(out: Path) -> dict[str, list[int]] | None:
    """(size, mtime_ns, inode) of every file under ``out``; None when it is not a directory."""
    if not out.is_dir():
        return None
    listing: dict[str, list[int]] = {}
    for folder, _dirs, names in os.walk(out):
        for name in names:
            path = Path(folder, name)
            st = path.stat()
            listing[path.relative_to(out).as_posix()] = [st.st_size, st.st_mtime_ns, st.st_ino]
    return listing


def build_stamp(root: Path, files: Iterable[Path | str], folders: Iterable[str], out: Path) -> dict | None:
    """What a build was made from, as metadata; None when a file is too recent to trust (see RACY_SECONDS)."""
    content, content_dirs = _tree(root / "content")
    templates, template_dirs = _tree(root / "templates")
    code, code_dirs = _tree(PACKAGE)
    watched = sorted(
        {str(p) for p in files} | {str(root / "sentinel.yaml")} | set(content) | set(templates) | set(code)
    )
    dirs = sorted(set(folders) | set(content_dirs) | set(template_dirs) | set(code_dirs))
    stats = {path: _stat(path) for path in watched}
    newest = max([s[1] for s in stats.values()] + [s[2] for s in stats.values()], default=0)
    if newest > time.time_ns() - RACY_SECONDS * 1e9:
        return None
    site = site_listing(out)
    if site is None:
        return None
    return {
        "files": stats,
        "folders": {d: os.stat(d).st_mtime_ns for d in dirs},
        "site": site,
        "out": str(out),
    }


def write_stamp(root: Path, key: str, stamp: Mapping[str, Any], summary: Mapping[str, Any]) -> None:
    path = _stamp_file(root, key)
    try:
        text = json.dumps({**stamp, "summary": dict(summary)}, sort_keys=True)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(f".tmp{os.getpid()}")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except OSError:  # the stamp only saves time
        return


def unchanged_build(root: Path, key: str) -> dict[str, Any] | None:
    """The summary of the build stamped under ``key`` when nothing it was made from has changed since."""
    try:
        stamp = json.loads(_stamp_file(root, key).read_text(encoding="utf-8"))
        for path, recorded in stamp["files"].items():
            if _stat(path) != recorded:
                return None
        for path, mtime in stamp["folders"].items():
            if os.stat(path).st_mtime_ns != mtime:
                return None
        code, _dirs = _tree(PACKAGE)
        if any(path not in stamp["files"] for path in code):
            return None
        if site_listing(Path(stamp["out"])) != stamp["site"]:
            return None
        return dict(stamp["summary"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
