"""The deck's AI operations slides, after the recommendations:

    ai_incidents_slide(facts, d)   incidents by AI class, AICS role gaps, possible regulatory candidates
    ai_quality_slide(facts, d)     segment pass rates hidden by the overall rate, KPIs around model changes
                                   (None when the quarter has neither)
    self_hosting_slide(facts, d)   self-hosted cost per 1M tokens against the API, break-even volume,
                                   assumptions; without the inputs, which inputs are missing

Every sentence comes from `narrative.aiops` (figures from facts); each slide has one table.
"""

from __future__ import annotations

from ..analysis.facts_model import PeriodFacts
from ..narrative import aiops as say
from . import formatting as f
from .deck_model import Derived, Slide, Table
from .deck_slides import component_names, source_line, source_notes


def ai_incidents_slide(facts: PeriodFacts, d: Derived) -> Slide:
    ai, names = facts.ai_incidents, component_names(facts)
    by_class = ai.by_class
    rows = tuple((v.label, f.count(v.count), f.count(v.sev1_sev2)) for v in by_class.values())
    reg = ai.regulatory
    candidates = reg.candidates
    missing = [e for e in ai.incidents if e.safety_officer_missing]
    classified = sum(v.count for k, v in by_class.items() if k != "unclassified")
    if candidates:
        title = f"{len(candidates)} incident{'s' if len(candidates) != 1 else ''} flagged for counsel review as a possible reporting candidate"
    elif missing:
        title = "A safety incident ran without a Safety Officer on record"
    elif by_class:
        title = f"{classified} of {sum(v.count for v in by_class.values())} incidents carry an AI class"
    elif not facts.verdict.claims.incidents_covered:
        # the incident slide says the record is incomplete: "no incidents" would be a claim it cannot back
        title = (
            f"No incident is recorded for {facts.period}, but the incident record does not cover all of it"
        )
    else:
        title = f"No incident in {facts.period}{' so far' if facts.in_progress else ''}"
    bullets = [say.class_summary(ai)]
    bullets += [say.safety_officer_flag(e, names) for e in missing]
    bullets += [say.regulatory_flag(c, names) for c in candidates]
    ids = sorted({s for e in ai.incidents for s in e.sources})
    return Slide(
        key="ai-incidents",
        title=title,
        table=Table(("AI incident class", "Incidents", "SEV1/SEV2"), rows or (("none", "0", "0"),), numeric=frozenset({1, 2})),
        bullets=tuple(bullets),
        source_line=source_line(facts, ids),
        notes="\n".join([
            "Classes come from the incident tools' custom fields or tags, else the postmortem's front matter.",
            "AICS roles are held by teams or roles, never persons. A SEV1/SEV2 safety incident without a Safety "
            "Officer is flagged.",
            "Regulatory flags mark possible candidates only, with the deadlines commonly cited and their source; "
            "they are never a legal conclusion: recommend counsel review." if reg.enabled
            else "Regulatory flags are off (governance.eu_ai_act is not set).",
            source_notes(facts, ids),
        ]),
    )  # fmt: skip


def ai_quality_slide(facts: PeriodFacts, d: Derived) -> Slide | None:
    names = component_names(facts)
    segments = [s for s in facts.segments if s.hidden_regressions]
    changes = [c for c in facts.kpi_changes if c.shown]
    if not segments and not changes:
        return None
    rows = []
    for s in segments:
        by = {r.segment: r for r in s.segments}
        for seg in s.hidden_regressions:
            rows.append((f"{names.get(s.component, s.component)}: segment {seg}",
                         f.pct(s.overall_pass_rate, 1), f.pct(by[seg].pass_rate, 1), f.count(by[seg].cases), "–"))  # fmt: skip
    for c in changes:
        rows.append((f"{str(c.kpi).replace('_', ' ')} after {c.to_version}", say.kpi_value(c, c.before),
                     say.kpi_value(c, c.after), f"{f.count(c.before.n)} / {f.count(c.after.n)}",
                     say.p_value(c.p_value)))  # fmt: skip
    title = (
        "An overall pass rate on target hides a segment below it"
        if segments
        else "A business KPI moved with a model change (association, not causation)"
    )
    bullets = [x for x in (say.segment_observation(s, names) for s in segments) if x]
    bullets += [say.kpi_sentence(c, names) for c in changes]
    ids = sorted({x for s in segments for x in s.sources} | {x for c in changes for x in c.sources})
    return Slide(
        key="ai-quality",
        title=title,
        table=Table(("Observation", "Reference", "Now", "n", "p-value"), tuple(rows), numeric=frozenset({1, 2, 3})),
        bullets=tuple(bullets),
        source_line=source_line(facts, ids),
        notes="\n".join([
            "Segment rates are judged only with at least the configured minimum of cases; an observation with "
            "counts, not a finding about cause.",
            "KPI comparisons use equal windows before and after each model change, a two-proportion z-test for "
            "rates and Welch's t-test for means; they are withheld below the configured minimum sample. They show "
            "association in time, never causation.",
            source_notes(facts, ids),
        ]),
    )  # fmt: skip


def self_hosting_slide(facts: PeriodFacts, d: Derived) -> Slide:
    sh, names = facts.self_hosting, component_names(facts)
    cur = facts.currency or "USD"
    ids = list(sh.sources)
    if sh.missing:
        rows = tuple((m, "missing") for m in sh.missing)
        return Slide(
            key="self-hosting",
            title="Self-hosting against API economics: inputs missing",
            table=Table(("Input needed", "State"), rows),
            bullets=(say.self_hosting_summary(sh, names),),
            source_line=source_line(facts, ids),
            notes="The comparison needs the self-hosted component's bill, its token counts, the API price for the "
            "same traffic and the monthly engineering cost, each with its source.",
        )
    per_self, per_api = sh.self_hosted_per_million, sh.api_per_million
    rows = (
        (f"Cost {say.PER_MILLION_TOKENS}", f.money(per_self, cur, 2), f.money(per_api, cur, 2)),
        ("Cost in the period", f.money(sh.self_hosted_cost, cur), f.money(sh.api_cost, cur)),
        ("Tokens in the period", say.millions(sh.tokens), say.millions(sh.tokens)),
        ("Break-even volume (tokens per 30 days)", say.millions(sh.break_even_tokens_per_month), "–"),
    )
    comp = names.get(sh.component or "", sh.component)
    title = (
        f"{comp}: self-hosting costs less per token than the API at current volume"
        if sh.cheaper == "self-hosted"
        else f"The API would carry {comp}'s traffic for less than self-hosting"
    )
    price = sh.api_price
    assert price is not None  # set whenever no input is missing (analysis/selfhost.py)
    return Slide(
        key="self-hosting",
        title=title,
        table=Table(("", "Self-hosted", "API, same traffic"), rows, numeric=frozenset({1, 2})),
        bullets=(say.self_hosting_summary(sh, names), "Assumptions: " + "; ".join(sh.assumptions) + "."),
        source_line=source_line(facts, ids, "API price: " + price.source),
        notes="\n".join([
            f"Engineering amortisation {f.money(sh.engineering_monthly, cur)} per month, source: {sh.engineering_source}.",
            f"API list price {say.PER_MILLION_TOKENS}: input {f.money(price.input, cur, 2)}, output {f.money(price.output, cur, 2)} ({price.source}).",
            "Break-even volume = monthly self-hosted cost / blended API price per token at the observed mix.",
            source_notes(facts, ids),
        ]),
    )  # fmt: skip
