from __future__ import annotations

import pandas as pd
import pytest

from sentinel_reports.collectors.evals import EvalsCollector, EvalsOptions
from sentinel_reports.errors import SourceError
from tests.collectors.conftest import make_ctx


def collect(ctx=None, **options):
    opts = EvalsOptions.model_validate({"type": "evals", **options})
    return EvalsCollector().collect(opts, ctx or make_ctx())


def rates(batch):
    return {(r.component, r.signal): r.value for r in batch.samples.itertuples()}


def test_run_table():
    batch = collect(path="evals/runs.csv")
    assert len(batch.evals) == 3 and batch.duplicates_dropped == 1
    assert batch.evals["passed"].tolist() == [188, 196, 90]
    got = rates(batch)
    assert got[("chat-api", "eval_pass_rate")] == pytest.approx(
        188 / 200
    )  # the hallucination eval is separate
    assert got[("chat-api", "hallucination_rate")] == pytest.approx(4 / 200)
    assert got[("rag-search", "eval_pass_rate")] == pytest.approx(0.9)
    assert "sandbox" in batch.warnings[0]


def test_per_case_rows_are_aggregated_by_run_id():
    batch = collect(path="evals/cases.csv")
    tox = batch.evals[batch.evals["eval_name"] == "toxicity"].iloc[0]
    assert (tox["passed"], tox["total"]) == (3, 4)
    assert tox["ts"] == pd.Timestamp("2025-11-18T08:00:01Z")
    got = rates(batch)
    assert got[("chat-api", "toxicity_rate")] == pytest.approx(0.25)
    assert got[("chat-api", "eval_pass_rate")] == pytest.approx(0.5)  # scores 0.9 and 0.2 against 0.5


def test_otel_evaluation_events():
    batch = collect(path="evals/otel_events.jsonl")
    e = batch.evals.set_index(["component", "eval_name"])
    assert tuple(e.loc[("chat-api", "Relevance"), ["passed", "total"]]) == (1, 2)
    assert e.loc[("chat-api", "Relevance"), "model_version"] == "claude-sonnet-4-5"
    assert e.loc[("rag-search", "Relevance"), "model_version"] == "v12"
    assert rates(batch)[("chat-api", "hallucination_rate")] == 0.0
    assert any("not gen_ai.evaluation.result" in w for w in batch.warnings)


def test_custom_rate_signal_map_and_threshold():
    batch = collect(
        path="evals/cases.csv", rate_signals={"correctness": "hallucination_rate"}, pass_threshold=0.1
    )
    got = rates(batch)
    assert got[("chat-api", "hallucination_rate")] == 0.0  # both scores >= 0.1
    assert got[("chat-api", "eval_pass_rate")] == pytest.approx(0.75)  # toxicity is now a plain eval


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("2025-11-17T09:00:00Z,chat-api,m,e,5,4", "passed"),
        ("2025-11-17T09:00:00Z,chat-api,m,e,-1,4", "passed"),
        ("2025-11-17T09:00:00Z,chat-api,m,e,1,four", "total"),
    ],
)
def test_bad_counts_are_located(tmp_path, row, column):
    (tmp_path / "r.csv").write_text("timestamp,component,model_version,eval_name,passed,total\n" + row + "\n")
    with pytest.raises(SourceError) as info:
        collect(make_ctx(tmp_path), path="r.csv")
    assert (info.value.row, info.value.column) == (1, column)
