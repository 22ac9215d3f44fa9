"""Vega-Lite specs for the deck's charts, sized and lettered for a slide.

    chart_spec(chart) -> dict        render.deck_model.Chart -> a spec for render.charts.ChartRenderer

Line charts follow ``render.charts.line_chart`` (one palette, direct labels at the last point, nudged
apart here so close lines stay readable, a dashed reference line, ``None`` breaks a line). Bar charts compare two periods per category as grouped horizontal
bars: the earlier period in grey, the current one in the palette's first colour, each bar labelled with its
value. The slide title states the conclusion, so the chart carries no visible title of its own; the title
and description stay in ``usermeta`` for the SVG's ``<title>`` and ``<desc>``.
"""

from __future__ import annotations

from typing import Any

from .charts import GRID, INK, PALETTE, SCHEMA, Reference, _reference_layers, chart_config
from .deck_model import Chart

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
    """Lines labelled at their last point, the labels nudged apart so none overlap."""
    points = [
        {"date": day, "value": value, "series": s.name}
        for s in chart.series
        for day, value in zip(chart.categories, s.values, strict=True)
    ]
    names = [s.name for s in chart.series]
    x = {"field": "date", "type": "temporal", "title": None, "scale": {"type": "utc"},
         "axis": {"format": "%-d %b", "grid": False, "tickCount": 8, "labelOverlap": "greedy"}}  # fmt: skip
    y = {"field": "value", "type": "quantitative", "title": chart.value_title, "scale": {"zero": False},
         "axis": {"format": chart.value_format, "tickCount": 5}}  # fmt: skip
    colour = {"field": "series", "type": "nominal", "legend": None,
              "scale": {"domain": names, "range": list(PALETTE[: len(names)])}}  # fmt: skip
    line = {"type": "line", "strokeWidth": 2.5, "invalid": "break-paths-show-domains"}
    layers: list[dict[str, Any]] = [
        {"data": {"values": points}, "mark": line, "encoding": {"x": x, "y": y, "color": colour}}
    ]
    labels = _dodged_labels(chart)
    if labels:
        text = {"type": "text", "align": "left", "dx": 8, "fontWeight": 600, "fontSize": FONT_SIZE}
        enc = {"x": x, "y": {**y, "field": "label_y"}, "color": colour, "text": {"field": "series"}}
        layers.append({"data": {"values": labels}, "mark": text, "encoding": enc})
    if chart.reference is not None:
        layers.extend(_reference_layers(Reference(*chart.reference), "y"))
    meta = {"sentinel": {"title": chart.value_title, "description": chart.description}}
    return {"$schema": SCHEMA, "description": chart.description, "usermeta": meta, "width": WIDTH - 300,
            "height": HEIGHT, "layer": layers, "config": chart_config()}  # fmt: skip


def _dodged_labels(chart: Chart) -> list[dict[str, Any]]:
    """One label per series at its last known point; labels closer than 7% of the range move apart."""
    values = [v for s in chart.series for v in s.values if v is not None]
    if chart.reference is not None:
        values.append(chart.reference[0])
    if not values:
        return []
    gap = (max(values) - min(values) or 1) * 0.075
    last = []
    for s in chart.series:
        known = [(d, v) for d, v in zip(chart.categories, s.values, strict=True) if v is not None]
        if known:
            last.append({"date": known[-1][0], "value": known[-1][1], "series": s.name})
    last.sort(key=lambda p: -p["value"])
    previous = None
    for p in last:
        p["label_y"] = p["value"] if previous is None else min(p["value"], previous - gap)
        previous = p["label_y"]
    return last


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
         "axis": {"format": chart.axis_format or chart.value_format, "tickCount": 4, "gridColor": GRID}}  # fmt: skip
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
        "$schema": SCHEMA,
        "description": chart.description,
        "usermeta": meta,
        "width": WIDTH - 360,
        "height": height,
        "data": {"values": values},
        "layer": layers,
        "config": chart_config(),
    }
