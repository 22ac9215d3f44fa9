"""Every number a demo publication shows is the display of a fact key of its period.

The demo project (the repository root) is rendered once for the module: the web page, markdown, email and
print pages of every weekly brief, the HTML deck of every quarter, and the status page with its incident
pages. Every figure of their text (``numbers.extract_numbers``: dates, times, week and quarter labels are
labels, not figures) must be ``FactCatalog.display`` of a key of that period's facts, with any display
modifier, or sit inside a string fact written whole (a gap sentence, a recommendation's title). A number the
renderer computed (a change, a share, a count of rows) fails until analysis stores it under a key.

What is read of an HTML page is its visible text: scripts, styles and attribute values are dropped, and so
are two parts of an inline SVG chart:

- the axis tick labels (Vega's ``role-axis-label``): scale marks chosen by the chart library, not claims;
  the values the chart draws are facts, and its title and mark labels are checked;
- an SVG's ``<title>`` and ``<desc>``: the chart's accessible name and description, not drawn on the page.

A marked quotation of human-written content (an element of class ``human-quote``: the postmortem an incident
page quotes under "From the postmortem") is skipped whole: its figures are its author's words, not figures the
product computed (docs/narrative.md, "Quoted human-written text"). Text outside it is still checked.

One phrase of the product's own wording is skipped where it stands (``WORDING``): the unit token prices are
quoted in, "per 1M tokens" (``narrative.aiops.PER_MILLION_TOKENS``, as API price lists quote them). Its "1M"
is a unit, the same in every deck, not a figure about the period; the prices before it are checked.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from sentinel_reports.narrative.aiops import PER_MILLION_TOKENS
from sentinel_reports.narrative.claims import FactCatalog

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (REPO / "sentinel.yaml").exists(), reason="the demo project is not generated"
)

BLOCK = frozenset(
    """address article aside blockquote br caption dd details div dl dt figcaption figure footer h1 h2 h3 h4
    h5 h6 header hr li main nav ol option p pre section summary table tbody td tfoot th thead title tr ul
    text tspan g""".split()
)
WORDING = (PER_MILLION_TOKENS,)
"""Constants of the product's wording that hold a digit and state no figure (see the module docstring)."""
VOID = frozenset(
    "area base br col embed hr img input link meta source track wbr path line rect circle use".split()
)


