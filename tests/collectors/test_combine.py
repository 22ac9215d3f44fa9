"""Appending files: `Collector.combine(old, new)` of batches read from the first and the later files equals
one read of all of them, frame for frame and field for field, or declines (None) when it cannot be exact.

Each collector that combines gets a hypothesis test over generated files split at a random point: the
combination of the two reads (also with the old batch read back from the parse cache) equals the full read
whenever it is given, and is given in the ordinary case of files that follow one another in time.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentinel_reports.cache import SourceCache
from sentinel_reports.collectors.base import Batch, CollectContext, Collector
from sentinel_reports.collectors.focus import FocusCollector
from sentinel_reports.collectors.incidentio import IncidentIoCollector
from sentinel_reports.collectors.incidents_csv import IncidentsCsvCollector
from sentinel_reports.collectors.llm_requests import LlmRequestsCollector
from sentinel_reports.collectors.pagerduty import PagerDutyCollector
from sentinel_reports.collectors.prometheus import PrometheusCollector
from sentinel_reports.errors import SourceError
from sentinel_reports.project import check_batch
from tests.collectors import _cost_ctx
from tests.collectors.conftest import make_ctx
from tests.fuzzing import examples

T0 = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
SETTINGS = settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same(got: Batch, expected: Batch) -> None:
    for name in ("samples", "costs", "evals"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), check_exact=True)
    assert got.incidents == expected.incidents
    assert got.files == expected.files
    assert (got.rows, got.duplicates_dropped) == (expected.rows, expected.duplicates_dropped)
    assert got.warnings == expected.warnings
    assert got.summary == expected.summary
    assert got.state == expected.state


def reads(collector: Collector, options: Any, ctx: CollectContext, old: list[Path], new: list[Path]):
    """(full read, read of the old files, read of the new files)."""
    full = collector.collect(options, ctx)
    first = collector.collect(options, dataclasses.replace(ctx, files=tuple(old)))
    later = collector.collect(options, dataclasses.replace(ctx, files=tuple(new)))
    return full, first, later


def passes(batch: Batch) -> bool:
    try:
        check_batch(batch, "source")
    except SourceError:
        return False
    return True


def check(collector: Collector, options: Any, ctx: CollectContext, old: list[Path], new: list[Path]):
    """The combination of the two reads, checked against the full read (directly and through the cache);
    None when a part cannot be read alone (the parse cache then reads every file, as here)."""
    try:
        full, first, later = reads(collector, options, ctx, old, new)
    except SourceError:
        return None
    combined = collector.combine(first, later, options, ctx)
    if combined is not None:
        assert_same(combined, full)
        if passes(first) and passes(later):  # what lets the parse cache check only an appended part
            assert passes(combined)
        with tempfile.TemporaryDirectory() as tmp:
            cache = SourceCache(Path(tmp))
            cache.store("base", first)
            cached = cache.load("base")
            assert cached is not None
            assert_same(collector.combine(cached, later, options, ctx), full)  # type: ignore[arg-type]
    return combined


@pytest.fixture
def folder():
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def fresh(folder: Path) -> Path:
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    return folder


# ------------------------------------------------------------------------------------------ llm_requests

REQUEST = st.fixed_dictionaries(
    {
        "second": st.integers(0, 6 * 3600 - 1),
        "component": st.sampled_from(["chat-api", "rag-search", "batch-jobs"]),
        "latency_ms": st.integers(1, 50_000),
        "ttft_ms": st.one_of(st.none(), st.integers(1, 5000)),
        "status": st.sampled_from(["ok", "ok", "ok", "error"]),
        "input_tokens": st.integers(0, 5000),
        "cache_read_tokens": st.one_of(st.none(), st.integers(0, 4000)),
        "cost": st.floats(0, 1, allow_nan=False).map(lambda c: round(c, 6)),
        "repeat": st.sampled_from([None, None, None, "same", "changed"]),
    }
)


def request_table(rows: list[dict]) -> pa.Table:
    out = []
    for i, r in enumerate(rows):
        row = {k: v for k, v in r.items() if k not in ("second", "repeat")}
        row["request_id"] = f"req-{i}"
        row["start_time"] = T0 + dt.timedelta(seconds=r["second"])
        out.append(row)
        if r["repeat"] and out:  # a request logged twice: identical, or with another figure
            again = dict(row)
            if r["repeat"] == "changed":
                again["latency_ms"] = row["latency_ms"] + 1
            out.append(again)
    return pa.Table.from_pylist(out)


def llm_files(folder: Path, rows: list[dict], cut: int, by_time: bool) -> tuple[list[Path], list[Path]]:
    rows = sorted(rows, key=lambda r: r["second"]) if by_time else rows
    fresh(folder)
    pq.write_table(request_table(rows[:cut]), folder / "a.parquet")
    pq.write_table(request_table(rows[cut:]), folder / "b.parquet")
    return [folder / "a.parquet"], [folder / "b.parquet"]


def llm_options(interval: str):
    return LlmRequestsCollector.Options.model_validate(
        {"type": "llm_requests", "path": "*.parquet", "interval": interval, "components": {}}
    )


@SETTINGS
@given(
    rows=st.lists(REQUEST, min_size=2, max_size=40),
    cut=st.integers(1, 39),
    interval=st.sampled_from(["5m", "1h"]),
    by_time=st.booleans(),
)
def test_llm_requests_combine_equals_full_read(rows, cut, interval, by_time):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cut = min(cut, len(rows) - 1)
        old, new = llm_files(folder, rows, cut, by_time)
        options, ctx = llm_options(interval), make_ctx(folder)
        combined = check(LlmRequestsCollector(), options, ctx, old, new)
        step = 300 if interval == "5m" else 3600
        first = [r["second"] // step for r in rows[:cut]] if not by_time else None
        ordered = sorted(rows, key=lambda r: r["second"])
        if by_time and ordered[cut - 1]["second"] // step < ordered[cut]["second"] // step:
            assert combined is not None  # files that follow one another in time always combine
        if first is not None and {r["second"] // step for r in rows[cut:]} & set(first):
            assert combined is None  # an interval with requests of both files


@SETTINGS
@given(rows=st.lists(REQUEST, min_size=1, max_size=40), parts=st.integers(1, 5))
def test_llm_requests_many_files_equal_one_file(rows, parts):
    """Files aggregated in blocks (and merged) give what one file with the same rows gives."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        table = request_table(sorted(rows, key=lambda r: r["second"]))
        (folder / "one").mkdir()
        pq.write_table(table, folder / "one/all.parquet")
        bounds = np.linspace(0, table.num_rows, parts + 1).astype(int)
        for i in range(parts):
            pq.write_table(table.slice(bounds[i], bounds[i + 1] - bounds[i]), folder / f"part-{i}.parquet")
        options = llm_options("5m")
        split = LlmRequestsCollector().collect(options, make_ctx(folder))
        whole = LlmRequestsCollector().collect(
            options.model_copy(update={"path": "one/*.parquet"}), make_ctx(folder)
        )
        pd.testing.assert_frame_equal(split.samples, whole.samples, check_exact=True)
        assert (split.summary, split.warnings, split.duplicates_dropped) == (
            whole.summary,
            whole.warnings,
            whole.duplicates_dropped,
        )


