"""Recommendations (from content/recommendations/ and from rules) and the "Next Actions" list.

Rules, in the order they are listed (most urgent first), each with a full risk assessment (``risks.RISKS``):

    stabilise       a page alert is active on an SLO, or a component is in major outage (incident mode)
    freeze          an SLO's error budget is overspent for its window, customer-facing or not (docs/definitions.md,
                    "Next actions added by rule"; the verdict line names the same components): the policy
                    (non-critical releases wait; P0 and security fixes continue; the policy is not a punishment)
    quality         an eval pass rate below its target: hold that model version (keep or roll back to a
                    version that met the target); a hallucination or toxicity rate above its limit
    cost-quality    a model version change moved the cost per successful task while every version met its eval
                    target: weigh a rollback when the cost rose; keep the version in service when the one that
                    left had failed its eval target, or when the cost fell (titled "Keep the current model")
    budget          a team's spend projected over its monthly budget
    close-actions   overdue postmortem action items of the period's and the last 90 days' incidents
    instrument      a P1 observability gap on a component
    attribute       unattributed spend above UNATTRIBUTED_SHARE_LIMIT of the total

Deadlines are the publication date (the local date the window ends) plus URGENT_DAYS (stabilise, quality),
REVIEW_DAYS (freeze, budget, overdue items) or PLANNED_DAYS (instrumentation, tagging); each is recorded in
``Context.derived_dates`` for the verifier. Postmortem items keep their due date; content keeps its deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..analysis.facts_model import ActionItem, Facts, Gap, Incident, Risk, Slo
from . import phrasing as p
from .model import NextAction, Recommendation
from .phrasing import Context
from .reliability import active_alerts, is_burning, window
from .risks import RISKS, rule
from .sections import cost_quality_row
from .verdict import SHOWN
from .voice import recommendation as recommendation_sentence

URGENT_DAYS, REVIEW_DAYS, PLANNED_DAYS = 1, 7, 14
UNATTRIBUTED_SHARE_LIMIT = 0.05
FINOPS_OWNER = "FinOps lead"
_ORIGIN_ORDER = {"rule": 0, "postmortem": 1, "content": 2}


def _urgency(slo: Slo) -> tuple[float, str]:
    """Higher for a sooner exhaustion (an overspent budget is the most urgent)."""
    left = slo.time_to_exhaustion_hours
    remaining = slo.budget_remaining
    return (
        float("inf") if remaining is not None and remaining < 0 else -(left if left is not None else 1e9),
        slo.name,
    )


def _stabilise(ctx: Context) -> Iterable[Recommendation]:
    detail = ctx.facts.summary.incident_mode_detail
    paging: dict[str, Slo] = {}
    for s in sorted(ctx.facts.slos, key=_urgency, reverse=True):
        if active_alerts(s, "page"):
            paging[s.component] = s  # the most urgent SLO of each component wins
    down = detail.components if detail is not None else []
    for component in sorted(set(down) | set(paging)):
        name, slo = ctx.plain_name(component), paging.get(component)
        if slo is None:
            impact = f"restores service on {name}, in major outage since {p.timestamp(detail.since if detail is not None else None)}"
        elif (slo.budget_remaining or -1) >= 0 and is_burning(slo) and slo.time_to_exhaustion_hours:
            left, burn = p.time_left(slo.time_to_exhaustion_hours), p.multiplier(slo.burn_rate["1h"])
            impact = (
                f"protects the {p.pct(slo.budget_remaining, 0)} of {slo.name} error budget still left, "
                f"which the current {burn} burn exhausts in {left}"
            )
        else:
            impact = (
                f"ends a burn of {p.multiplier(slo.burn_rate.get('1h'))} the sustainable rate on {slo.name}"
            )
        action = f"Stabilise {name} before any other change: hold deploys and work the page until the burn is under 1x"
        yield rule(ctx, "stabilise", component, name, action, impact, URGENT_DAYS)


def _freeze(ctx: Context) -> Iterable[Recommendation]:
    over: dict[str, list[Slo]] = {}
    for s in ctx.facts.slos:
        if s.budget_remaining is not None and s.budget_remaining < 0:
            over.setdefault(s.component, []).append(s)
    for component, slos in sorted(over.items()):
        name, worst = ctx.plain_name(component), min(slos, key=lambda s: s.budget_remaining)
        budgets = p.join([s.name for s in slos])
        budget = "error budget is" if len(slos) == 1 else "error budgets are"
        action = (
            f"Freeze non-critical releases to {name} until the {budgets} {budget} positive again; "
            "P0 and security fixes continue"
        )
        impact = (
            f"stops adding change risk to a service whose {window(worst)} error budget is overspent by "
            f"{p.overspend(worst.budget_remaining)}; the policy is not a punishment, it protects customers "
            "while margin recovers"
        )
        yield rule(ctx, "freeze", component, name, action, impact, REVIEW_DAYS)


def _quality(ctx: Context) -> Iterable[Recommendation]:
    rows = ctx.facts.quality
    for component in sorted({r.component for r in rows}):
        mine, name = [r for r in rows if r.component == component], ctx.plain_name(component)
        passing = [r for r in mine if r.met and r.model_version]
        good = max(passing, key=lambda r: r.eval_pass_rate, default=None)
        for row in (r for r in mine if r.met is False and r.eval_pass_rate is not None):
            version, target = row.model_version or "the current model version", p.pct(row.target)
            action = f"Hold {version} on {name} until it passes the {target} eval target"
            rate = p.pct(row.eval_pass_rate)
            if good:
                action += f", and keep traffic on {good.model_version}"
                impact = f"keeps answers at the {p.pct(good.eval_pass_rate)} eval pass rate measured on {good.model_version} instead of {rate}"
                impact += _rollback_cost(ctx, component)
            else:
                impact = f"keeps answers that pass evals at {rate} away from customers until the {target} target is met"
            risk, subject, owner = (
                "rollback" if good else "hold",
                f"{component}:{version}",
                ctx.owner(component),
            )
            yield rule(ctx, risk, subject, version, action, impact, URGENT_DAYS, owner)
        for kind in ("hallucination", "toxicity"):
            row = next(
                (
                    r
                    for r in mine
                    if getattr(r, f"{kind}_met") is False and getattr(r, f"{kind}_rate") is not None
                ),
                None,
            )
            if row is not None:
                limit, rate = p.pct(getattr(row, f"{kind}_max"), 2), p.pct(getattr(row, f"{kind}_rate"), 2)
                action = (
                    f"Hold model and prompt changes on {name} until the {kind} rate is back under {limit}"
                )
                impact = f"brings the {kind} rate from {rate} back under its {limit} limit"
                subject, owner = f"{component}:{kind}", ctx.owner(component)
                yield rule(ctx, "safety", subject, f"{kind} on {name}", action, impact, URGENT_DAYS, owner)


def _rollback_cost(ctx: Context, component: str) -> str:
    """What a rollback gives up when the cost per successful task fell while a version failed its eval target:
    ", at the previous week's $0.0101 per successful task instead of $0.0035"."""
    row = cost_quality_row(ctx, component)
    if row is None or not row.breaches or row.per_successful_task >= row.previous_per_successful_task:
        return ""
    now, before = p.unit_money_pair(row.per_successful_task, row.previous_per_successful_task, ctx.currency)
    return f", at the previous {ctx.period}'s {before} per successful task instead of {now}"


def _cost_quality(ctx: Context) -> Iterable[Recommendation]:
    """A model version change moved the cost per successful task with every version at or above its eval
    target: weigh a rollback to the version that left service (a breach is the quality rule's)."""
    for row in ctx.facts.cost_quality:
        if not row.model_changed or row.breaches or not row.flagged:
            continue
        component, name = row.component, ctx.plain_name(row.component)
        now, before = p.unit_money_pair(
            row.per_successful_task, row.previous_per_successful_task, ctx.currency
        )
        current, left = p.join(row.model_versions), p.join(row.dropped_versions)
        failed_before = {b.model_version for b in row.previous_breaches}
        texts = "cost-quality-keep"  # the advice is to keep the version in service, not to weigh a rollback
        if left and set(row.dropped_versions) <= failed_before:
            action = f"Keep {current} on {name} rather than roll back to {left}"
            impact = (
                f"answers stay above the eval target at {now} per successful task; {left} cost {before} but "
                f"failed its eval target the {ctx.period} before"
            )
        elif row.per_successful_task > row.previous_per_successful_task:
            target = left or "the previous model version"
            action = (
                f"Weigh a rollback of {name} to {target}: keep {current} only if its answer quality is worth "
                "the higher cost"
            )
            impact = f"returns the cost per successful task from {now} towards {before}"
            texts = "cost-quality"
        else:
            action = (
                f"Keep {current} on {name} while its eval pass rate holds the target, and roll back "
                f"{'to ' + left if left else ''} as soon as it drops below"
            ).replace("back  as", "back as")
            impact = f"keeps the cost per successful task at {now} instead of {before} without a quality loss"
        yield rule(ctx, "cost-quality", component, name, action, impact, REVIEW_DAYS, texts=texts)


def _budget(ctx: Context) -> Iterable[Recommendation]:
    for b in ctx.facts.cost.budgets:
        if (b.projected_share or 0) > 1 and b.projected_month_end is not None:
            team = b.team
            action = f"Review the largest cost drivers of {p.team(team, bold=False)} and cut or approve the overrun before month-end"
            impact = (
                f"avoids a projected month-end of {ctx.money(b.projected_month_end)} against a "
                f"{ctx.money(b.monthly_budget)} budget ({p.pct(b.projected_share)})"
            )
            yield rule(ctx, "budget", team, p.team(team, bold=False), action, impact, REVIEW_DAYS, team)


def tracked_incidents(facts: Facts) -> list[tuple[Incident, bool]]:
    """(incident, in the period) for the period's incidents, then the earlier incidents of
    `incident_history` (90 days): an earlier incident's overdue action items stay on the brief until done."""
    own = list(facts.incidents)
    seen = {i.id for i in own}
    earlier = [i for i in facts.incident_history if i.id not in seen]
    return [(i, True) for i in own] + [(i, False) for i in earlier]


def overdue_items(facts: Facts) -> list[tuple[Incident, ActionItem]]:
    """(incident, action item) for every overdue, open postmortem action item of the period's incidents
    and of the earlier incidents of the last 90 days."""
    return [
        (inc, item)
        for inc, _ in tracked_incidents(facts)
        for item in (inc.postmortem.action_items if inc.postmortem is not None else [])
        if item.overdue and not item.done
    ]


def _close_actions(ctx: Context) -> Iterable[Recommendation]:
    items = overdue_items(ctx.facts)
    if not items:
        return
    incidents = sorted({inc.id: inc for inc, _ in items}.values(), key=lambda i: i.id)
    owners = p.join(sorted({str(item.owner) for _, item in items if item.owner}))
    stats = ctx.facts.incident_stats
    what = "the overdue postmortem action items"
    for count in (stats.overdue_action_items, stats.overdue_action_items_all):
        if count == len(items):
            what = p.plural(count, "overdue postmortem action item")
            break
    causes = [
        f"{i.id} ({p.duration_minutes(i.impact_minutes)} of customer impact)" if i.impact_minutes
        else f"{i.id} ({i.severity})"
        for i in incidents
    ]  # fmt: skip
    action = f"Close {what} from {p.join([i.id for i in incidents])}"
    impact = f"removes known failure paths behind {p.join(causes)}"
    owner = owners or ctx.owner((incidents[0].components or [None])[0])
    yield rule(ctx, "close-actions", "postmortems", "", action, impact, REVIEW_DAYS, owner)


_MISSING_DATA = ("missing_run", "stale", "low_coverage", "no_source")
"""Gap kinds about data that did not arrive; the others are about data that arrived but cannot be used."""


def _instrument(ctx: Context) -> Iterable[Recommendation]:
    by_component: dict[str, list[Gap]] = {}
    for g in ctx.facts.gaps:
        if g.priority == "P1" and g.component:
            by_component.setdefault(g.component, []).append(g)
    series = ctx.facts.coverage.series
    coverage = {(s.component, s.signal): s.coverage for s in series}
    for component, items in sorted(by_component.items()):
        first, name = items[0], ctx.plain_name(component)
        signal, ratio = first.signal or "telemetry", coverage.get((component, first.signal))
        if (
            first.kind not in _MISSING_DATA
            and first.limits
            and (ratio is not None or (first.start and first.end))
        ):
            # the data arrived but cannot be used (an unpriced model, a missing assumption): not a coverage gap
            why = (
                f"its {signal} data covers {p.pct(ratio)} of the {ctx.period} but cannot be used as it is"
                if ratio is not None
                else f"which it cannot from {p.timestamp(first.start)} to {p.timestamp(first.end)}"
            )
            impact = f"lets the brief {first.limits.rstrip('.')} for {name}: {why}"
        elif ratio is not None and ratio < 1:
            impact = (
                f"restores {signal} visibility on {name}, where coverage was {p.pct(ratio)} this {ctx.period}"
            )
        elif first.start and first.end:
            start, end = p.timestamp(first.start), p.timestamp(first.end)
            impact = f"closes a gap that left {signal} unmeasured on {name} from {start} to {end}"
        else:
            impact = f"gives {name}, a tier-1 customer-facing component, a measured {signal} signal"
        action = f"Instrument {name}: {first.instrumentation.rstrip('.')}"
        yield rule(ctx, "instrument", component, name, action, impact, PLANNED_DAYS)


def _attribute(ctx: Context) -> Iterable[Recommendation]:
    c = ctx.facts.cost
    share = c.unattributed_share
    if share is not None and share > UNATTRIBUTED_SHARE_LIMIT and c.unattributed:
        action = (
            "Tag the untagged cloud and provider spend with a team and component, or add attribution rules"
        )
        impact = (
            f"brings {ctx.money(c.unattributed)} ({p.pct(share)} of spend) into showback, so cost per "
            "successful task covers all spend"
        )
        yield rule(ctx, "attribute", "spend", "", action, impact, PLANNED_DAYS, FINOPS_OWNER)


def _content(ctx: Context) -> Iterable[Recommendation]:
    """Content recommendations whose deadline has not passed before the period began."""
    start = ctx.facts.window.start.date().isoformat()
    for r in ctx.facts.recommendations:
        if r.origin != "content" or not r.action or str(r.deadline or "") < start:
            continue
        risk, impact = r.risk or Risk(level=""), str(r.expected_impact or "not stated")
        level = risk.level or "Medium"
        basis = f"likelihood {risk.likelihood or 'not stated'}; impact {risk.impact or 'not stated'}"
        yield Recommendation(
            key=str(r.slug), title=str(r.title or r.action), action=r.action, expected_impact=impact,
            risk_level=level, risk_basis=basis, likelihood=str(risk.likelihood or ""),
            impact=str(risk.impact or ""), detection_time=str(risk.detection_time or ""),
            mitigation=str(risk.mitigation or ""), owner=str(r.owner or ctx.owner(None)),
            deadline=str(r.deadline or ""), origin="content",
            text=recommendation_sentence(r.action, impact, level, basis),
        )  # fmt: skip


RULES = (_stabilise, _freeze, _quality, _cost_quality, _budget, _close_actions, _instrument, _attribute)


def recommendations(ctx: Context) -> tuple[Recommendation, ...]:
    """Rule recommendations in urgency order, then content recommendations by slug; see ``grouped``."""
    return grouped(
        ctx, [rec for rule in RULES for rec in rule(ctx)] + sorted(_content(ctx), key=lambda r: r.key)
    )


def grouped(ctx: Context, recs: list[Recommendation]) -> tuple[Recommendation, ...]:
    """A rule that applies to more than ``SHOWN`` + 1 services (a release freeze on 50 of them) gives each of
    its recommendations one shared ``group`` title naming the first few services and counting the rest: the
    summary's decisions and the printed table say it once. Four or fewer keep their own titles ("and 1 more
    service" would say no less)."""

    def kind(r: Recommendation) -> str:
        origin, name, _ = (r.key.split(":", 2) + ["", ""])[:3]
        return name if origin == "rule" and "{name}" in RISKS.get(name, ("",))[0] else ""

    kinds = [kind(r) for r in recs]
    subjects: dict[str, list[str]] = {}
    for r, k in zip(recs, kinds, strict=True):
        if k:
            subjects.setdefault(k, []).append(r.key.split(":", 2)[2])
    titles = {
        k: RISKS[k][0].format(name=ctx.some([ctx.plain_name(s) for s in items], "service", SHOWN))
        for k, items in subjects.items()
        if len(items) > SHOWN + 1
    }
    return tuple(replace(r, group=titles[k]) if k in titles else r for r, k in zip(recs, kinds, strict=True))


def next_actions(ctx: Context, recs: tuple[Recommendation, ...]) -> tuple[NextAction, ...]:
    """Every recommendation's action, every open postmortem action item of the period's incidents and every
    overdue one of earlier incidents, sorted by deadline. An item keeps the due date its postmortem gave it
    (an overdue one says "overdue since", as an overdue recommendation does, and the tables mark the date);
    an item with no due date takes the review date."""
    actions = [
        NextAction(r.action, r.owner, r.deadline, r.origin)
        for r in recs
        if r.key != "rule:close-actions:postmortems"
    ]
    for inc, in_period in tracked_incidents(ctx.facts):
        for item in inc.postmortem.action_items if inc.postmortem is not None else []:
            if item.done or not (in_period or item.overdue):
                continue
            owner = str(item.owner or ctx.owner((inc.components or [None])[0]))
            title = f"{str(item.title).rstrip('.')} ({inc.id}"
            if not item.due:
                actions.append(
                    NextAction(title + ")", owner, ctx.deadline(REVIEW_DAYS, from_as_of=True), "postmortem")
                )
            else:
                late = f"; overdue since {item.due})" if item.overdue else ")"
                actions.append(NextAction(title + late, owner, str(item.due), "postmortem"))
    # postmortems past due and long-open gaps, as the facts list them (analysis/blocks.py)
    for a in ctx.facts.next_actions:
        if a.kind in ("postmortem_due", "gap_open"):
            actions.append(NextAction(str(a.action), str(a.owner), str(a.deadline), a.origin))
    unique = {a.action: a for a in actions}
    return tuple(sorted(unique.values(), key=lambda a: (a.deadline, _ORIGIN_ORDER[a.origin], a.action)))
