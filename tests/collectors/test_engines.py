"""The same aggregation queries give the same answers on DuckDB (embedded default) and on PySpark (local[2]).

One test holds the Spark comparisons so that one Spark session (started once per process) serves them all,
whichever worker runs it: hand-made rows with repeats, nulls, unconfigured components and refunds, then
every request-log source of the demo, then the facts of every demo week. Counts must be equal exactly,
sums and percentiles to 1e-9 relative, and nulls must stay nulls (a missing value is never a 0).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sentinel_reports.collectors import engine as engine_module
from sentinel_reports.collectors import registry
from sentinel_reports.collectors.base import CollectContext
from sentinel_reports.collectors.engine import engine_for
from sentinel_reports.collectors.llm_requests import query
from sentinel_reports.collectors.llm_requests.aggregate import signal_names
from sentinel_reports.config import Engine
from sentinel_reports.project import load_project

REPO = Path(__file__).resolve().parents[2]
HOUR = 3600 * 10**9
REL = 1e-9


def close(a: Any, b: Any, where: str = "") -> None:
    """Counts (ints, bools, text) exactly equal, floats to REL relative, None where None."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for k in a:
            close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            close(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            assert math.isnan(a) and math.isnan(b), where
        else:
            assert math.isclose(a, b, rel_tol=REL, abs_tol=0.0) or a == b, f"{where}: {a!r} != {b!r}"
    else:
        assert type(a) is type(b) and a == b, f"{where}: {a!r} != {b!r}"


def rows() -> pa.Table:
    """Repeats of a request id (exact and conflicting), nulls in every value column, an unconfigured
    component, a refund, two intervals."""
    nan = float("nan")
    row = np.arange(9)
    component = np.array([0, 0, 0, 1, 1, -1, 1, 0, 0])
    start = np.array([0, 0, 0, 5, 5, 7, HOUR + 1, HOUR + 2, HOUR + 2]) + 1_800_000_000 * 10**9
    good = np.array([True, True, True, False, True, True, True, False, True])
    latency = np.array([120.0, 120.0, 150.0, nan, 80.25, 10.0, 1.0, 2.5, 2.5])
    ttft = np.array([nan, nan, nan, nan, nan, nan, nan, nan, nan])
    cost = np.array([0.1, 0.1, 0.3, -0.05, 0.2, 1.0, nan, 0.000001, 0.000001])
    tokens = np.array([10.0, 10.0, 12.0, 3.0, nan, 1.0, nan, 7.0, 7.0])
    ids = pa.array(["a", "a", "a", "b", "c", "d", "e", "f", "g"])
    return query.rows_table(
        row, component, start, good, latency, ttft, {"cost_requests": cost, "tokens_output": tokens}, ids
    )


def groups(engine: Any, table: pa.Table) -> tuple[dict, dict]:
    names = signal_names(True, ["tokens_output", "cost_requests"])
    samples, stats = query.run(engine, engine.memtable(table), HOUR, names, source="rows")
    found = {
        (int(t), int(c), names[s]): float(v)
        for t, c, s, v in zip(samples.ts_ns, samples.component, samples.signal, samples.value, strict=True)
    }
    stats = {**stats, "components": stats["components"].tolist()}
    return found, stats


def collect_requests(config: Any) -> dict[str, Any]:
    cls = registry()["llm_requests"]
    out = {}
    for src in config.sources:
        if src.type != "llm_requests":
            continue
        options = cls.Options.model_validate(src.model_dump())
        ctx = CollectContext(REPO, src.id or src.type, ZoneInfo(config.timezone), config)
        batch = cls().collect(options, ctx)
        frame = batch.samples.sort_values(["signal", "component", "ts"], kind="stable")
        out[src.id] = {
            "samples": {
                (str(s), str(c), t.isoformat()): float(v)
                for s, c, t, v in zip(
                    frame["signal"], frame["component"], frame["ts"], frame["value"], strict=True
                )
            },
            "summary": batch.summary,
            "rows": batch.rows,
            "duplicates": batch.duplicates_dropped,
            "warnings": batch.warnings,
        }
    return out


def hand_made_bill(folder: Path, components: list[str]) -> Path:
    """FOCUS charges with repeats of a ledger key, missing tags, an unknown component, a credit and a
    second currency."""
    a, b = components[:2]
    tags = {
        "a": json.dumps({"component": a, "team": "Team A", "model": "m-1"}),
        "b": json.dumps({"component": b}),
        "mystery": json.dumps({"component": "mystery"}),
        "none": "{}",
    }
    charges = [
        ("2026-11-16", "Usage", "0.1", "USD", "a"),
        ("2026-11-16", "Usage", "0.2", "USD", "a"),  # same key: 0.1 + 0.2 is 0.3 exactly
        ("2026-11-16", "Usage", "5.5", "USD", "none"),
        ("2026-11-16", "Usage", "1.25", "USD", "none"),
        ("2026-11-16", "Credit", "-2.0", "USD", "b"),
        ("2026-11-17", "Usage", "3.0", "EUR", "a"),
        ("2026-11-17", "Usage", "0.000001", "USD", "mystery"),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bill.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ChargePeriodStart", "ChargeCategory", "EffectiveCost", "BilledCost",
                         "BillingCurrency", "ProviderName", "ServiceName", "Tags"])  # fmt: skip
        for day, category, amount, currency, tag in charges:
            writer.writerow(
                [f"{day}T00:00:00Z", category, amount, amount, currency, "AWS", "Bedrock", tags[tag]]
            )
    return path


