"""The deck's data: slides, tables, charts, and the values a deck derives from facts (for verification).
Built by `deck` and its slide modules, laid out by the HTML, PDF and PPTX writers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Table:
    """Rows of display strings; ``numeric`` columns are right-aligned, ``worst`` marks one row."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()
    worst: int | None = None
    total: bool = False  # the last row is a total
    widths: tuple[float, ...] = ()  # relative column widths; empty: equal
    style: Literal["grid", "kpi", "terms"] = "grid"

    @property
    def density(self) -> str:
        """``roomy``, ``normal`` or ``dense``: how much the table must shrink to fit one slide."""
        longest = max((len(cell) for row in self.rows for cell in row), default=0)
        total = sum(len(cell) for row in self.rows for cell in row)
        weight = len(self.rows) + (2 if longest > 60 else 0) + (3 if longest > 110 else 0)
        weight += 2 if total > 1600 else 0  # many long cells: the text, not one cell, fills the slide
        return "roomy" if weight <= 6 else "normal" if weight <= 10 else "dense"


@dataclass(frozen=True)
class ChartSeries:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """One chart, drawn as Vega-Lite SVG in HTML/PDF and as a native chart in PPTX."""

    kind: Literal["line", "bar"]
    categories: tuple[str, ...]  # ISO dates for a line chart; labels for bars
    series: tuple[ChartSeries, ...]
    description: str  # the text alternative
    value_title: str
    value_format: str  # d3 format for Vega-Lite, e.g. ".0%", "$.4f"
    excel_format: str  # number format for PowerPoint, e.g. "0%", '"$"0.0000'
    reference: tuple[float, str] | None = None  # a target or threshold line
    axis_format: str = ""  # d3 format for axis ticks when coarser than the labels


@dataclass(frozen=True)
class Slide:
    key: str
    title: str  # the conclusion
    kind: Literal["title", "exhibit", "recommendation", "appendix"] = "exhibit"
    lead: str = ""  # markdown inline line above the exhibit (summary line, recommendation sentence)
    table: Table | None = None
    chart: Chart | None = None
    bullets: tuple[str, ...] = ()  # markdown inline takeaways beside the exhibit
    quote: str = ""
    source_line: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Deck:
    period: str
    organization: str
    title: str
    subtitle: str  # organisation and window dates
    as_of: str
    summary_line: str
    slides: tuple[Slide, ...]
    derived: Mapping[str, float] = field(default_factory=dict)

    def texts(self) -> Iterator[tuple[str, str]]:
        """(slide key, text) for every text a reader or listener meets, in slide order."""
        yield "deck", "\n".join((self.title, self.subtitle, self.summary_line))
        for slide in self.slides:
            parts = [slide.title, slide.lead, *slide.bullets, slide.quote, slide.source_line, slide.notes]
            if slide.table is not None:
                parts.append(" | ".join(slide.table.columns))
                parts += [" | ".join(row) for row in slide.table.rows]
            if slide.chart is not None:
                parts += [slide.chart.description, slide.chart.value_title]
                parts += [s.name for s in slide.chart.series]
            yield slide.key, "\n".join(p for p in parts if p)


class Derived:
    """Values the deck computes from facts (a difference, a share, a count), recorded for verification."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}

    def __call__(self, key: str, value: float | None) -> float | None:
        if value is not None:
            self.values[key] = float(value)
        return value
