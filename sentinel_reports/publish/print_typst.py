"""The brief's print edition laid out by Typst instead of WeasyPrint: the same print HTML, the same words.

    pdf = print_pdf(html, as_of=as_of, title=title, paper="A4", author=..., page_path=..., link_base=...)
    source = typst_source(html, title=title, paper="A4", page_path=..., link_base=...)   raises Unsupported

``render.brief`` writes the print edition as HTML (``pdf_html``); WeasyPrint lays it out in about 0.1 CPU-s
a page, most of a brief's cost. Typst lays out the same content in a tenth of that. This module reads the
print HTML (lxml) and writes it (``typst_blocks``, ``typst_inline``, ``typst_text``) as calls of the functions
in ``theme/brief_print.typ``, which follows
``static/brief-print.css``: every piece of text becomes a Typst *string literal*, so no input (a component
name, a narrative line, a hostile file) is ever read as Typst markup or code.

It reads the vocabulary of the theme's own templates (brief.html, brief_macros.html, macros.html,
base.html): their elements and classes. Anything else (an element or class it does not know, an image
other than an inline SVG) raises ``Unsupported`` and the caller renders that PDF with WeasyPrint, as it
does when the project overrides one of those templates or the print stylesheet (``typst_applies``): a
PDF never loses what its HTML says. Text hidden in print (``visually-hidden``, ``chart-text``, the
site's navigation) is left out, as the stylesheet hides it.

Links into the site are rewritten as for WeasyPrint (``publish.links.in_site_link``): ``<site.base_url>/<path>``
or, without a base URL, the path relative to the PDF; a link outside the site (or to a place on the same
page) keeps its text and loses the link.

The PDF is tagged (headings, paragraphs, tables with header rows, images with their text alternative),
carries the title, author, language and as-of date, and is the same bytes for the same HTML.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from lxml.etree import _Element

from ..errors import PublishError
from ..render.environment import THEME_DIR
from .typst_blocks import BlockWriter
from .typst_text import SPACE, Unsupported, lit

__all__ = [
    "Unsupported", "compile_pdf", "lit", "pdf_or_weasyprint", "print_pdf", "typst_applies", "typst_source", "warm_up",
]  # fmt: skip

log = logging.getLogger(__name__)

TEMPLATE = THEME_DIR / "brief_print.typ"
PAPERS = {"A4": "a4", "Letter": "us-letter"}
OVERRIDDEN_BY = ("brief.html", "brief_macros.html", "macros.html", "base.html", "static/brief-print.css")
"""A project template that changes the print HTML or its styling: its PDFs are laid out by WeasyPrint."""


def typst_applies(project_templates: Path | None, overridden_by: Sequence[str] = OVERRIDDEN_BY) -> bool:
    """Whether a PDF may be laid out by Typst: the project overrides none of the templates that make or style
    its HTML (``overridden_by``: the print edition's by default, ``deck_typst.OVERRIDDEN_BY`` for a deck)."""
    if project_templates is None:
        return True
    root = Path(project_templates)
    return not any((root / name).is_file() for name in overridden_by)


def pdf_or_weasyprint(
    typst: Callable[[], bytes] | None, html: str, base_url: Path, *, page_path: str, **meta: Any
) -> bytes:
    """The PDF ``typst`` lays out, or, when it is None (the project overrides the templates) or raises
    Unsupported, WeasyPrint's from the same HTML (``publish.pdf.html_to_pdf`` with ``meta``)."""
    if typst is not None:
        try:
            return typst()
        except Unsupported as exc:
            log.info("%s: laid out by WeasyPrint (%s)", page_path, exc)
    from .pdf import html_to_pdf  # WeasyPrint takes about a second to import: only on use

    return html_to_pdf(html, base_url, page_path=page_path, **meta)


def _texts(root: _Element, cls: str) -> str:
    found = root.find_class(cls)
    return SPACE.sub(" ", found[0].text_content()).strip() if found else ""


def typst_source(
    html: str, *, title: str, author: str = "", paper: str = "A4", page_path: str | None = None,
    link_base: str | None = None,
) -> str:  # fmt: skip
    """The Typst document of a print page (the template, then the page's content); raises Unsupported."""
    if paper not in PAPERS:
        raise PublishError(f"unknown paper size {paper!r} (expected A4 or Letter)")
    root = lxml_html.document_fromstring(html)
    body = root.find("body")
    if body is None:
        raise Unsupported("a page without a body")
    writer = BlockWriter(page_path, link_base)
    header, footer = _texts(root, "running-header"), _texts(root, "as-of-string")
    try:
        blocks = writer.blocks(body)
    except RecursionError:  # markup nested deeper than a page of the theme ever is
        raise Unsupported("markup nested too deeply") from None
    lines = [
        TEMPLATE.read_text(encoding="utf-8"),
        f"#show: brief.with(title: {lit(title)}, author: {lit(author)}, header: {lit(header)}, "
        f"footer: {lit(footer)}, paper: {lit(PAPERS[paper])})",
        *(f"#{{ {b} }}" for b in blocks),
    ]
    return "\n".join(lines) + "\n"


def print_pdf(
    html: str, *, as_of: dt.datetime, title: str, paper: str = "A4", author: str | None = None,
    page_path: str | None = None, link_base: str | None = None,
) -> bytes:  # fmt: skip
    """The PDF of a print page laid out by Typst; raises Unsupported for HTML it does not know."""
    source = typst_source(html, title=title, author=author or "", paper=paper, page_path=page_path,
                          link_base=link_base)  # fmt: skip
    return compile_pdf(source, as_of)


STARTED = False  # Typst has compiled in this process: no fork (workers.fork_safe)
_COMPILER: list[Any] = []


def compile_pdf(source: str, as_of: dt.datetime) -> bytes:
    """PDF bytes of a Typst document, dated ``as_of`` (the same bytes for the same source), tagged to PDF/UA-1;
    a document Typst refuses (a fault of this module or the template, never of the data, which arrives as
    string literals) raises Unsupported, so WeasyPrint lays out that PDF. One compiler per process: the
    system fonts are found once."""
    try:
        import typst
    except ImportError as exc:  # a platform without the typst wheel: WeasyPrint lays out every PDF
        raise Unsupported(f"Typst is not available ({exc})") from None

    global STARTED
    STARTED = True
    if not _COMPILER:
        _COMPILER.append(typst.Compiler(root=str(THEME_DIR)))
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=dt.UTC)
    try:
        out = _COMPILER[0].compile(
            input=source.encode("utf-8"),
            format="pdf",
            timestamp=int(as_of.timestamp()),
            pdf_standards=["ua-1"],
        )
    except typst.TypstError as exc:  # a fault of this module or of the template, not of the input
        log.warning("the print layout (Typst) failed, WeasyPrint lays out this PDF: %s", exc.message)
        raise Unsupported(f"Typst: {exc.message}") from None
    if not isinstance(out, bytes):
        raise Unsupported("Typst returned no document")
    return out


def warm_up() -> None:
    """Compile a one-line document, so a render worker's first brief does not find the fonts."""
    compile_pdf('#set document(title: "warm-up")\n#set text(lang: "en")\nSentinel\n', dt.datetime(2026, 1, 1))