def focus_ledgers(config: Any, folder: Path) -> dict[str, Any]:
    """Every FOCUS source of the demo, the official FOCUS samples (one source) and the hand-made bill."""
    cls = registry()["focus"]
    bill = hand_made_bill(folder, config.component_ids)
    sources = [(REPO, src.model_dump()) for src in config.sources if src.type == "focus"]
    sources += [
        (REPO, {"type": "focus", "id": "samples", "path": "tests/fixtures/real/focus-1.2/*.csv"}),
        (folder, {"type": "focus", "id": "hand-made", "path": bill.name, "component_tag": "component",
                  "team_tag": "team", "model_tag": "model", "team_from_owner": False}),
    ]  # fmt: skip
    out = {}
    for project_dir, entry in sources:
        options = cls.Options.model_validate({k: v for k, v in entry.items() if k != "id"})
        ctx = CollectContext(project_dir, entry["id"] or "focus", ZoneInfo(config.timezone), config)
        batch = cls().collect(options, ctx)
        out[entry["id"]] = {
            "ledger": [
                {k: (None if pd.isna(v) else v.isoformat() if k == "day" else v) for k, v in row.items()}
                for row in batch.costs.to_dict("records")
            ],
            "summary": batch.summary,
            "rows": batch.rows,
            "warnings": batch.warnings,
        }
    return out


def week_facts_of(config: Any) -> dict[str, Any]:
    from sentinel_reports.analysis.facts import week_facts
    from sentinel_reports.analysis.facts_model import facts_data
    from sentinel_reports.analysis.periods import available_periods
    from sentinel_reports.pipeline import open_project

    project = open_project(REPO, use_cache=False, config=config)
    weeks = available_periods(project.dataset, project.config, project.as_of, "week")
    return {
        w: facts_data(week_facts(project.dataset, project.content, project.config, w, project.as_of))
        for w in weeks
    }


