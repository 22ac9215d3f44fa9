"""The print edition of the brief (the PDF): the web edition's sections, with long parts in a short form.

    tables = print_tables(facts, ctx["tables"], web_url=ctx["web_url"])   section -> [Table]
    charts = print_charts(facts, history)                                  section -> [chart spec]
    table = recommendation_table(recommendations, web_url, today)           None for a few recommendations
    table = print_next_actions(facts, ctx["next_actions"], actions, web_url)  counted by owner when many
    text = shorten_lists(section_markdown, web_url)                         long narrative lists and
                                                                            sections cut

An executive reads the PDF on paper, and the print layout sets every row of every table, so a table of more
than ``PRINT_ROWS`` rows is shortened here; the web edition keeps every row. Each shortened table says in
``Table.condensed`` what it left out, with counts and sums taken from the facts, and where to find it.
What is never left out:

- every SLO whose error budget is exhausted, under ``LOW_BUDGET`` (narrative/reliability.py), without data (no budget, no
  attainment this week, or insufficient data), below its objective this week, or with an active alert;
  when there are more than ``PRINT_ROWS`` of them they are listed by state in one compact table;
- every SEV1 and SEV2 incident and every open one; every open or overdue postmortem action item;
- every observability gap (grouped by priority, kind, signal and time, each component named);
- every team projected over its monthly budget or without a projection, every component whose cost per
  successful task is no data, every eval below target or without data, and the unattributed spend;
- every source (grouped by type in the appendix).

More than ``PRINT_CALLOUTS`` recommendations print as one table (their actions are under Next Actions); a
narrative list of more than ``PRINT_LIST_ITEMS`` entries shows its first ones and says how many follow, and
so does a narrative section of more than ``PRINT_PARAGRAPHS`` paragraphs (lists count as one; the narrator
writes the most severe first). More than ``PRINT_ROWS`` next actions print as one row per owner: how many
actions, how many are past their deadline on the as-of date, and the earliest deadline; each action is in
the web edition, the markdown and the email.

The thresholds sit above what a project of about ten components produces (the demo: at most 5 paragraphs
in a section, 8 next actions), so such a project's PDF lists everything; at 50 components and 100 SLOs
(``benchmarks/scale.py``) the sections of 12 to 14 paragraphs and the 120-odd next actions are shortened,
which is most of what kept that PDF at 17 pages.
Charts: the spend chart draws the ``PRINT_BARS`` largest lines (Unattributed always among them), the
error-budget chart the ``PRINT_LINES`` customer-facing SLOs with the least budget left; a note under each
says what is not drawn, and their titles still state the conclusion drawn from every component.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from markdown_it import MarkdownIt

from ..analysis.facts_model import PeriodFacts, Slo
from ..narrative.reliability import LOW_BUDGET
from . import brief_charts as bc
from . import brief_tables as bt
from . import formatting as f
from .brief_tables import Cell, Table
from .grouping import as_of_day, by_owner, gathered

PRINT_ROWS = 12
"""A table with more rows than this is shortened in print."""
PRINT_TOP = 8
"""How many of the largest rows (spend, budget share) a shortened table keeps."""
PRINT_CALLOUTS = 5
"""More recommendations than this print as one table instead of one box each."""
PRINT_LIST_ITEMS = 8
"""A narrative bullet or numbered list with more items than this shows its first ones in print."""
PRINT_PARAGRAPHS = 8
"""A narrative section with more top-level paragraphs (a list counts as one) shows its first ones in print."""
PRINT_BARS = 10
PRINT_LINES = 8

SLO_GROUPS = (
    ("major_outage", "Error budget exhausted"),
    ("degraded", "At risk"),
    ("no_data", "No data"),
)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{f.count(n)} {word if n == 1 else (plural or word + 's')}"


def _where(web_url: str | None) -> str:
    return f"in the web edition ({web_url})" if web_url else "in the web edition"


def slo_attention(slo: Slo) -> str | None:
    """The state an SLO is listed under in print (a status token key), or None when it met its target."""
    remaining, week = slo.budget_remaining, slo.week_attainment
    if f.is_gap(remaining) or f.is_gap(week) or slo.data_sufficient is False:
        return "no_data"
    if remaining < 0:
        return "major_outage"
    alerting = any(a.active for a in slo.alerts)
    if remaining < LOW_BUDGET or week < slo.objective or alerting:
        return "degraded"
    return None


def _slo_item(s: Slo) -> str:
    component = s.component_name or s.component or ""
    return f"{s.name} ({component}) {f.pct(s.budget_remaining, 0)}"


def print_slos(facts: PeriodFacts, table: Table, web_url: str | None) -> Table:
    slos = facts.slos
    if len(slos) <= PRINT_ROWS:
        return table
    flagged = [s for s in slos if slo_attention(s)]
    others = len(slos) - len(flagged)
    where = _where(web_url)
    floor = f.pct(LOW_BUDGET, 0)
    if others:
        condensed = (
            f"{_plural(others, 'other objective')} met {'its' if others == 1 else 'their'} target this week "
            f"with at least {floor} of the error budget left and no active alert; the full table of "
            f"{f.count(len(slos))} objectives, with attainment, burn rate and weekly change, is {where}."
        )
    else:
        condensed = (
            f"Every one of the {f.count(len(slos))} objectives is listed above; the full table, with attainment, "
            f"burn rate and weekly change, is {where}."
        )
    caption = "Service level objectives needing attention"
    if len(flagged) <= PRINT_ROWS:
        return replace(
            bt.slo_table(facts.model_copy(update={"slos": flagged})), caption=caption, condensed=condensed
        )
    rows = []
    for state, label in SLO_GROUPS:
        members = sorted(
            (s for s in flagged if slo_attention(s) == state),
            key=lambda s: (f.is_gap(s.budget_remaining), s.budget_remaining or 0, s.name),
        )
        if members:
            items = " · ".join(_slo_item(s) for s in members)
            rows.append([Cell(f"{label}: {f.count(len(members))}", state=state), Cell(items)])
    note = (
        f"At risk: under {floor} of the error budget left, below the objective this week, or an active "
        "burn-rate alert. No data: the budget or this week's attainment could not be computed."
    )
    columns = ("State: objectives", "Objective (component) budget remaining (%), least first")
    return Table("slos-by-state", caption, columns, rows, note=note, condensed=condensed)


def print_unit_cost(facts: PeriodFacts, table: Table, web_url: str | None) -> Table:
    ids = bt.unit_cost_components(facts)
    if len(ids) <= PRINT_ROWS:
        return table
    cost, cur = facts.cost, facts.currency or "USD"
    now, before = cost.per_successful_task, cost.previous_per_successful_task
    spend = cost.by_component
    changes = {c: now[c] / before[c] - 1 for c in ids if now.get(c) is not None and before.get(c)}
    keep = set(ids[:PRINT_TOP]) | {c for c in ids if f.is_gap(now.get(c))}
    if changes:
        keep.add(max(changes, key=lambda c: (changes[c], c)))
    hidden = [c for c in ids if c not in keep]
    shown = bt.unit_cost_table(facts, only=keep)
    hidden_spend = sum(spend.get(c) or 0 for c in hidden)
    condensed = (
        f"Shown: the {f.count(PRINT_TOP)} components with the most spend, the largest rise in cost per "
        f"successful task and every component without that figure. The other {_plural(len(hidden), 'component')}, "
        f"{f.money(hidden_spend, cur)} of spend together, are {_where(web_url)} and in showback.csv."
    )
    return replace(shown, condensed=condensed)


def print_cache(facts: PeriodFacts, table: Table, web_url: str | None) -> Table:
    by = facts.cost.cache.by_component if facts.cost.cache else {}
    if len(table.rows) <= PRINT_ROWS:
        return table
    no_saving = sum(1 for v in by.values() if f.is_gap(v.saving))
    no_rate = sum(1 for v in by.values() if f.is_gap(v.hit_rate))
    gaps = [
        f"the {what} of {'every one' if n == len(by) else f.count(n)} of them"
        for what, n in (("saving", no_saving), ("hit rate", no_rate))
        if n
    ]
    unknown = f"; {' and '.join(gaps)} cannot be stated (observability gap)" if gaps else ""
    condensed = f"The hit rate and saving of each of the {_plural(len(by), 'component')} are {_where(web_url)}{unknown}."
    return replace(table, rows=list(table.rows[-1:]), condensed=condensed)


def print_showback(facts: PeriodFacts, table: Table, web_url: str | None) -> Table:
    cost, cur = facts.cost, facts.currency or "USD"
    teams = sorted(cost.by_team.items(), key=lambda kv: (-(kv[1] or 0), kv[0]))
    if len(table.rows) <= PRINT_ROWS:
        return table
    total = cost.total
    shown, rest = teams[:PRINT_TOP], teams[PRINT_TOP:]
    rest_spend: float | None = sum(v or 0 for _, v in rest)

    def share(value: float | None) -> Cell:
        return Cell(f.pct(value / total if total and value is not None else None, 1))

    if any(v is None for _, v in rest):
        rest_spend = None
    rows = [[Cell(t, strong=True), Cell(f.money(v, cur)), share(v)] for t, v in shown]
    rows.append(
        [Cell(f"Other teams ({f.count(len(rest))})"), Cell(f.money(rest_spend, cur)), share(rest_spend)]
    )
    if cost.unattributed is not None:
        rows.append(list(table.rows[-1]))
    condensed = f"Each of the other {_plural(len(rest), 'team')} is {_where(web_url)} and in showback.csv."
    return replace(table, rows=rows, condensed=condensed)


def print_budgets(facts: PeriodFacts, table: Table, web_url: str | None) -> Table:
    budgets = sorted(facts.cost.budgets, key=lambda b: -(b.projected_share or 0))
    if len(budgets) <= PRINT_ROWS:
        return table
    keep = [
        b for n, b in enumerate(budgets)
        if n < PRINT_TOP or f.is_gap(b.projected_share) or b.projected_share > 1
    ]  # fmt: skip
    hidden = [b for b in budgets if b not in keep]
    if not hidden:
        return table
    highest = max(b.projected_share for b in hidden)
    condensed = (
        f"The other {_plural(len(hidden), 'team')} are projected to spend at most {f.pct(highest, 1)} of "
        f"{'its' if len(hidden) == 1 else 'their'} monthly budget; each is {_where(web_url)}."
    )
    shown = bt.budget_table(
        facts.model_copy(update={"cost": facts.cost.model_copy(update={"budgets": keep})})
    )
    assert shown is not None  # keep holds the first PRINT_TOP teams
    return replace(shown, condensed=condensed)


def print_incidents(facts: PeriodFacts, table: Table, web_url: str | None) -> Table:
    """Every SEV1, SEV2 and open incident in seven columns (the title under the id); the rest counted."""
    items, cur = facts.incidents, facts.currency or "USD"
    if len(items) <= PRINT_ROWS:
        return table
    names = {c.id: c.name or c.id for c in facts.components}
    keep = [i for i in items if i.severity in ("SEV1", "SEV2") or not i.resolved_at]
    hidden = [i for i in items if i not in keep]
    by_severity: dict[str, int] = {}
    for i in hidden:
        by_severity[i.severity] = by_severity.get(i.severity, 0) + 1
    mix = ", ".join(f"{f.count(n)} {sev}" for sev, n in sorted(by_severity.items()))
    minutes = [i.impact_minutes for i in hidden]
    known = [m for m in minutes if not f.is_gap(m)]
    total = sum(known)
    impact = (
        f"with {f.duration_minutes(total)} of customer impact together"
        if total
        else "without customer impact"
    )
    if len(known) < len(minutes):
        impact += f" (customer impact no data for {f.count(len(minutes) - len(known))} of them)"
    shown = "Shown: every SEV1 and SEV2 incident and every open one." if keep else (
        "There was no SEV1, SEV2 or open incident.")  # fmt: skip
    others = (f" The {'other ' if keep else ''}{_plural(len(hidden), 'incident')} ({mix}), all resolved and {impact}, "
              f"{'is' if len(hidden) == 1 else 'are'} {_where(web_url)}.") if hidden else ""  # fmt: skip
    condensed = f"{shown}{others} Duration and time to acknowledge of each incident are {_where(web_url)}."
    rows = []
    for i in keep:
        pm_status = i.postmortem.status if i.postmortem else ""
        amount = i.business_impact.amount if i.business_impact else None
        resolved = bool(i.resolved_at)
        postmortem = (pm_status or "").replace("_", " ") or (
            "not yet written" if i.severity in ("SEV1", "SEV2") else "not required")  # fmt: skip
        rows.append([
            Cell(i.id, strong=True, sub=i.title), Cell(i.severity, state=None if resolved else "major_outage"),
            Cell(", ".join(names.get(c, c) for c in i.components)),
            Cell(f.number(i.impact_minutes, 0)), Cell(f.money(amount, cur) if amount is not None else f.GAP),
            Cell(f.duration_minutes(i.time_to_resolve_minutes) if resolved else "open"),
            Cell(postmortem),
        ])  # fmt: skip
    columns = ("Incident", "Severity", "Components", "Customer impact (min)", f"Revenue at risk ({cur})",
               "Time to resolve", "Postmortem")  # fmt: skip
    worst = max(range(len(keep)), key=lambda n: keep[n].impact_minutes or 0) if keep else None
    return Table("incidents-major", "Incidents this week: SEV1, SEV2 and open", columns, rows,
                 numeric=frozenset({3, 4, 5}), worst=worst, note=table.note, condensed=condensed)  # fmt: skip


def print_action_items(facts: PeriodFacts, table: Table, web_url: str | None) -> Table:
    if len(table.rows) <= PRINT_ROWS:
        return table
    keep = [r for r in table.rows if r[4].text != "Done"]
    done = len(table.rows) - len(keep)
    condensed = (
        f"Shown: open and overdue action items. {_plural(done, 'completed action item')} "
        f"{'is' if done == 1 else 'are'} {_where(web_url)}."
    )
    return replace(table, rows=keep, condensed=condensed)


def print_quality(facts: PeriodFacts, table: Table, web_url: str | None) -> Table:
    items = facts.quality
    if len(items) <= PRINT_ROWS:
        return table
    keep = [q for q in items if q.met is not True]
    met = len(items) - len(keep)
    condensed = (
        f"Shown: every eval below its target or without data. {_plural(met, 'other eval')} met "
        f"{'its' if met == 1 else 'their'} target; each is {_where(web_url)}."
    )
    shown = bt.quality_table(facts.model_copy(update={"quality": keep}))
    if shown is None:
        return replace(table, rows=[], worst=None, condensed=condensed)
    return replace(shown, condensed=condensed)


def print_gaps(facts: PeriodFacts, table: Table, web_url: str | None) -> Table:
    gaps, names = facts.gaps, {c.id: c.name or c.id for c in facts.components}
    if len(gaps) <= PRINT_ROWS:
        return table
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for g in gaps:
        when = f"{f.timestamp(g.start)} to {f.timestamp(g.end)}" if g.start and g.end else "whole window"
        key = (g.priority or f.GAP, (g.kind or "").replace("_", " "), g.signal or "-", when)
        groups.setdefault(key, []).append(names.get(g.component or "", g.component or "platform"))
    rows = []
    for (priority, kind, signal, when), members in sorted(
        groups.items(), key=lambda kv: (kv[0][0] == f.GAP, kv[0])
    ):
        listed = ", ".join(sorted(members))
        where = listed if len(members) == 1 else f"{f.count(len(members))}: {listed}"
        rows.append(
            [Cell(priority, state="no_data", strong=True), Cell(kind), Cell(signal), Cell(when), Cell(where)]
        )
    condensed = (
        f"The {_plural(len(gaps), 'gap')} are grouped by priority, kind, signal and time, with every component "
        f"named; one row per gap is {_where(web_url)}."
    )
    columns = ("Priority", "Kind", "Signal", "When", "Components")
    return Table("gaps", "Observability gaps", columns, rows, condensed=condensed)


def print_sources(facts: PeriodFacts, table: Table, web_url: str | None) -> Table:
    """Sources by type: their names, files, rows and the time they span together."""
    sources = facts.sources
    if len(sources) <= PRINT_ROWS:
        return table
    ids: dict[str, list[str]] = {}
    for src in sources:
        ids.setdefault(src.type or "", []).append(src.id)
    rows = []
    for group in facts.source_types:
        kind = group.name or ""
        rows.append([
            Cell(kind or f.GAP, strong=True), Cell(", ".join(sorted(ids.get(kind, [])))),
            Cell(f.count(group.file_count)), Cell(f.count(group.rows)),
            Cell(f.timestamp(group.start)), Cell(f.timestamp(group.end)),
        ])  # fmt: skip
    condensed = (
        f"The {_plural(facts.source_totals.count, 'source')} are grouped by type, from the earliest start to the latest end; "
        f"each source with its own figures is {_where(web_url)}."
    )
    columns = ("Type", "Sources", "Files", "Rows", "From", "To")
    return Table("sources-by-type", "Sources", columns, rows, numeric=frozenset({2, 3}), note=table.note,
                 condensed=condensed)  # fmt: skip


CONDENSERS: dict[str, Callable[[PeriodFacts, Table, str | None], Table]] = {
    "slos": print_slos,
    "budgets": print_budgets,
    "unit-cost": print_unit_cost,
    "showback": print_showback,
    "cache": print_cache,
    "incidents": print_incidents,
    "action-items": print_action_items,
    "quality": print_quality,
    "gaps": print_gaps,
    "sources": print_sources,
}


def print_tables(
    facts: PeriodFacts, tables: Mapping[str, Sequence[Table]], *, web_url: str | None = None
) -> dict[str, list[Table]]:
    """The brief's tables for print: each long one shortened by its condenser, the others unchanged."""
    out: dict[str, list[Table]] = {}
    for section, items in tables.items():
        out[section] = [CONDENSERS[t.key](facts, t, web_url) if t.key in CONDENSERS else t for t in items]
    return out


