"""Hostile input, parametrised over payloads and output formats: every payload either reaches each output as
inert text or is rejected with a clear ConfigError/SourceError/PublishError (exit 1, no traceback).

One project per payload family, built once per module (see hostile_corpus for what goes where).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from tests.integrity import hostile_corpus as hc
from tests.integrity import inert
from tests.integrity.conftest import assert_clean_failure, run_cli

# format -> (file pattern, problems(bytes), visible text(bytes))
FORMATS: dict[str, tuple[str, Callable[[bytes], list[str]], Callable[[bytes], str]]] = {
    "html": ("*.html", lambda d: inert.page_problems(d.decode()), lambda d: inert.html_text(d.decode())),
    "markdown": ("*.md", lambda d: inert.markdown_problems(d.decode()), lambda d: d.decode()),
    "email": ("*.eml", inert.email_problems, inert.email_text),
    "pdf": ("*.pdf", inert.pdf_problems, inert.pdf_text),
    "pptx": ("*.pptx", inert.pptx_problems, inert.pptx_text),
    "json": ("*.json", inert.json_problems, lambda d: "\n".join(inert.json_strings(json.loads(d)))),
    "csv": ("*.csv", inert.csv_problems, inert.csv_text),
    "atom": ("*.atom", inert.atom_problems, inert.atom_text),
    "svg": ("*.svg", inert.svg_problems, inert.svg_text),
}
# Where each payload is expected to be visible (as text): component names reach CSV and SVG badges only;
# the recommendation's markdown link text is not part of the deck.
IN_COMPONENT_NAMES = {"img_onerror", "css_breakout", "attr_breakout"}
VISIBLE = {fmt: set(hc.MARKUP) for fmt in FORMATS}
VISIBLE["csv"] = VISIBLE["svg"] = IN_COMPONENT_NAMES
VISIBLE["pptx"] = set(hc.MARKUP) - {"data_link"}


def build(project: Path, out: Path, only: str | None = None) -> None:
    args = ["build", "--project", str(project), "--out", str(out)] + (["--only", only] if only else [])
    result = run_cli(*args)
    assert result.exit_code == 0, (result.output[-3000:], result.exception)


@pytest.fixture(scope="module")
def markup_site(module_tmp: Path) -> Path:
    project = hc.plant_markup(hc.new_project(module_tmp / "markup"))
    build(project, module_tmp / "markup-site")
    return module_tmp / "markup-site"


TEXT_FORMATS = {"html", "markdown", "email", "json", "csv", "atom", "svg"}


@cache
def _scan(site: Path, fmt: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Problems and visible text of every file of one format; no file may carry a raw control or bidi
    character, in its bytes (text formats) or in what a reader sees (all formats)."""
    pattern, problems, text = FORMATS[fmt]
    files = sorted(site.rglob(pattern))
    assert files, f"no {pattern} in {site}"
    texts = {p.relative_to(site).as_posix(): text(p.read_bytes()) for p in files}
    found = {}
    for p in files:
        rel = p.relative_to(site).as_posix()
        raw = p.read_bytes().decode("utf-8", "replace") if fmt in TEXT_FORMATS else ""
        found[rel] = (
            problems(p.read_bytes()) + inert.control_problems(raw) + inert.control_problems(texts[rel])
        )
    return found, texts


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_markup_payloads_are_inert(markup_site: Path, fmt: str) -> None:
    found, _ = _scan(markup_site, fmt)
    assert {path: p for path, p in found.items() if p} == {}


@pytest.mark.parametrize(
    ("fmt", "payload"),
    # only the formats that show the field each payload is planted in
    [(fmt, payload) for fmt in sorted(FORMATS) for payload in sorted(hc.MARKUP) if payload in VISIBLE[fmt]],
)
def test_markup_payloads_are_shown_as_text(markup_site: Path, fmt: str, payload: str) -> None:
    _, texts = _scan(markup_site, fmt)
    assert any(hc.MARKERS[payload] in t for t in texts.values()), f"{payload} not visible in any {fmt} file"


def test_markup_pages_have_only_the_themes_scripts(markup_site: Path) -> None:
    """Only the deck's slide navigation (theme/deck.html) is JavaScript; any other <script> is foreign."""
    import sentinel_reports

    theme = Path(sentinel_reports.__file__).parent / "theme"
    deck_scripts = (theme / "deck.html").read_text(encoding="utf-8").lower().count("<script")
    for page in sorted(markup_site.rglob("*.html")):
        expected = deck_scripts if page.parent.parent.name == "decks" else 0
        assert page.read_text(encoding="utf-8").lower().count("<script") == expected, page


