"""The Jinja2 environment every page builder renders with.

    env = make_environment(config.project_dir / "templates")
    html = render_page(env, "brief.html", page_path="briefs/2026-W47/index.html", title=..., ...)

Template lookup is layered (as in Datasette and Pelican):

1. ``default:<name>`` always loads the built-in theme's template, so a project override can extend the
   template it replaces: ``{% extends "default:base.html" %}``;
2. ``<name>`` is looked up in the project's ``templates/`` folder first,
3. then in the built-in theme (``sentinel_reports/theme/``).

Autoescaping is on for ``.html``, ``.xml``, ``.svg`` and ``.atom`` (and for templates built from strings);
``.txt`` and ``.md`` templates (plain-text email, markdown brief) are not escaped. Undefined variables raise
(``StrictUndefined``): a typo in a template fails the build instead of printing an empty string. ``None``
printed with ``{{ value }}`` shows as "no data", never as an empty cell or a zero.

Stylesheet: pages link ``static/sentinel.css`` by a path relative to the page (``root`` in the context,
computed from ``page_path``), so the site works opened from disk, served from any sub-path, and in
WeasyPrint with the site folder as base URL. ``static_files()`` returns the files the site writer copies to
``static/``; the email inlines the CSS of its own template instead.

Filters: every formatter of ``render.formatting`` (``pct``, ``money``, ``delta_html``, ...), plus
``markdown`` and ``markdown_inline`` (remote images become links unless ``remote_images``, set from
``content.allow_remote_images``). Globals: ``status_token``, ``GAP`` and ``csp``.

Content-Security-Policy: every page template puts ``<meta http-equiv="Content-Security-Policy"
content="{{ csp() }}">`` first in its ``<head>`` (``csp(scripts=[text])`` for a page that runs its own
inline script, allowed by its SHA-256 hash and nothing else). The policy (``content_security_policy``)
fetches nothing but the site's own files: no remote image, font, frame or connection, no form, no
``<base>``, no script but the page's own; inline styles are allowed (the theme and the inline SVG charts use
``style`` attributes, and without a remote fetch a style cannot send anything anywhere).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateRuntimeError,
    select_autoescape,
)
from markupsafe import Markup

from ..errors import SentinelError
from . import formatting
from .markdown import render_inline, render_markdown

THEME_DIR = Path(__file__).resolve().parent.parent / "theme"
STATIC_DIR = "static"


def _finalize(value: Any) -> Any:
    return formatting.GAP if formatting.is_gap(value) else value


def script_hash(script: str) -> str:
    """The CSP source that allows exactly one inline script: ``'sha256-<base64 digest>'``."""
    digest = hashlib.sha256(str(script).encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(scripts: Iterable[str] = (), *, remote_images: bool = False) -> Markup:
    """The policy of every published page; ``scripts`` are the page's own inline scripts (by hash).

    Markup: built only from constants and base64 digests (no ``"``, ``<`` or ``&``), so the single quotes
    can stay readable inside the double-quoted ``content`` attribute."""
    images = "'self' data:" + (" https: http:" if remote_images else "")
    allowed = " ".join(script_hash(s) for s in scripts) or "'none'"
    return Markup(
        f"default-src 'none'; img-src {images}; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
        f"script-src {allowed}; base-uri 'none'; form-action 'none'"
    )


def style_text(css: str) -> Markup:
    """Stylesheet text for a ``<style>`` element. It comes from stylesheet files (the theme's, or the
    project's ``templates/static/``), never from data or content; still, a ``</`` in it (a comment, a
    string) is written ``<\\/``, which CSS reads the same, so no text of it can close the element early."""
    return Markup(str(css).replace("</", "<\\/"))


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept for the life of the process, shared by every environment ``make_environment``
    makes: a second build in one process (``sentinel serve``, ``check`` then ``build`` in a test, a forked
    worker) does not parse and compile the theme again. Jinja keys a template by its name and file and checks
    the source's SHA-1 before using the code, so an edited template is compiled afresh. Every environment
    made here has the same syntax settings, which is what makes their compiled code interchangeable."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Any) -> None:
        data = self._code.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Any) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()


_COMPILED = _CompiledTemplates()


def make_environment(project_templates: Path | None = None, *, remote_images: bool = False) -> Environment:
    """An environment that looks in ``project_templates`` (when it exists) before the built-in theme.

    ``remote_images`` (``content.allow_remote_images``) keeps markdown images to other hosts as images and
    lets the pages' policy load them; by default they are links."""
    theme = FileSystemLoader(str(THEME_DIR))
    loaders = [PrefixLoader({"default": theme}, delimiter=":")]
    if project_templates is not None and Path(project_templates).is_dir():
        loaders.append(FileSystemLoader(str(project_templates)))
    loaders.append(theme)
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml", "svg", "atom"),
            disabled_extensions=("txt", "md"),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=_COMPILED,
    )
    env.filters.update(formatting.FILTERS)
    env.filters["style_text"] = style_text
    env.filters["markdown"] = functools.partial(render_markdown, remote_images=remote_images)
    env.filters["markdown_inline"] = functools.partial(render_inline, remote_images=remote_images)
    env.globals["csp"] = functools.partial(content_security_policy, remote_images=remote_images)
    env.globals["remote_images"] = remote_images
    env.globals["status_token"] = formatting.status_token
    env.globals["GAP"] = formatting.GAP
    return env


