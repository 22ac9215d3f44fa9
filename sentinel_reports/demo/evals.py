"""Eval exports: an eval-run table (CSV) and OpenTelemetry `gen_ai.evaluation.result` events (OTLP JSONL).

Online evals judge a sample of production responses every few hours. A model version change moves the pass
rate of the judged component while the candidate version is live (`scenario.model_changes`). Checks whose
name contains "hallucination" or "toxicity" pass when the answer is free of that problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .files import Writer, iso
from .truth import Truth
from .usage import MODEL_IDS


@dataclass(frozen=True)
class EvalSuite:
    component: str
    model: str  # model version judged outside any model change
    checks: tuple[tuple[str, float, int], ...]  # (eval name, baseline pass rate, cases per run)
    every_hours: int = 6


def _runs(truth: Truth, suite: EvalSuite) -> list[tuple[dt.datetime, str, str, int, int]]:
    """(run time, model version, eval name, passed, total) for every run of a suite."""
    rng = truth.rng(f"evals/{suite.component}")
    changes = [c for c in truth.scenario.model_changes if c.component == suite.component]
    events = [e for e in truth.scenario.safety_events if e.component == suite.component]
    unsafe = truth.rng(f"evals/{suite.component}/safety-events")  # apart, so other runs keep their numbers
    start, end = truth.scenario.start, truth.scenario.end
    out = []
    at = start
    while at < end:
        model, shift = MODEL_IDS.get(suite.model, suite.model), 0.0
        for change in changes:
            if change.start <= at < change.end:
                model, shift = change.candidate, change.pass_rate - change.baseline_pass_rate
        for name, rate, cases in suite.checks:
            total = max(1, int(rng.poisson(cases)))
            safety = "hallucination" in name or "toxicity" in name
            p = min(1.0, rate + (shift * 0.25 if safety else shift))
            passed = int(rng.binomial(total, p))
            for e in events:  # a run during the event judged more responses unsafe
                if e.check == name and e.start <= at < e.end:
                    passed = int(unsafe.binomial(total, e.pass_rate))
            out.append((at, model, name, passed, total))
        at += dt.timedelta(hours=suite.every_hours)
    return out


def run_table(w: Writer, truth: Truth, relpath: str, suites: list[EvalSuite]) -> None:
    """`timestamp,component,model_version,eval_name,passed,total`: one row per eval run."""
    rows = []
    for suite in suites:
        for at, model, name, passed, total in _runs(truth, suite):
            rows.append((iso(at), suite.component, model, name, passed, total))
    rows.sort()
    w.csv(relpath, ("timestamp", "component", "model_version", "eval_name", "passed", "total"), rows)


def otel_events(w: Writer, truth: Truth, relpath: str, suite: EvalSuite) -> None:
    """One OTLP `ExportLogsServiceRequest` per line (the collector file exporter's shape), one line per run.

    Each judged response is one `gen_ai.evaluation.result` event with a pass/fail label; the first case of
    each check in a run is stamped at the run's start, the rest follow a few seconds apart.
    """
    rng = truth.rng(f"otel/{suite.component}")
    resource = [
        _attr("service.name", suite.component),
        _attr("service.namespace", "agents"),
        _attr("deployment.environment.name", "prod"),
    ]
    by_run: dict[dt.datetime, list[dict]] = {}
    for at, model, name, passed, total in _runs(truth, suite):
        labels = np.zeros(total, dtype=bool)
        labels[:passed] = True
        rng.shuffle(labels)
        records = by_run.setdefault(at, [])
        for k, ok in enumerate(labels):
            offset_ns = k * 7_000_000_000 + int(rng.integers(0, 900)) * 1_000_000
            when = int(at.timestamp()) * 1_000_000_000 + (offset_ns if k else 0)
            records.append(
                {
                    "timeUnixNano": str(when),
                    "observedTimeUnixNano": str(when + 250_000_000),
                    "eventName": "gen_ai.evaluation.result",
                    "severityNumber": 9,
                    "severityText": "INFO",
                    "attributes": [
                        _attr("gen_ai.evaluation.name", name),
                        _attr("gen_ai.evaluation.score.label", "pass" if ok else "fail"),
                        {
                            "key": "gen_ai.evaluation.score.value",
                            "value": {"doubleValue": 1.0 if ok else 0.0},
                        },
                        _attr("gen_ai.response.model", model),
                        _attr("gen_ai.response.id", f"msg_{rng.integers(1 << 62):016x}"),
                    ],
                }
            )
    lines = []
    for at in sorted(by_run):
        scope = {"scope": {"name": "acme.online-evals", "version": "2.3.0"}, "logRecords": by_run[at]}
        lines.append({"resourceLogs": [{"resource": {"attributes": resource}, "scopeLogs": [scope]}]})
    w.jsonl(relpath, lines)


def _attr(key: str, value: str) -> dict:
    return {"key": key, "value": {"stringValue": value}}
