"""Spend exports: Anthropic Admin API cost and usage reports, OpenAI organization costs and a FOCUS 1.2 bill.

Anthropic `cost_report` amounts are decimal strings in cents; OpenAI `costs` amounts are numbers in dollars
with a lowercase currency. Both are paged one calendar month per file, as a monthly export job would save
them. The FOCUS bill is the cloud provider's daily cost-and-usage export, one gzip file per month.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np

from .files import Writer, iso, number
from .truth import Truth
from .usage import TokenUsage

_ANTHROPIC_NAMES = {
    "claude-sonnet-4-5-20250929": "Claude Sonnet 4.5",
    "claude-haiku-4-5-20251001": "Claude Haiku 4.5",
}
_TOKEN_TYPES = (
    ("uncached_input_tokens", "input", "Input Tokens"),
    ("output_tokens", "output", "Output Tokens"),
    ("cache_read_input_tokens", "cache_read", "Cache Read"),
    ("cache_creation.ephemeral_5m_input_tokens", "cache_write", "Cache Write (5m)"),
)


def _months(truth: Truth) -> list[tuple[dt.datetime, dt.datetime, slice]]:
    """(month start, month end clipped to the data, slice of day indexes) per calendar month."""
    days = truth.days
    out = []
    i = 0
    while i < len(days):
        j = i
        while j < len(days) and days[j].month == days[i].month:
            j += 1
        start = dt.datetime(days[i].year, days[i].month, days[i].day, tzinfo=dt.UTC)
        end = dt.datetime(days[j - 1].year, days[j - 1].month, days[j - 1].day, tzinfo=dt.UTC) + dt.timedelta(
            1
        )
        out.append((start, end, slice(i, j)))
        i = j
    return out


def _per_day(values: np.ndarray) -> np.ndarray:
    return values.reshape(-1, 288).sum(axis=1)


def _day(truth: Truth, index: int) -> dt.datetime:
    d = truth.days[index]
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)


def anthropic_cost_report(
    w: Writer, truth: Truth, usages: list[TokenUsage], workspaces: dict[str, str]
) -> None:
    """`GET /v1/organizations/cost_report?group_by[]=workspace_id&group_by[]=description`, daily buckets."""
    rows = [(u, u.cost()) for u in usages if u.usage.provider == "anthropic"]
    for start, _end, days in _months(truth):
        buckets = []
        for d in range(days.start, days.stop):
            results = []
            for u, costs in rows:
                lo, hi = d * 288, (d + 1) * 288
                for model in sorted(set(u.model[lo:hi])):
                    m = u.model[lo:hi] == model
                    for token_type, key, label in _TOKEN_TYPES:
                        usd = float(costs[key][lo:hi][m].sum())
                        if usd <= 0:
                            continue
                        results.append(
                            {
                                "amount": number(usd * 100, 6),
                                "context_window": "0-200k",
                                "cost_type": "tokens",
                                "currency": "USD",
                                "description": f"{_ANTHROPIC_NAMES[str(model)]} Usage - {label}",
                                "model": str(model),
                                "service_tier": "standard",
                                "token_type": token_type,
                                "workspace_id": workspaces[u.component],
                            }
                        )
            day = _day(truth, d)
            buckets.append(
                {"starting_at": iso(day), "ending_at": iso(day + dt.timedelta(1)), "results": results}
            )
        w.json(
            f"data/anthropic/cost_report_{start:%Y-%m}.json.gz",
            {"data": buckets, "has_more": False, "next_page": None},
        )


def anthropic_usage_report(
    w: Writer, truth: Truth, usages: list[TokenUsage], workspaces: dict[str, str]
) -> None:
    """`GET /v1/organizations/usage_report/messages`, hourly buckets grouped by workspace and model."""
    rows = [u for u in usages if u.usage.provider == "anthropic"]
    for start, _end, days in _months(truth):
        buckets = []
        for h in range(days.start * 24, days.stop * 24):
            lo, hi = h * 12, (h + 1) * 12
            results = []
            for u in rows:
                for model in sorted(set(u.model[lo:hi])):
                    m = u.model[lo:hi] == model
                    results.append(
                        {
                            "api_key_id": f"apikey_01{u.component.replace('-', '')[:10].upper()}PROD",
                            "cache_creation": {
                                "ephemeral_1h_input_tokens": 0,
                                "ephemeral_5m_input_tokens": int(u.cache_write[lo:hi][m].sum()),
                            },
                            "cache_read_input_tokens": int(u.cache_read[lo:hi][m].sum()),
                            "context_window": "0-200k",
                            "model": str(model),
                            "output_tokens": int(u.output[lo:hi][m].sum()),
                            "server_tool_use": {"web_search_requests": 0},
                            "service_tier": "standard",
                            "uncached_input_tokens": int(u.uncached_input[lo:hi][m].sum()),
                            "workspace_id": workspaces[u.component],
                        }
                    )
            at = dt.datetime.fromtimestamp(int(truth.ts[lo]), tz=dt.UTC)
            buckets.append(
                {"starting_at": iso(at), "ending_at": iso(at + dt.timedelta(hours=1)), "results": results}
            )
        doc = {"data": buckets, "has_more": False, "next_page": None}
        w.json(f"data/anthropic/usage_report_{start:%Y-%m}.json.gz", doc)


def openai_costs(w: Writer, truth: Truth, usages: list[TokenUsage], projects: dict[str, str]) -> None:
    """`GET /v1/organization/costs?group_by=project_id&group_by=line_item`, daily buckets."""
    rows = [(u, u.cost()) for u in usages if u.usage.provider == "openai"]
    labels = (("input", "input"), ("cache_read", "cached input"), ("output", "output"))
    for start, _end, days in _months(truth):
        buckets = []
        for d in range(days.start, days.stop):
            lo, hi = d * 288, (d + 1) * 288
            results = []
            for u, costs in rows:
                for model in sorted(set(u.model[lo:hi])):
                    m = u.model[lo:hi] == model
                    for key, label in labels:
                        usd = float(costs[key][lo:hi][m].sum())
                        if usd <= 0:
                            continue
                        suffix = " (batch)" if u.usage.batch else ""
                        results.append(
                            {
                                "object": "organization.costs.result",
                                "amount": {"value": round(usd, 6), "currency": "usd"},
                                "line_item": f"{model}, {label}{suffix}",
                                "project_id": projects[u.component],
                            }
                        )
            day = _day(truth, d)
            buckets.append(
                {
                    "object": "bucket",
                    "start_time": int(day.timestamp()),
                    "end_time": int((day + dt.timedelta(1)).timestamp()),
                    "results": results,
                }
            )
        doc = {"object": "page", "data": buckets, "has_more": False, "next_page": None}
        w.json(f"data/openai/costs_{start:%Y-%m}.json.gz", doc)


@dataclass(frozen=True)
class CloudResource:
    """One billed cloud resource (or pool of identical resources) in the FOCUS export."""

    resource_id: str
    name: str
    component: str | None  # None: untagged
    team: str | None
    service: str
    category: str
    subcategory: str
    resource_type: str
    sku: str
    unit: str
    unit_price: float  # list price per unit
    units_per_day: float
    growth_with_traffic: bool = False
    scale_after: tuple[dt.datetime, float] | None = None  # (from, multiplier), e.g. a raised node limit


FOCUS_COLUMNS = (
    "AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingAccountType,BillingCurrency,"
    "BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,"
    "ChargePeriodEnd,ChargePeriodStart,ConsumedQuantity,ConsumedUnit,ContractedCost,ContractedUnitPrice,"
    "EffectiveCost,InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity,PricingUnit,"
    "ProviderName,PublisherName,RegionId,RegionName,ResourceId,ResourceName,ResourceType,ServiceCategory,"
    "ServiceName,ServiceSubcategory,SkuId,SkuPriceId,SubAccountId,SubAccountName,SubAccountType,Tags"
).split(",")


def focus(w: Writer, truth: Truth, resources: list[CloudResource], discount: float = 0.18) -> None:
    """Daily FOCUS 1.2 rows per resource; tagged resources carry `component` and `team` tags."""
    rng = truth.rng("focus")
    growth = {c: _per_day(s.requests) / _per_day(s.requests)[:7].mean() for c, s in truth.series.items()}
    for start, _end, days in _months(truth):
        period_end = dt.datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=dt.UTC)
        rows = []
        for d in range(days.start, days.stop):
            day = _day(truth, d)
            for r in resources:
                quantity = r.units_per_day * rng.lognormal(0.0, 0.02)
                if r.growth_with_traffic and r.component in growth:
                    quantity *= 0.7 + 0.3 * growth[r.component][d]
                if r.scale_after is not None and day >= r.scale_after[0]:
                    quantity *= r.scale_after[1]
                list_cost = quantity * r.unit_price
                effective = list_cost * (1 - discount) if r.category == "Compute" else list_cost
                tags = {"env": "prod"}
                if r.component:
                    tags |= {"component": r.component, "team": r.team or ""}
                rows.append(
                    (
                        "us-east-1a" if r.category == "Compute" else "",
                        f"{effective:.6f}",
                        "123456789012",
                        "Acme AI Platform",
                        "Management Account",
                        "USD",
                        iso(period_end),
                        iso(start),
                        "Usage",
                        "",
                        f"{r.name} ({r.sku})",
                        "Usage-Based",
                        iso(day + dt.timedelta(1)),
                        iso(day),
                        f"{quantity:.4f}",
                        r.unit,
                        f"{effective:.6f}",
                        number(r.unit_price * (1 - discount) if r.category == "Compute" else r.unit_price, 6),
                        f"{effective:.6f}",
                        "AWS",
                        f"{list_cost:.6f}",
                        number(r.unit_price, 6),
                        "Standard",
                        f"{quantity:.4f}",
                        r.unit,
                        "AWS",
                        "AWS",
                        "us-east-1",
                        "US East (N. Virginia)",
                        r.resource_id,
                        r.name,
                        r.resource_type,
                        r.category,
                        r.service,
                        r.subcategory,
                        r.sku,
                        f"{r.sku}:OnDemand",
                        "210987654321",
                        "acme-ai-prod",
                        "AWS Account",
                        json.dumps(tags, sort_keys=True, separators=(",", ":")),
                    )
                )
        w.csv(f"data/billing/focus_{start:%Y-%m}.csv.gz", FOCUS_COLUMNS, rows)
