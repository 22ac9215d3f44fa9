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


@pytest.mark.parametrize(
    "src", ["https://tracker.example/p.png", "http://tracker.example/p.png", "//tracker.example/p.png"]
)
def test_remote_images_become_links_by_default(src: str) -> None:
    html = render_markdown(f"See ![the graph]({src}) here.\n")
    assert "<img" not in html
    if src.startswith("//"):  # scheme-relative: not a safe link, shown as text
        assert "the graph" in html
    else:
        assert f'<a href="{src}" class="remote-image">the graph</a>' in html
    assert "<img" not in render_inline(f"![x]({src})")


def test_remote_image_without_alt_text_links_with_its_address() -> None:
    html = render_markdown("![](https://tracker.example/p.png)\n")
    assert (
        '<a href="https://tracker.example/p.png" class="remote-image">https://tracker.example/p.png</a>'
        in html
    )


def test_relative_images_stay_and_remote_ones_when_allowed() -> None:
    assert '<img src="diagram.png" alt="diagram" />' in render_markdown("![diagram](diagram.png)\n")
    html = render_markdown("![g](https://grafana.example/x.png)\n", remote_images=True)
    assert '<img src="https://grafana.example/x.png" alt="g" />' in html


def test_markdown_document_has_no_images_unless_allowed() -> None:
    from sentinel_reports.render.markdown import safe_markdown_document

    md = "Note ![beacon](https://tracker.example/p.png) and ![local](x.png)\n"
    safe = safe_markdown_document(md)
    assert "![" not in safe and "[beacon](https://tracker.example/p.png)" in safe
    assert safe_markdown_document(md, remote_images=True).count("![") == 2
