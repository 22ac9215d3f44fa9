"""The site writer: atomic swap, refusal to clobber, one write per path, and unchanged files reused."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from sentinel_reports.errors import PublishError
from sentinel_reports.publish import site as site_module
from sentinel_reports.publish.site import MARKER, SiteWriter


def _build(out: Path, files: dict[str, str], **kw) -> SiteWriter:  # type: ignore[no-untyped-def]
    with SiteWriter(out, **kw) as w:
        for rel, text in files.items():
            w.write_text(rel, text)
    return w


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_fresh_build_writes_files_robots_and_marker(tmp_path: Path):
    out = tmp_path / "site"
    w = _build(out, {"index.html": "<h1>hi</h1>", "briefs/2026-W47/index.html": "brief"})
    assert _tree(out) == {
        MARKER: "sentinel-reports\n",
        "briefs/2026-W47/index.html": "brief",
        "index.html": "<h1>hi</h1>",
        "robots.txt": "User-agent: *\nDisallow: /\n",
    }
    assert [o.path for o in w.outputs] == ["briefs/2026-W47/index.html", "index.html", "robots.txt"]
    assert w.outputs[1].sha256 == hashlib.sha256(b"<h1>hi</h1>").hexdigest() and w.outputs[1].bytes == 11
    assert list(tmp_path.iterdir()) == [out]  # no temp or backup folder left beside it
    assert stat.S_IMODE(out.stat().st_mode) & 0o055 == 0o055 & ~_umask()  # readable like any new folder


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_builds_beside_the_output_then_swaps(tmp_path: Path):
    out = tmp_path / "site"
    _build(out, {"index.html": "v1"})
    with SiteWriter(out) as w:
        w.write_text("index.html", "v2")
        assert (
            w.tmp_dir is not None and w.tmp_dir.parent == tmp_path and w.tmp_dir.name.startswith(".site.tmp-")
        )
        assert (out / "index.html").read_text() == "v1"  # the published site is untouched until commit
    assert (out / "index.html").read_text() == "v2"


def test_failed_build_leaves_previous_site_untouched(tmp_path: Path):
    out = tmp_path / "site"
    _build(out, {"index.html": "v1", "old.html": "kept"})
    before = _tree(out)
    with pytest.raises(RuntimeError), SiteWriter(out) as w:
        w.write_text("index.html", "half-written v2")
        raise RuntimeError("narrator failed")
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_refuses_to_replace_a_folder_that_is_not_a_sentinel_site(tmp_path: Path):
    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with pytest.raises(PublishError, match="not a previous Sentinel site"):
        _build(out, {"index.html": "x"})
    assert _tree(out) == {"thesis.tex": "years of work"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]
    (out / "manifest.json").write_text(json.dumps({"generator": "someone-else"}))
    with pytest.raises(PublishError):
        _build(out, {"index.html": "x"})
    file_target = tmp_path / "file"
    file_target.write_text("x")
    with pytest.raises(PublishError, match="not a folder"):
        _build(file_target, {})


def test_replaces_an_empty_folder_or_a_site_recognised_by_its_manifest(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    _build(empty, {"index.html": "x"})
    assert (empty / "index.html").exists()
    previous = tmp_path / "previous"
    previous.mkdir()
    (previous / "manifest.json").write_text(json.dumps({"generator": "sentinel-reports", "outputs": []}))
    _build(previous, {"index.html": "y"})
    assert (previous / "index.html").read_text() == "y" and not (previous / "manifest.json").exists()


@pytest.mark.parametrize(
    "bad", ["../escape.html", "/etc/passwd", "a/../../b", "a//b", "./a", "", "a\\b", "C:/x", "a/./b", "dir/"]
)
def test_rejects_paths_escaping_the_root(tmp_path: Path, bad: str):
    with pytest.raises(PublishError), SiteWriter(tmp_path / "site") as w:
        w.write_text(bad, "x")
    assert not (tmp_path / "site").exists()
    assert not (tmp_path / "escape.html").exists()


def test_refuses_to_write_one_path_twice(tmp_path: Path):
    with (
        pytest.raises(PublishError, match="'status/index.html' written twice"),
        SiteWriter(tmp_path / "s") as w,
    ):
        w.write_text("status/index.html", "a")
        w.write_text("status/index.html", "b")
    with pytest.raises(PublishError, match="differ only in case"), SiteWriter(tmp_path / "s") as w:
        w.write_text("Status/index.html", "a")
        w.write_text("status/index.html", "b")
    with pytest.raises(PublishError, match="inside the file"), SiteWriter(tmp_path / "s") as w:
        w.write_text("status", "a")
        w.write_text("status/index.html", "b")
    with pytest.raises(PublishError, match="robots.txt"), SiteWriter(tmp_path / "s") as w:
        w.write_text("robots.txt", "Allow: /")
    assert not (tmp_path / "s").exists()


def test_unchanged_files_are_reused_not_rewritten(tmp_path: Path):
    out = tmp_path / "site"
    _build(out, {"same.html": "same", "changed.html": "v1", "gone.html": "x"})
    os.utime(out / "same.html", (1_000_000_000, 1_000_000_000))
    same_inode = (out / "same.html").stat().st_ino
    w = _build(out, {"same.html": "same", "changed.html": "v2"})
    assert sorted(w.reused) == ["robots.txt", "same.html"]
    assert (out / "same.html").stat().st_ino == same_inode
    assert (out / "same.html").stat().st_mtime == 1_000_000_000
    assert (out / "changed.html").read_text() == "v2"
    assert not (out / "gone.html").exists()
    w = _build(out, {"same.html": "same"}, reuse_unchanged=False)
    assert w.reused == [] and (out / "same.html").stat().st_ino != same_inode


def test_commit_failure_restores_the_previous_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    out = tmp_path / "site"
    _build(out, {"index.html": "v1"})
    real_rename = os.rename
    calls = []

    def flaky_rename(src, dst):  # type: ignore[no-untyped-def]
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:  # new -> out fails after old -> backup succeeded
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    monkeypatch.setattr(site_module.os, "rename", flaky_rename)
    with pytest.raises(PublishError, match="No space left on device"), SiteWriter(out) as w:
        w.write_text("index.html", "v2")
    assert (out / "index.html").read_text() == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
