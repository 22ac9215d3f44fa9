"""Sentences for the AI operations facts (`ai_incidents`, `segments`, `drift`, `kpi_changes`,
`self_hosting`), in Sentinel's voice: plain text (no markdown), every figure from facts, formatted by
`display`.

- Regulatory flags say *possible* reporting candidate, show the deadlines commonly cited with their
  source, and end with "recommend counsel review": never a determination (`voice.determinations` checks
  every such sentence; tests run the whole voice lint over them).
- KPI comparisons state an association in time with a model change, with values, sample sizes, the test
  and its p-value; below the configured minimum only the reason is given, never the values.
- Segment observations give counts and say what they are: an observation, not a finding about cause.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import display as d
from ..analysis.facts_model import (
    AiIncident,
    AiIncidents,
    Drift,
    KpiChange,
    KpiSide,
    RegulatoryCandidate,
    Segments,
    SelfHosting,
    SeverityCriterion,
)

P_FLOOR = 0.001  # analysis/kpi.py: the p-value below which "p < 0.001" is written (kpi_changes[].p_floor)
PER_MILLION_TOKENS = "per 1M tokens"
"""The unit token prices are quoted in (as API price lists quote them): a constant of the wording, not a
figure; its "1M" is the display of no fact."""


def _name(names: Mapping[str, str], component: str) -> str:
    return names.get(component, component)


def millions(tokens: float | None) -> str:
    """A token count in millions with its "M" (the verifier reads the suffix), e.g. "38,588M"."""
    return d.GAP if tokens is None else f"{d.number(tokens / 1e6, 0)}M"


def p_value(p: float | None) -> str:
    if p is None:
        return d.GAP
    if p < P_FLOOR:
        return f"p < {d.number(P_FLOOR, 3)}"
    return f"p = {d.number(p, 3)}"


def class_summary(ai: AiIncidents) -> str:
    by_class = ai.by_class
    if not by_class:
        return "No incidents in this period."
    parts = [
        f"{v.count} {v.label}" + (f" ({v.sev1_sev2} SEV1/SEV2)" if v.sev1_sev2 else "")
        for v in by_class.values()
    ]
    return "Incidents by AI class: " + "; ".join(parts) + "."


def safety_officer_flag(entry: AiIncident, names: Mapping[str, str]) -> str:
    where = ", ".join(_name(names, c) for c in entry.components) or "no component recorded"
    return (
        f"{entry.id} ({entry.severity}, safety) on {where} has no Safety Officer role on record. "
        "Assign the role to the owning safety team so safety decisions have one accountable owner."
    )


def regulatory_flag(candidate: RegulatoryCandidate, names: Mapping[str, str]) -> str:
    """The flag for one possible serious-incident reporting candidate: a flag for counsel, never a conclusion."""
    where = ", ".join(_name(names, c) for c in candidate.components)
    label = str(candidate.incident_class or "unclassified").replace("_", " ")
    deadlines = "; ".join(f"{d.plural(x.days, 'day')} for {x.case} ({x.source})" for x in candidate.deadlines)
    detected = d.date(candidate.detected_at)
    return (
        f"Possible serious-incident reporting candidate: {candidate.incident} ({candidate.severity}, "
        f"class {label}) on {where}, a component marked high-risk. Reporting deadlines commonly cited for "
        f"EU AI Act Article 73: {deadlines}. They run from when the provider becomes aware; the record shows "
        f"detection on {detected}. This flag is not a legal conclusion: recommend counsel review."
    )


def severity_criterion(ep: SeverityCriterion, names: Mapping[str, str]) -> str:
    signal = str(ep.signal).replace("_", " ")
    limit = d.pct(ep.limit, 2) if ep.signal.endswith("_rate") else d.number(ep.limit, 2)
    peak = d.pct(ep.peak, 2) if ep.signal.endswith("_rate") else d.number(ep.peak, 2)
    text = (
        f"{_name(names, ep.component)}: {signal} beyond {limit} for {d.duration_minutes(ep.minutes)} "
        f"from {d.timestamp(ep.start)} (peak {peak}) meets the {ep.severity} definition"
    )
    if ep.incidents:
        return text + f"; covered by {', '.join(ep.incidents)}."
    return text + "; no incident is on record for it."


def segment_observation(seg: Segments, names: Mapping[str, str]) -> str | None:
    comp = _name(names, seg.component)
    rows = {r.segment: r for r in seg.segments}
    if seg.hidden_regressions:
        parts = [
            f"{s} at {d.pct(rows[s].pass_rate, 1)} (n = {d.count(rows[s].cases)} cases)"
            for s in seg.hidden_regressions
        ]
        return (
            f"{comp}: the overall eval pass rate of {d.pct(seg.overall_pass_rate, 1)} "
            f"(n = {d.count(seg.overall_cases)} cases) meets its {d.pct(seg.target, 1)} target, "
            f"while segment {', '.join(parts)} is below it. This is an observation with counts, not a finding "
            "about its cause; review the segment's eval cases before the next model change."
        )
    if seg.worst is not None:
        return (
            f"{comp}: lowest segment {seg.worst} at {d.pct(seg.worst_pass_rate, 1)} "
            f"(n = {d.count(seg.worst_cases)} cases); overall {d.pct(seg.overall_pass_rate, 1)}."
        )
    return None


def drift_observation(entry: Drift, names: Mapping[str, str]) -> str:
    comp = _name(names, entry.component)
    if entry.level is None:
        return f"{comp}: drift score {d.number(entry.latest, 3)}; no thresholds are configured to judge it."
    return (
        f"{comp}: drift score {d.number(entry.latest, 3)} ({entry.level}; warn at "
        f"{d.number(entry.warn, 3)}, critical at {d.number(entry.critical, 3)}), peak "
        f"{d.number(entry.peak, 3)} in the period."
    )


def _kpi_value(kind: str, value: float | None) -> str:
    return d.pct(value, 1) if kind == "rate" else d.number(value, 2)


def kpi_value(change: KpiChange, side: KpiSide) -> str:
    """The compared value of one side: its rate for a rate KPI, its mean otherwise."""
    return _kpi_value(change.kind, side.rate if change.kind == "rate" else side.mean)


def kpi_sentence(change: KpiChange, names: Mapping[str, str]) -> str:
    comp = _name(names, change.component)
    kpi = str(change.kpi).replace("_", " ")
    head = f"On {comp}, {kpi} around the change from {change.from_version} to {change.to_version} on {d.date(change.change_at)}"
    if not change.shown:
        return f"{head}: not compared, {change.reason or 'samples below the configured minimum'}."
    before, after = change.before, change.after
    unit = "trials" if change.kind == "rate" else "observations"
    direction = {"fell": "fell", "rose": "rose"}.get(change.direction or "", "was unchanged")
    verdict = (
        "statistically significant" if change.significant else "not statistically significant"
    ) + f" at {d.number(change.alpha, 2)}"
    return (
        f"On {comp}, {kpi} {direction} from {kpi_value(change, before)} to "
        f"{kpi_value(change, after)} after {change.to_version} replaced "
        f"{change.from_version} on {d.date(change.change_at)} ({d.count(change.window_days)} days each side, "
        f"n = {d.count(before.n)} and {d.count(after.n)} {unit}, {change.test}, "
        f"{p_value(change.p_value)}, {verdict}). This is an association in time with the change, "
        "not evidence that the change caused it."
    )


def self_hosting_summary(sh: SelfHosting, names: Mapping[str, str]) -> str:
    if sh.missing:
        return "Self-hosting comparison not computed. Missing inputs: " + "; ".join(sh.missing) + "."
    cur = sh.currency or "USD"
    comp = _name(names, sh.component or "")
    cheaper = "below" if sh.cheaper == "self-hosted" else "above"
    return (
        f"{comp} cost {d.money(sh.self_hosted_per_million, cur, 2)} {PER_MILLION_TOKENS} self-hosted "
        f"(GPU and other tagged spend {d.money(sh.gpu_spend, cur)} plus engineering "
        f"{d.money(sh.engineering, cur)}) against {d.money(sh.api_per_million, cur, 2)} at the API price "
        f"for the same traffic, {cheaper} the API. Break-even at "
        f"{millions(sh.break_even_tokens_per_month)} tokens per 30 days; current volume "
        f"{millions(sh.tokens_per_month)}."
    )
