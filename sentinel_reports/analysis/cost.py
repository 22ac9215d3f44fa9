"""Spend: totals and breakdowns, budgets with a projected month-end, cost per successful task, prompt cache.

Definitions (SPEC section 7; the `cost` block of docs/facts.md):

- **Which days count.** `day` names a calendar date; it belongs to the window [start, end) when its midnight
  in the configured timezone does, so adjacent windows split days exactly.
- **Money.** Only rows in `config.currency` are summed. Rows in any other currency are listed in
  `other_currencies` and reported as a `currency_mismatch` gap (priority P2); they are never converted or
  summed. `cost` is EffectiveCost. Credits and adjustments (negative) reduce every total they fall in; taxes
  and fees are included.
- **Attribution.** Unattributed spend is spend with no component. Its gap is P1 when its share of the total
  exceeds 10 % and P2 otherwise. Spend with a component belongs to that component's configured owner,
  whatever its team tag says. Spend with no component belongs to its team tag, read through the `teams:`
  aliases of sentinel.yaml (case and surrounding spaces ignored); with neither it has no team (and is left
  out of `by_team`).
- **Team checks** (`team_checks`, each also a gap): a budget team with no spend in the window
  (`budget_without_spend`, P2), a team with spend in the window and no budget (`spend_without_budget`, P1
  above 10 % of spend, else P2; only when budgets are configured), and team tags that disagree with the
  owner of the row's component (`team_tag_mismatch`, P3; the spend stays with the owner).
- **Cost per successful task** = attributed spend of a component / Σ requests_good of that component, both
  over the window. Null when the component has no spend rows, no requests_good data, or Σ requests_good is 0.
- **Change** (`week_over_week`) = against the baseline the caller passes (facts.comparison: the whole previous
  period of the same kind), on totals for a whole period and per day for a period to date; null
  unless both totals exist and previous_total > 0.
- **Month-end projection** (`month_end`): every row of the month, budgeted or not, extended the same way;
  each team's projection (plus "no team") sums to the platform's. budgeted_projected is the part of budget
  teams, against budget_total; unbudgeted_projected is the rest, unbudgeted_share its share of the whole.
- **Budgets.** The month is the calendar month (configured timezone) holding the window's last instant.
  month_to_date sums that month's days up to `end`; elapsed_days runs from the 1st to the latest day the
  ledger has rows for in that month, so a billing export that lags a day does not deflate the projection.
  projected_month_end = month_to_date / elapsed_days × days_in_month. Null when the month has no rows.
- **Cache.** hit_rate = Σ tokens_cache_read / (Σ tokens_cache_read + Σ tokens_input), over components that
  report both. saving = cache-read tokens × (input price − cache_read price) / 1e6, per component, at the
  price of the one model that component's cost rows in the window name (samples carry no model). No model,
  several models, or no price → that saving is null with a `missing_assumption` gap; the total is then null.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import weakref
from dataclasses import replace

import numpy as np
import pandas as pd

from ..config import Config
from ..display import money
from ..model import Gap, parse_timestamp
from .business import component_gap_priority
from .series import column_ns, to_ns

UNATTRIBUTED_P1_SHARE = 0.10
# the sample signals cost_facts reads (analysis.facts cuts only these from the samples of its window)
REQUESTS_GOOD, CACHE_READ, TOKENS_INPUT = "requests_good", "tokens_cache_read", "tokens_input"
SAMPLE_SIGNALS = (REQUESTS_GOOD, CACHE_READ, TOKENS_INPUT)
_INSTANT = dt.timedelta(microseconds=1)
_CACHE_LIMITS = "state the saving prompt caching produced at the configured prices"


def cost_facts(
    costs: pd.DataFrame,
    samples: pd.DataFrame,
    config: Config,
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
    baseline: dict | None = None,
) -> tuple[dict, list[Gap]]:
    """The `cost` block of the facts for the window [start, end), and the gaps it reveals.

    `baseline` is the facts' `comparison` block (the previous period of the same kind, analysis/periods.py):
    its window is the comparison window, and its `complete` says whether a change may be stated. Without it
    the comparison window is the same number of ledger days before `start`."""
    del as_of  # the window is already clipped to as-of; kept for a uniform analysis signature
    ledger = cost_ledger(costs, config)
    ours, others = in_currency(ledger, config.currency)
    # the comparison window has the same number of ledger days: a week clipped at as-of 23:55 is 7 days
    days = math.ceil((end - start) / dt.timedelta(days=1) - 1e-9)
    if baseline is not None:
        previous_start = parse_timestamp(baseline["start"])
        previous_end = parse_timestamp(baseline["end"])
    else:
        previous_start, previous_end = start - dt.timedelta(days=days), start
    previous_days = math.ceil((previous_end - previous_start) / dt.timedelta(days=1) - 1e-9)
    window, previous = _days_in(ours, start, end), _days_in(ours, previous_start, previous_end)
    by_component = _sums(window, "_component")
    total, previous_total = _total(window), _total(previous)

    unattributed_rows = window[window["_component"].isna()]
    unattributed = float(unattributed_rows["cost"].sum()) if total is not None else None
    share = unattributed / total if unattributed is not None and total > 0 else None
    other = _days_in(others, start, end)
    other_currencies = [
        {"currency": str(currency), "amount": float(rows["cost"].sum())}
        for currency, rows in sorted(other.groupby("currency"), key=lambda kv: str(kv[0]))
    ]
    gaps = _spend_gaps(unattributed_rows, share, other, config, start, end)
    checks, team_gaps = _team_checks(window, total, config, start, end)
    gaps.extend(team_gaps)
    task_components = sorted(
        set(by_component)
        | set(_sums(previous, "_component"))
        | {c.id for c in config.components if "cost" in c.expects}
    )
    cache, cache_gaps = _cache(window, samples, config, start, end)
    gaps.extend(cache_gaps)
    # whole periods compare totals; a period to date against a whole one compares spend per day; a baseline
    # with data on only part of its days states no change
    to_date = baseline["to_date"] if baseline is not None else days != previous_days
    basis = "daily_average" if to_date and days != previous_days else "total"
    if baseline is not None and not baseline.get("complete", True):
        change = None
    elif basis == "total":
        change = _change(total, previous_total)
    else:
        change = _change(
            total / days if total is not None else None,
            previous_total / previous_days if previous_total is not None else None,
        )
    block = {
        "currency": config.currency,
        "total": total,
        "previous_total": previous_total,
        "week_over_week": change,
        "change_basis": basis,
        "days": days,
        "previous_days": previous_days,
        "daily_average": total / days if total is not None and days else None,
        "previous_daily_average": (
            previous_total / previous_days if previous_total is not None and previous_days else None
        ),
        "by_component": by_component,
        "by_team": _sums(window, "_team"),
        "by_provider": _sums(window, "provider"),
        "by_model": _sums(window, "_model"),
        "by_day": [{"date": d, "cost": v} for d, v in _sums(window, "_date").items()],
        "unattributed": unattributed,
        "unattributed_share": share,
        "unattributed_by_category": _sums(unattributed_rows, "category"),
        "per_successful_task": _per_successful_task(window, samples, task_components, start, end),
        "previous_per_successful_task": _per_successful_task(
            previous, samples, task_components, previous_start, previous_end
        ),
        "budgets": _budgets(ours, config, end),
        "month_end": _month_end(ours, config, end),
        "closed_month": _closed_month(ours, config, start, end),
        "team_checks": checks,
        "cache": cache,
        "other_currencies": other_currencies,
        "sources": list(_sources(_days_in(ledger, start, end))),
    }
    return block, gaps


def _change(total: float | None, previous: float | None) -> float | None:
    """Fractional change; null without both totals or against a non-positive base."""
    if total is None or previous is None or previous <= 0:
        return None
    return (total - previous) / previous


def _labels(series: pd.Series) -> pd.Series:
    """Text labels with missing and blank values as <NA>."""
    text = series.astype("string").str.strip()
    return text.where((text.notna() & (text != "")).fillna(False), pd.NA)


# The ledger of the most recent bill frame and config: every week of a build reads the same frame, so its
# labels, teams and local days are worked out once per build (the frame and the ledger are never mutated).
_LEDGER: list[tuple[weakref.ref, Config, pd.DataFrame]] = []


def cost_ledger(costs: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The ledger with normalised labels, the team fallback, and each day's local midnight (built once per
    bill frame and config object; callers only read it)."""
    if _LEDGER and _LEDGER[0][0]() is costs and _LEDGER[0][1] is config:
        return _LEDGER[0][2]
    out = _build_ledger(costs, config)
    _LEDGER[:] = [(weakref.ref(costs), config, out)]
    return out