def test_llm_requests_new_day_combines_and_other_columns_do_not(folder):
    rows = [dict(second=s, component="chat-api", latency_ms=900, ttft_ms=100, status="ok", input_tokens=10,
                 cache_read_tokens=5, cost=0.1, repeat=None) for s in (60, 4000, 9000)]  # fmt: skip
    old, new = llm_files(folder, rows, 2, True)
    options, ctx = llm_options("1h"), make_ctx(folder)
    assert check(LlmRequestsCollector(), options, ctx, old, new) is not None
    table = request_table(rows[2:]).drop_columns(["ttft_ms"])  # a later export without TTFT
    pq.write_table(table, new[0])
    assert check(LlmRequestsCollector(), options, ctx, old, new) is None


def test_an_append_checks_the_new_part_only_and_declines_a_part_that_fails(folder):
    rows = [dict(second=s, component="chat-api", latency_ms=900, ttft_ms=100, status="ok", input_tokens=10,
                 cache_read_tokens=5, cost=0.1, repeat=None) for s in (60, 4000, 9000)]  # fmt: skip
    old, new = llm_files(folder, rows, 2, True)
    options, ctx = llm_options("1h"), make_ctx(folder)
    collector = LlmRequestsCollector()
    digests = [(f.path, f.sha256) for f in collector.collect(options, ctx).files]
    with tempfile.TemporaryDirectory() as tmp:
        cache = SourceCache(Path(tmp))
        for failing in (False, True):
            base = collector.collect(options, dataclasses.replace(ctx, files=tuple(old)))
            base.checked = True
            cache.store("base", base, source="src")
            seen: list[Batch] = []

            def spy(batch: Batch, seen: list[Batch] = seen, failing: bool = failing) -> None:
                seen.append(batch)
                if failing:
                    raise SourceError("x", "bad")

            got = cache.append(
                collector, options, ctx, [*old, *new], digests, "all", "src", lambda _: None, spy
            )
            assert [[f.path for f in b.files] for b in seen] == [[ctx.relpath(p) for p in new]]
            assert (got is None) is failing
            if got is not None:
                assert got.checked and cache.load("all").checked  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------------ focus

