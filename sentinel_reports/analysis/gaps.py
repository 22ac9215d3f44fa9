"""Observability gaps from coverage, worded as the spec's gap sentence.

Each gap names the component, the signal and the exact time range (`specific`), what the missing data
stops us from doing (`limits`), the instrumentation that closes it, and a priority from the component's tier
(`model.gap_priority`). Times are written in the configured timezone, to the minute.

The figures a gap's sentences state are stored with it, so each is the display of a fact: the length of the
missing run or the age of stale data (`span_hours`, written by `display.span_hours`: "48 h", "61 days"), the
sample resolutions its instrumentation names (`resolution_minutes`, written "15m") and the absence its
alert waits for (`alert_after_minutes`, `gaps.min_duration`), and the coverage a low-coverage gap falls
short of (`coverage_threshold`, `gaps.min_coverage`); its share and interval counts are the series' own in
`coverage.series`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..config import Config, format_duration
from ..display import span_hours
from ..model import EXPECTATIONS, Coverage, Gap, gap_priority

_LIMITS = {
    "requests_total": "measure availability and error-budget burn on {name}",
    "requests_good": "measure availability and error-budget burn on {name}",
    "latency_p50_ms": "detect latency regressions on {name}",
    "latency_p95_ms": "detect latency regressions on {name}",
    "latency_p99_ms": "detect latency regressions on {name}",
    "ttft_p95_ms": "detect time-to-first-token regressions on {name}",
    "saturation": "anticipate GPU and memory saturation on {name}",
    "eval_pass_rate": "track answer quality against the accuracy budget on {name}",
    "hallucination_rate": "track the hallucination rate of {name}",
    "toxicity_rate": "track the toxicity rate of {name}",
    "tokens_input": "attribute token usage and prompt-cache savings on {name}",
    "tokens_output": "attribute token usage and prompt-cache savings on {name}",
    "tokens_cache_read": "attribute token usage and prompt-cache savings on {name}",
    "tokens_cache_write": "attribute token usage and prompt-cache savings on {name}",
    "cost": "attribute spend to {name} and compute its cost per successful task",
}

_QUANTILE = {"latency_p50_ms": "0.5", "latency_p95_ms": "0.95", "latency_p99_ms": "0.99"}


DEFAULT_RESOLUTION = "5m"
_DEFAULT_STEP = dt.timedelta(minutes=5)
"""The resolution an export is recommended at when the series has none (no source provides it)."""


def _minutes(step: dt.timedelta) -> float:
    return step.total_seconds() / 60


def _named_resolution(instrumentation: str, res: str, step: dt.timedelta | None) -> tuple[float, ...]:
    """The resolution in minutes when the instrumentation names it ("at 15m resolution"), else none."""
    if f"{res} resolution" not in instrumentation:
        return ()
    return (_minutes(step if step is not None else _DEFAULT_STEP),)


def instrumentation_for(signal: str, res: str = DEFAULT_RESOLUTION) -> str:
    """The export that would provide `signal`, at resolution `res`."""
    if signal == "requests_total":
        return f"export request counts (sum by (service) (increase(http_requests_total[{res}]))) to Prometheus at {res} resolution"
    if signal == "requests_good":
        return f"export successful (non-5xx) request counts per service to Prometheus at {res} resolution"
    if signal in _QUANTILE:
        return (
            f"export histogram_quantile({_QUANTILE[signal]}, sum by (le, service) "
            f"(rate(http_request_duration_seconds_bucket[{res}]))) to Prometheus at {res} resolution"
        )
    if signal == "ttft_p95_ms":
        return f"export a time-to-first-token histogram and its 95th percentile at {res} resolution"
    if signal == "saturation":
        return f"export GPU utilisation (DCGM_FI_DEV_GPU_UTIL) or memory utilisation at {res} resolution"
    if signal == "eval_pass_rate":
        return "run the eval suite on a schedule and export each run's passed and total cases to the evals source"
    if signal in ("hallucination_rate", "toxicity_rate"):
        kind = signal.split("_")[0]
        return f"emit gen_ai.evaluation.result events for {kind} judgements on sampled production traffic"
    if signal.startswith("tokens_"):
        return "log request-level token counts (input, output, cache read and write) through the LLM gateway"
    if signal == "cost":
        return "tag the component's spend with the component tag in the FOCUS export, or map its workspace in the cost source"
    return f"export {signal} at {res} resolution"


def _when(value: dt.datetime, config: Config) -> str:
    return value.astimezone(config.tz).strftime("%Y-%m-%d %H:%M")


def _component(config: Config, component_id: str) -> tuple[str, str, int, bool]:
    try:
        c = config.component(component_id)
    except KeyError:
        return component_id, "the owning team", 3, False
    return c.name, c.owner, c.tier, c.customer_facing


def gaps_for_series(
    cov: Coverage,
    config: Config,
    as_of: dt.datetime,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[Gap]:
    """Missing-run, stale and low-coverage gaps of one sample series."""
    name, owner, tier, customer_facing = _component(config, cov.component)
    priority = gap_priority(tier, customer_facing)
    step = dt.timedelta(seconds=cov.step_seconds or 0)
    res = format_duration(step) if cov.step_seconds else DEFAULT_RESOLUTION
    limits = _LIMITS.get(cov.signal, f"use {cov.signal} on {{name}}").format(name=name)
    watch = f"; alert {owner} when the series is absent for {format_duration(config.gaps.min_duration)}"
    resolution = _named_resolution(
        instrumentation_for(cov.signal, res), res, step if cov.step_seconds else None
    )
    alert_after = _minutes(config.gaps.min_duration)
    instrumentation = instrumentation_for(cov.signal, res) + watch
    tzname = config.timezone
    gaps: list[Gap] = []

    def gap(
        kind: str, specific: str, s: dt.datetime | None, e: dt.datetime | None, hours: float | None = None
    ) -> Gap:
        return Gap(
            kind, cov.component, cov.signal, specific, limits, instrumentation, priority, s, e, cov.sources,
            span_hours=hours, resolution_minutes=resolution, alert_after_minutes=alert_after,
        )  # type: ignore[arg-type]  # fmt: skip

    stale = cov.end is not None and as_of - (cov.end + step) > config.gaps.stale_after
    runs = list(cov.missing_runs)
    if stale and runs and runs[-1][1] >= min(as_of, end or as_of):
        runs.pop()  # the trailing run is the stale period, reported once below
    for s, e in runs:
        if e - s <= config.gaps.min_duration:
            continue
        hours = (e - s).total_seconds() / 3600  # the missing span [s, e): whole intervals without data
        specific = (
            f"no {cov.signal} data for {name} from {_when(s, config)} to {_when(e, config)} "
            f"{tzname} ({span_hours(hours)})"
        )
        gaps.append(gap("missing_run", specific, s, e, hours))
    if stale:
        assert cov.end is not None
        hours = (as_of - cov.end).total_seconds() / 3600
        specific = (
            f"the latest {cov.signal} data for {name} is from {_when(cov.end, config)} {tzname}, "
            f"{span_hours(hours)} before as-of ({_when(as_of, config)} {tzname})"
        )
        gaps.append(gap("stale", specific, cov.end + step, as_of, hours))
    ratio = cov.ratio
    if not gaps and ratio is not None and ratio < config.gaps.min_coverage:
        span = (
            f"from {_when(start, config)} to {_when(end, config)} {tzname}"
            if start is not None and end is not None
            else "in the reporting window"
        )
        specific = (
            f"{cov.signal} for {name} covers {ratio:.1%} of the expected {res} intervals {span} "
            f"({cov.present_intervals} of {cov.expected_intervals}; threshold {config.gaps.min_coverage:.0%})"
        )
        gaps.append(
            replace(gap("low_coverage", specific, start, end), coverage_threshold=config.gaps.min_coverage)
        )
    return gaps


def no_source_gaps(coverages: list[Coverage], config: Config) -> list[Gap]:
    """One `no_source` gap per expected signal of a component that no source provides at all."""
    present = {(c.component, c.signal) for c in coverages}
    gaps: list[Gap] = []
    for comp in config.components:
        priority = gap_priority(comp.tier, comp.customer_facing)
        for expectation in sorted(set(comp.expects)):
            if expectation == "quality":
                if (comp.id, "evals") in present or (comp.id, "eval_pass_rate") in present:
                    continue
                missing, what = ["eval_pass_rate"], "eval results or eval_pass_rate samples"
            elif expectation == "cost":
                if (comp.id, "cost") in present:
                    continue
                missing, what = ["cost"], "cost-ledger rows attributed to it"
            else:
                missing = [s for s in EXPECTATIONS[expectation] if (comp.id, s) not in present]
                what = ""
            for signal in missing:
                specific = (
                    f"no source provides {what or signal + ' data'} for {comp.name}, "
                    f"which is expected to report {expectation}"
                )
                limits = _LIMITS.get(signal, f"use {signal} on {{name}}").format(name=comp.name)
                instrumentation = instrumentation_for(signal)
                gaps.append(
                    Gap(
                        "no_source", comp.id, signal, specific, limits, instrumentation, priority,
                        resolution_minutes=_named_resolution(instrumentation, DEFAULT_RESOLUTION, None),
                    )
                )  # fmt: skip
    return gaps


def _join_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def merge_concurrent_gaps(gaps: list[Gap]) -> list[Gap]:
    """One gap per outage, not one per signal: missing-run and stale gaps of the same component that cover
    exactly the same span (a collector or exporter that stopped) are merged into one, naming every signal."""
    groups: dict[tuple[object, ...], list[Gap]] = {}
    order: list[tuple[object, ...]] = []
    for g in gaps:
        key: tuple[object, ...] = (
            (g.kind, g.component, g.start, g.end) if g.kind in ("missing_run", "stale") else (id(g),)
        )
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(g)
    merged: list[Gap] = []
    for key in order:
        group = groups[key]
        if len(group) == 1:
            merged.append(group[0])
            continue
        first = group[0]
        signals = sorted({g.signal for g in group if g.signal})
        listed = ", ".join(signals[:-1]) + " or " + signals[-1]
        specific = first.specific.replace(f" {first.signal} data", f" {listed} data", 1)
        limits = _join_words(list(dict.fromkeys(g.limits for g in group)))
        exports = list(dict.fromkeys(g.instrumentation.split("; alert ")[0] for g in group))
        alert = first.instrumentation.split("; alert ", 1)[1] if "; alert " in first.instrumentation else ""
        instrumentation = "; ".join(exports) + (f"; alert {alert}" if alert else "")
        merged.append(
            Gap(
                first.kind,
                first.component,
                ", ".join(signals),
                specific,
                limits,
                instrumentation,
                min(g.priority for g in group),  # type: ignore[arg-type]
                first.start,
                first.end,
                tuple(sorted({s for g in group for s in g.sources})),
                span_hours=first.span_hours,
                resolution_minutes=tuple(sorted({r for g in group for r in g.resolution_minutes})),
                alert_after_minutes=first.alert_after_minutes,
            )
        )
    return merged
