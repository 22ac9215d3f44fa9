"""The parse cache: a source whose files, options and collector are unchanged is not parsed again.

Layout: `<project>/.sentinel/cache/sources/<key>/` with one Parquet file per canonical frame and `meta.json`
(file list, counts, warnings, summary, incidents, and the sha256 of every Parquet file). The key is the
sha256 of the collector type and version, the source options, the timezone, the canonical schema version
and every input file's sha256. A cache entry whose Parquet files do not match the hashes in its meta (a
truncated or edited entry) is discarded and the source parsed again; so is an entry that fails to load.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__
from .collectors.base import Batch
from .model import Incident, IncidentUpdate, InputFile, conform

SCHEMA_VERSION = "1"
_FRAMES = ("samples", "costs", "evals")


def cache_key(source_type: str, options: dict[str, Any], tz: str, file_digests: list[tuple[str, str]]) -> str:
    material = json.dumps(
        {
            "type": source_type,
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


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class SourceCache:
    def __init__(self, root: Path):
        self.root = root / "sources"

    def load(self, key: str) -> Batch | None:
        entry = self.root / key
        meta_path = entry / "meta.json"
        if not meta_path.is_file():
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
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
                incidents=[_incident_from(d) for d in meta["incidents"]],
                files=[InputFile(**f) for f in meta["files"]],
                rows=meta["rows"],
                duplicates_dropped=meta["duplicates_dropped"],
                warnings=list(meta["warnings"]),
                summary=meta["summary"],
            )
        except Exception:  # any damage to the entry: forget it, parse again
            shutil.rmtree(entry, ignore_errors=True)
            return None

    def store(self, key: str, batch: Batch) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.root))
        try:
            hashes = {}
            for name in _FRAMES:
                path = tmp / f"{name}.parquet"
                getattr(batch, name).to_parquet(path, index=False)
                hashes[name] = _sha(path)
            meta = {
                "hashes": hashes,
                "incidents": [_incident_to(i) for i in batch.incidents],
                "files": [dataclasses.asdict(f) for f in batch.files],
                "rows": batch.rows,
                "duplicates_dropped": batch.duplicates_dropped,
                "warnings": batch.warnings,
                "summary": batch.summary,
            }
            (tmp / "meta.json").write_text(
                json.dumps(meta, sort_keys=True, default=_json_default), encoding="utf-8"
            )
            final = self.root / key
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
        except (OSError, TypeError, ValueError):
            shutil.rmtree(tmp, ignore_errors=True)  # a cache that cannot be written is only slower


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
    fields["updates"] = tuple(
        IncidentUpdate(at=_ts(u["at"]), status=u["status"], body=u["body"])  # type: ignore[arg-type]
        for u in d["updates"]
    )
    return Incident(**fields)