@pytest.mark.skipif(not (REPO / "sentinel.yaml").exists(), reason="needs the demo project")
# rows reach Spark as Arrow: a copy row by row (PySpark's fallback) fails the test
@pytest.mark.filterwarnings("error:createDataFrame attempted Arrow:UserWarning")
def test_duckdb_and_spark_give_the_same_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_period_facts: dict[str, Any]
) -> None:
    # Spark receives the rows in pieces (`query.pieces`), as it does at scale; DuckDB aggregates each
    # source whole, so equal answers also show that cutting the rows changes nothing
    monkeypatch.setattr(engine_module, "ARROW_ROWS", 20_000)
    duck = engine_for(Engine(), tmp_path)
    spark = engine_for(Engine(kind="spark", master="local[2]"), tmp_path)
    assert duck.kind == "duckdb" and spark.kind == "spark"

    # hand-made rows: the expected figures are worked out here, not read from either engine
    table = rows()
    d_groups, d_stats = groups(duck, table)
    s_groups, s_stats = groups(spark, table)
    assert d_stats == s_stats
    assert d_stats["exact"] == 1 and d_stats["conflicting"] == 1 and d_stats["dropped"] == 1
    assert d_stats["requests"] == 6 and d_stats["good"] == 4
    assert d_groups.keys() == s_groups.keys()
    close(d_groups, s_groups)
    first = 1_800_000_000 * 10**9 - (1_800_000_000 * 10**9) % HOUR
    assert d_groups[(first, 0, "requests_total")] == 1.0  # the three rows of request "a" are one
    assert (first, 1, "latency_p50_ms") in d_groups and d_groups[(first, 1, "latency_p50_ms")] == 80.25
    assert (first, 1, "ttft_p95_ms") not in d_groups  # no TTFT at all: missing, not 0
    assert (first + HOUR, 1, "cost_requests") not in d_groups  # only a null cost: missing, not 0
    assert d_groups[(first, 1, "cost_requests")] == pytest.approx(0.15, rel=1e-12)  # refund included
    assert d_groups[(first + HOUR, 0, "requests_good")] == 1.0

    # a table of Spark's catalog (a temporary view) as a `table:` source gives the batch of the same rows
    # in a Parquet file read by DuckDB
    spark_table_equals_file(tmp_path)
    spark_focus_table_equals_file(tmp_path)

    # every request-log source of the demo, then the facts of every demo week
    config = load_project(REPO)
    on_spark = config.model_copy(update={"engine": Engine(kind="spark", master="local[2]")})
    d_sources, s_sources = collect_requests(config), collect_requests(on_spark)
    assert d_sources and d_sources.keys() == s_sources.keys()
    for source in d_sources:
        assert d_sources[source]["samples"].keys() == s_sources[source]["samples"].keys(), source
        close(d_sources[source], s_sources[source], source)

    # FOCUS bills: the demo's, the official samples and hand-made charges; sums are exact (DECIMAL) on
    # both engines, so the ledgers are equal to the last bit, and a missing tag stays missing
    monkeypatch.setattr(
        engine_module, "ARROW_ROWS", 500
    )  # the demo's 2,631 charges: 6 pieces, then their sum
    d_bills, s_bills = focus_ledgers(config, tmp_path / "duck"), focus_ledgers(on_spark, tmp_path / "spark")
    monkeypatch.setattr(engine_module, "ARROW_ROWS", 20_000)
    assert d_bills.keys() == s_bills.keys() == {"aws-focus", "samples", "hand-made"}
    for source in d_bills:
        assert len(d_bills[source]["ledger"]) == len(s_bills[source]["ledger"]), source
        close(d_bills[source], s_bills[source], source)
        assert d_bills[source] == s_bills[source], source
    hand = {
        (r["day"][:10], r["component"], r["category"], r["currency"]): r
        for r in d_bills["hand-made"]["ledger"]
    }
    a, b = config.component_ids[:2]
    assert hand[("2026-11-16", a, "usage", "USD")]["cost"] == 0.3  # not 0.30000000000000004
    assert hand[("2026-11-16", a, "usage", "USD")]["team"] == "Team A"
    assert hand[("2026-11-16", None, "usage", "USD")]["cost"] == 6.75
    assert hand[("2026-11-16", None, "usage", "USD")]["team"] is None  # no tag: no team, not ""
    assert hand[("2026-11-16", b, "credit", "USD")]["cost"] == -2.0
    assert hand[("2026-11-17", a, "usage", "EUR")]["cost"] == 3.0
    assert hand[("2026-11-17", None, "usage", "USD")]["cost"] == 0.000001  # unknown component: unattributed
    assert len(hand) == 5 and d_bills["hand-made"]["rows"] == 7

    # DuckDB's side: the demo's week facts as every test process computes them (tests/conftest.py), with
    # the same sentinel.yaml
    from sentinel_reports.analysis.facts_model import facts_data

    d_weeks = {w: facts_data(f) for w, f in demo_period_facts.items() if f.kind == "week"}
    s_weeks = week_facts_of(on_spark)
    assert len(d_weeks) >= 20 and d_weeks.keys() == s_weeks.keys()
    for week in d_weeks:
        close(d_weeks[week], s_weeks[week], week)


