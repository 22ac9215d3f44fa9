"""Eval results (`type: evals`): run tables, per-case rows, and OpenTelemetry `gen_ai.evaluation.result` events.

Three shapes are read (`format: auto` picks by content):

- run table (CSV/JSONL/JSON/Parquet): `timestamp` (or `ts`), `component`, `model_version`, `eval_name`,
  `passed`, `total` — one row per eval run;
- per-case table: the same without `total`, `passed` being a boolean (`true/false`, `pass/fail`, `1/0`) or a
  score compared with `pass_threshold`; cases are aggregated into runs by `run_id` when that column exists,
  otherwise by component × model version × eval × `run_interval` (default one day, UTC);
- OTel events (JSONL, one OTLP `ExportLogsServiceRequest` per line as written by the collector's file
  exporter, or flat records with an `attributes` object): events named `gen_ai.evaluation.result` with
  `gen_ai.evaluation.name`, `gen_ai.evaluation.score.label` and/or `gen_ai.evaluation.score.value`
  (OpenTelemetry GenAI semantic conventions). The component is read from `component_attribute` (event
  attribute first, then resource attribute; default `service.name`), the model version from
  `gen_ai.response.model` or `gen_ai.request.model`.

Samples: `eval_pass_rate` per component and run time (Σpassed/Σtotal over evals not mapped to a rate signal);
evals whose name contains a `rate_signals` key (case-insensitive) give that signal as the share of cases that
did NOT pass (e.g. a hallucination check failed = a hallucinated answer).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator

from ..config import Duration
from ..errors import SourceError
from ..model import conform
from .base import Batch, CollectContext, Collector, SourceOptions, drop_duplicates, parse_numbers
from .csv_samples import check_signal, map_components, parse_times
from .io import expand_paths, file_format, input_file, read_json, read_jsonl, read_table, require_columns

PASS_WORDS = frozenset({"true", "pass", "passed", "yes", "correct", "relevant", "1"})
FAIL_WORDS = frozenset({"false", "fail", "failed", "no", "incorrect", "not_relevant", "0"})
KEYS = ["component", "model_version", "eval_name", "segment"]


class EvalColumns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    ts: str | None = None  # default: `timestamp`, else `ts`
    component: str = "component"
    model_version: str = "model_version"
    eval_name: str = "eval_name"
    passed: str = "passed"
    total: str = "total"
    run_id: str = "run_id"
    segment: str = "segment"  # optional: language, customer tier or region of the judged responses


class EvalsOptions(SourceOptions):
    format: Literal["auto", "table", "otel"] = "auto"
    columns: EvalColumns = EvalColumns()
    components: dict[str, str] = {}
    component_attribute: str = "service.name"
    segment_attribute: str | None = None  # OTel events: the attribute holding the segment
    pass_threshold: float = 0.5
    run_interval: Duration = dt.timedelta(days=1)
    rate_signals: dict[str, str] = {"hallucination": "hallucination_rate", "toxicity": "toxicity_rate"}

    @field_validator("rate_signals")
    @classmethod
    def _rate_signals(cls, value: dict[str, str]) -> dict[str, str]:
        for signal in value.values():
            check_signal(signal)
        return value


def passed_flags(values: pd.Series, threshold: float, file: str, column: str) -> np.ndarray:
    """Per-case pass flags from booleans, pass/fail words or scores (score >= threshold passes)."""
    text = values.astype("string").str.strip().str.lower()
    flags = pd.Series(np.nan, index=values.index)
    flags[text.isin(PASS_WORDS).fillna(False)] = 1.0
    flags[text.isin(FAIL_WORDS).fillna(False)] = 0.0
    rest = flags.isna()
    score = pd.to_numeric(text[rest], errors="coerce")
    flags[rest] = np.where(score.isna(), np.nan, (score >= threshold).astype(float))
    bad = flags.isna().to_numpy()
    if bad.any():
        idx = int(bad.nonzero()[0][0])
        raise SourceError(
            file, "not a pass/fail value", row=idx + 1, column=column,
            expected="true/false, pass/fail, 1/0 or a score", found=values.iloc[idx],
        )  # fmt: skip
    return flags.to_numpy(dtype="int64")


def _table(path: Path, options: EvalsOptions, ctx: CollectContext) -> tuple[pd.DataFrame, bool]:
    """(frame, is_runs): canonical-ish columns ts, component, model_version, eval_name, passed, total, run."""
    file, cols = str(path), options.columns
    table = read_table(path)
    ts_col = cols.ts or ("timestamp" if "timestamp" in table.columns else "ts")
    require_columns(table, [ts_col, cols.component, cols.eval_name, cols.passed], file)
    out = pd.DataFrame({"ts": parse_times(table[ts_col], tz=ctx.tz, file=file, column=ts_col)})
    for key, col in (("component", cols.component), ("eval_name", cols.eval_name)):
        out[key] = table[col].astype("string").str.strip().astype(object).to_numpy()
    mv = (
        table[cols.model_version] if cols.model_version in table.columns else pd.Series("", index=table.index)
    )
    out["model_version"] = mv.astype("string").fillna("").astype(object).to_numpy()
    seg = table[cols.segment] if cols.segment in table.columns else pd.Series("", index=table.index)
    out["segment"] = seg.astype("string").str.strip().fillna("").astype(object).to_numpy()
    if cols.total in table.columns:
        for key, col in (("passed", cols.passed), ("total", cols.total)):
            numbers = parse_numbers(table[col], file=file, column=col)
            bad = (numbers < 0) | (numbers != numbers.round()) | (numbers.abs() == float("inf"))
            if bad.any():
                idx = int(bad.to_numpy().nonzero()[0][0])
                raise SourceError(
                    file, "not a count", row=idx + 1, column=col,
                    expected="a whole number >= 0", found=table[col].iloc[idx],
                )  # fmt: skip
            out[key] = numbers.to_numpy(dtype="int64")
        over = (out["passed"] > out["total"]).to_numpy()
        if over.any():
            idx = int(over.nonzero()[0][0])
            raise SourceError(
                file, "more passed than total", row=idx + 1, column=cols.passed,
                expected=f"<= total ({out['total'].iloc[idx]})", found=out["passed"].iloc[idx],
            )  # fmt: skip
        return out, True
    out["passed"] = passed_flags(table[cols.passed], options.pass_threshold, file, cols.passed)
    out["total"] = 1
    out["run"] = table[cols.run_id].astype("string").to_numpy() if cols.run_id in table.columns else None
    return out, False


def _attributes(items: Any) -> dict[str, Any]:
    """OTLP attribute lists (`[{key, value: {stringValue: ...}}]`) or plain objects, as a flat dict."""
    if isinstance(items, dict):
        return items
    out: dict[str, Any] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("value"), dict) and item["value"]:
                out[str(item.get("key"))] = next(iter(item["value"].values()))
    return out


def _log_records(record: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(resource attributes, log record) pairs of one OTLP export line or one flat record."""
    if isinstance(record, dict) and isinstance(record.get("resourceLogs"), list):
        pairs = []
        for rl in record["resourceLogs"]:
            rl = rl if isinstance(rl, dict) else {}
            resource = _attributes((rl.get("resource") or {}).get("attributes"))
            for sl in rl.get("scopeLogs") or []:
                for lr in (sl.get("logRecords") or []) if isinstance(sl, dict) else []:
                    pairs.append((resource, lr))
        return pairs
    if isinstance(record, dict):
        return [
            (_attributes((record.get("resource") or {}).get("attributes") or record.get("resource")), record)
        ]
    return [({}, record)]


