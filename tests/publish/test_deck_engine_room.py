"""A deck is read by a CFO and a board: no PromQL and no metric or field names on any slide body, in the HTML
slides and in the PPTX; the speaker notes may hold them (the engineer presenting reads them there).

Every quarter of the demo and of the renamed second project is checked (tests/invariants/conftest.py)."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation

from tests.invariants.conftest import make_renamed_project

REPO = Path(__file__).resolve().parents[2]

PROMQL = re.compile(
    r"\b(?:histogram_quantile|rate|irate|increase|sum|avg|max|min|count|avg_over_time|quantile_over_time)\("
    r"|\bby\s*\(\s*\w+|\{\s*\w+\s*=~?\s*\"|\[\d+[smhd]\]"
)
METRIC = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-]|\.\w)")
"""A snake_case name (latency_p95_ms, requests_good, eval_pass_rate); not a file path or file name."""


def engine_room(text: str) -> list[str]:
    """The PromQL fragments and metric or field names in `text` (paths and file names are not)."""
    text = re.sub(r"\S*/\S*", " ", text)  # file paths (the sources appendix)
    return [m.group(0) for m in PROMQL.finditer(text)] + [m.group(0) for m in METRIC.finditer(text)]


def test_the_detector_sees_promql_and_metric_names_and_spares_paths_and_prose() -> None:
    assert engine_room("export histogram_quantile(0.95, sum by (le) (rate(x[5m])))")
    assert engine_room("no latency_p95_ms or requests_good data") == ["latency_p95_ms", "requests_good"]
    assert engine_room('up{job="chat"}')
    assert engine_room("data/evals/agent_eval_events.jsonl.gz and cost_report_2026-06.json.gz") == []
    assert engine_room("Knowledge Search latency overspent its 28-day error budget (chat-api)") == []


def _quarters(project: Any):
    from sentinel_reports.analysis.facts import quarter_facts
    from sentinel_reports.analysis.periods import available_periods

    for label in available_periods(project.dataset, project.config, project.as_of, "quarter"):
        yield (
            project,
            label,
            quarter_facts(project.dataset, project.content, project.config, label, project.as_of),
        )


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory, demo_project: Any) -> list[tuple[str, dict[str, bytes]]]:
    from sentinel_reports.pipeline import open_project
    from sentinel_reports.publish.deck import deck_files
    from sentinel_reports.render.environment import make_environment

    renamed = make_renamed_project(tmp_path_factory.mktemp("renamed") / "project")
    projects = [open_project(renamed, use_cache=False)]
    if (REPO / "sentinel.yaml").exists():
        projects.insert(0, demo_project)
    out = []
    for opened in projects:
        for project, label, facts in _quarters(opened):
            files = deck_files(project, label, make_environment(None), formats=("html", "pptx"), facts=facts)
            out.append((f"{project.config.project_dir.name} {label}", files))
    return out


def _html_bodies(page: str) -> list[str]:
    """The text of each slide of the HTML deck without its speaker notes (<details class="notes">) and chart
    markup; the takeaways beside an exhibit (<aside>) are slide body."""
    bodies = []
    for section in re.findall(r"<section\b.*?</section>", page, flags=re.S):
        body = re.sub(r"<details class=\"notes\".*?</details>", " ", section, flags=re.S)
        body = re.sub(r"<(svg|style|script)\b.*?</\1>", " ", body, flags=re.S)
        bodies.append(html.unescape(re.sub(r"<[^>]+>", " ", body)))
    return bodies


def _pptx_bodies(data: bytes) -> tuple[list[str], list[str]]:
    """(slide texts, notes texts) of the PPTX."""
    prs = Presentation(io.BytesIO(data))
    bodies, notes = [], []
    for slide in prs.slides:
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
        bodies.append("\n".join(texts))
        notes.append(slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else "")
    return bodies, notes


def test_no_promql_or_metric_name_on_a_slide_body_in_html_and_pptx(decks) -> None:
    found = {}
    for name, files in decks:
        for i, body in enumerate(_html_bodies(files["index.html"].decode("utf-8")), start=1):
            if hits := engine_room(body):
                found[f"{name} html slide {i}"] = hits
        bodies, _ = _pptx_bodies(files["deck.pptx"])
        for i, body in enumerate(bodies, start=1):
            if hits := engine_room(body):
                found[f"{name} pptx slide {i}"] = hits
    assert found == {}


def test_the_notes_keep_the_instrumentation_detail(decks) -> None:
    """What leaves the slide body is not lost: the engineer's detail (metric names, PromQL) is in the notes."""
    notes = [n for _, files in decks for n in _pptx_bodies(files["deck.pptx"])[1]]
    assert any(engine_room(n) for n in notes)
