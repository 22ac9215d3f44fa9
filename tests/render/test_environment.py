"""Template lookup (project first, built-in theme, `default:` escape hatch), escaping and strictness."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from sentinel_reports.render.environment import (
    THEME_DIR,
    make_environment,
    relative_root,
    render_page,
    static_files,
    theme_css,
)

PAGE = '{% extends "base.html" %}{% block content %}<h1>{{ heading }}</h1>{% endblock %}'


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    templates = tmp_path / "templates"
    for name, text in files.items():
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        (templates / name).write_text(text, encoding="utf-8")
    return templates


def test_builtin_base_page_has_landmarks_noindex_and_relative_css(tmp_path: Path):
    env = make_environment(_project(tmp_path, {"page.html": PAGE}))
    html = render_page(env, "page.html", page_path="briefs/2026-W47/index.html", title="Brief", heading="Hi")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<link rel="stylesheet" href="../../static/sentinel.css">' in html
    assert '<a class="skip-link" href="#main">' in html
    for landmark in ('<header class="site-header">', '<main id="main"', '<footer class="site-footer">'):
        assert landmark in html
    assert "http://" not in html and "https://" not in html


def test_project_template_overrides_and_can_extend_the_default(tmp_path: Path):
    override = (
        '{% extends "default:base.html" %}{% block footer %}<footer>custom footer</footer>{% endblock %}'
    )
    env = make_environment(_project(tmp_path, {"base.html": override, "page.html": PAGE}))
    html = render_page(env, "page.html", title="T", heading="H")
    assert "<footer>custom footer</footer>" in html
    assert "skip-link" in html  # the rest still comes from the built-in base
    assert "Internal publication" not in html


def test_missing_project_folder_uses_the_theme():
    env = make_environment(Path("/nonexistent/templates"))
    html = env.from_string('{% import "macros.html" as m %}{{ m.status_badge("degraded") }}').render()
    assert "status-degraded" in html


def test_autoescape_and_markdown_filter():
    env = make_environment(None)
    out = env.from_string("{{ title }} {{ body|markdown }}").render(
        title="<script>x</script>", body="[a](javascript:alert(1)) <i>raw</i>"
    )
    assert "&lt;script&gt;" in out and "<script>" not in out
    assert "href" not in out and "&lt;i&gt;raw&lt;/i&gt;" in out


def test_text_templates_are_not_escaped(tmp_path: Path):
    env = make_environment(_project(tmp_path, {"brief.txt": "{{ line }}", "brief.md": "{{ line }}"}))
    assert env.get_template("brief.txt").render(line="A & B <x>") == "A & B <x>"
    assert env.get_template("brief.md").render(line="A & B") == "A & B"


def test_undefined_variables_fail_loudly_and_none_is_a_gap():
    env = make_environment(None)
    with pytest.raises(UndefinedError):
        env.from_string("{{ misspelt }}").render()
    assert env.from_string("{{ value }}|{{ value|pct }}").render(value=None) == "no data|no data"
    assert env.from_string("{{ 0.4123|pct(1) }} {{ 1234.5|money('USD') }}").render() == "41.2% $1,235"


def test_relative_root():
    assert relative_root("index.html") == ""
    assert relative_root("status/incidents/INC-1.html") == "../../"
    with pytest.raises(ValueError):
        relative_root("../x.html")
    with pytest.raises(ValueError):
        relative_root("/abs/x.html")


def test_static_files_layered(tmp_path: Path):
    assert "static/sentinel.css" in static_files(None)
    assert theme_css().startswith("/* Sentinel Reports")
    templates = _project(tmp_path, {"static/sentinel.css": "body{}", "static/logo.svg": "<svg/>"})
    files = static_files(templates)
    assert files["static/sentinel.css"] == b"body{}"
    assert files["static/logo.svg"] == b"<svg/>"
    assert list(files) == sorted(files)


def test_incident_mode_banner_and_as_of_footer():
    env = make_environment(None)
    html = render_page(
        env,
        "base.html",
        title="Status",
        as_of=dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC),
        incident={
            "affected": "Assistant Chat API <major outage>",
            "since": "2026-11-22T21:40:00Z",
            "action": "Failing over to the secondary region.",
            "next_update": dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC),
        },
    )
    banner = html[html.index('class="incident-banner"') : html.index('<header class="site-header">')]
    assert "Assistant Chat API &lt;major outage&gt;" in banner
    assert "2026-11-22 21:40 UTC" in banner and "2026-11-22 23:30 UTC" in banner
    assert "Data as of 2026-11-22 23:00 UTC" in html


def test_theme_ships_the_documented_templates():
    for name in ("base.html", "macros.html", "email.html", "static/sentinel.css"):
        assert (THEME_DIR / name).is_file(), name


def test_every_page_gets_the_policy_even_from_a_base_without_it(tmp_path: Path):
    bare = "<!DOCTYPE html><html><head><title>{{ title }}</title></head><body>{% block content %}{% endblock %}</body></html>"
    env = make_environment(_project(tmp_path, {"base.html": bare, "page.html": PAGE}))
    html = render_page(env, "page.html", page_path="index.html", title="T", heading="Hi")
    assert html.count("Content-Security-Policy") == 1
    assert html.index("Content-Security-Policy") < html.index("<title>")
    assert "default-src 'none'; img-src 'self' data:;" in html and "script-src 'none'" in html
    assert "Content-Security-Policy" not in render_page(
        env, "page.html", policy=False, title="T", heading="Hi"
    )


def test_builtin_pages_carry_the_policy_once_and_remote_images_widen_only_img_src(tmp_path: Path):
    html = render_page(make_environment(None), "base.html", title="T")
    assert html.count("Content-Security-Policy") == 1
    allowed = render_page(make_environment(None, remote_images=True), "base.html", title="T")
    assert "img-src 'self' data: https: http:;" in allowed and "script-src 'none'" in allowed


def test_an_error_raised_by_a_template_expression_names_the_template_and_line(tmp_path: Path):
    """`{{ 1 / 0 }}` in a project's template (or one it includes) is a template error naming the file and
    line, which every publication reports as a PublishError, never a traceback."""
    from jinja2 import TemplateError

    included = (
        "{% extends 'base.html' %}{% block content %}\n<p>ok</p>\n{% include 'part.html' %}{% endblock %}"
    )
    env = make_environment(_project(tmp_path, {"page.html": included, "part.html": "<p>\n{{ 10 // n }}</p>"}))
    with pytest.raises(TemplateError, match=r"^part\.html, line 2: ZeroDivisionError: integer division"):
        render_page(env, "page.html", title="t", n=0)
    assert "<p>\n1</p>" in render_page(env, "page.html", title="t", n=10)
    with pytest.raises(UndefinedError):  # Jinja's own errors pass unchanged
        render_page(env, "page.html", title="t")


def test_a_template_that_is_not_utf8_text_is_a_template_error_naming_it(tmp_path: Path):
    from jinja2 import TemplateError

    templates = _project(tmp_path, {"ok.html": "fine"})
    (templates / "page.html").write_bytes(b"\xff\xfe not text")
    env = make_environment(templates)
    with pytest.raises(TemplateError, match=r"^page\.html: cannot read the template \(UnicodeDecodeError"):
        render_page(env, "page.html", title="t")
    assert render_page(env, "ok.html", title="t") == "fine"


def test_a_later_environment_reuses_compiled_templates_and_an_edited_one_is_compiled_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from jinja2 import Environment

    compiled: list[str | None] = []
    real_compile = Environment.compile

    def counting_compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return real_compile(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", counting_compile)
    templates = _project(tmp_path, {"page.html": PAGE})
    first = render_page(make_environment(templates), "page.html", title="T", heading="first")
    assert "page.html" in compiled
    compiled.clear()
    again = render_page(make_environment(templates), "page.html", title="T", heading="first")
    assert again == first and compiled == []  # neither the page nor base.html is compiled again
    (templates / "page.html").write_text(PAGE.replace("<h1>", "<h2>").replace("</h1>", "</h2>"), "utf-8")
    edited = render_page(make_environment(templates), "page.html", title="T", heading="first")
    assert compiled == ["page.html"] and "<h2>first</h2>" in edited and "<h1>" not in edited


def test_an_inlined_stylesheet_cannot_close_its_style_element(tmp_path: Path):
    """A project's stylesheet (templates/static/) inlined in a page: a "</style>" in a comment or a string
    stays text of the stylesheet, written "<\\/style>", which CSS reads the same."""
    env = make_environment(_project(tmp_path, {"page.html": PAGE}))
    css = 'body { color: #111; } /* </style><script>alert(1)</script> */ a::after { content: "</b>"; }'
    html = render_page(env, "page.html", title="T", heading="H", inline_css=css)
    style = html[html.index("<style>") : html.index("</style>") + len("</style>")]
    assert html.count("</style>") == 1  # the "<script>" stays comment text inside the stylesheet
    assert style == "<style>" + css.replace("</", "<\\/") + "</style>"
