"""Charts: Altair specs built the same way everywhere, rendered to SVG (pages, PDF) and PNG (email).

Building (pure, returns a Vega-Lite dict):

    line_chart(points, x=, y=, title=, description=, series=None, reference=None, ...) -> dict
    bar_chart(rows, category=, value=, title=, description=, reference=None, highlight=None, ...) -> dict
    sparkline(values, title=, description=, reference=None, ...) -> dict
    Reference(value, label)            a target or threshold drawn as a dashed rule with a direct label

The ``title`` states the conclusion ("Error budget burned 59% faster than sustainable in W46"); the
``description`` is the text alternative (what the chart shows, with the key numbers). Both are also kept
in ``usermeta.sentinel`` so the SVG gets ``<title>``/``<desc>`` even for untitled sparklines. ``None``
values break a line instead of being drawn as zero. One palette (Okabe–Ito, ordered for contrast on white)
is used for every series; series are labelled at their last point instead of with a legend.

Rendering (vl-convert, no browser, no network: external data URLs are refused and fonts come from the
system, the font stack ends in ``sans-serif``):

    ChartRenderer(cache_dir=None)      .svg(spec, chart_id=None) -> Markup   .png(spec, scale=2) -> bytes
    render_svg(spec, ...) / render_png(spec, scale=2, ...)   the same through a shared renderer

Results are cached in memory and, when the caller passes ``cache_dir``, on disk, keyed by the sha256 of
the canonical JSON of the spec (plus format, scale and the vl-convert version), so unchanged charts are
not re-rendered across builds. The disk cache is the one file write ``render/`` does, into a folder the
caller owns. ``ChartRenderer.stats`` counts renders, cache hits and seconds spent rendering.

SVG output carries ``role="img"``, ``aria-labelledby`` pointing at its ``<title>`` and ``<desc>`` and the
class ``chart``; the stylesheet re-colours ink, grid and background in the dark scheme.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc
from markupsafe import Markup, escape

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


def chart_config() -> dict[str, Any]:
    return {
        "font": FONT,
        "background": "white",
        "padding": 4,
        "view": {"stroke": None},
        "range": {"category": list(PALETTE)},
        "axis": {
            "labelColor": INK,
            "titleColor": INK,
            "gridColor": GRID,
            "domainColor": GRID,
            "tickColor": GRID,
            "labelFontSize": 11,
            "titleFontSize": 11,
            "titleFontWeight": "normal",
        },
        "title": {"anchor": "start", "fontSize": 14, "fontWeight": 600, "color": "#1f2328", "offset": 12},
        "text": {"color": INK, "fontSize": 11},
    }


def _meta(title: str, description: str) -> dict[str, Any]:
    return {"sentinel": {"title": title, "description": description}}


def _reference_layers(reference: Reference, axis: str, data_field: str = "ref") -> list[alt.Chart]:
    data = alt.Data(values=[{data_field: reference.value, "label": reference.label}])
    enc = {axis: alt.X(f"{data_field}:Q") if axis == "x" else alt.Y(f"{data_field}:Q")}
    rule = alt.Chart(data).mark_rule(color=REFERENCE_INK, strokeDash=[4, 3], strokeWidth=1.25).encode(**enc)
    label_pos = {"x": alt.value(0), "align": "left", "dy": -6} if axis == "y" else {"align": "left", "dx": 4}
    text_enc = {**enc, "text": alt.Text("label:N")}
    if axis == "y":
        text_enc["x"] = label_pos.pop("x")
    text = alt.Chart(data).mark_text(color=REFERENCE_INK, baseline="bottom", **label_pos).encode(**text_enc)
    return [rule, text]


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
    data = alt.Data(values=[dict(p) for p in points])
    x_enc = (
        alt.X(
            f"{x}:T",
            title=x_title or None,
            scale=alt.Scale(type="utc"),
            axis=alt.Axis(format="%-d %b", grid=False),
        )
        if temporal
        else alt.X(f"{x}:Q", title=x_title or None, axis=alt.Axis(grid=False))
    )
    y_scale = alt.Scale(domain=list(y_domain)) if y_domain else alt.Scale(zero=False)
    y_enc = alt.Y(f"{y}:Q", title=y_title or None, axis=alt.Axis(format=y_format, tickCount=4), scale=y_scale)
    color = alt.Color(f"{series}:N", legend=None) if series else alt.value(PALETTE[0])
    line = alt.Chart(data).mark_line(strokeWidth=2, invalid="break-paths-show-domains")
    layers: list[alt.Chart] = [line.encode(x=x_enc, y=y_enc, color=color)]
    last: dict[Any, Mapping[str, Any]] = {}
    for p in points:
        if p.get(y) is not None:
            last[p.get(series) if series else None] = p
    if series and last:
        labels = alt.Data(values=[{x: p[x], y: p[y], series: p[series]} for p in last.values()])
        layers.append(
            alt.Chart(labels)
            .mark_text(align="left", dx=5, fontWeight=600)
            .encode(x=x_enc, y=y_enc, text=f"{series}:N", color=color)
        )
    if reference is not None:
        layers.extend(_reference_layers(reference, "y"))
    chart = alt.layer(*layers).properties(
        title=title, description=description, width=width, height=height, usermeta=_meta(title, description)
    )
    return chart.configure(**chart_config()).to_dict()


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
    data = alt.Data(values=values)
    y_enc = alt.Y(f"{category}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=200, ticks=False))
    x_enc = alt.X(f"{value}:Q", title=value_title or None, axis=alt.Axis(format=value_format, tickCount=4))
    color = alt.condition("datum._highlight", alt.value(PALETTE[1]), alt.value(PALETTE[0]))
    base = alt.Chart(data).encode(y=y_enc, x=x_enc)
    layers: list[alt.Chart] = [
        base.mark_bar(cornerRadiusEnd=2, height=bar_height - 6).encode(color=color),
        base.mark_text(align="left", dx=4).encode(text=alt.Text(f"{value}:Q", format=value_format)),
    ]
    if reference is not None:
        layers.extend(_reference_layers(reference, "x"))
    chart = alt.layer(*layers).properties(
        title=title,
        description=description,
        width=width,
        height=max(bar_height * len(values), bar_height),
        usermeta=_meta(title, description),
    )
    return chart.configure(**chart_config()).to_dict()


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
    data = alt.Data(values=pts)
    enc = {
        "x": alt.X("i:Q", axis=None, scale=alt.Scale(domain=[0, max(len(pts) - 1, 1)])),
        "y": alt.Y("v:Q", axis=None, scale=alt.Scale(zero=False)),
    }
    layers: list[alt.Chart] = [
        alt.Chart(data).mark_line(strokeWidth=1.5, color=PALETTE[0], invalid="break-paths-show-domains")
    ]
    layers[0] = layers[0].encode(**enc)
    last = [p for p in pts if p["v"] is not None][-1:]
    if last:
        layers.append(alt.Chart(alt.Data(values=last)).mark_point(filled=True, size=18, color=PALETTE[0]))
        layers[-1] = layers[-1].encode(**enc)
    if reference is not None:
        ref = alt.Chart(alt.Data(values=[{"v": reference}])).mark_rule(color=GRID, strokeDash=[2, 2])
        layers.insert(0, ref.encode(y=alt.Y("v:Q", axis=None)))
    chart = alt.layer(*layers).properties(
        width=width, height=height, description=description, usermeta=_meta(title, description)
    )
    config = {**chart_config(), "padding": 2, "background": "transparent"}
    return chart.configure(**config).to_dict()


def spec_key(spec: Mapping[str, Any], kind: str = "svg", scale: float = 1) -> str:
    """sha256 of the canonical JSON of a spec, the output kind and the renderer version."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(f"{vlc.__version__}|{kind}|{scale:g}|{canonical}".encode()).hexdigest()


