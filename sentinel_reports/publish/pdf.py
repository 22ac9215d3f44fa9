"""HTML to PDF with WeasyPrint: offline, reproducible, A4 or Letter.

    pdf = html_to_pdf(html, base_url=site.tmp_dir / "briefs/2026-W47", site_root=site.tmp_dir,
                      as_of=as_of, title="Weekly brief 2026-W47", paper=config.site.paper)
    document = layout_pdf(html, base_url, title=title, paper=paper)     the same in two steps, for timing
    pdf = write_pdf(document, html, as_of=as_of, title=title, paper=paper)

- ``base_url`` is the folder the page lives in, so the page's relative links (``../../static/sentinel.css``,
  images) resolve as they do in a browser opening the site from disk. Write the static files first.
- No network: the URL fetcher serves ``data:`` URIs and ``file:`` URLs under ``site_root`` (default:
  ``base_url``), the built-in theme and ``allowed_dirs``; anything else (``http:``, ``https:``, files
  elsewhere) is refused. A refused or missing resource fails the render with PublishError naming every
  such URL, because a PDF silently missing its stylesheet or a chart is worse than no PDF.
- Paper size comes from the config (``@page { size: A4 }`` or ``Letter``) and overrides the stylesheet.
- Reproducible: title, creation and modification dates come from ``as_of``, the PDF /ID from the content,
  and the embedded font subsets get their timestamp from ``as_of`` too (fontTools reads SOURCE_DATE_EPOCH,
  set for the duration of the write), so two renders of the same HTML are byte-identical
  (checked by tests/publish/test_pdf.py).
- Tagged PDF (``pdf_tags``) so screen readers get headings, tables and reading order.
- No absolute ``file:`` link: WeasyPrint resolves every relative link against ``base_url`` (a folder of this
  machine). ``site_links`` turns them back: with ``link_base`` (``site.base_url``) a link becomes
  ``<base_url>/<site path>``, resolved from ``page_path`` (where the PDF lives in the site); without it, the
  relative link of the page (``../../evidence/2026-W47/facts.json``), which a PDF viewer resolves next to
  the PDF. A link that leads outside the site is removed (its text stays).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import posixpath
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML, LOGGER
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from ..errors import PublishError
from ..model import format_timestamp
from ..render.environment import THEME_DIR
from .links import in_site_link

PAPER_SIZES = {"A4": "A4", "Letter": "letter"}


class _ScreenOnlyRules(logging.Filter):
    """WeasyPrint cannot parse media features and skips ``@media screen and (...)`` blocks, which is what
    the theme intends (dark scheme and wide-screen layout are screen-only); keep that out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            ("media type" in message and "screen" in message) or "whole @media rule was ignored" in message
        )


class OfflineFetcher(URLFetcher):
    """Serves data: URIs and files under the allowed folders; records and refuses everything else."""

    def __init__(self, allowed_dirs: Iterable[Path]):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.allowed = [Path(d).resolve() for d in allowed_dirs]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> object:
        scheme = url.split(":", 1)[0].lower()
        allowed = scheme == "data"
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            allowed = any(path.is_relative_to(root) for root in self.allowed)
        if not allowed:
            self.refused.append(f"{url} (outside the site; rendering is offline)")
            raise ValueError(f"refused to fetch {url}: PDF rendering is offline")
        try:
            return super().fetch(url, headers)
        except Exception as exc:
            self.refused.append(f"{url[:120]} ({type(exc).__name__}: {exc})")
            raise


STARTED = False  # WeasyPrint has laid out a page in this process: no fork (workers.fork_safe)


def _pdf_date(as_of: dt.datetime) -> str:
    return format_timestamp(as_of)


def html_to_pdf(
    html: str,
    base_url: Path,
    *,
    as_of: dt.datetime,
    title: str,
    paper: str = "A4",
    site_root: Path | None = None,
    allowed_dirs: Iterable[Path] = (),
    author: str | None = None,
    lang: str = "en",
    page_path: str | None = None,
    link_base: str | None = None,
) -> bytes:
    """Render one HTML page to PDF bytes; raises PublishError if it needs anything outside the site."""
    document = layout_pdf(
        html, base_url, title=title, paper=paper, site_root=site_root, allowed_dirs=allowed_dirs,
        page_path=page_path, link_base=link_base,
    )  # fmt: skip
    return write_pdf(document, html, as_of=as_of, title=title, paper=paper, author=author, lang=lang)