CHARGE = st.fixed_dictionaries(
    {
        "day": st.integers(0, 5),
        "category": st.sampled_from(["Usage", "Usage", "Credit", "Tax"]),
        "cost": st.floats(0, 500, allow_nan=False).map(lambda c: round(c, 4)),
        "component": st.sampled_from(["chat-api", "rag-api", "mystery", ""]),
        "currency": st.sampled_from(["USD", "USD", "USD", "EUR"]),
        "service": st.sampled_from(["Amazon Bedrock", "Amazon S3"]),
    }
)
FOCUS_HEADER = ["ChargePeriodStart", "ChargeCategory", "EffectiveCost", "BilledCost", "BillingCurrency",
                "ServiceName", "ProviderName", "Tags"]  # fmt: skip


def focus_csv(path: Path, charges: list[dict], currency: bool = True) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    header = FOCUS_HEADER if currency else [h for h in FOCUS_HEADER if h != "BillingCurrency"]
    writer.writerow(header)
    for c in charges:
        amount = -c["cost"] if c["category"] == "Credit" else c["cost"]
        tags = json.dumps({"component": c["component"]} if c["component"] else {})
        day = (T0 + dt.timedelta(days=c["day"])).strftime("%Y-%m-%dT00:00:00Z")
        row = [day, c["category"], amount, amount, c["currency"], c["service"], "AWS", tags]
        writer.writerow(row if currency else row[:4] + row[5:])
    path.write_text(buf.getvalue(), encoding="utf-8")


