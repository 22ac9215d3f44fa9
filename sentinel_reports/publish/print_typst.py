"""The brief's print edition laid out by Typst instead of WeasyPrint: the same print HTML, the same words.

    pdf = print_pdf(html, as_of=as_of, title=title, paper="A4", author=..., page_path=..., link_base=...)
    source = typst_source(html, title=title, paper="A4", page_path=..., link_base=...)   raises Unsupported

``render.brief`` writes the print edition as HTML (``pdf_html``); WeasyPrint lays it out in about 0.1 CPU-s
a page, most of a brief's cost. Typst lays out the same content in a tenth of that. This module reads the
print HTML (lxml) and writes it as calls of the functions in ``theme/brief_print.typ``, which follows
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

import base64
import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html
from lxml.etree import _Element

from ..errors import PublishError
from ..render.environment import THEME_DIR
from .links import in_site_link

log = logging.getLogger(__name__)

TEMPLATE = THEME_DIR / "brief_print.typ"
PAPERS = {"A4": "a4", "Letter": "us-letter"}
OVERRIDDEN_BY = ("brief.html", "brief_macros.html", "macros.html", "base.html", "static/brief-print.css")
"""A project template that changes the print HTML or its styling: its PDFs are laid out by WeasyPrint."""

_SPACE = re.compile(r"[ \t\n\r\f]+")
_HIDDEN = {
    "visually-hidden", "chart-text", "skip-link", "site-header", "site-footer", "toc", "page-nav", "running-header",
    "as-of-string",
}  # fmt: skip
_STATES = {"operational", "degraded", "at_risk", "partial_outage", "major_outage", "maintenance", "no_data"}
_BREAK_AFTER = re.compile(r"(?<=[_/])(?=[^ ])")
_IDENTIFIER = re.compile(r"[-_/\d]")
_INLINE = {"strong", "b", "em", "i", "code", "a", "span", "br", "small", "abbr", "time", "sub", "sup"}


class Unsupported(Exception):
    """The HTML holds something this layout does not know: the caller uses WeasyPrint for this PDF."""


def typst_applies(project_templates: Path | None) -> bool:
    """Whether the print edition may be laid out by Typst: the project overrides none of the templates
    that make or style the print HTML (``OVERRIDDEN_BY``)."""
    if project_templates is None:
        return True
    root = Path(project_templates)
    return not any((root / name).is_file() for name in OVERRIDDEN_BY)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\u2028": "\\u{2028}", "\u2029": "\\u{2029}"}
_SPECIAL = re.compile(r'["\\\n\u2028\u2029\x00-\x1f\x7f-\x9f]')


def lit(text: str) -> str:
    """A Typst string literal: data, never markup or code. A control character draws nothing (nor does it in
    WeasyPrint), and PDF/UA refuses it: it is left out."""
    return '"' + _SPECIAL.sub(lambda m: _ESCAPES.get(m.group(), ""), text) + '"'


def seq(parts: Sequence[str]) -> str:
    """Typst content of several pieces (string literals and content expressions)."""
    parts = [p for p in parts if p]
    if not parts:
        return '""'
    if len(parts) == 1:
        return parts[0]
    return "(" + ", ".join(parts) + ").join()"


def _breakable(text: str) -> list[str]:
    """A table cell's text as Typst pieces. The template lets a narrow column hyphenate words; an identifier
    (a token holding "-", "_", "/" or a digit: an SLO, a model, a source) is never hyphenated, which would
    read as part of its name, and breaks only after its own "-", "_" or "/" (boxes split it after the last
    two, and add no character to the PDF's text), as CSS's overflow-wrap breaks it in the HTML."""
    out: list[str] = []
    plain: list[str] = []
    for token in text.split(" "):
        if not (_IDENTIFIER.search(token) and any(ch.isalpha() for ch in token)):  # a word, a figure
            plain.append(token)
            continue
        plain.append("")
        out.append(lit(" ".join(plain)))
        pieces = _BREAK_AFTER.split(token)
        body = seq([f"box({lit(p)})" for p in pieces]) if len(pieces) > 1 else lit(token)
        out.append(f"text(hyphenate: false, {body})")
        plain = [""]
    if plain != [""]:
        out.append(lit(" ".join(plain)))
    return [p for p in out if p != '""']


def _classes(el: _Element) -> set[str]:
    return set((el.get("class") or "").split())


def _state(classes: set[str]) -> str | None:
    for c in classes:
        if c.startswith("status-") and c[7:] in _STATES:
            return c[7:]
    return None


def _hidden(el: _Element) -> bool:
    return bool(_classes(el) & _HIDDEN) or el.tag in ("nav", "script", "style", "template")


class _Writer:
    def __init__(self, page_path: str | None, link_base: str | None) -> None:
        self.page_path = page_path
        self.link_base = link_base
        self.in_table = False  # a table's narrow columns may break an identifier after "_" or "/"

    # inline content -----------------------------------------------------------------------------------

    def inline(self, el: _Element, *, lead: bool = True) -> str:
        """The content of ``el``'s children and text, whitespace collapsed as HTML does."""
        pieces: list[tuple[str, str]] = []  # (kind, value): ("text", raw text) or ("code", typst)
        self._collect(el, pieces, with_tail=False)
        return self._join(pieces, lead=lead)

    def _collect(self, el: _Element, pieces: list[tuple[str, str]], *, with_tail: bool) -> None:
        if el.text:
            pieces.append(("text", el.text))
        for child in el:
            if not isinstance(child.tag, str):  # a comment
                if child.tail:
                    pieces.append(("text", child.tail))
                continue
            if not _hidden(child):
                pieces.append(("code", self.inline_element(child)))
            if child.tail:
                pieces.append(("text", child.tail))

    def _join(self, pieces: list[tuple[str, str]], *, lead: bool = True) -> str:
        out: list[str] = []
        text: list[str] = []
        space_before = not lead

        def flush() -> None:
            nonlocal space_before
            if not text:
                return
            raw = _SPACE.sub(" ", "".join(text))
            if space_before and raw.startswith(" "):
                raw = raw[1:]
            if raw:
                out.extend(_breakable(raw) if self.in_table else [lit(raw)])
                space_before = raw.endswith(" ")
            text.clear()

        for kind, value in pieces:
            if kind == "text":
                text.append(value)
            else:
                flush()
                if value:
                    out.append(value)
                    space_before = value == "linebreak()"
        flush()
        if out and out[-1].endswith(' "') and out[-1].startswith('"'):  # trailing space of a block
            out[-1] = out[-1][:-2] + '"'
            if out[-1] == '""':
                out.pop()
        return seq(out)

    def inline_element(self, el: _Element) -> str:
        tag, classes = el.tag, _classes(el)
        if tag == "br":
            return "linebreak()"
        if tag not in _INLINE:
            raise Unsupported(f"<{tag}> inside a line of text")
        body = self.inline(el, lead=False)
        if tag in ("strong", "b"):
            return f"strong({body})"
        if tag in ("em", "i"):
            return f"emph({body})"
        if tag == "code":
            return f"raw({lit(el.text_content())})"
        if tag == "a":
            target = self._link(el.get("href") or "")
            return f"link({lit(target)}, {body})" if target else body
        if tag in ("small", "abbr", "time", "sub", "sup"):
            return body
        # span
        if "status" in classes:
            icon = el.find_class("status-icon")
            word = el.find_class("status-word")
            if len(icon) != 1 or len(word) != 1:
                raise Unsupported("a status badge without its icon and word")
            state = _state(classes) or "no_data"
            return f"status({lit(state)}, {lit(icon[0].text_content())}, {self.inline(word[0])})"
        if "delta" in classes:
            tone = next((c[6:] for c in classes if c.startswith("delta-")), "neutral")
            return f"delta({lit(tone)}, {body})"
        if "cell-sub" in classes:
            return f"cell-sub({body})"
        if "worst-flag" in classes:
            return "worst-flag()"
        if "risk-chip" in classes:
            level = next((c[5:] for c in classes if c.startswith("risk-") and c != "risk-chip"), "")
            return f"risk-chip({lit(level)}, {body})"
        if "masthead-dates" in classes:
            return f"text(size: 0.6em, weight: 400, fill: muted, {body})"
        if classes - {"kpi-icon", "status-icon", "status-word", "kpi-spark"}:
            raise Unsupported(f"<span class={el.get('class')!r}>")
        return body

    def _link(self, href: str) -> str | None:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto"):
            return href
        if parts.scheme or not parts.path:  # another scheme, or a place on this page
            return None
        return in_site_link(unquote(parts.path), parts.fragment, self.page_path, self.link_base)

    # blocks -------------------------------------------------------------------------------------------

    def blocks(self, el: _Element) -> list[str]:
        out: list[str] = []
        loose: list[tuple[str, str]] = []

        def flush() -> None:
            if loose:
                body = self._join(loose)
                if body != '""':
                    out.append(f"par({body})")
                loose.clear()

        if el.text and el.text.strip():
            loose.append(("text", el.text))
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if _hidden(child) or child.tag in ("head", "title", "meta", "link"):
                pass
            elif child.tag in _INLINE:
                loose.append(("code", self.inline_element(child)))
            else:
                flush()
                out.extend(self.block(child))
            if child.tail and child.tail.strip():
                loose.append(("text", child.tail))
        flush()
        return out

    def block(self, el: _Element) -> list[str]:  # noqa: C901 - one branch per element of the templates
        tag, classes = el.tag, _classes(el)
        if tag in ("main", "article", "body", "html") or (
            tag == "div" and classes <= {"brief-layout", "inner"}
        ):
            return self.blocks(el)
        if tag == "div" and "prose" in classes:
            inner = self.blocks(el)
            if "gap-panel" in classes:
                return [f"gap-panel({{ {'; '.join(inner)} }})"]
            return inner
        if tag == "div" and "table-wrap" in classes:
            return self.blocks(el)
        if tag == "div" and "incident-banner" in classes:
            return [self.incident(el)]
        if tag == "header" and "masthead" in classes:
            return [self.masthead(el)]
        if tag == "section":
            return self.section(el, classes)
        if tag == "aside" and "editor-note" in classes:
            label = el.find_class("note-label")
            rest = [c for c in el if c not in label]
            body = "; ".join(b for c in rest if isinstance(c.tag, str) for b in self.block(c))
            return [f"note-box({self.inline(label[0]) if label else lit('')}, {{ {body} }})"]
        if tag == "ul" and "kpis" in classes:
            return ["kpis(" + ", ".join(self.kpi(li) for li in el if li.tag == "li") + ")"]
        if tag in ("ul", "ol"):
            return [self.list(el)]
        if tag == "blockquote":
            return [f"quote-block({{ {'; '.join(self.blocks(el))} }})"]
        if tag == "figure" and "chart-figure" in classes:
            return [self.figure(el)]
        if tag == "table" and "data" in classes:
            return [self.table(el)]
        if tag == "dl" and "definitions" in classes:
            pairs = self._pairs(el)
            return [f"definitions(({', '.join(f'({t}, {d})' for t, d in pairs)},))"] if pairs else []
        if tag in ("h1", "h2", "h3", "h4"):
            level = min(int(tag[1]), 3)
            return [f"heading(level: {level}, {self.inline(el)})"]
        if tag == "p":
            return [self.paragraph(el, classes)]
        if tag == "hr":
            return ["line(length: 100%, stroke: 0.75pt + rule-color)"]
        raise Unsupported(f"<{tag} class={el.get('class')!r}>")

    def paragraph(self, el: _Element, classes: set[str]) -> str:
        body = self.inline(el)
        if "summary-line" in classes:
            state = _state(classes)
            return f"summary-line({lit(state) if state else 'none'}, {body})"
        wrappers = {
            "verdict": "verdict", "evidence": "evidence", "table-note": "table-note",
            "table-condensed": "table-condensed", "table-caption": "table-caption",
            "narrator-note": "narrator-note", "chart-note": "table-note",
        }  # fmt: skip
        for cls, fn in wrappers.items():
            if cls in classes:
                return f"{fn}({body})"
        if classes - {"print-only", "risk-line"}:
            raise Unsupported(f"<p class={el.get('class')!r}>")
        return f"par({body})"

    def section(self, el: _Element, classes: set[str]) -> list[str]:
        if "callout" in classes:
            inner: list[str] = []
            for child in el:
                if not isinstance(child.tag, str) or _hidden(child):
                    continue
                if child.tag == "h3":
                    inner.append(f"callout-heading({self.inline(child)})")
                elif child.tag == "table" and "risk-table" in _classes(child):
                    rows = []
                    for tr in child.iter("tr"):
                        cells = [c for c in tr if c.tag in ("th", "td")]
                        if len(cells) != 2:
                            raise Unsupported("a risk table row without a heading and a value")
                        rows.append(f"({self.inline(cells[0])}, {self.inline(cells[1])})")
                    inner.append(f"risk-table(({', '.join(rows)},))")
                else:
                    inner.extend(self.block(child))
            return [f"callout({{ {'; '.join(inner)} }})"]
        out = []
        if el.get("id") == "reliability":  # the body's first section after the summary: page 2
            out.append("page-break()")
        blocks = self.blocks(el)
        if "appendix" in classes:
            return [*out, f"appendix({{ {'; '.join(blocks)} }})"]
        return out + blocks

    def incident(self, el: _Element) -> str:
        h = el.find(".//h2")
        if h is None:
            raise Unsupported("an incident banner without its heading")
        items = self._pairs(el.find(".//dl"))
        return f"incident-banner({self.inline(h)}, ({', '.join(f'({t}, {d})' for t, d in items)},))"

    def _pairs(self, dl: _Element | None) -> list[tuple[str, str]]:
        if dl is None:
            return []
        out, term = [], None
        for child in dl:
            if child.tag == "dt":
                term = self.inline(child)
            elif child.tag == "dd":
                out.append((term or '""', self.inline(child)))
                term = None
        return out

    def masthead(self, el: _Element) -> str:
        eyebrow = el.find_class("eyebrow")
        h1 = el.find(".//h1")
        meta = el.find_class("masthead-meta")
        if h1 is None:
            raise Unsupported("a masthead without its title")
        dates = h1.find_class("masthead-dates")
        title_pieces: list[tuple[str, str]] = []
        if h1.text:
            title_pieces.append(("text", h1.text))
        for child in h1:
            if child not in dates:
                title_pieces.append(("code", self.inline_element(child)))
            if child.tail:
                title_pieces.append(("text", child.tail))
        title = self._join(title_pieces)
        return (
            f"masthead({self.inline(eyebrow[0]) if eyebrow else lit('')}, {title}, "
            f"{self.inline(dates[0]) if dates else 'none'}, {self.inline(meta[0]) if meta else lit('')})"
        )

    def kpi(self, li: _Element) -> str:
        state = _state(_classes(li))
        label = sub = value = None
        long = gap = False
        lines: list[str] = []
        spark = "none"
        for child in li:
            if not isinstance(child.tag, str):
                continue
            c = _classes(child)
            if "kpi-label" in c:
                label = self.inline(child)
            elif "kpi-sub" in c:
                sub = self.inline(child)
            elif "kpi-value" in c:
                value = self.inline(child)
                long, gap = "kpi-value-long" in c, "gap" in c
            elif "kpi-state" in c:
                lines.append(f'("state", {self.inline(child)})')
            elif "kpi-meta" in c:
                lines.append(f'("meta", {self.inline(child)})')
            elif "kpi-spark" in c:
                img = child.find(".//img")
                if img is None:
                    raise Unsupported("a sparkline that is not an image")
                spark = self.image(img, width="100%")
            else:
                raise Unsupported(f"<{child.tag} class={child.get('class')!r}> in a key figure")
        return (
            f"kpi({lit(state) if state else 'none'}, {label or lit('')}, {sub or lit('')}, {value or lit('')}, "
            f"long: {str(long).lower()}, gap: {str(gap).lower()}, lines: ({''.join(x + ', ' for x in lines)}), "
            f"spark: {spark})"
        )

    def image(self, img: _Element, width: str | None = None) -> str:
        src = img.get("src") or ""
        prefix = "data:image/svg+xml;base64,"
        if not src.startswith(prefix):
            raise Unsupported("an image that is not an inline SVG")
        svg = base64.b64decode(src[len(prefix) :]).decode("utf-8")
        alt = img.get("alt") or ""
        if width is None:
            px = img.get("width")
            # CSS pixels at 96 to the inch, never wider than the text column of A4 (178 mm)
            width = f"{min(int(px) * 0.75, 504):g}pt" if px and px.isdigit() else "100%"
        return f'image(bytes({lit(svg)}), format: "svg", alt: {lit(alt)}, width: {width})'

    def figure(self, el: _Element) -> str:
        img = el.find(".//img")
        if img is None:
            raise Unsupported("a chart that is not an image")
        notes = el.find_class("chart-note")
        note = self.inline(notes[0]) if notes else "none"
        return f"chart({self.image(img)}, note: {note})"

    def list(self, el: _Element) -> str:
        items = []
        for li in el:
            if li.tag != "li":
                continue
            if any(isinstance(c.tag, str) and c.tag not in _INLINE for c in li):
                body = "{ " + "; ".join(self.blocks(li)) + " }"
            else:
                body = self.inline(li)
            items.append(body)
        fn = "enum" if el.tag == "ol" else "list"
        start = (
            f"start: {int(el.get('start'))}, " if el.tag == "ol" and (el.get("start") or "").isdigit() else ""
        )
        return f"{fn}({start}tight: false, {''.join(i + ', ' for i in items)})"

    def table(self, el: _Element) -> str:
        caption_el = el.find("caption")
        caption = self.inline(caption_el) if caption_el is not None else "none"
        shown = caption_el is not None and "visually-hidden" not in _classes(caption_el)
        head = el.find("thead")
        header_cells = [c for c in head.iter("th", "td")] if head is not None else []
        numeric = [i for i, c in enumerate(header_cells) if "num" in _classes(c)]
        rows, gaps, worst = [], [], None
        body = el.find("tbody")
        self.in_table = True
        try:
            header = "".join(self.inline(h) + ", " for h in header_cells)
            for r, tr in enumerate(body.iter("tr") if body is not None else ()):
                if "worst" in _classes(tr):
                    worst = r
                cells = []
                for c_index, cell in enumerate(c for c in tr if c.tag in ("th", "td")):
                    if "gap" in _classes(cell):
                        gaps.append(f"({r}, {c_index})")
                    cells.append(self.inline(cell))
                if len(cells) != len(header_cells):
                    raise Unsupported("a table row whose cells do not match its header")
                rows.append("(" + "".join(c + ", " for c in cells) + ")")
        finally:
            self.in_table = False
        return (
            f"data-table({lit(el.get('id') or '')}, {caption}, {str(shown).lower()}, ({header}), "
            f"({''.join(r + ', ' for r in rows)}), numeric: ({''.join(f'{i}, ' for i in numeric)}), "
            f"worst: {worst if worst is not None else 'none'}, gaps: ({''.join(g + ', ' for g in gaps)}))"
        )


def _texts(root: _Element, cls: str) -> str:
    found = root.find_class(cls)
    return _SPACE.sub(" ", found[0].text_content()).strip() if found else ""


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
    writer = _Writer(page_path, link_base)
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


def words(texts: Iterable[str]) -> list[str]:
    """The words of some texts, for comparing two renderings of one page."""
    return [w for t in texts for w in _SPACE.split(t) if w]
