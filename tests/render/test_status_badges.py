"""Status badges: colour + icon + word, a text alternative, no external fonts, and no_data never green."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from sentinel_reports.render.badges import MESSAGES, badge_svg, text_width

SVG = "{http://www.w3.org/2000/svg}"
GREENS = {"#176f2c", "#3fb950"}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _parts(svg: str) -> tuple[ET.Element, list[str], list[str]]:
    root = ET.fromstring(svg)
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    return root, texts, fills


@pytest.mark.parametrize(
    ("state", "message", "icon"),
    [
        ("operational", "operational", "✓"),
        ("degraded_performance", "degraded", "◐"),
        ("partial_outage", "partial outage", "▲"),
        ("major_outage", "major outage", "✕"),
        ("under_maintenance", "maintenance", "⚙"),
        ("no_data", "no data", "?"),
    ],
)
def test_badge_has_word_icon_title_and_system_font(state, message, icon):
    svg = badge_svg(state, title="Assistant Chat API")
    root, texts, _ = _parts(svg)
    assert texts == ["status", f"{message} {icon}"]
    title = root.find(f"{SVG}title").text
    assert title.startswith("Assistant Chat API: status") and root.get("role") == "img"
    assert root.get("aria-label") == title
    assert "system-ui" in svg and "sans-serif" in svg
    assert "@import" not in svg and "url(http" not in svg and "<script" not in svg
    assert int(root.get("width")) == round(text_width("status") + 12) + round(
        text_width(f"{message} {icon}") + 12
    )


@pytest.mark.parametrize("state", [None, "no_data", "unknown", "something-new"])
def test_missing_data_badge_is_grey_no_data_never_green(state):
    svg = badge_svg(state)
    _, texts, fills = _parts(svg)
    assert texts[1] == "no data ?"
    assert not GREENS & set(fills)
    assert "#59636e" in fills
    assert "observability gap" in svg


def test_every_message_colour_meets_aa_with_white_text():
    for _, fill in MESSAGES.values():
        ratio = (1.05) / (_luminance(fill) + 0.05)
        assert ratio >= 4.5, fill


def test_width_grows_with_text_and_text_is_escaped():
    assert text_width("operational ✓") > text_width("no data ?")
    svg = badge_svg("operational", label='a<b>&"c"', title="<x>")
    root = ET.fromstring(svg)  # well-formed despite the markup characters
    assert [t.text for t in root.iter(f"{SVG}text")][0] == 'a<b>&"c"'
    assert badge_svg("operational") == badge_svg("operational")


def test_widths_follow_the_font_metrics_with_kerning():
    # proportional: "i" is narrow and "W" wide; a kerning pair ("To") is narrower than its letters apart
    assert text_width("iiii") < text_width("WWWW")
    assert text_width("To") < text_width("T") + text_width("o")
    assert text_width("Assistant Chat API") > text_width("status")


def test_published_badges_name_their_component(example_site) -> None:  # type: ignore[no-untyped-def]
    site = example_site[0]
    badges = sorted((site / "status" / "badges").glob("*.svg"))
    assert badges
    for badge in badges:
        _, texts, _ = _parts(badge.read_text(encoding="utf-8"))
        assert texts[0] != "status" and texts[0], badge.name  # the left side is the component's name
