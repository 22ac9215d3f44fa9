"""Business translation: customer-impact minutes into revenue at risk, and reliability investments into ROI.

Definitions (SPEC section 7; `business` and `investments[]` in docs/facts.md):

- **Revenue at risk** of an incident = impact_minutes × Σ revenue_at_risk_per_minute over its components.
  Each component's rate is the revenue that component carries, so an incident that takes down two
  components puts both at risk and the amounts add. (If two components sit on one user journey their rates
  should be set so they do not overlap; that is a property of the assumptions, stated by their source.)
  An incident with no customer impact has 0. An incident touching a component with no rate has `null` and
  a `missing_assumption` gap names the component: no figure is made up.
- **revenue_at_risk_total** = Σ per-incident amounts; null when any impacted incident is null or no
  assumption exists at all. `revenue_at_risk_known` sums the incidents that can be priced.
- **Degraded (latency-only) incidents** (`impact_kind: degraded`: over the impact window every availability
  SLO of the components they list met its objective and a latency SLO missed it, analysis/facts.py) are never charged at the outage
  rate. Their minutes are `degraded_minutes`; they are charged only at
  `business.degraded_revenue_at_risk_per_minute` (every listed component needs a rate), added to the total
  as `degraded_revenue_at_risk`; without it their amount is null and they stay out of the total.
- **Investments.** The benefit per year is `.expected_benefit` (or `.expected_benefit_per_year`), else
  `.avoided_impact_minutes_per_quarter` × 4 × Σ revenue_at_risk_per_minute of its component(s), else
  `.avoided_impact_share` × the impact minutes of the quarter's incidents on those components × 4 × Σ rate.
  Net benefit = benefit − `.running_cost_per_year` (0 when absent). roi = (net benefit over 12 months − cost)
  / cost; payback_months = cost / (net benefit / 12), null unless the net benefit is positive. Ranked by roi
  descending, then slug; a null roi ranks last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..config import Config
from ..model import Gap, Priority, gap_priority

# what a missing business assumption limits: the deck finds the revenue gaps of its incidents slide by it
REVENUE_LIMITS = "state the revenue at risk from customer-impacting incidents"
_ROI_LIMITS = "rank reliability investments by return"


def component_gap_priority(config: Config, component: str | None) -> Priority:
    """Gap priority of a configured component (SPEC section 7); P3 for a component sentinel.yaml lacks."""
    for c in config.components:
        if c.id == component:
            return gap_priority(c.tier, c.customer_facing)
    return "P3"


def _degraded(incident: Mapping[str, Any]) -> bool:
    return incident.get("impact_kind") == "degraded"


def business_facts(incidents_block: list[dict], config: Config) -> tuple[dict, list[Gap]]:
    """The `business` block from the `incidents[]` block (which carries clipped impact_minutes). Latency-only
    (degraded) incidents are priced apart, at `business.degraded_revenue_at_risk_per_minute` when every
    component they list has one; otherwise they carry minutes and no money, and stay out of the total."""
    degraded = [i for i in incidents_block if _degraded(i) and (i.get("impact_minutes") or 0) > 0]
    slow = config.business.degraded_revenue_at_risk_per_minute
    degraded_amounts: dict[str, float | None] = {}
    for incident in degraded:
        components = sorted(incident["components"])
        priced = components and all(c in slow for c in components)
        degraded_amounts[str(incident["id"])] = (
            incident["impact_minutes"] * sum(slow[c] for c in components) if priced else None
        )
    block, gaps = _outage_facts([i for i in incidents_block if not _degraded(i)], config)
    block["per_incident"] = dict(sorted({**block["per_incident"], **degraded_amounts}.items()))
    block["degraded_minutes"] = float(sum(i["impact_minutes"] for i in degraded))
    block["degraded_incidents"] = sorted(str(i["id"]) for i in degraded)
    amounts = list(degraded_amounts.values())
    block["degraded_revenue_at_risk"] = (
        float(sum(amounts)) if amounts and None not in amounts else (0.0 if not amounts else None)
    )
    if block["revenue_at_risk_total"] is not None and block["degraded_revenue_at_risk"]:
        block["revenue_at_risk_total"] += block["degraded_revenue_at_risk"]
    return block, gaps


def _outage_facts(incidents_block: list[dict], config: Config) -> tuple[dict, list[Gap]]:
    rates = config.business.revenue_at_risk_per_minute
    impacted = [i for i in incidents_block if (i.get("impact_minutes") or 0) > 0]
    per_incident: dict[str, float | None] = {str(i["id"]): 0.0 for i in incidents_block}
    gaps: list[Gap] = []
    if not rates:
        for incident in impacted:
            per_incident[str(incident["id"])] = None
        priorities = sorted(component_gap_priority(config, c) for i in impacted for c in i["components"])
        gaps.append(
            Gap(
                kind="missing_assumption",
                component=None,
                signal=None,
                specific="sentinel.yaml states no business.revenue_at_risk_per_minute for any component",
                limits=REVENUE_LIMITS,
                instrumentation="business.revenue_at_risk_per_minute per customer-facing component, "
                "with business.assumptions_source",
                priority=priorities[0] if priorities else "P2",
            )
        )
        return _block(per_incident, None, config), gaps

    missing: dict[str, list[str]] = {}
    for incident in impacted:
        components = sorted(incident["components"]) or [""]
        absent = [c for c in components if c not in rates]
        for c in absent:
            missing.setdefault(c, []).append(str(incident["id"]))
        per_incident[str(incident["id"])] = (
            None if absent else incident["impact_minutes"] * sum(rates[c] for c in components)
        )
    for component, ids in sorted(missing.items()):
        gaps.append(
            Gap(
                kind="missing_assumption",
                component=component or None,
                signal=None,
                specific=(
                    f"no revenue_at_risk_per_minute for {component} (customer impact in {', '.join(ids)})"
                    if component
                    else f"incidents with customer impact name no component ({', '.join(ids)})"
                ),
                limits=REVENUE_LIMITS,
                instrumentation=(
                    f"business.revenue_at_risk_per_minute.{component} with its source"
                    if component
                    else "a service-to-component mapping for the incident source"
                ),
                priority=component_gap_priority(config, component) if component else "P2",
            )
        )
    amounts = list(per_incident.values())
    total = float(sum(a for a in amounts if a is not None)) if None not in amounts else None
    return _block(per_incident, total, config), gaps


def _block(per_incident: dict[str, float | None], total: float | None, config: Config) -> dict:
    known = [a for a in per_incident.values() if a is not None]
    return {
        "currency": config.currency,
        "revenue_at_risk_total": total,
        "revenue_at_risk_known": float(sum(known)) if known else None,
        "incidents_without_assumption": sorted(k for k, v in per_incident.items() if v is None),
        "assumptions_source": config.business.assumptions_source,
        "per_incident": dict(sorted(per_incident.items())),
    }


def attach_business_impact(
    incidents_block: list[dict], business: dict, config: Config | None = None
) -> list[dict]:
    """Copies of `incidents[]` with `business_impact {amount, currency, assumptions_source, impact_minutes,
    rate_per_minute, rates {component: rate}}` filled in: the amount is impact_minutes × rate_per_minute, and
    the rate is the sum of the configured rates of every component the incident lists."""
    business_config = config.business if config is not None else None
    out = []
    for incident in incidents_block:
        amount = business["per_incident"].get(str(incident["id"]))
        impact = None
        if amount is not None:
            rates = (
                {}
                if business_config is None
                else business_config.degraded_revenue_at_risk_per_minute
                if _degraded(incident)
                else business_config.revenue_at_risk_per_minute
            )
            mine = {c: float(rates[c]) for c in sorted(incident.get("components") or []) if c in rates}
            impact = {
                "amount": amount,
                "currency": business["currency"],
                "assumptions_source": business["assumptions_source"],
                "impact_minutes": incident.get("impact_minutes"),
                "rate_per_minute": float(sum(mine.values())) if mine else None,
                "rates": mine,
            }
        out.append({**incident, "business_impact": impact})
    return out


def investment_facts(
    investments: Sequence[Any], config: Config, quarter_facts: dict | None = None
) -> tuple[list[dict], list[Gap]]:
    """`investments[]` for the quarterly deck, ranked by ROI, and the gaps that leave an ROI unstated."""
    rows: list[dict] = []
    gaps: list[Gap] = []
    for inv in investments:
        components = _components(inv)
        benefit, method, gap = _annual_benefit(inv, components, config, quarter_facts)
        if gap is not None:
            gaps.append(gap)
        cost = float(inv.cost) if getattr(inv, "cost", None) is not None else None
        if cost is None:
            gaps.append(
                _investment_gap(inv, components, config, f"investment {inv.slug} states no cost", "cost")
            )
        running = float(getattr(inv, "running_cost_per_year", None) or 0.0)
        net = benefit - running if benefit is not None else None
        rows.append(
            {
                "slug": inv.slug,
                "title": inv.title,
                "currency": config.currency,
                "cost": cost,
                "running_cost_per_year": running,
                "expected_benefit": benefit,
                "benefit_method": method,
                "benefit_basis": getattr(inv, "benefit_basis", None),
                "components": list(components),
                "owner": getattr(inv, "owner", None),
                "roi": (net - cost) / cost if net is not None and cost else None,
                "payback_months": cost / (net / 12)
                if net is not None and cost is not None and net > 0
                else None,
                "confidence": getattr(inv, "confidence", None),
                "assumptions": list(getattr(inv, "assumptions", None) or []),
                "assumptions_source": config.business.assumptions_source if method != "stated" else None,
                "risk": _plain(getattr(inv, "risk", None)),
            }
        )
    rows.sort(key=lambda r: (r["roi"] is None, -(r["roi"] or 0.0), r["slug"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows, sorted(gaps, key=lambda g: g.specific)


def _components(inv: Any) -> tuple[str, ...]:
    single = getattr(inv, "component", None)
    return (single,) if single else tuple(sorted(getattr(inv, "components", None) or ()))


def _annual_benefit(
    inv: Any, components: tuple[str, ...], config: Config, quarter_facts: dict | None
) -> tuple[float | None, str, Gap | None]:
    """(benefit per year, method, gap)."""
    for name in ("expected_benefit", "expected_benefit_per_year"):
        if getattr(inv, name, None) is not None:
            return float(getattr(inv, name)), "stated", None
    minutes = getattr(inv, "avoided_impact_minutes_per_quarter", None)
    method = "avoided_impact_minutes"
    share = getattr(inv, "avoided_impact_share", None)
    if minutes is None and share is not None and quarter_facts is not None:
        method = "avoided_impact_share"
        minutes = float(share) * sum(
            i.get("impact_minutes") or 0.0
            for i in quarter_facts.get("incidents", [])
            if set(components) & set(i.get("components", []))
        )
    if minutes is None or not components:
        specific = f"investment {inv.slug} states no expected benefit that can be computed"
        field = "expected_benefit, or avoided_impact_minutes_per_quarter with component"
        return None, method, _investment_gap(inv, components, config, specific, field)
    rates = config.business.revenue_at_risk_per_minute
    absent = [c for c in components if c not in rates]
    if not absent:
        return float(minutes) * 4 * sum(rates[c] for c in components), method, None
    specific = f"no revenue_at_risk_per_minute for {', '.join(absent)}, needed by investment {inv.slug}"
    gap = _investment_gap(inv, components, config, specific, "")
    return (
        None,
        method,
        replace(gap, instrumentation=f"business.revenue_at_risk_per_minute.{absent[0]} with its source"),
    )


def _investment_gap(inv: Any, components: tuple[str, ...], config: Config, specific: str, field: str) -> Gap:
    component = components[0] if components else None
    return Gap(
        kind="missing_assumption",
        component=component,
        signal=None,
        specific=specific,
        limits=_ROI_LIMITS,
        instrumentation=f"{field} in investments/{inv.slug}.md",
        priority=component_gap_priority(config, component),
    )


def _plain(value: Any) -> Any:
    """A risk assessment as plain sorted data: mappings and pydantic models become dicts."""
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
