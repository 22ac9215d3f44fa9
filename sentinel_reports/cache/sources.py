"""The parse cache: a source whose files, options and collector are unchanged is not parsed again, and a
source whose glob gained files reads only the new ones.

Layout: `<store root>/sources/<key>/` with one Parquet file per canonical frame and `meta.json`
(the source it belongs to, file list, counts, warnings, summary, incidents, the collector's state, the
sha256 of every Parquet file and a checksum of the meta itself). The key is the sha256 of the collector
type, version and code (the import closure of its module), the source options (with the component ids,
owners and currency the collectors read), the timezone, the canonical schema version and every input file's sha256; the same without the files
identifies the source. A cache entry whose Parquet files or meta do not match their recorded hashes (a
truncated or edited entry) is discarded and the source parsed again; so is an entry that fails to load.

Appending: when no entry matches the files, the entry of the same source read from the longest run of
the same first files (same paths, same digests, same order) is the base; the collector reads only the
files after them and `Collector.combine` joins the two batches, or declines (then every file is read).
The extended batch replaces its base in the cache.

Checked: an entry holds a batch that passed the boundary checks (`project.check_batch`); it is stored only
after them, and an appended batch is checked in its new part only (`Collector.combine` keeps what both
parts passed), so a batch read back is not checked again (`Batch.checked`; an entry without the mark is).

Per file (`PartCache`): a collector that reduces each file on its own (`Collector.per_file`) gets each
file's partial aggregate from `parts/`, keyed by the source's identity and the file's path and sha256; only
files without a part (new or edited) are read, and the parts of files the source no longer has are
removed. Such a source is never extended by `append`: its whole entry is a shortcut for the no-change
build only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import __version__
from ..collectors.base import Batch, CollectContext, Collector, Part
from ..errors import SourceError
from ..model import Incident, IncidentUpdate, InputFile, conform
from .writes import later

SCHEMA_VERSION = "3"
_FRAMES = ("samples", "costs", "evals", "kpis")


def cache_key(
    source_type: str, options: dict[str, Any], tz: str, file_digests: list[tuple[str, str]], code: str = ""
) -> str:
    """``code``: the digest of the collector's code (``code_key`` of its module)."""
    material = json.dumps(
        {
            "type": source_type,
            "code": code,
            "options": options,
            "tz": tz,
            "files": file_digests,
            "schema": SCHEMA_VERSION,
            "version": __version__,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def source_material(options: Any, ctx: CollectContext) -> dict[str, Any]:
    """What identifies a source besides its type, timezone and files: its options, its id, and the parts
    of sentinel.yaml collectors read (component ids and owners, currency)."""
    return {
        **options.model_dump(mode="json"),
        "id": ctx.source_id,
        "components": {c.id: c.owner for c in ctx.config.components},
        "currency": ctx.config.currency,
    }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class SourceCache:
    def __init__(self, root: Path):
        self.root = root / "sources"

    def load(self, key: str) -> Batch | None:
        entry = self.root / key
        if not (entry / "meta.json").is_file():
            return None
        try:
            meta = _checked_meta(entry)
            frames = {}
            for name in _FRAMES:
                path = entry / f"{name}.parquet"
                if _sha(path) != meta["hashes"][name]:
                    raise ValueError(f"{path.name} does not match its recorded hash")
                frames[name] = conform(name, pd.read_parquet(path))  # type: ignore[arg-type]
            return Batch(
                samples=frames["samples"],
                costs=frames["costs"],
                evals=frames["evals"],
                kpis=frames["kpis"],
                incidents=[_incident_from(d) for d in meta["incidents"]],
                files=[InputFile(**f) for f in meta["files"]],
                rows=meta["rows"],
                duplicates_dropped=meta["duplicates_dropped"],
                warnings=list(meta["warnings"]),
                summary=meta["summary"],
                state=meta["state"],
                checked=meta.get("checked") is True,
            )
        except Exception:  # any damage to the entry: forget it, parse again
            shutil.rmtree(entry, ignore_errors=True)
            return None

    def load_base(self, source: str, digests: list[tuple[str, str]]) -> tuple[Batch, int, str] | None:
        """The batch of `source` read from the longest proper run of the first `digests` (path, sha256),
        with how many files it holds and its key; None when no entry of the source is such a run."""
        candidates = []
        for meta_path in self.root.glob("*/meta.json") if self.root.is_dir() else ():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                if meta.get("source") != source:
                    continue
                files = [(f["path"], f["sha256"]) for f in meta["files"]]
            except (OSError, ValueError, TypeError, KeyError):
                continue
            if 0 < len(files) < len(digests) and files == [tuple(d) for d in digests[: len(files)]]:
                candidates.append((len(files), meta_path.stat().st_mtime_ns, meta_path.parent.name))
        for known, _, key in sorted(candidates, reverse=True):
            batch = self.load(key)  # checks the entry's hashes; a damaged one is removed
            if batch is not None and [(f.path, f.sha256) for f in batch.files] == [
                tuple(d) for d in digests[:known]
            ]:
                return batch, known, key
        return None

    def discard_source(self, source: str, keep: str) -> None:
        """Remove the entries of `source` other than `keep` (stale reads of earlier files)."""
        for meta_path in self.root.glob("*/meta.json") if self.root.is_dir() else ():
            if meta_path.parent.name == keep:
                continue
            try:
                other = json.loads(meta_path.read_text(encoding="utf-8")).get("source")
            except (OSError, ValueError):
                continue
            if other == source:
                self.discard(meta_path.parent.name)

    def discard(self, key: str) -> None:
        shutil.rmtree(self.root / key, ignore_errors=True)

    def append(
        self,
        collector: Collector,
        options: Any,
        ctx: CollectContext,
        files: list[Path],
        digests: list[tuple[str, str]],
        key: str,
        source: str,
        progress: Callable[[str], None],
        check: Callable[[Batch], None],
    ) -> Batch | None:
        """The batch of every file from the cached batch of the first ones and a read of the rest (which
        `check` must pass: it raises SourceError otherwise), stored under `key` in place of its base; None
        when there is no base or the collector cannot combine."""
        if not collector.can_combine():
            return None
        base = self.load_base(source, digests)
        if base is None:
            return None
        old, known, base_key = base
        added = files[known:]
        progress(
            f"reading {ctx.source_id} ({collector.type}): {len(added)} new file{'s' if len(added) > 1 else ''}"
        )
        try:
            new = collector.collect(options, dataclasses.replace(ctx, files=tuple(added)))
            check(new)
        except SourceError:
            return None  # read with the others, the error (if it is one) is reported as usual
        batch = collector.combine(old, new, options, ctx)
        if batch is None or [(f.path, f.sha256) for f in batch.files] != [tuple(d) for d in digests]:
            return None
        batch.checked = old.checked  # rows of both parts, each of which passed (Collector.combine)

        def write() -> None:
            self.store(key, batch, source=source)
            if (self.root / key / "meta.json").is_file():  # stored: the base is a stale copy of it
                self.discard(base_key)

        later(write)  # on a background thread during a build (cache/writes.py)
        return batch

    def store(self, key: str, batch: Batch, source: str | None = None) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))
        try:
            hashes = {}
            for name in _FRAMES:
                path = tmp / f"{name}.parquet"
                getattr(batch, name).to_parquet(path, index=False)
                hashes[name] = _sha(path)
            meta = {
                "source": source,
                "hashes": hashes,
                "incidents": [_incident_to(i) for i in batch.incidents],
                "files": [dataclasses.asdict(f) for f in batch.files],
                "rows": batch.rows,
                "duplicates_dropped": batch.duplicates_dropped,
                "warnings": batch.warnings,
                "summary": batch.summary,
                "state": batch.state,
                "checked": batch.checked,
            }
            _seal(tmp, meta, self.root / key)
        except (OSError, TypeError, ValueError):
            shutil.rmtree(tmp, ignore_errors=True)  # a cache that cannot be written is only slower


