"""The close of the deck's storyline: the risk in what we cannot see, the decision asked for, who does what.

    gaps_slide(facts, derived) -> Slide
    recommendation_slides(facts, narrative, derived) -> [Slide, ...]    the decision, then the other changes
    next_actions_slide(facts, narrative, derived) -> Slide
    appendix_slides(facts, derived) -> [Slide, ...]                     sources (10 per slide), definitions

The decision slide recommends funding the top-ranked investment that earns back its cost in the first year
(its risk assessment comes from the investment's front matter); without one it leads with the narrative's
first recommendation. Every recommendation keeps the SPEC shape ``**Recommendation: <action>.** Expected
impact: <quantified>. Risk: <Low|Medium|High> (<basis>).``
"""

from __future__ import annotations

from typing import Any

from ..analysis.derived import DECK_GAP_ROWS
from ..analysis.facts_model import PeriodFacts, QuarterFacts, Source
from ..narrative.voice import recommendation
from . import formatting as f
from .deck_model import Derived, Slide, Table
from .deck_slides import component_names, period_so_far, source_line, source_notes
from .grouping import as_of_day, by_owner, gathered

MAX_GAP_ROWS = DECK_GAP_ROWS
DECK_ROWS = 10
"""Rows of the changes and Next Actions tables. Beyond, a rule on many services is one change row and the rest
are counted; the actions are counted by owner. Every change and action is in the speaker notes."""
SOURCES_PER_SLIDE = 10
PRINCIPLE = "Hope is not a strategy. Instrumentation is."
DEFINITIONS = (
    ("SLO attainment", "Good events / all events over the window; for latency, good time slices / slices with data."),
    ("Error budget", "1 − target. Budget used = (1 − attainment) / (1 − target); below zero remaining, it is overspent "
     "and releases on that component freeze except P0 and security fixes."),
    ("Burn rate", "Error ratio over a window / (1 − target); 1x spends the budget exactly over the SLO window."),
    ("Revenue at risk", "Customer-impact minutes × the revenue at risk per minute of each affected component."),
    ("Cost per successful task", "Attributed spend / successful requests, per component."),
    ("Cache saving", "What the input tokens served from prompt cache would have cost at the configured list prices."),
    ("Unattributed spend", "Cost rows that carry no component or team tag."),
    ("ROI, first year", "(Expected benefit − running cost − one-off cost) / one-off cost; payback = one-off cost / "
     "monthly net benefit."),
    ("Telemetry coverage", "Intervals with data / intervals expected, over the window."),
    ("Observability gap", "Missing or stale data, an expected signal with no source, unattributed spend or a missing "
     "business assumption; never shown as zero or healthy."),
)  # fmt: skip


def gaps_slide(facts: PeriodFacts, d: Derived) -> Slide:
    gaps, names, period = facts.gaps, component_names(facts), period_so_far(facts)
    rows = [
        (g.priority, names.get(g.component or "", g.component or "Platform"), g.specific, g.limits)
        for g in gaps[:MAX_GAP_ROWS]
    ]
    runs = [(g, g.span_hours) for g in gaps if g.kind == "missing_run" and g.span_hours is not None]
    counts = facts.gap_counts
    p1 = d("gap_counts.p1", counts.p1)
    if not gaps:
        title = f"No observability gaps in {period}: every expected signal reported"
    else:
        title = f"{d('gap_counts.total', counts.total):.0f} observability gaps in {period}, "
        # P1 is not only a tier-1 customer-facing component's: unattributed spend above 10% and a missing revenue
        # assumption for the platform are P1 too (docs/definitions.md), so the count is not said to be "on" them
        title += f"{p1:.0f} at P1" if p1 else "none at P1"
        if runs:
            gap, hours = max(runs, key=lambda r: r[1])
            hours = d("gap_counts.longest_missing_run_hours", counts.longest_missing_run_hours)
            where = names.get(gap.component or "", gap.component or "the platform")
            span = f.span_hours(hours)
            title += f"; the longest blind spot: {span} without {where} data"
    more = counts.not_in_deck_table or 0
    bullets = (f"{more} more gaps are listed in the speaker notes.",) if more else ()
    ids = sorted({s for g in gaps for s in g.sources or []})
    return Slide(
        key="gaps",
        title=title,
        table=Table(
            ("Priority", "Component", "What is missing", "Limits our ability to"),
            tuple(rows),
            worst=0 if rows else None,
            widths=(0.8, 1.6, 4.2, 3.0),
        ),  # fmt: skip
        bullets=bullets,
        source_line=source_line(facts, ids, "Recommended instrumentation for each gap in the notes"),
        notes="\n".join([g.sentence for g in gaps] + [source_notes(facts, ids)]) or "No observability gaps.",
    )


