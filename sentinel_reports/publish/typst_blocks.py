"""The blocks of a print page as Typst calls of theme/brief_print.typ (publish.print_typst): masthead, key
figures, sections and their prose, charts, tables, recommendations, definitions. One branch per element and
class of the theme's templates; anything else raises Unsupported, so WeasyPrint lays out that page.

    BlockWriter(page_path, link_base).blocks(body)   -> [Typst expression, ...], one per block
"""

from __future__ import annotations

import base64

from lxml.etree import _Element

from .typst_inline import InlineWriter
from .typst_text import INLINE_TAGS, Unsupported, arr, classes_of, hidden, lit, state_of


class BlockWriter(InlineWriter):
    """Converts a print page's body, block by block."""

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
            if hidden(child) or child.tag in ("head", "title", "meta", "link"):
                pass
            elif child.tag in INLINE_TAGS:
                loose.append(("code", self.inline_element(child)))
            else:
                flush()
                out.extend(self.block(child))
            if child.tail and child.tail.strip():
                loose.append(("text", child.tail))
        flush()
        return out

    def block(self, el: _Element) -> list[str]:  # noqa: C901 - one branch per element of the templates
        tag, classes = el.tag, classes_of(el)
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
            state = state_of(classes)
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
                if not isinstance(child.tag, str) or hidden(child):
                    continue
                if child.tag == "h3":
                    inner.append(f"callout-heading({self.inline(child)})")
                elif child.tag == "table" and "risk-table" in classes_of(child):
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
        state = state_of(classes_of(li))
        label = sub = value = None
        long = gap = False
        lines: list[str] = []
        spark = "none"
        for child in li:
            if not isinstance(child.tag, str):
                continue
            c = classes_of(child)
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
            if any(isinstance(c.tag, str) and c.tag not in INLINE_TAGS for c in li):
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
        shown = caption_el is not None and "visually-hidden" not in classes_of(caption_el)
        cells = self.table_cells(el)
        header = cells.header or []
        if any(len(row) != len(header) for row in cells.rows):
            raise Unsupported("a table row whose cells do not match its header")
        return (
            f"data-table({lit(el.get('id') or '')}, {caption}, {str(shown).lower()}, {arr(header)}, "
            f"{arr(arr(row) for row in cells.rows)}, numeric: {arr(sorted(cells.header_numeric))}, "
            f"worst: {'none' if cells.worst is None else cells.worst}, gaps: {arr(arr(g) for g in cells.gaps)})"
        )
