"""sha256 of input files remembered by their metadata, so an unchanged year of exports is not read on
every build."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..collectors.io import file_digest


class DigestMemo:
    """sha256 of input files, remembered with their (size, mtime_ns, inode, ctime_ns) in
    ``<dir>/digests.json``, so an unchanged year of exports is not read on every build. As in git's index, a
    file modified in the same instant the memo was written ("racy": mtime not older than the memo file) is
    hashed again."""

    def __init__(self, folder: Path | None):
        self.path = folder / "digests.json" if folder is not None else None
        self.entries: dict[str, list] = {}
        self.written_ns = 0
        self.changed = False
        if self.path is not None and self.path.is_file():
            try:
                self.entries = json.loads(self.path.read_text(encoding="utf-8"))
                self.written_ns = self.path.stat().st_mtime_ns
            except (OSError, ValueError):
                self.entries = {}

    def digest(self, path: Path) -> str:
        if self.path is None:
            return file_digest(path)
        st = path.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
        known = self.entries.get(str(path))
        if (
            known
            and known[:4] == stamp
            and st.st_mtime_ns < self.written_ns
            and st.st_ctime_ns < self.written_ns
        ):
            return str(known[4])
        sha = file_digest(path)
        self.entries[str(path)] = [*stamp, sha]
        self.changed = True
        return sha

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a memo that cannot be written is only slower
