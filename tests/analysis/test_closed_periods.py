"""A closed period is reported as it stood when it closed, and its facts read only the data inside its
look-back window: the facts cache (keyed by analysis.fingerprint) is sound only if both hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from sentinel_reports.analysis.facts import week_facts
from sentinel_reports.analysis.facts_model import facts_data
from sentinel_reports.analysis.fingerprint import period_fingerprint
from sentinel_reports.analysis.periods import parse_period
from sentinel_reports.analysis.timeline import incidents_known_at, lookback
from sentinel_reports.model import Dataset, Incident, IncidentUpdate, InputFile

DEMO = Path(__file__).resolve().parents[2]
CLOSED = ["2026-W40", "2026-W45", "2026-W46"]


@pytest.fixture(scope="module")
def project(demo_project):  # type: ignore[no-untyped-def]
    return demo_project


def window_only(dataset: Dataset, since: dt.datetime, until: dt.datetime) -> Dataset:
    """The dataset without any row outside [since, until] and with incidents as known at `until`."""

    def cut(frame: pd.DataFrame, col: str) -> pd.DataFrame:
        inside = (frame[col] >= pd.Timestamp(since)) & (frame[col] <= pd.Timestamp(until))
        return frame.loc[inside].reset_index(drop=True)

    return Dataset(
        cut(dataset.samples, "ts"),
        cut(dataset.costs, "day"),
        cut(dataset.evals, "ts"),
        incidents_known_at(dataset.incidents, until),
        dataset.sources,
        cut(dataset.kpis, "day"),
    )


@pytest.mark.parametrize("week", CLOSED)
def test_closed_week_facts_read_only_their_lookback_window(project, week: str) -> None:  # type: ignore[no-untyped-def]
    period = parse_period("week", week, project.config.tz)
    since = lookback(project.config, period.start, period.end)
    full = facts_data(week_facts(project.dataset, project.content, project.config, week, project.as_of))
    alone = week_facts(
        window_only(project.dataset, since, period.end), project.content, project.config, week, project.as_of
    )
    assert full["as_of"] == period.end.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert facts_data(alone) == full


@pytest.mark.parametrize("week", CLOSED)
def test_closed_week_facts_do_not_depend_on_later_as_of(project, week: str) -> None:  # type: ignore[no-untyped-def]
    period = parse_period("week", week, project.config.tz)
    at_close = facts_data(week_facts(project.dataset, project.content, project.config, week, period.end))
    assert (
        facts_data(week_facts(project.dataset, project.content, project.config, week, project.as_of))
        == at_close
    )
    fp = period_fingerprint(project.dataset, project.config, "week", week, project.as_of)
    assert fp == period_fingerprint(project.dataset, project.config, "week", week, period.end)


def test_fingerprint_sees_rows_inside_the_window_only(project) -> None:  # type: ignore[no-untyped-def]
    week = "2026-W45"
    period = parse_period("week", week, project.config.tz)
    since = lookback(project.config, period.start, period.end)
    samples = project.dataset.samples
    # a row a day before the window (the example's data starts inside it), so there is one to edit
    before = samples.iloc[:1].assign(ts=pd.Timestamp(since) - pd.Timedelta(days=1))
    samples = pd.concat([samples, before], ignore_index=True)
    start = dataclasses.replace(project.dataset, samples=samples)
    base = period_fingerprint(start, project.config, "week", week, project.as_of)
    inside = samples.index[
        (samples["ts"] >= pd.Timestamp(period.start)) & (samples["ts"] < pd.Timestamp(period.end))
    ]
    later = samples.index[samples["ts"] > pd.Timestamp(period.end)]
    earlier = samples.index[samples["ts"] < pd.Timestamp(since)]
    assert len(inside) and len(later) and len(earlier)
    for rows, changes in ((inside[:1], True), (later[:1], False), (earlier[:1], False)):
        edited = samples.copy()
        edited.loc[rows, "value"] = edited.loc[rows, "value"] + 1
        dataset = dataclasses.replace(project.dataset, samples=edited)
        assert (period_fingerprint(dataset, project.config, "week", week, project.as_of) != base) is changes


def _incident(**kw: object) -> Incident:
    at = dt.datetime(2026, 11, 4, 14, tzinfo=dt.UTC)
    fields: dict = dict(
        id="INC-1", title="Provider errors", severity="SEV1", status="resolved", components=("chat-api",),
        started_at=at, created_at=at + dt.timedelta(minutes=2), detected_at=at + dt.timedelta(minutes=1),
        acknowledged_at=at + dt.timedelta(minutes=5), mitigated_at=at + dt.timedelta(hours=2),
        resolved_at=at + dt.timedelta(days=6), customer_impact=True, source="pd",
        updates=(
            IncidentUpdate(at + dt.timedelta(minutes=10), "identified", "cause found"),
            IncidentUpdate(at + dt.timedelta(days=6), "resolved", "fixed"),
        ),
    )  # fmt: skip
    fields.update(kw)
    return Incident(**fields)  # type: ignore[arg-type]


def test_incidents_known_at_an_instant() -> None:
    inc = _incident()
    start = inc.started_at
    assert incidents_known_at([inc], start) == ()  # created two minutes later
    (open_,) = incidents_known_at([inc], start + dt.timedelta(hours=3))
    assert open_.resolved_at is None and open_.mitigated_at == inc.mitigated_at
    assert open_.status == "identified" and [u.status for u in open_.updates] == ["identified"]
    assert incidents_known_at([inc], start + dt.timedelta(days=7)) == (inc,)
    bare = _incident(updates=())
    assert incidents_known_at([bare], start + dt.timedelta(hours=3))[0].status == "monitoring"
    assert incidents_known_at([bare], start + dt.timedelta(minutes=30))[0].status == "investigating"


@pytest.mark.parametrize("week", [*CLOSED, "2026-W47"])
def test_lookback_is_long_enough(project, week: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Facts computed with the look-back cut equal facts computed on all the data (sources[] and the totals
    derived from it aside: they list the inputs of the window)."""
    windowed = facts_data(week_facts(project.dataset, project.content, project.config, week, project.as_of))
    import sentinel_reports.analysis.facts as facts_module

    monkeypatch.setattr(facts_module, "lookback", lambda *_a: dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    everything = facts_data(week_facts(project.dataset, project.content, project.config, week, project.as_of))
    assert windowed.pop("sources") != [] and everything.pop("sources") != []
    for key in ("source_totals", "source_types"):
        windowed.pop(key), everything.pop(key)
    assert differences(windowed, everything) == []


def differences(a: object, b: object, path: str = "") -> list[str]:
    """Where two facts documents differ; floats equal to 1e-6 relative (window sums taken from the
    look-back's start instead of the series' start round differently in the last digits), or to 1e-9
    absolute (a change in pp is the difference of two such sums, so a change near 0 keeps their rounding)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, float) and isinstance(b, float):
        return [] if a == pytest.approx(b, rel=1e-6, abs=1e-9) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def test_a_source_growing_after_a_closed_week_leaves_it_alone(project) -> None:  # type: ignore[no-untyped-def]
    """A new file whose data comes after a closed week (and the source's end moving with it) changes
    nothing the week's facts read, for sources whose collector records per-file time ranges."""
    day = dt.datetime(2026, 12, 20, tzinfo=dt.UTC)
    extra = InputFile(
        "data/late.csv", "0" * 64, 10, day.isoformat(), (day + dt.timedelta(days=1)).isoformat()
    )
    grown = dataclasses.replace(
        project.dataset,
        sources=tuple(
            dataclasses.replace(r, files=(*r.files, extra), end=day + dt.timedelta(days=1))
            if all(f.start is not None for f in r.files)
            else r
            for r in project.dataset.sources
        ),  # fmt: skip
    )
    for week in CLOSED:
        before = period_fingerprint(project.dataset, project.config, "week", week, project.as_of)
        assert period_fingerprint(grown, project.config, "week", week, project.as_of) == before
        facts = facts_data(week_facts(grown, project.content, project.config, week, project.as_of))
        assert "data/late.csv" not in str(facts["sources"])
    latest = facts_data(
        week_facts(grown, project.content, project.config, "2026-W52", day + dt.timedelta(days=2))
    )
    assert "data/late.csv" in str(latest["sources"])