def print_charts(facts: PeriodFacts, history: Sequence[Mapping[str, Any]]) -> dict[str, list[dict]]:
    """The brief's charts for print: at most PRINT_LINES budget lines and PRINT_BARS spend bars."""
    return {
        "reliability": [c for c in (bc.budget_chart(facts, history, limit=PRINT_LINES),) if c],
        "cost": [c for c in (bc.spend_chart(facts, limit=PRINT_BARS),) if c],
    }


_LISTS = MarkdownIt("commonmark")


def shorten_lists(
    text: str, web_url: str | None = None, limit: int = PRINT_LIST_ITEMS, paragraphs: int = PRINT_PARAGRAPHS
) -> str:
    """Markdown with every top-level list of more than ``limit`` items cut to its first ``limit``, followed by
    a line saying how many more items the web edition has; a text of more than ``paragraphs`` top-level
    blocks (paragraphs, lists, quotes) keeps its first ``paragraphs`` and says how many follow. Everything
    else is kept as written."""
    lines = text.split("\n")
    tokens = _LISTS.parse(text)
    blocks = [t.map for t in tokens if t.level == 0 and t.nesting in (0, 1) and t.map and t.block]
    if len(blocks) > paragraphs:
        more = len(blocks) - paragraphs
        note = f"*The section continues with {_plural(more, 'more paragraph')} {_where(web_url)}.*"
        text = "\n".join([*lines[: blocks[paragraphs][0]], "", note, ""])
        lines, tokens = text.split("\n"), _LISTS.parse(text)
    cuts: list[tuple[int, int, int]] = []
    for n, token in enumerate(tokens):
        if token.level != 0 or token.type not in ("bullet_list_open", "ordered_list_open") or not token.map:
            continue
        items = []
        for t in tokens[n + 1 :]:
            if t.type == token.type.replace("_open", "_close") and t.level == 0:
                break
            if t.type == "list_item_open" and t.level == 1 and t.map:
                items.append(t.map)
        if len(items) > limit:
            cuts.append((items[limit][0], token.map[1], len(items) - limit))
    for start, end, more in reversed(cuts):
        note = f"*The list continues with {_plural(more, 'more entry', 'more entries')} {_where(web_url)}.*"
        lines[start:end] = ["", note, ""]
    return "\n".join(lines)


