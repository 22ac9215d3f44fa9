"""Memory of recommendations: when a recurring recommendation was first raised, its original deadline, and
whether it is overdue; postmortems past due and long-open gaps as Next Actions.

Definitions (docs/definitions.md, "Memory of recommendations"):

- A rule recommendation is identified by its key (`rule:<rule>:<subject>`, as the narrator names it). Its
  **first-raised week** is the earliest ISO week of the unbroken run of weeks, ending with the period's last
  week, in which its trigger held at the week's close; the walk looks back at most LOOKBACK_WEEKS weeks.
  Triggers evaluated week by week from the data: `attribute:spend` (unattributed spend above
  UNATTRIBUTED_SHARE_LIMIT of the week's spend), `budget:<team>` (the team's projected month-end above its
  budget), `freeze:<component>` (an SLO of the component, customer-facing or not, with its error budget
  overspent: the error-budget policy).
  `instrument:<component>` (a P1 gap on the component) is raised in the week its oldest P1 gap began (the
  first week of data for a signal that never had a source).
- When the trigger still held at the oldest week the walk reads and there is data before it, ``earlier`` is
  true: the run may have begun before (first raised "in that week or earlier", open "that many weeks or
  more").
- Its **deadline** is the first-raised week's publication date (the local date the week ends) plus the rule's
  days (RULE_DAYS); it never moves. It is **overdue** when that deadline is before the period's publication
  date; `weeks_open` counts the weeks from the first-raised one to the period's last week, both included.
- Every figure comes from data at each week's close, so a closed week's memory never changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from ..config import Config
from ..model import Dataset, Gap
from .cost import _budgets, _days_in, cost_ledger, in_currency
from .periods import local_date, parse_week, week_label
from .slo import budget_remaining, slo_window, window_attainment
from .timeline import MEMORY_WEEKS

RULE_DAYS = {
    "stabilise": 1,
    "rollback": 1,
    "hold": 1,
    "safety": 1,
    "freeze": 7,
    "budget": 7,
    "close-actions": 7,
    "instrument": 14,
    "attribute": 14,
}
"""Days from a recommendation's first publication to its deadline, per rule."""
LOOKBACK_WEEKS = MEMORY_WEEKS  # the facts read the data this walk needs (timeline.lookback)
UNATTRIBUTED_SHARE_LIMIT = 0.05
_WEEK = dt.timedelta(days=7)
_INSTANT = dt.timedelta(microseconds=1)


def _week_start(label: str, config: Config) -> dt.datetime:
    year, week = parse_week(label)
    day = dt.date.fromisocalendar(year, week, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=config.tz).astimezone(dt.UTC)


def _last_week(end: dt.datetime, config: Config) -> str:
    return week_label(local_date(end - _INSTANT, config.tz))


def _triggers(keys: set[str], ours: Any, config: Config, events: dict, start: dt.datetime,
              end: dt.datetime) -> set[str]:  # fmt: skip
    """Which of `keys` held for the week [start, end) at its close (`ours`: the ledger in our currency)."""
    held: set[str] = set()
    if "attribute:spend" in keys and ours is not None:
        week = _days_in(ours, start, end)
        total = float(week["cost"].sum()) if len(week) else None
        unattributed = float(week[week["_component"].isna()]["cost"].sum()) if len(week) else 0.0
        if total and total > 0 and unattributed / total > UNATTRIBUTED_SHARE_LIMIT and unattributed > 0:
            held.add("attribute:spend")
    if ours is not None:
        for b in _budgets(ours, config, end):
            if f"budget:{b['team']}" in keys and (b["projected_share"] or 0) > 1:
                held.add(f"budget:{b['team']}")
    for slo in config.slos:
        key = f"freeze:{slo.component}"
        if key in keys and key not in held:
            # the budget left of the window ending at the week's close, as `evaluate_slo` gives it, without
            # the burn rates it also works out (most of its cost; the walk asks for up to 26 weeks per SLO)
            since, until, _ = slo_window(slo, end, config)
            remaining = budget_remaining(
                window_attainment(events[slo.name], since, until).attainment, slo.objective
            )
            if remaining is not None and remaining < 0:
                held.add(key)
    return held


