"""The brief's tables, built once from facts and shown by every format (web, PDF, email, text, markdown).

    Table(key, caption, columns, rows, numeric=(...), worst=None)     rows are lists of Cell
    slo_table(facts), budget_table(facts), unit_cost_table(facts, only=None), showback_table(facts),
    cache_table(facts), incident_table(facts), action_item_table(facts), quality_table(facts),
    gap_table(facts), source_table(facts), next_action_table(actions, today)
    markdown_table(table) / text_table(table)     the same table as GFM markdown and as aligned plain text

Numbers are formatted here with render.formatting, units go in the column headers, ``worst`` marks the row
that needs attention first (the HTML adds a visually hidden "Worst:" and a marker; text formats a "◀ worst"
suffix). A missing figure is a ``Cell`` whose text is "no data", never 0. The print edition shortens long
tables (render.brief_print) and says what it left out in ``condensed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..analysis.facts_model import Incident, PeriodFacts
from ..narrative.reliability import LOW_BUDGET
from ..narrative.sections import early_days
from . import formatting as f
from .markdown import strip_markdown_emphasis


@dataclass(frozen=True)
class Cell:
    text: str
    state: str | None = None  # a status token key: the cell shows icon + word, not colour alone
    tone: str | None = None  # good | bad | neutral | gap, for changes
    strong: bool = False
    sub: str | None = None  # a second, quieter line (the component under an SLO name)

    @property
    def plain(self) -> str:
        icon = f.status_token(self.state).icon + " " if self.state else ""
        return icon + self.text + (f" ({self.sub})" if self.sub else "")


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    numeric: frozenset[int] = field(default_factory=frozenset)
    worst: int | None = None
    note: str | None = None
    condensed: str | None = None  # print edition: what was left out of a long table, in words


def _cell(value: Any, **kw: Any) -> Cell:
    if isinstance(value, Cell):
        return value
    text = f.GAP if f.is_gap(value) else str(value)
    return Cell(text, **kw)


def _table(key: str, caption: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], **kw: Any) -> Table:
    return Table(key, caption, tuple(columns), [[_cell(c) for c in r] for r in rows], **kw)


def _change(value: float | None, unit: str, precision: int, higher_is_better: bool | None) -> Cell:
    if f.is_gap(value):
        return Cell(f.GAP, tone="gap")
    text = f.delta(value, unit, precision)
    tone = "neutral"
    if higher_is_better is not None and not text.startswith("►"):
        tone = "good" if text.startswith("▲") == higher_is_better else "bad"
    return Cell(text, tone=tone)


def _worst(values: Sequence[float | None], lowest: bool = True) -> int | None:
    known = [(v, i) for i, v in enumerate(values) if v is not None]
    if not known:
        return None
    return (min if lowest else max)(known)[1]


def unit_money(value: float | None, currency: str) -> str:
    """Cost per task: 4 decimals, 6 below a tenth of a cent, so a small figure never reads as $0.0000."""
    if f.is_gap(value):
        return f.GAP
    return f.money(value, currency, 4 if abs(value) >= 0.001 or value == 0 else 6)


def _names(facts: PeriodFacts) -> dict[str, str]:
    return {c.id: c.name or c.id for c in facts.components}


def _budget_state(remaining: float | None) -> str | None:
    if remaining is None:
        return "no_data"
    return "major_outage" if remaining < 0 else ("degraded" if remaining < LOW_BUDGET else None)


def slo_table(facts: PeriodFacts) -> Table:
    slos = sorted(
        facts.slos,
        key=lambda s: (not s.customer_facing, s.budget_remaining is not None, s.budget_remaining or 0, s.name),
    )  # fmt: skip
    rows = []
    for s in slos:
        change = s.attainment_change_pp
        remaining = s.budget_remaining
        rows.append([
            Cell(s.name, strong=True, sub=s.component_name or s.component), s.sli or "",
            f"{f.pct(s.objective, 2)} / {f.days(s.window_days)}", f.pct(s.week_attainment, 2),
            f.pct(s.attainment, 2), Cell(f.pct(remaining, 0), state=_budget_state(remaining)),
            f.multiplier(s.burn_rate.get("1h")), _change(change, "pp", 2, True),
        ])  # fmt: skip
    columns = ("SLO and component", "SLI", "Objective / window", "This week (%)", "Over the window (%)",
               "Budget remaining (%)", "Burn rate, 1 h (x)", "Change vs last week (pp)")  # fmt: skip
    facing = [s.budget_remaining if s.customer_facing else None for s in slos]
    note = "Customer-facing SLOs first, least budget first. Burn rate 1x spends the budget exactly over its window."
    return _table("slos", "Service level objectives", columns, rows, numeric=frozenset({2, 3, 4, 5, 6, 7}),
                  worst=_worst(facing), note=note)  # fmt: skip


def budget_table(facts: PeriodFacts) -> Table | None:
    """None without budgets: a table of headings alone says nothing (the spend tile says none is configured)."""
    cur = facts.currency or "USD"
    budgets = sorted(facts.cost.budgets, key=lambda b: -(b.projected_share or 0))
    if not budgets:
        return None
    rows = [
        [Cell(b.team, strong=True), f.money(b.month_to_date, cur), f.money(b.monthly_budget, cur),
         f.money(b.projected_month_end, cur),
         Cell(f.pct(b.projected_share, 1), state="degraded" if (b.projected_share or 0) > 1 else None)]
        for b in budgets
    ]  # fmt: skip
    month_end = facts.cost.month_end
    if budgets and month_end is not None and month_end.projected_month_end is not None:
        for t in month_end.teams:
            if t.monthly_budget is None:
                rows.append([Cell(t.team or "No team", strong=True), f.money(t.month_to_date, cur),
                             "no budget", f.money(t.projected_month_end, cur), "no budget"])  # fmt: skip
        rows.append([Cell("Budgeted teams", strong=True), f.money(month_end.budgeted_month_to_date, cur),
                     f.money(month_end.budget_total, cur), f.money(month_end.budgeted_projected, cur),
                     f.pct(month_end.budgeted_share, 1)])  # fmt: skip
        rows.append([Cell("All spend", strong=True), f.money(month_end.month_to_date, cur), "",
                     f.money(month_end.projected_month_end, cur), ""])  # fmt: skip
    month = budgets[0].month if budgets else None
    columns = ("Team", f"Month to date ({cur})", f"Monthly budget ({cur})", f"Projected month-end ({cur})", "Projected share of budget (%)")  # fmt: skip
    return _table("budgets", f"Spend against monthly budget{f', {month}' if month else ''}", columns, rows,
                  numeric=frozenset({1, 2, 3, 4}), worst=_worst([b.projected_share for b in budgets], lowest=False),
                  note=f"Projection: month-to-date spend extended at the month's average daily rate{_early(facts)}. All "
                       "spend: every row of the month, budgeted or not.")  # fmt: skip


def closed_month_table(facts: PeriodFacts) -> Table | None:
    """The budget month that ended inside the period, whole (`cost.closed_month`); None when no complete month
    ended in it."""
    m, cur = facts.cost.closed_month, facts.currency or "USD"
    if m is None or not m.complete:
        return None
    teams = sorted(m.teams, key=lambda t: (-(t.share or 0), t.team))
    rows = [
        [Cell(t.team, strong=True), f.money(t.spend, cur), f.money(t.monthly_budget, cur),
         Cell(f.pct(t.share, 1), state="degraded" if (t.share or 0) > 1 else None)]
        for t in teams
    ]  # fmt: skip
    if m.unbudgeted_spend:
        rows.append(
            [Cell("No budget", strong=True), f.money(m.unbudgeted_spend, cur), "no budget", "no budget"]
        )
    rows.append([Cell("Budgeted teams", strong=True), f.money(m.budgeted_spend, cur), f.money(m.budget_total, cur),
                 f.pct(m.budgeted_share, 1)])  # fmt: skip
    rows.append([Cell("All spend", strong=True), f.money(m.spend, cur), "", ""])
    columns = ("Team", f"Spend ({cur})", f"Monthly budget ({cur})", "Share of budget (%)")
    return _table("closed-month", f"Spend against monthly budget, {m.month}, the whole month", columns, rows,
                  numeric=frozenset({1, 2, 3}), worst=_worst([t.share for t in teams], lowest=False),
                  note=f"The month closed: every ledger day from {m.first_day} to {m.data_through}.")  # fmt: skip


def _early(facts: PeriodFacts) -> str:
    """ ", from the month's first 2 days only" when the projection rests on fewer than a week of the month."""
    first = early_days(facts.cost.month_end)
    return f", from the month's first {first} only" if first else ""


def unit_cost_components(facts: PeriodFacts) -> list[str]:
    """Component ids of the unit economics table, in its order: most spend first."""
    now, spend = facts.cost.per_successful_task, facts.cost.by_component
    return sorted(set(now) | set(spend), key=lambda c: (-(spend.get(c) or 0), c))


def unit_cost_table(facts: PeriodFacts, only: Iterable[str] | None = None) -> Table:
    """``only``: the component ids to show (the print edition's short form), in the table's order."""
    cost, cur, names = facts.cost, facts.currency or "USD", _names(facts)
    now, before = cost.per_successful_task, cost.previous_per_successful_task
    spend = cost.by_component
    ids = unit_cost_components(facts)
    if only is not None:
        keep = set(only)
        ids = [c for c in ids if c in keep]
    rows, changes = [], []
    for c in ids:
        v, b = now.get(c), before.get(c)
        change = cost.per_successful_task_change.get(c)
        changes.append(change)
        rows.append([Cell(names.get(c, c), strong=True), f.money(spend.get(c), cur), unit_money(v, cur),
                     unit_money(b, cur), _change(change, "%", 1, False)])  # fmt: skip
    columns = ("Component", f"Spend this week ({cur})", f"Cost per successful task ({cur})", f"Previous week ({cur})", "Change (%)")  # fmt: skip
    return _table("unit-cost", "Unit economics by component", columns, rows, numeric=frozenset({1, 2, 3, 4}),
                  worst=_worst(changes, lowest=False),
                  note="Cost per successful task = attributed spend / successful requests.")  # fmt: skip


def showback_table(facts: PeriodFacts) -> Table:
    cost, cur = facts.cost, facts.currency or "USD"
    items = sorted(cost.by_team.items(), key=lambda kv: (-(kv[1] or 0), kv[0]))
    shares = cost.by_team_share
    rows = [[Cell(t, strong=True), f.money(v, cur), f.pct(shares.get(t), 1)] for t, v in items]
    if cost.unattributed is not None:
        u = cost.unattributed
        rows.append([Cell("Unattributed (no team tag)", state="no_data" if u else None), f.money(u, cur),
                     f.pct(cost.unattributed_share, 1)])  # fmt: skip
    return _table("showback", "Showback by team, this week", ("Team", f"Spend ({cur})", "Share of total (%)"), rows,
                  numeric=frozenset({1, 2}), note="The same figures, by team and by component, are in showback.csv.")  # fmt: skip


def cache_table(facts: PeriodFacts) -> Table | None:
    cache, cur, names = facts.cost.cache, facts.currency or "USD", _names(facts)
    if cache is None or (not cache.by_component and cache.hit_rate is None):
        return None
    rows = [
        [names.get(c, c), f.pct(v.hit_rate, 1), f.money(v.saving, cur)]
        for c, v in sorted(cache.by_component.items())
    ]
    rows.append(
        [Cell("All cached traffic", strong=True), f.pct(cache.hit_rate, 1), f.money(cache.saving, cur)]
    )
    note = f"Saving at configured prices ({cache.price_source})." if cache.price_source else None
    return _table("cache", "Prompt cache economics", ("Component", "Cache hit rate (%)", f"Saving ({cur})"), rows,
                  numeric=frozenset({1, 2}), note=note)  # fmt: skip


def incident_table(facts: PeriodFacts) -> Table | None:
    items, cur, names = facts.incidents, facts.currency or "USD", _names(facts)
    if not items:
        return None
    rows = []
    for i in items:
        pm_status = i.postmortem.status if i.postmortem else ""
        impact = i.business_impact.amount if i.business_impact else None
        state = None if i.resolved_at else "major_outage"
        rows.append([
            Cell(i.id, strong=True), i.title, Cell(i.severity, state=state),
            ", ".join(names.get(c, c) for c in i.components),
            f.duration_minutes(i.duration_minutes) if i.resolved_at else "open",
            f.number(i.impact_minutes, 0),
            _at_rate(i, cur) if impact is not None else ("degraded, not charged" if i.impact_kind == "degraded" else f.GAP),
            f.duration_minutes(i.mtta_minutes), f.duration_minutes(i.time_to_resolve_minutes),
            (pm_status or "").replace("_", " ") or ("not yet written" if i.severity in ("SEV1", "SEV2") else "not required"),
        ])  # fmt: skip
    columns = ("Incident", "Title", "Severity", "Components", "Duration", "Customer impact (min)",
               f"Revenue at risk ({cur})", "Time to acknowledge", "Time to resolve", "Postmortem")  # fmt: skip
    source = facts.business.assumptions_source
    note = f"Revenue at risk = impact minutes x revenue at risk per minute (assumption: {source})." if source else (
        "Revenue at risk cannot be stated: no business assumption is configured (observability gap).")  # fmt: skip
    return _table("incidents", "Incidents this week", columns, rows, numeric=frozenset({4, 5, 6, 7, 8}),
                  worst=_worst([i.impact_minutes for i in items], lowest=False), note=note)  # fmt: skip


def action_item_table(facts: PeriodFacts) -> Table | None:
    rows = []
    for i in facts.incidents:
        for a in i.postmortem.action_items if i.postmortem else []:
            state = "operational" if a.done else ("major_outage" if a.overdue else None)
            word = "Done" if a.done else ("Overdue" if a.overdue else "Open")
            rows.append([i.id, a.title, Cell(a.owner or f.GAP, strong=True), f.date(a.due),
                         Cell(word, state=state)])  # fmt: skip
    if not rows:
        return None
    return _table("action-items", "Postmortem action items", ("Incident", "Action item", "Owner", "Due", "Status"),
                  rows, numeric=frozenset({3}))  # fmt: skip


def quality_table(facts: PeriodFacts) -> Table | None:
    items, names = facts.quality, _names(facts)
    if not items:
        return None
    rows = []
    for q in items:
        met = q.met
        state = "no_data" if met is None else ("operational" if met else "degraded")
        rows.append([
            Cell(names.get(q.component, q.component), strong=True), q.model_version or "all versions",
            Cell(f.pct(q.eval_pass_rate, 1), state=state), f.pct(q.target, 1),
            f.pct(q.accuracy_budget_remaining, 0),
            f"{f.pct(q.hallucination_rate, 2)} / {f.pct(q.hallucination_max, 2)}",
            f"{f.pct(q.toxicity_rate, 2)} / {f.pct(q.toxicity_max, 2)}", f.count(q.cases),
        ])  # fmt: skip
    columns = ("Component", "Model version", "Eval pass rate (%)", "Target (%)", "Accuracy budget left (%)",
               "Hallucination / max (%)", "Toxicity / max (%)", "Eval cases")  # fmt: skip
    return _table("quality", "Answer quality and safety", columns, rows, numeric=frozenset({2, 3, 4, 5, 6, 7}),
                  worst=_worst([q.accuracy_budget_remaining for q in items]))  # fmt: skip


def gap_table(facts: PeriodFacts) -> Table | None:
    gaps, names = facts.gaps, _names(facts)
    if not gaps:
        return None
    rows = [
        [Cell(g.priority or f.GAP, state="no_data", strong=True), names.get(g.component or "", g.component or "platform"),
         (g.kind or "").replace("_", " "), g.signal or "-",
         f"{f.timestamp(g.start)} to {f.timestamp(g.end)}" if g.start and g.end else "whole window"]
        for g in sorted(gaps, key=lambda g: (g.priority or "P9", g.component or ""))
    ]  # fmt: skip
    return _table("gaps", "Observability gaps", ("Priority", "Component", "Kind", "Signal", "When"), rows)


def source_table(facts: PeriodFacts) -> Table:
    rows = [
        [Cell(s.id, strong=True), s.type or "", f.count(s.file_count), f.count(s.rows),
         f.timestamp(s.start), f.timestamp(s.end)]
        for s in facts.sources
    ]  # fmt: skip
    return _table("sources", "Sources", ("Source", "Type", "Files", "Rows", "From", "To"), rows,
                  numeric=frozenset({2, 3}), note="Every file with its sha256 is listed in manifest.json.")  # fmt: skip


def next_action_table(actions: Iterable[Any], today: str) -> Table:
    """One row per action; a deadline before ``today`` (the as-of date, `grouping.as_of_day`) says it is past,
    in word and icon, so it does not read as still to come."""
    rows = [
        [
            Cell(strip_markdown_emphasis(a.action)),
            Cell(a.owner, strong=True),
            deadline_cell(a.deadline, today),
        ]
        for a in actions
    ]
    return _table(
        "next-actions", "Next Actions", ("Action", "Owner", "Deadline"), rows, numeric=frozenset({2})
    )


def deadline_cell(deadline: str, today: str | None) -> Cell:
    """A deadline: the date, marked overdue (word and icon) when it is before ``today``."""
    if deadline and today and str(deadline) < today:
        return Cell(f"{f.date(deadline)}, overdue", state="major_outage")
    return Cell(f.date(deadline))


def _escape_md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    head = "| " + " | ".join(_escape_md(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if i in table.numeric else "---" for i in range(len(table.columns))) + "|"
    lines = [f"**{table.caption}**", "", head, rule]
    for n, row in enumerate(table.rows):
        cells = [(f"**{_escape_md(c.plain)}**" if c.strong else _escape_md(c.plain)) for c in row]
        if n == table.worst:
            cells[0] += " ◀ worst"
        lines.append("| " + " | ".join(cells) + " |")
    if table.note:
        lines += ["", f"*{table.note}*"]
    return "\n".join(lines)


def text_table(table: Table, width: int = 76) -> str:
    """Aligned columns when they fit ``width``; otherwise one block per row with "label: value" lines."""
    body = [[c.plain + (" ◀ worst" if n == table.worst and i == 0 else "") for i, c in enumerate(row)]
            for n, row in enumerate(table.rows)]  # fmt: skip
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(table.columns)]
    out = [table.caption, "=" * min(len(table.caption), width)]
    if sum(widths) + 2 * (len(widths) - 1) <= width:

        def line(cells: Sequence[str]) -> str:
            parts = [
                c.rjust(w) if i in table.numeric else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ]
            return "  ".join(parts).rstrip()

        out += [line(table.columns), line(["-" * w for w in widths]), *(line(r) for r in body)]
    else:
        for r in body:
            out.append(f"* {r[0]}")
            out += [f"    {h}: {c}" for h, c in zip(table.columns[1:], r[1:], strict=True)]
    if table.note:
        out.append(table.note)
    return "\n".join(out)


def _at_rate(incident: Incident, cur: str) -> str:
    """ "$32,580 at $180/min": the amount at risk with the per-minute rate it was charged at."""
    impact = incident.business_impact
    if impact is None:
        return f.GAP
    rate = impact.rate_per_minute
    amount = f.money(impact.amount, cur)
    return f"{amount} at {f.money(rate, cur)}/min" if rate is not None and impact.amount else amount
