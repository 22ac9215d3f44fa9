"""Answer quality: eval pass rate against its target (the accuracy budget) and safety rates against limits.

Definitions (SPEC section 7; `quality[]` in docs/facts.md), over the window [start, end):

- **eval_pass_rate** = Σ passed / Σ total per component and model_version; `cases` = Σ total. Null when
  Σ total is 0. `component_eval_pass_rate` pools every model_version of the component;
  `previous_component_eval_pass_rate` is the same over the equal-length window before, for the trend.
- **target** = `quality.eval_pass_target[component]`, else `["default"]`; met = pass rate ≥ target.
  A component with neither gets a null target and a `missing_assumption` gap.
- **Accuracy budget** (the error budget's quality twin): consumed = (1 − pass rate) / (1 − target),
  remaining = 1 − consumed (negative when overspent). Null when the target is 1 (no budget) or unknown.
- **hallucination_rate / toxicity_rate** = mean of that signal's samples for the component (each interval
  weighs the same). Samples carry no model version, so every row of a component shows the component's rates.
  Null when the component has no such samples; met = rate ≤ `quality.hallucination_max` / `toxicity_max`.

Rows: one per component × model_version with eval results in the window, plus one row (model_version null)
for a component that has safety samples but no eval results. Missing evals are reported by coverage.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..config import Config
from ..model import Gap
from .business import component_gap_priority

# the sample signals quality_facts reads (analysis.facts cuts only these from the samples of its window)
HALLUCINATION, TOXICITY = "hallucination_rate", "toxicity_rate"
SAMPLE_SIGNALS = (HALLUCINATION, TOXICITY)


def quality_facts(
    evals: pd.DataFrame, samples: pd.DataFrame, config: Config, start: dt.datetime, end: dt.datetime
) -> tuple[list[dict], list[Gap]]:
    """`quality[]` rows sorted by component then model_version, and gaps for missing targets."""
    window = _between(evals, start, end)
    previous = _between(evals, start - (end - start), start)
    hallucination = _sample_means(samples, HALLUCINATION, start, end)
    toxicity = _sample_means(samples, TOXICITY, start, end)
    pooled, pooled_before = _pass_rates(window, ["component"]), _pass_rates(previous, ["component"])
    versions = _pass_rates(window, ["component", "model_version"])

    evaluated = {key[0] for key in pooled}
    keys = {k for k in versions if k[0] is not None}
    keys |= {(c, None) for c in (set(hallucination) | set(toxicity)) - evaluated}
    q = config.quality
    rows, gaps = [], []
    for component, version in sorted(keys, key=lambda k: (k[0], k[1] is not None, k[1] or "")):
        passed_total = versions.get((component, version), (0, 0))
        rate = passed_total[0] / passed_total[1] if passed_total[1] > 0 else None
        target = q.eval_pass_target.get(component, q.eval_pass_target.get("default"))
        if target is None and rate is not None and not any(g.component == component for g in gaps):
            gaps.append(_target_gap(component, config, start, end))
        halluc, toxic = hallucination.get(component), toxicity.get(component)
        rows.append(
            {
                "component": component,
                "model_version": version,
                "eval_pass_rate": rate,
                "cases": int(passed_total[1]),
                "passed": int(passed_total[0]),
                "target": target,
                "met": rate >= target if rate is not None and target is not None else None,
                "accuracy_budget_remaining": _budget_remaining(rate, target),
                "component_eval_pass_rate": _rate(pooled.get((component,))),
                "previous_component_eval_pass_rate": _rate(pooled_before.get((component,))),
                "hallucination_rate": halluc,
                "hallucination_max": q.hallucination_max,
                "hallucination_met": halluc <= q.hallucination_max if halluc is not None else None,
                "toxicity_rate": toxic,
                "toxicity_max": q.toxicity_max,
                "toxicity_met": toxic <= q.toxicity_max if toxic is not None else None,
            }
        )
    return rows, gaps


def accuracy_budget_remaining(pass_rate: float, target: float) -> float:
    """1 − (1 − pass_rate) / (1 − target); target must be below 1."""
    return 1.0 - (1.0 - pass_rate) / (1.0 - target)


def _budget_remaining(rate: float | None, target: float | None) -> float | None:
    if rate is None or target is None or target >= 1:
        return None
    return accuracy_budget_remaining(rate, target)


def _between(frame: pd.DataFrame, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    return frame[(frame["ts"] >= start) & (frame["ts"] < end)]


def _label(value: object) -> str | None:
    return None if value is None or pd.isna(value) or str(value).strip() == "" else str(value)


def _pass_rates(frame: pd.DataFrame, by: list[str]) -> dict[tuple, tuple[int, int]]:
    """{group key tuple: (Σ passed, Σ total)}; a missing model_version is None."""
    if frame.empty:
        return {}
    grouped = frame.groupby(by, dropna=False)[["passed", "total"]].sum()
    out: dict[tuple, tuple[int, int]] = {}
    for key, row in grouped.iterrows():
        parts = key if isinstance(key, tuple) else (key,)
        label = tuple(_label(p) for p in parts)
        before = out.get(label, (0, 0))
        out[label] = (before[0] + int(row["passed"]), before[1] + int(row["total"]))
    return out


def _rate(passed_total: tuple[int, int] | None) -> float | None:
    if passed_total is None or passed_total[1] <= 0:
        return None
    return passed_total[0] / passed_total[1]


def _sample_means(
    samples: pd.DataFrame, signal: str, start: dt.datetime, end: dt.datetime
) -> dict[str, float]:
    rows = samples[(samples["signal"] == signal) & (samples["ts"] >= start) & (samples["ts"] < end)]
    rows = rows[rows["value"].notna()]
    return {str(k): float(v) for k, v in sorted(rows.groupby("component")["value"].mean().items())}


def _target_gap(component: str, config: Config, start: dt.datetime, end: dt.datetime) -> Gap:
    return Gap(
        kind="missing_assumption",
        component=component,
        signal="eval_pass_rate",
        specific=f"no eval pass target for {component} and no default in quality.eval_pass_target",
        limits=f"judge whether {component} meets its accuracy budget",
        instrumentation=f"quality.eval_pass_target.{component} (or a default)",
        priority=component_gap_priority(config, component),
        start=start,
        end=end,
    )


def cost_quality(
    evals: pd.DataFrame,
    cost: dict,
    config: Config,
    window: tuple[dt.datetime, dt.datetime],
    baseline: tuple[dt.datetime, dt.datetime],
) -> list[dict]:
    """`cost_quality[]`: for each component whose cost per successful task is known in the period and its
    baseline, what answer quality did while the cost moved (docs/facts.md):

    - `model_versions` / `previous_model_versions`: the model versions with eval results in the period and in
      the baseline period; `model_changed` when both are known and differ (`new_versions`, `dropped_versions`);
    - `breaches` / `previous_breaches`: versions whose eval pass rate was below target in each period;
    - `change`: cost per successful task relative to the baseline (0.25 = 25% higher);
    - `flagged`: the cost moved while a version breached its target or the model version changed, so a
      sentence about the change must say so and the recommendations weigh a rollback.

    A component without eval results in either period has no row: nothing is known about its quality."""
    now, before = cost.get("per_successful_task") or {}, cost.get("previous_per_successful_task") or {}
    versions = _pass_rates(_between(evals, *window), ["component", "model_version"])
    previous = _pass_rates(_between(evals, *baseline), ["component", "model_version"])
    q, rows = config.quality, []
    for component in sorted(set(now) & set(before)):
        value, old = now[component], before[component]
        if value is None or old is None or old <= 0:
            continue
        target = q.eval_pass_target.get(component, q.eval_pass_target.get("default"))
        mine = {v: pt for (c, v), pt in versions.items() if c == component and v is not None}
        theirs = {v: pt for (c, v), pt in previous.items() if c == component and v is not None}
        if not mine and not theirs:
            continue
        changed = bool(mine) and bool(theirs) and set(mine) != set(theirs)
        breaches, previous_breaches = _breaches(mine, target), _breaches(theirs, target)
        rows.append(
            {
                "component": component,
                "per_successful_task": value,
                "previous_per_successful_task": old,
                "change": value / old - 1.0,
                "target": target,
                "model_versions": sorted(mine),
                "previous_model_versions": sorted(theirs),
                "model_changed": changed,
                "new_versions": sorted(set(mine) - set(theirs)) if changed else [],
                "dropped_versions": sorted(set(theirs) - set(mine)) if changed else [],
                "breaches": breaches,
                "previous_breaches": previous_breaches,
                "flagged": changed or bool(breaches),
            }
        )
    return rows


def _breaches(versions: dict[str | None, tuple[int, int]], target: float | None) -> list[dict]:
    """The versions whose pooled pass rate is below `target`, with the rate."""
    out = []
    for version, passed_total in sorted(versions.items(), key=lambda kv: str(kv[0])):
        rate = _rate(passed_total)
        if rate is not None and target is not None and rate < target:
            out.append({"model_version": version, "eval_pass_rate": rate, "cases": int(passed_total[1])})
    return out
