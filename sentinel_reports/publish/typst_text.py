"""Typst source text from pieces of a print page: string literals, content sequences, table-cell text, and
what the HTML's classes say (publish.print_typst).

    lit('a "b"')                  -> "a \\"b\\""   a Typst string literal: data, never markup or code
    seq(['"a"', 'strong("b")'])   -> ("a", strong("b")).join()
    arr(["1", "2"])               -> (1, 2, )                a Typst array
    breakable("anthropic_cost_report")   a table cell's identifier that breaks after its own _ and /
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lxml.etree import _Element

SPACE = re.compile(r"[ \t\n\r\f]+")
HIDDEN_CLASSES = {
    "visually-hidden", "chart-text", "skip-link", "site-header", "site-footer", "toc", "page-nav", "running-header",
    "as-of-string",
}  # fmt: skip
_STATES = {"operational", "degraded", "at_risk", "partial_outage", "major_outage", "maintenance", "no_data"}
_BREAK_AFTER = re.compile(r"(?<=[_/])(?=[^ ])")
_IDENTIFIER = re.compile(r"[-_/\d]")
INLINE_TAGS = {"strong", "b", "em", "i", "code", "a", "span", "br", "small", "abbr", "time", "sub", "sup"}


class Unsupported(Exception):
    """The HTML holds something this layout does not know: the caller uses WeasyPrint for this PDF."""


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\u2028": "\\u{2028}", "\u2029": "\\u{2029}"}
_SPECIAL = re.compile(r'["\\\n\u2028\u2029\x00-\x1f\x7f-\x9f]')


def lit(text: str) -> str:
    """A Typst string literal: data, never markup or code. A control character draws nothing (nor does it in
    WeasyPrint), and PDF/UA refuses it: it is left out."""
    return '"' + _SPECIAL.sub(lambda m: _ESCAPES.get(m.group(), ""), text) + '"'


def arr(items: Iterable[object]) -> str:
    """A Typst array of Typst expressions, one element or many: ``(a, b, )``."""
    return "(" + "".join(f"{x}, " for x in items) + ")"


def seq(parts: Sequence[str]) -> str:
    """Typst content of several pieces (string literals and content expressions)."""
    parts = [p for p in parts if p]
    if not parts:
        return '""'
    if len(parts) == 1:
        return parts[0]
    return "(" + ", ".join(parts) + ").join()"


def breakable(text: str) -> list[str]:
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


def classes_of(el: _Element) -> set[str]:
    return set((el.get("class") or "").split())


def state_of(classes: set[str]) -> str | None:
    for c in classes:
        if c.startswith("status-") and c[7:] in _STATES:
            return c[7:]
    return None


def hidden(el: _Element) -> bool:
    return bool(classes_of(el) & HIDDEN_CLASSES) or el.tag in ("nav", "script", "style", "template")
