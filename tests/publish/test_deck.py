"""Publishing the deck: one 16:9 PDF page per slide with its title (read back with pypdf), the site layout
under decks/<quarter>/, a failed verification that writes nothing, and `sentinel deck`."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from sentinel_reports.cli import app
from sentinel_reports.errors import UsageError, VerificationError
from sentinel_reports.publish.deck import deck_files, parse_formats, publish_decks
from sentinel_reports.publish.site import SiteWriter
from sentinel_reports.render.deck import build_deck
from sentinel_reports.render.environment import make_environment

REPO = Path(__file__).resolve().parents[2]
QUARTER = "2026-Q4"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def project(demo_project):  # type: ignore[no-untyped-def]
    return demo_project


@pytest.fixture(scope="module")
def quarter(project):
    from sentinel_reports.analysis.facts import quarter_facts
    from sentinel_reports.narrative.template import narrate_quarter

    facts = quarter_facts(project.dataset, project.content, project.config, QUARTER, project.as_of)
    deck = build_deck(facts, narrate_quarter(facts, project.content, project.config))
    files = deck_files(project, QUARTER, make_environment(None), facts=facts)
    return facts, deck, files


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("\u00ad", "").strip()


def test_pdf_has_one_16_9_page_per_slide_with_its_title(quarter) -> None:
    _, deck, files = quarter
    reader = pypdf.PdfReader(__import__("io").BytesIO(files["deck.pdf"]))
    assert len(reader.pages) == len(deck.slides)
    for page, s in zip(reader.pages, deck.slides, strict=True):
        assert float(page.mediabox.width) == pytest.approx(254 * MM, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(142.875 * MM, abs=0.5)
        assert _words(s.title) in _words(page.extract_text()), s.key
    assert reader.metadata.title.startswith(deck.title)


def test_pdf_charts_are_vector_not_images(quarter) -> None:
    _, deck, files = quarter
    reader = pypdf.PdfReader(__import__("io").BytesIO(files["deck.pdf"]))
    charted = [i for i, s in enumerate(deck.slides) if s.chart is not None]
    assert charted
    for i in charted:
        assert not reader.pages[i].images
        assert "Budget exhausted" in reader.pages[charted[0]].extract_text()


def test_publish_decks_writes_each_format_under_decks_quarter(project, quarter, tmp_path: Path) -> None:
    facts, _, files = quarter
    out = tmp_path / "site"
    with SiteWriter(out) as site:
        entries = publish_decks(
            site, project, make_environment(None), quarters=[QUARTER], facts={QUARTER: facts},
            formats=("html", "pptx"),
        )  # fmt: skip
    assert entries == [
        {
            "period": QUARTER,
            "href": f"decks/{QUARTER}/index.html",
            "pdf": None,
            "pptx": f"decks/{QUARTER}/deck.pptx",
        }
    ]
    assert (out / f"decks/{QUARTER}/index.html").read_bytes() == files["index.html"]
    assert (out / f"decks/{QUARTER}/deck.pptx").read_bytes() == files["deck.pptx"]
    assert not (out / f"decks/{QUARTER}/deck.pdf").exists()


def test_an_unverifiable_figure_fails_the_build_and_nothing_is_published(project, quarter, tmp_path) -> None:
    facts, _, _ = quarter
    from sentinel_reports.narrative.template import narrate_quarter

    def made_up(facts, content, config):
        narrative = narrate_quarter(facts, content, config)
        line = re.sub(r"remaining: [^|]+\|", "remaining: 97.3% |", narrative.summary_line)
        return dataclasses.replace(narrative, summary_line=line)

    out = tmp_path / "site"
    with pytest.raises(VerificationError, match="97.3%"), SiteWriter(out) as site:
        publish_decks(site, project, make_environment(None), quarters=[QUARTER], facts={QUARTER: facts},
                      narrate=made_up, formats=("html",))  # fmt: skip
    assert not out.exists()


def test_formats_are_parsed_and_unknown_ones_are_usage_errors() -> None:
    assert parse_formats("pptx, html") == ("html", "pptx")
    with pytest.raises(UsageError, match="docx"):
        parse_formats("html,docx")


def test_cli_deck_writes_the_requested_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["deck", "--quarter", QUARTER, "--format", "html", "--project", str(REPO), "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "index.html").is_file() and not (tmp_path / "deck.pdf").exists()
    missing = runner.invoke(
        app, ["deck", "--quarter", "2019-Q1", "--project", str(REPO), "--out", str(tmp_path)]
    )
    assert missing.exit_code == 2 and "2019-Q1" in missing.output
