"""The facts document as frozen pydantic models: `WeekFacts` and `QuarterFacts` (docs/facts.md).

`week_facts` / `quarter_facts` assemble the document as a JSON-ready dict and validate it into these models
once (`facts_from_dict`), so every block is checked against one declared shape at the point it is made.
In memory a timestamp is a timezone-aware UTC `datetime` and a local day a `date`; `facts_json` writes the
canonical text (sorted keys, indent 2, timestamps as `2026-11-23T00:00:00Z` by `model.format_timestamp`).

Keys that only some entries carry (a quarter's SLOs have no `week_attainment`; an event of the verdict has
the keys of its kind) are declared with a default and left out of the JSON when the document did not have
them, so the text is exactly the dict it was validated from.

    python -m sentinel_reports.analysis.facts_model --markdown   the field tables of docs/facts.md
    python -m sentinel_reports.analysis.facts_model --schema     writes sentinel_reports/schemas/facts.*.schema.json
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

from ..model import format_timestamp, parse_timestamp

Timestamp = Annotated[
    dt.datetime,
    BeforeValidator(parse_timestamp),
    PlainSerializer(format_timestamp, return_type=str, when_used="json"),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}
    ),
]
"""An instant: aware UTC datetime in memory, `2026-11-23T00:00:00Z` in JSON."""

Real = Annotated[float | int, WithJsonSchema({"type": "number"})]
"""A number that is not a count; an int stays an int so the JSON text is unchanged (`0`, not `0.0`)."""

Priority = Literal["P1", "P2", "P3"]


def F(description: str, default: Any = ..., **kwargs: Any) -> Any:  # noqa: N802 - reads as a declaration
    """A field with its one-line description (docs/facts.md and the JSON Schema show it)."""
    return Field(default, description=description, **kwargs)


class FactsBase(BaseModel):
    """Every block of the facts: frozen, no key that is not declared."""

    model_config = ConfigDict(frozen=True, extra="forbid", protected_namespaces=())


# -- the period and its comparison -----------------------------------------------------------------------


class Window(FactsBase):
    start: Timestamp = F("First instant of the window (inclusive).")
    end: Timestamp = F("End of the window (exclusive): min(period end, as_of).")
    first_day: dt.date = F("Local date of the window's first day.")
    last_day: dt.date = F("Local date of the window's last day (partial when the window ends mid-day).")


class Comparison(FactsBase):
    label: str = F("Label of the baseline period (the previous ISO week or calendar quarter).")
    kind: Literal["week", "quarter"] = F("Kind of the baseline period, the same as the facts' kind.")
    start: Timestamp = F("Start of the baseline period.")
    end: Timestamp = F("End of the baseline period (exclusive).")
    days: int = F("Local days in the baseline period.")
    days_with_data: int = F("Local days of the baseline period from the first data on.")
    complete: bool = F("True when the data covers every day of the baseline period.")
    to_date: bool = F("True when this period is cut at as-of (it has not ended).")


# -- coverage --------------------------------------------------------------------------------------------


class WithoutSource(FactsBase):
    component: str = F("Component id that expects the signal.")
    signal: str = F("Expected signal no configured source provides.")


class SeriesCoverage(FactsBase):
    component: str = F("Component id.")
    signal: str = F("Signal name (or `cost`, `evals`).")
    coverage: Real | None = F(
        "Share of expected intervals present in the window; null when none are expected."
    )
    step_seconds: Real | None = F("Interval length of the series in seconds; null when unknown.")
    expected_intervals: int = F("Intervals expected in the window.")
    present_intervals: int = F("Intervals with data in the window.")
    missing_runs: int = F("Runs of consecutive missing intervals.")
    sources: list[str] = F("Source ids that provide the series.")


class Coverage(FactsBase):
    telemetry: Real | None = F("Share of expected telemetry intervals present; null when none are expected.")
    without_source: list[WithoutSource] = F("Expected signals no source provides (by component, signal).")
    evidence_days: Real = F("Length of the window in days (2 decimals).")
    series: list[SeriesCoverage] = F("Coverage of each series (by component, signal).")


# -- summary ---------------------------------------------------------------------------------------------


class AlertsFiredInPeriod(FactsBase):
    page: int = F("SLOs with a page alert that fired in the period.")
    ticket: int = F("SLOs with a ticket alert that fired in the period.")


class IncidentModeDetail(FactsBase):
    components: list[str] = F("Customer-facing components in major outage.")
    since: Timestamp | None = F("Start of the outage; null when unknown.")
    next_update: Timestamp = F("When the next update is due: as-of plus one hour.")


class Summary(FactsBase):
    status: Literal["Healthy", "At Risk", "Degraded", "Partial Outage", "Major Outage", "Unknown"] = F(
        "Platform status at the window's end."
    )
    budget_remaining: Real | None = F(
        "Lowest error budget remaining among customer-facing SLOs; null when unknown."
    )
    budget_slo: str | None = F("The SLO with the lowest (or an unknown) budget; null without SLOs.")
    budget_component: str | None = F("Component of `budget_slo`.")
    unknown_budget_slos: list[str] = F("Customer-facing SLOs whose budget is unknown.")
    exhausted_budget_slos: list[str] = F("In-scope SLOs whose budget remaining is at or below 0.")
    data_as_of: Timestamp | None = F("End of the latest fresh sample: now is known up to here.")
    active_alerts: int = F("Active page and ticket alerts (per SLO and severity) at the window's end.")
    informational_alerts: int = F("Active informational alerts at the window's end.")
    incident_mode: bool = F("True during a major outage of a customer-facing component.")
    alerts_fired_in_period: AlertsFiredInPeriod = F("SLOs whose alerts fired in the period, by severity.")
    incident_mode_detail: IncidentModeDetail | None = F("The outage in incident mode; null otherwise.")


# -- SLOs ------------------------------------------------------------------------------------------------


class SloWindow(FactsBase):
    start: Timestamp = F("Start of the SLO's own window (e.g. 28 rolling days).")
    end: Timestamp = F("End of the SLO's window: the facts window's end.")


class AlertState(FactsBase):
    severity: str = F("Alert severity: page, ticket or info.")
    long: str = F("Long burn-rate window (e.g. `1h`).")
    short: str = F("Short burn-rate window (e.g. `5m`).")
    threshold: Real = F("Burn-rate threshold of the rule.")
    long_burn: Real | None = F("Burn rate over the long window; null without enough data.")
    short_burn: Real | None = F("Burn rate over the short window; null without enough data.")
    active: bool = F("True when both windows burn above the threshold.")
    unknown: bool = F("True when a window lacks data (never quietly inactive).")


class AlertEpisode(FactsBase):
    severity: str = F("Alert severity.")
    long: str = F("Long burn-rate window.")
    short: str = F("Short burn-rate window.")
    threshold: Real = F("Burn-rate threshold of the rule.")
    started_at: Timestamp = F("When the alert started firing.")
    ended_at: Timestamp | None = F("When it stopped; null while still firing at the window's end.")
    peak_long_burn: Real | None = F("Highest long-window burn rate during the episode.")


class SloDay(FactsBase):
    date: dt.date = F("Local day.")
    attainment: Real | None = F("Attainment over the day; null without data.")
    coverage: Real | None = F("Share of the day's intervals with data.")
    budget_remaining: Real | None = F("Rolling error budget remaining at the day's end; null when unknown.")


class Slo(FactsBase):
    name: str = F("SLO name (unique).")
    component: str = F("Component id.")
    component_name: str = F("Component display name.")
    customer_facing: bool = F("True when the component is customer-facing.")
    sli: str = F("Indicator kind: availability, latency, ttft, ...")
    objective: Real = F("Target attainment as a fraction (0.999).")
    window_days: Real = F("Length of the SLO window in days.")
    window_kind: str = F("rolling or calendar.")
    window: SloWindow = F("The SLO window evaluated.")
    budgeting_method: str = F("occurrences or timeslices.")
    attainment: Real | None = F("Attainment over the SLO window; null without data.")
    coverage: Real | None = F("Share of the SLO window's intervals with data.")
    data_sufficient: bool = F("False when coverage is below gaps.min_coverage or there is no data.")
    flags: list[str] = F("Data-quality flags (e.g. `low_coverage_in_window`, `burn_1h_insufficient_data`).")
    error_budget: Real = F("Allowed bad fraction: 1 - objective.")
    budget_consumed: Real | None = F("Share of the error budget consumed in the window; null when unknown.")
    budget_remaining: Real | None = F(
        "Share of the error budget remaining (may be negative); null when unknown."
    )
    period_attainment: Real | None = F("Attainment over the facts period; null without data.")
    previous_period_attainment: Real | None = F("Attainment over the previous period; null without data.")
    week_attainment: Real | None = F("Week facts only: attainment over the week.", None)
    previous_week_attainment: Real | None = F("Week facts only: attainment over the previous week.", None)
    burn_rate: dict[str, Real | None] = F("Burn rate by window (`5m`...`3d`, `window`); null without data.")
    time_to_exhaustion_hours: Real | None = F(
        "Hours until the budget is spent at the 1h burn; null if not burning."
    )
    alerts: list[AlertState] = F("State of each burn-rate alert rule at the window's end.")
    daily: list[SloDay] = F("One entry per local day of the window.")
    sources: list[str] = F("Source ids of the SLI data.")
    alerts_fired: list[AlertEpisode] = F("Alert episodes that fired in the window.")
    overspent_days: int = F("Days of the window that closed with the rolling budget exhausted.")
    attainment_change_pp: Real | None = F(
        "This period's attainment minus the previous period's (a fraction, shown in pp); null without either."
    )
    previous_budget_remaining: Real | None = F("Budget remaining when the previous period closed.")
    budget_remaining_change_pp: Real | None = F("budget_remaining - previous_budget_remaining (shown in pp).")
    period_budget_consumed: Real | None = F(
        "(1 - period_attainment) / (1 - objective): budget the period spends."
    )


# -- components ------------------------------------------------------------------------------------------


class ComponentDay(FactsBase):
    date: dt.date = F("Local day (90 days up to the window's end).")
    status: str = F("Worst status of the day (operational, degraded_performance, ..., no_data).")
    uptime: Real | None = F("Share of the day the component was up; null without data.")
    coverage: Real | None = F("Share of the day's SLI intervals with data.")
    gap: bool = F("True when the day lacks data.")
    maintenance: bool = F("True when a maintenance window touched the day.")
    incidents: list[str] = F("Ids of incidents that touched the day.")
    below: list[str] = F("SLOs whose SLI was under its objective that day; left out when none was.", [])


class Component(FactsBase):
    id: str = F("Component id.")
    name: str = F("Display name.")
    description: str = F("Description from sentinel.yaml (may be empty).")
    group: str = F("Status-page group.")
    owner: str = F("Owning team.")
    tier: int = F("Tier (1 is most critical).")
    customer_facing: bool = F("True when customers use it directly.")
    status: str = F(
        "Status now (operational, degraded_performance, partial_outage, major_outage, under_maintenance, no_data)."
    )
    now_coverage: Real | None = F("Coverage of its SLIs over the last hour (or coarsest step).")
    uptime_90d: Real | None = F("Uptime over the 90 days up to the window's end; null without data.")
    latency_p95_ms: Real | None = F("Median of the interval p95 latencies in the window; null without data.")
    open_incidents: list[str] = F("Ids of incidents open at the window's end.")
    days: list[ComponentDay] = F("90 day bars for the status page.")
    sources: list[str] = F("Source ids of its SLI data.")
    history_days: int = F("Days of the status history (len(days)).")
    days_with_uptime: int = F("Days of the history with an uptime figure.")
    gap_days: int = F("Days of the history with an observability gap (or no data).")
    days_not_operational: int = F("Days of the history not operational (any other status, or a gap).")


# -- incidents -------------------------------------------------------------------------------------------


class IncidentUpdate(FactsBase):
    at: Timestamp = F("When the update was posted.")
    status: str = F("Incident status the update set.")
    body: str = F("Update text.")


class ActionItem(FactsBase):
    title: str = F("What is to be done.")
    owner: str | None = F("Owning team or role.")
    due: dt.date | None = F("Due date.")
    done: bool = F("True when done by the period's end.")
    done_on: dt.date | None = F("When it was done; null when open or undated.")
    overdue: bool = F("True when open past its due date at the period's end.")


class Postmortem(FactsBase):
    slug: str = F("Postmortem id (content/postmortems).")
    status: str = F("draft, in_review or published (as known at the period's end).")
    published_on: dt.date | None = F("Publication date; null when not published.")
    url: str | None = F("Link to the postmortem; null when none.")
    action_items: list[ActionItem] = F("Action items (by due date, then title).")


class BusinessImpact(FactsBase):
    amount: Real = F("Revenue at risk of the incident in `currency`.")
    currency: str = F("ISO 4217 currency.")
    impact_minutes: Real = F("Minutes of customer impact counted.")
    rate_per_minute: Real | None = F(
        "Revenue at risk per minute (summed over its components); null when mixed."
    )
    rates: dict[str, Real] = F("Revenue at risk per minute by component.")
    assumptions_source: str | None = F("Where the per-minute rates come from.")


class Incident(FactsBase):
    id: str = F("Incident id.")
    title: str = F("Title.")
    severity: str = F("Severity (SEV1 is worst).")
    status: str = F("Status as known at as-of.")
    open: bool = F("True when not resolved at as-of.")
    components: list[str] = F("Component ids affected.")
    customer_impact: bool = F("True when customers were affected.")
    started_at: Timestamp = F("When the impact started.")
    detected_at: Timestamp | None = F("When it was detected.")
    created_at: Timestamp | None = F("When the incident record was opened.")
    acknowledged_at: Timestamp | None = F("When it was acknowledged; null when not (yet).")
    mitigated_at: Timestamp | None = F("When the impact was mitigated; null when not (yet).")
    resolved_at: Timestamp | None = F("When it was resolved; null while open.")
    duration_minutes: Real | None = F("Minutes from start to resolution (or as-of while open).")
    impact_minutes: Real | None = F("Minutes of customer impact inside the period.")
    mtta_minutes: Real | None = F("Minutes from creation to acknowledgement; null when not acknowledged.")
    time_to_resolve_minutes: Real | None = F("Minutes from creation to resolution; null while open.")
    business_impact: BusinessImpact | None = F(
        "Revenue at risk of the incident; null without impact or rates."
    )
    postmortem: Postmortem | None = F("Its postmortem; null when none is written.")
    updates: list[IncidentUpdate] = F("Updates known at as-of (by time).")
    url: str | None = F("Link to the incident record.")
    sources: list[str] = F("Source ids of the record.")
    impact_kind: Literal["degraded", "outage"] | None = F(
        "Period incidents only: degraded (latency only) or outage; null without impact.", None
    )
    revenue_share: Real | None = F(
        "Period incidents only: its share of `business.revenue_at_risk_total`; null when either is unknown "
        "or the total is 0.",
        None,
    )


class IncidentStats(FactsBase):
    count: int = F("Incidents in the period.")
    count_by_severity: dict[str, int] = F("Incidents by severity.")
    customer_impacting_count: int = F("Incidents with customer impact.")
    open_count: int = F("Incidents open at as-of.")
    impact_minutes_total: Real = F("Minutes of customer impact in the period.")
    mtta_minutes_mean: Real | None = F("Mean time to acknowledge; null without acknowledged incidents.")
    time_to_resolve_minutes_mean: Real | None = F("Mean time to resolve; null without resolved incidents.")
    postmortems_expected: int = F("Incidents that need a postmortem (by severity policy).")
    postmortem_coverage: Real | None = F("Share of those with a postmortem; null when none is expected.")
    overdue_action_items: int = F("Overdue action items of the period's incidents.")
    overdue_action_items_all: int = F("Overdue action items of all incidents of the last 90 days.")
    not_in_deck_table: int = F(
        "Incidents after the first rows the deck's incident cost table shows (analysis.derived.DECK_INCIDENT_ROWS).",
        0,
    )
    previous_count: int | None = F(
        "Incidents of the previous period as known when it closed; null when no data precedes the window."
    )
    count_difference: int | None = F("count - previous_count; null without a previous count.")


# -- cost ------------------------------------------------------------------------------------------------


class CostDay(FactsBase):
    date: dt.date = F("Ledger day.")
    cost: Real = F("Spend of the day in `currency`.")


class Budget(FactsBase):
    team: str = F("Team with a monthly budget.")
    month: str = F("Month of the projection (YYYY-MM).")
    monthly_budget: Real | None = F("The team's monthly budget.")
    month_to_date: Real | None = F("Spend of the month so far.")
    projected_month_end: Real | None = F("Month-end spend at the month's daily average so far.")
    projected_share: Real | None = F("Projected month-end spend as a share of the budget.")
    data_through: dt.date | None = F("Last ledger day counted.")
    elapsed_days: int | None = F("Days of the month counted.")
    days_in_month: int | None = F("Days in the month.")


class MonthEndTeam(FactsBase):
    team: str | None = F("Team; null for spend no team owns.")
    monthly_budget: Real | None = F("The team's monthly budget; null without one.")
    month_to_date: Real | None = F("Spend of the month so far.")
    projected_month_end: Real | None = F("Projected month-end spend.")


class MonthEnd(FactsBase):
    month: str = F("Month of the projection (YYYY-MM).")
    data_through: dt.date | None = F("Last ledger day counted.")
    elapsed_days: int | None = F("Days of the month counted.")
    days_in_month: int | None = F("Days in the month.")
    month_to_date: Real | None = F("Spend of the month so far.")
    projected_month_end: Real | None = F("Projected month-end spend.")
    budget_total: Real | None = F("Sum of the monthly budgets.")
    budgeted_month_to_date: Real | None = F("Month-to-date spend of teams with a budget.")
    budgeted_projected: Real | None = F("Projected month-end spend of teams with a budget.")
    budgeted_share: Real | None = F("Projected budgeted spend as a share of the budgets.")
    unbudgeted_month_to_date: Real | None = F("Month-to-date spend of teams without a budget.")
    unbudgeted_projected: Real | None = F("Projected month-end spend of teams without a budget.")
    unbudgeted_share: Real | None = F("Share of the projected spend without a budget.")
    teams: list[MonthEndTeam] = F("Projection by team.")


class ClosedMonthTeam(FactsBase):
    team: str = F("Team with a monthly budget.")
    monthly_budget: Real = F("The team's monthly budget.")
    spend: Real = F("Its spend over the whole month.")
    share: Real | None = F("Spend as a share of the budget; null for a zero budget.")


class ClosedMonth(FactsBase):
    month: str = F("The month that ended inside the window (YYYY-MM).")
    first_day: dt.date = F("First ledger day of the month with rows.")
    data_through: dt.date = F("Last ledger day of the month with rows.")
    complete: bool = F("The ledger has rows on the month's first and last day.")
    spend: Real = F("All spend of the month.")
    budget_total: Real = F("Sum of the monthly budgets.")
    budgeted_spend: Real = F("Spend of teams with a budget.")
    budgeted_share: Real | None = F("Budgeted spend as a share of the budgets.")
    unbudgeted_spend: Real = F("Spend of teams without a budget, and of no team.")
    overrun_count: int = F("Teams that spent more than their monthly budget.")
    teams: list[ClosedMonthTeam] = F("Each budget team's spend against its budget.")


class CacheComponent(FactsBase):
    hit_rate: Real | None = F("Prompt cache hit rate of the component.")
    saving: Real | None = F("Spend saved by cached tokens.")
    price_key: str | None = F("Price-list entry used (`provider/model`); null when the model has no price.")


class CacheSavings(FactsBase):
    hit_rate: Real | None = F("Prompt cache hit rate over the components with token usage.")
    saving: Real | None = F("Spend saved by cached input tokens at list prices.")
    price_source: str | None = F("Where the list prices come from.")
    by_component: dict[str, CacheComponent] = F("Hit rate and saving by component.")


class OtherCurrency(FactsBase):
    currency: str = F("ISO 4217 currency of the rows.")
    amount: Real = F("Their spend, never converted.")


class SpendWithoutBudget(FactsBase):
    team: str = F("Team with spend and no budget.")
    amount: Real = F("Its spend in the window.")
    share: Real | None = F("Share of the total spend.")


class TagMismatch(FactsBase):
    component: str = F("Component id.")
    tag: str = F("Team the bill's tag names.")
    owner: str = F("The component's owner in sentinel.yaml.")
    amount: Real = F("Spend counted under the owner.")


class TeamChecks(FactsBase):
    budget_without_spend: list[str] = F("Budget teams without spend in the window.")
    spend_without_budget: list[SpendWithoutBudget] = F("Teams with spend and no budget.")
    tag_mismatches: list[TagMismatch] = F("Spend tagged with a team that is not the component's owner.")


class Cost(FactsBase):
    currency: str = F("ISO 4217 currency of every amount.")
    total: Real | None = F("Spend in the window; null without a cost source.")
    days: int = F("Ledger days in the window.")
    daily_average: Real | None = F("Spend per day.")
    previous_total: Real | None = F("Spend of the same number of days before the window.")
    previous_days: int = F("Days of the comparison window.")
    previous_daily_average: Real | None = F("Spend per day of the comparison window.")
    week_over_week: Real | None = F("Change against the comparison window as a fraction; null without it.")
    change_basis: str = F("total or daily_average: what `week_over_week` compares.")
    by_day: list[CostDay] = F("Spend by ledger day.")
    by_component: dict[str, Real] = F("Spend by component.")
    by_team: dict[str, Real] = F("Spend by team.")
    by_provider: dict[str, Real] = F("Spend by provider.")
    by_model: dict[str, Real] = F("Spend by model.")
    unattributed: Real | None = F("Spend not attributed to a component.")
    unattributed_share: Real | None = F("Unattributed spend as a share of the total.")
    unattributed_by_category: dict[str, Real] = F("Unattributed spend by charge category.")
    per_successful_task: dict[str, Real | None] = F("Spend per successful request by component.")
    previous_per_successful_task: dict[str, Real | None] = F("The same over the comparison window.")
    per_successful_task_change: dict[str, Real | None] = F(
        "Cost per successful task / the comparison window's - 1, by component; null without either."
    )
    by_team_share: dict[str, Real | None] = F("Each team's spend as a share of the total.")
    overrun_count: int = F("Budget teams projected over their monthly budget.")
    projected_budget_count: int = F("Budget teams with a month-end projection.")
    budgets: list[Budget] = F("Month-end projection of each budget team.")
    month_end: MonthEnd | None = F("Month-end projection of all spend; null without cost data.")
    closed_month: ClosedMonth | None = F(
        "The budget month that ended inside the window, whole (a week across a month's end); null without "
        "budgets, when no month ended inside the window, or without its cost data."
    )
    cache: CacheSavings | None = F("Prompt cache savings; null without token usage and prices.")
    other_currencies: list[OtherCurrency] = F("Spend in other currencies, never converted.")
    team_checks: TeamChecks = F("Budget and tag checks (each also a gap).")
    sources: list[str] = F("Source ids of the cost data.")


# -- quality and business --------------------------------------------------------------------------------


class Quality(FactsBase):
    component: str = F("Component id.")
    model_version: str = F("Model version evaluated.")
    passed: int = F("Eval cases passed in the window.")
    cases: int = F("Eval cases run in the window.")
    eval_pass_rate: Real | None = F("Pass rate of this model version.")
    component_eval_pass_rate: Real | None = F("Pass rate of the component over all its versions.")
    previous_component_eval_pass_rate: Real | None = F("The component's pass rate in the previous period.")
    target: Real = F("Pass-rate target.")
    met: bool | None = F("True when the pass rate meets the target.")
    accuracy_budget_remaining: Real | None = F("Share of the accuracy budget (1 - target) remaining.")
    hallucination_rate: Real | None = F("Hallucination rate from online evals; null without them.")
    hallucination_max: Real | None = F("Highest acceptable hallucination rate.")
    hallucination_met: bool | None = F("True when under the maximum; null when unknown.")
    toxicity_rate: Real | None = F("Toxicity rate from online evals; null without them.")
    toxicity_max: Real | None = F("Highest acceptable toxicity rate.")
    toxicity_met: bool | None = F("True when under the maximum; null when unknown.")


class CostQualityBreach(FactsBase):
    model_version: str = F("Model version below its eval target.")
    eval_pass_rate: Real = F("Its pass rate in the period.")
    cases: int = F("Eval cases behind the rate.")


class CostQuality(FactsBase):
    component: str = F("Component id.")
    per_successful_task: Real = F("Cost per successful task in the period.")
    previous_per_successful_task: Real = F("Cost per successful task in the baseline period.")
    change: Real = F("Relative change of the cost per successful task (0.25 = 25% higher).")
    target: Real | None = F("Eval pass-rate target; null when none is configured.")
    model_versions: list[str] = F("Model versions with eval results in the period.")
    previous_model_versions: list[str] = F("Model versions with eval results in the baseline period.")
    model_changed: bool = F("True when both are known and differ.")
    new_versions: list[str] = F("Versions that went into service (when the model changed).")
    dropped_versions: list[str] = F("Versions that left service (when the model changed).")
    breaches: list[CostQualityBreach] = F("Versions below the eval target in the period.")
    previous_breaches: list[CostQualityBreach] = F("Versions below the eval target in the baseline period.")
    flagged: bool = F(
        "The cost moved with a breach or a model change: the text says so, a rollback is weighed."
    )


class Business(FactsBase):
    currency: str = F("ISO 4217 currency.")
    assumptions_source: str | None = F("Where the revenue-at-risk rates come from.")
    per_incident: dict[str, Real | None] = F("Revenue at risk by incident id; null without a rate.")
    revenue_at_risk_total: Real | None = F("Revenue at risk of the period's incidents (unknown ones as 0).")
    revenue_at_risk_known: Real | None = F("Revenue at risk when every incident has a rate; null otherwise.")
    incidents_without_assumption: list[str] = F("Incidents with impact and no rate.")
    degraded_incidents: list[str] = F("Incidents that were degraded, not down.")
    degraded_minutes: Real = F("Minutes of degraded (latency-only) impact.")
    degraded_revenue_at_risk: Real | None = F("Revenue at risk of the degraded incidents.")


class Risk(FactsBase):
    level: str = F("Low, Medium or High.")
    likelihood: str | None = F("How likely the change is to go wrong.", None)
    impact: str | None = F("What happens if it does.", None)
    detection_time: str | None = F("How soon it would be noticed.", None)
    mitigation: str | None = F("How it is undone.", None)


class Sensitivity(FactsBase):
    low: Real | None = F("Lowest quarterly frequency of serious incidents on the investment's components.")
    expected: Real | None = F("Pooled frequency over the quarters with an incident record.")
    high: Real | None = F("Highest quarterly frequency.")
    low_quarter: str | None = F("Quarter of the lowest frequency.")
    high_quarter: str | None = F("Quarter of the highest frequency.")
    quarters_with_data: list[str] = F("Quarters with at least 28 days of incident record.")
    quarters_without_data: list[str] = F("Quarters without: a gap, never 0.")
    incidents: list[str] = F("Serious incidents on its components in the quarters with data.")
    roi_low: Real | None = F("First-year ROI with the benefit scaled to the low frequency.")
    roi_expected: Real | None = F("First-year ROI at the expected frequency (the proposal's own case).")
    roi_high: Real | None = F("First-year ROI at the high frequency.")


class Investment(FactsBase):
    slug: str = F("Investment id (content/investments).")
    title: str = F("Title.")
    currency: str = F("ISO 4217 currency.")
    cost: Real | None = F("One-off cost; null when not stated.")
    running_cost_per_year: Real = F("Running cost per year.")
    expected_benefit: Real | None = F("Benefit per year; null when it cannot be computed.")
    benefit_method: str = F("How the benefit is computed (stated, or from revenue at risk).")
    benefit_basis: str | None = F("Basis of the benefit as written.")
    components: list[str] = F("Components it concerns.")
    owner: str | None = F("Owning team.")
    roi: Real | None = F("(benefit - running cost - cost) / cost; null when unknown.")
    payback_months: Real | None = F("Months to pay back the cost; null when it never does.")
    confidence: str | None = F("Confidence in the case.")
    assumptions: list[str] = F("Stated assumptions.")
    assumptions_source: str | None = F("Source of the revenue rates, when the benefit uses them.")
    risk: Risk | None = F("Delivery risk.")
    rank: int = F("Rank by ROI (1 is best).")
    sensitivity: Sensitivity | None = F("ROI at the low, expected and high incident frequency.", None)


class OptionQuarter(FactsBase):
    label: str = F("Quarter label.")
    days: Real = F("Days of the quarter in the window.")
    quarter_days: Real = F("Days of the whole quarter.")
    days_with_data: Real = F("Days covered by the incident record.")
    in_progress: bool = F("True when the quarter is cut at as-of.")
    incidents: list[str] = F("Serious incidents (SEV1/SEV2 with customer impact) that started in it.")
    count: int | None = F("Their number; null without an incident record (a gap).")
    impact_minutes: Real | None = F("Their customer-impact minutes; null without a record.")
    revenue_at_risk: Real | None = F("Their revenue at risk; null when one cannot be priced.")
    unpriced_incidents: list[str] = F("Latency-only incidents without a degraded rate.")
    per_quarter: Real | None = F("Serious incidents per quarter; null under 28 days of record.")


class OptionFrequency(FactsBase):
    low: Real | None = F("Lowest quarterly frequency of serious incidents.")
    expected: Real | None = F("Pooled frequency.")
    high: Real | None = F("Highest quarterly frequency.")
    low_quarter: str | None = F("Quarter of the lowest.")
    high_quarter: str | None = F("Quarter of the highest.")
    quarters_with_data: list[str] = F("Quarters with an incident record.")
    quarters_without_data: list[str] = F("Quarters without: a gap.")


class DoNothing(FactsBase):
    cost: Real = F("Always 0.")
    running_cost_per_year: Real = F("Always 0.")
    expected_benefit: Real = F("Always 0.")
    incidents_per_year: Real | None = F("Serious incidents a year at the expected frequency.")
    revenue_at_risk_per_year: Real | None = F("Their revenue at risk a year; null when unpriced.")
    unpriced_incidents: list[str] = F("Latency-only incidents left out of the money.")


class DerivedCase(FactsBase):
    derived: bool = F("Always true: derived from incident history, not proposed.")
    title: str = F("What the case would fund.")
    components: list[str] = F("Components whose serious incidents it addresses.")
    incidents: list[str] = F("The incidents it is derived from.")
    count: int = F("Their number.")
    impact_minutes: Real = F("Their customer-impact minutes.")
    revenue_at_risk: Real | None = F("Their revenue at risk.")
    incidents_per_year: Real = F("Their expected number a year.")
    revenue_at_risk_per_year: Real | None = F("Their expected revenue at risk a year.")
    break_even_cost: Real | None = F("The most a one-off fix can cost and pay back in its first year.")
    quarters_with_data: list[str] = F("Quarters it is derived from.")


class Options(FactsBase):
    quarters: list[OptionQuarter] = F("This quarter and the three before it, oldest first.")
    frequency: OptionFrequency = F("Serious incidents per quarter across the platform.")
    do_nothing: DoNothing = F("The option of not investing.")
    derived_case: DerivedCase | None = F("A case from incident history when content proposes none.")


# -- content, gaps, actions and the verdict ---------------------------------------------------------------


class Maintenance(FactsBase):
    slug: str = F("Maintenance id (content/maintenance).")
    title: str = F("Title.")
    components: list[str] = F("Components under maintenance.")
    starts: Timestamp = F("Start of the window.")
    ends: Timestamp = F("End of the window.")
    status: str = F("scheduled, in_progress or completed at the window's end.")


class Recommendation(FactsBase):
    slug: str = F("Recommendation id (content/recommendations).")
    title: str = F("Title.")
    action: str = F("What to do.")
    expected_impact: str = F("What it changes.")
    risk: Risk | None = F("Risk of doing it.")
    owner: str = F("Owning team.")
    deadline: dt.date | None = F("Due date.")
    origin: str = F("Always `content`.")


class Gap(FactsBase):
    kind: str = F("Gap kind (low_coverage, missing_run, no_source, ...).")
    component: str | None = F("Component id; null when not about one.")
    signal: str | None = F("Signal(s) concerned.")
    specific: str = F("What is missing, specifically.")
    limits: str = F("What it stops the report from stating.")
    instrumentation: str = F("What would close it.")
    priority: Priority = F("P1 to P3.")
    sentence: str = F("The gap as one sentence for the reader.")
    start: Timestamp | None = F("Start of the missing time range.", None)
    end: Timestamp | None = F("End of the missing time range.", None)
    sources: list[str] = F("Source ids concerned.", None)
    amount: Real | None = F("Money concerned (cost gaps).", None)
    span_hours: Real | None = F(
        "Hours `specific` states: the missing run, or the age of the latest data (stale gaps).", None
    )
    resolution_minutes: list[Real] = F("Sample resolutions `instrumentation` names, in minutes.", None)
    alert_after_minutes: Real | None = F("Absence `instrumentation` alerts after, in minutes.", None)
    coverage_threshold: Real | None = F("Low coverage: the share `specific` compares with.", None)


class NextAction(FactsBase):
    action: str = F("What to do.")
    owner: str = F("Owning team.")
    deadline: dt.date | None = F("Due date.")
    origin: Literal["rule", "postmortem", "content"] = F("Where it comes from.")
    kind: str | None = F("`postmortem_due` (a postmortem past due) or `gap_open` (a long-open gap).", None)


class MemoryEntry(FactsBase):
    first_raised: str = F("Label of the period that first raised the action.")
    weeks_open: int = F("Weeks it has been open.")
    deadline: dt.date | None = F("Its current deadline.")
    overdue: bool = F("True when past the deadline.")
    earlier: bool = F(
        "True when its trigger held at the oldest week the memory reads (26 weeks back) and the data goes "
        "further back: it may have been raised earlier.",
        default=False,
    )


class Figure(FactsBase):
    key: str = F("Fact key of the value (e.g. `slos.chat-api-availability.attainment`).")
    value: Real = F("The value (known values only).")
    unit: str = F("ratio, burn, hours, minutes, ms, count or the currency.")
    precision: int = F("Decimals shown.")
    display: str = F("The exact text shown (`97.4%`, `2.3x`, `$12,345`).")
    sources: list[str] = F("Source ids it comes from.")


class SourceFile(FactsBase):
    path: str = F("File path relative to the project.")
    sha256: str = F("SHA-256 of the file.")
    rows: int = F("Rows read from it.")


class Source(FactsBase):
    id: str = F("Source id from sentinel.yaml.")
    type: str = F("Collector type.")
    files: list[SourceFile] = F("Files read (those overlapping the look-back window).")
    rows: int = F("Rows from those files.")
    duplicates_dropped: int = F("Duplicate rows dropped.")
    after_as_of_dropped: int | None = F("Rows after as-of dropped; null for a closed period.")
    start: Timestamp | None = F("First timestamp of its data.")
    end: Timestamp | None = F("Last timestamp of its data.")
    file_count: int = F("Files read.")
    more_files: int = F("Files after the first.")


class SourceTotals(FactsBase):
    count: int = F("Sources.")
    file_count: int = F("Files of all sources.")
    rows: int | None = F("Rows of all sources; null when a source's count is unknown.")


class SourceType(FactsBase):
    name: str = F("Collector type.")
    sources: int = F("Sources of this type.")
    file_count: int = F("Their files.")
    rows: int | None = F("Their rows; null when one is unknown.")
    start: Timestamp | None = F("Earliest start of their data.")
    end: Timestamp | None = F("Latest end of their data.")


class GapCounts(FactsBase):
    total: int = F("Observability gaps.")
    p1: int = F("Gaps at P1.")
    p2: int = F("Gaps at P2.")
    p3: int = F("Gaps at P3.")
    p4: int = F("Gaps at P4.")
    longest_missing_run_hours: Real | None = F("Hours of the longest missing run; null without one.")
    not_in_deck_table: int = F(
        "Gaps after the first rows the deck's gaps table shows (analysis.derived.DECK_GAP_ROWS).", 0
    )


class SloCounts(FactsBase):
    total: int = F("SLOs.")
    customer_facing: int = F("SLOs of customer-facing components.")


class VerdictIncident(FactsBase):
    kind: Literal["incident"] = F("A serious incident with customer impact.")
    id: str = F("Incident id.")
    severity: str = F("Severity.")
    components: list[str] = F("Components affected.")
    impact_minutes: Real = F("Minutes of impact in the period.")


class VerdictObjectiveMissed(FactsBase):
    kind: Literal["objective_missed"] = F("An SLO below its objective over the period.")
    slo: str = F("SLO name.")
    component: str = F("Component id.")
    customer_facing: bool = F("True when customer-facing.")
    period_attainment: Real = F("Attainment over the period.")
    objective: Real = F("The objective.")


class VerdictPageAlert(FactsBase):
    kind: Literal["page_alert"] = F("An SLO that paged in the period.")
    slo: str = F("SLO name.")
    component: str = F("Component id.")


class VerdictBudgetExhausted(FactsBase):
    kind: Literal["budget_exhausted"] = F("An SLO whose budget is spent.")
    slo: str = F("SLO name.")
    component: str = F("Component id.")
    budget_remaining: Real = F("Budget remaining (at or below 0).")


VerdictEvent = Annotated[
    Union[VerdictIncident, VerdictObjectiveMissed, VerdictPageAlert, VerdictBudgetExhausted],  # noqa: UP007
    Field(discriminator="kind"),
]


class VerdictClaims(FactsBase):
    no_incident: bool = F("No serious incident with impact in the period.")
    incidents_covered: bool = F("The incident record covers the whole period.")
    objectives_met: bool = F("Every SLO met its objective over the period.")
    objectives_covered: bool = F("Every SLO has enough data over the period.")


class VerdictCounts(FactsBase):
    serious_incidents: int = F("Serious incidents with impact.")
    other_incidents: int = F("Other incidents.")
    objectives_missed: int = F("SLOs below objective.")
    page_alert_slos: int = F("SLOs that paged.")
    exhausted_budgets: int = F("SLOs with a spent budget.")


class VerdictCoverage(FactsBase):
    telemetry: Real | None = F("Telemetry coverage of the period.")
    incidents: Real | None = F("Share of the period the incident record covers.")
    incidents_from: Timestamp | None = F("Where the incident record starts; null without one.")
    slos_without_period_data: list[str] = F("SLOs without enough data in the period.")


class Verdict(FactsBase):
    state: Literal["clear", "events", "unconfirmed"] = F("The one-line verdict of the period.")
    events: list[VerdictEvent] = F("What happened, worst first.")
    claims: VerdictClaims = F("Which statements the data supports.")
    counts: VerdictCounts = F("Counts behind the verdict.")
    coverage: VerdictCoverage = F("Coverage behind the verdict.")
    gaps: list[Gap] = F("Gaps that stop a clear verdict.")
    freeze_components: list[str] = F("Components under a release freeze.")


# -- AI operations (analysis/ai_incidents.py, segments.py, kpi.py, selfhost.py) ----------------------


class AiIncident(FactsBase):
    id: str = F("Incident id.")
    severity: str = F("SEV1..SEV4.")
    status: str = F("Incident status.")
    incident_class: str | None = F("AI incident class; null when unclassified.")
    class_label: str | None = F("Readable class name.")
    class_from: Literal["source", "postmortem"] | None = F("Where the class came from.")
    components: list[str] = F("Component ids.")
    started_at: Timestamp = F("Impact start.")
    detected_at: Timestamp = F("Detection (else creation) time.")
    roles: dict[str, str] = F("AICS role → team or role name holding it.")
    missing_roles: list[str] = F("AICS roles with no holder on record.")
    refused_roles: list[str] = F("Roles whose postmortem value names no configured team (the role only).")
    safety_officer_missing: bool = F("A SEV1/SEV2 of class safety without a Safety Officer.")
    sources: list[str] = F("Source ids.")


class AiClassCount(FactsBase):
    label: str = F("Readable class name.")
    count: int = F("Incidents of the class.")
    sev1_sev2: int = F("Of which SEV1 or SEV2.")
    ids: list[str] = F("Incident ids.")


class SeverityDefinitionFact(FactsBase):
    severity: str = F("Severity the definition assigns.")
    signal: str = F("Signal it watches.")
    description: str = F("The definition in words.")


class SeverityCriterion(FactsBase):
    severity: str = F("Severity of the definition met.")
    signal: str = F("Signal.")
    component: str = F("Component id.")
    limit: Real = F("Limit of the definition.")
    start: Timestamp = F("Episode start.")
    end: Timestamp = F("Episode end.")
    minutes: Real = F("Episode length in minutes.")
    peak: Real = F("Worst value in the episode.")
    description: str = F("The definition in words.")
    incidents: list[str] = F("Incidents covering the episode.")
    without_incident: bool = F("No incident covers it.")


class Deadline(FactsBase):
    case: str = F("The situation the deadline applies to.")
    days: int = F("Reporting deadline in days.")
    source: str = F("Where the deadline comes from.")


class RegulatoryCandidate(FactsBase):
    incident: str = F("Incident id.")
    severity: str = F("SEV1..SEV4.")
    incident_class: str = F("AI incident class.")
    class_label: str | None = F("Readable class name.")
    components: list[str] = F("High-risk components it touched.")
    detected_at: Timestamp = F("Detection time on record.")
    deadlines: list[Deadline] = F("Deadlines commonly cited, with sources.")
    possible_candidate: bool = F("Always true: a flag, never a determination.")
    counsel_review: bool = F("Always true: recommend counsel review.")


class Regulatory(FactsBase):
    enabled: bool = F("governance.eu_ai_act is set.")
    framework: str | None = F("The framework the flags refer to.")
    article: int | None = F("The article of the framework the flags refer to.")
    high_risk_components: list[str] = F("Components marked high_risk.")
    deadlines: list[Deadline] = F("Configured deadlines with sources.")
    candidates: list[RegulatoryCandidate] = F("Possible serious-incident reporting candidates.")


class AiIncidents(FactsBase):
    incidents: list[AiIncident] = F("The period's incidents with class and roles.")
    by_class: dict[str, AiClassCount] = F("Incidents by class (and unclassified).")
    safety_officer_missing: list[str] = F("SEV1/SEV2 safety incidents without a Safety Officer.")
    severity_definitions: list[SeverityDefinitionFact] = F("Configured AI severity definitions.")
    severity_criteria: list[SeverityCriterion] = F("Episodes meeting a severity definition.")
    regulatory: Regulatory = F("Regulatory flags.")


class SegmentRow(FactsBase):
    segment: str = F("Segment value.")
    passed: int = F("Passed cases.")
    cases: int = F("Cases.")
    pass_rate: Real | None = F("Σ passed / Σ cases; null without cases.")
    comparable: bool = F("At least quality.min_segment_cases cases.")
    below_target: bool | None = F("Below target; null when not judged.")


class Segments(FactsBase):
    component: str = F("Component id.")
    overall_pass_rate: Real | None = F("Pooled pass rate of the component.")
    overall_cases: int = F("Cases of the component.")
    target: Real | None = F("Eval pass target.")
    overall_met: bool | None = F("Overall rate meets the target.")
    min_segment_cases: int = F("Cases a segment needs to be judged.")
    segments: list[SegmentRow] = F("Per-segment rates.")
    worst: str | None = F("Comparable segment with the lowest rate.")
    worst_pass_rate: Real | None = F("Its rate.")
    worst_cases: int | None = F("Its cases.")
    hidden_regressions: list[str] = F("Segments below target while the overall rate meets it.")
    sources: list[str] = F("Source ids.")


class Drift(FactsBase):
    component: str = F("Component id.")
    latest: Real = F("Latest drift score in the window.")
    latest_at: Timestamp = F("Its time.")
    peak: Real = F("Highest score in the window.")
    peak_level: Literal["ok", "warn", "critical"] | None = F("Level of the peak.")
    level: Literal["ok", "warn", "critical"] | None = F("Level of the latest score; null without thresholds.")
    warn: Real | None = F("Warn threshold.")
    critical: Real | None = F("Critical threshold.")
    thresholds_source: str | None = F("Where the thresholds come from.")
    samples: int = F("Samples in the window.")
    sources: list[str] = F("Source ids.")


class KpiSide(FactsBase):
    start: dt.date = F("First day.")
    end: dt.date = F("Last day.")
    days: int = F("Days with data.")
    n: int = F("Trials or observations.")
    value: Real | None = F("Pooled rate or mean of daily means; null when not shown.")
    rate: Real | None = F("The value of a rate KPI; null otherwise.")
    mean: Real | None = F("The value of a mean KPI; null otherwise.")
    successes: Real | None = F("Successes (rates).")


class KpiChange(FactsBase):
    id: str = F("component:kpi:change time.")
    p_floor: Real = F("Below this p-value the text says p < p_floor.")
    component: str = F("Component id.")
    kpi: str = F("KPI name.")
    kind: Literal["rate", "mean"] = F("Rate (z-test) or mean (Welch).")
    change_at: Timestamp = F("First eval of the new model version.")
    from_version: str = F("Model version before.")
    to_version: str = F("Model version after.")
    window_days: int = F("Days compared on each side.")
    before: KpiSide = F("The days before the change.")
    after: KpiSide = F("The days after the change.")
    test: str = F("Statistical test used.")
    statistic: Real | None = F("z or t.")
    df: Real | None = F("Welch degrees of freedom.")
    p_value: Real | None = F("Two-sided p-value.")
    alpha: Real = F("Significance level stated.")
    significant: bool | None = F("p-value below alpha.")
    direction: Literal["fell", "rose", "unchanged"] | None = F("Direction of the move.")
    shown: bool = F("Both sides reach the configured minimum.")
    reason: str | None = F("Why it is not shown.")
    sources: list[str] = F("Source ids.")


class ApiPriceFact(FactsBase):
    input: Real = F("Input price per 1M tokens.")
    output: Real = F("Output price per 1M tokens.")
    source: str = F("Where the price comes from.")


class SelfHosting(FactsBase):
    configured: bool = F("self_hosting is configured.")
    component: str | None = F("Self-hosted component.")
    currency: str = F("Currency.")
    days: Real = F("Days in the window.")
    missing: list[str] = F("Inputs needed; figures are null when any is missing.")
    assumptions: list[str] = F("Assumptions of the comparison.")
    gpu_spend: Real | None = F("Attributed spend of the component.")
    engineering: Real | None = F("Engineering amortisation for the window.")
    engineering_monthly: Real | None = F("Engineering cost per month.")
    engineering_source: str | None = F("Its source.")
    self_hosted_cost: Real | None = F("Spend + engineering.")
    tokens_input: Real | None = F("Input tokens (count).")
    tokens_output: Real | None = F("Output tokens (count).")
    tokens: Real | None = F("All tokens (count).")
    self_hosted_per_million: Real | None = F("Self-hosted cost per 1M tokens.")
    api_cost: Real | None = F("API cost of the same traffic.")
    api_per_million: Real | None = F("Blended API price per 1M tokens.")
    api_price: ApiPriceFact | None = F("Configured API price.")
    monthly_self_hosted_cost: Real | None = F("Self-hosted cost per 30 days.")
    tokens_per_month: Real | None = F("Tokens per 30 days.")
    break_even_tokens_per_month: Real | None = F("Tokens per 30 days at which both cost the same.")
    cheaper: Literal["self-hosted", "api"] | None = F("Which costs less at current volume.")
    sources: list[str] = F("Source ids.")


# -- the documents ---------------------------------------------------------------------------------------


class PeriodFacts(FactsBase):
    """Blocks shared by week and quarter facts."""

    kind: Literal["week", "quarter"] = F("Kind of period.")
    period: str = F("Period label (`2026-W47`, `2026-Q4`).")
    organization: str = F("Organization name from sentinel.yaml.")
    timezone: str = F("IANA timezone of local days and periods.")
    currency: str = F("ISO 4217 currency of all money.")
    as_of: Timestamp = F("Evaluation time: min(as-of, period end).")
    window: Window = F("[period start, min(period end, as_of)).")
    previous_period: str | None = F("Label of the previous period; null when no data precedes the window.")
    next_period: str | None = F("Label of the next period; null when it has not started at as-of.")
    comparison: Comparison = F("The baseline every change is stated against.")
    coverage: Coverage = F("Telemetry coverage of the window.")
    summary: Summary = F("Platform summary at the window's end.")
    slos: list[Slo] = F("SLOs (by name).")
    components: list[Component] = F("Components (in sentinel.yaml order).")
    incidents: list[Incident] = F("Incidents of the period.")
    incident_stats: IncidentStats = F("Incident statistics of the period.")
    incident_history: list[Incident] = F("Incidents of the 90 days up to the window's end.")
    cost: Cost = F("Spend of the window.")
    quality: list[Quality] = F("Eval results by component and model version.")
    cost_quality: list[CostQuality] = F("Cost per successful task against answer quality, by component.")
    in_progress: bool = F("True when as-of falls inside the period (it has not ended).")
    business: Business = F("Revenue at risk of the period's incidents.")
    sources: list[Source] = F("Sources whose data overlaps the look-back window (by id).")
    maintenance: list[Maintenance] = F("Maintenance windows ending after the period starts.")
    recommendations: list[Recommendation] = F("Recommendations proposed before the period's end (by slug).")
    note: str | None = F("Note for this period (content/notes); null when none.")
    verdict: Verdict = F("The period's verdict.")
    gaps: list[Gap] = F("Observability gaps (by priority).")
    recommendation_memory: dict[str, MemoryEntry] = F("How long each rule action has been open, by key.")
    next_actions: list[NextAction] = F("Actions due by the end of the next period.")
    figures: list[Figure] = F("Headline figures with unit, display and sources (by key).")
    source_totals: SourceTotals = F("Sources, files and rows of all sources.")
    source_types: list[SourceType] = F("Sources, files and rows by collector type (by name).")
    gap_counts: GapCounts = F("Observability gaps by priority.")
    slo_counts: SloCounts = F("SLOs, and those of customer-facing components.")
    status_history_days: int = F("Days the status history and incident_history cover.")
    ai_incidents: AiIncidents = F("AI incident classes, AICS roles, severity criteria and regulatory flags.")
    segments: list[Segments] = F("Per-segment eval pass rates (by component).")
    drift: list[Drift] = F("Drift scores against thresholds (by component).")
    kpi_changes: list[KpiChange] = F("Business KPIs around model-version changes.")
    self_hosting: SelfHosting = F("Self-hosted serving against API economics.")


class WeekFacts(PeriodFacts):
    """The facts of one ISO week."""

    kind: Literal["week"] = F("Always `week`.")


class QuarterFacts(PeriodFacts):
    """The facts of one calendar quarter, with the investments for the deck."""

    kind: Literal["quarter"] = F("Always `quarter`.")
    investments: list[Investment] = F("Investments proposed before the quarter's end, ranked by ROI.")
    options: Options = F("Options compared in the deck: incident frequency, do nothing, a derived case.")


Facts = WeekFacts | QuarterFacts


def facts_from_dict(data: Mapping[str, Any]) -> Facts:
    """The model of a facts document (as built, or read back from facts.json); ValueError naming each
    key that does not have the declared shape (a plain ValueError also crosses a process pool)."""
    model = QuarterFacts if data.get("kind") == "quarter" else WeekFacts
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"facts do not match {model.__name__}: {exc}") from None


def facts_from_json(text: bytes | str) -> Facts:
    """The model of a stored facts document from its JSON text, parsed and validated in one pass: the same
    model as ``facts_from_dict(json.loads(text))`` in about two thirds of the time; ValueError as there."""
    try:
        return _FACTS_JSON.validate_json(text)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise ValueError(f"facts do not match {' or '.join(SCHEMA_NAMES)}: {exc}") from None


def facts_data(facts: Facts) -> dict[str, Any]:
    """The JSON data of the facts (keys an entry did not have stay out)."""
    return facts.model_dump(mode="json", exclude_unset=True)


SCHEMA_NAMES = ("WeekFacts", "QuarterFacts")
_FACTS_JSON: TypeAdapter[Facts] = TypeAdapter(
    Annotated[WeekFacts | QuarterFacts, Field(discriminator="kind")]
)


def facts_json(facts: Facts) -> str:
    """The canonical facts.json text: sorted keys, indent 2, UTF-8, trailing newline."""
    from .facts_text import canonical_json

    return canonical_json(facts_data(facts))


# -- the generated reference: docs/facts.md tables and the shipped JSON Schemas ---------------------------

SCHEMAS = {"week": WeekFacts, "quarter": QuarterFacts}
DOCS_BEGIN = "<!-- BEGIN GENERATED: python -m sentinel_reports.analysis.facts_model --write -->"
DOCS_END = "<!-- END GENERATED -->"


def json_schema(model: type[PeriodFacts]) -> dict[str, Any]:
    """The JSON Schema of the model's JSON dump (facts.json)."""
    schema = model.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text(model: type[PeriodFacts]) -> str:
    return json.dumps(json_schema(model), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _type_name(tp: Any) -> str:
    """A short type for the docs: `number or null`, `list[Slo]`, `dict[str, number]`, `"week"` (no `|`: the
    text goes in a table cell)."""
    import types
    import typing

    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Annotated:
        if args[0] is dt.datetime:
            return "timestamp"
        if args[0] == (float | int):
            return "number"
        return _type_name(args[0])
    if origin in (Union, types.UnionType):
        if set(args) == {float, int}:
            return "number"
        return " or ".join(_type_name(a) for a in args)
    if origin is Literal:
        return " or ".join(f'"{a}"' for a in args)
    if origin is list:
        return f"list[{_type_name(args[0])}]"
    if origin is dict:
        return f"dict[str, {_type_name(args[1])}]"
    if tp is type(None):
        return "null"
    if tp is dt.datetime:
        return "timestamp"
    if tp is dt.date:
        return "date"
    if isinstance(tp, type) and issubclass(tp, FactsBase):
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    return {str: "str", int: "int", float: "number", bool: "bool"}.get(tp, str(tp))


def _models(root: type[FactsBase]) -> list[type[FactsBase]]:
    """`root` and every model it contains, in the order they are first reached."""
    import typing

    seen: list[type[FactsBase]] = []

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, FactsBase):
            if tp not in seen:
                seen.append(tp)
                for f in tp.model_fields.values():
                    visit(f.annotation)
            return
        for a in typing.get_args(tp):
            visit(a)

    visit(root)
    return seen


