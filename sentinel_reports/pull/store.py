"""Where pulled files go, which days are already complete, and atomic writes.

A source's day files are `<folder of its path>/<file name with the day for the *>` (config.pull_file_name).
The ledger `.sentinel/pull.json` records, per source and UTC day, whether the file holds the whole day and
the file's SHA-256:

    {"version": 1, "sources": {"prometheus-1": {"2026-11-20": {"complete": true, "sha256": "...",
                                                "fetched_at": "2026-11-21T06:00:03+00:00"}}}}

A day is fetched again when its file is missing, or when the ledger says it was incomplete. A file that is
not in the ledger (it was written by hand, or `.sentinel` was removed), or that changed since it was
written, counts as complete when it was last modified after its day ended plus the source's `settle`
time; otherwise it is fetched again. The ledger holds no credential, only days, hashes and times.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..config import pull_file_name

LEDGER = Path(".sentinel") / "pull.json"


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def day_path(project_dir: Path, pattern: str, day: dt.date) -> Path:
    named = pull_file_name(pattern)
    assert named is not None  # load_config rejects a pulled source whose path cannot name its days
    folder, name = named
    base = Path(folder) if Path(folder).is_absolute() else project_dir / folder
    return base / name.format(day=day.isoformat())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Ledger:
    def __init__(self, project_dir: Path) -> None:
        self.path = project_dir / LEDGER
        self.doc: dict[str, Any] = {"version": 1, "sources": {}}
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = None  # no ledger yet, or an unreadable one: every file is judged by its time
        if isinstance(doc, dict) and isinstance(doc.get("sources"), dict):
            self.doc = doc

    def entry(self, source_id: str, day: dt.date) -> dict[str, Any] | None:
        entry = self.doc["sources"].get(source_id, {}).get(day.isoformat())
        return entry if isinstance(entry, dict) else None

    def record(self, source_id: str, day: dt.date, *, complete: bool, digest: str, at: dt.datetime) -> None:
        days = self.doc["sources"].setdefault(source_id, {})
        days[day.isoformat()] = {"complete": complete, "sha256": digest, "fetched_at": at.isoformat()}

    def save(self) -> None:
        text = json.dumps(self.doc, indent=1, sort_keys=True) + "\n"
        atomic_write(self.path, text.encode("utf-8"))

    def needs_fetch(self, source_id: str, day: dt.date, path: Path, settle: dt.timedelta) -> bool:
        """Whether the day's file is missing or incomplete (see the module docstring)."""
        if not path.is_file():
            return True
        entry = self.entry(source_id, day)
        data = path.read_bytes()
        if entry is not None and entry.get("sha256") == sha256(data):
            return not entry.get("complete")
        written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        day_end = dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(days=1)
        return written < day_end + settle
