"""Freshness, not perfection: as-of is the end of the latest interval, "now" is the latest fresh hour, and only
a series older than gaps.stale_after is a stale gap (docs/definitions.md, "Time")."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sentinel_reports.analysis.facts import week_facts
from sentinel_reports.analysis.facts_model import facts_data, facts_from_dict
from sentinel_reports.pipeline import clip_to_as_of, open_project
from sentinel_reports.render.status_page import status_context

DATA_END = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)  # the example's last 5-minute sample is stamped 23:55
AS_OF = dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC)  # inside W47, the week reported on


@pytest.fixture(scope="module")
def project(example_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fresh") / "project"
    shutil.copytree(example_project, root, ignore=shutil.ignore_patterns("site", ".sentinel*"))
    return root


def _facts(root: Path, as_of: dt.datetime | None) -> tuple[dict, object]:
    loaded = open_project(root, as_of=as_of, use_cache=False)
    return facts_data(
        week_facts(loaded.dataset, loaded.content, loaded.config, "2026-W47", loaded.as_of)
    ), loaded


def _lagging(root: Path, lag: dt.timedelta) -> tuple[dict, object]:
    """W47 facts at AS_OF when every series stops `lag` before it (the samples of the last `lag` dropped)."""
    loaded = open_project(root, as_of=AS_OF, use_cache=False)
    data = clip_to_as_of(loaded.dataset, AS_OF - lag - dt.timedelta(microseconds=1))
    return facts_data(week_facts(data, loaded.content, loaded.config, "2026-W47", AS_OF)), loaded


def test_default_as_of_is_the_end_of_the_latest_interval(project: Path) -> None:
    facts, loaded = _facts(project, None)
    assert loaded.as_of == DATA_END  # not 23:55, the start of the last interval
    assert facts["window"]["end"] == "2026-11-23T00:00:00Z"
    assert facts["summary"]["status"] == "Healthy"
    # the newest interval is inside the window: the 5-minute request series are complete
    requests = [s for s in facts["coverage"]["series"] if s["signal"] == "requests_total"]
    assert requests and all(s["coverage"] == 1.0 for s in requests)


@pytest.mark.parametrize("lag", [dt.timedelta(minutes=5), dt.timedelta(minutes=10)])
def test_data_one_or_two_samples_behind_as_of_is_healthy(project: Path, lag: dt.timedelta) -> None:
    facts, _ = _lagging(project, lag)
    assert facts["as_of"] == "2026-11-22T20:00:00Z"
    assert facts["summary"]["status"] == "Healthy"
    assert {c["status"] for c in facts["components"]} == {"operational"}
    # now is known up to the end of the last request interval, `lag` before as-of
    assert facts["summary"]["data_as_of"] == (AS_OF - lag).isoformat().replace("+00:00", "Z")
    assert not [g for g in facts["gaps"] if g["kind"] == "stale"]
    assert facts["verdict"]["state"] == "clear" or facts["verdict"]["events"]


def test_the_status_page_follows_the_same_rule(project: Path) -> None:
    facts, loaded = _lagging(project, dt.timedelta(minutes=10))
    ctx = status_context(facts_from_dict(facts), loaded.config)
    assert "Status: Healthy**" in ctx["summary_text"]
    assert ctx["data_as_of"] == "2026-11-22T19:50:00Z" and ctx["as_of"] == "2026-11-22T20:00:00Z"
    assert all(c["status"] == "operational" for g in ctx["groups"] for c in g["components"])


def test_data_stopping_three_hours_before_as_of_is_a_stale_gap(project: Path) -> None:
    facts, _ = _lagging(project, dt.timedelta(hours=3))
    stale = [g for g in facts["gaps"] if g["kind"] == "stale"]
    assert {g["component"] for g in stale} == {"assistant-api", "retrieval"}
    assert facts["summary"]["status"] == "Unknown"
    assert {c["status"] for c in facts["components"]} == {"no_data"}
    assert facts["summary"]["data_as_of"] is None
