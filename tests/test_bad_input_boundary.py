"""The boundary rules behind issue 15: one clear first line, duplicate keys, zero durations, stale temp
folders, and the preflight scan for text XML cannot hold. The hostile corpus covers them end to end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from sentinel_reports.check import XML_UNSAFE, xml_unsafe
from sentinel_reports.collectors.base import check_time_range, datetime_in_range, epoch_in_range
from sentinel_reports.config import line_of, load_yaml, parse_duration
from sentinel_reports.errors import ConfigError, ConfigProblem, SourceError
from sentinel_reports.publish.site import MARKER, SiteWriter, remove_stale


def test_first_line_names_the_first_problem() -> None:
    err = ConfigError(
        [
            ConfigProblem("budgetz", "unknown key", "sentinel.yaml", 12),
            ConfigProblem("timezone", "bad", "sentinel.yaml"),
        ]
    )
    lines = str(err).splitlines()
    assert lines[0] == "sentinel.yaml: line 12: budgetz: unknown key"
    assert lines[1] == "(and 1 more problem:)"
    assert lines[2] == "  - sentinel.yaml: timezone: bad"
    assert str(ConfigError("just one")).splitlines() == ["(top level): just one"]


def test_duplicate_keys_are_refused_with_their_line() -> None:
    with pytest.raises(yaml.YAMLError) as err:
        load_yaml("slos:\n  - a\nother: 1\nslos: []\n")
    assert "duplicate key 'slos' (first at line 1)" in err.value.problem
    assert err.value.problem_mark.line + 1 == 4
    doc, _ = load_yaml("base: &b {x: 1}\nchild:\n  <<: *b\n  x: 2\n")  # a merge key may be overridden
    assert doc["child"] == {"x": 2}


def test_line_of_finds_keys_and_items() -> None:
    doc, lines = load_yaml("a: 1\nslos:\n  - name: x\n    window: 0d\n  - name: y\n")
    assert line_of(doc, lines, "slos[0].window") == 4
    assert line_of(doc, lines, "slos[1]") == 5
    assert line_of(doc, lines, "slos[1].missing") == 5  # the deepest part that exists
    assert line_of(doc, lines, "nothing") is None


@pytest.mark.parametrize("value", ["0d", "0s", 0, dt.timedelta(0), "-1d", dt.timedelta(seconds=-1)])
def test_durations_are_longer_than_zero(value: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)


def test_zero_is_allowed_where_asked() -> None:
    assert parse_duration("0s", allow_zero=True) == dt.timedelta(0)


def test_time_range_bounds() -> None:
    assert epoch_in_range(0) and epoch_in_range(7_000_000_000)
    assert not epoch_in_range(-1) and not epoch_in_range(9.2e18) and not epoch_in_range(float("nan"))
    assert datetime_in_range(dt.datetime(2200, 12, 31, tzinfo=dt.UTC))
    assert not datetime_in_range(dt.datetime(2201, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(SourceError) as err:
        check_time_range([0.0, 1e30], file="f.csv", column="ts", found=["0", "1e30"])
    assert (err.value.row, err.value.found) == (2, "1e30")


def test_stale_temp_folders_go_live_ones_stay(tmp_path: Path) -> None:
    out = tmp_path / "site"
    dead = tmp_path / ".site.tmp-dead"
    dead.mkdir()
    (dead / MARKER).write_text("sentinel-reports\n")
    foreign = tmp_path / ".site.tmp-foreign"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep")
    live = SiteWriter(out).open()  # holds the lock on its own temp folder; removes the dead one
    try:
        assert not dead.exists() and foreign.exists()
        assert remove_stale(out) == []  # the live build's folder is locked
        assert live.tmp_dir is not None and live.tmp_dir.exists()
    finally:
        live.abort()
    assert sorted(p.name for p in tmp_path.glob(".site.tmp-*")) == [".site.tmp-foreign"]


def test_xml_unsafe_text_is_found() -> None:
    assert xml_unsafe({"incidents": [{"title": "ok"}, {"title": "bad\x00"}]}, "facts") == (
        "facts: incidents[1].title holds the character U+0000"
    )
    assert xml_unsafe({"t": "tab\tnew\nline"}, "facts") is None


_TEXT = st.text(
    alphabet=st.sampled_from("ab \t\n\r\x00\x08\x0b\x1f\ufffe\uffff\ud800\udfff\u00e9"), max_size=4
)
_DOCS = st.recursive(
    st.none() | st.integers() | st.floats(allow_nan=True) | _TEXT,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_TEXT | st.integers(), inner, max_size=3)
    ),
    max_leaves=12,
)


def _every_text(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        keys = [k for k in node if isinstance(k, str)]
        return keys + [t for v in node.values() for t in _every_text(v)]
    if isinstance(node, list | tuple):
        return [t for v in node for t in _every_text(v)]
    return []


@given(_DOCS)
def test_xml_unsafe_finds_a_character_wherever_it_is(doc: object) -> None:
    """The search of every text at once never misses what the walk with paths finds, and names it."""
    bad = [t for t in _every_text(doc) if XML_UNSAFE.search(t)]
    found = xml_unsafe(doc, "facts")
    assert (found is None) == (not bad)
    if found is not None:
        assert found.startswith("facts: ") and " holds the character U+" in found
