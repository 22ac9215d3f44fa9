"""The whole site build: atomic, verified, incremental and deterministic."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sentinel_reports.errors import PublishError, SourceError, UsageError, VerificationError
from sentinel_reports.pipeline import build_site
from sentinel_reports.publish.manifest import verify_site


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def copy_project(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("site"))
    return dest


def test_site_layout_manifest_and_robots(example_site) -> None:  # type: ignore[no-untyped-def]
    site, result = example_site
    assert verify_site(site) == []
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["path"] for o in manifest["outputs"]}
    assert {
        "index.html",
        "robots.txt",
        "static/sentinel.css",
        "static/brief.css",
        "status/index.html",
    } <= listed
    assert all(
        f"briefs/{w}/index.html" in listed and f"evidence/{w}/facts.json" in listed for w in result.weeks
    )
    assert manifest["inputs"] and all(
        i["sha256"] and i["path"].startswith("data/") for i in manifest["inputs"]
    )
    assert manifest["narrator"]["kind"] == "template"
    assert (site / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    for page in [site / "index.html", *(site / "briefs").glob("*/index.html")]:
        assert '<meta name="robots" content="noindex' in page.read_text(encoding="utf-8")


def test_landing_page_links_latest_brief_status_and_archive(example_site) -> None:  # type: ignore[no-untyped-def]
    site, result = example_site
    html = (site / "index.html").read_text(encoding="utf-8")
    latest = result.weeks[-1]
    assert html.index(f'href="briefs/{latest}/index.html"') < html.index('id="archive"')
    assert 'href="status/index.html"' in html
    for week in result.weeks:
        assert f'href="briefs/{week}/brief.pdf"' in html
    first = (site / "briefs" / result.weeks[0] / "index.html").read_text(encoding="utf-8")
    assert f'href="../{result.weeks[1]}/index.html"' in first and 'rel="prev"' not in first


def test_no_change_rebuild_reuses_everything_and_is_byte_identical(
    example_site, example_project: Path
) -> None:  # type: ignore[no-untyped-def]
    site, _ = example_site
    before = files_under(site)
    result = build_site(example_project, site, only="brief,status")
    assert result.facts_from_cache and result.rendered_weeks == [] and result.reused_weeks == result.weeks
    assert files_under(site) == before


def test_cold_build_without_cache_gives_the_same_bytes(
    example_site, example_project: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    site, _ = example_site
    project = copy_project(example_project, tmp_path / "p")
    shutil.rmtree(project / ".sentinel", ignore_errors=True)
    result = build_site(project, tmp_path / "site", only="brief,status", use_cache=False)
    assert not (project / ".sentinel").exists()
    assert len(result.rendered_weeks) == len(result.weeks)
    assert files_under(tmp_path / "site") == files_under(site)


def test_a_failing_build_leaves_the_previous_site_byte_identical(
    example_site, example_project: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    project = copy_project(example_project, tmp_path / "p")
    out = tmp_path / "site"
    shutil.copytree(example_site[0], out)
    before = files_under(out)
    incidents = project / "data" / "incidents" / "incidents.csv"
    lines = incidents.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("2026-11-12T15:00:00Z", "yesterday afternoon", 1)
    incidents.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as failure:
        build_site(project, out)
    assert "incidents.csv" in str(failure.value)
    assert files_under(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_unverifiable_narrative_publishes_nothing(example_project: Path, tmp_path: Path) -> None:
    project = copy_project(example_project, tmp_path / "p")
    shutil.rmtree(project / ".sentinel", ignore_errors=True)
    [rec] = (project / "content" / "recommendations").glob("*.md")
    text = rec.read_text(encoding="utf-8")
    start = text.index("expected_impact:")
    end = text.index("\n", start)
    # an expected impact with no figure in it: the voice rules reject it before anything is written
    rec.write_text(
        text[:start] + "expected_impact: spend becomes easier to read" + text[end:], encoding="utf-8"
    )
    with pytest.raises(VerificationError, match="expected impact must be quantified"):
        build_site(project, tmp_path / "site", only="brief")
    assert not (tmp_path / "site").exists()


def test_refuses_a_folder_that_is_not_a_previous_site(example_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(PublishError, match="refusing to replace it"):
        build_site(example_project, out, only="brief")
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_only_status_keeps_the_previous_briefs(example_site, example_project: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "site"
    shutil.copytree(example_site[0], out)
    before = files_under(out)
    result = build_site(example_project, out, only="status")
    after = files_under(out)
    assert result.status and result.rendered_weeks == [] and result.reused_weeks == []
    briefs = {k: v for k, v in before.items() if k.startswith(("briefs/", "evidence/"))}
    assert {k: after[k] for k in briefs} == briefs
    assert verify_site(out) == []


def test_unknown_publication_in_only_is_a_usage_error(example_project: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--only"):
        build_site(example_project, tmp_path / "site", only="brief,slides")
