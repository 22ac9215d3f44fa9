"""The verdict line: the facts' `verdict` (analysis/verdict.py) written as one line under the summary line.

    **Week 2026-W45:** SEV1 INC-214 affected customers on Assistant Chat API for 3 h 1 min; ...
    **Week 2026-W39:** no incident, every objective met.
    **Week 2026-W45 so far (2026-11-02 to 2026-11-04):** ...; 3 objectives missed so far this week: ...
    **Quarter 2026-Q2:** no SEV1/SEV2 incident or missed objective is recorded, but the record is incomplete. Current observability gap: ...

It formats only: which events happened, and whether "no incident" and "every objective met" may be said, are
decided in analysis. A long list (SLOs, the services under a release freeze) is cut to the first few of each kind with "and N more".
"""

from __future__ import annotations

from ..analysis.facts_model import (
    Verdict,
    VerdictBudgetExhausted,
    VerdictIncident,
    VerdictObjectiveMissed,
    VerdictPageAlert,
)
from . import phrasing as p
from .phrasing import Context

SHOWN = 3
"""At most this many SLOs are named per kind of event; the rest are counted."""


def verdict_line(ctx: Context) -> str:
    """The one-line verdict on the period."""
    verdict = ctx.facts.verdict
    kind = "Week" if ctx.period == "week" else "Quarter"
    so_far = f" so far ({ctx.covered})" if ctx.in_progress else ""
    lead = f"**{kind} {ctx.facts.period}{so_far}:**"
    state = verdict.state
    if state == "events":
        return f"{lead} {'; '.join(_events(ctx, verdict))}."
    if state == "clear":
        others = verdict.counts.other_incidents
        if others:
            noun = "incident" if others == 1 else "incidents"
            return (
                f"{lead} no SEV1 or SEV2 incident affected customers ({others} lower-severity or internal "
                f"{noun} recorded), every objective met."
            )
        return f"{lead} no incident, every objective met."
    sentences = " ".join(g.sentence for g in verdict.gaps)
    return f"{lead} no SEV1/SEV2 incident or missed objective is recorded, but the record is incomplete. {sentences}".rstrip()


def _events(ctx: Context, verdict: Verdict) -> list[str]:
    events = verdict.events
    out: list[str] = []
    incidents = [e for e in events if isinstance(e, VerdictIncident)]
    shown = [
        f"{e.severity} {e.id} affected customers on "
        f"{p.join([ctx.plain_name(c) for c in e.components]) or 'unnamed services'} for "
        f"{p.duration_minutes(e.impact_minutes)}"
        for e in incidents[:2]
    ]
    if len(incidents) > 2:
        rest = ctx.remainder(len(incidents) - 2)
        shown.append(f"{rest} more SEV1/SEV2 incident{'' if rest == 1 else 's'} with customer impact")
    out += shown
    missed = [e for e in events if isinstance(e, VerdictObjectiveMissed)]
    if missed:
        items = [
            f"{e.slo} at {p.pct(e.period_attainment, 2)} against {p.pct(e.objective, 2)}" for e in missed
        ]
        if len(missed) == 1:
            out.append(f"{items[0]} missed its objective {ctx.so_far}")
        else:
            out.append(f"{len(missed)} objectives missed {ctx.so_far}: {ctx.some(items, 'objective', SHOWN)}")
    paged = [e.slo for e in events if isinstance(e, VerdictPageAlert)]
    if paged:
        out.append(
            f"a page alert fired on {paged[0]}"
            if len(paged) == 1
            else f"page alerts fired on {len(paged)} SLOs"
        )
    exhausted = [e for e in events if isinstance(e, VerdictBudgetExhausted)]
    if exhausted:
        slos = ctx.some([e.slo for e in exhausted], "SLO", SHOWN)
        frozen = ctx.some([ctx.plain_name(c) for c in verdict.freeze_components], "service", SHOWN)
        out.append(
            f"error budget exhausted on {slos}, so releases on {frozen} are frozen except P0 and security fixes"
        )
    return out
