"""manifest.json: sorted, timestamp-free, lists every output; `verify_site` finds every kind of tampering."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sentinel_reports import __version__
from sentinel_reports.model import InputFile, SourceReport
from sentinel_reports.publish.manifest import inputs_from_sources, verify_site, write_manifest
from sentinel_reports.publish.site import SiteWriter

AS_OF = dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)
SOURCES = [
    SourceReport(
        id="prometheus-1",
        type="prometheus",
        files=(InputFile("data/b.json", "b" * 64, 10), InputFile("data/a.json", "a" * 64, 5)),
        rows=15,
        duplicates_dropped=0,
        start=dt.datetime(2026, 8, 1, tzinfo=dt.UTC),
        end=AS_OF,
    )
]


def _publish(out: Path) -> dict:  # type: ignore[type-arg]
    with SiteWriter(out) as w:
        w.write_text("index.html", "<h1>home</h1>")
        w.write_bytes("briefs/2026-W47/brief.pdf", b"%PDF-1.7 fake")
        manifest = write_manifest(
            w,
            as_of=AS_OF,
            inputs=inputs_from_sources(SOURCES),
            narrator={
                "kind": "claude",
                "usage": {"input_tokens": 1200, "output_tokens": 300},
                "cost": 0.0123,
            },
            source_date_epoch=1795388400,
        )
    return manifest


def test_manifest_shape_and_determinism(tmp_path: Path):
    manifest = _publish(tmp_path / "a")
    _publish(tmp_path / "b")
    text = (tmp_path / "a" / "manifest.json").read_text()
    assert text == (tmp_path / "b" / "manifest.json").read_text()
    assert json.loads(text) == manifest
    assert text == json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert manifest["generator"] == "sentinel-reports" and manifest["version"] == __version__
    assert manifest["as_of"] == "2026-11-22T23:00:00Z"
    assert manifest["build"] == {"source_date_epoch": 1795388400}
    assert [i["path"] for i in manifest["inputs"]] == ["data/a.json", "data/b.json"]
    assert manifest["inputs"][0] == {
        "path": "data/a.json", "sha256": "a" * 64, "rows": 5, "start": "2026-08-01T00:00:00Z",
        "end": "2026-11-22T23:00:00Z", "source": "prometheus-1",
    }  # fmt: skip
    assert [o["path"] for o in manifest["outputs"]] == [
        "briefs/2026-W47/brief.pdf",
        "index.html",
        "robots.txt",
    ]
    assert manifest["narrator"]["cost"] == 0.0123


def test_verify_clean_site(tmp_path: Path):
    _publish(tmp_path / "site")
    assert verify_site(tmp_path / "site") == []


def test_verify_reports_modified_missing_and_unexpected(tmp_path: Path):
    site = tmp_path / "site"
    _publish(site)
    (site / "index.html").write_text("<h1>home</h1><!-- edited after publishing -->")
    (site / "briefs/2026-W47/brief.pdf").unlink()
    (site / "briefs/2026-W47/extra.html").write_text("added")
    assert verify_site(site) == [
        "missing: briefs/2026-W47/brief.pdf",
        "modified: index.html",
        "unexpected: briefs/2026-W47/extra.html",
    ]


def test_verify_without_or_with_a_foreign_manifest(tmp_path: Path):
    (tmp_path / "index.html").write_text("x")
    (problem,) = verify_site(tmp_path)
    assert "manifest.json: missing" in problem
    (tmp_path / "manifest.json").write_text("{not json")
    assert "cannot be read as JSON" in verify_site(tmp_path)[0]
    (tmp_path / "manifest.json").write_text(json.dumps({"generator": "other", "outputs": []}))
    assert "not written by sentinel-reports" in verify_site(tmp_path)[0]


def test_verify_does_not_follow_paths_outside_the_site(tmp_path: Path):
    site = tmp_path / "site"
    _publish(site)
    manifest = json.loads((site / "manifest.json").read_text())
    manifest["outputs"].append({"path": "../secret.txt", "sha256": "0" * 64, "bytes": 1})
    (site / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "secret.txt").write_text("s")
    problems = verify_site(site)
    assert len(problems) == 1 and problems[0].startswith("manifest.json: invalid output entry")