def print_next_actions(
    facts: PeriodFacts, table: Table, actions: Sequence[Any], web_url: str | None
) -> Table:
    """Next Actions for print: as they are up to ``PRINT_ROWS``; beyond, one row per owner (earliest deadline
    first) with the number of actions, how many are past their deadline on the as-of date, and the earliest
    deadline. Every action is counted; each one is in the web edition."""
    if len(actions) <= PRINT_ROWS:
        return table
    today = as_of_day(facts)
    counted = by_owner(((a.owner, a.deadline) for a in actions), today)
    rows = [
        [Cell(o.owner, strong=True), Cell(f.count(o.actions)),
         Cell(f.count(o.late), state="major_outage" if o.late else None), Cell(f.date(o.earliest))]
        for o in counted
    ]  # fmt: skip
    late = sum(o.late for o in counted)
    condensed = (
        f"The {_plural(len(actions), 'action')} are counted by owner, {f.count(late)} of them past "
        f"{'its' if late == 1 else 'their'} deadline on {f.date(today)}; each action with its owner and "
        f"deadline is {_where(web_url)}."
    )
    columns = ("Owner", "Actions", "Past deadline", "Earliest deadline")
    return Table("next-actions-by-owner", "Next Actions by owner", columns, rows,
                 numeric=frozenset({1, 2, 3}), condensed=condensed)  # fmt: skip


