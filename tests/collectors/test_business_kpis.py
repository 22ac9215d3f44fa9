"""`type: business_kpis`: a daily `date, component, kpi, value, n` table."""

from __future__ import annotations

import pytest

from sentinel_reports.collectors.business_kpis import BusinessKpisCollector, BusinessKpisOptions
from sentinel_reports.errors import SourceError
from tests.collectors.conftest import make_ctx

HEADER = "date,component,kpi,value,n\n"


def collect(tmp_path, text, **options):
    (tmp_path / "kpis.csv").write_text(text)
    opts = BusinessKpisOptions.model_validate({"type": "business_kpis", "path": "kpis.csv", **options})
    return BusinessKpisCollector().collect(opts, make_ctx(tmp_path))


def test_rates_and_means_by_day(tmp_path):
    text = HEADER + "2026-11-02,chat-api,conversion,0.031,9000\n2026-11-02,chat-api,csat,4.3,310\n"
    text += "2026-11-03,other,conversion,0.5,10\n"
    batch = collect(tmp_path, text, rates=["conversion"])
    kpis = batch.kpis
    assert list(kpis["kind"]) == ["rate", "mean"] and list(kpis["n"]) == [9000, 310]
    assert str(kpis["day"].iloc[0]) == "2026-11-02 00:00:00+00:00"
    assert batch.summary["dropped_other_components"] == 1 and batch.warnings


@pytest.mark.parametrize(
    ("row", "column", "problem"),
    [
        ("2026-11-02,chat-api,conversion,1.4,100", "value", "not a KPI value"),
        ("2026-11-02,chat-api,conversion,0.3,12.5", "n", "not a count"),
        ("2026-11-02,chat-api,conversion,0.3,-1", "n", "not a count"),
        ("someday,chat-api,conversion,0.3,10", "date", "timestamp"),
        ("2026-11-02,chat-api,,0.3,10", "kpi", "missing KPI name"),
    ],
)
def test_bad_rows_name_row_and_column(tmp_path, row, column, problem):
    with pytest.raises(SourceError) as exc:
        collect(
            tmp_path, HEADER + "2026-11-01,chat-api,conversion,0.3,10\n" + row + "\n", rates=["conversion"]
        )
    assert exc.value.row == 2 and exc.value.column == column and problem in str(exc.value)


def test_two_values_for_one_day_are_an_error_but_exact_repeats_are_dropped(tmp_path):
    same = "2026-11-02,chat-api,csat,4.3,310\n"
    assert collect(tmp_path, HEADER + same + same).duplicates_dropped == 1
    with pytest.raises(SourceError, match="two values of csat"):
        collect(tmp_path, HEADER + same + "2026-11-02,chat-api,csat,4.1,300\n")