def request_frame(ids: list[str], n: int = 2000) -> pd.DataFrame:
    """Generic request-log rows over two weeks: two configured components and an unknown one, failures,
    missing end times and costs, an exact repeat, times with microseconds (timezone-aware)."""
    start = pd.Timestamp("2026-11-09", tz="UTC") + pd.to_timedelta(
        np.arange(n) * 600 + (np.arange(n) % 7) * 0.123457, unit="s"
    )
    latency = pd.to_timedelta(40 + (np.arange(n) * 37) % 900 + (np.arange(n) % 13) / 8, unit="ms")
    frame = pd.DataFrame(
        {
            "request_id": [f"r-{i}" for i in range(n)],
            "start_time": start,
            "end_time": (start + latency).where(np.arange(n) % 17 != 0),
            "status": np.where(np.arange(n) % 23 == 0, "error", np.where(np.arange(n) % 2, "200", "success")),
            "latency_ms": (40 + (np.arange(n) * 37) % 900 + (np.arange(n) % 13) / 8).astype(float),
            "input_tokens": 100 + np.arange(n) % 50,
            "cost": pd.Series(0.0001 * (1 + np.arange(n) % 40)).round(6).where(np.arange(n) % 29 != 0),
            "component": np.array([ids[0], ids[1], "legacy-bot"])[np.arange(n) % 3],
        }
    )
    frame = pd.concat([frame, frame.iloc[[4]]], ignore_index=True)
    for c in ("start_time", "end_time"):
        frame[c] = frame[c].astype("datetime64[us, UTC]")
    return frame


def spark_table_equals_file(tmp_path: Path) -> None:
    from sentinel_reports.collectors.engine import spark_session
    from sentinel_reports.errors import SourceError

    config = load_project(REPO)
    frame = request_frame(config.component_ids[:2])
    (tmp_path / "table").mkdir()
    frame.to_parquet(tmp_path / "table" / "requests.parquet", index=False)
    rows = pa.Table.from_pandas(frame, preserve_index=False)  # Arrow in: no row-by-row fallback
    spark_session("local[2]").createDataFrame(rows).createOrReplaceTempView("sentinel_test_requests")
    cls = registry()["llm_requests"]
    on_spark = config.model_copy(update={"engine": Engine(kind="spark", master="local[2]")})
    batches = []
    for cfg, where in (
        (config, {"path": "requests.parquet"}),
        (on_spark, {"table": "sentinel_test_requests"}),
    ):
        options = cls.Options.model_validate({"type": "llm_requests", "interval": "1h", **where})
        ctx = CollectContext(
            project_dir=tmp_path / "table", source_id="gateway", tz=ZoneInfo("UTC"), config=cfg
        )
        batches.append(cls().collect(options, ctx))
    file, table = batches
    assert table.files[0].path == "table sentinel_test_requests" and table.files[0].rows == len(frame)
    assert file.summary["requests"] == len(frame) - 1 - int((frame.component == "legacy-bot").sum())
    assert table.duplicates_dropped == file.duplicates_dropped == 1
    close(table.summary, file.summary, "summary")
    assert table.samples[["ts", "component", "signal"]].equals(file.samples[["ts", "component", "signal"]])
    close(table.samples["value"].tolist(), file.samples["value"].tolist(), "samples")
    # validation runs in Spark too: a bad row is named by its request id
    bad = frame.assign(
        end_time=frame.end_time.where(frame.request_id != "r-40", frame.start_time - pd.Timedelta("1s"))
    )
    bad_rows = pa.Table.from_pandas(bad, preserve_index=False)
    spark_session("local[2]").createDataFrame(bad_rows).createOrReplaceTempView("sentinel_test_bad_requests")
    options = cls.Options.model_validate({"type": "llm_requests", "table": "sentinel_test_bad_requests"})
    ctx = CollectContext(
        project_dir=tmp_path / "table", source_id="gateway", tz=ZoneInfo("UTC"), config=on_spark
    )
    with pytest.raises(SourceError) as err:
        cls().collect(options, ctx)
    assert err.value.row_key == "request_id 'r-40'" and err.value.column == "end_time"
    assert err.value.message == "ends before it starts"


