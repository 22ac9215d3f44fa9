"""Status badges: small shields-style SVGs, ``Assistant Chat API | operational ✓``, one per component.

    svg = badge_svg("no_data", label="Assistant Chat API")     # grey "no data ?", never green

The left side names the component, as shields-style badges do. Every badge carries colour, an icon and a
word, a ``<title>`` and ``aria-label`` for text alternatives, and the system font stack (no external fonts).
Text widths come from pybadges' precalculated DejaVu Sans metrics (``data/badge-widths.json``, per-character
advances and kerning pairs, Apache-2.0), so the text fits without a browser measuring it; DejaVu Sans is
wider than the common system sans-serifs, so the estimate errs on the roomy side. The data file is used
rather than the pybadges package, which imports the removed ``pkg_resources`` and pulls in ``requests``.
White text on each status colour meets WCAG 2.1 AA (4.5:1). Output is deterministic.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
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


@cache
def _metrics() -> tuple[float, dict[str, float], dict[str, float]]:
    data = json.loads(resources.files(__package__).joinpath("data/badge-widths.json").read_text("utf-8"))
    return data["mean-character-length"], data["character-lengths"], data["kerning-pairs"]


def text_width(text: str) -> float:
    """Rendered width of ``text`` in px at 11 px (DejaVu Sans metrics at 110 px, divided by ten)."""
    mean, widths, kerning = _metrics()
    width = 0.0
    for i, ch in enumerate(text):
        width += widths.get(ch, mean)
        width -= kerning.get(text[i : i + 2], 0.0)
    return width / 10.0


def badge_svg(state: str | None, *, label: str = "status", title: str | None = None) -> str:
    """An SVG badge for any status spelling; ``None`` and unknown states are "no data", grey."""
    token = status_token(state)
    message, fill = MESSAGES[token.key]
    shown = f"{message} {token.icon}"
    label_w = round(text_width(label) + 2 * PADDING)
    message_w = round(text_width(shown) + 2 * PADDING)
    total = label_w + message_w
    name = f"{title}: " if title and title != label else ""
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
