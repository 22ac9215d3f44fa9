"""The PDF of a week with a long SLO table, read back with pypdf: every objective that needs attention is in
it, the ones left out are counted in words, and two renders are byte-identical."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from sentinel_reports.narrative.template import narrate_week
from sentinel_reports.publish.brief import render_week
from sentinel_reports.render import brief_print as bp
from sentinel_reports.render.charts import ChartRenderer
from sentinel_reports.render.environment import make_environment
from tests.render.test_brief_print import scaled_week


@pytest.fixture(scope="module")
def scaled(example_site, example_project, tmp_path_factory):  # type: ignore[no-untyped-def]
    site, result = example_site
    facts, config = scaled_week(site, result.weeks[-1], example_project)
    narrative = narrate_week(facts, None, config)
    renderer = ChartRenderer()

    def render() -> bytes:
        files = render_week(make_environment(), facts, narrative, config, history=[], renderer=renderer,
                            links={"status": True})  # fmt: skip
        return files["brief.pdf"]

    return facts, render(), render


def _text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.replace("-\n", "-").split())


def test_pdf_lists_every_slo_needing_attention_and_counts_the_others(scaled) -> None:  # type: ignore[no-untyped-def]
    facts, pdf, _ = scaled
    text = _text(pdf)
    flagged = [s for s in facts.slos if bp.slo_attention(s)]
    assert len(flagged) > bp.PRINT_ROWS
    missing = [s.name for s in flagged if not re.search(rf"{re.escape(s.name)} ?\(", text)]
    assert missing == []
    others = len(facts.slos) - len(flagged)
    assert f"{others} other objectives met their target this week" in text
    assert f"the full table of {len(facts.slos)} objectives" in text and "is in the web edition" in text
    assert "Service level objectives needing attention" in text


def test_condensed_pdf_is_byte_identical_across_renders(scaled) -> None:  # type: ignore[no-untyped-def]
    _, pdf, render = scaled
    assert render() == pdf
