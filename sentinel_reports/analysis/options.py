"""The deck's investment options: incident frequency over the last four quarters, "do nothing", the ROI of
each option at the low, expected and high frequency, and a case derived from incident history when content
proposes none (`options` in docs/facts.md).

Definitions, over the quarter and the three before it (the quarter itself up to its window end):

- A quarter's **incident record** covers the share of its days the incident sources cover
  (`verdict.incident_coverage`); `days_with_data` = that share × its days. A quarter with fewer than
  `MIN_DAYS` days with data has no frequency (`per_quarter` null): a gap, never 0.
- **Serious incidents**: SEV1/SEV2 with customer impact (impact_minutes > 0) that started in the quarter.
- **Frequency** (serious incidents per quarter) of a quarter = count / days_with_data × `QUARTER_DAYS`;
  `low` and `high` are the lowest and highest quarter frequencies, `expected` the pooled one
  (Σ count / Σ days_with_data × `QUARTER_DAYS`), each with the quarters it comes from.
- **Sensitivity** of an investment: its benefit scales with the frequency of serious incidents on its
  components, relative to the expected one (the proposal's own case is the expected frequency):
  roi(f) = (benefit × f / expected − running cost − cost) / cost. Null when the expected frequency is 0 or
  unknown (the benefit does not follow incident history) or the ROI is.
- **Do nothing**: no cost and no benefit; it keeps the exposure: the expected serious incidents a year and
  their revenue at risk a year (Σ revenue at risk of the serious incidents / Σ days with data × 365.25),
  null when an outage cannot be priced or no quarter has data. Latency-only incidents without a degraded
  rate stay out of the money, as in the business block, and are listed (`unpriced_incidents`).
- **Derived case** (only when content proposes no investment): the components whose serious incidents put
  the most revenue at risk (else impact minutes) over the four quarters; `break_even_cost` is the expected
  revenue at risk a year on them: the most a one-off fix that removes those incidents can cost and pay back
  within the first year. It names the incidents it is derived from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .provenance import iso
from .verdict import SERIOUS, incident_coverage

QUARTER_DAYS = 365.25 / 4
YEAR_DAYS = 365.25
MIN_DAYS = 28
"""A quarter needs at least this many days of incident record for a frequency (four weeks)."""


def _serious(incidents: Iterable[Mapping[str, Any]], start: dt.datetime, end: dt.datetime) -> list:
    return [
        i
        for i in incidents
        if i.get("severity") in SERIOUS
        and (i.get("impact_minutes") or 0) > 0
        and iso(start) <= str(i.get("started_at")) < iso(end)
    ]


def _unpriced(incident: Mapping[str, Any]) -> bool:
    """A latency-only (degraded) incident without a degraded rate: minutes, no money (analysis/business.py)."""
    return (
        incident.get("impact_kind") == "degraded"
        and (incident.get("business_impact") or {}).get("amount") is None
    )


def _amount(incidents: Sequence[Mapping[str, Any]]) -> float | None:
    """Σ revenue at risk, as the business block sums it (degraded incidents without a degraded rate stay
    out); null when an outage cannot be priced (a missing assumption)."""
    amounts = [(i.get("business_impact") or {}).get("amount") for i in incidents if not _unpriced(i)]
    return None if any(a is None for a in amounts) else float(sum(amounts))


def _quarter_rows(
    incidents: Sequence[Mapping[str, Any]],
    quarters: Sequence[tuple[str, dt.datetime, dt.datetime, dt.datetime]],
    sources: Iterable[Any],
    components: set[str] | None,
) -> list[dict]:
    sources = list(sources)
    rows = []
    for label, start, end, full_end in quarters:
        days = (end - start).total_seconds() / 86400
        covered, _ = incident_coverage(sources, start, end)
        with_data = round(covered * days, 2)
        mine = [
            i
            for i in _serious(incidents, start, end)
            if components is None or components & set(i.get("components") or [])
        ]
        known = with_data >= MIN_DAYS
        rows.append(
            {
                "label": label,
                "days": round(days, 2),
                "quarter_days": round((full_end - start).total_seconds() / 86400, 2),
                "days_with_data": with_data,
                "in_progress": end < full_end,
                "incidents": [i["id"] for i in mine] if known else [],
                "count": len(mine) if known else None,
                "impact_minutes": float(sum(i["impact_minutes"] for i in mine)) if known else None,
                "revenue_at_risk": _amount(mine) if known else None,
                "unpriced_incidents": [i["id"] for i in mine if _unpriced(i)] if known else [],
                "per_quarter": len(mine) / with_data * QUARTER_DAYS if known else None,
            }
        )
    return rows


def _frequency(rows: Sequence[dict]) -> dict:
    known = [r for r in rows if r["per_quarter"] is not None]
    if not known:
        return {"low": None, "expected": None, "high": None, "low_quarter": None, "high_quarter": None,
                "quarters_with_data": [], "quarters_without_data": [r["label"] for r in rows]}  # fmt: skip
    low = min(known, key=lambda r: (r["per_quarter"], r["label"]))
    high = max(known, key=lambda r: (r["per_quarter"], r["label"]))
    days = sum(r["days_with_data"] for r in known)
    return {
        "low": low["per_quarter"],
        "expected": sum(r["count"] for r in known) / days * QUARTER_DAYS,
        "high": high["per_quarter"],
        "low_quarter": low["label"],
        "high_quarter": high["label"],
        "quarters_with_data": [r["label"] for r in known],
        "quarters_without_data": [r["label"] for r in rows if r["per_quarter"] is None],
    }


def _per_year(rows: Sequence[dict], key: str) -> float | None:
    known = [r for r in rows if r["per_quarter"] is not None]
    days = sum(r["days_with_data"] for r in known)
    if not known or any(r[key] is None for r in known):
        return None
    return sum(r[key] for r in known) / days * YEAR_DAYS


def _roi(benefit: float | None, running: float, cost: float | None, scale: float | None) -> float | None:
    if benefit is None or not cost or scale is None:
        return None
    return (benefit * scale - running - cost) / cost


def options_facts(
    incidents: Sequence[Mapping[str, Any]],
    quarters: Sequence[tuple[str, dt.datetime, dt.datetime, dt.datetime]],
    sources: Iterable[Any],
    investments: list[dict],
    names: Mapping[str, str],
) -> dict:
    """The `options` block; adds `sensitivity` to each row of `investments` (in place).

    `incidents`: the incident blocks of the four quarters (with `business_impact`); `quarters`: (label,
    start, window end, quarter end) oldest first; `names`: component id → name."""
    sources = list(sources)
    platform = _quarter_rows(incidents, quarters, sources, None)
    frequency = _frequency(platform)
    for inv in investments:
        rows = _quarter_rows(incidents, quarters, sources, set(inv.get("components") or []))
        freq = _frequency(rows)
        expected = freq["expected"]
        benefit, running, cost = (
            inv.get("expected_benefit"),
            inv.get("running_cost_per_year") or 0.0,
            inv.get("cost"),
        )
        scales = {
            k: (freq[k] / expected if expected and freq[k] is not None else None)
            for k in ("low", "expected", "high")
        }
        inv["sensitivity"] = {
            **freq,
            "incidents": sorted({i for r in rows for i in r["incidents"]}),
            **{f"roi_{k}": _roi(benefit, running, cost, scales[k]) for k in ("low", "expected", "high")},
        }
    derived = None
    if not investments:
        derived = _derived_case(incidents, quarters, sources, names)
    return {
        "quarters": platform,
        "frequency": frequency,
        "do_nothing": {
            "cost": 0.0,
            "running_cost_per_year": 0.0,
            "expected_benefit": 0.0,
            "incidents_per_year": frequency["expected"] * 4 if frequency["expected"] is not None else None,
            "revenue_at_risk_per_year": _per_year(platform, "revenue_at_risk"),
            "unpriced_incidents": sorted({i for r in platform for i in r["unpriced_incidents"]}),
        },
        "derived_case": derived,
    }


def _derived_case(
    incidents: Sequence[Mapping[str, Any]],
    quarters: Sequence[tuple[str, dt.datetime, dt.datetime, dt.datetime]],
    sources: list,
    names: Mapping[str, str],
) -> dict | None:
    serious = _serious(incidents, quarters[0][1], quarters[-1][2])
    if not serious:
        return None
    by_component: dict[str, list] = {}
    for i in serious:
        for c in i.get("components") or []:
            by_component.setdefault(c, []).append(i)

    def weight(item: tuple[str, list]) -> tuple:
        amount = _amount(item[1])
        return (amount is not None, amount or 0.0, sum(i["impact_minutes"] for i in item[1]), item[0])

    component, _ = max(by_component.items(), key=weight)
    rows = _quarter_rows(incidents, quarters, sources, {component})
    cited = sorted({i for r in rows for i in r["incidents"]})
    if not cited:
        return None
    per_year = _per_year(rows, "revenue_at_risk")
    return {
        "derived": True,
        "title": f"Remove the failure modes behind serious incidents on {names.get(component, component)}",
        "components": [component],
        "incidents": cited,
        "count": sum(r["count"] or 0 for r in rows),
        "impact_minutes": float(sum(r["impact_minutes"] or 0.0 for r in rows)),
        "revenue_at_risk": _amount([i for i in serious if i["id"] in cited]),
        "incidents_per_year": (_frequency(rows)["expected"] or 0.0) * 4,
        "revenue_at_risk_per_year": per_year,
        "break_even_cost": per_year,
        "quarters_with_data": _frequency(rows)["quarters_with_data"],
    }
