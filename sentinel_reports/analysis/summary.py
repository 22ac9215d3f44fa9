"""The platform summary behind the summary line:

    **Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)

Rules (the scope is the customer-facing components and their SLOs; all components when none is marked
customer-facing):

- status word: the worst current component status — major_outage → Major Outage, partial_outage →
  Partial Outage, degraded_performance or under_maintenance → Degraded; otherwise Unknown when any
  component is no_data (nothing worse is known, but health cannot be claimed). When every component is
  operational, "Healthy" needs a second thing: every SLO in scope with budget remaining above 0. An SLO
  whose budget is exhausted (remaining ≤ 0) makes it **At Risk** (operational now, but the error-budget
  policy applies); an SLO with an unknown budget, and no exhausted one, makes it Unknown.
- data_as_of: the earliest instant up to which "now" is known among the components in scope (each
  component's latest fresh sample, analysis/status.py); None when none has fresh data.
- budget: the lowest `budget_remaining` among the SLOs in scope, with the SLO and component that hold it.
  When any SLO in scope has no attainment (no data in its window) the lowest value is not known: budget is
  None, `budget_slo` names the first such SLO and `unknown_budget_slos` lists them all.
- alerts: active page alerts ("active alerts") and active ticket alerts ("informational"), per SLO.
- incident mode: some component in scope is in major_outage now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import Config
from ..model import Incident
from .alerts import AlertState, alert_counts
from .slo import SloResult
from .status import ComponentStatus, is_open

WORDS = {
    "major_outage": "Major Outage",
    "partial_outage": "Partial Outage",
    "degraded_performance": "Degraded",
    "under_maintenance": "Degraded",
    "no_data": "Unknown",
    "operational": "Healthy",
}
_WORD_RANK = {"Healthy": 0, "Unknown": 1, "Degraded": 2, "Partial Outage": 3, "Major Outage": 4}
AT_RISK = "At Risk"


@dataclass(frozen=True)
class PlatformSummary:
    status: str
    budget_remaining: float | None
    budget_slo: str | None
    budget_component: str | None
    unknown_budget_slos: tuple[str, ...]
    exhausted_budget_slos: tuple[str, ...]
    data_as_of: dt.datetime | None
    active_alerts: int
    informational_alerts: int
    incident_mode: bool
    incident_components: tuple[str, ...]
    incident_since: dt.datetime | None


def scope(config: Config) -> set[str]:
    facing = {c.id for c in config.components if c.customer_facing}
    return facing or set(config.component_ids)


def status_word(statuses: list[str]) -> str:
    """The summary word for a list of component statuses (Unknown for an empty list)."""
    if not statuses:
        return "Unknown"
    return max((WORDS[s] for s in statuses), key=_WORD_RANK.__getitem__)


def platform_summary(
    components: list[ComponentStatus],
    slos: list[SloResult],
    alerts: list[AlertState],
    incidents: tuple[Incident, ...],
    config: Config,
    as_of: dt.datetime,
) -> PlatformSummary:
    in_scope = scope(config)
    word = status_word([c.status for c in components if c.component in in_scope])
    scoped = sorted((s for s in slos if s.component in in_scope), key=lambda s: s.name)
    unknown = tuple(s.name for s in scoped if s.budget_remaining is None)
    exhausted = tuple(s.name for s in scoped if s.budget_remaining is not None and s.budget_remaining <= 0)
    if word == "Healthy" and exhausted:
        word = AT_RISK
    elif word == "Healthy" and unknown:
        word = "Unknown"
    budget = budget_slo = budget_component = None
    if unknown:
        budget_slo = unknown[0]
        budget_component = next(s.component for s in scoped if s.name == budget_slo)
    elif scoped:
        lowest = min(scoped, key=lambda s: (s.budget_remaining, s.name))
        budget, budget_slo, budget_component = lowest.budget_remaining, lowest.name, lowest.component
    page, ticket = alert_counts(alerts)
    down = tuple(
        sorted(c.component for c in components if c.component in in_scope and c.status == "major_outage")
    )
    starts = [i.started_at for i in incidents if is_open(i, as_of) and set(i.components) & set(down)]
    return PlatformSummary(
        status=word,
        budget_remaining=budget,
        budget_slo=budget_slo,
        budget_component=budget_component,
        unknown_budget_slos=unknown,
        exhausted_budget_slos=exhausted,
        data_as_of=min(
            (c.data_as_of for c in components if c.component in in_scope and c.data_as_of is not None),
            default=None,
        ),
        active_alerts=page,
        informational_alerts=ticket,
        incident_mode=bool(down),
        incident_components=down,
        incident_since=min(starts) if starts else None,
    )