def otel_cases(records: list[Any], options: EvalsOptions, tz: Any, file: str) -> tuple[pd.DataFrame, int]:
    """One row per gen_ai.evaluation.result event, and how many other log records were ignored."""
    rows, ignored = [], 0
    for n, record in enumerate(records, start=1):
        for resource, lr in _log_records(record):
            if not isinstance(lr, dict):
                raise SourceError(file, "wrong JSON shape", row=n, expected="a log record object", found=lr)
            attrs = _attributes(lr.get("attributes"))
            name = lr.get("eventName") or lr.get("event_name") or lr.get("name") or attrs.get("event.name")
            if name != "gen_ai.evaluation.result" and not (
                name is None and "gen_ai.evaluation.name" in attrs
            ):
                ignored += 1
                continue
            when = next(
                (lr[k] for k in ("timeUnixNano", "time_unix_nano", "observedTimeUnixNano", "timestamp", "time")
                 if lr.get(k) not in (None, "", "0", 0)),
                None,
            )  # fmt: skip
            label, value = (
                attrs.get("gen_ai.evaluation.score.label"),
                attrs.get("gen_ai.evaluation.score.value"),
            )
            if value is not None and str(label).strip().lower() not in PASS_WORDS | FAIL_WORDS:
                label = None  # a label that does not say pass/fail ("hallucinated"): judge by the score
            rows.append(
                {
                    "when": when,
                    "component": attrs.get(
                        options.component_attribute, resource.get(options.component_attribute)
                    ),
                    "model_version": attrs.get("gen_ai.response.model")
                    or attrs.get("gen_ai.request.model")
                    or "",
                    "eval_name": attrs.get("gen_ai.evaluation.name"),
                    "score": label if label not in (None, "") else value,
                    "segment": attrs.get(options.segment_attribute, resource.get(options.segment_attribute))
                    if options.segment_attribute
                    else None,
                    "row": n,
                }
            )
    frame = pd.DataFrame(
        rows, columns=["when", "component", "model_version", "eval_name", "score", "segment", "row"]
    )
    frame["segment"] = frame["segment"].fillna("")
    for col in ("eval_name", "when"):
        missing = frame[col].isna().to_numpy()
        if missing.any():
            i = int(missing.nonzero()[0][0])
            expected = "gen_ai.evaluation.name" if col == "eval_name" else "timeUnixNano or timestamp"
            raise SourceError(file, "missing attribute", row=int(frame["row"].iloc[i]), column=expected)
    when = frame["when"].astype("string")
    digits = when.str.fullmatch(r"\d+").fillna(False)
    ts = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    if digits.any():
        ts[digits] = parse_times(when[digits], tz=tz, file=file, column="timeUnixNano", unit="ns")
    if (~digits).any():
        ts[~digits] = parse_times(when[~digits], tz=tz, file=file, column="timestamp")
    flags = passed_flags(frame["score"], options.pass_threshold, file, "gen_ai.evaluation.score")
    out = pd.DataFrame({"ts": ts, "passed": flags})
    for col in KEYS:
        out[col] = frame[col].astype("string").astype(object).to_numpy()
    return out, ignored


