"""The facts contract: docs/facts.md's field reference and the shipped JSON Schemas are generated from the
models, every facts.json a build writes validates against the schema, and reading it back through the model
gives the same bytes."""

from __future__ import annotations

import datetime as dt
import functools
import json
import pickle
from pathlib import Path

import jsonschema
import pytest

from sentinel_reports.analysis.facts_model import (
    SCHEMAS,
    QuarterFacts,
    WeekFacts,
    docs_with_reference,
    facts_data,
    facts_from_dict,
    facts_from_json,
    facts_json,
    schema_text,
)
from sentinel_reports.session import Session

REPO = Path(__file__).resolve().parents[1]
SCHEMA_DIR = REPO / "sentinel_reports" / "schemas"


@functools.cache
def validator(kind: str) -> jsonschema.Draft202012Validator:
    """The shipped schema of ``kind``, itself checked against the JSON Schema meta-schema once."""
    schema = json.loads((SCHEMA_DIR / f"facts.{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def check_document(text: str, where: str) -> None:
    """`text` (a facts.json) validates against the shipped schema of its kind, and the model reads it back
    and writes the same bytes."""
    data = json.loads(text)
    errors = [f"{where}: {e.json_path}: {e.message[:200]}" for e in validator(data["kind"]).iter_errors(data)]
    assert errors == []
    assert facts_json(facts_from_dict(data)) == text, where


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_shipped_schema_is_generated_from_the_model(kind: str) -> None:
    committed = (SCHEMA_DIR / f"facts.{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(SCHEMAS[kind]), (
        "run: python -m sentinel_reports.analysis.facts_model --write"
    )


def test_docs_field_reference_is_generated_from_the_model() -> None:
    text = (REPO / "docs" / "facts.md").read_text(encoding="utf-8")
    assert docs_with_reference(text) == text, "run: python -m sentinel_reports.analysis.facts_model --write"
    for model in (WeekFacts, QuarterFacts):
        for name in model.model_fields:
            assert f"| `{name}` |" in text


def test_schemas_are_package_data() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"schemas/*.json"' in pyproject


def test_every_evidence_file_of_a_built_site_validates(example_site: tuple[Path, object]) -> None:
    site, _ = example_site
    files = sorted(site.glob("evidence/*/facts.json"))
    assert len(files) >= 3
    for path in files:
        check_document(path.read_text(encoding="utf-8"), str(path.relative_to(site)))


@pytest.fixture(scope="module")
def demo_session() -> Session:
    """The repository's demo project (sentinel.yaml and the committed data/), nothing read from or written
    to a cache."""
    return Session(REPO, use_cache=False, jobs=2)


def test_every_demo_week_and_quarter_validates_and_round_trips(demo_session: Session) -> None:
    s = demo_session
    assert len(s.weeks) >= 20 and s.quarters
    for week in s.weeks:
        check_document(s.facts_text(week), f"evidence/{week}/facts.json")
    investments = 0
    for quarter in s.quarters:
        facts = s.quarter_facts(quarter)
        assert isinstance(facts, QuarterFacts)
        investments += len(facts.investments)
        check_document(facts_json(facts), quarter)
    assert investments  # the investments block is checked too


def test_the_model_holds_datetimes_and_its_json_data_holds_text(demo_session: Session) -> None:
    week = demo_session.weeks[-1]
    facts = demo_session.week_facts([week])[week]
    assert isinstance(facts, WeekFacts)
    assert facts.as_of.tzinfo is not None and facts.as_of.utcoffset() == dt.timedelta(0)
    assert isinstance(facts.slos[0].daily[0].date, dt.date)
    # the JSON data (what facts.json holds and the generic walkers read): text timestamps, plain dicts and lists
    data = facts_data(facts)
    assert data["as_of"] == facts.as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert isinstance(data["slos"][0], dict) and data["slos"][0]["name"] == facts.slos[0].name
    assert data == json.loads(facts_json(facts))
    assert not hasattr(facts, "__getitem__") and not hasattr(facts, "get")  # attributes only
    restored = pickle.loads(pickle.dumps(facts))
    assert restored == facts and restored.window == facts.window
    with pytest.raises(Exception, match="frozen"):
        facts.period = "2026-W01"  # type: ignore[misc]


def test_the_schema_and_the_model_refuse_a_key_they_do_not_declare(demo_session: Session) -> None:
    week = demo_session.weeks[-1]
    data = json.loads(demo_session.facts_text(week))
    data["summary"]["surprise"] = 1
    assert list(validator("week").iter_errors(data))
    with pytest.raises(ValueError, match="summary.surprise"):
        facts_from_dict(data)
    del data["summary"]["surprise"]
    data["as_of"] = "2026-11-23 00:00"
    assert list(validator("week").iter_errors(data))


def test_the_xml_safety_scan_reads_a_facts_model(example_site: tuple[Path, object]) -> None:
    """check's scan walks mappings, so a facts model is scanned like the dict it replaced."""
    from sentinel_reports.check import xml_unsafe

    site, _ = example_site
    data = json.loads(sorted(site.glob("evidence/*/facts.json"))[-1].read_text(encoding="utf-8"))
    assert xml_unsafe(facts_from_dict(data), "facts") is None
    data["organization"] = "Acme\x01"
    assert xml_unsafe(facts_from_dict(data), "facts") == "facts: organization holds the character U+0001"


def test_stored_facts_read_back_from_their_json_text_are_the_same_model(demo_session: Session) -> None:
    """What a build stores (`Session._compute_week`: the JSON data in field order) and reads back with
    `facts_from_json` is the model `facts_from_dict(json.loads(...))` gives, for every demo week and quarter."""
    s = demo_session
    docs = [*s.week_facts(s.weeks).values(), *(s.quarter_facts(q) for q in s.quarters)]
    for facts in docs:
        stored = json.dumps(facts_data(facts), ensure_ascii=False, allow_nan=False)
        again = facts_from_json(stored.encode("utf-8"))
        assert type(again) is type(facts)
        assert again == facts == facts_from_dict(json.loads(stored))
        assert facts_json(again) == facts_json(facts)
    data = json.loads(json.dumps(facts_data(docs[-1])))
    data["summary"]["surprise"] = 1
    with pytest.raises(ValueError, match="surprise"):
        facts_from_json(json.dumps(data))
    del data["kind"]
    with pytest.raises(ValueError, match="kind"):
        facts_from_json(json.dumps(data))
    with pytest.raises(ValueError):
        facts_from_json(b'{"kind": "week", "period": ')  # cut short
