"""Charts: one palette, reference lines, direct labels, text alternatives, offline rendering and the cache."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest

from sentinel_reports.render import charts

POINTS = [
    {
        "date": f"2026-11-{d:02d}",
        "remaining": None if d in (5, 6) else round(0.9 - d * 0.03, 4),
        "slo": "chat",
    }
    for d in range(1, 15)
] + [{"date": f"2026-11-{d:02d}", "remaining": round(0.8 - d * 0.02, 4), "slo": "rag"} for d in range(1, 15)]


def _line(**kw):  # type: ignore[no-untyped-def]
    return charts.line_chart(
        POINTS,
        x="date",
        y="remaining",
        series="slo",
        title="Chat burned budget 2.3x faster than sustainable in W47",
        description="Error budget remaining per SLO, 1–14 Nov: chat 48%, rag 52%.",
        reference=charts.Reference(0.5, "Release freeze below 50%"),
        **kw,
    )


def test_line_chart_spec_states_conclusion_with_reference_and_direct_labels():
    spec = _line()
    assert spec["title"] == "Chat burned budget 2.3x faster than sustainable in W47"
    assert spec["config"]["range"]["category"] == list(charts.PALETTE)
    assert spec["config"]["font"].endswith("sans-serif")
    layers = spec["layer"]
    line = layers[0]
    assert line["mark"]["invalid"] == "break-paths-show-domains"  # None breaks the line, never 0
    assert line["encoding"]["color"]["legend"] is None  # direct labels instead of a legend
    labels = layers[1]
    assert labels["mark"]["type"] == "text"
    assert sorted(v["slo"] for v in labels["data"]["values"]) == ["chat", "rag"]
    assert {v["date"] for v in labels["data"]["values"]} == {"2026-11-14"}  # labelled at the last point
    rule = layers[2]
    assert rule["mark"]["type"] == "rule" and rule["mark"]["strokeDash"]
    assert layers[3]["data"]["values"][0]["label"] == "Release freeze below 50%"
    assert spec["usermeta"]["sentinel"]["description"].startswith("Error budget remaining")


def test_every_builder_produces_a_valid_vega_lite_spec():
    import altair as alt

    specs = [
        _line(),
        charts.line_chart([{"n": 1, "v": 2.0}], x="n", y="v", title="t", description="d", temporal=False),
        charts.bar_chart([{"t": "a", "v": 1}], category="t", value="v", title="t", description="d",
                         reference=charts.Reference(0.5, "Budget"), highlight="a"),
        charts.sparkline([1.0, None, 2.0], title="t", description="d", reference=1.5),
    ]  # fmt: skip
    for spec in specs:
        alt.LayerChart.from_dict(spec)  # raises SchemaValidationError on an invalid spec


def test_specs_are_deterministic_json():
    a = json.dumps(_line(), sort_keys=True)
    assert a == json.dumps(_line(), sort_keys=True)
    assert charts.spec_key(_line()) == charts.spec_key(_line())


def test_svg_has_text_alternatives_and_no_remote_references():
    spec = charts.bar_chart(
        [{"team": "Search <&> RAG", "cost": 1200.0}, {"team": "Chat", "cost": 3400.0}],
        category="team",
        value="cost",
        title='Chat spends 2.8x "Search"',
        description="Spend by team <week 47>",
        highlight="Chat",
        value_format="$,.0f",
    )
    svg = str(charts.ChartRenderer().svg(spec, chart_id="cost"))
    head = svg[: svg.index("<g")]
    assert (
        'role="img"' in head and 'aria-labelledby="cost-title cost-desc"' in head and 'class="chart"' in head
    )
    assert '<title id="cost-title">Chat spends 2.8x &#34;Search&#34;</title>' in svg
    assert '<desc id="cost-desc">Spend by team &lt;week 47&gt;</desc>' in svg
    assert "$3,400" in svg and "Search &lt;&amp;&gt; RAG" in svg  # direct value labels, escaped
    assert charts.PALETTE[1].lower() in svg.lower()  # the highlighted bar
    remote = [u for u in re.findall(r'(?:href|src)="([^"]+)"', svg)]
    assert remote == []
    assert svg.count("<svg") == 1


def test_none_values_break_the_line():
    spec = charts.line_chart(
        [p for p in POINTS if p["slo"] == "chat"], x="date", y="remaining", title="t", description="d"
    )
    svg = str(charts.ChartRenderer().svg(spec))
    (path,) = re.findall(r'<path[^>]*d="(M[^"]+)"[^>]*stroke="#0072B2"', svg)
    assert path.count("M") == 2  # two segments around the two missing days


def test_sparkline_is_bare_and_labelled():
    spec = charts.sparkline(
        [0.99, 0.995, None, 0.98], title="Availability, 7 days", description="99.0% to 98.0%"
    )
    assert "title" not in spec
    svg = str(charts.ChartRenderer().svg(spec))
    assert ">Availability, 7 days</title>" in svg and ">99.0% to 98.0%</desc>" in svg
    assert "<text" not in svg  # no axes, no labels


def test_external_data_urls_are_refused():
    spec = {"data": {"url": "https://example.com/data.json"}, "mark": "point"}
    with pytest.raises(ValueError, match="not allowed"):
        charts.ChartRenderer().svg(spec)


def test_memory_and_store_cache(tmp_path: Path):
    from sentinel_reports.cache import Store

    spec = _line()
    first = charts.ChartRenderer(Store(tmp_path))
    svg = first.svg(spec)
    assert first.svg(spec) == svg
    assert (first.stats.rendered, first.stats.cache_hits) == (1, 1)
    assert len(list(tmp_path.glob("charts/*/*/files/chart.svg"))) == 1

    second = charts.ChartRenderer(Store(tmp_path))  # a later build: read from the store, not re-rendered
    assert second.svg(spec) == svg
    assert (second.stats.rendered, second.stats.cache_hits) == (0, 1)

    changed = _line(height=240)
    assert second.svg(changed) != svg and second.stats.rendered == 1


def test_png_at_twice_the_size():
    spec = charts.sparkline([1.0, 2.0, 3.0], title="t", description="d", width=100, height=30)
    renderer = charts.ChartRenderer()
    one, two = renderer.png(spec, scale=1), renderer.png(spec, scale=2)
    assert one[:8] == two[:8] == b"\x89PNG\r\n\x1a\n"
    w1, h1 = struct.unpack(">II", one[16:24])
    w2, h2 = struct.unpack(">II", two[16:24])
    assert (w2, h2) == (2 * w1, 2 * h1)
    assert renderer.stats.rendered == 3  # the SVG once (Vega), then two PNGs rasterised from it
    assert renderer.stats.cache_hits == 1


def test_png_is_rasterised_from_the_charts_svg_with_the_bytes_vega_gives():
    """The email's PNG comes from the SVG the web page shows (Vega runs once per chart): byte for byte what
    vl-convert's own Vega-Lite to PNG gives."""
    import vl_convert as vlc

    spec = _line()
    renderer = charts.ChartRenderer()
    renderer.svg(spec)
    png = renderer.png(spec, scale=2)
    assert renderer.stats.cache_hits == 1  # the PNG reused the rendered SVG
    assert png == vlc.vegalite_to_png(dict(spec), scale=2, allowed_base_urls=[])


