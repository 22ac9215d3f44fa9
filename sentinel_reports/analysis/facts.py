"""The facts of one ISO week or quarter: every figure a publication may state (docs/facts.md).

`week_facts` / `quarter_facts` assemble the blocks computed by the other analysis modules into one
JSON-ready dict and validate it once into the frozen models of `facts_model` (`WeekFacts`,
`QuarterFacts`); `json_dumps_facts` writes the canonical facts.json text. The window is [period start,
min(period end, as_of)). SLOs, alerts, component status and the summary are evaluated at the window's end
(for a past period: the state when it closed); incident records are as known at as-of.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..config import Config, format_duration
from ..model import Dataset
from .ai_incidents import ai_incident_facts, severity_signals
from .alerts import alert_episodes, evaluate_alerts
from .blocks import component_entries, content_blocks, next_actions, slo_entry
from .business import attach_business_impact, business_facts, investment_facts
from .cost import SAMPLE_SIGNALS as COST_SIGNALS
from .cost import cost_facts, prepare_ledger
from .coverage import (
    compute_coverage,
    expected_without_source,
    find_gaps,
    sort_gaps,
    telemetry_coverage,
)
from .derived import add_derived
from .facts_model import Facts, QuarterFacts, WeekFacts, facts_from_dict, facts_json
from .incidents import incident_facts
from .kpi import kpi_change_facts
from .memory import raised_keys, recommendation_memory
from .options import options_facts
from .periods import PeriodKind, local_midnight, next_period, parse_period, previous_period, to_utc
from .provenance import Figures, gap_entry, iso, plain, source_entries
from .quality import SAMPLE_SIGNALS as QUALITY_SIGNALS
from .quality import cost_quality, quality_facts
from .segments import SAMPLE_SIGNALS as DRIFT_SIGNALS
from .segments import drift_facts, segment_facts
from .selfhost import TOKEN_PREFIX, self_hosting_facts
from .series import index_between, prepare_window, rows_between, shared_index, time_order
from .slo import evaluate_slo, sli_events, window_attainment
from .status import component_slis, component_status
from .summary import platform_summary
from .timeline import HISTORY, earliest, incidents_known_at, lookback
from .verdict import period_verdict

__all__ = ["json_dumps_facts", "prepare", "quarter_facts", "week_facts"]


def week_facts(dataset: Dataset, content: Any, config: Config, week: str, as_of: dt.datetime) -> WeekFacts:
    """Facts for ISO week `week` (e.g. `2026-W47`); ValueError for a malformed label or a week after as-of."""
    return facts_from_dict(period_facts("week", dataset, content, config, week, as_of))  # type: ignore[return-value]


def quarter_facts(
    dataset: Dataset, content: Any, config: Config, quarter: str, as_of: dt.datetime
) -> QuarterFacts:
    """Facts for `quarter` (e.g. `2026-Q4`), with `investments[]` for the deck."""
    return facts_from_dict(period_facts("quarter", dataset, content, config, quarter, as_of))  # type: ignore[return-value]


def json_dumps_facts(facts: Facts | dict) -> str:
    """The canonical facts.json text of a facts model (a dict is validated first): sorted keys, indent 2,
    UTF-8, trailing newline."""
    return facts_json(facts if isinstance(facts, WeekFacts | QuarterFacts) else facts_from_dict(facts))


def prepare(dataset: Dataset, config: Config, window: tuple[dt.datetime, dt.datetime] | None = None) -> None:
    """Work out once per build what every period's facts read (the earliest data, the series index, the
    samples' time order, the cost ledger), so forked workers share it instead of each building it. With
    `window` (the data the periods to analyse read, `fingerprint.window`), only the samples in it are
    indexed, unless that is all of them."""
    earliest(dataset)
    if window is not None and prepare_window(dataset.samples, *window):
        prepare_ledger(dataset.costs, config)
        return
    shared_index(dataset.samples)
    order = time_order(dataset.samples)
    order.subset(dataset.samples, recent_signals(order.signals(dataset.samples), config))
    prepare_ledger(dataset.costs, config)


def recent_signals(signals: Iterable[str], config: Config) -> list[str]:
    """Of `signals`, those the analyses of the recent samples read: cost, quality, drift, the severity
    criteria, and (with self_hosting configured) every token signal."""
    wanted = {*COST_SIGNALS, *QUALITY_SIGNALS, *DRIFT_SIGNALS, *severity_signals(config)}
    tokens = config.self_hosting is not None
    return sorted(s for s in signals if s in wanted or (tokens and s.startswith(TOKEN_PREFIX)))


def _recent_samples(
    samples: pd.DataFrame, start: dt.datetime, end: dt.datetime, config: Config
) -> pd.DataFrame:
    """The samples of [start, end) of the signals the analyses of `recent` read, in their original order:
    cost and quality read only the window and the one before it, and a year of samples is tens of millions
    of rows, most of them signals these analyses never read."""
    return rows_between(samples, start, end, lambda signals: recent_signals(signals, config))


NEXT_UPDATE_AFTER = dt.timedelta(hours=1)


def period_facts(
    kind: PeriodKind, dataset: Dataset, content: Any, config: Config, label: str, as_of: dt.datetime
) -> dict:
    """The facts document as JSON-ready data (`week_facts` / `quarter_facts` validate it into the model)."""
    period = parse_period(kind, label, config.tz)
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (project.resolve_as_of normalises it)")
    closed = as_of >= period.end
    # a closed period is reported as it stood when it closed (analysis/timeline.py)
    as_of = min(as_of, period.end)
    start, end = period.window(as_of)
    if end <= start:
        raise ValueError(f"{period.label} starts after as-of {iso(as_of)}")
    before = parse_period(kind, previous_period(period.label), config.tz)
    first = earliest(dataset)
    after = parse_period(kind, next_period(period.label), config.tz)

    since = lookback(config, period.start, period.end)
    index = index_between(dataset.samples, since, as_of)
    known = incidents_known_at(dataset.incidents, as_of)
    coverages = compute_coverage(
        dataset.samples, dataset.evals, dataset.costs, config, start, end, as_of, index=index
    )
    gaps = list(find_gaps(coverages, config, end, start=start, end=end))
    events = {s.name: sli_events(index, s) for s in config.slos}
    results = [evaluate_slo(events[s.name], s, config, end) for s in config.slos]
    alerts = {
        s.name: evaluate_alerts(events[s.name], s, config.alerts, end, config.gaps.min_coverage)
        for s in config.slos
    }
    fired = {
        s.name: alert_episodes(events[s.name], s, config.alerts, start, end, config.gaps.min_coverage)
        for s in config.slos
    }
    postmortems = tuple(getattr(content, "postmortems", None) or ())
    maintenance = tuple(getattr(content, "maintenance", None) or ())
    statuses = [
        component_status(component_slis(index, c, config, events), c.id, known, maintenance, config, end)
        for c in config.components
    ]
    summary = platform_summary(
        statuses, results, [a for states in alerts.values() for a in states], known, config, end
    )

    incidents, incident_stats = incident_facts(known, postmortems, config, start, end, as_of)
    incidents = classify_impact(incidents, known, config, events, start, end, as_of)
    business, business_gaps = business_facts(incidents, config)
    incidents = attach_business_impact(incidents, business, config)
    baseline = comparison(period, before, first, end, config)
    recent = _recent_samples(dataset.samples, to_utc(baseline["start"]), end, config)
    cost, cost_gaps = cost_facts(dataset.costs, recent, config, start, end, as_of, baseline)
    quality, quality_gaps = quality_facts(dataset.evals, recent, config, start, end)
    gaps += business_gaps + cost_gaps + quality_gaps
    segments, segment_gaps = segment_facts(dataset.evals, config, start, end)
    drift, drift_gaps = drift_facts(recent, config, start, end)
    gaps += segment_gaps + drift_gaps

    facts: dict[str, Any] = {
        "kind": kind,
        "period": period.label,
        "organization": config.organization,
        "timezone": config.timezone,
        "currency": config.currency,
        "as_of": iso(as_of),
        "window": {
            "start": iso(start),
            "end": iso(end),
            # local dates of the first and last day with data in the window (the last one partial when the
            # window ends mid-day); an open period names these days, never "the week" or "ended"
            "first_day": start.astimezone(config.tz).date().isoformat(),
            "last_day": (end - dt.timedelta(microseconds=1)).astimezone(config.tz).date().isoformat(),
        },
        # as-of falls inside the period: it is in progress, reported up to as-of
        "in_progress": not closed,
        "previous_period": before.label if first is not None and first < start else None,
        "next_period": after.label if after.start <= as_of else None,
        "comparison": baseline,
        "coverage": {
            "telemetry": telemetry_coverage(coverages, config),
            "without_source": [
                {"component": c, "signal": s} for c, s in expected_without_source(coverages, config)
            ],
            "evidence_days": round((end - start).total_seconds() / 86400, 2),
            "series": [
                {
                    "component": c.component,
                    "signal": c.signal,
                    "coverage": c.ratio,
                    "step_seconds": c.step_seconds,
                    "expected_intervals": c.expected_intervals,
                    "present_intervals": c.present_intervals,
                    "missing_runs": len(c.missing_runs),
                    "sources": list(c.sources),
                }
                for c in coverages
            ],
        },
        "summary": {
            "status": summary.status,
            "budget_remaining": summary.budget_remaining,
            "budget_slo": summary.budget_slo,
            "budget_component": summary.budget_component,
            "unknown_budget_slos": list(summary.unknown_budget_slos),
            "exhausted_budget_slos": list(summary.exhausted_budget_slos),
            "data_as_of": iso(summary.data_as_of),
            "active_alerts": summary.active_alerts,
            "informational_alerts": summary.informational_alerts,
            "incident_mode": summary.incident_mode,
            "alerts_fired_in_period": {
                sev: len({name for name, eps in fired.items() if any(e.severity == sev for e in eps)})
                for sev in ("page", "ticket")
            },
            "incident_mode_detail": (
                {
                    "components": list(summary.incident_components),
                    "since": iso(summary.incident_since),
                    # update cadence during a major outage: at least hourly (docs/definitions.md)
                    "next_update": iso(as_of + NEXT_UPDATE_AFTER),
                }
                if summary.incident_mode
                else None
            ),
        },
        "slos": [
            {
                **slo_entry(s, r, alerts[s.name], events[s.name], config, kind, start, end, before, as_of),
                "alerts_fired": [_episode_entry(e) for e in fired[s.name]],
            }
            for s, r in sorted(zip(config.slos, results, strict=True), key=lambda p: p[0].name)
        ],
        "components": component_entries(config, statuses, index, start, end),
        "incidents": incidents,
        "incident_stats": incident_stats,
        # the status page lists 90 days of incidents, matching its day bars
        "incident_history": incident_facts(known, postmortems, config, end - HISTORY, end, as_of)[0],
        "cost": cost,
        "quality": quality,
        "cost_quality": cost_quality(
            dataset.evals, cost, config, (start, end), (to_utc(baseline["start"]), to_utc(baseline["end"]))
        ),
        "business": business,
        # AI operations (docs/facts.md): incident classes and roles, segment quality, drift, KPIs, self-hosting
        "ai_incidents": ai_incident_facts(known, postmortems, recent, config, start, end, as_of),
        "segments": segments,
        "drift": drift,
        "kpi_changes": kpi_change_facts(
            _within(dataset.kpis, "day", since, end),
            _within(dataset.evals, "ts", since, end),
            config,
            start,
            end,
        ),
        "self_hosting": self_hosting_facts(dataset.costs, recent, config, start, end),
        "sources": source_entries(dataset.sources, since=since, until=as_of, closed=closed),
    }
    facts.update(content_blocks(content, config, period.label, start, end))
    if kind == "quarter":
        # an investment appears from the quarter it was proposed in (always, when it has no date)
        proposed = tuple(
            inv
            for inv in getattr(content, "investments", None) or ()
            if getattr(inv, "proposed", None) is None or local_midnight(inv.proposed, config.tz) < end
        )
        investments, investment_gaps = investment_facts(proposed, config, {"incidents": incidents})
        facts["investments"] = investments
        gaps += investment_gaps
        facts["options"] = _options(dataset, known, postmortems, config, period, end, as_of, investments)
    for entry in facts["slos"]:
        # days of the window that closed with the SLO's rolling budget exhausted ("met" must say so)
        entry["overspent_days"] = sum(
            1
            for day in entry.get("daily") or []
            if day.get("budget_remaining") is not None and day["budget_remaining"] <= 0
        )
    slo_coverage = {s.name: window_attainment(events[s.name], start, end).coverage for s in config.slos}
    facts["verdict"], verdict_gaps = period_verdict(facts, config, dataset.sources, slo_coverage, start, end)
    gaps += verdict_gaps
    ordered = sort_gaps(gaps)
    facts["gaps"] = [gap_entry(g) for g in ordered]
    facts["recommendation_memory"] = recommendation_memory(
        raised_keys(facts, config), ordered, dataset, config, events, end, first
    )
    facts["next_actions"] = next_actions(facts, ordered, config, after)
    # the budget each SLO had left when the previous period closed: the base of its change in pp
    previous_budget = {
        s.name: evaluate_slo(events[s.name], s, config, before.end).budget_remaining for s in config.slos
    }
    add_derived(facts, previous_budget)
    # the previous period's incident count as its own publication stated it (known when it closed)
    previous_count = None
    if facts["previous_period"] is not None:
        known_then = incidents_known_at(dataset.incidents, before.end)
        _, stats_then = incident_facts(known_then, postmortems, config, before.start, before.end, before.end)
        previous_count = stats_then.get("count")
    stats = facts["incident_stats"]
    stats["previous_count"] = previous_count
    stats["count_difference"] = None if previous_count is None else stats.get("count", 0) - previous_count
    facts["status_history_days"] = HISTORY.days  # the days the status history covers
    facts["figures"] = _figures(facts, config, coverages).as_list()
    return plain(facts)


HISTORY_QUARTERS = 4


def _options(
    dataset: Dataset,
    known: Any,
    postmortems: tuple,
    config: Config,
    period: Any,
    end: dt.datetime,
    as_of: dt.datetime,
    investments: list[dict],
) -> dict:
    """The deck's `options` block (analysis/options.py) over this quarter and the three before it, with the
    incidents of those quarters classified and priced as the quarter's own are."""
    labels = [period.label]
    for _ in range(HISTORY_QUARTERS - 1):
        labels.insert(0, previous_period(labels[0]))
    quarters = [parse_period("quarter", label, config.tz) for label in labels]
    spans = [(q.label, q.start, min(q.end, end), q.end) for q in quarters]
    first = quarters[0].start
    index = index_between(dataset.samples, first, end)
    events = {s.name: sli_events(index, s) for s in config.slos}
    history, _ = incident_facts(known, postmortems, config, first, end, as_of)
    history = classify_impact(history, known, config, events, first, end, as_of)
    business, _ = business_facts(history, config)
    history = attach_business_impact(history, business, config)
    names = {c.id: c.name for c in config.components}
    return options_facts(history, spans, dataset.sources, investments, names)