def prepare_ledger(costs: pd.DataFrame, config: Config) -> None:
    """Build once what every period's cost facts read: the ledger, its split by currency, and the day
    order of each."""
    ledger = cost_ledger(costs, config)
    for frame in (ledger, *in_currency(ledger, config.currency)):
        _day_order(frame)


def _build_ledger(costs: pd.DataFrame, config: Config) -> pd.DataFrame:
    out = costs.copy()
    out["_component"] = _labels(out["component"])
    owners = pd.Series({c.id: c.owner for c in config.components}, dtype="string")
    out["_tag"] = _labels(out["team"])
    out["_tag_team"] = out["_tag"].map(team_resolver(config), na_action="ignore").astype("string")
    out["_owner"] = out["_component"].map(owners).astype("string")
    out["_team"] = out["_owner"].fillna(out["_tag_team"])
    out["_model"] = _labels(out["model"])
    out["provider"] = _labels(out["provider"])
    out["currency"] = _labels(out["currency"]).str.upper().fillna("unknown")
    days = pd.to_datetime(out["day"], utc=True).dt.tz_localize(None).dt.normalize()
    out["_date"] = days.dt.strftime("%Y-%m-%d")
    out["_day_start"] = days.dt.tz_localize(config.tz, ambiguous=True, nonexistent="shift_forward")
    return out


