"""Deterministic builds: the same inputs and --as-of give the same bytes, whoever builds them, where and when.

Two copies of one project, in different folders under different names, are built cold (no cache) into
different output folders: one in-process, one as a separate `sentinel build` process with another
timezone, locale, hash seed and working directory. Every file of the two sites must be byte-identical,
PDF and PPTX included (their dates come from --as-of; see docs/integrity.md for the fields involved).
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sentinel_reports.analysis.periods import parse_period
from tests.integrity import hostile_corpus as hc
from tests.integrity.conftest import files_under, run_cli

AS_OF = "2026-11-22T18:00:00Z"
PACKAGE = Path(__file__).resolve().parents[2] / "sentinel_reports"
SENTINEL = Path(sys.executable).with_name("sentinel")


@pytest.fixture(scope="module")
def twin_sites(module_tmp: Path) -> tuple[Path, Path]:
    a = hc.new_project(module_tmp / "first" / "project")
    b = module_tmp / "elsewhere" / "a-different-name"
    shutil.copytree(a, b)
    site_a, site_b = module_tmp / "first" / "site", module_tmp / "out-b"
    result = run_cli("build", "--project", str(a), "--out", str(site_a), "--as-of", AS_OF, "--no-cache")
    assert result.exit_code == 0, result.output
    env = {**os.environ, "TZ": "Pacific/Chatham", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    env |= {"PYTHONHASHSEED": "12345", "SOURCE_DATE_EPOCH": ""}
    done = subprocess.run(
        [str(SENTINEL), "--quiet", "build", "--project", str(b), "--out", str(site_b), "--as-of", AS_OF],
        cwd=module_tmp, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return site_a, site_b


def test_every_file_is_byte_identical(twin_sites: tuple[Path, Path]) -> None:
    a, b = (files_under(s) for s in twin_sites)
    assert sorted(a) == sorted(b)
    kinds = {Path(p).suffix for p in a}
    assert {".html", ".json", ".md", ".svg", ".csv", ".atom", ".eml", ".pdf", ".pptx"} <= kinds
    assert [p for p in sorted(a) if a[p] != b[p]] == []


def test_no_absolute_path_or_build_folder_leaks_into_the_site(twin_sites: tuple[Path, Path]) -> None:
    for site in twin_sites:
        root = str(site.parent.parent)
        leaked = [p for p, data in files_under(site).items() if root.encode() in data]
        assert leaked == []


def test_pdf_dates_come_from_as_of(twin_sites: tuple[Path, Path]) -> None:
    from pypdf import PdfReader

    pdfs = sorted(twin_sites[0].rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        meta = PdfReader(pdf).metadata
        # a brief is dated at its week's as-of: the week's end for a closed week (reported as it closed)
        kind = "quarter" if pdf.parent.parent.name == "decks" else "week"
        period = parse_period(kind, pdf.parent.name, dt.UTC)
        stamp = min(period.end, dt.datetime.fromisoformat(AS_OF)).strftime("D:%Y%m%d%H%M%SZ")
        assert meta["/CreationDate"] == meta["/ModDate"] == stamp, pdf
        assert b"/ID" in pdf.read_bytes()  # derived from the content, identical across the twin builds


def test_pptx_dates_and_zip_entries_come_from_as_of(twin_sites: tuple[Path, Path]) -> None:
    decks = sorted(twin_sites[0].rglob("*.pptx"))
    assert decks
    for deck in decks:
        with zipfile.ZipFile(io.BytesIO(deck.read_bytes())) as z:
            assert {i.date_time for i in z.infolist()} == {(2026, 11, 22, 18, 0, 0)}
            core = z.read("docProps/core.xml").decode("utf-8")
        for tag in ("dcterms:created", "dcterms:modified"):
            assert f'W3CDTF">2026-11-22T18:00:00Z</{tag}>' in core, core


def test_manifest_has_no_wall_clock_and_honours_source_date_epoch(module_tmp: Path) -> None:
    project = hc.new_project(module_tmp / "sde")
    out = module_tmp / "sde-site"
    base = ["build", "--project", str(project), "--out", str(out), "--only", "status", "--as-of", AS_OF]
    assert run_cli(*base).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build"] == {} and manifest["as_of"] == "2026-11-22T18:00:00Z"
    assert run_cli(*base, env={"SOURCE_DATE_EPOCH": "1795388400"}).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build"] == {"source_date_epoch": 1795388400}
    bad = run_cli(*base, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.exit_code == 2 and "SOURCE_DATE_EPOCH" in bad.output


# -- no wall clock below the CLI -----------------------------------------------------------------------

CLOCK_ATTRS = {"now", "today", "utcnow", "time_ns"}
CLOCK_TIME_FUNCS = {"time", "localtime", "gmtime", "ctime", "asctime", "strftime"}
NOW_STRINGS = {"now", "today", "utcnow"}


def clock_calls(source: str) -> list[str]:
    """Calls that read the wall clock: x.now(), x.today(), x.utcnow(), time.time(), time.localtime() with no
    argument, and pd.Timestamp("now") / pd.to_datetime("today") / np.datetime64("now")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if name in CLOCK_ATTRS or (owner == "time" and name in CLOCK_TIME_FUNCS and not node.args[1:]):
            if not (owner == "time" and name in ("localtime", "gmtime", "ctime") and node.args):
                found.append(f"line {node.lineno}: {owner + '.' if owner else ''}{name}()")
        if any(isinstance(a, ast.Constant) and a.value in NOW_STRINGS for a in node.args):
            found.append(f"line {node.lineno}: {name}({node.args[0].value!r})")  # type: ignore[attr-defined]
    return found


def test_clock_scanner_finds_what_it_should() -> None:
    source = (
        "import datetime as dt, time\nimport pandas as pd\n"
        "a = dt.datetime.now()\nb = dt.date.today()\nc = time.time()\nd = pd.Timestamp('now')\n"
        "e = time.gmtime(0)\nf = dt.datetime.utcnow()\ng = time.perf_counter()\n"
    )
    assert [f.split(":")[0] for f in clock_calls(source)] == [
        "line 3",
        "line 4",
        "line 5",
        "line 6",
        "line 8",
    ]


@pytest.mark.parametrize("package", ["analysis", "narrative", "render", "publish", "collectors"])
def test_no_wall_clock_below_the_cli(package: str) -> None:
    found = {
        path.relative_to(PACKAGE).as_posix(): calls
        for path in sorted((PACKAGE / package).rglob("*.py"))
        if (calls := clock_calls(path.read_text(encoding="utf-8")))
    }
    assert found == {}