def test_markup_site_verifies(markup_site: Path) -> None:
    assert run_cli("verify", str(markup_site)).exit_code == 0


# -- control and bidi characters, remote images ---------------------------------------------------------


@pytest.fixture(scope="module")
def controls_site(module_tmp: Path) -> Path:
    project = hc.plant_controls(hc.new_project(module_tmp / "controls"))
    build(project, module_tmp / "controls-site")
    return module_tmp / "controls-site"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_control_characters_and_remote_images_are_neutralised(controls_site: Path, fmt: str) -> None:
    found, _ = _scan(controls_site, fmt)
    assert {path: p for path, p in found.items() if p} == {}


# field -> formats that show it (the control-free text must be visible there, so the check is not vacuous)
CONTROL_FIELDS = {
    "org": ["html", "email", "pdf", "markdown", "pptx"],
    "incident": ["html", "json", "atom"],
    "component": ["html", "csv", "svg", "json"],
    "team": ["csv", "html"],
    "postmortem": ["html"],
    "maintenance": ["html", "json", "atom"],
    "note": ["html", "email", "markdown", "pdf"],
    "recommendation": ["html", "email", "pdf", "markdown"],
}


@pytest.mark.parametrize(
    ("field", "fmt"), [(field, fmt) for field, formats in sorted(CONTROL_FIELDS.items()) for fmt in formats]
)
def test_control_characters_are_removed_and_the_text_kept(controls_site: Path, field: str, fmt: str) -> None:
    _, texts = _scan(controls_site, fmt)
    visible = hc.controlled(field)[1]
    assert any(visible in t for t in texts.values()), f"{visible!r} not in any {fmt} file"


@pytest.mark.parametrize("kind", ["postmortem", "maintenance", "note"])
def test_remote_images_become_links(controls_site: Path, kind: str) -> None:
    import re

    pages = "\n".join(p.read_text(encoding="utf-8") for p in sorted(controls_site.rglob("*.html")))
    link = re.search(rf'<a href="{re.escape(hc.REMOTE_IMAGE)}\?{kind}"[^>]*>beacon-{kind}</a>', pages)
    assert link, f"no link for the {kind} image"
    assert f"{hc.REMOTE_IMAGE}?{kind}" not in "".join(re.findall(r"<img[^>]*>", pages))


def test_remote_images_stay_images_when_allowed(module_tmp: Path) -> None:
    project = hc.plant_controls(hc.new_project(module_tmp / "allowed"))
    doc = hc.load_config(project)
    doc["content"] = {"allow_remote_images": True}
    hc.save_config(project, doc)
    build(project, module_tmp / "allowed-site", only="status")
    page = (module_tmp / "allowed-site/status/index.html").read_text(encoding="utf-8")
    assert f'<img src="{hc.REMOTE_IMAGE}?maintenance"' in page
    policy = inert.csp_directives(inert.scan_html(page).csp[0])
    assert "https:" in policy["img-src"] and policy["script-src"] == ["'none'"]


def test_pdf_links_are_relative_or_under_base_url(controls_site: Path, module_tmp: Path) -> None:
    from pypdf import PdfReader

    def uris(site: Path) -> list[str]:
        found = []
        for pdf in sorted(site.rglob("brief.pdf")):
            for page in PdfReader(pdf).pages:
                for annot in page.get("/Annots") or []:
                    action = annot.get_object().get("/A")
                    if action is not None and "/URI" in action.get_object():
                        found.append(str(action.get_object()["/URI"]))
        return found

    build_path = str(Path(__file__).resolve().parents[2])
    relative = [u for u in uris(controls_site) if u != f"{hc.REMOTE_IMAGE}?note"]  # the note's image, a link
    assert relative and all(u.startswith("../../evidence/") for u in relative), relative
    project = hc.new_project(module_tmp / "pdf-base")
    doc = hc.load_config(project)
    doc["site"] = {"base_url": "https://reports.example.com/ai/"}
    hc.save_config(project, doc)
    build(project, module_tmp / "pdf-base-site", only="brief")
    absolute = uris(module_tmp / "pdf-base-site")
    assert absolute and all(u.startswith("https://reports.example.com/ai/evidence/") for u in absolute)
    for uri in relative + absolute:
        assert not uri.lower().startswith("file:") and build_path not in uri and str(module_tmp) not in uri