def spark_focus_table_equals_file(tmp_path: Path) -> None:
    """The committed FOCUS fixtures as a Spark temporary view (text columns, as the CSV exports have them)
    give the ledger of the same rows in a Parquet file read by DuckDB, to the last digit; a negative usage
    charge is named by its period, service and resource."""
    from pyspark.sql.types import StringType, StructField, StructType

    from sentinel_reports.collectors.engine import spark_session
    from sentinel_reports.errors import SourceError
    from tests.collectors._cost_ctx import make_config, make_ctx
    from tests.collectors.test_focus_tables import TAGGED, bill_rows, same_batch

    frame = bill_rows()
    folder = tmp_path / "focus-table"
    folder.mkdir()
    frame.to_parquet(folder / "bill.parquet", index=False)
    schema = StructType([StructField(c, StringType()) for c in frame.columns])
    session = spark_session("local[2]")
    session.createDataFrame(frame, schema=schema).createOrReplaceTempView("sentinel_test_focus")
    cls = registry()["focus"]
    on_spark = make_config(engine={"kind": "spark", "master": "local[2]"})
    file, table = (
        cls().collect(
            cls.Options.model_validate({"type": "focus", **where, **TAGGED}), make_ctx(folder, config=cfg)
        )
        for cfg, where in (
            (make_config(), {"path": "bill.parquet"}),
            (on_spark, {"table": "sentinel_test_focus"}),
        )
    )
    assert table.files[0].path == "table sentinel_test_focus" and table.files[0].rows == len(frame)
    same_batch(table, file, "bill.parquet", "table sentinel_test_focus")
    assert file.summary["total_cost"] > 1000 and len(file.costs) > 20
    bad = frame.copy()
    bad.loc[3, ["EffectiveCost", "ResourceId"]] = ["-2", "res-bad"]
    session.createDataFrame(bad, schema=schema).createOrReplaceTempView("sentinel_test_bad_focus")
    options = cls.Options.model_validate({"type": "focus", "table": "sentinel_test_bad_focus"})
    with pytest.raises(SourceError) as err:
        cls().collect(options, make_ctx(folder, config=on_spark))
    row = bad.loc[3]
    assert err.value.row_key == (
        f"ChargePeriodStart {row.ChargePeriodStart!r}, ServiceName {row.ServiceName!r}, ResourceId 'res-bad'"
    )
    assert err.value.column == "EffectiveCost" and err.value.found == -2.0
    assert err.value.message.startswith(f"negative {row.ChargeCategory.lower()} charge")


def test_engine_failure_is_a_source_error(tmp_path: Path) -> None:
    from sentinel_reports.errors import SourceError

    duck = engine_for(Engine(memory_limit="64MB"), tmp_path)
    bad = duck.memtable(pd.DataFrame({"x": ["not a number"]}))
    with pytest.raises(SourceError) as caught:
        duck.run(bad.mutate(y=bad.x.cast("int64")), source="data/logs.parquet")
    text = str(caught.value)
    assert "data/logs.parquet" in text and "duckdb engine" in text


def test_duckdb_draws_no_progress_bar_into_the_output(tmp_path: Path) -> None:
    """DuckDB's progress bar (printed on standard output for a query of more than 2 s) is off: a quiet
    build's output is the build's own."""
    duck = engine_for(Engine(), tmp_path)
    assert duck.con.con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)