def recommendation_slides(facts: QuarterFacts, narrative: Any, d: Derived) -> list[Slide]:
    recs = list(narrative.recommendations)
    paying = [i for i in facts.investments if (i.roi or 0) > 0]
    currency = facts.currency
    bullets: tuple[str, ...] = ()
    lead = ""  # of the changes slide
    if paying:
        inv = paying[0]
        risk = inv.risk
        level, likelihood = (risk.level, risk.likelihood) if risk else (None, None)
        sentence = recommendation(
            f"Fund {inv.title} ({f.money(inv.cost, currency)} one-off, "
            f"{f.money(inv.running_cost_per_year, currency)} a year to run)",
            f"{f.money(inv.expected_benefit, currency)} a year, a first-year return of {f.pct(inv.roi, 0)} "
            f"and payback in {f.number(inv.payback_months, 1)} months",
            level or "Medium",
            _reason(likelihood) or "no likelihood stated",
        )
        title = f"Decision requested: fund {inv.title}, paid back in {f.number(inv.payback_months, 1)} months"
        terms = [("Likelihood", likelihood), ("Impact", risk.impact if risk else None),
                 ("Detection time", risk.detection_time if risk else None),
                 ("Mitigation and rollback", risk.mitigation if risk else None),
                 ("Owner", inv.owner), ("Confidence in the benefit", inv.confidence)]  # fmt: skip
        basis = f"Benefit basis: {inv.benefit_basis}. Assumptions: {'; '.join(inv.assumptions)}."
    elif recs:
        rec = recs.pop(0)
        sentence, title = rec.text, f"Decision requested: {rec.group or rec.title}"
        terms = [("Likelihood", rec.likelihood), ("Impact", rec.impact), ("Detection time", rec.detection_time),
                 ("Mitigation and rollback", rec.mitigation), ("Owner", rec.owner), ("Deadline", rec.deadline)]  # fmt: skip
        basis = f"Origin: {rec.origin}."
        if rec.group:
            # one rule on many services: the decision is the rule's; its first service is the worked example
            same = [r for r in recs if r.group == rec.group]
            recs = [r for r in recs if r.group != rec.group]
            more = d(f"deck.decision.{rec.key}.same_rule", len(same))
            lead = f"The table leaves out the {d('deck.decision.changes', len(same) + 1):.0f} changes of the decision on the previous slide."
            bullets = (
                f"The same recommendation applies to {more:.0f} more services, each with its own owner, deadline "
                "and figures in the speaker notes.",
            )
            basis = "\n".join([basis, *(r.text for r in same)])
    else:
        return []
    decision = Slide(
        key="recommendation",
        kind="recommendation",
        title=title,
        lead=sentence,
        bullets=bullets,
        table=Table(
            ("Risk assessment", ""),
            tuple((k, v or "not stated") for k, v in terms),
            style="terms",
            widths=(1.4, 5),
        ),  # fmt: skip
        source_line="Source: content/investments and the quarter's facts; risk assessment from the proposal.",
        notes=basis,
    )
    slides = [decision]
    if recs:
        # a recurring change says "overdue" by its deadline (its full history is in the notes), so the table
        # stays on one slide
        rows = _change_rows(recs, d)
        counts = getattr(narrative, "derived", None) or {}
        risky = d(
            "narrative.recommendations_above_low_risk",
            counts.get("recommendations_above_low_risk", sum(1 for r in recs if r.risk_level != "Low")),
        )
        n = d("narrative.recommendation_count", counts.get("recommendation_count", len(recs)))
        title = f"{n:.0f} operational changes recommended, each with an owner and a deadline"
        verb = "carries" if risky == 1 else "carry"
        title += f"; {risky:.0f} {verb} more than Low risk" if risky else "; all carry Low risk"
        slides.append(
            Slide(
                key="changes",
                title=title,
                lead=lead,
                table=Table(
                    ("Recommendation", "Expected impact", "Risk", "Owner", "Deadline"),
                    rows,
                    widths=(3.6, 3.2, 2.4, 1.5, 1.1),
                ),  # fmt: skip
                source_line="Source: content/recommendations and rules applied to the quarter's facts.",
                notes="\n".join(r.text for r in recs),
            )
        )
    return slides


