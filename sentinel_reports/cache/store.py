"""The one content-addressed store: every cached output, document and chart of a project.

    store = Store(project_dir / ".sentinel/cache")         Store(None): remembers nothing
    files = store.get_files("pages", key)                  {name: bytes} or None
    store.put_files("pages", key, files)
    doc = store.get_json("facts", key); store.put_json("facts", key, doc)
    key = digest("brief-v1", facts_text, narrative_json, code_key(BRIEF_MODULES), ...)

Layout: ``<root>/<kind>/<key[:2]>/<key>/`` with one file per output under ``files/`` and ``meta.json``
listing each file's sha256; an entry whose files no longer match (truncated, edited) is a miss and is
written again. Entries are written into a temporary folder and renamed into place, so a build interrupted
mid-write leaves no half entry behind. A key is a digest of everything the entry is made from, including
the code that makes it (``cache.code.code_key``), so a hit can only return what this code would produce.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


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


class Store:
    """The content-addressed store: ``{name: bytes}`` entries (or one JSON document) under (kind, key)."""

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
