"""The brief's PDF laid out by Typst (publish.print_typst): the same words as its print HTML, tagged, dated
from as-of, the same bytes twice, no input read as Typst code, and WeasyPrint wherever the HTML or the
project's templates are not what the Typst layout knows."""

from __future__ import annotations

import base64
import collections
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
import typst
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader

from sentinel_reports.analysis.facts_model import facts_from_dict
from sentinel_reports.config import load_config
from sentinel_reports.errors import PublishError
from sentinel_reports.narrative.template import narrate_week
from sentinel_reports.publish import print_typst
from sentinel_reports.publish.brief import print_edition
from sentinel_reports.render.brief import render_brief
from sentinel_reports.render.charts import ChartRenderer
from sentinel_reports.render.environment import make_environment
from tests.fuzzing import examples

from .test_brief import _facts

AS_OF = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
# what brief-print.css hides in print (display: none, or visually hidden), by class
HIDDEN = {"visually-hidden", "chart-text", "skip-link", "site-header", "site-footer", "toc", "page-nav",
          "running-header", "as-of-string"}  # fmt: skip


def visible_text(html: str) -> str:
    """The text a reader of the print page sees, read from the HTML independently of the converter: the
    elements the print stylesheet shows, and the text drawn in the charts (their SVG ``<text>``)."""
    root = lxml_html.document_fromstring(html)
    charts = []
    for img in root.iter("img"):
        src = img.get("src") or ""
        if src.startswith("data:image/svg+xml;base64,"):
            svg = etree.fromstring(base64.b64decode(src.split(",", 1)[1]))
            charts += [t.xpath("string()") for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("head", "nav", "style", "title") or set((el.get("class") or "").split()) & HIDDEN:
            el.drop_tree()
    return root.find("body").text_content() + " ".join(charts)


def pdf_text(pdf: bytes, html: str = "") -> str:
    """The PDF's text (pypdf, which keeps a hyphen at a line's end), without the page numbers, the footer
    (the as-of line, on every page) and the running header (from page 2), as the print HTML gives them."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    text = re.sub(r"page \d+ / \d+", " ", "\n".join(page.extract_text() for page in pages))
    if html:
        root = lxml_html.document_fromstring(html)
        for cls, times in (("as-of-string", len(pages)), ("running-header", len(pages) - 1)):
            (line,) = root.find_class(cls)
            assert text.count(line.text_content()) >= times, cls
            text = text.replace(line.text_content(), " ", times)
    return text


def characters(text: str) -> collections.Counter[str]:
    """The characters of a text, whitespace and the invisible break marks of a table's narrow columns (soft
    hyphen, zero-width space) left out."""
    return collections.Counter("".join(text.casefold().split()).replace("\u00ad", "").replace("\u200b", ""))


@pytest.fixture(scope="module")
def weeks(example_site, example_project: Path):  # type: ignore[no-untyped-def]
    """(week, print HTML) of every week of the example site."""
    site, result = example_site
    config = load_config(example_project)
    env, renderer = make_environment(), ChartRenderer()
    out = []
    for week in result.weeks:
        facts = facts_from_dict(_facts(site, week))
        brief = render_brief(env, facts, narrate_week(facts, None, config), config, renderer=renderer,
                             links={"status": True})  # fmt: skip
        out.append((week, brief.pdf_html))
    return out


def _typst(html: str, **kw: object) -> bytes:
    return print_typst.print_pdf(html, as_of=AS_OF, title="Acme · Weekly brief", author="Sentinel Reports",
                                 page_path="briefs/2026-W47/brief.pdf", **kw)  # type: ignore[arg-type]  # fmt: skip


def test_every_week_prints_every_visible_character_of_its_print_html(weeks) -> None:  # type: ignore[no-untyped-def]
    """Nothing visible is lost; what the PDF adds is only a list's bullets, a table's header row repeated
    where the table continues on the next page, and the hyphen of a word broken in a narrow column."""
    for week, html in weeks:
        pdf = _typst(html)
        expected, found = characters(visible_text(html)), characters(pdf_text(pdf, html))
        assert not expected - found, (week, expected - found)
        root = lxml_html.document_fromstring(html)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        repeats = characters(" ".join(head.text_content() for head in root.iter("thead")) * pages)
        bullets = collections.Counter({"•": sum(1 for _ in root.iter("li"))})
        hyphens = collections.Counter({"-": (found - expected)["-"]})  # where a narrow column broke a word
        assert not (found - expected) - repeats - bullets - hyphens, (week, found - expected)


def test_the_built_site_lays_out_its_briefs_with_typst(example_site) -> None:  # type: ignore[no-untyped-def]
    site, result = example_site
    for week in result.weeks:
        meta = PdfReader(site / "briefs" / week / "brief.pdf").metadata
        assert meta is not None and meta.get("/Creator", "").startswith("Typst"), week


def test_pdf_is_tagged_titled_dated_and_has_an_outline(weeks) -> None:  # type: ignore[no-untyped-def]
    week, html = weeks[-1]
    reader = PdfReader(io.BytesIO(_typst(html)))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    meta = reader.metadata
    assert meta is not None and meta.title == "Acme · Weekly brief" and meta.author == "Sentinel Reports"
    assert meta.creation_date == AS_OF

    def titles(outline: list) -> list[str]:
        return [t for item in outline for t in (titles(item) if isinstance(item, list) else [item.title])]

    assert titles(reader.outline)[0].startswith("2026-W")
    assert {"Executive summary", "Reliability", "Next Actions", "Appendix"} <= set(titles(reader.outline))
    assert f"page 1 / {len(reader.pages)}" in reader.pages[0].extract_text()
    header = " · Weekly brief 2026-W"
    assert header not in reader.pages[0].extract_text()  # the running header starts on page 2
    assert header in reader.pages[1].extract_text()


def test_two_layouts_are_byte_identical_and_letter_is_letter(weeks) -> None:  # type: ignore[no-untyped-def]
    _, html = weeks[-1]
    assert _typst(html) == _typst(html)
    page = PdfReader(io.BytesIO(_typst(html, paper="Letter"))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    with pytest.raises(PublishError, match="paper size"):
        _typst(html, paper="A3")


@pytest.mark.parametrize(
    "hostile",
    [
        '#panic("read as code")',
        '"); panic("closed the string',
        '\\"); panic("escaped") //',
        "*bold* _em_ `raw` $x$ <label> @ref = heading",
        "line\u2028separator\x07bell\u202eright-to-left",
    ],
)
def test_no_text_is_read_as_typst(hostile: str, tmp_path: Path) -> None:
    escaped = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = (
        '<html lang="en"><body><p class="running-header">Acme · Weekly brief 2026-W47 · Status: Healthy</p>'
        f"<h1>Brief</h1><h2>Reliability</h2><p>Component <strong>{escaped}</strong> ends here.</p>"
        f'<div class="table-wrap"><table class="data" id="table-x"><caption>{escaped}</caption>'
        f'<thead><tr><th scope="col">Name</th></tr></thead><tbody><tr><th scope="row">{escaped}</th></tr></tbody>'
        "</table></div></body></html>"
    )
    text = pdf_text(_typst(html))
    printable = "".join(ch for ch in hostile if ch.isprintable() and not ch.isspace())
    assert characters(text) == characters(
        f"Brief Reliability Component {printable} ends here. {printable} Name {printable}"
    )


def test_links_stay_in_the_site(tmp_path: Path) -> None:
    html = (
        '<html lang="en"><body><h1>Brief</h1><p>See <a href="../../evidence/2026-W47/facts.json">the evidence</a>, '
        '<a href="../../../../etc/passwd">outside</a>, <a href="#reliability">here</a> and '
        '<a href="https://example.com/runbook">the runbook</a>.</p></body></html>'
    )

    def links(**kw: object) -> list[str]:
        reader = PdfReader(io.BytesIO(_typst(html, **kw)))
        return [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])]

    assert links() == ["../../evidence/2026-W47/facts.json", "https://example.com/runbook"]
    assert links(link_base="https://reports.example.com/") == [
        "https://reports.example.com/evidence/2026-W47/facts.json", "https://example.com/runbook",
    ]  # fmt: skip
    assert "outside" in pdf_text(_typst(html)) and "here" in pdf_text(_typst(html))


def test_html_the_layout_does_not_know_goes_to_weasyprint(weeks) -> None:  # type: ignore[no-untyped-def]
    _, html = weeks[-1]
    odd = html.replace('<section id="summary"', '<video src="x.mp4"></video><section id="summary"', 1)
    with pytest.raises(print_typst.Unsupported, match="video"):
        _typst(odd)
    pdf = print_edition(odd, as_of=AS_OF, title="t", paper="A4", page_path="briefs/2026-W47/brief.pdf",
                        link_base=None, project_templates=None)  # fmt: skip
    assert PdfReader(io.BytesIO(pdf)).metadata["/Producer"].startswith("WeasyPrint")


@pytest.mark.parametrize("name", ["brief.html", "static/brief-print.css"])
def test_a_project_overriding_the_print_templates_gets_weasyprint(weeks, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    _, html = weeks[-1]
    assert print_typst.typst_applies(tmp_path)
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text("/* the project's own */\n", encoding="utf-8")
    assert not print_typst.typst_applies(tmp_path)
    pdf = print_edition(html, as_of=AS_OF, title="t", paper="A4", page_path="briefs/2026-W47/brief.pdf",
                        link_base=None, project_templates=tmp_path)  # fmt: skip
    assert PdfReader(io.BytesIO(pdf)).metadata["/Producer"].startswith("WeasyPrint")


@given(st.text(max_size=40))
@settings(max_examples=examples(120), deadline=None)
def test_a_string_literal_is_the_text_itself(text: str) -> None:
    """Typst reads every literal back as exactly its text, control characters (which draw nothing) left out:
    nothing of a text can end the literal and become code."""
    shown = "".join(
        ch for ch in text if ch in "\n\u2028\u2029" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0)
    )
    # a compiler evaluates one expression (typst-py 0.15 fails a second eval), and needs no fonts for it
    evaluator = typst.Compiler(b"", ignore_system_fonts=True)
    assert json.loads(evaluator.eval(print_typst.lit(text), format="json")) == shown
