"""The deck as an editable PowerPoint file (python-pptx), 16:9, from the same slides as the HTML.

    data = deck_to_pptx(deck, as_of=as_of, template=None)     bytes of a .pptx

- Text is real text (titles in the layout's title placeholder, so the outline view lists the storyline),
  tables are native PowerPoint tables, and charts are native charts (line, clustered bar) whose data sits in
  the embedded workbook, so a reader can restyle or re-plot them. Speaker notes carry each slide's sources
  and assumptions.
- ``template``: a .pptx whose masters and layouts brand the deck (``deck.pptx_template`` in sentinel.yaml).
  It is opened as the base presentation (its own slides, if any, are removed) and its "Title Slide" and
  "Title Only" layouts are used (else the layout with a title and the fewest other placeholders); the slide
  size, fonts and colours of the template are kept. Without one, python-pptx's default template is resized
  to 13.333 x 7.5 in and titles are placed and lettered here.
- Deterministic: core properties (created, modified, last modified by, revision) come from ``as_of`` and the
  deck. Two things in a python-pptx package read the clock, and both are rewritten: the zip members' own
  timestamps (python-pptx writes them with the current time; every member is re-zipped with the as-of time)
  and each chart's embedded workbook, whose docProps/core.xml XlsxWriter stamps with the current time (set
  to ``as_of``; its members already carry a fixed 1980 date and are re-zipped the same way). Then the same
  deck and as-of give the same bytes (tests/publish/test_pptx.py). docProps/app.xml, which python-pptx copies
  from its template unchanged, gets the generator, "Widescreen" and the slide count.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from pptx import Presentation
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt

from ..errors import PublishError
from ..model import format_timestamp
from ..render.deck_model import Deck, Slide
from . import pptx_shapes as shapes

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 x 7.5 in, PowerPoint's 16:9
GENERATOR = "Sentinel Reports"


def deck_to_pptx(deck: Deck, *, as_of: dt.datetime, template: Path | None = None) -> bytes:
    prs = _open(template)
    title_layout, content_layout = _layouts(prs)
    area = shapes.Area.for_slide(prs.slide_width, prs.slide_height)
    count = len(deck.slides)
    for number, slide in enumerate(deck.slides, start=1):
        layout = title_layout if slide.kind == "title" else content_layout
        page = prs.slides.add_slide(layout)
        if template is None:
            shapes.accent_bar(page, area)
        top = _title(page, slide, area, styled=template is None)
        _body(page, slide, area, top)
        shapes.footer(
            page, area, slide.source_line, f"{deck.organization} · {deck.period} · {number}/{count}"
        )
        page.notes_slide.notes_text_frame.text = slide.notes or slide.source_line
    _properties(prs, deck, as_of)
    out = io.BytesIO()
    prs.save(out)
    app = {
        "Application": GENERATOR,
        "PresentationFormat": "Widescreen",
        "Slides": str(count),
        "Notes": str(count),
    }
    return normalise_package(out.getvalue(), as_of, app_properties=app)


def _open(template: Path | None) -> Presentation:
    if template is None:
        prs = Presentation()
        prs.slide_width, prs.slide_height = WIDTH, HEIGHT
        return prs
    try:
        prs = Presentation(str(template))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise PublishError(f"deck.pptx_template {template} cannot be opened as a .pptx: {exc}") from None
    slide_ids = prs.slides._sldIdLst  # a template's own example slides are not part of the deck
    for slide_id in list(slide_ids):
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    return prs


def _layouts(prs: Presentation) -> tuple:
    layouts = list(prs.slide_layouts)
    by_name = {layout.name.strip().lower(): layout for layout in layouts}

    def titled(layout: object) -> bool:
        return any(p.placeholder_format.type in shapes.TITLE_TYPES for p in layout.placeholders)

    content = by_name.get("title only") or min(
        (layout for layout in layouts if titled(layout)),
        key=lambda layout: len(layout.placeholders),
        default=layouts[0],
    )
    return by_name.get("title slide", content), content


def _title(page: object, slide: Slide, area: shapes.Area, *, styled: bool) -> int:
    """Fill the title placeholder (or a text box); returns the y where the body may start."""
    holder = page.shapes.title
    if holder is None:
        holder = page.shapes.add_textbox(area.left, area.top, area.width, Inches(1.1))
    if styled:
        holder.left, holder.top, holder.width = area.left, area.top, area.width
        holder.height = Inches(1.6) if slide.kind == "title" else Inches(1.05)
    frame = holder.text_frame
    frame.word_wrap = True
    frame.text = slide.title
    size = 40 if slide.kind == "title" else (26 if len(slide.title) <= 90 else 22)
    if styled:
        shapes.style_frame(frame, size=size, bold=True, colour=shapes.INK, anchor="top")
    else:  # the template keeps its font and colour; the size follows the length of a conclusion title
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        for run in frame.paragraphs[0].runs:
            run.font.size = Pt(size)
    for placeholder in list(page.placeholders):  # unused placeholders would show "Click to add text"
        if placeholder.placeholder_format.type not in shapes.TITLE_TYPES:
            placeholder._element.getparent().remove(placeholder._element)
    return max(int(holder.top + holder.height), area.top + Inches(1.0))


def _body(page: object, slide: Slide, area: shapes.Area, top: int) -> None:
    y = top + Inches(0.1)
    if slide.lead:
        if len(slide.lead) <= 320:
            size, lines, line_height = 16, 2 if len(slide.lead) < 160 else 4, 0.42
        else:  # a long proposal: smaller type and a box tall enough for it, so it never runs over the table
            size, lines, line_height = 12, -(-len(slide.lead) // 150) + 1, 0.3
        height = Inches(line_height * lines)
        shapes.markdown_box(page, area.left, y, area.width, height, slide.lead, size=size, shaded=True)
        y += height + Inches(0.15)
    if slide.kind == "title":
        for text in slide.bullets:
            shapes.markdown_box(
                page, area.left, y, area.width, Inches(0.4), text, size=13, colour=shapes.MUTED
            )
            y += Inches(0.45)
    bottom = area.bottom - (Inches(0.5) if slide.quote else 0)
    width = area.width
    if slide.bullets and slide.kind != "title":
        aside = Inches(3.5)
        width -= aside + Inches(0.3)
        shapes.bullet_box(page, area.left + width + Inches(0.3), y, aside, bottom - y, slide.bullets)
    if slide.table is not None:
        table_top = max(y, bottom - shapes.table_height(slide.table)) if slide.kind == "title" else y
        shapes.table(page, slide.table, area.left, table_top, width, bottom - table_top)
    if slide.chart is not None:
        shapes.chart(page, slide.chart, area.left, y, width, bottom - y)
    if slide.quote:
        shapes.markdown_box(
            page, area.left, bottom + Inches(0.05), area.width, Inches(0.4), f"“{slide.quote}”", size=16,
            colour=shapes.MUTED, italic=True,
        )  # fmt: skip


def _properties(prs: Presentation, deck: Deck, as_of: dt.datetime) -> None:
    stamp = _utc(as_of).replace(tzinfo=None)
    props = prs.core_properties
    props.title = deck.title
    props.subject = re.sub(r"\*\*", "", deck.summary_line)
    props.author = deck.organization or GENERATOR
    props.last_modified_by = GENERATOR
    props.keywords = f"reliability; error budget; AI spend; {deck.period}"
    props.category = "Quarterly reliability review"
    props.comments = f"Generated by {GENERATOR} from the facts of {deck.period}, data as of {deck.as_of}."
    props.created = stamp
    props.modified = stamp
    props.revision = 1


def normalise_package(
    data: bytes, as_of: dt.datetime, *, app_properties: dict[str, str] | None = None
) -> bytes:
    """Rewrite a zip package with fixed member timestamps (embedded workbooks too) for identical bytes;
    ``app_properties`` replaces elements of docProps/app.xml, which python-pptx copies from its template."""
    stamp = _utc(as_of)
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    iso = format_timestamp(stamp)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename.endswith(".xlsx"):
                blob = normalise_package(blob, as_of)
            elif info.filename == "docProps/app.xml" and app_properties:
                for tag, value in app_properties.items():
                    blob = re.sub(rf"<{tag}>[^<]*</{tag}>".encode(), f"<{tag}>{value}</{tag}>".encode(), blob)
            elif info.filename == "docProps/core.xml":
                blob = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + iso.encode() + m.group(3),
                    blob,
                )
            member = zipfile.ZipInfo(info.filename, date_time=date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 0
            member.external_attr = 0
            target.writestr(member, blob)
    return out.getvalue()


def _utc(value: dt.datetime) -> dt.datetime:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