@SETTINGS
@given(
    charges=st.lists(CHARGE, min_size=2, max_size=30),
    cut=st.integers(1, 29),
    by_day=st.booleans(),
    currency=st.booleans(),
)
def test_focus_parts_equal_one_read(charges, cut, by_day, currency):
    """FOCUS reads per file (`per_file`, no `combine`): the ledger merged from each file's partial
    ledger, fresh or from the part cache, equals the ledger of the same charges in one file, whatever
    days the two files share (sums are exact)."""
    from sentinel_reports.cache import PartCache

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cut = min(cut, len(charges) - 1)
        charges = sorted(charges, key=lambda c: c["day"]) if by_day else charges
        focus_csv(folder / "bill-1.csv", charges[:cut])
        focus_csv(folder / "bill-2.csv", charges[cut:], currency=currency)
        (folder / "whole").mkdir()
        assumed = [c if currency else {**c, "currency": "USD"} for c in charges[cut:]]  # read as USD
        focus_csv(folder / "whole/bill.csv", charges[:cut] + assumed)
        options = FocusCollector.Options.model_validate(
            {"type": "focus", "path": "bill-*.csv", "component_tag": "component"}
        )
        ctx = _cost_ctx.make_ctx(folder)
        full = FocusCollector().collect(options, ctx)
        whole = FocusCollector().collect(options.model_copy(update={"path": "whole/bill.csv"}), ctx)
        pd.testing.assert_frame_equal(full.costs, whole.costs, check_exact=True)
        assert full.rows == whole.rows == len(charges)
        digests = {f"bill-{i}.csv": f"sha-{i}" for i in (1, 2)}
        for expect_read in (["bill-1.csv", "bill-2.csv"], []):  # the second read takes both parts cached
            parts = PartCache(folder / "cache", "source-key", digests, ctx)
            assert parts.missing() == len(expect_read)
            got = FocusCollector().collect(options, dataclasses.replace(ctx, parts=parts))
            assert parts.read == expect_read
            assert_same(got, full)


# ------------------------------------------------------------------------------------------ prometheus


def matrix(series: list[tuple[dict, list]]) -> str:
    result = [{"metric": m, "values": [[t, v] for t, v in values]} for m, values in series]
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}})


SERIES = st.fixed_dictionaries(
    {
        "service": st.sampled_from(["chat-api", "rag-search", "other"]),
        "code": st.sampled_from(["200", "500"]),
        "start": st.integers(0, 20),
        "points": st.integers(1, 12),
        "step": st.sampled_from([60, 60, 60, 120]),
        "nan_at": st.one_of(st.none(), st.integers(0, 11)),
    }
)


def series_points(s: dict, offset: int) -> list:
    base = int(T0.timestamp())
    out = []
    for i in range(s["points"]):
        value = "NaN" if s["nan_at"] == i else str(float(i * 7 % 11))
        out.append((base + (offset + s["start"] + i) * s["step"], value))
    return out


@SETTINGS
@given(
    first=st.lists(SERIES, min_size=1, max_size=4, unique_by=lambda s: (s["service"], s["code"])),
    later=st.lists(SERIES, min_size=1, max_size=4, unique_by=lambda s: (s["service"], s["code"])),
    gap=st.integers(-5, 40),
    values=st.sampled_from(["increase", "rate"]),
)
def test_prometheus_combine_equals_full_read(first, later, gap, values):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        metric = lambda s: {"service": s["service"], "code": s["code"]}  # noqa: E731
        (folder / "a.json").write_text(matrix([(metric(s), series_points(s, 0)) for s in first]))
        (folder / "b.json").write_text(matrix([(metric(s), series_points(s, 40 + gap)) for s in later]))
        options = PrometheusCollector.Options.model_validate(
            {"type": "prometheus", "path": "*.json", "signal": "requests_total", "values": values}
        )
        ctx = make_ctx(folder)
        check(PrometheusCollector(), options, ctx, [folder / "a.json"], [folder / "b.json"])


def test_prometheus_next_day_export_combines_and_an_overlapping_one_does_not(folder):
    def day(start: int, n: int) -> list:
        return [(int(T0.timestamp()) + (start + i) * 900, f"{0.4 + i / 100:.2f}") for i in range(n)]

    options = PrometheusCollector.Options.model_validate(
        {"type": "prometheus", "path": "*.json", "signal": "saturation", "values": "gauge"}
    )
    ctx = make_ctx(folder)
    (folder / "2026-11-16.json").write_text(matrix([({"service": "chat-api"}, day(0, 96))]))
    (folder / "2026-11-17.json").write_text(matrix([({"service": "chat-api"}, day(96, 96))]))
    old, new = [folder / "2026-11-16.json"], [folder / "2026-11-17.json"]
    assert check(PrometheusCollector(), options, ctx, old, new) is not None
    (folder / "2026-11-17.json").write_text(
        matrix([({"service": "chat-api"}, day(95, 96))])
    )  # shares a point
    assert check(PrometheusCollector(), options, ctx, old, new) is None


