"""Where a PDF's link into the site points, for both print layouts (publish.pdf, publish.print_typst).

target = in_site_link("../../evidence/2026-W47/facts.json", "", "briefs/2026-W47/brief.pdf", None)
         -> "../../evidence/2026-W47/facts.json"; with link_base "https://r.example.com":
         -> "https://r.example.com/evidence/2026-W47/facts.json"; None for a place outside the site
"""

from __future__ import annotations

import posixpath


def in_site_link(relative: str, fragment: str, page_path: str | None, link_base: str | None) -> str | None:
    """The link of a PDF at ``page_path`` (its site path) to ``relative`` (a path from the PDF's folder):
    ``<link_base>/<site path>`` with a base URL (``site.base_url``), else the path relative to the PDF,
    which a PDF viewer resolves next to the file; None when it leads outside the site (the PDF then keeps
    the link's text without the link, rather than a path of this machine)."""
    folder = posixpath.dirname(page_path) if page_path else ""
    in_site = posixpath.normpath(posixpath.join(folder, relative))
    if page_path is None or in_site == ".." or in_site.startswith(("../", "/")):
        return None
    suffix = f"#{fragment}" if fragment else ""
    if link_base:
        return f"{link_base.rstrip('/')}/{in_site}{suffix}"
    return posixpath.relpath(in_site, folder or ".") + suffix
