"""PDF through WeasyPrint, read back with pypdf: text, pages, paper, metadata, byte-identical, offline."""

from __future__ import annotations

import base64
import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest
from markupsafe import Markup

from sentinel_reports.errors import PublishError
from sentinel_reports.publish.pdf import html_to_pdf
from sentinel_reports.render import charts
from sentinel_reports.render.environment import make_environment, render_page, static_files

AS_OF = dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC)
PAGE = """{% extends "base.html" %}{% import "macros.html" as m %}{% block content %}
<h1>Weekly brief 2026-W47</h1>
{{ m.summary_line("**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts") }}
{{ extra }}
{% for i in range(sections) %}<h2>Section {{ i }}</h2><p>{{ "Paragraph text for the printed edition. " * 12 }}</p>
{{ m.data_table(["Team", "Spend ($)"], [["Search", "$1,200"], ["Chat", "$3,400"]], numeric=(1,)) }}{% endfor %}
{% endblock %}"""


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    for rel, data in static_files().items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    (tmp_path / "briefs/2026-W47").mkdir(parents=True)
    return tmp_path


def _html(extra: str = "", sections: int = 8) -> str:
    env = make_environment(None)
    return render_page(
        env,
        env.from_string(PAGE),  # type: ignore[arg-type]
        page_path="briefs/2026-W47/index.html",
        title="Weekly brief 2026-W47",
        site_title="Acme AI Platform",
        running_header="Acme AI Platform · 2026-W47 · Status: Degraded",
        as_of=AS_OF,
        extra=Markup(extra),  # trusted test markup
        sections=sections,
    )


def _pdf(site: Path, html: str, paper: str = "A4") -> bytes:
    return html_to_pdf(
        html,
        site / "briefs/2026-W47",
        site_root=site,
        as_of=AS_OF,
        title="Weekly brief 2026-W47",
        paper=paper,
    )


def test_pdf_text_pages_header_footer_and_metadata(site: Path):
    reader = pypdf.PdfReader(io.BytesIO(_pdf(site, _html())))
    pages = len(reader.pages)
    assert pages >= 2
    first = reader.pages[0].extract_text()
    assert "Weekly brief 2026-W47" in first and "Current AI Platform Status: Degraded" in first
    assert f"page 1 / {pages}" in first and "Data as of 2026-11-22 23:00 UTC" in first
    assert "Acme AI Platform · 2026-W47 · Status: Degraded" not in first  # the first page has the real header
    second = reader.pages[1].extract_text()
    assert "Acme AI Platform · 2026-W47 · Status: Degraded" in second and f"page 2 / {pages}" in second
    assert reader.metadata.title == "Weekly brief 2026-W47"
    assert reader.metadata["/CreationDate"].startswith("D:20261122230000")
    assert reader.metadata["/ModDate"].startswith("D:20261122230000")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_letter_paper(site: Path):
    box = pypdf.PdfReader(io.BytesIO(_pdf(site, _html(sections=1), "Letter"))).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    with pytest.raises(PublishError, match="paper"):
        _pdf(site, _html(sections=1), "A3")


def test_two_renders_are_byte_identical(site: Path):
    html = _html(sections=2)
    assert _pdf(site, html) == _pdf(site, html)


def test_a_pdf_is_the_same_with_the_process_font_configuration_fresh_or_reused(
    site: Path, monkeypatch: pytest.MonkeyPatch
):
    from sentinel_reports.publish import pdf

    html = _html(sections=2)
    monkeypatch.setattr(pdf, "_FONTS", [])
    first = _pdf(site, html)  # the process's first PDF: a fresh configuration, kept
    (kept,) = pdf._FONTS
    assert _pdf(site, html) == first and pdf._FONTS == [kept]  # reused: the same bytes
    assert pdf._font_config("<style>@font-face { font-family: x; src: url(x.woff2) }</style>") is None
    # a linked stylesheet's fonts join the configuration it was given: that one is retired after its PDF
    font = next(Path("/usr/share/fonts").rglob("*.ttf"))  # WeasyPrint draws text with system fonts
    (site / "static/own.ttf").write_bytes(font.read_bytes())
    plain = (site / "static/sentinel.css").read_bytes()
    with (site / "static/sentinel.css").open("a", encoding="utf-8") as css:
        css.write(
            '\n@font-face { font-family: "Own Face"; src: url(own.ttf); }\nh1 { font-family: "Own Face"; }\n'
        )
    _pdf(site, html)
    assert pdf._FONTS == []
    (site / "static/sentinel.css").write_bytes(plain)
    assert _pdf(site, html) == first and len(pdf._FONTS) == 1 and pdf._FONTS[0] is not kept  # a new one, kept


def test_inline_chart_images_are_allowed(site: Path):
    png = charts.ChartRenderer().png(charts.sparkline([1.0, 2.0, 1.5], title="t", description="d"))
    svg = charts.ChartRenderer().svg(charts.sparkline([1.0, 2.0, 1.5], title="t", description="d"))
    img = f'<img alt="trend" src="data:image/png;base64,{base64.b64encode(png).decode()}">{svg}'
    reader = pypdf.PdfReader(io.BytesIO(_pdf(site, _html(img, sections=1))))
    assert len(reader.pages) == 1


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ('<img alt="x" src="https://cdn.example.com/logo.png">', "https://cdn.example.com/logo.png"),
        ('<img alt="x" src="file:///etc/hostname">', "file:///etc/hostname"),
        ('<img alt="x" src="../../static/missing.png">', "missing.png"),
    ],
)
def test_remote_outside_or_missing_resources_fail_the_render(site: Path, extra: str, match: str):
    with pytest.raises(PublishError, match=match):
        _pdf(site, _html(extra, sections=1))


def test_missing_stylesheet_fails_the_render(site: Path):
    (site / "static/sentinel.css").unlink()
    with pytest.raises(PublishError, match="sentinel.css"):
        _pdf(site, _html(sections=1))
