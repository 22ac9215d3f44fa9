"""The brief's AI operations tables (every format shows them, like `brief_tables`):

    incident_tables(facts)   incidents by AI class, AICS roles and flags, AI severity criteria met,
                             possible regulatory reporting candidates
    quality_tables(facts)    per-segment pass rates, drift scores, business KPIs around model changes

Each table's note is the sentence from `narrative.aiops` (plain text); missing figures show "no data".
"""

from __future__ import annotations

from ..analysis.facts_model import PeriodFacts
from ..narrative import aiops as say
from . import formatting as f
from .brief_tables import Cell, Table, _names, _table


def incident_tables(facts: PeriodFacts) -> list[Table]:
    ai, names = facts.ai_incidents, _names(facts)
    out: list[Table] = []
    by_class = ai.by_class
    entries = ai.incidents
    if entries and any(k != "unclassified" for k in by_class):
        rows = [[Cell(v.label, strong=True), f.count(v.count), f.count(v.sev1_sev2), ", ".join(v.ids)]
                for v in by_class.values()]  # fmt: skip
        out.append(_table("ai_classes", "Incidents by AI class", ("Class", "Incidents", "SEV1/SEV2", "IDs"),
                          rows, numeric=frozenset({1, 2})))  # fmt: skip
    serious = [e for e in entries if e.severity in ("SEV1", "SEV2") and e.incident_class]
    if serious:
        rows = [
            [Cell(e.id, strong=True), e.severity, e.class_label or f.GAP,
             "; ".join(f"{role}: {team}" for role, team in e.roles.items()) or "none on record",
             Cell(", ".join(e.missing_roles) or "-", state="major_outage" if e.safety_officer_missing else None)]
            for e in serious
        ]  # fmt: skip
        flags = [say.safety_officer_flag(e, names) for e in serious if e.safety_officer_missing]
        out.append(_table("ai_roles", "AICS roles on SEV1/SEV2 AI incidents (teams or roles, never persons)",
                          ("Incident", "Severity", "Class", "Roles", "Roles not on record"), rows,
                          note=" ".join(flags) or None))  # fmt: skip
    criteria = ai.severity_criteria
    if criteria:
        rows = [[Cell(names.get(c.component, c.component), strong=True), c.severity, c.signal,
                 f.timestamp(c.start), f.duration_minutes(c.minutes), ", ".join(c.incidents) or "none on record"]
                for c in criteria]  # fmt: skip
        note = " ".join(say.severity_criterion(c, names) for c in criteria if c.without_incident) or None
        out.append(_table("ai_severity", "AI severity criteria met", ("Component", "Severity", "Signal", "From",
                          "Duration", "Incident"), rows, note=note))  # fmt: skip
    reg = ai.regulatory
    if reg.enabled and reg.candidates:
        rows = [[Cell(c.incident, strong=True, state="major_outage"), c.severity, c.class_label or "",
                 ", ".join(names.get(x, x) for x in c.components),
                 "; ".join(f"{x.days} days: {x.case}" for x in c.deadlines), "recommend counsel review"]
                for c in reg.candidates]  # fmt: skip
        note = " ".join(say.regulatory_flag(c, names) for c in reg.candidates)
        out.append(_table("ai_regulatory", "Possible serious-incident reporting candidates (flags, not determinations)",
                          ("Incident", "Severity", "Class", "High-risk component", "Deadlines commonly cited", "Next step"),
                          rows, note=note))  # fmt: skip
    return out


def quality_tables(facts: PeriodFacts) -> list[Table]:
    names = _names(facts)
    out: list[Table] = []
    segments = [s for s in facts.segments if s.segments]
    if segments:
        rows, worst_index, notes = [], None, []
        for s in segments:
            for r in s.segments:
                state = None if r.below_target is None else "degraded" if r.below_target else "operational"
                if r.cases == 0:
                    state = "no_data"
                rows.append([Cell(names.get(s.component, s.component), strong=True), r.segment,
                             Cell(f.pct(r.pass_rate, 1), state=state), f.count(r.cases),
                             f.pct(s.overall_pass_rate, 1), f.pct(s.target, 1),
                             "yes" if r.comparable else f"no (under {s.min_segment_cases} cases)"])  # fmt: skip
                if s.worst == r.segment and s.hidden_regressions:
                    worst_index = len(rows) - 1
            note = say.segment_observation(s, names)
            if note:
                notes.append(note)
        out.append(_table("segments", "Eval pass rate by segment", ("Component", "Segment", "Pass rate (%)", "Cases",
                          "Overall (%)", "Target (%)", "Judged"), rows, numeric=frozenset({2, 3, 4, 5}),
                          worst=worst_index, note=" ".join(notes) or None))  # fmt: skip
    drift = facts.drift
    if drift:
        state = {"ok": "operational", "warn": "degraded", "critical": "major_outage", None: "no_data"}
        rows = [[Cell(names.get(x.component, x.component), strong=True),
                 Cell(f.number(x.latest, 3), state=state[x.level]), f.number(x.peak, 3),
                 f.number(x.warn, 3), f.number(x.critical, 3), x.thresholds_source or f.GAP]
                for x in drift]  # fmt: skip
        out.append(_table("drift", "Drift score (quality signal)", ("Component", "Latest", "Peak", "Warn at",
                          "Critical at", "Thresholds from"), rows, numeric=frozenset({1, 2, 3, 4})))  # fmt: skip
    changes = facts.kpi_changes
    if changes:
        rows = []
        for c in changes:
            shown = c.shown
            rows.append([Cell(str(c.kpi).replace("_", " "), strong=True), names.get(c.component, c.component),
                         f"{c.from_version} → {c.to_version} ({f.date(c.change_at)})",
                         say.kpi_value(c, c.before) if shown else "not shown",
                         say.kpi_value(c, c.after) if shown else "not shown",
                         f"{f.count(c.before.n)} / {f.count(c.after.n)}",
                         c.test, say.p_value(c.p_value) if shown else "below minimum sample"])  # fmt: skip
        note = " ".join(say.kpi_sentence(c, names) for c in changes)
        out.append(_table("kpi_changes", "Business KPIs around model changes (association, not causation)",
                          ("KPI", "Component", "Model change", "Before", "After", "n before / after", "Test", "p-value"),
                          rows, numeric=frozenset({3, 4, 5}), note=note))  # fmt: skip
    return out