def _change_rows(recs: list[Any], d: Derived) -> tuple[tuple[str, ...], ...]:
    """One row per change; a rule on many services (its recommendations share a ``group`` title) is one row
    with how many services, owners and overdue changes, and the earliest deadline. Beyond ``DECK_ROWS`` rows
    the rest are counted in a last row (each change is in the speaker notes)."""
    out = []
    for r in gathered(recs, lambda r: r.group):
        if not isinstance(r, list):
            overdue = " (overdue)" if "overdue" in r.history else ""
            out.append((r.action.removesuffix(r.history), r.expected_impact, f"{r.risk_level}: {r.risk_basis}",
                        r.owner, r.deadline + overdue))  # fmt: skip
            continue
        key = f"deck.changes.{r[0].key}"
        n = d(f"{key}.services", len(r))
        owners = sorted({m.owner for m in r})
        late = d(f"{key}.overdue", sum(1 for m in r if "overdue" in m.history))
        levels = sorted({f"{m.risk_level}: {m.risk_basis}" for m in r})
        first, last = min(m.deadline for m in r), max(m.deadline for m in r)
        owner = owners[0] if len(owners) == 1 else f"{d(f'{key}.owners', len(owners)):.0f} owners"
        when = first if first == last else f"from {first}"
        out.append((r[0].group, f"{n:.0f} services, one change each: each expected impact is in the notes",
                    levels[0] if len(levels) == 1 else "see the notes", owner,
                    when + (f" ({late:.0f} overdue)" if late else "")))  # fmt: skip
    if len(out) > DECK_ROWS:
        rest = d("deck.changes.not_in_table", len(out) - DECK_ROWS + 1)
        out = [*out[: DECK_ROWS - 1], (f"{rest:.0f} more changes", "in the speaker notes", "", "", "")]
    return tuple(out)


def next_actions_slide(facts: PeriodFacts, narrative: Any, d: Derived) -> Slide:
    """Next Actions: each action with its owner and deadline (one row per owner beyond ``DECK_ROWS``). A
    deadline before the as-of date is marked overdue, and the title counts those and names the next date to
    come, so a date already past is not read as the first one due."""
    actions = [(a.action, a.owner, a.deadline) for a in narrative.next_actions] or [
        (a.action, a.owner, a.deadline.isoformat() if a.deadline else None) for a in facts.next_actions
    ]
    today = as_of_day(facts)
    columns, widths = ("Action", "Owner", "Deadline"), (6.5, 2.2, 1.3)
    notes = (
        "Owners are teams or roles. Deadlines are dates; a deadline before the as-of date is marked overdue."
    )
    rows: tuple[tuple[str, ...], ...] = tuple(
        (action, owner, f"{deadline} (overdue)" if deadline and deadline < today else deadline or "")
        for action, owner, deadline in actions
    )
    if actions:
        dates = [a[2] for a in actions if a[2]]
        derived = getattr(narrative, "derived", None) or {}
        listed = derived.get("next_action_count", len(actions)) if narrative.next_actions else len(actions)
        title = f"Next Actions: {d('narrative.next_action_count', listed):.0f} owned actions"
        if len(actions) > DECK_ROWS:
            columns, widths = ("Owner", "Actions", "Past deadline", "Earliest deadline"), (4.0, 1.6, 2.0, 2.4)
            rows = _actions_by_owner(actions, today, d)
            notes = "\n".join([notes, *(f"{a[0]} ({a[1]}, {a[2]})" for a in actions)])
            title += f" across {d('deck.next_actions.owners', len(rows)):.0f} owners" if len(rows) > 1 else ""
        late = d("deck.next_actions.past_deadline", sum(1 for x in dates if x < today))
        coming = [x for x in dates if x >= today]
        if late:
            title += f", {late:.0f} past {'its' if late == 1 else 'their'} deadline"
            title += f"; the next due {f.date(min(coming), 'long')}" if coming else ""
        elif coming:
            title += f", the first due {f.date(min(coming), 'long')}"
    else:
        title = "Next Actions: none open at the close of the quarter"
    return Slide(
        key="next-actions",
        title=title,
        table=Table(columns, rows, widths=widths),
        source_line="Source: postmortem action items, content/recommendations and the error-budget policy.",
        notes=notes,
    )


