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

from ..config import SLO, AlertRule, Alerts
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
