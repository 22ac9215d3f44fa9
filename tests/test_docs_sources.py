"""docs/sources.md documents every registered collector type and every one of its options.

Adding a collector, or an option to a collector's `Options` model, without documenting it fails here; so
does an example `sources:` entry in the page that its collector would reject.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from sentinel_reports.collectors.base import SourceOptions
from sentinel_reports.collectors.catalog import registry

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "sources.md"
COMMON = tuple(SourceOptions.model_fields)  # type, path, id, timezone: documented once, at the top
TYPES = sorted(registry())


def sections(text: str) -> dict[str, str]:
    """Body of every `## \\`name\\`` section, keyed by name (a section runs to the next `## ` heading)."""
    out: dict[str, str] = {}
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    for part in parts[1:]:
        heading, _, body = part.partition("\n")
        m = re.fullmatch(r"`([a-z0-9_]+)`\s*", heading)
        if m:
            assert m.group(1) not in out, f"two sections for {m.group(1)}"
            out[m.group(1)] = body
    return out


def option_names(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    """Field names of an Options model and of the option models nested in it (`columns`, `rules`, ...)."""
    seen = seen if seen is not None else set()
    names: set[str] = set()
    for name, field in model.model_fields.items():
        names.add(field.alias or name)
        for sub in _models(field.annotation):
            if sub not in seen:
                seen.add(sub)
                names |= option_names(sub, seen)
    return names


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def backticked(text: str) -> set[str]:
    return set(re.findall(r"`([A-Za-z_][A-Za-z0-9_.]*)`", text))


def examples(body: str) -> list[dict]:
    """The entries of every ```yaml block holding a `sources:` list in a section."""
    entries: list[dict] = []
    for block in re.findall(r"^```yaml\n(.*?)^```", body, flags=re.MULTILINE | re.DOTALL):
        doc = yaml.safe_load(block)
        if isinstance(doc, dict) and "sources" in doc:
            entries.extend(doc["sources"])
    return entries


DOC_TEXT = DOC.read_text(encoding="utf-8")
SECTIONS = sections(DOC_TEXT)


def test_the_section_parser_finds_sections_and_their_bodies() -> None:
    found = sections("intro\n## `a`\nuses `x`\n## Other\n`y`\n## `b`\n`z`\n")
    assert found == {"a": "uses `x`\n", "b": "`z`\n"}


def test_every_registered_type_has_a_section() -> None:
    assert TYPES, "no collectors registered"
    missing = [t for t in TYPES if t not in SECTIONS]
    assert not missing, f"collector types without a section in docs/sources.md: {missing}"


def test_no_section_for_a_type_that_does_not_exist() -> None:
    stale = sorted(set(SECTIONS) - set(TYPES))
    assert not stale, f"docs/sources.md documents unknown collector types: {stale}"


@pytest.mark.parametrize("kind", TYPES)
def test_every_option_is_documented_in_its_section(kind: str) -> None:
    options = option_names(registry()[kind].Options) - set(COMMON)
    documented = backticked(SECTIONS.get(kind, ""))
    missing = sorted(options - documented)
    assert not missing, f"options of {kind!r} missing from its section of docs/sources.md: {missing}"


OPTION_ROW = re.compile(r"^\| `([a-z_]+)` \|([^|]*)\|([^|]*)\|\s*$", re.MULTILINE)


@pytest.mark.parametrize("kind", TYPES)
def test_every_top_level_option_has_a_row_with_default_and_meaning(kind: str) -> None:
    rows = {m.group(1): (m.group(2).strip(), m.group(3).strip()) for m in OPTION_ROW.finditer(SECTIONS[kind])}
    for name in registry()[kind].Options.model_fields:
        if name in COMMON:
            continue
        assert name in rows, f"{kind}: option {name!r} has no table row `| {name} | default | meaning |`"
        default, meaning = rows[name]
        assert default and meaning, f"{kind}: the row of {name!r} lacks a default or a meaning"


def test_the_common_keys_are_documented_once_before_the_types() -> None:
    preamble = DOC_TEXT.split("\n## `", 1)[0]
    assert set(COMMON) <= backticked(preamble), COMMON
    for key in COMMON:
        assert f"| `{key}` |" in preamble, f"common key {key!r} has no row in the table at the top"


@pytest.mark.parametrize("kind", TYPES)
def test_every_section_has_a_valid_example_entry(kind: str) -> None:
    entries = examples(SECTIONS.get(kind, ""))
    assert entries, f"the {kind!r} section has no example `sources:` entry"
    for entry in entries:
        assert entry["type"] == kind, f"an example in the {kind!r} section is of type {entry['type']!r}"
        registry()[kind].Options.model_validate(entry)  # raises on an unknown or malformed option


@pytest.mark.parametrize("kind", TYPES)
def test_every_section_says_what_it_reads_and_maps(kind: str) -> None:
    body = SECTIONS.get(kind, "")
    assert re.search(r"\bformats\b", body, re.IGNORECASE), f"{kind}: accepted file formats not stated"
    assert "Mapping to" in body, f"{kind}: how rows map into the canonical model is not stated"
    assert "Errors" in body, f"{kind}: the errors to expect are not listed"
