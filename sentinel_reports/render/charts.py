"""Charts: specs built the same way everywhere, rendered to SVG (pages, PDF) and PNG (email).

    line_chart(points, x=, y=, title=, description=, series=None, reference=None, ...) -> dict
    bar_chart(rows, category=, value=, title=, description=, reference=None, highlight=None, ...) -> dict
    sparkline(values, title=, description=, reference=None, ...) -> dict
    Reference(value, label)     a target or threshold: a dashed rule with a direct label
    ChartRenderer(store=None).svg(spec, chart_id=None) -> Markup  /  .png(spec, scale=2) -> bytes
    render_svg(spec, ...), render_png(spec, scale=2, ...)   the same through a shared renderer

Builders are pure and return Vega-Lite v6 dicts, the JSON Altair produces (``alt.LayerChart.from_dict``
loads them; the tests validate each builder against Altair's schema). They are written as dicts because
building through Altair objects costs 20-130 ms per chart, which would dominate a no-change rebuild.
``title`` states the conclusion ("Error budget burned 59% faster than sustainable in W46"); ``description``
is the text alternative. Both are kept in ``usermeta.sentinel`` and become the SVG's ``<title>``/``<desc>``
(with ``role="img"`` and ``aria-labelledby``). ``None`` breaks a line, never plots as zero. One palette
(Okabe–Ito) for every series; series are labelled at their last point instead of a legend.

Rendering uses vl-convert offline: external data URLs are refused, fonts come from the system stack ending
in ``sans-serif``. Results are cached in memory and, when the caller passes the project's ``store``, there
(kind ``charts``; ``render/`` never writes a file itself), keyed by sha256 of the canonical spec JSON plus
format, scale and vl-convert version. ``ChartRenderer.stats`` counts renders, cache hits and seconds.
Vega gets ``vega_input(spec)``: the spec without a category axis' label limit that no label can reach,
which draws the same SVG with each label measured once.
The stylesheet re-colours the SVG's ink, grid and background for the dark scheme.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import vl_convert as vlc
from markupsafe import Markup, escape

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier; nothing is fetched
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
INK = "#3d444d"  # axis labels and titles; dark scheme re-colours this exact value
GRID = "#e4e7eb"
REFERENCE_INK = "#57606a"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"


@dataclass(frozen=True)
class Reference:
    """A target or threshold: drawn as a dashed rule labelled at its right end."""

    value: float
    label: str


_AXIS = {"labelColor": INK, "titleColor": INK, "gridColor": GRID, "domainColor": GRID, "tickColor": GRID}
_TITLE = {"anchor": "start", "fontSize": 14, "fontWeight": 600, "color": "#1f2328", "offset": 12}


def chart_config() -> dict[str, Any]:
    """The shared look: system fonts, one palette, light grid, conclusion titles flush left."""
    axis = {**_AXIS, "labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal"}
    text = {"color": INK, "fontSize": 11}
    return {"font": FONT, "background": "white", "padding": 4, "view": {"stroke": None}, "axis": axis,
            "range": {"category": list(PALETTE)}, "title": dict(_TITLE), "text": text}  # fmt: skip


def _layered(layers: list[dict[str, Any]], config: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"$schema": SCHEMA, **props, "layer": layers, "config": config}


def _props(title: str | None, description: str, width: int, height: int) -> dict[str, Any]:
    meta = {"sentinel": {"title": title or "", "description": description}}
    shown = {"title": title} if title is not None else {}
    return {**shown, "description": description, "width": width, "height": height, "usermeta": meta}


def _reference_layers(reference: Reference, axis: str) -> list[dict[str, Any]]:
    data = {"values": [{"ref": reference.value, "label": reference.label}]}
    enc = {axis: {"field": "ref", "type": "quantitative"}}
    rule = {"mark": {"type": "rule", "color": REFERENCE_INK, "strokeDash": [4, 3], "strokeWidth": 1.25}}
    text = {"type": "text", "color": REFERENCE_INK, "baseline": "bottom", "align": "left"}
    text |= {"dy": -6} if axis == "y" else {"dx": 4}
    text_enc = {**enc, "text": {"field": "label", "type": "nominal"}}
    if axis == "y":
        text_enc["x"] = {"value": 0}
    return [{"data": data, **rule, "encoding": enc}, {"data": data, "mark": text, "encoding": text_enc}]


def line_chart(
    points: Sequence[Mapping[str, Any]],
    *,
    x: str,
    y: str,
    title: str,
    description: str,
    series: str | None = None,
    reference: Reference | None = None,
    y_format: str = ".1%",
    y_title: str = "",
    x_title: str = "",
    temporal: bool = True,
    y_domain: tuple[float, float] | None = None,
    width: int = 560,
    height: int = 220,
) -> dict[str, Any]:
    """One line per ``series`` value (or one line), labelled at its last point; ``None`` breaks the line."""
    x_enc: dict[str, Any] = {"field": x, "title": x_title or None}
    if temporal:
        axis = {"format": "%-d %b", "grid": False, "tickCount": 6, "labelOverlap": "greedy"}
        x_enc |= {"type": "temporal", "scale": {"type": "utc"}, "axis": axis}
    else:
        x_enc |= {"type": "quantitative", "axis": {"grid": False}}
    y_scale = {"domain": list(y_domain)} if y_domain else {"zero": False}
    y_axis = {"format": y_format, "tickCount": 4}
    y_enc = {"field": y, "type": "quantitative", "title": y_title or None, "axis": y_axis, "scale": y_scale}
    color = {"field": series, "type": "nominal", "legend": None} if series else {"value": PALETTE[0]}
    line = {"type": "line", "strokeWidth": 2, "invalid": "break-paths-show-domains"}
    layers = [
        {
            "data": {"values": [dict(p) for p in points]},
            "mark": line,
            "encoding": {"x": x_enc, "y": y_enc, "color": color},
        }
    ]
    last: dict[Any, Mapping[str, Any]] = {}
    for p in points:
        if p.get(y) is not None:
            last[p.get(series) if series else None] = p
    if series and last:
        labels = [{x: p[x], y: p[y], series: p[series]} for p in last.values()]
        enc = {"x": x_enc, "y": y_enc, "color": color, "text": {"field": series, "type": "nominal"}}
        mark = {"type": "text", "align": "left", "dx": 5, "fontWeight": 600}
        layers.append({"data": {"values": labels}, "mark": mark, "encoding": enc})
    if reference is not None:
        layers.extend(_reference_layers(reference, "y"))
    return _layered(layers, chart_config(), **_props(title, description, width, height))


def bar_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    category: str,
    value: str,
    title: str,
    description: str,
    reference: Reference | None = None,
    highlight: str | None = None,
    value_format: str = ",.0f",
    value_title: str = "",
    width: int = 480,
    bar_height: int = 22,
) -> dict[str, Any]:
    """Horizontal bars sorted by value, each labelled with its value; ``highlight`` marks one category."""
    values = [{**dict(r), "_highlight": r.get(category) == highlight} for r in rows]
    y_axis = {"labelLimit": 200, "ticks": False}
    y_enc = {"field": category, "type": "nominal", "sort": "-x", "title": None, "axis": y_axis}
    x_axis = {"format": value_format, "tickCount": 4}
    x_enc = {"field": value, "type": "quantitative", "title": value_title or None, "axis": x_axis}
    color = {"condition": {"test": "datum._highlight", "value": PALETTE[1]}, "value": PALETTE[0]}
    text = {"field": value, "type": "quantitative", "format": value_format}
    layers = [
        {
            "mark": {"type": "bar", "cornerRadiusEnd": 2, "height": bar_height - 6},
            "encoding": {"x": x_enc, "y": y_enc, "color": color},
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 4},
            "encoding": {"x": x_enc, "y": y_enc, "text": text},
        },
    ]
    if reference is not None:
        layers.extend(_reference_layers(reference, "x"))
    props = _props(title, description, width, max(bar_height * len(values), bar_height))
    return _layered(layers, chart_config(), data={"values": values}, **props)


def sparkline(
    values: Sequence[float | None],
    *,
    title: str,
    description: str,
    reference: float | None = None,
    width: int = 120,
    height: int = 32,
) -> dict[str, Any]:
    """A word-sized trend: no axes, the last point marked, an optional reference level as a faint rule."""
    pts = [{"i": i, "v": v} for i, v in enumerate(values)]
    enc = {
        "x": {
            "field": "i",
            "type": "quantitative",
            "axis": None,
            "scale": {"domain": [0, max(len(pts) - 1, 1)]},
        },
        "y": {"field": "v", "type": "quantitative", "axis": None, "scale": {"zero": False}},
    }
    line = {"type": "line", "strokeWidth": 1.5, "color": PALETTE[0], "invalid": "break-paths-show-domains"}
    layers: list[dict[str, Any]] = [{"data": {"values": pts}, "mark": line, "encoding": enc}]
    last = [p for p in pts if p["v"] is not None][-1:]
    if last:
        point = {"type": "point", "filled": True, "size": 18, "color": PALETTE[0]}
        layers.append({"data": {"values": last}, "mark": point, "encoding": enc})
    if reference is not None:
        rule = {"type": "rule", "color": GRID, "strokeDash": [2, 2]}
        ref_enc = {"y": {"field": "v", "type": "quantitative", "axis": None}}
        layers.insert(0, {"data": {"values": [{"v": reference}]}, "mark": rule, "encoding": ref_enc})
    config = {**chart_config(), "padding": 2, "background": "transparent"}
    props = _props(None, description, width, height)
    props["usermeta"]["sentinel"]["title"] = title  # for assistive technology only; no visible title
    return _layered(layers, config, **props)


def spec_key(spec: Mapping[str, Any], kind: str = "svg", scale: float = 1) -> str:
    """sha256 of the canonical JSON of a spec, the output kind and the renderer version."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(f"{vlc.__version__}|{kind}|{scale:g}|{canonical}".encode()).hexdigest()


