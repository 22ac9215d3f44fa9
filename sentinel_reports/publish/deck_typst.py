"""The quarterly deck's PDF laid out by Typst from the deck's HTML, as the brief's is (publish.print_typst).

    pdf = deck_pdf(html, as_of=as_of, title=title, author=organization, page_path="decks/2026-Q4/deck.pdf",
                   link_base=None)                                    raises Unsupported

``render.deck`` writes the deck as one HTML page of 16:9 slides (``theme/deck.html``); WeasyPrint laid it out
in 0.6-1.2 CPU-s a deck. This module reads that page (lxml) and writes each slide as a call of
``theme/deck_print.typ``, which follows the print rules of ``static/deck.css``: one slide per page, every text
a Typst string literal. A slide whose content does not fit its page, an element or class the deck template
does not use, or a project overriding ``deck.html`` or ``static/deck.css`` (``print_typst.typst_applies`` with
``OVERRIDDEN_BY``) raises Unsupported or is not laid out here, and WeasyPrint lays out that deck as before. The charts are the page's inline
SVGs, taken from the HTML text as written (an HTML parser would lower-case their attributes).
"""

from __future__ import annotations

import datetime as dt
import html as html_module
import re

from lxml import html as lxml_html
from lxml.etree import _Element

from ..render.environment import THEME_DIR
from .print_typst import compile_pdf
from .typst_inline import InlineWriter
from .typst_text import Unsupported, arr, classes_of, hidden, lit

TEMPLATE = THEME_DIR / "deck_print.typ"
OVERRIDDEN_BY = ("deck.html", "static/deck.css")
"""A project template that changes the deck's HTML or its styling: its PDFs are laid out by WeasyPrint."""

_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_SIZES = {"roomy": ("0.95em", "(x: 0.7em, y: 0.65em)"), "dense": ("0.72em", None), "normal": ("0.82em", None)}
_WIDTH = re.compile(r"width:\s*([\d.]+)%")


