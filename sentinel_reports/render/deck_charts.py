"""Vega-Lite specs for the deck's charts, sized and lettered for a slide.

    chart_spec(chart) -> dict        render.deck.Chart -> a spec for render.charts.ChartRenderer

Line charts reuse ``render.charts.line_chart`` (one palette, direct labels at the last point, a dashed
reference line, ``None`` breaks a line). Bar charts compare two periods per category as grouped horizontal
bars: the earlier period in grey, the current one in the palette's first colour, each bar labelled with its
value. The slide title states the conclusion, so the chart carries no visible title of its own; the title
and description stay in ``usermeta`` for the SVG's ``<title>`` and ``<desc>``.
"""

from __future__ import annotations

from typing import Any

from .charts import GRID, INK, PALETTE, Reference, chart_config, line_chart
from .deck import Chart

WIDTH, HEIGHT = 980, 380
FONT_SIZE = 15
EARLIER = "#8c959f"


def chart_spec(chart: Chart) -> dict[str, Any]:
    spec = _line(chart) if chart.kind == "line" else _bars(chart)
    spec.pop("title", None)
    config = spec["config"]
    config["axis"] |= {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE}
    config["text"] |= {"fontSize": FONT_SIZE}
    config["legend"] = {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE, "labelColor": INK}
    return spec


def _line(chart: Chart) -> dict[str, Any]:
    points = [
        {"date": day, "value": value, "series": s.name}
        for s in chart.series
        for day, value in zip(chart.categories, s.values, strict=True)
    ]
    reference = Reference(*chart.reference) if chart.reference else None
    return line_chart(
        points,
        x="date",
        y="value",
        series="series",
        title=chart.value_title,
        description=chart.description,
        reference=reference,
        y_format=chart.value_format,
        width=WIDTH - 260,
        height=HEIGHT,
    )


def _bars(chart: Chart) -> dict[str, Any]:
    names = [s.name for s in chart.series]
    values = [
        {"category": category, "series": s.name, "value": value}
        for s in chart.series
        for category, value in zip(chart.categories, s.values, strict=True)
    ]
    colours = [EARLIER] * (len(names) - 1) + [PALETTE[0]]
    y = {"field": "category", "type": "nominal", "title": None, "sort": list(chart.categories),
         "axis": {"labelLimit": 260, "ticks": False, "domain": False}}  # fmt: skip
    x = {"field": "value", "type": "quantitative", "title": chart.value_title,
         "axis": {"format": chart.value_format, "tickCount": 4, "gridColor": GRID}}  # fmt: skip
    offset = {"field": "series", "type": "nominal", "sort": names}
    colour = {"field": "series", "type": "nominal", "sort": names,
              "scale": {"domain": names, "range": colours}, "legend": {"orient": "top", "title": None}}  # fmt: skip
    label = {"field": "value", "type": "quantitative", "format": chart.value_format}
    layers = [
        {"mark": {"type": "bar", "cornerRadiusEnd": 2},
         "encoding": {"x": x, "y": y, "yOffset": offset, "color": colour}},
        {"mark": {"type": "text", "align": "left", "dx": 6, "color": INK},
         "encoding": {"x": x, "y": y, "yOffset": offset, "text": label}},
    ]  # fmt: skip
    height = max(HEIGHT - 40, 60 * len(chart.categories))
    meta = {"sentinel": {"title": chart.value_title, "description": chart.description}}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": chart.description,
        "usermeta": meta,
        "width": WIDTH - 360,
        "height": height,
        "data": {"values": values},
        "layer": layers,
        "config": chart_config(),
    }
