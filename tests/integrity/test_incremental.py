"""Incremental builds: a no-change rebuild writes nothing and parses nothing; a damaged parse-cache entry is
detected and rebuilt without changing the output; --no-cache is a cold build with the same bytes; one new
day of data re-renders only the week it falls in."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest

from sentinel_reports.pipeline import build_site
from tests.integrity import hostile_corpus as hc
from tests.integrity.conftest import files_under, run_cli


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file: a file written again gets a new inode or a new mtime."""
    return {
        p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def build(project: Path, out: Path, **kwargs: object) -> tuple[object, list[str]]:
    messages: list[str] = []
    result = build_site(project, out, progress=messages.append, **kwargs)  # type: ignore[arg-type]
    return result, messages


def reads(messages: list[str]) -> list[str]:
    return [m for m in messages if m.startswith("reading ") and m != "reading content/"]


@pytest.fixture(scope="module")
def built(module_tmp: Path) -> tuple[Path, Path, dict[str, bytes]]:
    project = hc.new_project(module_tmp / "project")
    site = module_tmp / "site"
    result, messages = build(project, site)
    assert len(reads(messages)) == 6 and result.rendered_weeks == result.weeks  # type: ignore[attr-defined]
    return project, site, files_under(site)


def test_no_change_rebuild_writes_no_file_and_parses_nothing(built: tuple[Path, Path, dict]) -> None:
    project, site, before = built
    stamped = stamps(site)
    cache_before = stamps(project / ".sentinel")
    result, messages = build(project, site)
    assert reads(messages) == [] and not any(m.startswith("rendering") for m in messages), messages
    assert result.facts_from_cache and result.rendered_weeks == []  # type: ignore[attr-defined]
    assert stamps(site) == stamped  # every output hard-linked from the previous site: no file written
    assert files_under(site) == before
    written = {k for k, v in stamps(project / ".sentinel").items() if cache_before.get(k) != v}
    # the build record, and the stamp `sentinel build` answers the next no-change build from (quick.py)
    assert written <= {k for k in written if k.startswith(("cache/builds/", "cache/quick/"))}, written


def test_damaged_parse_cache_entry_is_detected_and_rebuilt(built: tuple[Path, Path, dict]) -> None:
    project, site, before = built
    entries = sorted((project / ".sentinel/cache/sources").glob("*/samples.parquet"))
    assert len(entries) >= 3
    victim = entries[0]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    # make the build read its sources (through the parse cache) again
    for kind in ("builds", "facts", "facts-index", "sites"):
        shutil.rmtree(project / ".sentinel/cache" / kind)
    result, messages = build(project, site)
    assert len(reads(messages)) == 1, messages  # only the damaged entry's source is parsed again
    assert files_under(site) == before
    assert victim.is_file() and victim.stat().st_size > 0
    _, messages = build(project, site)
    assert reads(messages) == []


def test_sources_read_back_from_the_parse_cache_are_not_checked_again(
    built: tuple[Path, Path, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sentinel_reports.project as project_module

    project, site, before = built
    checked: list[str] = []
    real = project_module.check_batch
    monkeypatch.setattr(
        project_module, "check_batch", lambda batch, path: (checked.append(path), real(batch, path))
    )
    for kind in ("builds", "facts", "facts-index", "sites"):
        shutil.rmtree(project / ".sentinel/cache" / kind, ignore_errors=True)
    result, messages = build(project, site)
    assert reads(messages) == [] and checked == [], (messages, checked)  # every batch passed when stored
    assert files_under(site) == before


def test_no_cache_is_a_cold_build_with_the_same_bytes(
    built: tuple[Path, Path, dict], module_tmp: Path
) -> None:
    project, site, before = built
    cache_before = stamps(project / ".sentinel")
    out = module_tmp / "no-cache-site"
    result = run_cli("build", "--project", str(project), "--out", str(out), "--no-cache")
    assert result.exit_code == 0, result.output
    assert "(3 rendered, 0 unchanged)" in result.output
    assert files_under(out) == before
    assert stamps(project / ".sentinel") == cache_before  # neither read nor written


def test_one_new_day_parses_only_the_new_file(built: tuple[Path, Path, dict], module_tmp: Path) -> None:
    source, _, before = built
    project = module_tmp / "new-day-parse"
    shutil.copytree(source, project)
    add_late_bill(project)
    result, messages = build(project, module_tmp / "new-day-parse-site", only="brief")
    assert reads(messages) == ["reading focus-5 (focus): 1 new or changed file"], messages
    assert result.weeks == ["2026-W45", "2026-W46", "2026-W47"]  # type: ignore[attr-defined]


def add_late_bill(project: Path) -> None:
    """One more FOCUS file with a day inside the last week (the bill of 2026-11-21 arrives late)."""
    bill = gzip.decompress(next((project / "data/billing").glob("*.csv.gz")).read_bytes()).decode()
    header, *rows = bill.splitlines()
    period = "2026-11-03T00:00:00Z,2026-11-02T00:00:00Z"  # ChargePeriodEnd, ChargePeriodStart
    day = [r.replace(period, "2026-11-22T00:00:00Z,2026-11-21T00:00:00Z") for r in rows[:4] if period in r]
    assert len(day) >= 3
    (project / "data/billing/focus_2026-11-22.csv.gz").write_bytes(
        gzip.compress(("\n".join([header, *day]) + "\n").encode(), mtime=0)
    )


def test_one_new_day_reparses_only_the_new_file(built: tuple[Path, Path, dict], module_tmp: Path) -> None:
    """A late bill re-reads only its own file (every other source comes from the parse cache) and reaches
    the latest week. Every week's pages are re-rendered, because each brief states the as-of time and
    lists every input file: see docs/integrity.md."""
    source, _, before = built
    project = module_tmp / "new-day"
    shutil.copytree(source, project)
    site = module_tmp / "new-day-site"
    shutil.copytree(module_tmp / "site", site, copy_function=os.link)
    add_late_bill(project)
    result, messages = build(project, site, only="brief")
    assert reads(messages) == ["reading focus-5 (focus): 1 new or changed file"], messages
    assert "2026-W47" in result.rendered_weeks  # type: ignore[attr-defined]
    after = files_under(site)
    assert after["evidence/2026-W47/facts.json"] != before["evidence/2026-W47/facts.json"]


def add_next_bill(project: Path) -> Path:
    """A FOCUS file that sorts after the existing one, holding the charges of the day after the last."""
    bill = gzip.decompress(next((project / "data/billing").glob("*.csv.gz")).read_bytes()).decode()
    header, *rows = bill.splitlines()
    period = "2026-11-23T00:00:00Z,2026-11-22T00:00:00Z"  # ChargePeriodEnd, ChargePeriodStart
    day = [r.replace(period, "2026-11-24T00:00:00Z,2026-11-23T00:00:00Z") for r in rows if period in r]
    assert len(day) >= 3
    path = project / "data/billing/focus_2026-12.csv.gz"
    path.write_bytes(gzip.compress(("\n".join([header, *day]) + "\n").encode(), mtime=0))
    return path


def focus_entries(project: Path) -> list[Path]:
    return [
        p.parent
        for p in sorted((project / ".sentinel/cache/sources").glob("*/meta.json"))
        if "data/billing/" in p.read_text(encoding="utf-8")
    ]


def focus_parts(project: Path) -> dict[str, Path]:
    """The FOCUS source's cached per-file parts, by the path of the file each one sums."""
    out = {}
    for meta in sorted((project / ".sentinel/cache/parts").glob("*/meta.json")):
        path = json.loads(meta.read_text(encoding="utf-8"))["file"]["path"]
        if path.startswith("data/billing/"):
            out[path] = meta.parent
    return out


@pytest.fixture
def summed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the FOCUS collector reads and sums in this test (the cached parts are not)."""
    from sentinel_reports.collectors.focus import FocusCollector

    done: list[str] = []
    part = FocusCollector._part

    def counted(self, path, options, ctx, engine):  # type: ignore[no-untyped-def]
        done.append(ctx.relpath(path))
        return part(self, path, options, ctx, engine)

    monkeypatch.setattr(FocusCollector, "_part", counted)
    return done


def test_a_glob_source_gaining_a_file_reads_only_that_file(
    built: tuple[Path, Path, dict], module_tmp: Path, summed: list[str]
) -> None:
    """The new file alone is read and summed; the other file's partial ledger comes from the cache; the
    site is the one a build without any cache makes, and the new whole entry replaces the old one."""
    source, _, _ = built
    project = module_tmp / "appended"
    shutil.copytree(source, project)
    (base,) = focus_entries(project)
    (old_file,) = focus_parts(project)
    add_next_bill(project)
    result, messages = build(project, module_tmp / "appended-site")
    assert reads(messages) == ["reading focus-5 (focus): 1 new or changed file"], messages
    assert summed == ["data/billing/focus_2026-12.csv.gz"]
    assert str(result.as_of).startswith("2026-11-23")  # type: ignore[attr-defined]  # the new day is read
    (entry,) = focus_entries(project)
    assert entry != base and not base.exists()
    assert sorted(focus_parts(project)) == sorted([old_file, "data/billing/focus_2026-12.csv.gz"])
    build(project, module_tmp / "appended-cold", use_cache=False)
    assert files_under(module_tmp / "appended-site") == files_under(module_tmp / "appended-cold")
    _, messages = build(project, module_tmp / "appended-site")
    assert reads(messages) == []


def test_an_edited_file_is_the_only_one_summed_again(
    built: tuple[Path, Path, dict], module_tmp: Path, summed: list[str]
) -> None:
    """Editing a bill that already has a cached part re-reads that file only, replaces its part, and
    gives the site of a build without cache."""
    source, _, _ = built
    project = module_tmp / "edited"
    shutil.copytree(source, project)
    next_bill = add_next_bill(project)
    build(project, module_tmp / "edited-site", only="brief")
    before = focus_parts(project)
    assert len(before) == 2
    summed.clear()
    text = gzip.decompress(next_bill.read_bytes()).decode()
    header, first, *rest = text.splitlines()
    next_bill.write_bytes(
        gzip.compress(("\n".join([header, *rest]) + "\n").encode(), mtime=0)
    )  # a charge less
    _, messages = build(project, module_tmp / "edited-site", only="brief")
    assert reads(messages) == ["reading focus-5 (focus): 1 new or changed file"], messages
    assert summed == ["data/billing/focus_2026-12.csv.gz"]
    after = focus_parts(project)
    assert after.keys() == before.keys()
    assert after["data/billing/focus_2026-12.csv.gz"] != before["data/billing/focus_2026-12.csv.gz"]
    assert not before["data/billing/focus_2026-12.csv.gz"].exists()  # the edited file's old part is gone
    old = [p for p in before if p != "data/billing/focus_2026-12.csv.gz"]
    assert [after[p] for p in old] == [before[p] for p in old]  # the other part is kept as it was
    build(project, module_tmp / "edited-cold", only="brief", use_cache=False)
    assert files_under(module_tmp / "edited-site") == files_under(module_tmp / "edited-cold")


def test_a_deleted_file_drops_its_charges(
    built: tuple[Path, Path, dict], module_tmp: Path, summed: list[str]
) -> None:
    """Deleting a bill reads nothing: the remaining files' parts are merged again without its charges,
    its part is removed, and the site is the one a build without cache makes."""
    source, _, _ = built
    project = module_tmp / "deleted"
    shutil.copytree(source, project)
    next_bill = add_next_bill(project)
    build(project, module_tmp / "deleted-site", only="brief")
    listed = [k for k, v in files_under(module_tmp / "deleted-site").items() if b"focus_2026-12.csv.gz" in v]
    assert listed  # the bill's file is among the inputs of what was built
    assert len(focus_parts(project)) == 2
    summed.clear()
    next_bill.unlink()
    for kind in (
        "builds",
        "facts",
        "facts-index",
        "sites",
    ):  # else the facts of these inputs, built before, are reused
        shutil.rmtree(project / ".sentinel/cache" / kind, ignore_errors=True)
    _, messages = build(project, module_tmp / "deleted-site", only="brief")
    assert reads(messages) == ["reading focus-5 (focus): no new or changed file"], messages
    assert summed == []
    assert list(focus_parts(project)) != [] and "data/billing/focus_2026-12.csv.gz" not in focus_parts(
        project
    )
    site = files_under(module_tmp / "deleted-site")
    assert not [k for k in listed if b"focus_2026-12.csv.gz" in site.get(k, b"")]  # nor its charges
    build(project, module_tmp / "deleted-cold", only="brief", use_cache=False)
    assert files_under(module_tmp / "deleted-site") == files_under(module_tmp / "deleted-cold")


def test_a_damaged_part_is_read_again(
    built: tuple[Path, Path, dict], module_tmp: Path, summed: list[str]
) -> None:
    """A truncated part (and a damaged whole entry) is detected by its hash: that file is read again,
    and the output is the one a build without cache makes."""
    source, _, _ = built
    project = module_tmp / "damaged-part"
    shutil.copytree(source, project)
    (base,) = focus_entries(project)
    costs = base / "costs.parquet"
    costs.write_bytes(costs.read_bytes()[: costs.stat().st_size // 2])
    ((old_file, part),) = focus_parts(project).items()
    data = part / "part.parquet"
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    add_next_bill(project)
    _, messages = build(project, module_tmp / "damaged-part-site", only="brief")
    assert reads(messages) == ["reading focus-5 (focus): 1 new or changed file"], messages  # as counted
    assert sorted(summed) == sorted([old_file, "data/billing/focus_2026-12.csv.gz"])  # the damage is found
    assert not base.exists() and len(focus_entries(project)) == 1
    build(project, module_tmp / "damaged-part-cold", only="brief", use_cache=False)
    assert files_under(module_tmp / "damaged-part-site") == files_under(module_tmp / "damaged-part-cold")


def test_an_edited_meta_is_a_damaged_entry(built: tuple[Path, Path, dict], module_tmp: Path) -> None:
    source, _, _ = built
    project = module_tmp / "edited-meta"
    shutil.copytree(source, project)
    (base,) = focus_entries(project)
    meta = base / "meta.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"rows": ', '"rows": 1'), encoding="utf-8")
    # make the build read its sources again (earlier tests of this module may have dropped some of these)
    for kind in ("builds", "facts", "facts-index", "sites"):
        shutil.rmtree(project / ".sentinel/cache" / kind, ignore_errors=True)
    _, messages = build(project, module_tmp / "edited-meta-site")
    assert reads(messages) == ["reading focus-5 (focus): no new or changed file"], messages  # parts kept