@dataclass
class RenderStats:
    rendered: int = 0
    cache_hits: int = 0
    seconds: float = 0.0


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


_CLIP_ID = re.compile(r"""(?<=id=")(clip\d+)(?=")|(?<=url\(#)(clip\d+)(?=\))""")


def scoped_clip_ids(svg: str, chart_id: str) -> str:
    """Renumber Vega's ``clipN`` ids per chart (``<chart_id>-clip1``...). Vega numbers them from a
    process-wide counter, so the same chart would differ between builds and two charts on one page could
    share an id. Idempotent: renumbered ids no longer match."""
    seen: dict[str, str] = {}

    def rename(m: re.Match[str]) -> str:
        return seen.setdefault(m.group(1) or m.group(2), f"{chart_id}-clip{len(seen) + 1}")

    return _CLIP_ID.sub(rename, svg)


def accessible_svg(svg: str, title: str, description: str, chart_id: str) -> Markup:
    """Add ``<title>``, ``<desc>``, ``role="img"`` and ``aria-labelledby`` to an SVG document, with its
    clip-path ids scoped to ``chart_id``."""
    svg = scoped_clip_ids(svg, chart_id)
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise ValueError("not an SVG document")
    tag = match.group(0).replace(' class="marks"', "")
    ids = f"{chart_id}-title {chart_id}-desc"
    tag = tag[:-1] + f' class="chart" role="img" aria-labelledby="{ids}" focusable="false">'
    alt_text = f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
    return Markup(svg[: match.start()] + tag + alt_text + svg[match.end() :])