def relative_root(page_path: str) -> str:
    """The relative path from a page back to the site root: ``briefs/2026-W47/index.html -> "../../"``."""
    parts = PurePosixPath(page_path).parts
    if PurePosixPath(page_path).is_absolute() or ".." in parts:
        raise ValueError(f"page path must be relative to the site root: {page_path!r}")
    return "../" * (len(parts) - 1)


_HEAD_RE = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_CSP_META_RE = re.compile(r"<meta\s[^>]*http-equiv\s*=\s*[\"']?content-security-policy", re.IGNORECASE)


def render_page(
    env: Environment, name: str, /, *, page_path: str = "index.html", policy: bool = True, **context: Any
) -> str:
    """Render template ``name`` for the page that will live at ``page_path`` in the site.

    Adds ``root`` (relative path to the site root, e.g. ``"../../"``; ``""`` at the top) and ``page_path``
    to the context; everything else the template needs comes from ``context``. A web page (``policy``, the
    default; the e-mail passes False) whose template lost the Content-Security-Policy meta, e.g. a
    project's own ``base.html``, gets the script-free policy inserted right after ``<head>``.
    """
    context.setdefault("root", relative_root(page_path))
    try:
        template = env.get_template(name)
    except (UnicodeDecodeError, OSError) as exc:  # a project's template that is not UTF-8 text, or unreadable
        raise TemplateError(f"{name}: cannot read the template ({type(exc).__name__}: {exc})") from None
    try:
        html = template.render(page_path=page_path, **context)
    except (TemplateError, SentinelError):
        raise
    except Exception as exc:  # raised by an expression of the template ({{ 1 / 0 }} in a project's own)
        raise TemplateRuntimeError(f"{_template_line(exc, template)}: {type(exc).__name__}: {exc}") from None
    is_page = not isinstance(name, str) or name.endswith((".html", ".htm"))  # or a Template object
    if policy and is_page and not _CSP_META_RE.search(html):
        head = _HEAD_RE.search(html)
        if head is not None:
            meta = f'\n<meta http-equiv="Content-Security-Policy" content="{env.globals["csp"]()}">'
            html = html[: head.end()] + meta + html[head.end() :]
    return html


def _template_line(exc: BaseException, template: Any) -> str:
    """Where in a template ``exc`` was raised (``brief.html, line 3``): the innermost frame Jinja mapped to
    a template file (an included or inherited template included), else the template rendered."""
    where = str(getattr(template, "name", None) or "template")
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".htm", ".md", ".txt", ".xml", ".j2", ".jinja")):
            where = f"{Path(filename).name}, line {tb.tb_lineno}"
        tb = tb.tb_next
    return where


def static_files(project_templates: Path | None = None) -> dict[str, bytes]:
    """Files for ``site/static/``, by site path: the theme's, overridden by ``templates/static/`` by name."""
    files: dict[str, bytes] = {}
    roots = [THEME_DIR / STATIC_DIR]
    if project_templates is not None:
        roots.append(Path(project_templates) / STATIC_DIR)
    for root in roots:
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                files[f"{STATIC_DIR}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return dict(sorted(files.items()))


def theme_css(project_templates: Path | None = None) -> str:
    """The site stylesheet as text (for inlining where a page must stand alone)."""
    return static_files(project_templates)[f"{STATIC_DIR}/sentinel.css"].decode("utf-8")