class DeckWriter(InlineWriter):
    """Converts the deck page's slides, one Typst ``slide(...)`` call each."""

    def __init__(self, svgs: list[str], page_path: str | None, link_base: str | None) -> None:
        super().__init__(page_path, link_base)
        self.svgs = svgs

    def slides(self, body: _Element) -> list[str]:
        frames = [el for el in body.iter("section") if "frame" in classes_of(el)]
        if not frames:
            raise Unsupported("a deck without slides")
        return [self.slide(frame) for frame in frames]

    def slide(self, frame: _Element) -> str:
        (box,) = [el for el in frame if isinstance(el.tag, str) and "slide" in classes_of(el)] or [None]
        if box is None:
            raise Unsupported("a slide frame without its slide")
        kind = next((c[6:] for c in classes_of(box) if c.startswith("slide-")), "exhibit")
        args = {"kind": lit(kind)}
        for part in box:
            if not isinstance(part.tag, str) or hidden(part):
                continue
            c = classes_of(part)
            if "slide-head" in c:
                args["head"] = "{ " + "; ".join(self.head(part, kind)) + " }"
            elif "slide-body" in c:
                self.body(part, kind, args)
            elif "slide-foot" in c:
                for p in part:
                    if "source" in classes_of(p):
                        args["source"] = self.inline(p)
                    elif "folio" in classes_of(p):
                        args["folio"] = self.inline(p)
            elif part.tag == "blockquote" and "principle" in c:
                paragraphs = [q for q in part if isinstance(q.tag, str)]
                if len(paragraphs) != 1 or paragraphs[0].tag != "p":
                    raise Unsupported("a principle that is not one paragraph")
                args["quote"] = f"principle({self.inline(paragraphs[0])})"
            else:
                raise Unsupported(f"<{part.tag} class={part.get('class')!r}> in a slide")
        return "slide(" + ", ".join(f"{k}: {v}" for k, v in args.items()) + ")"

    def head(self, el: _Element, kind: str) -> list[str]:
        out = []
        for child in el:
            if not isinstance(child.tag, str) or hidden(child):
                continue
            c = classes_of(child)
            if child.tag in ("h1", "h2"):
                out.append(f"slide-title({child.tag[1]}, {self.inline(child)})")
            elif "kicker" in c:
                out.append(f"kicker({self.inline(child)})")
            elif "lead" in c:
                out.append(f"lead({lit(kind)}, {self.inline(child)})")
            elif "evidence" in c:
                out.append(f"evidence({self.inline(child)})")
            else:
                raise Unsupported(f"<{child.tag} class={child.get('class')!r}> in a slide's head")
        return out

    def body(self, el: _Element, kind: str, args: dict[str, str]) -> None:
        for part in el:
            if not isinstance(part.tag, str) or hidden(part):
                continue
            c = classes_of(part)
            if "exhibit" in c:
                blocks = []
                for child in part:
                    if not isinstance(child.tag, str):
                        continue
                    if child.tag == "ul" and "kpis" in classes_of(child):
                        args["tiles"] = self.kpis(child)
                    elif child.tag == "figure":
                        blocks.append(self.chart(child))
                    elif child.tag == "table" and "deck-table" in classes_of(child):
                        blocks.append(self.table(child, kind))
                    else:
                        raise Unsupported(f"<{child.tag} class={child.get('class')!r}> in an exhibit")
                args["exhibit"] = "{ " + "; ".join(blocks) + " }" if blocks else "none"
            elif part.tag == "aside" and "takeaways" in c:
                items = [self.inline(li) for li in part.iter("li")]
                args["aside"] = "takeaways(" + "".join(i + ", " for i in items) + ")"
            else:
                raise Unsupported(f"<{part.tag} class={part.get('class')!r}> in a slide's body")

    def kpis(self, ul: _Element) -> str:
        tiles = []
        for li in ul:
            if li.tag != "li":
                continue
            parts = {next(iter(classes_of(s)), ""): s for s in li if isinstance(s.tag, str)}
            if "kpi-label" not in parts or "kpi-value" not in parts:
                raise Unsupported("a key figure without its label and value")
            context = self.inline(parts["kpi-context"]) if "kpi-context" in parts else "none"
            gap = "gap" in classes_of(parts["kpi-value"])
            tiles.append(f"({self.inline(parts['kpi-label'])}, {self.inline(parts['kpi-value'])}, {context}, "
                         f"{str(gap).lower()})")  # fmt: skip
        return "kpis(" + "".join(t + ", " for t in tiles) + ")"

    def chart(self, figure: _Element) -> str:
        if figure.find("svg") is None or not self.svgs:
            raise Unsupported("a chart that is not an inline SVG")
        svg = self.svgs.pop(0)
        alt = " ".join(t for t in (_text_of(svg, "title"), _text_of(svg, "desc")) if t)
        return f'image(bytes({lit(svg)}), format: "svg", alt: {lit(alt)}, width: 100%, height: 86mm, fit: "contain")'

    def table(self, el: _Element, kind: str) -> str:
        c = classes_of(el)
        density = next((d for d in _SIZES if d in c), "normal")
        size, pad = _SIZES[density]
        if kind == "appendix":
            size = "0.64em"
        widths = [float(m.group(1)) for col in el.iter("col") if (m := _WIDTH.search(col.get("style") or ""))]
        cells = self.table_cells(el, header_breaks=False)
        n = (
            len(cells.header)
            if cells.header is not None
            else max((len(row) for row in cells.rows), default=1)
        )
        if any(len(row) != n for row in cells.rows):
            raise Unsupported("a table whose rows differ in their number of cells")
        columns = [f"{w:g}fr" for w in widths] if len(widths) == n else ["1fr"] * n
        header = "none" if cells.header is None else arr(cells.header)
        return (
            f"deck-table(columns: {arr(columns)}, header: {header}, rows: {arr(arr(row) for row in cells.rows)}, "
            f"numeric: {arr(sorted(cells.header_numeric | cells.body_numeric))}, "
            f"worst: {'none' if cells.worst is None else cells.worst}, total: {str(cells.total).lower()}, "
            f"gaps: {arr(arr(g) for g in cells.gaps)}, size: {size}" + (f", pad: {pad})" if pad else ")")
        )


def _text_of(svg: str, tag: str) -> str:
    """The text of the chart's own ``<title>`` or ``<desc>`` (its text alternative, named by aria-labelledby)."""
    found = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", svg, re.DOTALL)
    return html_module.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def deck_pdf(
    html: str, *, as_of: dt.datetime, title: str, author: str | None = None, page_path: str | None = None,
    link_base: str | None = None,
) -> bytes:  # fmt: skip
    """The deck's PDF laid out by Typst, one page per slide; raises Unsupported for what it does not know or a
    slide that does not fit its page."""
    root = lxml_html.document_fromstring(_SVG.sub("<svg></svg>", html))
    body = root.find("body")
    if body is None:
        raise Unsupported("a page without a body")
    writer = DeckWriter(_SVG.findall(html), page_path, link_base)
    slides = writer.slides(body)
    source = "\n".join([
        TEMPLATE.read_text(encoding="utf-8"),
        f"#show: deck.with(title: {lit(title)}, author: {lit(author or '')})",
        *(f"#{s}" for s in slides),
    ]) + "\n"  # fmt: skip
    return compile_pdf(source, as_of)
