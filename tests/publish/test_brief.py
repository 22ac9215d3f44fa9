"""The published brief files: the PDF read back with pypdf, the .eml parsed with the email package, and the
page cache that lets an unchanged week skip rendering."""

from __future__ import annotations

import email
import io
import json
from email import policy
from pathlib import Path

import pytest
from pypdf import PdfReader

from sentinel_reports.analysis.facts_model import facts_from_dict
from sentinel_reports.config import load_config
from sentinel_reports.narrative.template import narrate_week
from sentinel_reports.publications import BRIEF_FILES as FILES
from sentinel_reports.publications import Brief, produce
from sentinel_reports.publish.brief import describe_message, email_message
from sentinel_reports.render.brief import SECTIONS
from sentinel_reports.render.markdown import strip_markdown_emphasis
from sentinel_reports.session import Session


def _facts(site: Path, week: str) -> dict:
    return json.loads((site / "evidence" / week / "facts.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def latest(example_site):  # type: ignore[no-untyped-def]
    site, result = example_site
    week = result.weeks[-1]
    return site / "briefs" / week, _facts(site, week)


def _summary(facts: dict, project: Path) -> str:
    return narrate_week(facts_from_dict(facts), None, load_config(project)).summary_line


def test_every_week_has_every_file(example_site) -> None:  # type: ignore[no-untyped-def]
    site, result = example_site
    assert len(result.weeks) >= 2
    for week in result.weeks:
        for name in FILES:
            assert (site / "briefs" / week / name).stat().st_size > 0, (week, name)
        assert (site / "evidence" / week / "facts.json").is_file()


def test_pdf_holds_the_summary_line_and_every_section(latest, example_project: Path) -> None:  # type: ignore[no-untyped-def]
    folder, facts = latest
    reader = PdfReader(folder / "brief.pdf")
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    text = " ".join(pages)
    assert strip_markdown_emphasis(_summary(facts, example_project)) in text
    for _, heading, _ in SECTIONS:
        assert heading in text, heading
    first = pages[0]
    assert "Executive summary" in first and "Availability" in first.title() or "AVAILABILITY" in first
    assert f"page 1 / {len(pages)}" in first
    assert "Data as of" in first
    assert f"Weekly brief {facts['period']}" in pages[1]  # running header from page 2 on
    assert reader.metadata.title.endswith(f"Weekly brief {facts['period']}")


def test_email_is_mixed_related_alternative_with_resolved_images_and_the_pdf(
    latest, example_project: Path
) -> None:  # type: ignore[no-untyped-def]
    folder, facts = latest
    raw = (folder / "brief.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=policy.default)
    # the week first: a reader's inbox holds one brief a week, each with the same shape of summary line
    assert msg["Subject"] == f"Weekly brief {facts['period']} · " + strip_markdown_emphasis(
        _summary(facts, example_project)
    )
    assert msg.get_content_type() == "multipart/mixed"
    related, attachment = msg.get_payload()
    assert related.get_content_type() == "multipart/related"
    alternative, *images = related.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    html = alternative.get_payload()[1].get_content()
    assert images and all(i.get_content_type() == "image/png" for i in images)
    for image in images:
        cid = image["Content-ID"].strip("<>")
        assert f"cid:{cid}" in html
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"brief-{facts['period']}.pdf"
    assert attachment.get_content() == (folder / "brief.pdf").read_bytes()
    assert "<style" not in html and 'style="' in html  # CSS inlined for mail clients
    text = alternative.get_payload()[0].get_content()
    assert "EXECUTIVE SUMMARY" in text and "NEXT ACTIONS" in text


def test_dry_run_description_lists_parts(latest) -> None:  # type: ignore[no-untyped-def]
    folder, _ = latest
    raw = (folder / "brief.eml").read_bytes()
    lines = describe_message(email_message(raw), ["cfo@example.com"], len(raw))
    assert lines[1] == "To: cfo@example.com"
    assert any("application/pdf" in line for line in lines)


def test_unchanged_week_is_served_from_the_page_cache(example_site, example_project: Path) -> None:  # type: ignore[no-untyped-def]
    _site, result = example_site
    week = result.weeks[-1]

    def produced(links: dict) -> bool:
        session = Session(example_project)  # a later command: a new session on the same store
        brief = Brief(session, week, history=[], links=links)
        ((_, files, rendered),) = produce(session, [brief])
        assert set(brief.by_name(files)) == set(FILES)
        return rendered

    first = produced({"status": True, "decks": True})  # links no site build uses: not in the store yet
    assert first is True
    assert produced({"status": True, "decks": True}) is False
    assert produced({"status": False, "decks": True}) is True  # what the page links to is part of the key


def test_pdf_dates_come_from_as_of_not_the_clock(latest) -> None:  # type: ignore[no-untyped-def]
    folder, facts = latest
    reader = PdfReader(io.BytesIO((folder / "brief.pdf").read_bytes()))
    created = reader.metadata.creation_date
    assert created is not None and created.strftime("%Y-%m-%dT%H:%M") == facts["as_of"][:16]


def test_a_brief_render_leaves_the_collector_as_it_found_it(
    latest, example_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The render freezes what existed before it (so its collections skip it) and thaws it at its end, on
    success and on a refused narrative alike; the files are the build's."""
    import gc

    from sentinel_reports import publications
    from sentinel_reports.errors import VerificationError
    from sentinel_reports.pipeline import load_project

    folder, facts_dict = latest
    config = load_project(example_project)
    facts = facts_from_dict(facts_dict)
    narrative = narrate_week(facts, None, config)
    publications._brief_init(example_project / "templates", None, config)
    history = []  # the build's history only feeds the charts: compare the files that do not draw them
    links = {"status": (folder.parent.parent / "status/index.html").is_file(), "decks": False}
    assert gc.get_freeze_count() == 0
    files, cpu = publications._render_brief((facts, narrative, history, links, False))
    assert gc.get_freeze_count() == 0
    assert set(cpu) == {"review", "HTML and charts", "PDF", "email"}
    assert files["showback.csv"] == (folder / "showback.csv").read_bytes()
    assert PdfReader(io.BytesIO(files["brief.pdf"])).pages
    monkeypatch.setattr(publications, "review_narrative", lambda facts, narrative: ["a refused number"])
    with pytest.raises(VerificationError):
        publications._render_brief((facts, narrative, history, links, False))
    assert gc.get_freeze_count() == 0