def team_resolver(config: Config):
    """A function from a team tag value to its team: a `teams:` alias or a known team name, matched without
    regard to case or surrounding spaces; any other value is kept as written."""
    names: dict[str, str] = {}
    for team in [*config.budgets.monthly_spend, *(c.owner for c in config.components)]:
        names.setdefault(team.strip().casefold(), team)
    for team, aliases in config.teams.items():
        for alias in [team, *aliases]:
            names[alias.strip().casefold()] = team
    return lambda value: names.get(str(value).strip().casefold(), str(value))


def in_currency(ledger: pd.DataFrame, currency: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of the ledger in `currency` and the others (original order), split once per ledger."""
    if _CURRENCY and _CURRENCY[0][0]() is ledger and _CURRENCY[0][1] == currency:
        return _CURRENCY[0][2], _CURRENCY[0][3]
    mine = ledger["currency"] == currency
    ours, others = ledger[mine], ledger[~mine]
    _CURRENCY[:] = [(weakref.ref(ledger), currency, ours, others)]
    return ours, others


_CURRENCY: list[tuple[weakref.ref, str, pd.DataFrame, pd.DataFrame]] = []


def _days_in(ledger: pd.DataFrame, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """The rows whose day starts in [start, end), in their original order: cut by binary search from the
    days in time order (a year of bills is millions of rows, read by every week several times)."""
    order, day_ns = _day_order(ledger)
    lo, hi = np.searchsorted(day_ns, [to_ns(start), to_ns(end)])
    if order is None:  # the rows are in day order already: the window is one run of them
        return ledger.iloc[lo:hi]
    return ledger.iloc[np.sort(order[lo:hi])]


# Per ledger frame (the ledger, its rows in our currency, the others): the local midnights of its days as
# nanoseconds in time order, and the order that sorts them (None when the rows are already in day order).
# A missing day (NaT) is the smallest integer, before every window. Kept for a few frames, by identity.
_DAY_ORDERS: dict[int, tuple[weakref.ref, np.ndarray | None, np.ndarray]] = {}


def _day_order(ledger: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray]:
    entry = _DAY_ORDERS.get(id(ledger))
    if entry is not None and entry[0]() is ledger:
        return entry[1], entry[2]
    day_ns = column_ns(ledger["_day_start"]) if len(ledger) else np.empty(0, dtype="int64")
    order = None
    if len(day_ns) > 1 and np.any(day_ns[1:] < day_ns[:-1]):
        order = np.argsort(day_ns, kind="stable")
        day_ns = day_ns[order]
    if len(_DAY_ORDERS) >= 8:
        _DAY_ORDERS.clear()
    _DAY_ORDERS[id(ledger)] = (weakref.ref(ledger), order, day_ns)
    return order, day_ns


def _total(rows: pd.DataFrame) -> float | None:
    """Sum of `cost`; None when there are no rows (no data is not zero spend)."""
    return float(rows["cost"].sum()) if len(rows) else None


def _sums(rows: pd.DataFrame, column: str) -> dict[str, float]:
    grouped = rows.groupby(column, dropna=True)["cost"].sum()
    return {str(k): float(v) for k, v in sorted(grouped.items(), key=lambda kv: str(kv[0]))}


def _signal_sums(
    samples: pd.DataFrame, signal: str, start: dt.datetime, end: dt.datetime
) -> dict[str, float]:
    """Σ value per component over [start, end), only for components with at least one value."""
    rows = samples[(samples["signal"] == signal) & (samples["ts"] >= start) & (samples["ts"] < end)]
    rows = rows[rows["value"].notna()]
    grouped = rows.groupby("component")["value"].sum()
    return {str(k): float(v) for k, v in sorted(grouped.items(), key=lambda kv: str(kv[0]))}


def _per_successful_task(
    rows: pd.DataFrame,
    samples: pd.DataFrame,
    components: list[str],
    start: dt.datetime,
    end: dt.datetime,
) -> dict[str, float | None]:
    spend = _sums(rows, "_component")  # rows without a component drop out: attributed spend only
    good = _signal_sums(samples, REQUESTS_GOOD, start, end)
    out: dict[str, float | None] = {}
    for component in components:
        tasks = good.get(component)
        has_spend = component in spend
        out[component] = spend[component] / tasks if has_spend and tasks is not None and tasks > 0 else None
    return out


def _budgets(ours: pd.DataFrame, config: Config, end: dt.datetime) -> list[dict]:
    if not config.budgets.monthly_spend:
        return []
    month, cal = _month(ours, config, end)
    data_through, elapsed_days, days_in_month = cal["data_through"], cal["elapsed_days"], cal["days_in_month"]
    by_team = _sums(month, "_team")
    out = []
    for team, budget in sorted(config.budgets.monthly_spend.items()):
        mtd = by_team.get(team, 0.0) if elapsed_days else None
        projected = mtd / elapsed_days * days_in_month if mtd is not None and elapsed_days else None
        out.append(
            {
                "team": team,
                "monthly_budget": float(budget),
                "month": cal["month"],
                "month_to_date": mtd,
                "data_through": data_through,
                "elapsed_days": elapsed_days,
                "days_in_month": days_in_month,
                "projected_month_end": projected,
                "projected_share": projected / budget if projected is not None else None,
            }
        )
    return out


def _closed_month(ours: pd.DataFrame, config: Config, start: dt.datetime, end: dt.datetime) -> dict | None:
    """The budget month that ended inside [start, end), whole: its spend by budget team against the budgets.
    A week that crosses a month's end projects the new month from its first days; the month just closed is
    the figure a reader of that week asks for. None without budgets, when no month ended inside the window,
    or without a ledger row in that month; ``complete`` is false unless the ledger has rows on its first and
    its last day (a bill that starts or stops inside the month does not close it)."""
    budgets = config.budgets.monthly_spend
    month_start = _month_start(config, end)
    if not budgets or month_start <= start:
        return None
    final = (month_start - dt.timedelta(days=1)).date()
    opened = dt.datetime(final.year, final.month, 1, tzinfo=config.tz)
    rows = _days_in(ours, opened, month_start)
    if not len(rows):
        return None
    first, through = str(min(rows["_date"])), str(max(rows["_date"]))
    by_team = _sums(rows, "_team")
    teams = []
    for team, budget in sorted(budgets.items()):
        spent = by_team.get(team, 0.0)
        teams.append({"team": team, "monthly_budget": float(budget), "spend": spent,
                      "share": spent / float(budget) if budget else None})  # fmt: skip
    spend = float(rows["cost"].sum())
    budgeted = float(sum(t["spend"] for t in teams))
    total_budget = float(sum(budgets.values()))
    return {
        "month": f"{final.year:04d}-{final.month:02d}",
        "first_day": first,
        "data_through": through,
        "complete": first == opened.date().isoformat() and through == final.isoformat(),
        "spend": spend,
        "budget_total": total_budget,
        "budgeted_spend": budgeted,
        "budgeted_share": budgeted / total_budget if total_budget else None,
        "unbudgeted_spend": spend - budgeted,
        "overrun_count": sum(1 for t in teams if t["share"] is not None and t["share"] > 1),
        "teams": teams,
    }


def _month_start(config: Config, end: dt.datetime) -> dt.datetime:
    """The first instant of the budget month: the calendar month (configured timezone) of `end`'s last
    instant."""
    last = (end - _INSTANT).astimezone(config.tz)
    return dt.datetime(last.year, last.month, 1, tzinfo=config.tz)


def _month(ours: pd.DataFrame, config: Config, end: dt.datetime) -> tuple[pd.DataFrame, dict]:
    """The rows of the budget month up to `end`, and its calendar (month, data_through, days)."""
    first = _month_start(config, end)
    month = _days_in(ours, first, end)
    data_through = max(month["_date"]) if len(month) else None
    return month, {
        "month": f"{first.year:04d}-{first.month:02d}",
        "data_through": data_through,
        "elapsed_days": int(data_through[-2:]) if data_through else None,
        "days_in_month": calendar.monthrange(first.year, first.month)[1],
    }


def _month_end(ours: pd.DataFrame, config: Config, end: dt.datetime) -> dict:
    """All spend of the budget month projected to month-end, split into budget teams and the rest."""
    month, cal = _month(ours, config, end)
    elapsed, days = cal["elapsed_days"], cal["days_in_month"]

    def project(amount: float | None) -> float | None:
        return amount / elapsed * days if amount is not None and elapsed else None

    budgets = config.budgets.monthly_spend
    has_rows = elapsed is not None
    by_team = _sums(month, "_team")
    no_team = float(month[month["_team"].isna()]["cost"].sum()) if has_rows else None
    month_to_date = {t: 0.0 if has_rows else None for t in budgets} | by_team
    teams = [
        {
            "team": team,
            "monthly_budget": float(budgets[team]) if team in budgets else None,
            "month_to_date": mtd,
            "projected_month_end": project(mtd),
        }
        for team, mtd in sorted(month_to_date.items())
    ]
    if no_team:
        teams.append({"team": None, "monthly_budget": None, "month_to_date": no_team,
                      "projected_month_end": project(no_team)})  # fmt: skip
    total = _total(month)
    budgeted = sum(by_team.get(t, 0.0) for t in budgets) if has_rows else None
    # summed from its own rows (not total − budgeted), so no budget-free spend reads exactly 0
    in_budget = month["_team"].isin(list(budgets)).fillna(False).astype(bool)
    unbudgeted = float(month[~in_budget]["cost"].sum()) if has_rows else None
    projected, budgeted_projected = project(total), project(budgeted)
    budget_total = float(sum(budgets.values())) if budgets else None
    unbudgeted_projected = project(unbudgeted)
    return {
        **cal,
        "month_to_date": total,
        "projected_month_end": projected,
        "budget_total": budget_total,
        "budgeted_month_to_date": budgeted if budgets else None,
        "budgeted_projected": budgeted_projected if budgets else None,
        "budgeted_share": (
            budgeted_projected / budget_total if budget_total and budgeted_projected is not None else None
        ),
        "unbudgeted_month_to_date": unbudgeted if budgets else None,
        "unbudgeted_projected": unbudgeted_projected if budgets else None,
        "unbudgeted_share": (
            unbudgeted_projected / projected
            if budgets and projected and projected > 0 and unbudgeted_projected is not None
            else None
        ),
        "teams": teams,
    }


def _team_checks(
    window: pd.DataFrame, total: float | None, config: Config, start: dt.datetime, end: dt.datetime
) -> tuple[dict, list[Gap]]:
    """Budget teams with no spend, spend teams with no budget, team tags that disagree with the owner."""
    budgets = config.budgets.monthly_spend
    by_team = _sums(window, "_team")
    checks: dict = {"budget_without_spend": [], "spend_without_budget": [], "tag_mismatches": []}
    gaps: list[Gap] = []
    if total is None:
        return checks, gaps
    limits = "state each team's spend against its budget"
    for team in sorted(t for t in budgets if t not in by_team):
        checks["budget_without_spend"].append(team)
        gaps.append(Gap(
            "budget_without_spend", None, None,
            f"budget team {team} has no spend in the window: no component it owns has cost rows and no team "
            "tag names it",
            limits,
            f"a `teams:` alias in sentinel.yaml from the team tag used on its bill to {team}, or a component "
            "owned by it",
            "P2", start=start, end=end, sources=_sources(window),
        ))  # fmt: skip
    if budgets:
        for team, amount in by_team.items():
            if team in budgets:
                continue
            share = amount / total if total > 0 else None
            checks["spend_without_budget"].append({"team": team, "amount": amount, "share": share})
            rows = window[(window["_team"] == team).fillna(False)]
            share_text = f" ({share:.1%} of spend)" if share is not None else ""
            gaps.append(Gap(
                "spend_without_budget", None, None,
                f"{money(amount, config.currency)} of spend{share_text} belongs to team {team}, which has no "
                "budget",
                limits,
                f"a budget for {team} in budgets.monthly_spend, or a `teams:` alias mapping {team} to a "
                "budget team",
                "P1" if share is not None and share > UNATTRIBUTED_P1_SHARE else "P2",
                start=start, end=end, sources=_sources(rows), amount=amount,
            ))  # fmt: skip
    tagged = window[window["_owner"].notna() & window["_tag_team"].notna()]
    tagged = tagged[(tagged["_tag_team"] != tagged["_owner"]).fillna(False)]
    for (component, tag, owner), rows in sorted(
        tagged.groupby(["_component", "_tag", "_owner"]), key=lambda kv: tuple(map(str, kv[0]))
    ):
        amount = float(rows["cost"].sum())
        checks["tag_mismatches"].append(
            {"component": str(component), "tag": str(tag), "owner": str(owner), "amount": amount}
        )
        gaps.append(Gap(
            "team_tag_mismatch", str(component), None,
            f"{money(amount, config.currency)} of spend on {component} is tagged team {tag!r}, not its owner "
            f"{owner}; it is counted under {owner}",
            "check the bill's team tags against the owners in sentinel.yaml",
            f"team tags on {component}'s resources that name {owner}, or a `teams:` alias from {tag!r} to {owner}",
            "P3", start=start, end=end, sources=_sources(rows), amount=amount,
        ))  # fmt: skip
    return checks, gaps


def _cache(
    window: pd.DataFrame, samples: pd.DataFrame, config: Config, start: dt.datetime, end: dt.datetime
) -> tuple[dict, list[Gap]]:
    reads = _signal_sums(samples, CACHE_READ, start, end)
    inputs = _signal_sums(samples, TOKENS_INPUT, start, end)
    both = sorted(set(reads) & set(inputs))
    read_sum, input_sum = sum(reads[c] for c in both), sum(inputs[c] for c in both)
    gaps: list[Gap] = []
    by_component: dict[str, dict] = {}
    price_sources: set[str] = set()
    keys = _price_keys(window, config)
    for component in sorted(reads):
        saving, key, gap = _saving(component, reads[component], keys.get(component, []), config, start, end)
        if gap is not None:
            gaps.append(gap)
        if key is not None and saving is not None:
            price_sources.add(config.prices[key].source)
        denominator = reads[component] + inputs.get(component, 0.0)
        by_component[component] = {
            "hit_rate": reads[component] / denominator if component in inputs and denominator > 0 else None,
            "saving": saving,
            "price_key": key,
        }
    savings = [v["saving"] for v in by_component.values()]
    cache = {
        "hit_rate": read_sum / (read_sum + input_sum) if read_sum + input_sum > 0 else None,
        "saving": float(sum(savings)) if savings and None not in savings else None,
        "price_source": "; ".join(sorted(price_sources)) or None,
        "by_component": by_component,
    }
    return cache, gaps


def _price_keys(window: pd.DataFrame, config: Config) -> dict[str, list[str]]:
    """The sorted price keys each component's cost rows with a model name in the window."""
    rows = window.loc[
        window["_component"].notna() & window["_model"].notna(), ["_component", "provider", "_model"]
    ]
    keys: dict[str, set[str]] = {}
    for component, provider, model in rows.drop_duplicates().itertuples(index=False, name=None):
        keys.setdefault(str(component), set()).add(_price_key(str(provider), str(model), config))
    return {component: sorted(found) for component, found in keys.items()}


def _saving(
    component: str, tokens: float, keys: list[str], config: Config, start: dt.datetime, end: dt.datetime
) -> tuple[float | None, str | None, Gap | None]:
    """(saving, price key, gap) for one component's cache-read tokens, priced by the sorted price keys its
    cost rows in the window name."""
    if len(keys) == 1 and keys[0] in config.prices and config.prices[keys[0]].cache_read is not None:
        price = config.prices[keys[0]]
        return tokens * (price.input - price.cache_read) / 1e6, keys[0], None
    key = keys[0] if len(keys) == 1 else None
    if tokens == 0:
        return 0.0, key, None
    if not keys:
        specific = f"cache reads of {component} cannot be priced: its cost rows in the window name no model"
        instrumentation = "a model column on the cost rows or request logs of this component"
    elif len(keys) > 1:
        specific = (
            f"cache reads of {component} cannot be priced: its cost rows name {len(keys)} models "
            f"({', '.join(keys)}) and token samples carry no model"
        )
        instrumentation = "token counts per model for this component (request logs with a model column)"
    else:
        specific = f"no price for {keys[0]} cache reads in sentinel.yaml prices"
        instrumentation = (
            f"prices entry {keys[0]} with input and cache_read per million tokens and its source"
        )
    priority = component_gap_priority(config, component)
    gap = Gap("missing_assumption", component, "tokens_cache_read", specific, _CACHE_LIMITS, "", priority)
    return None, key, replace(gap, instrumentation=instrumentation, start=start, end=end)


def _price_key(provider: str, model: str, config: Config) -> str:
    """`provider/model`, or the model id itself when it is already a configured key."""
    key = f"{provider}/{model}"
    return model if key not in config.prices and model in config.prices else key


def _spend_gaps(
    unattributed: pd.DataFrame,
    share: float | None,
    other: pd.DataFrame,
    config: Config,
    start: dt.datetime,
    end: dt.datetime,
) -> list[Gap]:
    """The unattributed-spend gap (P1 above a 10 % share, else P2) and one currency_mismatch gap per currency."""
    gaps = []
    amount = float(unattributed["cost"].sum())
    if amount > 0:
        services = unattributed.groupby("service")["cost"].sum().sort_values(ascending=False, kind="stable")
        named = ", ".join(str(s) for s in services[services > 0].index[:3])
        share_text = f" ({share:.1%} of total spend)" if share is not None else ""
        gaps.append(
            Gap(
                kind="unattributed_spend",
                component=None,
                signal=None,
                specific=f"{money(amount, config.currency)} of spend{share_text} has no component attribution",
                limits="attribute spend to teams and components and state cost per successful task",
                instrumentation="a component and team tag, or an attribution rule, for " + (named or "it"),
                priority="P1" if share is not None and share > UNATTRIBUTED_P1_SHARE else "P2",
                start=start,
                end=end,
                sources=_sources(unattributed),
                amount=amount,
            )
        )
    for currency, rows in sorted(other.groupby("currency"), key=lambda kv: str(kv[0])):
        amount = float(rows["cost"].sum())
        gaps.append(
            Gap(
                kind="currency_mismatch",
                component=None,
                signal=None,
                specific=f"{money(amount, str(currency))} of spend is billed in a currency other than "
                f"{config.currency} and is left out of every total",
                limits=f"state total spend and budget position in {config.currency}",
                instrumentation=f"a billing export in {config.currency}, or a conversion at the source",
                priority="P2",
                start=start,
                end=end,
                sources=_sources(rows),
                amount=amount,
            )
        )
    return gaps


def _sources(rows: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted({str(s) for s in rows["source"]}))
