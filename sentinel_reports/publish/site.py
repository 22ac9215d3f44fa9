"""Writing the site atomically: build beside the output, then swap it in.

    with SiteWriter(Path("site")) as site:
        site.write_text("index.html", html)
        site.write_bytes("briefs/2026-W47/brief.pdf", pdf)
        write_manifest(site, ...)          # publish.manifest; lists site.outputs
    # clean exit: committed; an exception: the previous site is untouched and the temp folder removed

- The new site is built in ``.<name>.tmp-<random>`` next to ``out_dir`` (same filesystem, so the swap is
  two renames). ``commit()`` renames the old site to ``.<name>.old-<random>``, the new one into place, and
  removes the old one; if the second rename fails the old site is put back.
- An existing, non-empty ``out_dir`` is only replaced when it is a previous Sentinel output (it holds the
  ``.sentinel-site`` marker or a ``manifest.json`` whose ``generator`` is ``sentinel-reports``); anything else
  is refused with PublishError before anything is written.
- Each output path may be written once (two pages mapping to one URL is a bug; paths that differ only in
  case are refused too, as they collide on macOS and Windows). Paths are relative POSIX paths inside the
  site: absolute paths, ``..``, ``.``, empty segments and backslashes are refused.
- Every output is recorded with its sha256 and size (``outputs``, sorted by path) for the manifest. The
  ``.sentinel-site`` marker is not an output; ``robots.txt`` (``Disallow: /``) is written on open.
- Unchanged files are not rewritten: when the previous site has the same bytes at the same path, the new
  site hard-links that file (falling back to a copy that keeps its mtime), so a no-change rebuild writes no
  new file contents and file modification times keep meaning "content changed". Disable with
  ``reuse_unchanged=False``.
- A build holds a lock on its temp folder while it writes; on open, the ``.<name>.tmp-*`` folders of builds
  that were killed (no lock, only Sentinel output inside) are removed.
- A folder that cannot be created or written (a file where a folder belongs, no permission, a full disk)
  is a PublishError naming it; the previous site is left as it was and the temp folder is removed.
- Nothing here reads the clock; file contents decide everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType

from ..errors import PublishError

GENERATOR = "sentinel-reports"
MARKER = ".sentinel-site"
MANIFEST = "manifest.json"
ROBOTS_TXT = "User-agent: *\nDisallow: /\n"


@dataclass(frozen=True)
class Output:
    path: str
    sha256: str
    bytes: int


def safe_relpath(rel_path: str | PurePosixPath) -> str:
    """Validate a path inside the site and return it in canonical POSIX form."""
    text = str(rel_path)
    if not text or "\\" in text or "\x00" in text:
        raise PublishError(f"invalid output path {text!r}")
    path = PurePosixPath(text)
    if path.is_absolute() or (len(text) > 1 and text[1] == ":"):
        raise PublishError(f"output path {text!r} must be relative to the site folder")
    parts = text.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise PublishError(f"output path {text!r} escapes the site folder or is not canonical")
    return text


def is_sentinel_site(folder: Path) -> bool:
    """True when ``folder`` holds a previous Sentinel output (marker file or manifest generator)."""
    if (folder / MARKER).is_file():
        return True
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("generator") == GENERATOR


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _lock(folder: Path) -> int | None:
    """An exclusive lock on the temp folder, held while the build writes it (released when the process
    ends, however it ends), so a later build can tell a live build's temp folder from a dead one's."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: stale temp folders are not removed
        return None
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def remove_stale(out: Path, *, keep: Path | None = None) -> list[str]:
    """Remove the ``.<name>.tmp-*`` folders a killed build left beside ``out``: those no running build
    holds locked and that hold only Sentinel output (the marker, or nothing yet). Returns their names."""
    removed: list[str] = []
    try:
        candidates = sorted(out.parent.glob(f".{out.name}.tmp-*"))
    except OSError:
        return removed
    for folder in candidates:
        if folder == keep or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            if any(folder.iterdir()) and not (folder / MARKER).is_file():
                continue  # not ours
        except OSError:
            continue
        fd = _lock(folder)
        if fd is None:
            continue  # a live build is writing it (or locks are unavailable)
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
        finally:
            os.close(fd)
    return removed


