"""AI incident classes, AICS roles, AI severity criteria and regulatory flags (`ai_incidents` in docs/facts.md).

Over the incidents of the window (the same selection as `incidents[]`):

- **class**: the incident's `incident_class` from its source (custom field, tag or column), else the
  `class` of its postmortem's front matter, else null ("unclassified"). `by_class` counts incidents per class
  with how many were SEV1/SEV2.
- **roles**: the AICS roles (Incident Commander, Model SME, Data Pipeline Lead, Safety Officer,
  Communications Lead) from the source, completed by the postmortem's `roles`; each is a team or role name
  (a postmortem value that names no configured team or role holder is left out and listed in
  `refused_roles` by role, never by value).
- **safety_officer_missing**: a SEV1/SEV2 of class safety with no Safety Officer. Flagged.
- **severity_criteria**: episodes in the window where a configured AI severity definition
  (`incidents.severity_definitions`, e.g. SEV2: toxicity_rate above its limit for 30 minutes on a
  customer-facing component) was met by the samples, with the incident that covers it, if any.
- **regulatory_candidates** (only with `governance.eu_ai_act: true`): a SEV1/SEV2 (configurable) of class
  safety or data exposure (configurable) on a component marked `high_risk: true` is a *possible*
  serious-incident reporting candidate. Each carries the reporting deadlines commonly cited for Article 73
  with their source (from config, editable), the detection time the days would be counted from if awareness
  dates from it, and `counsel_review: true`. It is a flag for counsel, never a legal conclusion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..collectors.ai_incidents import _norm, role_holders
from ..config import Config
from ..model import AICS_ROLES, INCIDENT_CLASSES, Incident
from .incidents import _in_window
from .provenance import iso

SERIOUS = ("SEV1", "SEV2")


def ai_incident_facts(
    incidents: Sequence[Incident],
    postmortems: Sequence[Any],
    samples: pd.DataFrame,
    config: Config,
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
) -> dict[str, Any]:
    by_incident: dict[str, Any] = {}
    for pm in sorted(postmortems, key=lambda p: str(getattr(p, "slug", ""))):
        by_incident.setdefault(str(pm.incident), pm)
    holders = role_holders(config)
    selected = sorted(
        (i for i in incidents if _in_window(i, start, end, as_of)), key=lambda i: (i.started_at, i.id)
    )
    entries = []
    for inc in selected:
        pm = by_incident.get(inc.id)
        cls = inc.incident_class or getattr(pm, "incident_class", None)
        roles = dict(inc.roles)
        refused = []
        for role, holder in sorted((getattr(pm, "roles", None) or {}).items()):
            if role in roles:
                continue
            known = holders.get(_norm(holder))
            if known is None:
                refused.append(AICS_ROLES.get(role, role))
            else:
                roles[role] = known
        ordered = {AICS_ROLES[r]: roles[r] for r in AICS_ROLES if r in roles}
        entries.append(
            {
                "id": inc.id,
                "severity": inc.severity,
                "status": inc.status,
                "incident_class": cls,
                "class_label": INCIDENT_CLASSES.get(cls) if cls else None,
                "class_from": "source" if inc.incident_class else "postmortem" if cls else None,
                "components": list(inc.components),
                "started_at": iso(inc.started_at),
                "detected_at": iso(inc.detected_at or inc.created_at),
                "roles": ordered,
                "missing_roles": [label for r, label in AICS_ROLES.items() if r not in roles],
                "refused_roles": refused,
                "safety_officer_missing": cls == "safety" and inc.severity in SERIOUS and "safety_officer" not in roles,
                "sources": [inc.source],
            }
        )  # fmt: skip
    by_class: dict[str, dict[str, Any]] = {}
    for key in [*INCIDENT_CLASSES, None]:
        mine = [e for e in entries if e["incident_class"] == key]
        if mine:
            by_class[key or "unclassified"] = {
                "label": INCIDENT_CLASSES.get(key, "unclassified") if key else "unclassified",
                "count": len(mine),
                "sev1_sev2": sum(1 for e in mine if e["severity"] in SERIOUS),
                "ids": [e["id"] for e in mine],
            }
    return {
        "incidents": entries,
        "by_class": by_class,
        "safety_officer_missing": [e["id"] for e in entries if e["safety_officer_missing"]],
        "severity_definitions": [
            {"severity": d.severity, "signal": d.signal, "description": d.description} for d in config.incidents.severity_definitions
        ],
        "severity_criteria": severity_episodes(samples, selected, config, start, end),
        "regulatory": regulatory_candidates(entries, config),
    }  # fmt: skip


def regulatory_candidates(entries: list[dict[str, Any]], config: Config) -> dict[str, Any]:
    gov = config.governance
    high_risk = {c.id for c in config.components if c.high_risk}
    out: dict[str, Any] = {
        "enabled": gov.eu_ai_act,
        "framework": "EU AI Act, Article 73 (serious incidents)" if gov.eu_ai_act else None,
        "article": 73 if gov.eu_ai_act else None,
        "high_risk_components": sorted(high_risk),
        "deadlines": [{"case": d.case, "days": d.days, "source": d.source} for d in gov.reporting_deadlines],
        "candidates": [],
    }
    if not gov.eu_ai_act:
        return out
    for e in entries:
        on = [c for c in e["components"] if c in high_risk]
        if e["severity"] in gov.candidate_severities and e["incident_class"] in gov.candidate_classes and on:
            out["candidates"].append(
                {
                    "incident": e["id"],
                    "severity": e["severity"],
                    "incident_class": e["incident_class"],
                    "class_label": e["class_label"],
                    "components": on,
                    "detected_at": e["detected_at"],
                    "deadlines": out["deadlines"],
                    "possible_candidate": True,  # a flag, never a determination
                    "counsel_review": True,
                }
            )
    return out


def severity_signals(config: Config) -> tuple[str, ...]:
    """The sample signals severity_episodes reads: those of the configured severity definitions."""
    return tuple(rule.signal for rule in config.incidents.severity_definitions)


def severity_episodes(
    samples: pd.DataFrame, incidents: Sequence[Incident], config: Config, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """Runs of samples where a severity definition's condition held for at least its duration."""
    out: list[dict[str, Any]] = []
    if not config.incidents.severity_definitions or not len(samples):
        return out
    window = samples.loc[(samples["ts"] >= pd.Timestamp(start)) & (samples["ts"] < pd.Timestamp(end))]
    limits = {
        "toxicity_rate": config.quality.toxicity_max,
        "hallucination_rate": config.quality.hallucination_max,
    }
    for rule in config.incidents.severity_definitions:
        limit = rule.limit if rule.limit is not None else limits.get(rule.signal)
        if limit is None:
            continue
        for comp in config.components:
            if rule.customer_facing_only and not comp.customer_facing:
                continue
            rows = window.loc[
                (window["signal"].astype(str) == rule.signal) & (window["component"].astype(str) == comp.id)
            ]
            if len(rows) < 1:
                continue
            rows = rows.sort_values("ts")
            ts = rows["ts"].reset_index(drop=True)
            step = ts.diff().median() if len(ts) > 1 else pd.Timedelta(minutes=5)
            beyond = (rows["value"] > limit) if rule.op == "gt" else (rows["value"] < limit)
            beyond = beyond.to_numpy()
            i = 0
            while i < len(beyond):
                if not beyond[i]:
                    i += 1
                    continue
                j = i
                while j + 1 < len(beyond) and beyond[j + 1] and ts[j + 1] - ts[j] <= step:
                    j += 1
                first, last = ts[i], ts[j] + step
                if last - first >= rule.for_:
                    covering = [inc.id for inc in incidents if comp.id in inc.components
                                and inc.started_at <= last.to_pydatetime() and (inc.resolved_at or end) >= first.to_pydatetime()]  # fmt: skip
                    peak = float(
                        rows["value"].iloc[i : j + 1].max()
                        if rule.op == "gt"
                        else rows["value"].iloc[i : j + 1].min()
                    )
                    out.append({
                        "severity": rule.severity, "signal": rule.signal, "component": comp.id, "limit": limit,
                        "start": iso(first.to_pydatetime()), "end": iso(last.to_pydatetime()),
                        "minutes": (last - first).total_seconds() / 60, "peak": peak,
                        "description": rule.description, "incidents": covering,
                        "without_incident": not covering,
                    })  # fmt: skip
                i = j + 1
    return sorted(out, key=lambda e: (e["start"], e["component"], e["signal"]))