# -- spreadsheet formulas -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def formula_site(module_tmp: Path) -> Path:
    project = hc.plant_formulas(hc.new_project(module_tmp / "formulas"))
    build(project, module_tmp / "formula-site", only="brief")
    return module_tmp / "formula-site"


def test_showback_has_no_live_formula(formula_site: Path) -> None:
    sheets = sorted(formula_site.glob("briefs/*/showback.csv"))
    assert sheets
    for sheet in sheets:
        assert inert.csv_problems(sheet.read_bytes()) == [], sheet


@pytest.mark.parametrize("name", sorted(hc.FORMULAS))
def test_formula_is_kept_as_quoted_text(formula_site: Path, name: str) -> None:
    import csv
    import io

    cells = {
        cell
        for sheet in formula_site.glob("briefs/*/showback.csv")
        for row in csv.reader(io.StringIO(sheet.read_text(encoding="utf-8")))
        for cell in row
    }
    assert "'" + hc.FORMULAS[name] in cells


@pytest.mark.parametrize("fmt", ["html", "json", "email", "markdown"])
def test_formula_team_names_in_other_outputs(formula_site: Path, fmt: str) -> None:
    found, texts = _scan(formula_site, fmt)
    assert {path: p for path, p in found.items() if p} == {}
    assert any(hc.FORMULAS["hyperlink"] in t for t in texts.values())


# -- header injection -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crlf_site(module_tmp: Path) -> Path:
    project = hc.plant_crlf(hc.new_project(module_tmp / "crlf"))
    build(project, module_tmp / "crlf-site", only="brief,status")
    return module_tmp / "crlf-site"


@pytest.mark.parametrize("fmt", ["email", "html", "atom", "json", "markdown"])
def test_crlf_in_organization_and_titles_injects_nothing(crlf_site: Path, fmt: str) -> None:
    found, texts = _scan(crlf_site, fmt)
    assert {path: p for path, p in found.items() if p} == {}
    assert any("attacker@example.com" in t for t in texts.values())


def test_email_headers_are_exactly_the_expected_ones(crlf_site: Path) -> None:
    import email
    import email.policy

    for eml in sorted(crlf_site.glob("briefs/*/brief.eml")):
        msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        assert sorted(k.lower() for k in msg) == sorted(
            ["subject", "from", "to", "date", "message-id", "mime-version", "auto-submitted", "content-type"]
        ), eml
        assert msg["To"] == "leadership@example.com" and msg["From"] == "Sentinel <sentinel@example.com>"


def test_crlf_in_email_sender_is_rejected(module_tmp: Path) -> None:
    project = hc.new_project(module_tmp / "crlf-from")
    doc = hc.load_config(project)
    doc["email"] = {"from": "s@example.com\r\nBcc: attacker@example.com", "to": ["a@example.com"]}
    hc.save_config(project, doc)
    result = run_cli("build", "--project", str(project), "--out", str(module_tmp / "crlf-from-site"))
    assert_clean_failure(result, "From")
    assert not (module_tmp / "crlf-from-site").exists()


# -- path traversal -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def traversal_site(module_tmp: Path) -> Path:
    project = hc.plant_traversal_ids(hc.new_project(module_tmp / "traversal" / "a" / "b"))
    build(project, module_tmp / "traversal" / "site", only="status")
    return module_tmp / "traversal" / "site"


def test_traversal_ids_stay_inside_the_site(traversal_site: Path) -> None:
    root = traversal_site.parent
    outside = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.resolve().is_relative_to(traversal_site.resolve())
        and not p.resolve().is_relative_to((root / "a").resolve())
    )  # fmt: skip
    assert outside == []
    pages = sorted(p.name for p in (traversal_site / "status/incidents").iterdir())
    assert len(pages) == 1 + len(hc.TRAVERSAL_IDS)
    assert all("/" not in n and "\\" not in n and not n.startswith(".") for n in pages)
    assert run_cli("verify", str(traversal_site)).exit_code == 0


@pytest.mark.parametrize("incident_id", hc.TRAVERSAL_IDS)
def test_traversal_ids_keep_their_text_and_links_resolve(traversal_site: Path, incident_id: str) -> None:
    doc = json.loads((traversal_site / "status/api/v2/incidents.json").read_text(encoding="utf-8"))
    assert incident_id in inert.json_strings(doc)
    index = (traversal_site / "status/index.html").read_text(encoding="utf-8")
    hrefs = [h for h in _hrefs(index) if h.startswith("incidents/")]
    assert hrefs and all((traversal_site / "status" / h).is_file() for h in hrefs)


