"""The PPTX deck opened by a real office suite: LibreOffice Impress (headless) converts it to PDF, and the PDF
has one page per slide with every slide's title and the text of its native tables.

`make test` installs LibreOffice (Debian `libreoffice-impress`) and pdftotext (`poppler-utils`) when they are
missing; a missing one fails this test with the command to install it, it never skips.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from typer.testing import CliRunner

from sentinel_reports.cli import app


def _binary(*names: str, package: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        f"{names[0]} is missing; install it with `apt-get install -y {package}` (or `make system-deps`)"
    )


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _letters(text: str) -> str:
    """Text without spaces and hyphens: pdftotext joins a line that ends in a hyphen to the next one and
    drops the hyphen (``2026-12-`` / ``07`` reads ``2026-1207``)."""
    return re.sub(r"[\s-]+", "", text)


@pytest.fixture(scope="module")
def converted(example_project: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the PPTX `sentinel deck` wrote, the PDF LibreOffice made of it)."""
    soffice = _binary("soffice", "libreoffice", package="libreoffice-impress")
    work = tmp_path_factory.mktemp("libreoffice")
    quarter = "2026-Q4"
    result = CliRunner().invoke(
        app, ["--quiet", "deck", "-p", str(example_project), "--quarter", quarter, "--format", "pptx", "-o",
              str(work / "deck")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pptx = work / "deck" / "deck.pptx"
    profile = (work / "profile").as_uri()  # a private profile: parallel runs do not share one
    run = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(work / "pdf"), str(pptx)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    pdf = work / "pdf" / "deck.pdf"
    assert run.returncode == 0 and pdf.exists(), (run.stdout, run.stderr)
    return pptx, pdf


def _pages(pdf: Path) -> list[str]:
    pdftotext = _binary("pdftotext", package="poppler-utils")
    # reading order (no -layout): the text of a table cell stays together, wrapped lines and all
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, timeout=120)
    assert text.returncode == 0, text.stderr
    return text.stdout.split("\f")[:-1] if text.stdout.endswith("\f") else text.stdout.split("\f")


def test_libreoffice_renders_one_page_per_slide(converted: tuple[Path, Path]) -> None:
    pptx, pdf = converted
    slides = Presentation(str(pptx)).slides
    assert len(slides) >= 8
    assert len(_pages(pdf)) == len(slides)


def test_every_slide_title_and_table_cell_is_on_its_page(converted: tuple[Path, Path]) -> None:
    pptx, pdf = converted
    pages = [_words(page) for page in _pages(pdf)]
    tables = 0
    for number, (slide, page) in enumerate(zip(Presentation(str(pptx)).slides, pages, strict=True), start=1):
        title = _words(slide.shapes.title.text)
        assert title and title in page, (number, title, page[:300])
        for shape in slide.shapes:
            if not shape.has_table:
                continue
            tables += 1
            for row in shape.table.rows:
                for cell in row.cells:
                    text = _words(cell.text)
                    assert _letters(text) in _letters(page), (number, text)
    assert tables >= 2
