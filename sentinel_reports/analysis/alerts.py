"""Multiwindow, multi-burn-rate alerts (SRE Workbook, chapter 5), evaluated at one instant.

A rule {long, short, burn} is active for an SLO when the burn rate over the long window AND the burn rate
over the short window, both ending at the evaluation time, strictly exceed `burn`. A window whose burn rate
is unknown (no traffic, or coverage below gaps.min_coverage) cannot make a rule active; the rule is then
`unknown` rather than quiet, so the text can say the alert could not be evaluated.

Page rules are the summary's "active alerts"; ticket rules are "informational". Counts are per SLO and
severity: an SLO whose two page rules both fire is one active alert, as in the Workbook's combined
`(1h and 5m) or (6h and 30m)` alert expression.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..config import SLO, AlertRule, Alerts
from .series import from_ns, to_ns
from .slo import SliEvents, burn_over

AlertSeverity = Literal["page", "ticket"]


@dataclass(frozen=True)
class AlertState:
    slo: str
    component: str
    severity: AlertSeverity
    long: dt.timedelta
    short: dt.timedelta
    threshold: float
    long_burn: float | None
    short_burn: float | None
    active: bool
    unknown: bool  # a window had too little data to evaluate


def evaluate_rule(
    events: SliEvents,
    slo: SLO,
    rule: AlertRule,
    severity: AlertSeverity,
    at: dt.datetime,
    min_coverage: float,
) -> AlertState:
    long_burn = burn_over(events, slo.objective, at, rule.long, min_coverage)
    short_burn = burn_over(events, slo.objective, at, rule.short, min_coverage)
    unknown = long_burn is None or short_burn is None
    active = not unknown and long_burn > rule.burn and short_burn > rule.burn  # type: ignore[operator]
    return AlertState(
        slo.name,
        slo.component,
        severity,
        rule.long,
        rule.short,
        rule.burn,
        long_burn,
        short_burn,
        active,
        unknown,
    )


def evaluate_alerts(
    events: SliEvents, slo: SLO, alerts: Alerts, at: dt.datetime, min_coverage: float
) -> list[AlertState]:
    """Every configured rule for one SLO at `at`: page rules first, then ticket rules, in config order."""
    states = [evaluate_rule(events, slo, r, "page", at, min_coverage) for r in alerts.page]
    states += [evaluate_rule(events, slo, r, "ticket", at, min_coverage) for r in alerts.ticket]
    return states


def alert_counts(states: list[AlertState]) -> tuple[int, int]:
    """(active page alerts, active ticket alerts), counting each SLO at most once per severity."""
    page = {s.slo for s in states if s.active and s.severity == "page"}
    ticket = {s.slo for s in states if s.active and s.severity == "ticket"}
    return len(page), len(ticket)


@dataclass(frozen=True)
class AlertEpisode:
    """A stretch of consecutive evaluation times at which one rule was active."""

    slo: str
    component: str
    severity: AlertSeverity
    long: dt.timedelta
    short: dt.timedelta
    threshold: float
    started_at: dt.datetime  # first evaluation time the rule was active
    ended_at: dt.datetime | None  # first evaluation time it was no longer active; None if still active
    peak_long_burn: float


def _burn_series(
    events: SliEvents, objective: float, times_ns: np.ndarray, width: dt.timedelta, min_coverage: float
) -> np.ndarray:
    """Burn rate over [t − width, t) for every t in `times_ns`; NaN where `burn_over` would give None."""
    width_ns = int(width.total_seconds() * 1e9)
    i = np.searchsorted(events.ts, times_ns - width_ns)
    j = np.searchsorted(events.ts, times_ns)
    cg, ct = events.cumulative()
    good, total, n = cg[j] - cg[i], ct[j] - ct[i], (j - i).astype("float64")
    expected = np.ceil(width_ns / events.step_ns - 1e-9) if events.step_ns else np.nan
    coverage = np.minimum(1.0, n / expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        burn = (1.0 - good / total) / (1.0 - objective)
    burn[(total <= 0) | ~(coverage >= min_coverage)] = np.nan
    return burn


def alert_episodes(
    events: SliEvents,
    slo: SLO,
    alerts: Alerts,
    start: dt.datetime,
    end: dt.datetime,
    min_coverage: float,
) -> list[AlertEpisode]:
    """Every time a page or ticket rule fired during [start, end), evaluated at the end of each interval
    of the SLI and at `end` itself (as-of, or the period's close), the same definition as `evaluate_rule`
    vectorised over the period. An episode is still active (`ended_at` null) only when the rule is active at
    `end`: a series that stops before as-of does not keep its last alert firing."""
    if not events.step_ns or len(events.ts) == 0:
        return []
    times = events.ts + events.step_ns
    times = times[(times > to_ns(start)) & (times <= to_ns(end))]
    if len(times) and times[-1] < to_ns(end):
        times = np.append(times, np.int64(to_ns(end)))
    if len(times) == 0:
        return []
    episodes: list[AlertEpisode] = []
    for severity, rules in (("page", alerts.page), ("ticket", alerts.ticket)):
        for rule in rules:
            long_burn = _burn_series(events, slo.objective, times, rule.long, min_coverage)
            short_burn = _burn_series(events, slo.objective, times, rule.short, min_coverage)
            active = (long_burn > rule.burn) & (short_burn > rule.burn)
            edges = np.diff(np.concatenate(([0], active.astype("int8"), [0])))
            for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
                episodes.append(
                    AlertEpisode(
                        slo.name,
                        slo.component,
                        severity,  # type: ignore[arg-type]
                        rule.long,
                        rule.short,
                        rule.burn,
                        from_ns(int(times[a])),
                        from_ns(int(times[b])) if b < len(times) else None,
                        float(np.nanmax(long_burn[a:b])),
                    )
                )
    return sorted(episodes, key=lambda e: (e.started_at, e.severity, e.long))
