"""Markdown from content files and narrators, rendered safely.

    render_markdown(text, remote_images=False) -> str   block markdown (paragraphs, lists, tables, headings)
    render_inline(text, remote_images=False) -> str     one line, no wrapping <p> (summary line, table cells)

CommonMark plus GFM tables, with raw HTML off: ``<script>`` in a postmortem shows as text. Links and images
keep only ``http``, ``https``, ``mailto``, fragment and relative targets; ``javascript:``, ``vbscript:``,
``data:``, ``file:`` and any other scheme are dropped and the link text is shown literally. Both functions
return ``markupsafe.Markup`` (a ``str``), so templates can insert the result without ``|safe``.

Remote images (an image whose target has a scheme or starts with ``//``) are not loaded: unless
``remote_images`` is true (``content.allow_remote_images`` in sentinel.yaml), ``![alt](https://host/x.png)``
becomes the link ``<a href="https://host/x.png">alt</a>``, because a browser or mail client fetching it tells
the image's host who read the page and when (a tracking beacon). Relative images stay images.

``safe_markdown_document(md)`` makes a markdown file (brief.md) safe for viewers that do render raw HTML:
every ``<`` that could open a tag, comment or autolink is written ``&lt;`` (shown as ``<``), and links whose
target is not safe by ``is_safe_link`` are broken into literal text. Without ``remote_images`` every image
of the document becomes a link (brief.md has no images of its own; one in a note would not resolve there).

Why the link checks stay hand-written (checked against markdown-it-py 4 and nh3 0.3):

- Rendering already works on markdown-it's tokens: ``validateLink`` (``is_safe_link``) is called by the
  parser on every link and image destination and on every reference definition, after markdown-it has
  unescaped and normalised it. ``safe_markdown_document`` is different: its output is markdown, the same
  text with unsafe destinations disabled in place. markdown-it's inline tokens carry no source offsets (only
  block tokens have line maps), so the token stream cannot say where in the text a destination is; the two
  regular expressions below find them, and each one found is judged by the same ``is_safe_link``.
- nh3 (ammonia) sanitises HTML; its scheme allowlist (``url_schemes``) applies to attributes of an HTML
  document. It has no function that judges one URL, and the renderer emits no raw HTML (``html: False``),
  so it would re-parse our own output to enforce the same three schemes ``is_safe_link`` enforces, and it
  would also drop the attributes the templates rely on (``class="remote-image"``, table alignment).
"""

from __future__ import annotations

import html
import re
from typing import Any

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


def is_remote(url: str) -> bool:
    """True for a URL that leaves the site: any scheme, or scheme-relative ``//host``."""
    cleaned = _INVISIBLE_RE.sub("", url)
    return bool(_SCHEME_RE.match(cleaned)) or cleaned.startswith(("//", "\\\\", "/\\", "\\/"))


def _image_as_link(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """A remote image rendered as a plain link to it, its alt text (or the URL) as the link text."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if not is_remote(src):
        return str(self.image(tokens, idx, options, env))
    text = self.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{html.escape(src)}" class="remote-image">{html.escape(text, quote=False)}</a>'


def _parser(remote_images: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    if not remote_images:
        md.add_render_rule("image", _image_as_link)
    return md


_MD = {False: _parser(False), True: _parser(True)}


def render_markdown(text: str, *, remote_images: bool = False) -> Markup:
    """Block markdown -> HTML. Raw HTML is escaped; unsafe links are dropped; remote images become links."""
    return Markup(_MD[remote_images].render(text))


def render_inline(text: str, *, remote_images: bool = False) -> Markup:
    """One line of markdown (``**bold**``, ``*em*``, ``code``, links) -> HTML without a ``<p>`` wrapper."""
    return Markup(_MD[remote_images].renderInline(text))


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


def safe_markdown_document(md: str, *, remote_images: bool = False) -> str:
    """A markdown document in which no raw HTML, autolink or unsafe link from the text can come alive, and
    (unless ``remote_images``) no image: each becomes a link to its target."""
    if not remote_images:
        md = md.replace("![", "[")
    md = _INLINE_DEST_RE.sub(_break_unsafe_inline, _TAG_OPEN_RE.sub("&lt;", md))
    return _REF_DEF_RE.sub(_break_unsafe_definition, md)