def test_module_level_render_uses_a_shared_renderer():
    spec = charts.sparkline([1.0, 2.0], title="t", description="d")
    assert charts.render_svg(spec) == charts.render_svg(spec)
    assert charts.renderer().stats.cache_hits >= 1
    assert charts.render_png(spec)[:4] == b"\x89PNG"


def test_clip_ids_are_scoped_per_chart_and_stable_across_renders() -> None:
    from sentinel_reports.render.charts import ChartRenderer, scoped_clip_ids

    raw = '<svg><clipPath id="clip7"><rect/></clipPath><g clip-path="url(#clip7)"/><g clip-path="url(#clip9)"/></svg>'
    scoped = scoped_clip_ids(raw, "chart-a")
    assert (
        'id="chart-a-clip1"' in scoped and "url(#chart-a-clip1)" in scoped and "url(#chart-a-clip2)" in scoped
    )
    assert scoped_clip_ids(scoped, "chart-a") == scoped
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": [{"n": 1, "v": 2}, {"n": 2, "v": 3}]},
        "mark": {"type": "line", "clip": True},  # clipped marks make Vega emit clipN ids
        "encoding": {
            "x": {"field": "n", "type": "quantitative"},
            "y": {"field": "v", "type": "quantitative", "scale": {"domain": [0, 2.5]}},
        },
    }
    # two renderers without a shared cache: Vega's process-wide counter has moved on for the second one
    first = ChartRenderer().svg(spec, chart_id="c")
    second = ChartRenderer().svg(spec, chart_id="c")
    assert first == second
    assert 'id="c-clip1"' in first


def test_a_label_limit_no_label_reaches_is_left_out_with_the_same_svg():
    """Vega measures each label once more to truncate it when the axis has a limit; ``vega_input`` leaves out
    a category axis' limit that none of its labels can reach, and the chart is drawn the same."""
    from sentinel_reports.render.charts import accessible_svg, bar_chart, vega_input

    rows = [{"component": f"Service {n:02d}", "spend": 100.0 * n + 7} for n in range(1, 31)]
    spec = bar_chart(rows, category="component", value="spend", title="Spend", description="d")
    sent = vega_input(spec)
    assert [layer["encoding"]["y"]["axis"]["labelLimit"] for layer in sent["layer"]] == [0, 0]
    assert spec["layer"][0]["encoding"]["y"]["axis"]["labelLimit"] == 200  # the caller's spec is untouched
    import vl_convert as vlc

    same = [accessible_svg(vlc.vegalite_to_svg(s), "Spend", "d", "c") for s in (spec, sent)]
    assert same[0] == same[1]

    long = [*rows, {"component": "A component name far too long to fit in the label space", "spend": 5.0}]
    spec = bar_chart(long, category="component", value="spend", title="Spend", description="d")
    assert vega_input(spec) == spec  # a label may be truncated: Vega decides, as before
    spec = bar_chart(rows, category="component", value="spend", title="Spend", description="d")
    for layer in spec["layer"]:
        layer["encoding"]["y"]["axis"]["labelExpr"] = "datum.label + ' of the platform, in full'"
    assert vega_input(spec) == spec  # labels that are not the field's values
    spec = bar_chart(rows, category="component", value="spend", title="Spend", description="d")
    spec["config"]["axisY"] = {"labelFontSize": 40}
    assert vega_input(spec) == spec  # a larger font from the config: 40 px x 1.2 x 10 characters > 200
    assert vega_input(charts.sparkline([1.0, 2.0], title="t", description="d")) == charts.sparkline(
        [1.0, 2.0], title="t", description="d"
    )