def _hrefs(html: str) -> list[str]:
    from html.parser import HTMLParser

    found: list[str] = []

    class P(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(v for k, v in attrs if k == "href" and v)

    P().feed(html)
    return found


@pytest.mark.parametrize(
    "name", ["<script>alert(1)<", "a..b", "x%2F..%2Fetc", "Upper Case", "name with spaces"]
)
def test_content_file_names_that_are_not_slugs_are_rejected(module_tmp: Path, name: str) -> None:
    project = hc.new_project(module_tmp / f"names-{abs(hash(name))}")
    (project / "content/maintenance" / f"{name}.md").write_text(
        "---\ntitle: x\ncomponents: [retrieval]\nstarts: 2026-11-30T02:00:00Z\nends: 2026-11-30T03:00:00Z\n---\n"
    )
    result = run_cli("build", "--project", str(project), "--out", str(module_tmp / "names-site"))
    assert_clean_failure(result, "not a valid slug")


@pytest.mark.parametrize("component_id", ["../../etc", "a/b", "<script>", "CON"])
def test_component_ids_that_are_not_slugs_are_rejected(module_tmp: Path, component_id: str) -> None:
    project = hc.new_project(module_tmp / f"ids-{abs(hash(component_id))}")
    doc = hc.load_config(project)
    doc["components"][1]["id"] = component_id
    hc.save_config(project, doc)
    assert_clean_failure(run_cli("check", "--project", str(project)), "components[1].id")


# -- oversized fields, nested JSON, YAML bombs ---------------------------------------------------------


@pytest.fixture(scope="module")
def big_site(module_tmp: Path) -> Path:
    project = hc.plant_big_label(hc.plant_big_title(hc.new_project(module_tmp / "big")))
    build(project, module_tmp / "big-site", only="brief,status")
    return module_tmp / "big-site"


def test_fifty_megabyte_fields_are_shortened(big_site: Path) -> None:
    """The build finishes and every file stays small (time is not asserted: a loaded machine is no verdict;
    the hang this guards against is caught by the suite's own duration)."""
    site = big_site
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*") if p.is_file()}
    assert max(sizes.values()) < 5_000_000, max(sizes.items(), key=lambda kv: kv[1])
    incidents = json.loads((site / "status/api/v2/incidents.json").read_text(encoding="utf-8"))
    titles = [s for s in inert.json_strings(incidents) if s.startswith("AAAA")]
    assert titles and all(len(t) <= 300 and t.endswith("…") for t in titles)


def test_nested_json_is_a_source_error(module_tmp: Path) -> None:
    project = hc.plant_nested_pagerduty(hc.new_project(module_tmp / "nested"))
    started = time.perf_counter()
    result = run_cli("build", "--project", str(project), "--out", str(module_tmp / "nested-site"))
    assert_clean_failure(result, "incidents.json", "nested too deeply")
    assert time.perf_counter() - started < 20


@pytest.mark.parametrize("key", ["organization", "business", "top"])
def test_yaml_bomb_in_sentinel_yaml_fails_fast(module_tmp: Path, key: str) -> None:
    project = hc.plant_yaml_bomb_config(hc.new_project(module_tmp / f"bomb-{key}"), key)
    started = time.perf_counter()
    assert_clean_failure(run_cli("check", "--project", str(project)))
    assert time.perf_counter() - started < 10


def test_yaml_bomb_in_front_matter_fails_fast(module_tmp: Path) -> None:
    project = hc.plant_yaml_bomb_front_matter(hc.new_project(module_tmp / "bomb-front"))
    started = time.perf_counter()
    result = run_cli("build", "--project", str(project), "--out", str(module_tmp / "bomb-site"))
    assert_clean_failure(result, "content/notes/2026-W47.md")
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    "text",
    [
        "organization: !!python/object/apply:os.system ['echo pwned']\n",
        "organization: !!python/name:os.system\n",
    ],
)
def test_yaml_python_tags_are_refused(module_tmp: Path, text: str) -> None:
    project = hc.new_project(module_tmp / f"tag-{abs(hash(text))}")
    yaml_text = (project / "sentinel.yaml").read_text(encoding="utf-8")
    (project / "sentinel.yaml").write_text(yaml_text.replace("organization: Example AI Team\n", text))
    assert_clean_failure(run_cli("check", "--project", str(project)), "sentinel.yaml")