@dataclass
class RenderStats:
    rendered: int = 0
    cache_hits: int = 0
    seconds: float = 0.0

    @property
    def seconds_per_chart(self) -> float | None:
        return self.seconds / self.rendered if self.rendered else None


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def accessible_svg(svg: str, title: str, description: str, chart_id: str) -> Markup:
    """Add ``<title>``, ``<desc>``, ``role="img"`` and ``aria-labelledby`` to an SVG document."""
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


class ChartRenderer:
    """Renders specs with vl-convert; memory cache always, disk cache when ``cache_dir`` is given."""

    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._memory: dict[str, str | bytes] = {}
        self.stats = RenderStats()

    def _cached(self, key: str, suffix: str, produce: Any) -> str | bytes:
        if key in self._memory:
            self.stats.cache_hits += 1
            return self._memory[key]
        path = self.cache_dir / f"{key}.{suffix}" if self.cache_dir is not None else None
        if path is not None and path.is_file():
            data: str | bytes = path.read_bytes()
            data = data.decode("utf-8") if suffix == "svg" else data
            self.stats.cache_hits += 1
        else:
            started = time.perf_counter()
            data = produce()
            self.stats.seconds += time.perf_counter() - started
            self.stats.rendered += 1
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
                os.replace(tmp, path)
        self._memory[key] = data
        return data

    def svg(self, spec: Mapping[str, Any], *, chart_id: str | None = None) -> Markup:
        """Inline SVG with text alternatives; ``chart_id`` (default: from the spec hash) prefixes its ids."""
        key = spec_key(spec, "svg")
        raw = self._cached(key, "svg", lambda: vlc.vegalite_to_svg(dict(spec), allowed_base_urls=[]))
        title, description = _labels(spec)
        return accessible_svg(str(raw), title, description, chart_id or f"chart-{key[:10]}")

    def png(self, spec: Mapping[str, Any], scale: float = 2) -> bytes:
        """PNG at ``scale`` times the spec size (2 for sharp images in email)."""
        key = spec_key(spec, "png", scale)
        data = self._cached(
            key, "png", lambda: vlc.vegalite_to_png(dict(spec), scale=scale, allowed_base_urls=[])
        )
        return bytes(data)


_RENDERERS: dict[Path | None, ChartRenderer] = {}


def renderer(cache_dir: Path | None = None) -> ChartRenderer:
    """The shared renderer for a cache folder (one per folder, so its memory cache is reused)."""
    key = Path(cache_dir).resolve() if cache_dir is not None else None
    if key not in _RENDERERS:
        _RENDERERS[key] = ChartRenderer(key)
    return _RENDERERS[key]


def render_svg(
    spec: Mapping[str, Any], *, cache_dir: Path | None = None, chart_id: str | None = None
) -> Markup:
    return renderer(cache_dir).svg(spec, chart_id=chart_id)


def render_png(spec: Mapping[str, Any], scale: float = 2, *, cache_dir: Path | None = None) -> bytes:
    return renderer(cache_dir).png(spec, scale)