class PartCache:
    """Per-file partial aggregates of one source (`Collector.per_file`), under `parts/<source>-<key>/`:
    `part.parquet` (the Arrow table as written) and `meta.json` (manifest entry, rows, warnings, state and
    the hashes that detect a damaged entry). The key is the source's identity (type, code, options,
    timezone) with the file's path and sha256, so an edited file misses and is read again; parts of files
    the source no longer has are removed by `prune`."""

    def __init__(self, root: Path, source: str, digests: dict[str, str], ctx: CollectContext):
        self.root = root / "parts"
        self.prefix = source[:16] + "-"
        self.source = source
        self.digests = digests
        self.ctx = ctx
        self.used: set[str] = set()
        self.read: list[str] = []  # files aggregated in this run (not found in the cache)

    def key(self, rel: str) -> str | None:
        sha = self.digests.get(rel)
        if sha is None:
            return None
        material = json.dumps({"source": self.source, "path": rel, "sha256": sha}, sort_keys=True)
        return self.prefix + hashlib.sha256(material.encode()).hexdigest()

    def missing(self) -> int:
        """How many of the source's files have no part in the cache."""
        return sum(1 for rel in self.digests if not (self.root / str(self.key(rel)) / "meta.json").is_file())

    def __call__(self, path: Path, read: Callable[[], Part]) -> Part:
        rel = self.ctx.relpath(path)
        key = self.key(rel)
        if key is None:
            self.read.append(rel)
            return read()
        self.used.add(key)
        part = self._load(key)
        if part is None:
            part = read()
            self.read.append(rel)
            self._store(key, part)
        return part

    def prune(self) -> None:
        """Remove this source's parts that the last read did not use (files deleted or edited)."""
        for entry in self.root.glob(self.prefix + "*") if self.root.is_dir() else ():
            if entry.name not in self.used:
                shutil.rmtree(entry, ignore_errors=True)

    def _load(self, key: str) -> Part | None:
        entry = self.root / key
        if not (entry / "meta.json").is_file():
            return None
        try:
            meta = _checked_meta(entry)
            if _sha(entry / "part.parquet") != meta["hash"]:
                raise ValueError("part.parquet does not match its recorded hash")
            return Part(
                table=pq.read_table(entry / "part.parquet"),
                file=InputFile(**meta["file"]),
                rows=meta["rows"],
                warnings=list(meta["warnings"]),
                state=meta["state"],
            )
        except Exception:  # any damage to the entry: forget it, read the file again
            shutil.rmtree(entry, ignore_errors=True)
            return None

    def _store(self, key: str, part: Part) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))
        try:
            pq.write_table(part.table, tmp / "part.parquet")
            meta = {
                "source": self.source,
                "hash": _sha(tmp / "part.parquet"),
                "file": dataclasses.asdict(part.file),
                "rows": part.rows,
                "warnings": part.warnings,
                "state": part.state,
            }
            _seal(tmp, meta, self.root / key)
        except (OSError, TypeError, ValueError, pa.ArrowException):
            shutil.rmtree(tmp, ignore_errors=True)  # a cache that cannot be written is only slower


