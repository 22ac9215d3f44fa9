"""manifest.json: what a site was built from and what it contains, and ``sentinel verify``.

    manifest = write_manifest(site, as_of=as_of, inputs=inputs_from_sources(dataset.sources),
                              narrator={"kind": "template", "usage": {}, "cost": 0.0})
    problems = verify_site(Path("site"))     # [] when every file matches the manifest

Shape (JSON, sorted keys, two-space indent, no wall-clock time anywhere)::

    generator  "sentinel-reports"          version    package version
    as_of      ISO 8601 UTC                build      {source_date_epoch?}
    inputs[]   {path, sha256, rows, start, end, source}    every input file, sorted by path
    outputs[]  {path, sha256, bytes}                       every file in the site except manifest.json
                                                           and the .sentinel-site marker, sorted by path
    narrator   {kind, usage, cost}                         LLM token usage and cost of this build

``verify_site`` re-hashes the published files and reports, one line each, sorted: ``modified: <path>``,
``missing: <path>`` and ``unexpected: <path>`` (a file the manifest does not list), plus problems with the
manifest itself. An edited page, a deleted PDF or an added file are all reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import PublishError
from ..model import format_timestamp
from .site import GENERATOR, MANIFEST, MARKER, Output, SiteWriter, safe_relpath


def _iso(value: dt.datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return format_timestamp(value)


def inputs_from_sources(sources: Iterable[Any]) -> list[dict[str, Any]]:
    """One entry per input file from ``model.SourceReport`` objects (files carry path, sha256, rows)."""
    entries = [
        {
            "path": f.path,
            "sha256": f.sha256,
            "rows": f.rows,
            "start": _iso(src.start),
            "end": _iso(src.end),
            "source": src.id,
        }
        for src in sources
        for f in src.files
    ]
    return sorted(entries, key=lambda e: (e["path"], e["source"]))


def build_manifest(
    *,
    outputs: Iterable[Output],
    as_of: dt.datetime,
    inputs: Iterable[Mapping[str, Any]] = (),
    narrator: Mapping[str, Any] | None = None,
    source_date_epoch: int | None = None,
    version: str = __version__,
) -> dict[str, Any]:
    build: dict[str, Any] = {}
    if source_date_epoch is not None:
        build["source_date_epoch"] = int(source_date_epoch)
    return {
        "generator": GENERATOR,
        "version": version,
        "as_of": _iso(as_of),
        "build": build,
        "inputs": sorted((dict(i) for i in inputs), key=lambda e: (e["path"], e.get("source") or "")),
        "outputs": [
            {"path": o.path, "sha256": o.sha256, "bytes": o.bytes}
            for o in sorted(outputs, key=lambda o: o.path)
            if o.path != MANIFEST
        ],
        "narrator": dict(narrator)
        if narrator is not None
        else {"kind": "template", "usage": {}, "cost": 0.0},
    }


def manifest_text(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_manifest(site: SiteWriter, **kwargs: Any) -> dict[str, Any]:
    """Write ``manifest.json`` listing everything written so far; call it last, before commit."""
    manifest = build_manifest(outputs=site.outputs, **kwargs)
    site.write_text(MANIFEST, manifest_text(manifest))
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(site_dir: Path) -> dict[str, Any]:
    path = Path(site_dir) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PublishError(f"{path}: missing; {site_dir} is not a published Sentinel site") from None
    except (OSError, ValueError) as exc:
        raise PublishError(f"{path}: cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("generator") != GENERATOR:
        raise PublishError(f"{path}: not written by {GENERATOR}")
    if not isinstance(data.get("outputs"), list):
        raise PublishError(f"{path}: has no outputs list")
    return data


def verify_site(site_dir: Path) -> list[str]:
    """Re-hash a published site against its manifest; returns problems, sorted ([] means intact)."""
    site_dir = Path(site_dir)
    try:
        manifest = read_manifest(site_dir)
    except PublishError as exc:
        return [str(exc)]
    problems: list[str] = []
    listed: set[str] = set()
    for entry in manifest["outputs"]:
        try:
            rel = safe_relpath(entry["path"])
            expected = str(entry["sha256"])
        except (KeyError, TypeError, PublishError):
            problems.append(f"{MANIFEST}: invalid output entry {entry!r}")
            continue
        listed.add(rel)
        path = site_dir / rel
        if path.is_symlink():
            problems.append(f"modified: {rel} (replaced by a symbolic link)")
        elif not path.is_file():
            problems.append(f"missing: {rel}")
        elif _sha256(path) != expected:
            problems.append(f"modified: {rel}")
    for path in sorted(site_dir.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(site_dir).as_posix()
        if rel not in listed and rel not in (MANIFEST, MARKER):
            problems.append(f"unexpected: {rel}")
    return sorted(problems)
