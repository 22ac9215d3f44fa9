"""The brief email's HTML part in real Chromium at the widths email clients give a message: no horizontal
scroll at 600 px (the common reading-pane width), the recommendation's risk on its own line, and "Next
Actions" said once. Screenshots go to test-artifacts/."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def _email_html(site: Path, week: str) -> str:
    message = email.message_from_bytes(
        (site / f"briefs/{week}/brief.eml").read_bytes(), policy=policy.default
    )
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def _open(chromium, html: str, width: int):  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": width, "height": 900})
    context.route("**/*", lambda route: route.abort())  # cid: images and nothing else: no request leaves
    page = context.new_page()
    page.set_content(html, wait_until="load")
    return context, page


@pytest.mark.parametrize("width", [600, 560])
def test_the_email_fits_without_horizontal_scroll(chromium, example_site, artifacts, width: int) -> None:  # type: ignore[no-untyped-def]
    site, result = example_site
    html = _email_html(site, result.weeks[-1])
    context, page = _open(chromium, html, width)
    try:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            f"""[...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > {width} + 0.5)
                .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
                .slice(0, 8)"""
        )
        page.screenshot(path=str(artifacts / f"brief-email-{width}.png"), full_page=True)
        assert scroll <= width, (scroll, wide)
        assert not wide, wide
        container = page.evaluate("document.querySelector('table.container').getBoundingClientRect().width")
        assert container <= 600 and container >= width - 20, container  # fluid: fills the window up to 600
    finally:
        context.close()


def test_a_wide_window_keeps_the_email_at_600_px(chromium, example_site) -> None:  # type: ignore[no-untyped-def]
    site, result = example_site
    context, page = _open(chromium, _email_html(site, result.weeks[-1]), 1200)
    try:
        assert page.evaluate("document.querySelector('table.container').getBoundingClientRect().width") == 600
    finally:
        context.close()


def test_risk_and_next_actions_read_cleanly(chromium, example_site) -> None:  # type: ignore[no-untyped-def]
    site, result = example_site
    context, page = _open(chromium, _email_html(site, result.weeks[-1]), 600)
    try:
        text = page.evaluate("document.body.innerText")
        assert text.count("Next Actions") - text.count("under Next Actions") == 1, text
        titles = page.locator("section.recommendation h3").all_inner_texts()
        assert titles and all("Risk:" not in t for t in titles), titles
        risks = page.locator("section.recommendation .risk-line").all_inner_texts()
        assert len(risks) == len(titles) and all(r.startswith("Risk: ") for r in risks), risks
        for title in titles:
            line = next(line for line in text.splitlines() if line.strip() == title.strip())
            assert not line.rstrip().endswith(("Low", "Medium", "High")), line
    finally:
        context.close()