def recommendation_memory(
    keys: set[str],
    gaps: list[Gap],
    dataset: Dataset,
    config: Config,
    events: dict,
    end: dt.datetime,
    first_data: dt.datetime | None,
) -> dict[str, dict[str, Any]]:
    """`recommendation_memory {key: {first_raised, deadline, weeks_open, overdue}}` for the rule keys
    (without the `rule:` prefix) raised in the period ending at `end`."""
    last = _last_week(end, config)
    last_start = _week_start(last, config)
    publication = local_date(end, config.tz)
    earliest = _week_start(_last_week(first_data + _INSTANT, config), config) if first_data else last_start
    first: dict[str, str] = {}
    limited: set[str] = set()  # keys whose run reaches back past the walk's limit
    walked = {k for k in keys if k.split(":", 1)[0] in ("attribute", "budget", "freeze")}
    open_keys, week_start = set(walked), last_start
    ours = None
    if any(k.startswith(("attribute", "budget")) for k in walked):
        # the weeks walked end by `end`: their windows cut only rows of days before it
        ours = in_currency(cost_ledger(dataset.costs, config), config.currency)[0]
    for _ in range(LOOKBACK_WEEKS):
        previous = week_start - _WEEK
        if not open_keys or previous < earliest:
            break
        held = _triggers(open_keys, ours, config, events, previous, week_start)
        for key in open_keys - held:
            first[key] = week_label(local_date(week_start, config.tz))
        open_keys &= held
        week_start = previous
    else:  # the walk's limit: a trigger that held there may have held before it, where there is data
        limited = open_keys if week_start - _WEEK >= earliest else set()
    for key in walked:
        first.setdefault(key, week_label(local_date(week_start, config.tz)) if key in open_keys else last)
    for key in keys - walked:
        rule, _, component = key.partition(":")
        if rule != "instrument":
            first[key] = last
            continue
        starts = [g.start for g in gaps if g.priority == "P1" and g.component == component and g.start]
        since = min(starts) if starts else (first_data or last_start)
        since = max(since, earliest, last_start - LOOKBACK_WEEKS * _WEEK)
        first[key] = week_label(local_date(min(since, last_start), config.tz))
    out: dict[str, dict[str, Any]] = {}
    for key, label in sorted(first.items()):
        week_start = _week_start(label, config)
        raised_on = local_date(week_start + _WEEK, config.tz)
        deadline = raised_on + dt.timedelta(days=RULE_DAYS.get(key.split(":", 1)[0], 7))
        out[f"rule:{key}"] = {
            "first_raised": label,
            "deadline": deadline.isoformat(),
            "weeks_open": int(round((last_start - week_start) / _WEEK)) + 1,
            "overdue": deadline < publication,
            "earlier": key in limited,
        }
    return out


def raised_keys(facts: dict, config: Config) -> set[str]:
    """The rule keys (without `rule:`) whose triggers hold in `facts`, as the narrator raises them."""
    keys: set[str] = set()
    cost = facts.get("cost") or {}
    share = cost.get("unattributed_share")
    if share is not None and share > UNATTRIBUTED_SHARE_LIMIT and cost.get("unattributed"):
        keys.add("attribute:spend")
    for b in cost.get("budgets") or []:
        if (b.get("projected_share") or 0) > 1 and b.get("projected_month_end") is not None:
            keys.add(f"budget:{b['team']}")
    for s in facts.get("slos") or []:
        if s.get("budget_remaining") is not None and s["budget_remaining"] < 0:
            keys.add(f"freeze:{s['component']}")
    for g in facts.get("gaps") or []:
        if g.get("priority") == "P1" and g.get("component"):
            keys.add(f"instrument:{g['component']}")
    return keys


def business_days_after(day: dt.date, n: int) -> dt.date:
    """The date `n` business days (Monday to Friday) after `day`."""
    return np.busday_offset(np.datetime64(day, "D"), n, roll="forward").astype(dt.date)
