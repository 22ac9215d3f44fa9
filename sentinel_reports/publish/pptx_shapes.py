"""Shapes for the PPTX deck: text boxes, native tables and native charts, lettered like the HTML slides.

    Area.for_slide(width, height)            margins and the footer line for any slide size
    markdown_box, bullet_box, footer         text (``**bold**`` becomes bold runs; nothing else is markup)
    table(page, table, x, y, w, h)           a native table: header rule, hairlines, right-aligned numbers,
                                             the row needing attention shaded, "no data" in grey italics
    chart(page, chart, x, y, w, h)           a native line or clustered bar chart; alt text = description

Sizes are in points on a 13.333 x 7.5 in slide; a template with another size keeps them (text does not
scale with the slide in PowerPoint either).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from ..render.charts import PALETTE
from ..render.deck_model import Chart, Table
from ..render.formatting import GAP, date

INK, MUTED, HAIR, ACCENT = RGBColor(0x1F, 0x23, 0x28), RGBColor(0x57, 0x60, 0x6A), "E6E9ED", "0072B2"
ATTENTION, SHADE, EARLIER = RGBColor(0xFF, 0xF3, 0xE0), RGBColor(0xF6, 0xF8, 0xFA), RGBColor(0x8C, 0x95, 0x9F)
TITLE_TYPES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
NO_GRID_STYLE = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"  # PowerPoint's "No Style, No Grid"
FONT_SIZES = {"roomy": 15, "normal": 12, "dense": 10.5}
HEADER_SIZE = 10.5
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Area:
    left: int
    top: int
    width: int
    bottom: int  # where the footer begins
    slide_width: int
    slide_height: int

    @classmethod
    def for_slide(cls, width: int, height: int) -> Area:
        margin = int(width * 0.041)
        return cls(margin, int(height * 0.055), width - 2 * margin, height - Inches(0.7), width, height)


def style_frame(frame, *, size: float, bold: bool = False, colour=INK, anchor: str = "top") -> None:
    frame.vertical_anchor = MSO_ANCHOR.TOP if anchor == "top" else MSO_ANCHOR.MIDDLE
    for paragraph in frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, colour


def _runs(paragraph, text: str, *, size: float, colour=INK, italic: bool = False) -> None:
    pos = 0
    for m in [*_BOLD.finditer(text), None]:
        end = m.start() if m else len(text)
        for part, bold in ((text[pos:end], False), ((m.group(1) if m else ""), True)):
            if part:
                run = paragraph.add_run()
                run.text = part
                run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
                run.font.color.rgb = colour
        pos = m.end() if m else end


def markdown_box(page, x, y, w, h, text: str, *, size: float, colour=INK, italic=False, shaded=False) -> None:
    box = page.shapes.add_textbox(x, y, w, h)
    frame = box.text_frame
    frame.word_wrap, frame.auto_size = True, MSO_AUTO_SIZE.NONE
    if shaded:
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        box.fill.solid()
        box.fill.fore_color.rgb = SHADE
        frame.margin_left = frame.margin_right = Inches(0.15)
        _rule(page, x, y, Inches(0.05), h)
    _runs(frame.paragraphs[0], text, size=size, colour=colour, italic=italic)


def bullet_box(page, x, y, w, h, bullets) -> None:
    _rule(page, x, y, Inches(0.03), h)
    box = page.shapes.add_textbox(x + Inches(0.15), y, w - Inches(0.15), h)
    frame = box.text_frame
    frame.word_wrap = True
    for i, text in enumerate(bullets):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(12)
        _runs(paragraph, text, size=14)


def footer(page, area: Area, source: str, folio: str) -> None:
    y = area.bottom + Inches(0.12)
    _rule(page, area.left, y, area.width, Pt(0.75), HAIR)
    left = page.shapes.add_textbox(area.left, y + Inches(0.03), int(area.width * 0.78), Inches(0.45))
    left.text_frame.word_wrap = True
    _runs(left.text_frame.paragraphs[0], source, size=10, colour=MUTED)
    right = page.shapes.add_textbox(
        area.left + int(area.width * 0.78), y + Inches(0.03), int(area.width * 0.22), Inches(0.3)
    )
    _runs(right.text_frame.paragraphs[0], folio, size=10, colour=MUTED)
    right.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


def accent_bar(page, area: Area) -> None:
    """The thin accent line across the top of every slide (default look only; a template brands itself)."""
    _rule(page, 0, 0, area.slide_width, Inches(0.06))


def _rule(page, x, y, w, h, colour: str = ACCENT) -> None:
    bar = page.shapes.add_shape(MSO_SHAPE.RECTANGLE, x, y, w, h)
    bar.fill.solid()
    bar.fill.fore_color.rgb = RGBColor.from_string(colour)
    bar.line.fill.background()
    bar.shadow.inherit = False


def table_height(t: Table) -> int:
    size = 26 if t.style == "kpi" else FONT_SIZES[t.density]
    return int(Pt(size * 2.1)) * (len(t.rows) + 1)


def table(page, t: Table, x, y, w, h) -> None:
    header = t.style != "terms" or bool(t.columns[-1])
    rows = ([t.columns] if header else []) + list(t.rows)
    size = FONT_SIZES[t.density]
    frame = page.shapes.add_table(len(rows), len(t.columns), x, y, w, min(h, table_height(t)))
    grid = frame.table
    grid._tbl.tblPr.find(qn("a:tableStyleId")).text = NO_GRID_STYLE
    grid.first_row, grid.horz_banding = header, False
    widths = t.widths or (1,) * len(t.columns)
    for col, weight in zip(grid.columns, widths, strict=True):
        col.width = Emu(int(w * weight / sum(widths)))
    for r, row in enumerate(rows):
        body = r - (1 if header else 0)
        is_head, is_total = header and r == 0, t.total and body == len(t.rows) - 1
        grid.rows[r].height = Pt(size * 1.9)
        for c, text in enumerate(row):
            cell = grid.cell(r, c)
            cell.margin_left = cell.margin_right = Pt(6)
            cell.margin_top = cell.margin_bottom = Pt(3)
            paragraph = cell.text_frame.paragraphs[0]
            kpi = t.style == "kpi"
            cell_size = (
                (10 if is_head else 26 if r == 1 else 11) if kpi else (HEADER_SIZE if is_head else size)
            )
            colour = MUTED if (is_head or text == GAP or (kpi and r == 2)) else INK
            _runs(paragraph, str(text), size=cell_size, colour=colour, italic=text == GAP)
            for run in paragraph.runs:
                run.font.bold = is_head or is_total or (c == 0 and not kpi) or (kpi and r == 1)
            paragraph.alignment = PP_ALIGN.RIGHT if c in t.numeric and not kpi else PP_ALIGN.LEFT
            cell.vertical_anchor = MSO_ANCHOR.BOTTOM if is_head else MSO_ANCHOR.TOP
            cell.fill.solid()
            cell.fill.fore_color.rgb = (
                ATTENTION if body == t.worst and not is_head else RGBColor(0xFF, 0xFF, 0xFF)
            )
            _border(cell, "a:lnB", "1F2328" if is_head else HAIR, 1.5 if is_head else 0.75)
            if is_total:
                _border(cell, "a:lnT", "1F2328", 1.5)


def _border(cell, tag: str, colour: str, width_pt: float) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall(qn(tag)):
        tc_pr.remove(old)
    line = tc_pr.makeelement(qn(tag), {"w": str(int(Pt(width_pt))), "cmpd": "sng"})
    fill = line.makeelement(qn("a:solidFill"), {})
    fill.append(fill.makeelement(qn("a:srgbClr"), {"val": colour}))
    line.append(fill)
    order = ["a:lnL", "a:lnR", "a:lnT", "a:lnB"]
    position = sum(1 for child in tc_pr if child.tag in {qn(t) for t in order[: order.index(tag)]})
    tc_pr.insert(position, line)


def chart(page, c: Chart, x, y, w, h) -> None:
    if (
        not c.categories or not c.series
    ):  # nothing to plot (an observability gap): PowerPoint needs a category
        markdown_box(page, x, y, w, Inches(0.5), GAP, size=14, colour=MUTED, italic=True)
        return
    data = CategoryChartData(number_format=c.excel_format)
    line = c.kind == "line"
    data.categories = [date(day, "short") for day in c.categories] if line else list(c.categories)
    for series in c.series:
        data.add_series(series.name, list(series.values))
    if line and c.reference is not None:
        data.add_series(c.reference[1], [c.reference[0]] * len(c.categories))
    kind = XL_CHART_TYPE.LINE if line else XL_CHART_TYPE.BAR_CLUSTERED
    frame = page.shapes.add_chart(kind, x, y, w, h, data)
    frame._element.nvGraphicFramePr.cNvPr.set("descr", c.description)
    plot = frame.chart
    plot.has_title = False
    plot.font.size, plot.font.color.rgb = Pt(12), MUTED
    plot.has_legend = True
    plot.legend.position = XL_LEGEND_POSITION.BOTTOM if line else XL_LEGEND_POSITION.TOP
    plot.legend.include_in_layout = False
    values = plot.value_axis
    values.has_major_gridlines = True
    values.major_gridlines.format.line.color.rgb = RGBColor.from_string(HAIR)
    values.tick_labels.number_format, values.tick_labels.number_format_is_linked = c.excel_format, False
    values.format.line.fill.background()
    if line:
        plot.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
        _skip_labels(plot.category_axis, max(1, len(c.categories) // 8))
        for i, series in enumerate(plot.plots[0].series):
            series.smooth = False
            series.marker.style = XL_MARKER_STYLE.NONE
            series.format.line.width = Pt(2.25)
            is_reference = c.reference is not None and i == len(c.series)
            series.format.line.color.rgb = MUTED if is_reference else RGBColor.from_string(PALETTE[i % 7][1:])
            if is_reference:
                series.format.line.dash_style, series.format.line.width = MSO_LINE_DASH_STYLE.DASH, Pt(1.25)
    else:
        plot.category_axis.reverse_order = True
        values.visible, values.has_major_gridlines = False, False
        bars = plot.plots[0]
        bars.gap_width, bars.overlap = 60, 0
        for i, series in enumerate(bars.series):
            series.format.fill.solid()
            latest = i == len(c.series) - 1
            series.format.fill.fore_color.rgb = RGBColor.from_string(PALETTE[0][1:]) if latest else EARLIER
        bars.has_data_labels = True
        labels = bars.data_labels
        labels.number_format, labels.number_format_is_linked = c.excel_format, False
        labels.position, labels.font.size = XL_LABEL_POSITION.OUTSIDE_END, Pt(12)


def _skip_labels(axis, every: int) -> None:
    """Label every n-th date so a quarter of days stays readable (c:tickLblSkip, c:tickMarkSkip)."""
    element = axis._element
    anchor = element.find(qn("c:noMultiLvlLbl"))
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        node = element.makeelement(qn(tag), {"val": str(every)})
        if anchor is not None:
            anchor.addprevious(node)
        else:
            element.append(node)
