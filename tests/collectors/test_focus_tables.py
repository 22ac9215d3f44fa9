"""FOCUS bills read from a table of the engine (`table: billing.focus`) instead of files.

The committed FOCUS fixtures (the tagged bill and the official FOCUS 1.2 samples) are the rows: written
to a Parquet file they are the reference, loaded into a DuckDB database file (as text, as a CSV export
gives them, or typed as a warehouse would type them) they are the table; the ledgers, summaries and row
counts must be equal, and their total is checked against an independent sum. A bad cell is named by the
table, the column and the row's ChargePeriodStart, ServiceName and ResourceId (a table has no row
numbers); the table's fingerprint lets an unchanged table reuse the caches and shows an edited one.
The same rows in a Spark temporary view are tested with the other Spark comparisons (test_engines.py).
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from typer.testing import CliRunner

from sentinel_reports.cli import app
from sentinel_reports.collectors.engine import close_databases
from sentinel_reports.collectors.focus import FocusCollector, FocusOptions
from sentinel_reports.collectors.focus_table import NULL_CELLS
from sentinel_reports.demo import scaffold
from tests.collectors._cost_ctx import COST, FOCUS_SAMPLES, make_config, make_ctx
from tests.collectors.test_table_sources import write_table as write_logs

runner = CliRunner()
TAGGED = {
    "component_tag": "component",
    "team_tag": "team",
    "model_tag": "model",
    "tag_values": {"rag": "rag-api"},
    "rules": [
        {"match": {"ServiceName": "Amazon OpenSearch*", "SubAccountName": "prod-*"}, "component": "rag-api"}
    ],
}


def read_text(path: Path) -> pd.DataFrame:
    """A FOCUS CSV (or CSV.gz) as text cells, its empty and `null` cells missing, as the collector reads it."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig") as fh:  # type: ignore[operator]
        frame = pd.read_csv(fh, dtype=str, keep_default_na=False, na_values=NULL_CELLS)
    return frame.rename(columns=str.strip)


def bill_rows() -> pd.DataFrame:
    """The tagged bill and every official FOCUS 1.2 sample: text columns, the union of their columns; and
    two charges written here: an accounting negative credit, an amount in euro signs with a time offset."""
    paths = [COST / "focus_tagged.csv", *sorted(FOCUS_SAMPLES.glob("*.csv"))]
    made = pd.DataFrame(
        [
            {"BillingCurrency": "USD", "BilledCost": "(12.00)", "EffectiveCost": " (12.00)",
             "ChargeCategory": "Credit", "ChargePeriodStart": "2026-11-18T00:00:00Z",
             "ServiceName": "Amazon Bedrock", "ResourceId": "res-credit", "Tags": '{"component": "chat-api"}'},
            {"BillingCurrency": "EUR", "BilledCost": "€3.10", "EffectiveCost": "€3.10",
             "ChargeCategory": "usage", "ChargePeriodStart": "2026-11-18T01:00:00+02:00",
             "ServiceName": "La Plateforme", "ResourceId": "res-eu-2", "Tags": '{"component": "chat-api"}'},
        ]
    )  # fmt: skip
    frame = pd.concat([*(read_text(p) for p in paths), made], ignore_index=True)
    return frame.astype(object).where(frame.notna(), None)


