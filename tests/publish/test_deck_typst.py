"""The quarterly deck's PDF laid out by Typst (publish.deck_typst): one page per slide for every demo quarter,
every character a reader sees on the slides inside its page (a slide too full is set smaller, never cut off),
and WeasyPrint where the layout cannot hold a slide or the project overrides the deck's template or style."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html
from pypdf import PdfReader

from sentinel_reports.publish.deck import deck_files, deck_pdf_of
from sentinel_reports.publish.deck_typst import OVERRIDDEN_BY, deck_pdf
from sentinel_reports.publish.print_typst import typst_applies
from sentinel_reports.publish.typst_text import Unsupported
from sentinel_reports.render.environment import make_environment

from .test_print_typst import characters

AS_OF = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
HIDDEN = {"visually-hidden", "notes", "deck-foot", "skip-link"}  # what deck.css hides in print
QUARTERS = ("2026-Q2", "2026-Q3", "2026-Q4")


@pytest.fixture(scope="module")
def decks(demo_project):  # type: ignore[no-untyped-def]
    """(quarter, deck HTML, its PDF as built) of every demo quarter."""
    env = make_environment(None)
    out = []
    for quarter in QUARTERS:
        files = deck_files(demo_project, quarter, env, formats=("html", "pdf"))
        out.append((quarter, files["index.html"].decode("utf-8"), files["deck.pdf"]))
    return out


def visible_text(html: str) -> str:
    """The slides' text as a reader sees it, read from the HTML: the hidden parts left out, and each chart's
    drawn text (its SVG ``<text>``) in."""
    charts = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", html, re.DOTALL)]
    root = lxml_html.document_fromstring(re.sub(r"<svg\b.*?</svg>", "", html, flags=re.DOTALL))
    for el in list(root.iter()):
        if isinstance(el.tag, str) and (
            el.tag in ("head", "script", "style") or set((el.get("class") or "").split()) & HIDDEN
        ):
            el.drop_tree()
    return root.find("body").text_content() + " ".join(
        lxml_html.fromstring(f"<p>{c}</p>").text_content() for c in charts
    )


def slide_texts(html: str) -> list[str]:
    """Each slide's visible text, in order."""
    chunks = re.split(r'<section class="frame"[^>]*>', html)[1:]
    return [visible_text(f"<html><body>{chunk}</body></html>") for chunk in chunks]


def page_words(pdf: bytes, tmp: Path) -> tuple[list[str], int]:
    """Each page's words (poppler), and how many words lie outside their page."""
    path = tmp / "deck.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages, outside = [], 0
    for width, height, body in re.findall(
        r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.DOTALL
    ):
        words = []
        for *box, word in re.findall(
            r'xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)<', body
        ):
            x0, y0, x1, y1 = map(float, box)
            outside += x0 < 0 or y0 < 0 or x1 > float(width) + 0.5 or y1 > float(height) + 0.5
            words.append(lxml_html.fromstring(f"<p>{word}</p>").text_content() if word.strip() else "")
        pages.append(" ".join(words))
    return pages, outside


def test_every_quarter_is_one_page_a_slide_laid_out_by_typst(decks) -> None:  # type: ignore[no-untyped-def]
    for quarter, html, pdf in decks:
        reader = PdfReader(io.BytesIO(pdf))
        assert reader.metadata["/Creator"].startswith("Typst"), quarter
        assert len(reader.pages) == html.count('class="frame"'), quarter
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/Lang"] == "en"


def test_every_visible_character_is_on_its_slides_page(decks, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What a slide says is all on its own page: a slide too full for it (2026-Q4's segment slide) is set
    smaller, where the stylesheet's layout ran its end onto the next slide's page."""
    for quarter, html, pdf in decks:
        pages, outside = page_words(pdf, tmp_path)
        slides = slide_texts(html)
        assert len(pages) == len(slides), quarter
        for n, (page, slide) in enumerate(zip(pages, slides, strict=True), start=1):
            expected, found = characters(slide), characters(page)
            assert not expected - found, (quarter, n, expected - found)
            assert not found - expected, (quarter, n, found - expected)
        assert outside == 0, quarter


def test_a_slide_that_cannot_fit_goes_to_weasyprint(decks, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, html, _ = decks[-1]
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.DOTALL)
    assert row is not None
    crowded = html.replace(row.group(0), row.group(0) * 60, 1)
    with pytest.raises(Unsupported, match="overflows"):
        deck_pdf(crowded, as_of=AS_OF, title="Deck")
    pdf = deck_pdf_of(crowded, tmp_path, tmp_path, as_of=AS_OF, title="Deck", author=None, page_path="decks/x/deck.pdf",
                      link_base=None)  # fmt: skip
    assert PdfReader(io.BytesIO(pdf)).metadata["/Producer"].startswith("WeasyPrint")


@pytest.mark.parametrize("name", ["deck.html", "static/deck.css"])
def test_a_project_overriding_the_deck_templates_gets_weasyprint(decks, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    _, html, _ = decks[-1]
    assert typst_applies(tmp_path, OVERRIDDEN_BY)
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text("/* the project's own */\n", encoding="utf-8")
    assert not typst_applies(tmp_path, OVERRIDDEN_BY)
    pdf = deck_pdf_of(html, tmp_path, tmp_path, as_of=AS_OF, title="Deck", author=None, page_path="decks/x/deck.pdf",
                      link_base=None)  # fmt: skip
    assert PdfReader(io.BytesIO(pdf)).metadata["/Producer"].startswith("WeasyPrint")


def test_a_table_without_header_has_as_many_columns_as_its_rows_have_cells() -> None:
    """A terms table (no header row) whose texts hold commas is laid out in its two columns."""
    from sentinel_reports.publish.deck_typst import DeckWriter

    table = lxml_html.fragment_fromstring(
        '<table class="deck-table deck-table-terms normal"><tbody>'
        '<tr><th scope="row">Likelihood</th><td>Low: exporters read metrics, not requests, at 1, 2, 3</td></tr>'
        '<tr><th scope="row">Impact</th><td>Minor, brief, contained</td></tr></tbody></table>'
    )
    source = DeckWriter([], None, None).table(table, "recommendation")
    assert source.startswith("deck-table(columns: (1fr, 1fr, ), header: none,")