def _within(frame: pd.DataFrame, col: str, since: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """The rows of [since, end): a closed period reads only its look-back window (analysis/timeline.py)."""
    if not len(frame):
        return frame
    return frame.loc[(frame[col] >= pd.Timestamp(since)) & (frame[col] < pd.Timestamp(end))]


def classify_impact(
    incidents: list[dict],
    known: Any,
    config: Config,
    events: dict,
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
) -> list[dict]:
    """`impact_kind` of each incident with customer impact: "degraded" (latency only) when, over the incident's
    impact window in the period, every availability (ratio) SLO of the components it lists met its objective
    with data and a threshold (latency) SLO of them missed it; else "outage" (also when the data does not
    show which). Null without impact."""
    by_id = {i.id: i for i in known}
    out = []
    for entry in incidents:
        kind = None
        inc = by_id.get(entry["id"])
        if inc is not None and (entry.get("impact_minutes") or 0) > 0:
            begin = max(inc.started_at, start)
            finish = min(inc.mitigated_at or inc.resolved_at or as_of, end, as_of)
            mine = [s for s in config.slos if s.component in inc.components]
            slos = [s for s in mine if s.indicator.ratio is not None]
            latency = [s for s in mine if s.indicator.threshold is not None]
            met = [window_attainment(events[s.name], begin, finish).attainment for s in slos]
            slow = [window_attainment(events[s.name], begin, finish).attainment for s in latency]
            held = slos and all(a is not None and a >= s.objective for a, s in zip(met, slos, strict=True))
            breached = any(a is not None and a < s.objective for a, s in zip(slow, latency, strict=True))
            kind = "degraded" if held and breached else "outage"
        out.append({**entry, "impact_kind": kind})
    return out


def comparison(period: Any, before: Any, first: dt.datetime | None, end: dt.datetime, config: Config) -> dict:
    """The baseline every change of the period is stated against: the previous period of the same kind (the
    previous ISO week, the previous calendar quarter), whole, with the days of it the data covers (from the
    local day of the first data on). `to_date` says the period itself is cut at as-of."""
    tz = config.tz
    first_day, last_day = before.start.astimezone(tz).date(), before.end.astimezone(tz).date()
    days = (last_day - first_day).days
    data_from = max(first_day, first.astimezone(tz).date()) if first is not None else last_day
    with_data = max(0, (last_day - data_from).days)
    return {
        "label": before.label,
        "kind": period.kind,
        "start": iso(before.start),
        "end": iso(before.end),
        "days": days,
        "days_with_data": with_data,
        "complete": with_data == days,
        "to_date": end < period.end,
    }


def _episode_entry(e: Any) -> dict[str, Any]:
    return {
        "severity": e.severity,
        "long": format_duration(e.long),
        "short": format_duration(e.short),
        "threshold": e.threshold,
        "started_at": iso(e.started_at),
        "ended_at": iso(e.ended_at) if e.ended_at is not None else None,
        "peak_long_burn": e.peak_long_burn,
    }


def _figures(facts: dict, config: Config, coverages: list) -> Figures:
    """The headline figures with their provenance."""
    fig = Figures(config.currency)
    slo_sources = {s["name"]: s["sources"] for s in facts["slos"]}
    sample_sources = sorted({s for c in coverages if c.signal not in ("cost", "evals") for s in c.sources})
    summary = facts["summary"]
    fig.add("coverage.telemetry", facts["coverage"]["telemetry"], "ratio", 1, sample_sources)
    budget_sources = slo_sources.get(summary["budget_slo"] or "", [])
    fig.add("summary.budget_remaining", summary["budget_remaining"], "ratio", 0, budget_sources)
    all_slo_sources = [x for v in slo_sources.values() for x in v]
    fig.add("summary.active_alerts", summary["active_alerts"], "count", 0, all_slo_sources)
    fig.add("summary.informational_alerts", summary["informational_alerts"], "count", 0, all_slo_sources)
    for s in facts["slos"]:
        key, src = f"slos.{s['name']}", s["sources"]
        fig.add(f"{key}.attainment", s["attainment"], "ratio", 2, src)
        fig.add(f"{key}.period_attainment", s["period_attainment"], "ratio", 2, src)
        fig.add(f"{key}.budget_remaining", s["budget_remaining"], "ratio", 0, src)
        fig.add(f"{key}.burn_rate.1h", s["burn_rate"]["1h"], "burn", 1, src)
        fig.add(f"{key}.burn_rate.window", s["burn_rate"]["window"], "burn", 1, src)
        fig.add(f"{key}.time_to_exhaustion_hours", s["time_to_exhaustion_hours"], "hours", 1, src)
    for c in facts["components"]:
        fig.add(f"components.{c['id']}.uptime_90d", c["uptime_90d"], "ratio", 2, c["sources"])
        fig.add(f"components.{c['id']}.latency_p95_ms", c["latency_p95_ms"], "ms", 0, c["sources"])
    stats = facts["incident_stats"]
    inc_sources = sorted({s for i in facts["incidents"] for s in i.get("sources", [])})
    fig.add("incident_stats.count", stats.get("count"), "count", 0, inc_sources)
    fig.add(
        "incident_stats.impact_minutes_total", stats.get("impact_minutes_total"), "minutes", 0, inc_sources
    )
    fig.add("incident_stats.mtta_minutes_mean", stats.get("mtta_minutes_mean"), "minutes", 0, inc_sources)
    fig.add(
        "incident_stats.time_to_resolve_minutes_mean",
        stats.get("time_to_resolve_minutes_mean"),
        "minutes",
        0,
        inc_sources,
    )
    cost = facts["cost"]
    cost_sources = cost.get("sources", [])
    fig.add("cost.total", cost.get("total"), "money", 0, cost_sources)
    fig.add("cost.week_over_week", cost.get("week_over_week"), "ratio", 1, cost_sources)
    fig.add("cost.unattributed", cost.get("unattributed"), "money", 0, cost_sources)
    fig.add("cost.unattributed_share", cost.get("unattributed_share"), "ratio", 1, cost_sources)
    for component, value in sorted((cost.get("per_successful_task") or {}).items()):
        fig.add(f"cost.per_successful_task.{component}", value, "money", 4, cost_sources)
    fig.add(
        "business.revenue_at_risk_total",
        facts["business"].get("revenue_at_risk_total"),
        "money",
        0,
        inc_sources,
    )
    return fig