def amounts(values: pd.Series) -> pd.Series:
    """Amount text as numbers, worked out here ("$1,234.50 ", "(12.00)")."""
    text = values.str.strip()
    number = text.str.replace(r"[\s$€,()]", "", regex=True).astype(float)
    return number.where(~text.str.match(r"^\(.*\)$"), -number)


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as a warehouse types them: ChargePeriodStart a UTC timestamp, the amounts DOUBLE."""
    when = pd.to_datetime(frame.ChargePeriodStart, utc=True, format="mixed").astype("datetime64[us, UTC]")
    return frame.assign(
        ChargePeriodStart=when,
        EffectiveCost=amounts(frame.EffectiveCost),
        BilledCost=amounts(frame.BilledCost),
    )


def with_tags_map(frame: pd.DataFrame) -> pa.Table:
    """The typed rows with Tags as a MAP(VARCHAR, VARCHAR), as a Parquet export or a warehouse may hold them."""
    tags = [None if t is None or json.loads(t) is None else list(json.loads(t).items()) for t in frame.Tags]
    rows = pa.Table.from_pandas(typed(frame).drop(columns="Tags"), preserve_index=False)
    return rows.append_column("Tags", pa.array(tags, pa.map_(pa.string(), pa.string())))


def write_table(database: Path, frame: pd.DataFrame | pa.Table, table: str = "billing.focus") -> None:
    write_logs(database, frame, table)


def collect(project_dir: Path, where: dict[str, str], database: Path | None = None) -> Any:
    config = make_config(**({"engine": {"database": str(database)}} if database else {}))
    options = FocusOptions(type="focus", **where, **TAGGED)
    return FocusCollector().collect(options, make_ctx(project_dir, config=config))


def same_batch(table: Any, file: Any, file_name: str, where: str = "table billing.focus") -> None:
    pd.testing.assert_frame_equal(table.costs, file.costs, check_exact=True)
    assert table.summary == file.summary
    assert table.rows == file.rows
    assert table.warnings == [w.replace(file_name, where) for w in file.warnings]


@pytest.mark.parametrize(
    ("shape", "types"),
    [(lambda f: pa.Table.from_pandas(f, preserve_index=False), ("VARCHAR", "VARCHAR", "VARCHAR")),
     (lambda f: pa.Table.from_pandas(typed(f), preserve_index=False),
      ("TIMESTAMP WITH TIME ZONE", "DOUBLE", "VARCHAR")),
     (with_tags_map, ("TIMESTAMP WITH TIME ZONE", "DOUBLE", "MAP(VARCHAR, VARCHAR)"))],
    ids=["text", "typed", "typed-tags-map"],
)  # fmt: skip
def test_a_duckdb_table_gives_the_ledger_of_the_same_rows_in_a_parquet_file(
    tmp_path: Path, shape: Any, types: tuple[str, str, str]
) -> None:
    frame = shape(bill_rows())
    pq.write_table(frame, tmp_path / "bill.parquet")
    write_table(tmp_path / "warehouse.duckdb", frame)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        found = dict(con.sql("SELECT column_name, data_type FROM information_schema.columns").fetchall())
    assert (found["ChargePeriodStart"], found["EffectiveCost"], found["Tags"]) == types
    file = collect(tmp_path, {"path": "bill.parquet"})
    table = collect(tmp_path, {"table": "billing.focus"}, tmp_path / "warehouse.duckdb")
    same_batch(table, file, "bill.parquet")
    assert table.files[0].path == "table billing.focus" and table.files[0].rows == frame.num_rows
    assert (table.files[0].start, table.files[0].end) == (file.files[0].start, file.files[0].end)
    # what both say is the bill's: its USD charges summed here, the tags and rules of the tagged bill
    text = bill_rows()
    usd = text.BillingCurrency.fillna("USD").str.strip() == "USD"
    assert table.summary["total_cost"] == pytest.approx(amounts(text.EffectiveCost)[usd].sum(), rel=1e-12)
    assert table.summary["other_currencies"]["EUR"]["cost"] == 83.1
    assert table.summary["cost_by_category"]["credit"] == -62.0  # the tagged bill's -50, and (12.00)
    assert table.summary["rows_currency_assumed"] == int(text.BillingCurrency.isna().sum()) > 0
    by_component = table.costs.groupby("component")["cost"].sum()
    assert by_component["rag-api"] == 100.0 and table.summary["unknown_component_values"] == ["billing-batch"]


def test_a_view_over_hive_partitioned_parquet_files_is_a_table(tmp_path: Path) -> None:
    """docs/engines.md's recipe for bills in S3 Parquet, with local files: a view in the DuckDB database over
    hive-partitioned Parquet files gives the ledger of the same rows in one file."""
    frame = bill_rows()
    frame.to_parquet(tmp_path / "bill.parquet", index=False)
    for i, rows in frame.groupby(frame.index % 3):
        (tmp_path / "bills" / f"part={i}").mkdir(parents=True)
        rows.to_parquet(tmp_path / "bills" / f"part={i}" / "0.parquet", index=False)
    close_databases()
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("CREATE SCHEMA billing")
    con.execute(
        "CREATE VIEW billing.focus AS SELECT * EXCLUDE (part) FROM "
        f"read_parquet('{(tmp_path / 'bills').as_posix()}/part=*/*.parquet', hive_partitioning = true, "
        "union_by_name = true)"
    )
    con.close()
    file = collect(tmp_path, {"path": "bill.parquet"})
    view = collect(tmp_path, {"table": "billing.focus"}, tmp_path / "warehouse.duckdb")
    same_batch(view, file, "bill.parquet")
    assert view.summary["total_cost"] > 1000


# ---------------------------------------------------------------- a project building from a table


def project(root: Path, source: dict[str, Any], engine: dict[str, Any] | None = None) -> Path:
    """The `sentinel init` example project, its FOCUS bill read from `source`."""
    scaffold(root)
    config = yaml.safe_load((root / "sentinel.yaml").read_text(encoding="utf-8"))
    focus = next(s for s in config["sources"] if s["type"] == "focus")
    del focus["path"]
    focus.update({"id": "bill", **source})
    if engine:
        config["engine"] = engine
    (root / "sentinel.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return root


def scaffold_bill(root: Path) -> pd.DataFrame:
    return pd.concat([read_text(p) for p in sorted((root / "data" / "billing").glob("*.csv.gz"))])


def table_project(root: Path, edit: Any = None) -> tuple[Path, pd.DataFrame]:
    root = project(root, {"table": "billing.focus"}, {"database": "warehouse.duckdb"})
    frame = scaffold_bill(root).reset_index(drop=True)
    frame = edit(frame) if edit else frame
    write_table(root / "warehouse.duckdb", frame)
    return root, frame


def build(root: Path, out: Path, *extra: str) -> Any:
    return runner.invoke(app, ["--quiet", "build", "--project", str(root), "--out", str(out), *extra])


def week_facts(root: Path) -> dict[str, Any]:
    from sentinel_reports.analysis.facts import week_facts as facts_of
    from sentinel_reports.analysis.facts_model import facts_data
    from sentinel_reports.analysis.periods import available_periods
    from sentinel_reports.pipeline import open_project

    p = open_project(root, use_cache=False)
    weeks = available_periods(p.dataset, p.config, p.as_of, "week")
    return {w: facts_data(facts_of(p.dataset, p.content, p.config, w, p.as_of)) for w in weeks}


def without_provenance(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_provenance(v) for k, v in value.items() if k not in ("files", "sha256", "path")}
    if isinstance(value, list):
        return [without_provenance(v) for v in value]
    return value


def test_a_project_builds_its_costs_from_a_table_as_from_its_files(tmp_path: Path) -> None:
    files = project(tmp_path / "files", {"path": "data/billing/*.csv.gz"})
    table, frame = table_project(tmp_path / "table")
    f_weeks, t_weeks = week_facts(files), week_facts(table)
    assert len(t_weeks) >= 3 and t_weeks.keys() == f_weeks.keys()
    assert without_provenance(t_weeks) == without_provenance(f_weeks)
    result = build(table, tmp_path / "site", "--only", "status")
    assert result.exit_code == 0, result.output
    manifest = (tmp_path / "site" / "manifest.json").read_text(encoding="utf-8")
    assert "table billing.focus" in manifest and f'"rows": {len(frame)}' in manifest


def _set(column: str, value: Any, row: int = 7) -> Any:
    def edit(f: pd.DataFrame) -> pd.DataFrame:
        f = f.copy()
        f[column] = f[column].astype(object)
        f.loc[row, column] = value
        f.loc[row, "ResourceId"] = "res-bad"
        return f

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda f: f.drop(columns="EffectiveCost"),
         ["column 'EffectiveCost'", "missing FOCUS column"]),
        (lambda f: f.assign(ChargePeriodStart=True),
         ["column 'ChargePeriodStart'", "column type not read from a table", "found 'boolean'"]),
        (_set("EffectiveCost", "lots"),
         ["ResourceId 'res-bad'", "column 'EffectiveCost'", "not an amount", "found 'lots'"]),
        (_set("BilledCost", None),
         ["ResourceId 'res-bad'", "column 'BilledCost'", "missing amount"]),
        (_set("EffectiveCost", "-3.5"),
         ["ResourceId 'res-bad'", "column 'EffectiveCost'", "negative usage charge", "found -3.5"]),
        (_set("ChargePeriodStart", "next tuesday"),
         ["ResourceId 'res-bad'", "column 'ChargePeriodStart'", "unparseable date", "found 'next tuesday'"]),
        (_set("ChargeCategory", "Refund"),
         ["ResourceId 'res-bad'", "column 'ChargeCategory'", "unknown ChargeCategory", "found 'refund'"]),
        (_set("Tags", "[1, 2]"),
         ["ResourceId 'res-bad'", "column 'Tags'", "Tags is not a JSON object", "found '[1, 2]'"]),
    ],
    ids=["missing-column", "wrong-type", "not-an-amount", "missing-amount", "negative-usage", "bad-date",
         "bad-category", "bad-tags"],
)  # fmt: skip
def test_a_bad_row_of_a_bill_table_exits_1_naming_it(tmp_path: Path, edit: Any, expected: list[str]) -> None:
    root, frame = table_project(tmp_path / "p", edit)
    result = build(root, tmp_path / "site", "--no-cache")
    assert result.exit_code == 1, result.output
    assert "table billing.focus" in result.output, result.output
    if "ResourceId 'res-bad'" in expected:  # the row is named by its period, service and resource
        bad = frame[frame.ResourceId == "res-bad"].iloc[0]
        assert f"row with ChargePeriodStart '{bad.ChargePeriodStart}', ServiceName '{bad.ServiceName}'" in (
            result.output
        )
    for text in expected:
        assert text in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "site").exists()


def test_a_bill_table_is_fingerprinted_once_a_build_and_an_edit_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One fingerprint (a scan in the engine) per build; an unchanged table lets the next build reuse the
    parse cache (the table is not read again); a charge edited in place, with the row count and the first
    and last ChargePeriodStart unchanged, changes the fingerprint and the costs."""
    from sentinel_reports.pipeline import open_project

    root, frame = table_project(tmp_path / "p")
    scans: list[str] = []
    reads: list[str] = []
    fingerprint, collect_batch = FocusCollector.fingerprint, FocusCollector.collect

    def counted(self: FocusCollector, options: Any, ctx: Any) -> str:
        scans.append(options.table)
        return fingerprint(self, options, ctx)

    def read(self: FocusCollector, options: Any, ctx: Any) -> Any:
        reads.append(options.table)
        return collect_batch(self, options, ctx)

    monkeypatch.setattr(FocusCollector, "fingerprint", counted)
    monkeypatch.setattr(FocusCollector, "collect", read)
    assert build(root, tmp_path / "s1").exit_code == 0
    assert scans == ["billing.focus"] and reads == ["billing.focus"]
    before = next(s for s in open_project(root).dataset.sources if s.id == "bill")
    assert build(root, tmp_path / "s2").exit_code == 0
    assert scans == ["billing.focus"] * 3 and reads == ["billing.focus"]  # open_project, then the build
    usage = frame.index[frame.ChargeCategory.str.lower() == "usage"][5]
    new = str(Decimal(frame.loc[usage, "EffectiveCost"]) + 1000)
    edited = frame.assign(EffectiveCost=frame.EffectiveCost.where(frame.index != usage, new))
    write_table(root / "warehouse.duckdb", edited)
    result = build(root, tmp_path / "s3")
    assert result.exit_code == 0, result.output
    assert reads == ["billing.focus"] * 2
    after = next(s for s in open_project(root).dataset.sources if s.id == "bill")
    assert after.files[0].sha256 != before.files[0].sha256 and after.files[0].rows == before.files[0].rows
    assert after.summary["total_cost"] - before.summary["total_cost"] == pytest.approx(1000.0)


def test_an_empty_table_is_an_empty_bill_and_a_column_of_nulls_is_missing_amounts(tmp_path: Path) -> None:
    """An empty table gives an empty ledger (not an error); a column DuckDB types NULL (only nulls in it)
    is read as missing cells: here every BilledCost is a missing amount."""
    from sentinel_reports.errors import SourceError

    frame = bill_rows()
    write_table(tmp_path / "warehouse.duckdb", frame.iloc[:0])
    empty = collect(tmp_path, {"table": "billing.focus"}, tmp_path / "warehouse.duckdb")
    assert empty.rows == 0 and len(empty.costs) == 0 and empty.summary["total_cost"] == 0.0
    assert empty.files[0].rows == 0 and empty.files[0].start is None
    write_table(tmp_path / "warehouse.duckdb", frame.assign(BilledCost=None))
    with pytest.raises(SourceError) as err:
        collect(tmp_path, {"table": "billing.focus"}, tmp_path / "warehouse.duckdb")
    assert err.value.message == "missing amount" and err.value.column == "BilledCost"
    assert err.value.file == "table billing.focus" and err.value.row_key.startswith("ChargePeriodStart ")
