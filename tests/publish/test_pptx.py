"""The PPTX read back with python-pptx: 16:9, titles, native tables equal to the facts, native charts,
notes with sources, a corporate template's layouts, and identical bytes for the same as-of."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE, MSO_SHAPE_TYPE
from pptx.util import Emu, Inches

from sentinel_reports.errors import ConfigError
from sentinel_reports.publish.deck import pptx_template
from sentinel_reports.publish.pptx import deck_to_pptx
from sentinel_reports.render import formatting as f
from sentinel_reports.render.deck import build_deck

REPO = Path(__file__).resolve().parents[2]
QUARTER = "2026-Q4"


@pytest.fixture(scope="module")
def built(demo_project, demo_period_facts):
    from sentinel_reports.narrative.template import narrate_quarter

    project, facts = demo_project, demo_period_facts[QUARTER]
    deck = build_deck(facts, narrate_quarter(facts, project.content, project.config))
    data = deck_to_pptx(deck, as_of=project.as_of)
    return facts, deck, data, project.as_of


def _tables(page) -> list:
    return [s.table for s in page.shapes if s.has_table]


def _cells(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_slides_are_16_9_with_the_deck_titles_in_title_placeholders(built) -> None:
    _, deck, data, _ = built
    prs = Presentation(io.BytesIO(data))
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))
    assert len(prs.slides) == len(deck.slides)
    assert [page.shapes.title.text for page in prs.slides] == [s.title for s in deck.slides]
    for page in prs.slides:
        assert not [s for s in page.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE], "no pictures of tables"


def test_tables_are_native_and_hold_the_facts_as_formatted_for_every_format(built) -> None:
    facts, deck, data, _ = built
    prs = Presentation(io.BytesIO(data))
    index = {s.key: i for i, s in enumerate(deck.slides)}
    glance = _cells(_tables(prs.slides[index["glance"]])[0])
    facing = [s for s in facts.slos if s.customer_facing]
    assert glance[0][:4] == ["Component", "Indicator", "Target", QUARTER]
    for row, s in zip(glance[1:], facing, strict=True):
        assert row[0] == s.component_name and row[3] == f.pct(s.period_attainment, 2)
    incidents = _cells(_tables(prs.slides[index["incidents"]])[0])
    assert incidents[-1][0] == "Total"
    assert incidents[-1][5] == f.money(facts.business.revenue_at_risk_total)
    investments = _cells(_tables(prs.slides[index["investments"]])[0])
    proposed = investments[1 : 1 + len(facts.investments)]  # then the options compared with them
    assert [r[1] for r in proposed] == [i.title for i in facts.investments]
    assert [r[5] for r in proposed] == [f.pct(i.roi, 0) for i in facts.investments]
    for s, page in zip(deck.slides, prs.slides, strict=True):
        if s.table is not None and s.table.style != "kpi":
            header = 1 if (s.table.style != "terms" or s.table.columns[-1]) else 0
            assert _cells(_tables(page)[0])[header:] == [list(r) for r in s.table.rows], s.key


def test_charts_are_native_line_and_bar_charts_with_the_fact_values(built) -> None:
    facts, deck, data, _ = built
    prs = Presentation(io.BytesIO(data))
    index = {s.key: i for i, s in enumerate(deck.slides)}
    budget = next(s for s in prs.slides[index["budget"]].shapes if s.has_chart).chart
    assert budget.chart_type == XL_CHART_TYPE.LINE
    names = [s.name for s in budget.plots[0].series]
    assert names[:-1] == [x.name for x in deck.slides[index["budget"]].chart.series]
    assert names[-1] == "Budget exhausted"
    spend = next(s for s in prs.slides[index["spend"]].shapes if s.has_chart).chart
    assert spend.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    current = spend.plots[0].series[1]
    facing = [c.id for c in facts.components if c.customer_facing]
    assert list(current.values) == pytest.approx([facts.cost.per_successful_task[c] for c in facing])


def test_speaker_notes_carry_sources_and_assumptions(built) -> None:
    facts, deck, data, _ = built
    prs = Presentation(io.BytesIO(data))
    notes = {
        s.key: page.notes_slide.notes_text_frame.text for s, page in zip(deck.slides, prs.slides, strict=True)
    }
    assert all(notes.values())
    assert "Sources:" in notes["glance"] and "prom-requests" in notes["glance"]
    assert facts.business.assumptions_source in notes["incidents"]
    assert facts.cost.cache is not None and facts.cost.cache.price_source in notes["spend"]
    first = facts.investments[0]
    assert first.benefit_basis in notes["investments"]


def test_core_properties_and_zip_timestamps_come_from_as_of_so_bytes_repeat(built) -> None:
    _, deck, data, as_of = built
    prs = Presentation(io.BytesIO(data))
    stamp = as_of.astimezone(dt.UTC).replace(tzinfo=None)
    props = prs.core_properties
    assert props.created == stamp and props.modified == stamp
    assert props.last_modified_by == "Sentinel Reports" and props.revision == 1 and props.title == deck.title
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        times = {info.date_time for info in package.infolist()}
        workbooks = [n for n in package.namelist() if n.endswith(".xlsx")]
        assert workbooks, "charts embed their data as workbooks"
        inner = zipfile.ZipFile(io.BytesIO(package.read(workbooks[0])))
        core = inner.read("docProps/core.xml").decode()
        times |= {info.date_time for info in inner.infolist()}
    assert times == {(stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second // 2 * 2)}
    assert re.findall(r"<dcterms:created[^>]*>([^<]+)<", core) == [stamp.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert deck_to_pptx(deck, as_of=as_of) == data


def _template(path: Path) -> Path:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    example = prs.slides.add_slide(prs.slide_layouts[0])
    example.shapes.title.text = "Example slide to be dropped"
    brand = example.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(7.2), Inches(13.333), Inches(0.3))
    brand.name = "Corporate brand bar"
    brand.fill.solid()
    brand.fill.fore_color.rgb = RGBColor(0x7A, 0x00, 0x3C)
    prs.slide_masters[0].shapes._spTree.append(brand._element)  # python-pptx cannot draw on a master
    prs.save(path)
    return path


def test_a_corporate_template_supplies_masters_and_layouts(built, tmp_path: Path) -> None:
    _, deck, _, as_of = built
    data = deck_to_pptx(deck, as_of=as_of, template=_template(tmp_path / "brand.pptx"))
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == len(deck.slides)
    assert "Example slide to be dropped" not in [p.shapes.title.text for p in prs.slides]
    for page, s in zip(prs.slides, deck.slides, strict=True):
        master = page.slide_layout.slide_master
        assert "Corporate brand bar" in [shape.name for shape in master.shapes]
        assert page.slide_layout.name == ("Title Slide" if s.kind == "title" else "Title Only")
        assert page.shapes.title.text == s.title


def test_template_path_is_relative_to_the_project_and_must_exist(tmp_path: Path) -> None:
    _template(tmp_path / "brand.pptx")
    deck = SimpleNamespace(pptx_template="brand.pptx")
    project = SimpleNamespace(config=SimpleNamespace(project_dir=tmp_path, deck=deck))
    assert pptx_template(project) == (tmp_path / "brand.pptx").resolve()
    project.config.deck.pptx_template = "missing.pptx"
    with pytest.raises(ConfigError, match="deck.pptx_template"):
        pptx_template(project)
    project.config.deck.pptx_template = None
    assert pptx_template(project) is None