class _Visible(HTMLParser):
    """The text a reader sees: no scripts, styles, attribute values, SVG titles or axis tick labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self._gap(tag)
            return
        cls = dict(attrs).get("class") or ""
        in_svg = any(t == "svg" for t, _ in self.stack)
        hidden = (
            tag in ("script", "style", "desc")
            or (tag == "title" and in_svg)
            or "role-axis-label" in cls
            or "human-quote" in cls.split()
            or (self.stack and self.stack[-1][1])
        )
        self.stack.append((tag, bool(hidden)))
        self._gap(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break
        self._gap(tag)

    def _gap(self, tag: str) -> None:
        # a block ends a line; an inline element boundary between two words or numbers is a space
        self.parts.append("\n" if tag in BLOCK else "\x00")

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts)
        joined = re.sub(r"(?<=[\w%).])\x00+(?=[\w$€£(])", " ", joined)
        return re.sub(r"[ \t]*\n[\s\x00]*", "\n", joined.replace("\x00", ""))


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return parser.text()


@dataclass
class Output:
    publication: str  # "brief 2026-W45", "deck 2026-Q4", "status"
    form: str  # "index.html", "brief.md", ...
    text: str  # visible text (HTML) or the markdown
    catalog: FactCatalog


@pytest.fixture(scope="module")
def demo_outputs() -> list[Output]:
    return render_demo(REPO)


def render_demo(root: Path, *, use_cache: bool = False) -> list[Output]:
    """The markdown and HTML of every brief, deck and status page of the project, each with its facts."""
    from sentinel_reports.publications import Brief, StatusPage, _brief_init
    from sentinel_reports.publish.deck import deck_files
    from sentinel_reports.publish.status import status_outputs
    from sentinel_reports.render.brief import render_brief
    from sentinel_reports.render.brief_charts import TREND_WEEKS, week_points
    from sentinel_reports.session import Session

    s = Session(root, use_cache=use_cache, jobs=1)
    facts = s.week_facts(s.weeks)
    points = [week_points(f) for f in facts.values()]
    _brief_init(s.templates, None, s.config)
    from sentinel_reports.publications import _WORKER

    out: list[Output] = []
    for i, week in enumerate(s.weeks):
        history = points[max(0, i - TREND_WEEKS + 1) : i]
        brief = Brief(s, week, history=history, links={"status": True, "decks": False})
        rendered = render_brief(
            _WORKER["env"], brief.facts, brief.narrative, s.config, history=history,
            renderer=_WORKER["renderer"], links=brief.links, project_templates=s.templates,
        )  # fmt: skip
        catalog = FactCatalog(brief.narrative.verification_facts(brief.facts), config=s.config)
        out.append(Output(f"brief {week}", "brief.md", rendered.markdown, catalog))
        for form, html in (
            ("index.html", rendered.html),
            ("email.html", rendered.email_html),
            ("print.html", rendered.pdf_html),
        ):
            out.append(Output(f"brief {week}", form, visible_text(html), catalog))
    status = StatusPage(s)
    week_facts = facts[status.week]
    catalog = FactCatalog(week_facts, config=s.config, every_day=True)
    for path, text in status_outputs(week_facts, s.env, s.config, s.project.content).items():
        if path.endswith(".html"):
            out.append(Output("status", path.removeprefix("status/"), visible_text(text), catalog))
    for quarter in s.quarters:
        q_facts = s.quarter_facts(quarter)
        narrative = s.narrator.quarter(q_facts, s.content)
        files = deck_files(
            s.project, quarter, s.env, formats=("html",), charts=s.charts, narrate=lambda *_a, n=narrative: n,
            facts=q_facts,
        )  # fmt: skip
        catalog = FactCatalog(narrative.verification_facts(q_facts), config=s.config)
        out.append(
            Output(f"deck {quarter}", "index.html", visible_text(files["index.html"].decode()), catalog)
        )
    return out


def _context(text: str, span: tuple[int, int]) -> str:
    line_start = text.rfind("\n", 0, span[0]) + 1
    line_end = text.find("\n", span[1])
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return line if len(line) <= 120 else line[max(0, span[0] - line_start - 60) :][:120]


def unkeyed_report(outputs: list[Output]) -> tuple[Counter[str], dict[str, list[str]]]:
    """(count of numbers that are no fact's display per publication and form, examples by line)."""
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for o in outputs:
        for m in o.catalog.unkeyed(o.text, ignore=WORDING):
            counts[f"{o.publication} {o.form}"] += 1
            examples[f"{o.publication} {o.form}"].append(f"{m.raw!r} in: {_context(o.text, m.span)}")
    return counts, examples


def test_the_demo_renders_every_publication(demo_outputs: list[Output]) -> None:
    publications = {o.publication for o in demo_outputs}
    assert len([p for p in publications if p.startswith("brief")]) >= 20
    assert any(p.startswith("deck") for p in publications) and "status" in publications
    for o in demo_outputs:
        assert len(o.text) > 500, (o.publication, o.form)
        assert "<svg" not in o.text and "<div" not in o.text, (o.publication, o.form)


def test_every_number_in_every_brief_and_on_the_status_page_is_the_display_of_a_fact(
    demo_outputs: list[Output],
) -> None:
    briefs = [
        o
        for o in demo_outputs
        if o.publication.startswith("brief") or o.form == "index.html" and o.publication == "status"
    ]
    assert len(briefs) >= 81
    counts, examples = unkeyed_report(briefs)
    lines = [
        f"{where}: {n}\n    " + "\n    ".join(examples[where][:8]) for where, n in sorted(counts.items())
    ]
    assert not counts, f"{sum(counts.values())} numbers are no fact's display:\n" + "\n".join(lines)


def test_every_number_in_every_publication_is_the_display_of_a_fact(demo_outputs: list[Output]) -> None:
    decks = {o.publication for o in demo_outputs if o.publication.startswith("deck")}
    assert decks == {"deck 2026-Q2", "deck 2026-Q3", "deck 2026-Q4"}  # every quarter of the demo
    counts, examples = unkeyed_report(demo_outputs)
    lines = [
        f"{where}: {n}\n    " + "\n    ".join(examples[where][:8]) for where, n in sorted(counts.items())
    ]
    assert not counts, f"{sum(counts.values())} numbers are no fact's display:\n" + "\n".join(lines)


def test_a_computed_number_is_reported(demo_outputs: list[Output]) -> None:
    """The check can fail: an amount and a share no fact holds are found; the week's total spend is not."""
    from sentinel_reports import display

    o = next(o for o in demo_outputs if o.publication.startswith("brief") and o.form == "brief.md")
    cost: Any = o.catalog.facts["cost"]
    total, odd, share = display.money(cost["total"]), display.money(987_654_321), display.pct(1 / 7, 3)
    text = f"Spend was {total}; a made-up line is {odd}, or {share} of it."
    assert [m.raw for m in o.catalog.unkeyed(text)] == [odd, share]


def test_only_the_unit_phrase_of_token_prices_is_skipped(demo_outputs: list[Output]) -> None:
    """ "per 1M tokens" is skipped where it stands; a "1M" anywhere else is read as a figure, and a price before
    the phrase that no fact holds is reported."""
    from sentinel_reports.narrative.numbers import extract_numbers

    o = next(o for o in demo_outputs if o.publication == "deck 2026-Q4")
    text = f"Self-hosting cost $9.99 {PER_MILLION_TOKENS}; 1M tokens a day."
    assert [m.raw for m in extract_numbers(text, ignore=WORDING)] == ["$9.99", "1M"]
    assert [m.raw for m in extract_numbers(text)] == ["$9.99", "1M", "1M"]
    assert "$9.99" in [m.raw for m in o.catalog.unkeyed(text, ignore=WORDING)]


def test_only_a_marked_quotation_of_human_text_is_skipped(demo_outputs: list[Output]) -> None:
    """The postmortem an incident page quotes is skipped; the same figures outside the quotation are caught."""
    html = (
        '<p>Customers saw errors for 157 minutes.</p><figure class="human-quote"><figcaption>From the '
        "postmortem</figcaption><blockquote><p>Errors for 157 minutes; availability about 64%.</p>"
        '</blockquote></figure><blockquote class="principle"><p>Down 2500 ms.</p></blockquote>'
    )
    text = visible_text(html)
    assert "From the postmortem" not in text and "about 64%" not in text
    o = next(o for o in demo_outputs if o.publication == "status" and o.form.startswith("incidents/"))
    assert [m.raw for m in o.catalog.unkeyed(text)] == ["157 minutes", "2500 ms"]