def _decision_by(dates: Sequence[str], today: str | None) -> Cell:
    """The decision date of one or many recommendations; a date before ``today`` (the as-of date) is marked
    overdue in words and icon, as the web edition's "overdue since" says, not left to read as still to come."""
    first, last = dates[0], dates[-1]
    if first == last:
        return bt.deadline_cell(first, today)
    late = sum(d < today for d in dates) if today else 0
    text = f"from {f.date(first)}"
    if late:
        text += ", overdue" if late == len(dates) else f", {f.count(late)} overdue"
    return Cell(text, state="major_outage" if late else None)


def _group_row(members: Sequence[Mapping[str, Any]], web_url: str | None, today: str | None) -> list[Cell]:
    """One row for a rule's recommendations on many services (their shared ``group`` title): how many, the
    risk level they share (or each level's count), the owner (or how many owners) and the earliest date."""
    levels = sorted({m["risk_level"] for m in members})
    owners = sorted({m["owner"] for m in members})
    dates = sorted(str(m["deadline"]) for m in members)
    sub = f"{_plural(len(members), 'recommendation')}, one per service; each with its expected impact is {_where(web_url)}."
    return [
        Cell(members[0]["group"], strong=True, sub=sub),
        Cell(levels[0] if len(levels) == 1 else ", ".join(f"{lv} {sum(m['risk_level'] == lv for m in members)}" for lv in levels)),
        Cell(owners[0] if len(owners) == 1 else _plural(len(owners), "owner"), strong=True),
        _decision_by(dates, today),
    ]  # fmt: skip