def _is_otel(path: Path, options: EvalsOptions) -> bool:
    if options.format != "auto":
        return options.format == "otel"
    if file_format(path) not in ("json", "jsonl"):
        return False
    with path.open("rb") as fh:
        head = fh.read(4096)
    return b"gen_ai.evaluation" in head or b"resourceLogs" in head


def _runs(cases: pd.DataFrame, run_interval: dt.timedelta) -> pd.DataFrame:
    """Aggregate per-case rows into runs: passed = Σ, total = count, ts = first case."""
    run = cases["run"] if "run" in cases and cases["run"].notna().all() else None
    if run is None:
        step = int(run_interval.total_seconds() * 1e9)
        run = (cases["ts"].astype("int64") // step).astype("string")
    grouped = cases.assign(run=run.astype(object)).groupby([*KEYS, "run"], sort=True, dropna=False)
    out = grouped.agg(ts=("ts", "min"), passed=("passed", "sum"), total=("total", "sum")).reset_index()
    return out.drop(columns="run")


def rate_samples(evals: pd.DataFrame, rate_signals: dict[str, str]) -> pd.DataFrame:
    """eval_pass_rate per component × run time, and rate signals for evals named by `rate_signals`."""
    names = evals["eval_name"].astype(str).str.lower()
    signal = pd.Series("eval_pass_rate", index=evals.index, dtype=object)
    for key, target in sorted(rate_signals.items()):
        signal[names.str.contains(key.lower(), regex=False) & (signal == "eval_pass_rate")] = target
    sums = evals.assign(signal=signal).groupby(["ts", "component", "signal"], as_index=False, sort=True)
    out = sums[["passed", "total"]].sum()
    out = out.loc[out["total"] > 0]
    ratio = out["passed"] / out["total"]
    return out.assign(value=np.where(out["signal"] == "eval_pass_rate", ratio, 1.0 - ratio))


class EvalsCollector(Collector):
    type = "evals"
    Options = EvalsOptions

    def collect(self, options: EvalsOptions, ctx: CollectContext) -> Batch:
        runs, files, rows, skipped = [], [], 0, 0
        for path in expand_paths(ctx, options.path):
            if _is_otel(path, options):
                records = read_jsonl(path) if file_format(path) == "jsonl" else read_json(path)
                records = records if isinstance(records, list) else [records]
                cases, ignored = otel_cases(records, options, ctx.tz, str(path))
                skipped += ignored
                cases["passed"] = np.asarray(cases["passed"], dtype="int64")
                frame, is_runs = cases.assign(total=1, run=None), False
            else:
                frame, is_runs = _table(path, options, ctx)
            rows += len(frame)
            files.append(input_file(ctx, path, len(frame)))
            runs.append((frame, is_runs))
        frames = [f for f, is_runs in runs if is_runs]
        cases = [f for f, is_runs in runs if not is_runs and len(f)]
        case_rows = pd.concat(cases, ignore_index=True) if cases else None
        duplicates = 0
        if case_rows is not None:
            case_rows, duplicates = drop_duplicates(case_rows)
            frames.append(_runs(case_rows, options.run_interval))
        evals = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*KEYS, "ts"])
        evals["segment"] = evals["segment"].fillna("") if "segment" in evals else ""
        evals = evals.reindex(columns=["ts", *KEYS, "passed", "total"])
        evals, run_duplicates = drop_duplicates(evals)
        mapped, keep, warning = map_components(
            evals["component"], options.components, ctx.config.component_ids
        )
        evals = evals.assign(component=mapped.to_numpy()).loc[keep]
        evals = evals.sort_values(["ts", *KEYS], kind="stable").assign(source=ctx.source_id)
        samples = rate_samples(evals, options.rate_signals).assign(source=ctx.source_id)
        warnings = [warning] if warning else []
        if skipped:
            warnings.append(f"{skipped} log records that are not gen_ai.evaluation.result events ignored")
        return Batch(
            samples=conform("samples", samples),
            evals=conform("evals", evals),
            files=files,
            rows=rows,
            duplicates_dropped=duplicates + run_duplicates,
            warnings=warnings,
            summary={
                "runs": len(evals),
                "cases": int(evals["total"].sum()) if len(evals) else 0,
                "passed": int(evals["passed"].sum()) if len(evals) else 0,
                "eval_names": sorted(set(evals["eval_name"].astype(str))),
                "dropped_other_components": int((~keep).sum()),
            },
        )