# ------------------------------------------------------------------------------------------- incidents


def split_records(folder: Path, name: str, key: str, cut: int, repeat: bool) -> tuple[list[Path], list[Path]]:
    doc = json.loads((_cost_ctx.INCIDENTS / name).read_text())
    records = doc[key]
    later = records[cut:] + ([records[0]] if repeat else [])
    (folder / "a.json").write_text(json.dumps({**doc, key: records[:cut]}))
    (folder / "b.json").write_text(json.dumps({**doc, key: later}))
    return [folder / "a.json"], [folder / "b.json"]


INCIDENT_SOURCES: dict[str, tuple[type[Collector], str, str, dict]] = {
    "pagerduty": (PagerDutyCollector, "pagerduty_raw_incidents.json", "data",
                  {"services": {"PCHAT01": "chat-api", "Vector Search": "rag-api"}}),
    "incidentio": (IncidentIoCollector, "incidentio_incidents_v2.json", "incidents",
                   {"components_field": "Affected services", "services": {"Chat API": "chat-api"}}),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(INCIDENT_SOURCES))
@pytest.mark.parametrize("repeat", [False, True])
def test_incident_collectors_combine_unless_an_id_repeats(folder, kind, repeat):
    cls, name, key, extra = INCIDENT_SOURCES[kind]
    old, new = split_records(folder, name, key, 1, repeat)
    options = cls.Options.model_validate({"type": kind, "path": "*.json", **extra})
    combined = check(cls(), options, _cost_ctx.make_ctx(folder), old, new)
    assert (combined is None) == repeat


@pytest.mark.parametrize("repeat", [False, True])
def test_incidents_csv_combines_unless_an_id_repeats(folder, repeat):
    header, *rows = (_cost_ctx.INCIDENTS / "incidents.csv").read_text().splitlines()
    (folder / "a.csv").write_text("\n".join([header, *rows[:1]]) + "\n")
    (folder / "b.csv").write_text("\n".join([header, *rows[1:], *(rows[:1] if repeat else [])]) + "\n")
    options = IncidentsCsvCollector.Options.model_validate({"type": "incidents_csv", "path": "*.csv"})
    combined = check(IncidentsCsvCollector(), options, _cost_ctx.make_ctx(folder), [folder / "a.csv"],
                     [folder / "b.csv"])  # fmt: skip
    assert (combined is None) == repeat


def test_collectors_without_combine_decline():
    from sentinel_reports.collectors.csv_samples import CsvSamplesCollector

    assert (
        not CsvSamplesCollector.can_combine()
        and CsvSamplesCollector().combine(Batch(), Batch(), None, None) is None
    )  # type: ignore[arg-type]
    assert all(c.can_combine() for c in (LlmRequestsCollector, PrometheusCollector))
    assert FocusCollector.per_file and not FocusCollector.can_combine()  # per-file parts instead


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.one_of(st.integers(1, 3600).map(float), st.floats(1e-3, 1e6)), min_size=1, max_size=50))
def test_step_from_spacing_counts_is_the_median_of_the_gaps(gaps):
    """The step is kept as counts per gap (so appended files can add theirs); its median is pandas'."""
    from collections import Counter

    from sentinel_reports.collectors.prometheus import _median

    pairs = [[gap, count] for gap, count in sorted(Counter(gaps).items())]
    assert _median(pairs) == float(pd.Series(gaps).median())
