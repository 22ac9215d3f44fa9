"""Request logs read from a table of the engine (`table: logs.llm_requests`) instead of files.

A DuckDB database file made here holds the rows; the same rows written to a Parquet file are the
reference: the aggregated samples, the counts and every week's facts must be equal (the file path is the
careful reader's and the scan's, tested on its own elsewhere). Bad rows are named by their request id (a
table has no row numbers), with column, expected and found; the parse cache notices an edited row.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
import yaml
from typer.testing import CliRunner

from sentinel_reports.cli import app
from sentinel_reports.collectors.engine import close_databases
from sentinel_reports.demo import scaffold

runner = CliRunner()
START = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


def request_rows(n: int = 3000) -> pd.DataFrame:
    """Three weeks of generic request-log rows: two components and an unconfigured one, failures, an
    exact repeat, missing latencies and costs; times with microseconds."""
    rows = []
    for i in range(n):
        start = START + dt.timedelta(seconds=i * 600 + (i % 7) * 0.123457)
        comp = ("assistant-api", "retrieval", "legacy-bot")[i % 3 if i % 11 else 2]
        latency_ms = 40 + (i * 37) % 900 + (i % 13) / 8
        rows.append(
            {
                "request_id": f"r-{i}",
                "start_time": start,
                "end_time": None if i % 17 == 0 else start + dt.timedelta(milliseconds=latency_ms),
                "status": "error" if i % 23 == 0 else "200" if i % 2 else "success",
                "input_tokens": 100 + i % 50,
                "output_tokens": None if i % 19 == 0 else 20 + i % 30,
                "cost": None if i % 29 == 0 else round(0.0001 * (1 + i % 40), 6),
                "component": comp,
            }
        )
    rows.append(dict(rows[4]))  # the same request (retrieval) logged twice: dropped
    frame = pd.DataFrame(rows)
    for c in ("start_time", "end_time"):
        frame[c] = pd.to_datetime(frame[c], utc=True).astype("datetime64[us, UTC]")
    return frame


def write_table(database: Path, frame: pd.DataFrame | pa.Table, table: str = "logs.llm_requests") -> None:
    close_databases()  # this process may hold the file open read-only from an earlier build
    con = duckdb.connect(str(database))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
        con.register("frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM frame")
    finally:
        con.close()


def project(root: Path, source: dict[str, Any], engine: dict[str, Any] | None = None) -> Path:
    """The `sentinel init` example project whose requests come from a request log instead of Prometheus."""
    scaffold(root)
    config = yaml.safe_load((root / "sentinel.yaml").read_text(encoding="utf-8"))
    config["sources"] = [s for s in config["sources"] if s["type"] != "prometheus"]
    config["sources"].append(
        {"id": "gateway", "type": "llm_requests", "format": "generic", "interval": "1h", **source}
    )
    if engine:
        config["engine"] = engine
    (root / "sentinel.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def file_and_table_projects(tmp_path: Path, frame: pd.DataFrame) -> tuple[Path, Path]:
    a = project(tmp_path / "files", {"path": "data/requests/requests.parquet"})
    (a / "data" / "requests").mkdir()
    frame.to_parquet(a / "data" / "requests" / "requests.parquet", index=False)
    b = project(tmp_path / "table", {"table": "logs.llm_requests"}, {"database": "warehouse.duckdb"})
    write_table(b / "warehouse.duckdb", frame)
    return a, b


def without_provenance(value: Any) -> Any:
    """Facts without what names the source's files or table (path, digest): the one intended difference."""
    if isinstance(value, dict):
        return {
            k: without_provenance(v)
            for k, v in value.items()
            if k not in ("files", "sha256", "path", "inputs")
        }
    if isinstance(value, list):
        return [without_provenance(v) for v in value]
    return value


def week_facts(root: Path) -> dict[str, Any]:
    from sentinel_reports.analysis.facts import week_facts as facts_of
    from sentinel_reports.analysis.facts_model import facts_data
    from sentinel_reports.analysis.periods import available_periods
    from sentinel_reports.pipeline import open_project

    p = open_project(root, use_cache=False)
    weeks = available_periods(p.dataset, p.config, p.as_of, "week")
    return {w: facts_data(facts_of(p.dataset, p.content, p.config, w, p.as_of)) for w in weeks}


