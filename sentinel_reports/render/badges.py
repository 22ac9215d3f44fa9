"""Status badges: small shields-style SVGs, ``status | operational ✓``, one per component.

    svg = badge_svg("no_data", title="Assistant Chat API")     # grey "no data ?", never green

Every badge carries colour, an icon and a word, a ``<title>`` and ``aria-label`` for text alternatives, and
the system font stack (no external fonts). Widths come from per-character advance estimates for an 11 px
sans-serif, so the text fits without a browser measuring it. White text on each status colour meets WCAG
2.1 AA (4.5:1). Output is deterministic.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .formatting import status_token

FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif'
)
FONT_SIZE = 11
HEIGHT = 20
PADDING = 6
LABEL_COLOUR = "#3d444d"
TEXT_COLOUR = "#ffffff"

# token key -> (message, fill). The light theme's status colours; each gives >= 4.5:1 with white text.
MESSAGES = {
    "operational": ("operational", "#176f2c"),
    "degraded": ("degraded", "#8a5d00"),
    "at_risk": ("at risk", "#8a5d00"),
    "partial_outage": ("partial outage", "#b04800"),
    "major_outage": ("major outage", "#c4242f"),
    "maintenance": ("maintenance", "#0a5fc4"),
    "no_data": ("no data", "#59636e"),
}

# Advance widths (px at 11 px) for a typical sans-serif; unknown characters count as wide.
_NARROW = set("fijlrtI.,:;'!|()[] ")
_WIDE = set("mwMW@%")
_ICON_WIDTH = 11.0


def text_width(text: str) -> float:
    """Estimated rendered width of ``text`` in px at 11 px."""
    width = 0.0
    for ch in text:
        if ch in _NARROW:
            width += 3.5
        elif ch in _WIDE:
            width += 9.5
        elif ch.isupper() or ch.isdigit():
            width += 7.2
        elif ch.isascii():
            width += 6.2
        else:
            width += _ICON_WIDTH
    return width


def badge_svg(state: str | None, *, label: str = "status", title: str | None = None) -> str:
    """An SVG badge for any status spelling; ``None`` and unknown states are "no data", grey."""
    token = status_token(state)
    message, fill = MESSAGES[token.key]
    shown = f"{message} {token.icon}"
    label_w = round(text_width(label) + 2 * PADDING)
    message_w = round(text_width(shown) + 2 * PADDING)
    total = label_w + message_w
    name = f"{title}: " if title else ""
    alt = (
        f"{name}{label} {token.word}"
        if token.key != "no_data"
        else f"{name}{label} no data (observability gap)"
    )
    hatch = ""
    if token.key == "no_data":
        # A hatched strip along the bottom: "no data" stays distinguishable in greyscale and never reads as
        # a pale green; the text area keeps a solid fill for contrast.
        hatch = (
            '<defs><pattern id="sentinel-badge-hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<rect width="2" height="4" fill="#d1d9e0"/></pattern></defs>'
            f'<rect x="{label_w}" y="{HEIGHT - 3}" width="{message_w}" height="3" fill="url(#sentinel-badge-hatch)"/>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{HEIGHT}" '
        f'viewBox="0 0 {total} {HEIGHT}" role="img" aria-label={quoteattr(alt)}>'
        f"<title>{escape(alt)}</title>"
        f'<rect width="{label_w}" height="{HEIGHT}" rx="3" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{label_w}" width="{message_w}" height="{HEIGHT}" rx="3" fill="{fill}"/>'
        f'<rect x="{label_w}" width="4" height="{HEIGHT}" fill="{fill}"/>'
        f"{hatch}"
        f'<g fill="{TEXT_COLOUR}" font-family={quoteattr(FONT_FAMILY)} font-size="{FONT_SIZE}" '
        f'text-anchor="middle" aria-hidden="true">'
        f'<text x="{label_w / 2:g}" y="14">{escape(label)}</text>'
        f'<text x="{label_w + message_w / 2:g}" y="14">{escape(shown)}</text>'
        "</g></svg>\n"
    )