def test_aggregation_equals_the_numpy_reference(tmp_path: Path) -> None:
    """The engine's samples are the numpy aggregation's bit for bit (percentiles as numpy.quantile's
    linear interpolation of microsecond values, exact cost sums), including repeats and missing values."""
    from sentinel_reports.collectors.llm_requests.aggregate import Requests, aggregate, duplicates

    rng = np.random.default_rng(11)
    n = 20_000
    component = rng.integers(0, 4, n)
    start = np.sort(rng.integers(0, 30 * 3600, n)) * 10**9 + 1_750_000_000 * 10**9
    start[1::97] = start[0::97][: len(start[1::97])]  # repeats: same start time ...
    good = rng.random(n) > 0.02
    latency = rng.lognormal(6.5, 0.7, n)
    latency[rng.random(n) < 0.03] = np.nan
    ttft = latency * rng.uniform(0.1, 0.6, n)
    cost = np.round(rng.uniform(0, 0.02, n), 6)
    ids = pa.array([f"r{i}" for i in range(n)])
    ids = pa.array(
        np.where(np.arange(n) % 97 == 1, [f"r{i - 1}" for i in range(n)], ids.to_pylist())
    )  # ... and id
    names = signal_names(True, ["cost_requests"])

    req = Requests(
        component.copy(),
        start.copy(),
        good.copy(),
        latency.copy(),
        ttft.copy(),
        {"cost_requests": cost.copy()},
    )
    exact, conflicting, keep = duplicates(req, [ids])
    expected = aggregate(req.take(keep), HOUR, names)

    engine = engine_for(Engine(), tmp_path)
    table = query.rows_table(
        np.arange(n), component, start, good, latency, ttft, {"cost_requests": cost}, ids
    )
    samples, stats = query.run(engine, engine.memtable(table), HOUR, names, source="rows")
    assert stats["exact"] == exact and stats["conflicting"] == conflicting and conflicting > 0
    for field in ("ts_ns", "component", "signal"):
        assert np.array_equal(getattr(samples, field), getattr(expected, field)), field
    latency_like = np.isin(samples.signal, [names.index(k) for k in names if k.endswith("_ms")])
    assert np.array_equal(samples.value[latency_like], expected.value[latency_like])
    assert np.allclose(samples.value, expected.value, rtol=1e-12, atol=0)


def test_rows_cut_into_pieces_give_the_same_groups(tmp_path: Path) -> None:
    """Pieces hold whole intervals (a repeat stays with its request), about `limit` rows each, and the
    groups aggregated piece by piece equal the groups of the whole table."""
    rng = np.random.default_rng(5)
    n = 30_000
    start = rng.integers(0, 40 * 3600, n) * 10**9 + 1_750_000_000 * 10**9  # not in time order
    start[1::50] = start[0::50][: len(start[1::50])]
    ids = pa.array([f"r{i - (i % 50 == 1)}" for i in range(n)])
    table = query.rows_table(
        np.arange(n), rng.integers(0, 3, n), start, rng.random(n) > 0.05, rng.lognormal(6, 0.5, n),
        None, {"cost_requests": np.round(rng.uniform(0, 0.01, n), 6)}, ids,
    )  # fmt: skip
    parts = query.pieces(table, HOUR, 4_000)
    assert len(parts) > 5 and sum(p.num_rows for p in parts) == n
    seen: set[int] = set()
    for p in parts:
        starts = p.column("start_ns").to_numpy()
        intervals = set((starts - starts % HOUR).tolist())
        assert not intervals & seen  # no interval in two pieces
        seen |= intervals
        assert p.num_rows <= 4_000 + int(np.bincount((starts - starts.min()) // HOUR).max())
    assert query.pieces(table, HOUR, n) == [table]

    engine = engine_for(Engine(), tmp_path)
    names = signal_names(False, ["cost_requests"])
    whole = query.run(engine, engine.memtable(table), HOUR, names, source="rows")
    cut = query.run(engine, [engine.memtable(p) for p in parts], HOUR, names, source="rows")
    for field in ("ts_ns", "component", "signal", "value"):
        assert np.array_equal(getattr(whole[0], field), getattr(cut[0], field)), field
    assert {k: v for k, v in whole[1].items() if k != "components"} == {
        k: v for k, v in cut[1].items() if k != "components"
    }
    assert whole[1]["exact"] + whole[1]["conflicting"] > 0
