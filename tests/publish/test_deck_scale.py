"""The deck of a busy quarter: dozens of incidents on several components whose customer-impact minutes are
not whole and add up to thousands. Every figure the HTML slides and the PPTX show (tables, notes, the title
KPIs) traces to the quarter's facts; the incident table keeps to one slide and its total covers every
incident; the SLO window is read from the facts, never assumed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from pptx import Presentation

from sentinel_reports.analysis.business import REVENUE_LIMITS
from sentinel_reports.analysis.facts import quarter_facts
from sentinel_reports.analysis.facts_model import facts_data, facts_from_dict
from sentinel_reports.config import Config
from sentinel_reports.errors import VerificationError
from sentinel_reports.model import Dataset, Incident, conform
from sentinel_reports.narrative.review import TextReview
from sentinel_reports.narrative.template import narrate_quarter
from sentinel_reports.narrative.verifier import FactIndex
from sentinel_reports.publish.deck import deck_files
from sentinel_reports.render import formatting as f
from sentinel_reports.render.deck import build_deck, verification_facts, verify_deck
from sentinel_reports.render.deck_economics import MAX_INCIDENT_ROWS
from sentinel_reports.render.environment import make_environment

QUARTER = "2026-Q3"
START = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
AS_OF = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
COMPONENTS = [
    ("chat-api", "Assistant Chat API", True, 1),
    ("rag-retrieval", "Knowledge Search 2", True, 1),
    ("agent-orchestrator", "Agent Orchestrator", True, 2),
    ("batch-summarisation", "Batch Summarisation", False, 3),
]
RATES = {"chat-api": 180.0, "rag-retrieval": 40.0, "agent-orchestrator": 120.0, "batch-summarisation": 5.0}
INCIDENTS = 36


def _config(project_dir: Path, rates: dict[str, float]) -> Config:
    doc = {
        "organization": "Acme AI Platform",
        "components": [
            {"id": cid, "name": name, "group": "Platform", "customer_facing": facing, "tier": tier,
             "owner": "Platform team", "expects": ["availability"]}
            for cid, name, facing, tier in COMPONENTS
        ],
        "slos": [
            {"name": f"{cid}-availability", "component": cid, "objective": 0.995, "window": "28d",
             "indicator": {"ratio": {"good": "requests_good", "total": "requests_total"}}}
            for cid, _, facing, _ in COMPONENTS if facing
        ],
        "business": {"revenue_at_risk_per_minute": rates,
                     "assumptions_source": "Finance plan, tab 3" if rates else None},
    }  # fmt: skip
    return Config.model_validate(doc).model_copy(update={"project_dir": project_dir})


def _samples() -> pd.DataFrame:
    """Hourly request counts for every component over the quarter and the weeks before it, with a few
    failures, so the SLO, budget and coverage slides have data."""
    ts = pd.date_range(START - dt.timedelta(days=35), AS_OF, freq="1h", tz="UTC", inclusive="left")
    rng = np.random.default_rng(7)
    frames = []
    for cid, *_ in COMPONENTS:
        total = rng.integers(9_000, 11_000, len(ts)).astype("float64")
        good = total - rng.integers(0, 60, len(ts))
        for signal, values in (("requests_total", total), ("requests_good", good)):
            frames.append(
                pd.DataFrame(
                    {"ts": ts, "component": cid, "signal": signal, "value": values, "source": "prom"}
                )
            )
    return conform("samples", pd.concat(frames, ignore_index=True))


def _costs() -> pd.DataFrame:
    """Daily spend per component over this quarter and the one before (for the spend slide)."""
    days = pd.date_range(START - dt.timedelta(days=91), AS_OF, freq="1D", tz="UTC", inclusive="left")
    rows = [
        {"day": day, "component": cid, "team": "Platform team", "provider": "anthropic", "service": "Claude",
         "model": "claude-sonnet-4-5", "category": "usage", "cost": 1_234.56 + 17.3 * n + 3.1 * i,
         "billed_cost": 1_234.56 + 17.3 * n + 3.1 * i, "currency": "USD", "source": "focus"}
        for i, day in enumerate(days)
        for n, (cid, *_) in enumerate(COMPONENTS)
    ]  # fmt: skip
    return conform("costs", pd.DataFrame(rows))


def _incidents() -> tuple[Incident, ...]:
    """Incidents every ~2.5 days, cycling through the components (every fifth on two of them), with impact
    lengths in seconds (never whole minutes); the first lasts 20 h 34 min 30 s (over 1,000 minutes)."""
    ids = [cid for cid, *_ in COMPONENTS]
    out = []
    for n in range(INCIDENTS):
        started = START + dt.timedelta(hours=61 * n + 3, minutes=17)
        impact = dt.timedelta(seconds=74_070 if n == 0 else 1_337 + 613 * n)
        components = (ids[n % 4], ids[(n + 1) % 4]) if n % 5 == 0 else (ids[n % 4],)
        out.append(
            Incident(
                id=f"INC-{1000 + n}", title=f"Elevated errors on {components[0]} after deploy {n + 1}",
                severity=("SEV1", "SEV2", "SEV3")[n % 3], status="resolved", components=components,
                started_at=started, created_at=started + dt.timedelta(seconds=97),
                detected_at=started + dt.timedelta(seconds=97),
                acknowledged_at=started + dt.timedelta(seconds=97 + 41 * (n + 1)),
                mitigated_at=started + impact, resolved_at=started + impact + dt.timedelta(minutes=23),
                customer_impact=n % 7 != 3, source="pagerduty",
            )
        )  # fmt: skip
    return tuple(out)


def _quarter(tmp: Path, rates: dict[str, float], *, costs: bool) -> SimpleNamespace:
    config = _config(tmp, rates)
    data = Dataset.empty()
    data.samples, data.incidents = _samples(), _incidents()
    if costs:
        data.costs = _costs()
    facts = quarter_facts(data, None, config, QUARTER, AS_OF)
    narrative = narrate_quarter(facts, None, config)
    project = SimpleNamespace(config=config, dataset=data, content=None, as_of=AS_OF)
    return SimpleNamespace(
        project=project, facts=facts, narrative=narrative, deck=build_deck(facts, narrative)
    )


@pytest.fixture(scope="module")
def priced(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Every component has a revenue assumption (amounts and a total in the thousands) and spend data."""
    return _quarter(tmp_path_factory.mktemp("priced"), RATES, costs=True)