def _actions_by_owner(actions: list[Any], today: str, d: Derived) -> tuple[tuple[str, ...], ...]:
    """More actions than ``DECK_ROWS``: one row per owner, earliest deadline first (each action in the notes)."""
    rows = []
    for o in by_owner(((owner, deadline) for _, owner, deadline in actions), today):
        n = d(f"deck.next_actions.{o.owner}.count", o.actions)
        late = d(f"deck.next_actions.{o.owner}.past_deadline", o.late)
        rows.append(
            (o.owner, f"{n:.0f}", f"{late:.0f}", f.date(o.earliest, "long") if o.earliest else "none")
        )
    return tuple(rows)


def appendix_slides(facts: PeriodFacts, d: Derived) -> list[Slide]:
    sources = list(facts.sources)
    totals = facts.source_totals
    total = d("source_totals.rows", totals.rows)
    chunks = [sources[i : i + SOURCES_PER_SLIDE] for i in range(0, len(sources), SOURCES_PER_SLIDE)] or [[]]
    slides = []
    for index, chunk in enumerate(chunks):
        rows = tuple(
            (
                s.id,
                s.type or "",
                _files(s, d),
                f.count(s.rows),
                f"{f.date(s.start)} to {f.date(s.end)}" if s.start else "no data",
            )
            for s in chunk
        )
        title = f"Appendix: every figure traces to {f.count(d('source_totals.count', totals.count))} exported sources"
        title += f" ({f.count(total)} rows)" if index == 0 else " (continued)"
        slides.append(
            Slide(
                key=f"sources-{index + 1}",
                kind="appendix",
                title=title,
                table=Table(
                    ("Source", "Type", "Files", "Rows", "Data range"),
                    rows,
                    numeric=frozenset({3}),
                    widths=(1.8, 1.8, 4.2, 1, 2.2),
                ),  # fmt: skip
                source_line=f"Source: manifest.json and evidence facts; as of {f.timestamp(facts.as_of)}.",
                notes=source_notes(facts, [s.id for s in chunk]),
            )
        )
    d("definitions.unit", 1)
    slides.append(
        Slide(
            key="definitions",
            kind="appendix",
            title="Appendix: definitions behind every figure in this deck",
            table=Table(("Term", "Definition"), DEFINITIONS, style="terms", widths=(1.6, 6)),
            quote=PRINCIPLE,
            source_line="Source: the analysis definitions in docs/facts.md, applied to every figure.",
            notes="Definitions follow the SRE Workbook error-budget conventions and FinOps unit economics.",
        )
    )
    return slides


def _files(source: Source, d: Derived) -> str:
    """The first file of a source, and how many more (full list in the notes)."""
    files = [x.path for x in source.files]
    if len(files) <= 1:
        return files[0] if files else "no files"
    more = d(f"sources.{source.id}.more_files", source.more_files)
    return f"{files[0]} and {more:.0f} more"


def _reason(text: str | None) -> str:
    """``"Medium; a second provider adds a dependency"`` -> ``"a second provider adds a dependency"``."""
    level, _, reason = (text or "").partition("; ")
    return reason if reason and level in ("Low", "Medium", "High") else (text or "")
