"""The text of a print page's elements as Typst content (publish.print_typst): a line's text with its
emphasis, links, status badges and changes, whitespace collapsed as HTML collapses it.

    writer = InlineWriter(page_path="briefs/2026-W47/brief.pdf", link_base=None)
    writer.inline(element)    -> Typst content of the element's children; raises Unsupported for the unknown
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from lxml.etree import _Element

from .links import in_site_link
from .typst_text import INLINE_TAGS, SPACE, Unsupported, breakable, classes_of, hidden, lit, seq, state_of


class InlineWriter:
    """Converts inline HTML; ``typst_blocks.BlockWriter`` adds the blocks."""

    def __init__(self, page_path: str | None, link_base: str | None) -> None:
        self.page_path = page_path
        self.link_base = link_base
        self.in_table = False  # a table's narrow columns may break an identifier after "_" or "/"

    # inline content -----------------------------------------------------------------------------------

    def inline(self, el: _Element, *, lead: bool = True) -> str:
        """The content of ``el``'s children and text, whitespace collapsed as HTML does."""
        pieces: list[tuple[str, str]] = []  # (kind, value): ("text", raw text) or ("code", typst)
        self._collect(el, pieces)
        return self._join(pieces, lead=lead)

    def _collect(self, el: _Element, pieces: list[tuple[str, str]]) -> None:
        if el.text:
            pieces.append(("text", el.text))
        for child in el:
            if not isinstance(child.tag, str):  # a comment
                if child.tail:
                    pieces.append(("text", child.tail))
                continue
            if not hidden(child):
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
            raw = SPACE.sub(" ", "".join(text))
            if space_before and raw.startswith(" "):
                raw = raw[1:]
            if raw:
                out.extend(breakable(raw) if self.in_table else [lit(raw)])
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
        tag, classes = el.tag, classes_of(el)
        if tag == "br":
            return "linebreak()"
        if tag not in INLINE_TAGS:
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
            state = state_of(classes) or "no_data"
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

    def table_cells(self, el: _Element, *, header_breaks: bool = True) -> TableCells:
        """A table's header and body cells as Typst content, where a narrow column may break an identifier
        (in the header too unless ``header_breaks`` is false: a deck's wide columns), with the marks its rows
        and cells carry (worst, total, gap, num)."""
        cells = TableCells()
        head = el.find("thead")
        body = el.find("tbody")
        try:
            self.in_table = header_breaks
            if head is not None:
                heads = list(head.iter("th", "td"))
                cells.header = [self.inline(h) for h in heads]
                cells.header_numeric = {i for i, h in enumerate(heads) if "num" in classes_of(h)}
            self.in_table = True
            for r, tr in enumerate(body.iter("tr") if body is not None else ()):
                marks = classes_of(tr)
                cells.worst = r if "worst" in marks else cells.worst
                cells.total = cells.total or "total" in marks
                row = []
                for c, cell in enumerate(x for x in tr if x.tag in ("th", "td")):
                    marks = classes_of(cell)
                    if "num" in marks:
                        cells.body_numeric.add(c)
                    if "gap" in marks:
                        cells.gaps.append((r, c))
                    row.append(self.inline(cell))
                cells.rows.append(row)
        finally:
            self.in_table = False
        return cells


@dataclass
class TableCells:
    """A table read by ``InlineWriter.table_cells``; ``header`` is None without a header row."""

    header: list[str] | None = None
    header_numeric: set[int] = field(default_factory=set)
    rows: list[list[str]] = field(default_factory=list)
    body_numeric: set[int] = field(default_factory=set)
    gaps: list[tuple[int, int]] = field(default_factory=list)
    worst: int | None = None
    total: bool = False
