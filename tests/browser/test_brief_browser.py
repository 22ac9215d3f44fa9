"""The web brief and the landing page in real Chromium, opened from file:// as a reader would open the site
from disk: no failed requests, no console errors, no request leaving the site, the section nav sticky on wide
screens, nothing wider than a phone screen, and no serious axe-core findings in either colour scheme.
Screenshots go to test-artifacts/ for a human to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def _open(chromium, url: str, *, width: int = 1400, scheme: str = "light"):  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": width, "height": 900})
    problems: list[str] = []

    def only_files(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            problems.append(f"left the site: {route.request.url}")
            route.abort()

    context.route("**/*", only_files)
    page = context.new_page()
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.emulate_media(color_scheme=scheme)
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, problems


def test_brief_opens_from_disk_cleanly(chromium, example_site, artifacts) -> None:  # type: ignore[no-untyped-def]
    site, result = example_site
    week = result.weeks[-1]
    for scheme in ("light", "dark"):
        context, page, problems = _open(
            chromium, (site / f"briefs/{week}/index.html").as_uri(), scheme=scheme
        )
        try:
            assert page.locator("h1").text_content().startswith(week)
            assert page.locator(".summary-line").text_content().startswith("Current AI Platform Status:")
            assert 3 <= page.locator("ul.kpis > li.kpi").count() <= 5
            assert page.locator("ul.kpis svg[role=img]").count() >= 3  # sparklines
            assert page.locator("figure.chart-figure svg title").count() >= 1
            for anchor in ("summary", "reliability", "cost", "incidents", "quality", "gaps", "recommendations",
                           "next-actions", "appendix"):  # fmt: skip
                assert page.locator(f"#{anchor}-h").is_visible()
            toc = page.locator("nav.brief-toc")
            assert toc.is_visible()
            assert (
                page.evaluate("getComputedStyle(document.querySelector('nav.brief-toc')).position")
                == "sticky"
            )
            page.locator("nav.brief-toc a[href='#cost']").click()
            assert toc.bounding_box()["y"] >= 0 and toc.bounding_box()["y"] < 100  # still on screen
            numbers = page.locator("#table-slos td.num").first
            assert page.evaluate("e => getComputedStyle(e).textAlign", numbers.element_handle()) == "right"
            assert "tabular-nums" in page.evaluate(
                "e => getComputedStyle(e).fontVariantNumeric", numbers.element_handle()
            )
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(artifacts / f"brief-{week}-{scheme}.png"), full_page=True)
            assert problems == []
        finally:
            context.close()


def test_brief_fits_a_phone_and_hides_the_side_nav(chromium, example_site, artifacts) -> None:  # type: ignore[no-untyped-def]
    site, result = example_site
    week = result.weeks[-1]
    context, page, problems = _open(chromium, (site / f"briefs/{week}/index.html").as_uri(), width=390)
    try:
        assert not page.locator("nav.brief-toc").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / f"brief-{week}-phone.png"), full_page=False)
        assert problems == []
    finally:
        context.close()


def test_previous_and_next_week_links_and_landing_page(chromium, example_site, artifacts) -> None:  # type: ignore[no-untyped-def]
    site, result = example_site
    context, page, problems = _open(chromium, (site / "index.html").as_uri())
    try:
        assert page.locator("#archive tbody tr").count() == len(result.weeks)
        page.screenshot(path=str(artifacts / "landing.png"), full_page=True)
        page.locator(".landing-latest h2 a").click()
        assert page.url.endswith(f"briefs/{result.weeks[-1]}/index.html")
        page.locator("a[rel=prev]").click()
        assert page.url.endswith(f"briefs/{result.weeks[-2]}/index.html")
        page.locator("a[rel=next]").click()
        assert page.url.endswith(f"briefs/{result.weeks[-1]}/index.html")
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_problem_in_the_brief(chromium, example_site, scheme: str) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    site, result = example_site
    for rel in (f"briefs/{result.weeks[-1]}/index.html", "index.html"):
        context, page, problems = _open(chromium, (site / rel).as_uri(), scheme=scheme)
        try:
            found = Axe().run(page).response["violations"]
            bad = [
                (v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in found
                if v["impact"] in ("serious", "critical")
            ]
            assert bad == [], f"{rel} ({scheme}): {bad}"
        finally:
            context.close()


def test_email_html_renders_with_images_blocked(chromium, example_site, artifacts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import email
    from email import policy

    site, result = example_site
    raw = (site / "briefs" / result.weeks[-1] / "brief.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=policy.default)
    html = next(p for p in msg.walk() if p.get_content_type() == "text/html").get_content()
    page_file = tmp_path / "email.html"
    page_file.write_text(html, encoding="utf-8")
    context = chromium.new_context(viewport={"width": 700, "height": 900})
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort()
    )
    page = context.new_page()
    try:
        page.goto(page_file.as_uri())
        body = page.locator("body").inner_text()
        assert "Service level objectives" in body and "Next Actions" in body
        assert page.evaluate("document.querySelector('table.container').getBoundingClientRect().width") <= 642
        page.screenshot(path=str(artifacts / "brief-email-images-blocked.png"), full_page=True)
    finally:
        context.close()