def markdown() -> str:
    """The field tables of docs/facts.md: every block of week and quarter facts, with type and meaning."""
    out = [
        DOCS_BEGIN,
        "",
        "Generated from `sentinel_reports/analysis/facts_model.py`; the JSON Schemas are",
        "`sentinel_reports/schemas/facts.week.schema.json` and `facts.quarter.schema.json`. `timestamp` is",
        "`2026-11-23T00:00:00Z`, `date` is `YYYY-MM-DD`, `number` a JSON number. A key marked *optional* is",
        "left out when it does not apply.",
        "",
    ]
    done: set[type] = set()
    for root in (WeekFacts, QuarterFacts):
        for model in _models(root):
            if model in done:
                continue
            done.add(model)
            doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
            out += [f"### {model.__name__}", ""]
            if doc and model in (WeekFacts, QuarterFacts):
                out += [doc, ""]
            out += ["| key | type | meaning |", "|---|---|---|"]
            for name, f in model.model_fields.items():
                kind = _type_name(f.annotation)
                if not f.is_required():
                    kind += " *(optional)*"
                out.append(f"| `{name}` | {kind} | {f.description} |")
            out.append("")
    out.append(DOCS_END)
    return "\n".join(out) + "\n"


def docs_with_reference(text: str) -> str:
    """docs/facts.md with its generated section replaced (appended when it has none)."""
    if DOCS_BEGIN in text and DOCS_END in text:
        head, rest = text.split(DOCS_BEGIN, 1)
        tail = rest.split(DOCS_END, 1)[1]
        return head + markdown().rstrip("\n") + tail
    return text.rstrip("\n") + "\n\n## Field reference\n\n" + markdown()


def main(argv: list[str] | None = None) -> int:
    """`--markdown`: print the tables; `--write`: update docs/facts.md (when in a checkout) and the schemas."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m sentinel_reports.analysis.facts_model")
    parser.add_argument("--markdown", action="store_true", help="print the field tables of docs/facts.md")
    parser.add_argument("--write", action="store_true", help="write docs/facts.md's tables and the schemas")
    args = parser.parse_args(argv)
    package = Path(__file__).resolve().parents[1]
    if args.write:
        for kind, model in SCHEMAS.items():
            (package / "schemas" / f"facts.{kind}.schema.json").write_text(
                schema_text(model), encoding="utf-8"
            )
        docs = package.parent / "docs" / "facts.md"
        if docs.is_file():
            docs.write_text(docs_with_reference(docs.read_text(encoding="utf-8")), encoding="utf-8")
    if args.markdown or not args.write:
        print(markdown(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