def _labels(spec: Mapping[str, Any]) -> tuple[str, str]:
    meta = (spec.get("usermeta") or {}).get("sentinel") or {}
    title = spec.get("title")
    title = title.get("text", "") if isinstance(title, Mapping) else (title or "")
    return meta.get("title") or str(title), meta.get("description") or str(spec.get("description") or "")


_EM_BOUND = 1.2
"""No printable ASCII character of a sans-serif label font is wider than this many ems (DejaVu Sans' widest,
``@``, is 1.0)."""


_LABEL_TEXT = ("labelExpr", "format", "formatType", "timeUnit", "bin", "aggregate")


def vega_input(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec as vl-convert gets it: a category axis' ``labelLimit`` that none of its labels can reach is
    left out (0: no limit), so Vega does not measure every label twice (once to see whether to truncate it,
    once for the layout). It measures text through vl-convert's font engine at about a millisecond a
    label, and a bar chart of 50 components has 50 labels on that axis. The SVG is the same: no label was
    to be truncated (``tests/render/test_charts.py``). The cache key stays that of ``spec``."""
    values = (spec.get("data") or {}).get("values") or ()
    layers = spec.get("layer") or ()
    config = spec.get("config") or {}
    sizes = [(config.get(k) or {}).get("labelFontSize") for k in config if k.startswith("axis")]
    out: dict[str, Any] | None = None
    for n, layer in enumerate(layers):
        for channel, enc in (layer.get("encoding") or {}).items():
            axis = enc.get("axis") if isinstance(enc, Mapping) else None
            limit = axis.get("labelLimit") if isinstance(axis, Mapping) else None
            if not limit or enc.get("type") != "nominal" or "data" in layer or not values:
                continue
            if any(k in axis for k in _LABEL_TEXT) or any(k in enc for k in _LABEL_TEXT):
                continue  # the labels are not the field's values
            size = [x for x in (axis.get("labelFontSize"), *sizes, 11) if x is not None]
            if not all(isinstance(x, int | float) for x in size):
                continue
            bound = limit / (max(size) * _EM_BOUND)
            labels = [row.get(enc.get("field")) for row in values]
            if not all(type(t) is str and t.isascii() and t.isprintable() and len(t) < bound for t in labels):
                continue
            if out is None:
                out = {**spec, "layer": [dict(x) for x in layers]}
            target = out["layer"][n]
            target["encoding"] = {**target["encoding"], channel: {**enc, "axis": {**axis, "labelLimit": 0}}}
    return out if out is not None else dict(spec)


STARTED = False  # vl-convert has run in this process (its threads with it): no fork (workers.fork_safe)


def _vlc() -> Any:
    global STARTED
    STARTED = True
    return vlc


def warm_up() -> None:
    """Start the chart engine (its JavaScript runtime) with a one-bar chart, ahead of a render worker's
    first chart. Later charts do not change: Vega's clip ids are renumbered per chart (`scoped_clip_ids`)."""
    spec = {"data": {"values": [{"x": "a", "y": 1}]}, "mark": "bar",
            "encoding": {"x": {"field": "x", "type": "nominal"}, "y": {"field": "y", "type": "quantitative"}}}  # fmt: skip
    _vlc().vegalite_to_svg(spec, allowed_base_urls=[])


class ChartRenderer:
    """Renders specs with vl-convert; memory cache always, and the project's store (kind ``charts``) when
    ``store`` is given (any object with ``get_files(kind, key)`` and ``put_files(kind, key, files)``)."""

    def __init__(self, store: Any = None):
        self.store = store
        self._memory: dict[str, str | bytes] = {}
        self.stats = RenderStats()

    def _cached(self, key: str, suffix: str, produce: Any) -> str | bytes:
        if key in self._memory:
            self.stats.cache_hits += 1
            return self._memory[key]
        name = f"chart.{suffix}"
        stored = self.store.get_files("charts", key) if self.store is not None else None
        if stored is not None and name in stored:
            data: str | bytes = stored[name]
            data = data.decode("utf-8") if suffix == "svg" else data
            self.stats.cache_hits += 1
        else:
            started = time.perf_counter()
            data = produce()
            self.stats.seconds += time.perf_counter() - started
            self.stats.rendered += 1
            if self.store is not None:
                self.store.put_files(
                    "charts", key, {name: data.encode("utf-8") if isinstance(data, str) else data}
                )
        self._memory[key] = data
        return data

    def _raw_svg(self, spec: Mapping[str, Any]) -> tuple[str, str]:
        """(key, the SVG as vl-convert renders it): Vega runs once per spec, for every format."""
        key = spec_key(spec, "svg")
        raw = self._cached(key, "svg", lambda: _vlc().vegalite_to_svg(vega_input(spec), allowed_base_urls=[]))
        return key, str(raw)

    def svg(self, spec: Mapping[str, Any], *, chart_id: str | None = None) -> Markup:
        """Inline SVG with text alternatives; ``chart_id`` (default: from the spec hash) prefixes its ids."""
        key, raw = self._raw_svg(spec)
        title, description = _labels(spec)
        return accessible_svg(raw, title, description, chart_id or f"chart-{key[:10]}")

    def png(self, spec: Mapping[str, Any], scale: float = 2) -> bytes:
        """PNG at ``scale`` times the spec size (2 for sharp images in email), rasterised from the chart's
        SVG (the one the web page and the PDF show): the same bytes as ``vegalite_to_png``, without running
        Vega a second time."""
        key = spec_key(spec, "png", scale)
        data = self._cached(key, "png", lambda: _vlc().svg_to_png(self._raw_svg(spec)[1], scale=scale))
        return bytes(data)


_SHARED: ChartRenderer | None = None


def renderer() -> ChartRenderer:
    """The shared in-memory renderer (its memory cache is reused by every caller in this process)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = ChartRenderer()
    return _SHARED


def render_svg(spec: Mapping[str, Any], *, chart_id: str | None = None) -> Markup:
    return renderer().svg(spec, chart_id=chart_id)


def render_png(spec: Mapping[str, Any], scale: float = 2) -> bytes:
    return renderer().png(spec, scale)