class SiteWriter:
    """Collects a complete site in a temporary folder and swaps it in on ``commit()``."""

    def __init__(self, out_dir: Path, *, reuse_unchanged: bool = True):
        self.out_dir = Path(out_dir).absolute()
        self.reuse_unchanged = reuse_unchanged
        self.tmp_dir: Path | None = None
        self.committed = False
        self.reused: list[str] = []
        self._outputs: dict[str, Output] = {}
        self._folded: dict[str, str] = {}
        self._lock: int | None = None
        self.removed_stale: list[str] = []

    # -- lifecycle -------------------------------------------------------------------------------------
    def open(self) -> SiteWriter:
        out = self.out_dir
        if out.exists() and not out.is_dir():
            raise PublishError(f"{out} exists and is not a folder; refusing to replace it")
        if out.is_dir() and any(out.iterdir()) and not is_sentinel_site(out):
            raise PublishError(
                f"{out} is not empty and is not a previous Sentinel site (no {MARKER} or {MANIFEST} from "
                "sentinel-reports); refusing to replace it. Choose another --out folder or empty it."
            )
        blocker = next((d for d in (out.parent, *out.parent.parents) if d.exists() or d.is_symlink()), None)
        if blocker is not None and not blocker.is_dir():
            raise PublishError(f"{blocker} is a file, not a folder; cannot write the site {out} there")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PublishError(
                f"cannot create {out.parent} for the site: {_reason(exc)}; nothing was written"
            ) from None
        if not out.parent.is_dir():
            raise PublishError(f"{out.parent} is not a folder; cannot write the site {out}")
        while self.tmp_dir is None:
            candidate = out.parent / f".{out.name}.tmp-{secrets.token_hex(6)}"
            try:
                candidate.mkdir()
            except FileExistsError:
                continue
            except OSError as exc:
                raise PublishError(
                    f"cannot write into {out.parent}: {_reason(exc)}; nothing was written"
                ) from None
            self.tmp_dir = candidate
        self._lock = _lock(self.tmp_dir)
        try:
            self.removed_stale = remove_stale(out, keep=self.tmp_dir)
            marker = self.tmp_dir / MARKER
            try:
                if self.reuse_unchanged and self._reuse(MARKER, f"{GENERATOR}\n".encode(), marker):
                    self.reused.remove(MARKER)  # linked from the previous site; the marker is not an output
                else:
                    marker.write_text(f"{GENERATOR}\n", encoding="utf-8")
            except OSError as exc:
                self.abort()
                raise PublishError(
                    f"cannot write the site into {out.parent}: {_reason(exc)}; nothing was changed"
                ) from None
            self.write_text("robots.txt", ROBOTS_TXT)
        except BaseException:
            self.abort()
            raise
        return self

    def __enter__(self) -> SiteWriter:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self.abort()
        elif not self.committed:
            self.commit()

    def abort(self) -> None:
        """Discard the new site; the previous one is untouched."""
        if self.tmp_dir is not None and self.tmp_dir.exists():
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
        self.tmp_dir = None
        self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the lock
            self._lock = None

    def commit(self) -> None:
        """Swap the new site in: old -> backup, new -> out, remove backup; restore the old site on failure."""
        if self.tmp_dir is None or self.committed:
            raise PublishError("nothing to commit: the site writer is not open")
        out = self.out_dir
        backup: Path | None = None
        try:
            if out.exists():
                backup = out.parent / f".{out.name}.old-{secrets.token_hex(6)}"
                os.rename(out, backup)
            try:
                os.rename(self.tmp_dir, out)
            except OSError:
                if backup is not None:
                    os.rename(backup, out)
                    backup = None
                raise
        except OSError as exc:
            self.abort()
            raise PublishError(f"could not replace {out}: {exc.strerror or exc}") from None
        self.committed = True
        self.tmp_dir = None
        self._unlock()
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)

    # -- writing ---------------------------------------------------------------------------------------
    def write_text(self, rel_path: str, text: str) -> Path:
        """Write UTF-8 text (newlines as given) at ``rel_path``; returns the file's path in the temp folder."""
        return self.write_bytes(rel_path, text.encode("utf-8"))

    def write_bytes(self, rel_path: str, data: bytes) -> Path:
        if self.tmp_dir is None:
            raise PublishError("the site writer is not open (use it as a context manager)")
        rel = safe_relpath(rel_path)
        if rel == MARKER:
            raise PublishError(f"{MARKER} is reserved for the site writer")
        if rel in self._outputs:
            raise PublishError(f"output path {rel!r} written twice; two pages map to one file")
        folded = rel.casefold()
        if folded in self._folded:
            raise PublishError(f"output paths {self._folded[folded]!r} and {rel!r} differ only in case")
        target = self.tmp_dir / rel
        for parent in PurePosixPath(rel).parents:
            if str(parent) != "." and str(parent) in self._outputs:
                raise PublishError(f"output path {rel!r} would put a file inside the file {str(parent)!r}")
        if target.is_dir():
            raise PublishError(f"output path {rel!r} is already a folder of other outputs")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not (self.reuse_unchanged and self._reuse(rel, data, target)):
                target.write_bytes(data)
        except OSError as exc:  # a full disk, a quota: the previous site stays as it was
            raise PublishError(
                f"cannot write {rel} of the new site: {_reason(exc)}; the previous site is untouched"
            ) from None
        self._outputs[rel] = Output(rel, hashlib.sha256(data).hexdigest(), len(data))
        self._folded[folded] = rel
        return target

    def _reuse(self, rel: str, data: bytes, target: Path) -> bool:
        previous = self.out_dir / rel
        try:
            if previous.is_symlink() or not previous.is_file() or previous.stat().st_size != len(data):
                return False
            if previous.read_bytes() != data:
                return False
            try:
                os.link(previous, target)
            except OSError:
                shutil.copy2(previous, target)
        except OSError:
            return False
        self.reused.append(rel)
        return True

    @property
    def outputs(self) -> list[Output]:
        """Every file written so far, sorted by path (what the manifest lists)."""
        return [self._outputs[k] for k in sorted(self._outputs)]

    def __contains__(self, rel_path: str) -> bool:
        return rel_path in self._outputs