def _checked_meta(entry: Path) -> dict[str, Any]:
    """An entry's meta.json, without its check; ValueError when the check does not match."""
    meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
    if meta.pop("check") != _meta_check(meta):
        raise ValueError("meta.json does not match its checksum")
    return meta


def _seal(tmp: Path, meta: dict[str, Any], final: Path) -> None:
    """Write ``meta.json`` (JSON-normalised, with its check) into the staged folder and move it into place."""
    meta = json.loads(json.dumps(meta, sort_keys=True, default=_json_default))
    meta["check"] = _meta_check(meta)
    (tmp / "meta.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)


def _meta_check(meta: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return pd.Timestamp(value).isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not serialisable: {type(value).__name__}")


def _ts(value: str | None) -> dt.datetime | None:
    return None if value is None else pd.Timestamp(value).to_pydatetime()


def _incident_to(inc: Incident) -> dict[str, Any]:
    out = dataclasses.asdict(inc)
    for k, v in list(out.items()):
        if isinstance(v, dt.datetime):
            out[k] = v.isoformat()
    out["updates"] = [{"at": u.at.isoformat(), "status": u.status, "body": u.body} for u in inc.updates]
    return out


def _incident_from(d: dict[str, Any]) -> Incident:
    times = ("started_at", "created_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")
    fields = {k: (_ts(v) if k in times else v) for k, v in d.items()}
    fields["components"] = tuple(d["components"])
    fields["roles"] = tuple(tuple(r) for r in d.get("roles") or ())
    fields["updates"] = tuple(
        IncidentUpdate(at=_ts(u["at"]), status=u["status"], body=u["body"])  # type: ignore[arg-type]
        for u in d["updates"]
    )
    return Incident(**fields)
