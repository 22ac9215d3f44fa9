"""Projects the invariants run over, with the facts and narratives of every period, built once per session.

- ``demo``: the repository root (the demo project);
- ``renamed``: the ``sentinel init`` example rewritten by someone else: other component ids, names and
  teams, the Europe/Berlin timezone, a SEV1 with customer impact, the incident record starting mid-way,
  the answer service's request counts ending two samples before the rest of the data, and a bill whose
  team tags spell the Indexing guild `indexing` (mapped by a `teams:` alias; shared spend carries the tag).

Only facts and narratives are built (no charts, no PDFs), so the whole suite stays fast.
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

RENAMES = (  # order matters: longer spellings first
    ("assistant-api", "answer-engine"),
    ("Assistant API", "Answer Engine"),
    ("Assistant team", "Answers squad"),
    ("Search team", "Indexing guild"),
    ("retrieval", "doc-index"),
    ("Retrieval", "Doc Index"),
)
SEV1 = (
    "INC-900,Answer Engine unavailable after a bad deploy,SEV1,resolved,answer-engine,"
    "2026-11-18T09:00:00Z,2026-11-18T09:04:00Z,2026-11-18T09:06:00Z,2026-11-18T10:10:00Z,"
    "2026-11-18T10:30:00Z,true\n"
)


def _rename(text: str) -> str:
    for old, new in RENAMES:
        text = text.replace(old, new)
    return text


def make_renamed_project(root: Path) -> Path:
    """The example project with other names and shapes (see the module docstring)."""
    import json

    from sentinel_reports.demo import scaffold

    scaffold(root)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".gz":
            path.write_bytes(
                gzip.compress(_rename(gzip.decompress(path.read_bytes()).decode()).encode(), mtime=0)
            )
        else:
            path.write_text(_rename(path.read_text(encoding="utf-8")), encoding="utf-8")
    config = root / "sentinel.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("timezone: UTC", "timezone: Europe/Berlin"),
        encoding="utf-8",
    )
    # the bill spells one team as its own tag (`indexing`), shared spend carries it, and an alias maps it
    for path in sorted((root / "data" / "billing").glob("*.csv.gz")):
        text = gzip.decompress(path.read_bytes()).decode()
        text = text.replace('""team"":""Indexing guild""', '""team"":""indexing""')
        text = text.replace('{""env"":""prod""}', '{""env"":""prod"",""team"":""indexing""}')
        assert '""team"":""indexing""' in text, path  # the rewrite took effect
        path.write_bytes(gzip.compress(text.encode(), mtime=0))
    config.write_text(
        config.read_text(encoding="utf-8") + "\nteams: {Indexing guild: [indexing]}\n", encoding="utf-8"
    )
    incidents = root / "data" / "incidents" / "incidents.csv"
    incidents.write_text(incidents.read_text(encoding="utf-8") + SEV1, encoding="utf-8")
    # the answer service's request counts stop two 5-minute samples before the rest of the data
    for name in ("requests_total.json", "requests_good.json"):
        path = root / "data" / "prometheus" / name
        doc = json.loads(path.read_text(encoding="utf-8"))
        result = doc["data"]["result"] if "data" in doc else doc["result"]
        for series in result:
            if "answer-engine" in json.dumps(series["metric"]):
                series["values"] = series["values"][:-2]
        path.write_text(json.dumps(doc), encoding="utf-8")
    return root


@dataclass
class Period:
    project: str
    label: str
    facts: Any  # the facts model (WeekFacts or QuarterFacts)
    narrative: Any
    config: Any

    @functools.cached_property
    def data(self) -> dict[str, Any]:
        """The JSON data of the facts (as in evidence/<period>/facts.json), which the invariants read."""
        from sentinel_reports.analysis.facts_model import facts_data

        return facts_data(self.facts)


def _periods(name: str, project: Any, computed: dict[str, Any] | None = None) -> list[Period]:
    """Every period of an opened project with its facts (taken from ``computed`` when it has the label) and
    its template narrative."""
    from sentinel_reports.analysis.facts import quarter_facts, week_facts
    from sentinel_reports.analysis.periods import available_periods
    from sentinel_reports.narrative.template import narrate_quarter, narrate_week

    computed = computed or {}
    out = []
    for kind, facts_of, narrate in (
        ("week", week_facts, narrate_week),
        ("quarter", quarter_facts, narrate_quarter),
    ):
        for label in available_periods(project.dataset, project.config, project.as_of, kind):
            facts = computed.get(label) or facts_of(
                project.dataset, project.content, project.config, label, project.as_of
            )
            out.append(
                Period(name, label, facts, narrate(facts, project.content, project.config), project.config)
            )
    return out


@pytest.fixture(scope="session")
def renamed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_renamed_project(tmp_path_factory.mktemp("renamed") / "project")


@pytest.fixture(scope="session")
def all_periods(renamed_project: Path, request: pytest.FixtureRequest) -> list[Period]:
    """Every week and quarter of the demo (its facts computed once per test process, tests/conftest.py) and
    of the renamed project, with facts and narrative."""
    from sentinel_reports.pipeline import open_project

    periods = _periods("renamed", open_project(renamed_project, use_cache=False))
    if (REPO / "sentinel.yaml").exists():
        demo = request.getfixturevalue("demo_project")
        periods = _periods("demo", demo, request.getfixturevalue("demo_period_facts")) + periods
    return periods


@dataclass
class Archive:
    """A closed period's facts as published the morning after it closed, and as computed at the project's
    as-of with all the data that arrived since."""

    project: str
    label: str
    then: dict[str, Any]
    now: dict[str, Any]


ARCHIVE_DELAY_HOURS = 6


@pytest.fixture(scope="session")
def archives(all_periods: list[Period], renamed_project: Path) -> list[Archive]:
    """The last two closed weeks and the last closed quarter of each project, built at an as-of six hours
    after each closed (with the data known then) and paired with the same period's facts in `all_periods`."""
    import datetime as dt

    from sentinel_reports.analysis.facts import quarter_facts, week_facts
    from sentinel_reports.analysis.periods import parse_period
    from sentinel_reports.pipeline import clip_to_as_of, open_project

    roots = {"renamed": renamed_project}
    if (REPO / "sentinel.yaml").exists():
        roots["demo"] = REPO
    out = []
    for name, root in roots.items():
        project = open_project(root, use_cache=False)
        mine = [p for p in all_periods if p.project == name]
        for kind, facts_of, keep in (("week", week_facts, 2), ("quarter", quarter_facts, 1)):
            closed = [p for p in mine if p.facts.kind == kind and not p.facts.in_progress]
            for period in closed[-keep:]:
                end = parse_period(kind, period.label, project.config.tz).end
                then = end + dt.timedelta(hours=ARCHIVE_DELAY_HOURS)
                if then >= project.as_of:
                    continue
                data = clip_to_as_of(project.dataset, then)
                facts = facts_of(data, project.content, project.config, period.label, then)
                out.append(Archive(name, period.label, facts, period.facts))
    return out
