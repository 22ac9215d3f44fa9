"""Self-hosted serving against an API for the same traffic (`self_hosting` in docs/facts.md).

Over the window [start, end) (ledger days whose midnight lies in it), for `self_hosting.component`:

- **self-hosted cost** = the component's attributed spend in the bill (GPU node pool and what else the bill
  tags to it, in the configured currency) + `engineering_monthly` × days / 30 (the people cost of running the
  stack, stated with `engineering_source`);
- **tokens** = Σ tokens_input + tokens_cache_read + tokens_cache_write + tokens_output samples of the
  component (request logs or serving metrics), in millions;
- **cost per 1M tokens** self-hosted = self-hosted cost / tokens; **API cost** of the same traffic =
  input millions × `api_price.input` + output millions × `api_price.output` (cached input priced as input),
  and its blended price per 1M tokens;
- **break-even volume** (tokens per 30 days) = monthly self-hosted cost / blended API price per token, with
  the assumptions stated (token figures are counts of tokens): the self-hosted cost is fixed up to the node pool's capacity (it does not fall
  with volume), the input/output mix stays as observed, and the API price is the configured list price.

Without the configuration, or without spend or token data for the component, every figure is null and
`missing` names what is needed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..config import Config

MONTH_DAYS = 30
INPUT_SIGNALS = ("tokens_input", "tokens_cache_read", "tokens_cache_write")
TOKEN_PREFIX = "tokens_"  # with self_hosting configured, every signal named so is read (its sources listed)


def self_hosting_facts(
    costs: pd.DataFrame, samples: pd.DataFrame, config: Config, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    sh = config.self_hosting
    out: dict[str, Any] = {
        "configured": sh is not None,
        "component": sh.component if sh else None,
        "currency": config.currency,
        "days": round((end - start).total_seconds() / 86400, 2),
        "missing": [],
        "assumptions": [
            "self-hosted cost is fixed up to the node pool's capacity: it does not fall with volume",
            "the input/output token mix stays as observed in the window",
            "the API is charged at the configured list price, cached input priced as input",
        ],
        "gpu_spend": None, "engineering": None, "engineering_monthly": None, "engineering_source": None,
        "self_hosted_cost": None, "tokens_input": None, "tokens_output": None,
        "tokens": None, "self_hosted_per_million": None, "api_cost": None, "api_per_million": None,
        "api_price": None, "break_even_tokens_per_month": None, "tokens_per_month": None,
        "monthly_self_hosted_cost": None, "cheaper": None, "sources": [],
    }  # fmt: skip
    if sh is None:
        out["missing"] = [
            "`self_hosting` in sentinel.yaml (the self-hosted component, the API price for the same traffic "
            "with its source, and the monthly engineering cost with its source)"
        ]
        return out
    missing = out["missing"]
    if sh.api_price is None:
        missing.append("`self_hosting.api_price` (input and output price per 1M tokens, with its source)")
    if sh.engineering_monthly is None or not sh.engineering_source:
        missing.append(
            "`self_hosting.engineering_monthly` with `engineering_source` (people cost of the stack)"
        )
    day = costs["day"] if len(costs) else pd.Series(dtype="datetime64[ns, UTC]")
    spend_rows = costs.loc[
        (day >= pd.Timestamp(start)) & (day < pd.Timestamp(end))
        & (costs["component"].astype("string") == sh.component) & (costs["currency"] == config.currency)
    ] if len(costs) else costs  # fmt: skip
    gpu = float(spend_rows["cost"].sum()) if len(spend_rows) else None
    if gpu is None:
        missing.append(f"spend tagged to {sh.component} in the bill for this window")
    window = samples.loc[
        (samples["ts"] >= pd.Timestamp(start)) & (samples["ts"] < pd.Timestamp(end))
        & (samples["component"].astype(str) == sh.component)
    ]  # fmt: skip
    sig = window["signal"].astype(str)
    has_in, has_out = sig.isin(INPUT_SIGNALS).any(), (sig == "tokens_output").any()
    if not (has_in and has_out):
        missing.append(f"input and output token counts for {sh.component} (request logs or serving metrics)")
    out["sources"] = sorted(set(spend_rows["source"].astype(str)) | set(window.loc[sig.str.startswith(TOKEN_PREFIX), "source"].astype(str))) if len(window) or gpu else []  # fmt: skip
    if missing:
        return out
    days = (end - start).total_seconds() / 86400
    tin = float(window.loc[sig.isin(INPUT_SIGNALS), "value"].sum()) / 1e6
    tout = float(window.loc[sig == "tokens_output", "value"].sum()) / 1e6
    total = tin + tout
    engineering = sh.engineering_monthly * days / MONTH_DAYS
    cost = gpu + engineering
    api = tin * sh.api_price.input + tout * sh.api_price.output
    blended = api / total if total else None
    monthly_cost = (gpu / days) * MONTH_DAYS + sh.engineering_monthly
    out.update(
        gpu_spend=gpu, engineering=engineering, engineering_monthly=sh.engineering_monthly,
        engineering_source=sh.engineering_source, self_hosted_cost=cost,
        tokens_input=tin * 1e6, tokens_output=tout * 1e6, tokens=total * 1e6,
        self_hosted_per_million=cost / total if total else None,
        api_cost=api, api_per_million=blended,
        api_price={"input": sh.api_price.input, "output": sh.api_price.output, "source": sh.api_price.source},
        monthly_self_hosted_cost=monthly_cost, tokens_per_month=total * 1e6 / days * MONTH_DAYS,
        break_even_tokens_per_month=monthly_cost / blended * 1e6 if blended else None,
        cheaper=("self-hosted" if cost < api else "api") if total else None,
    )  # fmt: skip
    return out