def gateway(root: Path) -> Any:
    from sentinel_reports.pipeline import open_project

    p = open_project(root, use_cache=False)
    return next(s for s in p.dataset.sources if s.id == "gateway"), p.dataset.samples


def test_a_duckdb_table_gives_the_same_facts_as_the_same_rows_in_a_parquet_file(tmp_path: Path) -> None:
    frame = request_rows()
    files, table = file_and_table_projects(tmp_path, frame)
    (fs, f_samples), (ts, t_samples) = gateway(files), gateway(table)
    assert ts.files[0].path == "table logs.llm_requests" and ts.files[0].rows == len(frame)
    assert (ts.files[0].start, ts.files[0].end) == (fs.files[0].start, fs.files[0].end)
    assert ts.summary == fs.summary and ts.warnings == fs.warnings
    assert fs.summary["requests"] == len(frame) - 1 - sum(frame.component == "legacy-bot")
    assert ts.duplicates_dropped == fs.duplicates_dropped == 1
    pd.testing.assert_frame_equal(t_samples, f_samples, check_exact=True)
    f_weeks, t_weeks = week_facts(files), week_facts(table)
    assert len(t_weeks) >= 3 and t_weeks.keys() == f_weeks.keys()
    assert without_provenance(t_weeks) == without_provenance(f_weeks)
    # the build itself, through the command line
    out = tmp_path / "site"
    result = runner.invoke(
        app, ["--quiet", "build", "--project", str(table), "--out", str(out), "--only", "status"]
    )
    assert result.exit_code == 0, result.output
    assert "table logs.llm_requests" in (out / "manifest.json").read_text(encoding="utf-8")