def recommendation_table(
    recommendations: Sequence[Mapping[str, Any]], web_url: str | None, today: str | None = None
) -> Table | None:
    """Many recommendations as one table: title and expected impact, risk level, owner and decision date
    (marked overdue when before ``today``, the as-of date). None for a few (they print as boxes, as on the
    web)."""
    if len(recommendations) <= PRINT_CALLOUTS:
        return None
    rows = [
        _group_row(r, web_url, today) if isinstance(r, list) else
        [Cell(r["title"], strong=True, sub=f"Expected impact: {r['expected_impact']}" if r.get("expected_impact") else None),
         Cell(r["risk_level"]), Cell(r["owner"], strong=True), _decision_by([str(r["deadline"])], today)]
        for r in gathered(recommendations, lambda r: r.get("group") or "")
    ]  # fmt: skip
    condensed = (
        f"The full text and risk assessment (likelihood, impact, detection time, mitigation and rollback) of "
        f"each recommendation are {_where(web_url)}; the actions, with owners and deadlines, are under Next Actions."
    )
    columns = ("Recommendation", "Risk", "Owner", "Decision by")
    caption = "Each recommendation's risk, owner and decision date"  # not the section's heading again
    return Table("recommendations", caption, columns, rows, numeric=frozenset({3}), condensed=condensed)