@pytest.fixture(scope="module")
def unpriced(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """No revenue assumption at all (the gap the large benchmark project has) and no spend data: the
    spend chart has nothing to plot."""
    return _quarter(tmp_path_factory.mktemp("unpriced"), {}, costs=False)


def slide(deck, key):
    return next(s for s in deck.slides if s.key == key)


FOLIO = re.compile(r"^Acme AI Platform · \d{4}-Q[1-4] · \d+/\d+$")


def html_texts(page: str) -> list[str]:
    """The visible text of each slide frame and the page foot: charts (described in their alt text, which
    is verified with the slide), the stylesheet, the script and the slide numbers left out."""
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<p class="folio">.*?</p>', " ", page, flags=re.S)
    chunks = re.split(r'<section class="frame"', page)
    return [html.unescape(re.sub(r"<[^>]+>", "\n", chunk)) for chunk in chunks]


def pptx_texts(data: bytes) -> list[str]:
    """Every text of every slide: title, text boxes, table cells, chart alt text and speaker notes (slide
    numbers left out)."""
    texts = []
    for page in Presentation(io.BytesIO(data)).slides:
        parts = []
        for shape in page.shapes:
            if shape.has_text_frame and not FOLIO.match(shape.text_frame.text):
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
            if shape.has_chart:
                parts.append(shape._element.nvGraphicFramePr.cNvPr.get("descr"))
        parts.append(page.notes_slide.notes_text_frame.text)
        texts.append("\n".join(parts))
    return texts


@pytest.mark.parametrize("case", ["priced", "unpriced"])
def test_every_figure_in_the_html_and_pptx_traces_to_the_quarter_facts(case, request) -> None:
    q = request.getfixturevalue(case)
    stats = q.facts.incident_stats
    assert stats.count == INCIDENTS and stats.impact_minutes_total > 1_000
    assert not float(stats.impact_minutes_total).is_integer()
    files = deck_files(q.project, QUARTER, make_environment(None), formats=("html", "pptx"), facts=q.facts)
    review = TextReview(verification_facts(q.deck, q.facts, q.narrative))
    texts = html_texts(files["index.html"].decode("utf-8")) + pptx_texts(files["deck.pptx"])
    problems = [p for text in texts for p in review(text)]
    assert problems == []
    total = f"{f.number(stats.impact_minutes_total, 0)} min"
    assert "," in total
    assert all(total in text for text in (texts[1], pptx_texts(files["deck.pptx"])[0]))


def test_impact_cells_show_each_incidents_own_minutes_and_the_total_covers_every_incident(priced) -> None:
    facts, deck = priced.facts, priced.deck
    s = slide(deck, "incidents")
    by_id = {i.id: i for i in facts.incidents}
    shown, total = s.table.rows[:-1], s.table.rows[-1]
    assert len(shown) == MAX_INCIDENT_ROWS < len(facts.incidents)
    for row in shown:
        inc = by_id[row[0]]
        assert inc.business_impact is not None
        assert row[3] == f"{f.number(inc.impact_minutes, 0)} min"
        assert row[5] == f.money(inc.business_impact.amount)
    amounts = [by_id[row[0]].business_impact.amount for row in shown]  # type: ignore[union-attr]
    assert amounts == sorted(amounts, reverse=True)
    assert max(i.business_impact.amount for i in facts.incidents if i.business_impact) == amounts[0]
    assert "1,235 min" in {row[3] for row in shown}  # the 20 h 34 min 30 s incident, rounded half-up
    assert total[0] == "Total"
    assert total[3] == f"{f.number(facts.incident_stats.impact_minutes_total, 0)} min"
    assert total[5] == f.money(facts.business.revenue_at_risk_total)
    more = len(facts.incidents) - MAX_INCIDENT_ROWS
    assert facts.incident_stats.not_in_deck_table == more
    assert any(f"{more} more incidents" in b and f"all {INCIDENTS} incidents" in b for b in s.bullets)
    assert all(i.id in s.notes for i in facts.incidents)


def test_a_bare_count_of_fractional_minutes_is_still_rejected(priced) -> None:
    """The verifier is unchanged: impact minutes written as a bare integer claim an exact count, which no
    fact holds, so the old rendering of the total fails verification."""
    facts, narrative, deck = priced.facts, priced.narrative, priced.deck
    total = facts.incident_stats.impact_minutes_total
    assert round(total) not in FactIndex(verification_facts(deck, facts, narrative)).integers
    s = slide(deck, "incidents")
    rows = (*s.table.rows[:-1], (*s.table.rows[-1][:3], f.count(total), *s.table.rows[-1][4:]))
    bad = dataclasses.replace(s, table=dataclasses.replace(s.table, rows=rows))
    broken = dataclasses.replace(deck, slides=tuple(bad if x.key == "incidents" else x for x in deck.slides))
    with pytest.raises(VerificationError) as err:
        verify_deck(broken, facts, narrative)
    assert f.count(total) in str(err.value)


def test_counts_the_deck_computes_are_recorded_for_verification(unpriced) -> None:
    facts, deck = unpriced.facts, unpriced.deck
    s = slide(deck, "incidents")
    missing = len(facts.business.incidents_without_assumption)
    assert deck.derived["business.incidents_without_assumption_count"] == missing
    assert s.title == f"Revenue at risk cannot be stated for {missing} incidents: no revenue assumption"
    assert all(row[5] == "no data" for row in s.table.rows)
    minutes = [row[3] for row in s.table.rows[:-1]]
    impact = {i.id: i.impact_minutes for i in facts.incidents}
    assert [impact[row[0]] for row in s.table.rows[:-1]] == sorted(impact.values(), reverse=True)[:8]
    assert all(m.endswith(" min") for m in minutes)


def test_the_incidents_slide_names_only_the_gaps_that_limit_revenue_at_risk(unpriced) -> None:
    data = facts_data(unpriced.facts)
    cache_gap = {
        "kind": "missing_assumption", "component": "chat-api", "signal": "tokens_cache_read",
        "priority": "P1", "sources": [], "specific": "cache reads of chat-api cannot be priced",
        "limits": "state the saving prompt caching produced at the configured prices",
        "instrumentation": "a model column on the cost rows",
        "sentence": "Current observability gap: cache reads of chat-api cannot be priced. This limits our "
        "ability to state the saving prompt caching produced at the configured prices. Recommended "
        "instrumentation: a model column on the cost rows with priority P1.",
    }  # fmt: skip
    data["gaps"].insert(0, cache_gap)
    facts = facts_from_dict(data)
    s = slide(build_deck(facts, unpriced.narrative), "incidents")
    revenue = [g.sentence for g in facts.gaps if g.limits == REVENUE_LIMITS]
    assert revenue and list(s.bullets[:-1]) == revenue[:2]
    assert cache_gap["sentence"] not in s.bullets


def test_slo_windows_are_read_from_the_facts(priced) -> None:
    data = facts_data(priced.facts)
    for s in data["slos"]:
        s["window_days"] = 7.0
        for day in s.get("daily") or []:
            if day.get("budget_remaining") is not None:
                day["budget_remaining"] = -0.25
    facts = facts_from_dict(data)
    deck = build_deck(facts, priced.narrative)
    verify_deck(deck, facts, priced.narrative)
    texts = "\n".join(text for _, text in deck.texts())
    assert "28-day" not in texts
    assert "each over its 7-day window" in slide(deck, "title").notes
    assert "overspent its 7-day error budget" in slide(deck, "budget").title


def test_a_quarter_without_spend_data_says_no_data_in_every_format(unpriced) -> None:
    s = slide(unpriced.deck, "spend")
    assert s.chart.categories == () and "cannot be stated: no data" in s.title
    assert "**Unattributed spend**: no data (no cost rows in the quarter)." in s.bullets
    files = deck_files(
        unpriced.project, QUARTER, make_environment(None), formats=("pptx",), facts=unpriced.facts
    )
    page = Presentation(io.BytesIO(files["deck.pptx"])).slides[unpriced.deck.slides.index(s)]
    assert not any(shape.has_chart for shape in page.shapes)
    assert any(shape.has_text_frame and shape.text_frame.text == f.GAP for shape in page.shapes)
