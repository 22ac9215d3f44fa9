"""The status page in a real browser, opened from disk with JavaScript disabled; axe-core in both schemes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sentinel_reports.publish.site import SiteWriter
from sentinel_reports.publish.status import publish_status
from sentinel_reports.render.environment import make_environment, static_files
from sentinel_reports.render.status_common import safe_file_id

pytestmark = pytest.mark.browser


def _load_helper():
    spec = importlib.util.spec_from_file_location(
        "status_facts", Path(__file__).parents[1] / "render" / "status_facts.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sf = _load_helper()
COMPONENTS = ("chat-api", "rag-search", "embeddings", "batch-evals")


@pytest.fixture(scope="module", params=["calm", "incident"])
def site(request, tmp_path_factory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp(f"site-{request.param}") / "site"
    with SiteWriter(out) as writer:
        for path, data in static_files(None).items():
            writer.write_bytes(path, data)
        publish_status(
            writer,
            sf.facts(incident_mode=request.param == "incident"),
            make_environment(None),
            sf.config(),
            None,
        )
    return request.param, out


def _open(chromium, url: str, *, javascript: bool = False, scheme: str = "light"):
    context = chromium.new_context(java_script_enabled=javascript, viewport={"width": 1100, "height": 900})
    outside: list[str] = []

    def only_files(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    page = context.new_page()
    page.emulate_media(color_scheme=scheme)
    page.goto(url)
    return context, page, outside


def test_components_bars_and_gaps_render_without_javascript(chromium, site, artifacts):
    mode, root = site
    context, page, outside = _open(chromium, (root / "status/index.html").as_uri())
    try:
        assert page.locator("script").count() == 0
        rows = page.locator("li.component")
        assert rows.count() == len(COMPONENTS)
        for cid in COMPONENTS:
            row = page.locator(f"#component-{cid}")
            assert row.is_visible()
            assert row.locator("ol.bar > li").count() == 90
        # 7 planted days on rag-search + 90 days on embeddings, hatched and labelled
        gaps = page.locator("ol.bar > li.g")
        assert gaps.count() == 97
        assert "Observability gap" in gaps.first.text_content()
        assert gaps.first.bounding_box()["height"] > 10
        # day details without JavaScript: hover shows the day's text, <details> opens on click
        cell = page.locator("#component-chat-api ol.bar > li").nth(80)
        cell.hover()
        tooltip = cell.locator("span")
        assert tooltip.is_visible() and "INC-101" in tooltip.text_content()
        details = page.locator("#component-rag-search details")
        details.locator("summary").click()
        assert details.locator("tbody tr").count() == 7 and details.locator("table").is_visible()
        panel = page.locator("section.gap-panel")
        assert panel.is_visible() and panel.locator("ol.gaps > li").count() == 2
        assert page.locator("#history").is_visible() and page.locator("#maintenance").is_visible()
        if mode == "incident":
            banner = page.locator(".incident-banner")
            assert banner.is_visible()
            top_of_main = page.locator("main").bounding_box()["y"]
            assert banner.bounding_box()["y"] < top_of_main
            assert "Failing over inference" in banner.text_content()
        page.screenshot(path=str(artifacts / f"status-{mode}-light.png"), full_page=True)
        assert outside == []
    finally:
        context.close()


def test_incident_page_renders_without_javascript(chromium, site, artifacts):
    mode, root = site
    name = safe_file_id(sf.UNSAFE_ID)
    context, page, outside = _open(chromium, (root / f"status/incidents/{name}.html").as_uri())
    try:
        assert page.locator("h1").text_content().startswith('<script>alert("x")</script>')
        page.locator("text=Back to the status page").click()
        assert page.url.endswith("/status/index.html")
        page.goto((root / "status/incidents/INC-101.html").as_uri())
        assert page.locator("#timeline + .table-wrap tbody tr").count() == 6
        page.screenshot(path=str(artifacts / f"status-incident-page-{mode}.png"), full_page=True)
        assert outside == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_reports_no_serious_or_critical_violations(chromium, site, artifacts, scheme):
    """axe-core is itself a script, so it runs in a JavaScript-enabled context; the pages carry no script
    (asserted above), so the DOM it checks is the one a reader without JavaScript gets."""
    from axe_playwright_python.sync_playwright import Axe

    mode, root = site
    pages = ["status/index.html", "status/incidents/INC-101.html"]
    for rel in pages:
        context, page, outside = _open(chromium, (root / rel).as_uri(), javascript=True, scheme=scheme)
        try:
            results = Axe().run(page)
            bad = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert bad == [], f"{rel} ({scheme}): {bad}"
            if rel.endswith("index.html"):
                page.screenshot(path=str(artifacts / f"status-{mode}-{scheme}-axe.png"), full_page=True)
            assert outside == []
        finally:
            context.close()