def build(root: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(app, ["--quiet", "build", "--project", str(root), "--out", str(out), *extra])


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda f: f.assign(end_time=f.end_time.where(f.request_id != "r-40", f.start_time - pd.Timedelta("1s"))),
         ["row with request_id 'r-40'", "column 'end_time'", "ends before it starts"]),
        (lambda f: f.assign(start_time=f.start_time.where(f.request_id != "r-41", pd.NaT)),
         ["row with request_id 'r-41'", "column 'start_time'", "missing timestamp"]),
        (lambda f: f.assign(output_tokens=f.output_tokens.where(f.request_id != "r-42", -5)),
         ["row with request_id 'r-42'", "column 'output_tokens'", "negative token count", "found -5"]),
        (lambda f: f.assign(cost=f.cost.astype(object).where(f.request_id != "r-43", "lots").astype(str).replace("nan", None)),
         ["row with request_id 'r-43'", "column 'cost'", "not a number", "found 'lots'"]),
        (lambda f: f.drop(columns="request_id").assign(start_time=f.start_time.where(f.index != 44, pd.Timestamp("1950-01-01", tz="UTC"))),
         ["row with start_time 1950-01-01T00:00:00+00:00, component 'legacy-bot'", "timestamp out of range"]),
    ],
)  # fmt: skip
def test_a_bad_row_of_a_table_exits_1_naming_it(tmp_path: Path, edit: Any, expected: list[str]) -> None:
    root = project(tmp_path / "p", {"table": "logs.llm_requests"}, {"database": "warehouse.duckdb"})
    write_table(root / "warehouse.duckdb", edit(request_rows(200)))
    result = build(root, tmp_path / "site", "--no-cache")
    assert result.exit_code == 1, result.output
    assert "table logs.llm_requests" in result.output
    for text in expected:
        assert text in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"path": "data/x.parquet", "table": "logs.llm_requests"}, "not both"),
        ({}, "give either `path:` (files) or `table:`"),
        ({"table": "logs.llm requests"}, "names a table as table, schema.table"),
    ],
)
def test_a_source_names_files_or_a_table(tmp_path: Path, source: dict[str, Any], message: str) -> None:
    root = project(tmp_path / "p", source)
    result = runner.invoke(app, ["--quiet", "check", "--project", str(root)])
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_only_request_logs_read_tables(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"path": "data/requests/*.parquet"})
    config = yaml.safe_load((root / "sentinel.yaml").read_text(encoding="utf-8"))
    config["sources"][0] = {**config["sources"][0], "table": "logs.prometheus"}
    del config["sources"][0]["path"]
    (root / "sentinel.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = runner.invoke(app, ["--quiet", "check", "--project", str(root)])
    assert result.exit_code == 1 and "`table:` is for sources of type llm_requests" in result.output


def test_a_missing_table_is_a_clear_error(tmp_path: Path) -> None:
    root = project(tmp_path / "p", {"table": "logs.nothing_here"}, {"database": "warehouse.duckdb"})
    write_table(root / "warehouse.duckdb", request_rows(20))
    result = build(root, tmp_path / "site")
    assert result.exit_code == 1 and "table logs.nothing_here" in result.output, result.output
    assert "cannot open this table" in result.output and "Traceback" not in result.output


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_an_edited_row_is_seen_by_every_cache(tmp_path: Path) -> None:
    """Rows of a closed week edited in place, with the row count and the latest start time unchanged: the
    fingerprint changes, the next build reads the table again and rebuilds that week, and its site is the
    one a build without any cache makes (no stale facts from the parse cache or the closed weeks)."""
    from sentinel_reports.pipeline import open_project

    root = project(tmp_path / "p", {"table": "logs.llm_requests"}, {"database": "warehouse.duckdb"})
    frame = request_rows(3000)
    write_table(root / "warehouse.duckdb", frame)
    assert build(root, tmp_path / "s1").exit_code == 0
    before = next(s for s in open_project(root).dataset.sources if s.id == "gateway")
    edited_ids = [f"r-{i}" for i in range(100, 160)]  # 2026-11-02 and 03: the first, closed week
    edited = frame.assign(
        status=frame.status.where(~frame.request_id.isin(edited_ids), "error"),
        cost=frame.cost.where(frame.request_id != "r-100", 5.0),
    )
    assert len(edited) == len(frame) and edited.start_time.max() == frame.start_time.max()
    write_table(root / "warehouse.duckdb", edited)
    result = build(root, tmp_path / "s2")
    assert result.exit_code == 0, result.output
    after = next(s for s in open_project(root).dataset.sources if s.id == "gateway")
    assert after.files[0].sha256 != before.files[0].sha256
    grown = after.summary["totals"]["cost_requests"] - before.summary["totals"]["cost_requests"]
    assert grown == pytest.approx(5.0 - frame.cost[frame.request_id == "r-100"].iloc[0])
    assert after.summary["failed"] > before.summary["failed"]
    assert build(root, tmp_path / "s3", "--no-cache").exit_code == 0
    s1, s2, s3 = (site_files(tmp_path / name) for name in ("s1", "s2", "s3"))
    assert s2 == s3
    changed = sorted(k for k in s1.keys() & s2.keys() if s1[k] != s2[k])
    assert any(k.startswith("briefs/2026-W45/") for k in changed), changed


def test_a_view_over_parquet_files_in_the_database_is_a_table(tmp_path: Path) -> None:
    """docs/engines.md's S3 recipe with local files: a view in the DuckDB database over hive-partitioned
    Parquet files (s3:// itself needs the network) gives the batch of the same files read as a folder."""
    frame = request_rows(600)
    files = project(tmp_path / "files", {"path": "logs"})
    for day, rows in frame.groupby(frame.start_time.dt.strftime("%Y-%m-%d")):
        (files / "logs" / f"dt={day}").mkdir(parents=True)
        rows.to_parquet(files / "logs" / f"dt={day}" / "part-0.parquet", index=False)
    view = project(tmp_path / "view", {"table": "logs.llm_requests"}, {"database": "warehouse.duckdb"})
    close_databases()
    con = duckdb.connect(str(view / "warehouse.duckdb"))
    con.execute("CREATE SCHEMA logs")
    con.execute(
        "CREATE VIEW logs.llm_requests AS SELECT * EXCLUDE (dt) FROM "
        f"read_parquet('{(files / 'logs').as_posix()}/dt=*/*.parquet', hive_partitioning = true)"
    )
    con.close()
    (fs, f_samples), (vs, v_samples) = gateway(files), gateway(view)
    assert vs.summary == fs.summary and vs.summary["requests"] > 0
    pd.testing.assert_frame_equal(v_samples, f_samples, check_exact=True)


def doc_examples() -> list[str]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "engines.md").read_text(encoding="utf-8")
    section = text[text.index("## Tables instead of files") :]
    blocks = [b.split("```", 1)[0] for b in section.split("```yaml\n")[1:]]
    s3 = text[text.index("### Logs in S3 Parquet") : text.index("## Spark")]
    blocks += [b.split("```", 1)[0] for b in s3.split("```yaml\n")[1:]]
    return [textwrap.dedent(b) for b in blocks]


