"""Markdown from content files: tables work, raw HTML is text, and only safe link schemes survive."""

from __future__ import annotations

import pytest

from sentinel_reports.render.markdown import (
    is_safe_link,
    render_inline,
    render_markdown,
    strip_markdown_emphasis,
)


def test_commonmark_with_tables():
    html = render_markdown("# Title\n\n| SLO | Budget |\n|---|--:|\n| chat | 41% |\n\n- **bold** item\n")
    assert "<h1>Title</h1>" in html
    assert '<td style="text-align:right">41%</td>' in html
    assert "<li><strong>bold</strong> item</li>" in html


def test_raw_html_is_escaped_not_rendered():
    html = render_markdown(
        'Before <script>alert(1)</script> <img src=x onerror="alert(2)">\n\n<div>block</div>\n'
    )
    assert "<script>" not in html and "<img" not in html and "<div>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;div&gt;block&lt;/div&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
        "//evil.example/x",
    ],
)
def test_unsafe_links_are_dropped(url):  # type: ignore[no-untyped-def]
    assert not is_safe_link(url)
    html = render_markdown(f"[click](<{url}>) and ![img](<{url}>)")
    assert "href=" not in html and "src=" not in html
    assert "click" in html


def test_control_characters_do_not_hide_a_scheme():
    assert not is_safe_link("java\tscript:alert(1)")
    assert not is_safe_link("\u200bjavascript:alert(1)")
    # markdown-it percent-encodes the tab, which leaves a harmless relative link
    assert "javascript:" not in render_markdown("[x](<java\tscript:alert(1)>)")


@pytest.mark.parametrize(
    "url",
    [
        "https://runbooks.example/x",
        "http://a.example",
        "mailto:sre@example.com",
        "#next-actions",
        "../status/index.html",
        "incidents/INC-1.html",
    ],
)
def test_safe_links_are_kept(url):  # type: ignore[no-untyped-def]
    assert is_safe_link(url)
    assert "href=" in render_markdown(f"[ok]({url})")


def test_inline_rendering_has_no_paragraph_and_escapes():
    assert render_inline("**Current AI Platform Status: Degraded** | <b>x</b>") == (
        "<strong>Current AI Platform Status: Degraded</strong> | &lt;b&gt;x&lt;/b&gt;"
    )


def test_strip_markdown_emphasis():
    assert strip_markdown_emphasis("**Status: Degraded** | Error budget remaining: 41%") == (
        "Status: Degraded | Error budget remaining: 41%"
    )
    assert strip_markdown_emphasis("unbalanced ** marker") == "unbalanced  marker"
