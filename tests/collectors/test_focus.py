"""FOCUS collector: the official samples, attribution, money and date formats, currencies, bad rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sentinel_reports.collectors.focus import FocusCollector, FocusOptions
from sentinel_reports.errors import SourceError
from sentinel_reports.model import COST_COLUMNS
from tests.collectors._cost_ctx import COST, FOCUS_SAMPLES, make_ctx

SAMPLES = sorted(FOCUS_SAMPLES.glob("*.csv"))


def collect(project: Path, path: str, **options: object):
    return FocusCollector().collect(FocusOptions(type="focus", path=path, **options), make_ctx(project))


def csv_total(path: Path) -> float:
    """EffectiveCost summed with the csv module only: an independent reference."""
    total = 0.0
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            cell = row["EffectiveCost"].strip().replace("$", "").replace(",", "")
            total += float(cell)
    return total


def test_all_official_samples_are_present() -> None:
    assert len(SAMPLES) == 26


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem[:60])
def test_official_sample_total_matches_independent_sum(sample: Path) -> None:
    batch = collect(FOCUS_SAMPLES, sample.name)
    assert batch.costs["cost"].sum() == pytest.approx(csv_total(sample), abs=1e-9)
    assert list(batch.costs.columns) == list(COST_COLUMNS)
    with sample.open(encoding="utf-8-sig", newline="") as fh:
        data_rows = sum(1 for row in csv.DictReader(fh) if any(v.strip() for v in row.values() if v))
    assert batch.rows == data_rows
    assert set(batch.costs["category"]) <= {"usage", "purchase", "tax", "credit", "adjustment"}


def test_us_dates_and_dollar_strings_in_samples() -> None:
    batch = collect(FOCUS_SAMPLES, "saas_examples__simple_agreements__simple_saas_agreements_c.csv")
    days = sorted(batch.costs["day"].dt.strftime("%Y-%m-%d").unique())
    assert days == ["2025-04-01", "2025-05-01", "2025-06-01"]
    assert batch.costs["cost"].sum() == pytest.approx(35800.0)


def test_sample_without_currency_column_is_read_in_configured_currency_with_a_warning() -> None:
    name = "commitment_discount_scenarios__commitment_discount_usage_scenario_3.csv"
    batch = collect(FOCUS_SAMPLES, name)
    assert set(batch.costs["currency"]) == {"USD"}
    assert batch.summary["rows_currency_assumed"] == 2
    assert any("without BillingCurrency" in w for w in batch.warnings)


def test_identical_rows_are_distinct_charges() -> None:
    name = "commitment_discount_flexibility__one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources.csv"
    batch = collect(FOCUS_SAMPLES, name)
    assert batch.duplicates_dropped == 0
    assert batch.costs["cost"].sum() == pytest.approx(2.0)


@pytest.fixture
def tagged():
    return collect(
        COST,
        "focus_tagged.csv",
        component_tag="component",
        team_tag="team",
        model_tag="model",
        tag_values={"rag": "rag-api"},
        rules=[
            {
                "match": {"ServiceName": "Amazon OpenSearch*", "SubAccountName": "prod-*"},
                "component": "rag-api",
            }
        ],
    )


def test_attribution_by_tag_value_map_rule_and_owner(tagged) -> None:
    usd = tagged.costs[tagged.costs["currency"] == "USD"]
    by_component = usd.groupby("component", dropna=False)["cost"].sum()
    assert by_component["chat-api"] == pytest.approx(12.5 + 1234.5 - 5 + 7.25)
    assert by_component["rag-api"] == pytest.approx(40 + 60)
    rag_teams = set(usd.loc[usd["component"] == "rag-api", "team"])
    assert rag_teams == {"Search team"}  # tag for one row, component owner for the rule row
    haiku = usd[usd["day"] == pd.Timestamp("2026-11-18", tz="UTC")]
    assert list(haiku["team"]) == ["Assistant Platform team"]  # no team tag: the owner
    assert set(usd["model"].dropna()) == {"claude-sonnet-4-5"}


def test_unattributed_spend_and_share_are_reported(tagged) -> None:
    s = tagged.summary
    assert s["total_cost"] == pytest.approx(1449.25)
    assert s["unattributed_cost"] == pytest.approx(100 - 50 + 20 + 30)
    assert s["unattributed_share"] == pytest.approx(100 / 1449.25, rel=1e-6)
    assert s["unknown_component_values"] == ["billing-batch"]
    unattributed = tagged.costs[tagged.costs["component"].isna() & tagged.costs["team"].isna()]
    assert unattributed["cost"].sum() == pytest.approx(100)


def test_second_currency_is_kept_reported_and_not_summed(tagged) -> None:
    eur = tagged.costs[tagged.costs["currency"] == "EUR"]
    assert eur["cost"].sum() == pytest.approx(80)
    assert tagged.summary["other_currencies"] == {"EUR": {"cost": 80.0, "ledger_rows": 1}}
    assert tagged.summary["total_cost"] == pytest.approx(1449.25)  # 80 EUR not in it
    assert any("EUR" in w and "not added" in w for w in tagged.warnings)


def test_credit_and_correction_may_be_negative_and_day_is_utc_midnight(tagged) -> None:
    cats = tagged.costs.groupby("category")["cost"].sum()
    assert cats["credit"] == pytest.approx(-50)
    assert cats["tax"] == pytest.approx(20)
    assert (tagged.costs["day"] == tagged.costs["day"].dt.floor("D")).all()
    assert str(tagged.costs["day"].dt.tz) == "UTC"


def test_negative_usage_charge_is_an_error_naming_the_row() -> None:
    with pytest.raises(SourceError) as err:
        collect(COST, "focus_negative_usage.csv")
    assert err.value.row == 2 and err.value.column == "EffectiveCost"
    assert "negative usage" in str(err.value)


def write(tmp_path: Path, text: str, name: str = "bill.csv") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


HEAD = "BillingCurrency,BilledCost,EffectiveCost,ChargeCategory,ChargePeriodStart,ServiceName,Tags\n"


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("USD,1,abc,Usage,2026-11-16,S,{}", "EffectiveCost", "not an amount"),
        ("USD,1,1,Refund,2026-11-16,S,{}", "ChargeCategory", "unknown ChargeCategory"),
        ("USD,1,1,Usage,yesterday,S,{}", "ChargePeriodStart", "unparseable date"),
        ('USD,1,1,Usage,2026-11-16,S,"[1, 2]"', "Tags", "not a JSON object"),
        ("US Dollar,1,1,Usage,2026-11-16,S,{}", "BillingCurrency", "invalid currency"),
        ("USD,1,,Usage,2026-11-16,S,{}", "EffectiveCost", "missing amount"),
    ],
)
def test_bad_cells_name_row_and_column(tmp_path: Path, row: str, column: str, fragment: str) -> None:
    good = "USD,1,1,Usage,2026-11-16,S,{}\n"
    name = write(tmp_path, HEAD + good + row + "\n")
    with pytest.raises(SourceError) as err:
        collect(tmp_path, name, component_tag="component")
    assert err.value.row == 2 and err.value.column == column
    assert fragment in str(err.value)


def test_missing_mandatory_column(tmp_path: Path) -> None:
    name = write(tmp_path, "BilledCost,ChargeCategory,ChargePeriodStart\n1,Usage,2026-11-16\n")
    with pytest.raises(SourceError, match="EffectiveCost"):
        collect(tmp_path, name)


def test_rule_naming_unknown_component_is_rejected(tmp_path: Path) -> None:
    name = write(tmp_path, HEAD + "USD,1,1,Usage,2026-11-16,S,{}\n")
    with pytest.raises(SourceError, match="unknown component"):
        collect(tmp_path, name, rules=[{"match": {"ServiceName": "*"}, "component": "nope"}])


def test_accounting_negative_and_naive_dates_in_source_timezone(tmp_path: Path) -> None:
    body = "USD,(12.00),(12.00),Credit,2026-11-16T23:30:00,S,{}\n"
    name = write(tmp_path, HEAD + body)
    utc = collect(tmp_path, name)
    assert utc.costs["cost"].tolist() == [-12.0]
    assert utc.costs["day"].iloc[0] == pd.Timestamp("2026-11-16", tz="UTC")
    tokyo = collect(tmp_path, name, timezone="Asia/Tokyo")
    assert tokyo.costs["day"].iloc[0] == pd.Timestamp("2026-11-16", tz="UTC")  # 23:30 JST = 14:30 UTC
    berlin_late = write(tmp_path, HEAD + "USD,1,1,Usage,2026-11-16T00:30:00,S,{}\n", "late.csv")
    assert collect(tmp_path, berlin_late, timezone="Europe/Berlin").costs["day"].iloc[0] == pd.Timestamp(
        "2026-11-15", tz="UTC"
    )


def test_parquet_with_typed_columns_and_map_tags(tmp_path: Path) -> None:
    tags = pa.array(
        [[("component", "chat-api")], [("team", "Search team")]], pa.map_(pa.string(), pa.string())
    )
    table = pa.table(
        {
            "BillingCurrency": ["USD", "USD"],
            "BilledCost": pa.array([1.5, 2.0], pa.float64()),
            "EffectiveCost": pa.array([1.25, 2.0], pa.float64()),
            "ChargeCategory": ["Usage", "Usage"],
            "ChargePeriodStart": pa.array(
                [pd.Timestamp("2026-11-16T05:00Z"), pd.Timestamp("2026-11-17T05:00Z")],
                pa.timestamp("us", tz="UTC"),
            ),
            "ServiceProviderName": ["Anthropic", "Anthropic"],
            "ServiceName": ["Claude API", "Claude API"],
            "Tags": tags,
        }
    )
    pq.write_table(table, tmp_path / "bill.parquet")
    batch = collect(tmp_path, "bill.parquet", component_tag="component", team_tag="team")
    assert batch.costs["cost"].sum() == pytest.approx(3.25)
    assert set(batch.costs["provider"]) == {"Anthropic"}
    chat = batch.costs[batch.costs["component"] == "chat-api"]
    assert chat["team"].tolist() == ["Assistant Platform team"]  # owner fills the missing team tag
    search = batch.costs[batch.costs["team"] == "Search team"]
    assert search["component"].isna().all() and search["cost"].tolist() == [2.0]
    assert sorted(batch.costs["day"].dt.strftime("%Y-%m-%d")) == ["2026-11-16", "2026-11-17"]


def test_gzip_csv_is_read(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "bill.csv.gz").write_bytes(
        gzip.compress((HEAD + "USD,$2.00 ,$2.00 ,Usage,2026-11-16,S,{}\n").encode())
    )
    assert collect(tmp_path, "bill.csv.gz").costs["cost"].tolist() == [2.0]
