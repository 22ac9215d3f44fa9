"""The built-in theme: contrast of every colour token in both schemes, status tokens, print rules, macros."""

from __future__ import annotations

import re

import pytest

from sentinel_reports.render import formatting
from sentinel_reports.render.environment import THEME_DIR, make_environment

CSS = (THEME_DIR / "static" / "sentinel.css").read_text(encoding="utf-8")


def _tokens(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))


def _schemes() -> dict[str, dict[str, str]]:
    light = _tokens(CSS[CSS.index(":root {") : CSS.index("@media screen and (prefers-color-scheme: dark)")])
    dark_start = CSS.index("@media screen and (prefers-color-scheme: dark)")
    dark = {**light, **_tokens(CSS[dark_start : CSS.index("/* Base */")])}
    return {"light": light, "dark": dark}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


TEXT_TOKENS = ["text", "muted", "link", "good", "bad", *(f"status-{k}" for k in formatting.STATUS_TOKENS)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_colours_meet_wcag_aa_on_every_background(scheme: str):
    tokens = _schemes()[scheme]
    failures = []
    for fg in TEXT_TOKENS:
        for bg in ("bg", "surface", "surface-2"):
            ratio = contrast(tokens[fg], tokens[bg])
            if ratio < 4.5:
                failures.append(f"{fg} on {bg}: {ratio:.2f}")
    for key in formatting.STATUS_TOKENS:  # badge word on its own tint
        ratio = contrast(tokens[f"status-{key}"], tokens[f"tint-{key}"])
        if ratio < 4.5:
            failures.append(f"status-{key} on tint-{key}: {ratio:.2f}")
    if contrast(tokens["banner-text"], tokens["banner-bg"]) < 4.5:
        failures.append("incident banner")
    assert not failures, failures


def test_dark_scheme_is_screen_only_so_print_stays_light():
    assert "@media (prefers-color-scheme: dark)" not in CSS
    assert "@media screen and (prefers-color-scheme: dark)" in CSS


def test_every_status_has_a_css_token_and_no_data_is_hatched_grey():
    for key in formatting.STATUS_TOKENS:
        assert f".status-{key} {{ --c: var(--status-{key});" in CSS
    tokens = _schemes()["light"]
    assert tokens["status-no_data"] != tokens["status-operational"]
    assert "repeating-linear-gradient" in CSS[CSS.index(".day.status-no_data") :]


def test_print_rules_for_weasyprint():
    for rule in (
        "string-set: running-header content(text)",
        "content: string(running-header)",
        'content: "page " counter(page) " / " counter(pages)',
        "content: string(as-of)",
        "tr { break-inside: avoid; }",
        "font-variant-numeric: tabular-nums",
        "max-width: var(--measure)",
    ):
        assert rule in CSS, rule
    assert "@import" not in CSS and "url(" not in CSS  # nothing to fetch: works offline


@pytest.fixture(scope="module")
def m():  # type: ignore[no-untyped-def]
    """The macros module, as a page template sees it after {% import "macros.html" as m %}."""
    return make_environment(None).get_template("macros.html").module


def test_status_badge_has_icon_and_word(m):  # type: ignore[no-untyped-def]
    html = str(m.status_badge("partial_outage"))
    assert 'class="status status-partial_outage"' in html
    assert '<span class="status-icon" aria-hidden="true">▲</span>' in html
    assert ">Partial outage</span>" in html
    assert "Observability gap" in str(m.status_badge(None))


def test_data_table_aligns_numbers_marks_worst_and_gaps(m):  # type: ignore[no-untyped-def]
    html = str(
        m.data_table(
            ["SLO", "Budget remaining (%)"],
            [["chat <api>", "41%"], ["rag", None]],
            caption="SLOs",
            worst=0,
            numeric=(1,),
        )
    )
    assert '<th scope="col" class="num">Budget remaining (%)</th>' in html
    assert '<tr class="worst">' in html and "Worst: </span>chat &lt;api&gt;" in html
    assert '<td class="num gap">no data</td>' in html
    assert "<caption>SLOs</caption>" in html


def test_kpi_tile_gap_and_values(m):  # type: ignore[no-untyped-def]
    gap = str(m.kpi_tile("Cost per successful task", None, target="$0.012"))
    assert 'class="kpi-value gap"' in gap and "no data" in gap and "0.00" not in gap
    tile = str(
        m.kpi_tile("Availability", "99.41%", target="99.5%", delta=formatting.delta_html(-0.0021, "pp", 2))
    )
    assert '<p class="kpi-value">99.41%</p>' in tile and "Target 99.5%" in tile and "▼" in tile


def test_gap_callout_uses_the_exact_sentence(m):  # type: ignore[no-untyped-def]
    html = str(
        m.gap_callout(
            {"specific": "no latency samples from embeddings-api.", "limits": "confirm the latency objective",
             "instrumentation": "a p95 histogram every 60 s", "priority": "P1"}
        )
    )  # fmt: skip
    assert (
        "Current observability gap: no latency samples from embeddings-api. This limits our ability to confirm "
        "the latency objective. Recommended instrumentation: a p95 histogram every 60 s with priority P1."
    ) in html
    assert "Precomputed sentence." in str(m.gap_callout({"sentence": "Precomputed sentence."}))


def test_next_actions_and_recommendation(m):  # type: ignore[no-untyped-def]
    actions = str(
        m.next_actions(
            [{"action": "Add **histogram**", "owner": "Embeddings team", "deadline": "2026-12-02"}]
        )
    )
    assert '<h2 id="next-actions">Next Actions</h2>' in actions
    assert "<strong>histogram</strong>" in actions and '<td class="num">2026-12-02</td>' in actions
    rec = str(
        m.recommendation(
            {"action": "Roll back the index.", "expected_impact": "p95 below 800 ms",
             "risk": {"level": "Low", "likelihood": "low", "impact": "medium", "detection_time": "5 min",
                      "mitigation": "re-apply after fix"}}
        )
    )  # fmt: skip
    assert (
        "<strong>Recommendation: Roll back the index.</strong> Expected impact: p95 below 800 ms. Risk: Low"
        in rec
    )
    for label in ("Likelihood", "Impact", "Detection time", "Mitigation and rollback"):
        assert f'<th scope="row">{label}</th>' in rec