def test_every_table_example_of_the_docs_is_valid_configuration(tmp_path: Path) -> None:
    """The config examples of docs/engines.md (ClickHouse, BigQuery and Trino ones do not run here) are
    valid `engine` and `sources` blocks of a project."""
    from sentinel_reports.project import load_project

    examples = doc_examples()
    assert len(examples) >= 6
    kinds = set()
    for i, example in enumerate(examples):
        block = yaml.safe_load(example)
        root = project(tmp_path / str(i), {"path": "unused.parquet"})
        config = yaml.safe_load((root / "sentinel.yaml").read_text(encoding="utf-8"))
        config["sources"] = config["sources"][:-1] + block["sources"]
        config["engine"] = block["engine"]
        (root / "sentinel.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        loaded = load_project(root)
        assert loaded.sources[-1].table, example
        kinds.add(loaded.engine.kind)
    assert kinds == {"duckdb", "spark", "clickhouse", "bigquery", "trino"}


def test_the_demo_litellm_log_as_a_table_with_a_struct_column(tmp_path: Path) -> None:
    """The demo's LiteLLM spend log, its JSON-text `metadata` stored as a STRUCT (as a warehouse would type
    it): the component from `metadata.user_api_key_team_alias`, latency units inferred from
    request_duration_ms, cached tokens subtracted; the samples are the file's, bit for bit."""
    from zoneinfo import ZoneInfo

    from sentinel_reports.collectors import registry
    from sentinel_reports.collectors.base import CollectContext
    from sentinel_reports.config import Engine
    from sentinel_reports.project import load_project

    repo = Path(__file__).resolve().parents[2]
    config = load_project(repo)
    src = next(s for s in config.sources if s.path and s.path.endswith("litellm_spendlogs.parquet"))
    close_databases()
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    usage = '"usage_object": {"cache_read_input_tokens": "BIGINT", "cache_creation_input_tokens": "BIGINT"}'
    shape = '{"user_api_key_team_alias": "VARCHAR", "user_api_key_alias": "VARCHAR", ' + usage + "}"
    con.execute("CREATE SCHEMA logs")
    con.execute(
        f"CREATE TABLE logs.spend AS SELECT * REPLACE (json_transform(metadata, '{shape}') AS metadata) "
        f"FROM read_parquet('{(repo / src.path).as_posix()}')"
    )
    con.close()
    cls = registry()["llm_requests"]
    on_table = config.model_copy(update={"engine": Engine(database=str(tmp_path / "warehouse.duckdb"))})
    entry = {k: v for k, v in src.model_dump(exclude_none=True).items() if k != "path"}
    batches = []
    for cfg, options in (
        (config, cls.Options.model_validate(src.model_dump(exclude_none=True))),
        (on_table, cls.Options.model_validate({**entry, "table": "logs.spend"})),
    ):
        ctx = CollectContext(project_dir=repo, source_id="litellm", tz=ZoneInfo("UTC"), config=cfg)
        batches.append(cls().collect(options, ctx))
    file, table = batches
    assert table.summary == file.summary and file.summary["requests"] > 100_000
    assert table.files[0].rows == file.files[0].rows
    pd.testing.assert_frame_equal(table.samples, file.samples, check_exact=True)


def test_a_build_fingerprints_a_table_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The inputs key and the parse cache need the same fingerprint of the table (a scan of every row in
    the engine): the build works it out once, for the key, and the parse cache takes it from there."""
    from sentinel_reports.collectors.llm_requests import LlmRequestsCollector

    root = project(tmp_path / "p", {"table": "logs.llm_requests"}, {"database": "warehouse.duckdb"})
    write_table(root / "warehouse.duckdb", request_rows(3000))
    scans: list[str] = []
    fingerprint = LlmRequestsCollector.fingerprint

    def counted(self: LlmRequestsCollector, options: Any, ctx: Any) -> str:
        scans.append(options.table)
        return fingerprint(self, options, ctx)

    monkeypatch.setattr(LlmRequestsCollector, "fingerprint", counted)
    assert build(root, tmp_path / "s1").exit_code == 0
    assert scans == ["logs.llm_requests"]
    assert build(root, tmp_path / "s2", "--no-cache").exit_code == 0
    assert scans == ["logs.llm_requests"] * 2
