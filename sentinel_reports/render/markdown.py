"""Markdown from content files and narrators, rendered safely.

    render_markdown(text) -> str            block markdown (paragraphs, lists, tables, headings)
    render_inline(text) -> str              one line, no wrapping <p> (summary line, table cells)

CommonMark plus GFM tables, with raw HTML off: ``<script>`` in a postmortem shows as text. Links and images
keep only ``http``, ``https``, ``mailto``, fragment and relative targets; ``javascript:``, ``vbscript:``,
``data:``, ``file:`` and any other scheme are dropped and the link text is shown literally. Both functions
return ``markupsafe.Markup`` (a ``str``), so templates can insert the result without ``|safe``.

``safe_markdown_document(md)`` makes a markdown file (brief.md) safe for viewers that do render raw HTML:
every ``<`` that could open a tag, comment or autolink is written ``&lt;`` (shown as ``<``), and links whose
target is not safe by ``is_safe_link`` are broken into literal text.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt
from markupsafe import Markup

_ALLOWED_SCHEMES = {"http", "https", "mailto"}
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def is_safe_link(url: str) -> bool:
    """True for http(s)/mailto, fragments and relative paths; false for every other scheme.

    Control and zero-width characters are removed before looking for a scheme, since browsers ignore them
    (``java\\tscript:`` is ``javascript:`` to a browser).
    """
    cleaned = _INVISIBLE_RE.sub("", url)
    match = _SCHEME_RE.match(cleaned)
    if match is None:
        # "//host/path" is protocol-relative: it leaves the site, so it needs an explicit scheme.
        return not cleaned.startswith(("//", "\\\\", "/\\", "\\/"))
    return match.group(1).lower() in _ALLOWED_SCHEMES


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    return md


_MD = _parser()


def render_markdown(text: str) -> Markup:
    """Block markdown -> HTML. Raw HTML is escaped; unsafe links are dropped."""
    return Markup(_MD.render(text))


def render_inline(text: str) -> Markup:
    """One line of markdown (``**bold**``, ``*em*``, ``code``, links) -> HTML without a ``<p>`` wrapper."""
    return Markup(_MD.renderInline(text))


def strip_markdown_emphasis(text: str) -> str:
    """``**Current AI Platform Status: Degraded** | ...`` -> plain text, for subjects and titles."""
    return re.sub(r"(\*\*|__)(.+?)\1", r"\2", text).replace("**", "")


_TAG_OPEN_RE = re.compile(r"<(?=[A-Za-z/!?])")
_INLINE_DEST_RE = re.compile(r"\]\([ \t]*\n?[ \t]*(<[^>\n]*>|[^\s)]*)")
_REF_DEF_RE = re.compile(r"^( {0,3})\[((?:[^\]\\\n]|\\.)+)\]:[ \t]*\n?[ \t]*(<[^>\n]*>|\S+)", re.M)
_BACKSLASH_RE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _link_target(dest: str) -> str:
    if dest.startswith("<") and dest.endswith(">"):
        dest = dest[1:-1]
    return html.unescape(_BACKSLASH_RE.sub(r"\1", dest))


def _break_unsafe_inline(m: re.Match[str]) -> str:
    return m.group(0) if is_safe_link(_link_target(m.group(1))) else "]\\" + m.group(0)[1:]


def _break_unsafe_definition(m: re.Match[str]) -> str:
    if is_safe_link(_link_target(m.group(3))):
        return m.group(0)
    return m.group(1) + "\\" + m.group(0)[len(m.group(1)) :]


def safe_markdown_document(md: str) -> str:
    """A markdown document in which no raw HTML, autolink or unsafe link from the text can come alive."""
    md = _INLINE_DEST_RE.sub(_break_unsafe_inline, _TAG_OPEN_RE.sub("&lt;", md))
    return _REF_DEF_RE.sub(_break_unsafe_definition, md)
