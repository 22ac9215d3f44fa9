"""Per-segment eval pass rates and drift scores (`segments` and `drift` in docs/facts.md).

Segments, over the window [start, end), per component whose eval rows carry a `segment` (language,
customer tier, region):

- **pass_rate** = Σ passed / Σ total of the segment's eval rows, with `cases` = Σ total; **overall** is the
  component's pooled pass rate over all its eval rows (as in `quality[]`), **target** its eval pass target.
- a segment is **comparable** when it has at least `quality.min_segment_cases` cases; only comparable
  segments are judged: `worst` is the comparable segment with the lowest rate, and a comparable segment
  below target while the overall rate meets it is a **hidden regression** (the "proxy discrimination"
  watch: an observation with counts, not a finding about intent or cause).
- a segment listed in `quality.expected_segments[component]` with no cases, while the component has eval
  results in the window, is an observability gap (a component with no eval results at all is a quality
  coverage matter, reported by coverage when it expects quality).

Drift, per component with `drift_score` samples in the window (or expecting `drift`): the latest value,
the peak, and the level against `quality.drift[component]` (else `["default"]`): ok below `warn`, warn,
critical at or above `critical`. Without thresholds the level is null and the thresholds are a
missing assumption (gap). An expected drift signal with no samples is a `no_source` gap (coverage).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..config import Config
from ..model import Gap
from .business import component_gap_priority
from .provenance import iso

DRIFT = "drift_score"
SAMPLE_SIGNALS = (DRIFT,)  # the sample signals drift_facts reads (analysis.facts cuts only these)


def segment_facts(
    evals: pd.DataFrame, config: Config, start: dt.datetime, end: dt.datetime
) -> tuple[list[dict[str, Any]], list[Gap]]:
    window = evals.loc[(evals["ts"] >= pd.Timestamp(start)) & (evals["ts"] < pd.Timestamp(end))]
    q = config.quality
    segmented = window.loc[window["segment"].astype(str).str.strip() != ""] if len(window) else window
    evaluated = set(window["component"].astype(str)) if len(window) else set()
    components = sorted(set(segmented["component"].astype(str)) | (set(q.expected_segments) & evaluated))
    out, gaps = [], []
    for component in components:
        mine = window.loc[window["component"].astype(str) == component]
        total = int(mine["total"].sum()) if len(mine) else 0
        overall = int(mine["passed"].sum()) / total if total else None
        target = q.eval_pass_target.get(component, q.eval_pass_target.get("default"))
        seg = segmented.loc[segmented["component"].astype(str) == component]
        sums = seg.groupby(seg["segment"].astype(str))[["passed", "total"]].sum() if len(seg) else None
        rows = []
        for name in sorted(
            set(sums.index if sums is not None else []) | set(q.expected_segments.get(component, []))
        ):
            passed = int(sums.loc[name, "passed"]) if sums is not None and name in sums.index else 0
            cases = int(sums.loc[name, "total"]) if sums is not None and name in sums.index else 0
            rate = passed / cases if cases else None
            comparable = cases >= q.min_segment_cases
            rows.append({
                "segment": name, "passed": passed, "cases": cases, "pass_rate": rate, "comparable": comparable,
                "below_target": (rate < target) if comparable and rate is not None and target is not None else None,
            })  # fmt: skip
            if not cases and name in q.expected_segments.get(component, []):
                gaps.append(_segment_gap(component, name, config, start, end))
        judged = [r for r in rows if r["comparable"] and r["pass_rate"] is not None]
        worst = min(judged, key=lambda r: (r["pass_rate"], r["segment"])) if judged else None
        meets = overall is not None and target is not None and overall >= target
        hidden = [r["segment"] for r in judged if meets and r["below_target"]]
        out.append({
            "component": component, "overall_pass_rate": overall, "overall_cases": total, "target": target,
            "overall_met": meets if overall is not None and target is not None else None,
            "min_segment_cases": q.min_segment_cases, "segments": rows,
            "worst": worst["segment"] if worst else None, "worst_pass_rate": worst["pass_rate"] if worst else None,
            "worst_cases": worst["cases"] if worst else None, "hidden_regressions": hidden,
            "sources": sorted(set(seg["source"].astype(str))) if len(seg) else [],
        })  # fmt: skip
    return out, gaps


def drift_facts(
    samples: pd.DataFrame, config: Config, start: dt.datetime, end: dt.datetime
) -> tuple[list[dict[str, Any]], list[Gap]]:
    rows = samples.loc[
        (samples["signal"].astype(str) == DRIFT)
        & (samples["ts"] >= pd.Timestamp(start))
        & (samples["ts"] < pd.Timestamp(end))
    ]
    out, gaps = [], []
    for component in sorted(set(rows["component"].astype(str))):
        mine = rows.loc[rows["component"].astype(str) == component].sort_values("ts")
        mine = mine.loc[mine["value"].notna()]
        if not len(mine):
            continue
        th = config.quality.drift.get(component, config.quality.drift.get("default"))
        latest, peak = float(mine["value"].iloc[-1]), float(mine["value"].max())
        level = None
        if th is not None:
            level = "critical" if latest >= th.critical else "warn" if latest >= th.warn else "ok"
        else:
            gaps.append(
                Gap(kind="missing_assumption", component=component, signal="drift_score",
                    specific=f"no drift thresholds for {component} in quality.drift",
                    limits=f"judge whether the drift score of {component} calls for action",
                    instrumentation=f"quality.drift.{component} (warn and critical, with their source)",
                    priority=component_gap_priority(config, component), start=start, end=end)
            )  # fmt: skip
        out.append({
            "component": component, "latest": latest, "latest_at": iso(mine["ts"].iloc[-1].to_pydatetime()),
            "peak": peak, "peak_level": None if th is None else "critical" if peak >= th.critical else "warn" if peak >= th.warn else "ok",
            "level": level, "warn": th.warn if th else None, "critical": th.critical if th else None,
            "thresholds_source": th.source if th else None, "samples": len(mine),
            "sources": sorted(set(mine["source"].astype(str))),
        })  # fmt: skip
    return out, gaps


def _segment_gap(component: str, segment: str, config: Config, start: dt.datetime, end: dt.datetime) -> Gap:
    return Gap(
        kind="no_source",
        component=component,
        signal="eval_pass_rate",
        specific=f"no eval cases for the expected segment {segment!r} of {component}",
        limits=f"see whether answer quality for {segment} differs from the overall rate",
        instrumentation=f"a `segment` value of {segment!r} on the eval rows of {component}",
        priority=component_gap_priority(config, component),
        start=start,
        end=end,
    )
