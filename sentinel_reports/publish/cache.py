"""The output cache: rendered pages and computed facts kept between builds, keyed by what they depend on.

    cache = OutputCache(project_dir / ".sentinel/cache")
    files = cache.get_files("pages", key)          # {name: bytes} or None
    cache.put_files("pages", key, files)
    doc = cache.get_json("facts", key); cache.put_json("facts", key, doc)
    key = digest(facts_text, narrative_json, code_digest(), ...)

Layout: ``<root>/<kind>/<key>/`` with one file per output and ``meta.json`` listing each file's sha256;
an entry whose files no longer match (truncated, edited) is ignored and rebuilt. Entries are written into a
temporary folder and renamed into place, so a build interrupted mid-write leaves no half entry behind.
``code_digest`` hashes the package's own source and theme: a change to the code or the built-in templates
invalidates every cached output, so a cache hit can only ever return what this code would produce.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


def tree_digest(root: Path, patterns: Iterable[str] = ("**/*",)) -> str:
    """sha256 over the relative paths and bytes of the files under ``root`` (sorted); "" when it is absent."""
    root = Path(root)
    if not root.is_dir():
        return ""
    files = sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})
    h = hashlib.sha256()
    for path in files:
        if "__pycache__" in path.parts:
            continue
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\x00")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


_RENDER = ("render/environment.py", "render/formatting.py", "render/markdown.py", "render/charts.py", "theme/*.html",
           "theme/static/*", "__init__.py")  # fmt: skip
FACTS_CODE = ("analysis/**/*.py", "collectors/**/*.py", "*.py")
BRIEF_CODE = (*_RENDER, "render/brief*.py", "render/landing.py", "narrative/**/*.py", "publish/brief.py",
              "publish/email.py", "publish/pdf.py", "publish/cache.py")  # fmt: skip
STATUS_CODE = (*_RENDER, "render/status*.py", "render/badges.py", "render/feed.py", "publish/status.py")
DECK_CODE = (
    *_RENDER,
    "render/deck*.py",
    "narrative/**/*.py",
    "publish/deck.py",
    "publish/pptx*.py",
    "publish/pdf.py",
)


@cache
def code_digest(patterns: tuple[str, ...] = ("**/*.py", "theme/**/*")) -> str:
    """The package's own files matching ``patterns`` (default: all source and the theme), hashed once per
    process. ``FACTS_CODE`` is what facts depend on; ``BRIEF_CODE``, ``STATUS_CODE`` and ``DECK_CODE`` what each
    publication's rendered files depend on, so work on one publication does not invalidate the others."""
    return tree_digest(PACKAGE_DIR, patterns)


class OutputCache:
    def __init__(self, root: Path | None):
        self.root = Path(root) if root is not None else None
        self.hits = 0
        self.misses = 0

    def _entry(self, kind: str, key: str) -> Path | None:
        return self.root / kind / key[:2] / key if self.root is not None else None

    def get_files(self, kind: str, key: str) -> dict[str, bytes] | None:
        entry = self._entry(kind, key)
        if entry is None or not (entry / "meta.json").is_file():
            self.misses += 1
            return None
        try:
            meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
            files = {name: (entry / "files" / name).read_bytes() for name in meta["files"]}
        except (OSError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        if any(hashlib.sha256(data).hexdigest() != meta["files"][name] for name, data in files.items()):
            self.misses += 1
            return None
        self.hits += 1
        return files

    def put_files(self, kind: str, key: str, files: Mapping[str, bytes]) -> None:
        entry = self._entry(kind, key)
        if entry is None:
            return
        tmp = entry.parent / f".{key}.{secrets.token_hex(4)}.tmp"
        try:
            (tmp / "files").mkdir(parents=True)
            for name, data in files.items():
                target = tmp / "files" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            meta = {"files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}}
            (tmp / "meta.json").write_text(json.dumps(meta, sort_keys=True, indent=1), encoding="utf-8")
            if entry.exists():
                shutil.rmtree(entry, ignore_errors=True)
            os.rename(tmp, entry)
        except OSError:  # a cache that cannot be written only costs time on the next build
            shutil.rmtree(tmp, ignore_errors=True)

    def get_json(self, kind: str, key: str) -> Any:
        files = self.get_files(kind, key)
        return None if files is None else json.loads(files["doc.json"])

    def put_json(self, kind: str, key: str, doc: Any) -> None:
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False, allow_nan=False)
        self.put_files(kind, key, {"doc.json": text.encode("utf-8")})