def layout_pdf(
    html: str,
    base_url: Path,
    *,
    title: str,
    paper: str = "A4",
    site_root: Path | None = None,
    allowed_dirs: Iterable[Path] = (),
    page_path: str | None = None,
    link_base: str | None = None,
) -> Document:
    """The laid-out pages of one HTML page (the first half of ``html_to_pdf``)."""
    if paper not in PAPER_SIZES:
        raise PublishError(f"unknown paper size {paper!r} (expected A4 or Letter)")
    base = Path(base_url).resolve()
    fetcher = OfflineFetcher([site_root or base, THEME_DIR, *allowed_dirs])
    page_css = _page_css(paper)
    global STARTED
    STARTED = True
    quiet = _ScreenOnlyRules()
    LOGGER.addFilter(quiet)
    fonts = _font_config(html)
    try:
        document = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher).render(
            stylesheets=[page_css], pdf_tags=True, font_config=fonts
        )
    finally:
        LOGGER.removeFilter(quiet)
        if fonts is not None and getattr(fonts, "_folder", None) is not None:
            _FONTS.clear()  # a linked stylesheet brought fonts of its own: they stay with this PDF alone
    if fetcher.refused:
        refused = ", ".join(sorted(set(fetcher.refused)))
        raise PublishError(f"PDF {title!r} could not load every resource it references: {refused}")
    site_links(document, base, page_path, link_base)
    return document


def warm_up() -> None:
    """Lay out a one-line page, so WeasyPrint's first-use set-up (its user-agent stylesheet, the shared
    font configuration, the page rule) is done ahead of a render worker's first PDF."""
    layout_pdf("<p>Sentinel</p>", THEME_DIR, title="warm-up")


_PAGE_CSS: dict[str, CSS] = {}
_FONTS: list[FontConfiguration] = []


def _page_css(paper: str) -> CSS:
    """The ``@page`` size rule of a paper, parsed once per process (it fetches nothing)."""
    if paper not in _PAGE_CSS:
        _PAGE_CSS[paper] = CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}")
    return _PAGE_CSS[paper]


def _font_config(html: str) -> FontConfiguration | None:
    """One font configuration per process, so the system fonts are looked up and loaded once rather than for
    every PDF (the same bytes either way). A page bringing fonts of its own (``@font-face``) gets a fresh
    one, as WeasyPrint would make; one whose linked stylesheet added fonts to the shared one retires it
    (``layout_pdf``), so no PDF is laid out with another's fonts."""
    if "@font-face" in html:
        return None
    if not _FONTS:
        _FONTS.append(FontConfiguration())
    return _FONTS[0]


def site_links(document: Document, base: Path, page_path: str | None, link_base: str | None) -> None:
    """Rewrite the ``file:`` links WeasyPrint resolved against ``base`` (see the module docstring)."""
    for page in document.pages:
        kept = []
        for link in page.links:
            link_type, target = link[0], str(link[1])
            if link_type == "external" and target.lower().startswith("file:"):
                target = _site_link(target, base, page_path, link_base)
                if target is None:
                    continue
                link = (link_type, target, *link[2:])
            kept.append(link)
        page.links[:] = kept


def _site_link(target: str, base: Path, page_path: str | None, link_base: str | None) -> str | None:
    parts = urlsplit(target)
    relative = posixpath.relpath(unquote(parts.path), base.as_posix())
    return in_site_link(relative, parts.fragment, page_path, link_base)


def write_pdf(
    document: Document,
    html: str,
    *,
    as_of: dt.datetime,
    title: str,
    paper: str = "A4",
    author: str | None = None,
    lang: str = "en",
) -> bytes:
    """PDF bytes of laid-out pages, with metadata and /ID from ``as_of`` and the HTML (the second half)."""
    stamp = _pdf_date(as_of)
    document.metadata.title = title
    document.metadata.created = stamp
    document.metadata.modified = stamp
    document.metadata.lang = lang
    if author:
        document.metadata.authors = [author]
    identifier = hashlib.sha256(f"{title}|{stamp}|{paper}|{html}".encode()).hexdigest()[:32]
    with _source_date_epoch(as_of):
        return document.write_pdf(pdf_identifier=identifier.encode("ascii"), pdf_tags=True)


@contextlib.contextmanager
def _source_date_epoch(as_of: dt.datetime) -> Iterator[None]:
    """fontTools stamps embedded font subsets with the current time unless SOURCE_DATE_EPOCH is set."""
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=dt.UTC)
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(as_of.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
