"""Token usage derived from the truth model: what each component sent to its hosted models.

Successful requests are billed; failed ones (provider errors) are not. The chat-api prompt-cache regression
and model version changes act here, so the usage report, the cost report, the request logs and the bills
all move together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scenario import LlmUsage
from .truth import Truth

# List prices per million tokens (USD): input, output, cache read, cache write (5 minutes).
PRICES: dict[str, tuple[float, float, float, float]] = {
    "claude-sonnet-4-5-20250929": (3.00, 15.00, 0.30, 3.75),
    "claude-haiku-4-5-20251001": (1.00, 5.00, 0.10, 1.25),
    "gpt-4.1-2025-04-14": (2.00, 8.00, 0.50, 0.0),
    "gpt-5-mini-2025-08-07": (0.25, 2.00, 0.025, 0.0),
    "gpt-4.1-mini-2025-04-14": (0.40, 1.60, 0.10, 0.0),
    "text-embedding-3-large": (0.13, 0.0, 0.0, 0.0),
}
MODEL_IDS = {
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
}
BATCH_DISCOUNT = 0.5
REGRESSED_CACHE_READ, REGRESSED_CACHE_WRITE = 0.12, 0.30


@dataclass
class TokenUsage:
    """Five-minute token counts of one component × model (float arrays on the truth grid)."""

    usage: LlmUsage
    model: np.ndarray  # object array of model ids per step (a model change switches it)
    requests: np.ndarray
    uncached_input: np.ndarray
    cache_read: np.ndarray
    cache_write: np.ndarray
    output: np.ndarray

    @property
    def component(self) -> str:
        return self.usage.component

    def cost(self, mask: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """USD per step, by token type."""
        out = {k: np.zeros(len(self.requests)) for k in ("input", "output", "cache_read", "cache_write")}
        for model in np.unique(self.model):
            m = self.model == model
            if mask is not None:
                m &= mask
            p_in, p_out, p_read, p_write = PRICES[str(model)]
            factor = (BATCH_DISCOUNT if self.usage.batch else 1.0) / 1e6
            out["input"][m] = self.uncached_input[m] * p_in * factor
            out["output"][m] = self.output[m] * p_out * factor
            out["cache_read"][m] = self.cache_read[m] * p_read * factor
            out["cache_write"][m] = self.cache_write[m] * p_write * factor
        return out


def token_usage(truth: Truth) -> list[TokenUsage]:
    scenario = truth.scenario
    out = []
    for usage in scenario.llm_usage:
        series = truth.series[usage.component]
        rng = truth.rng(f"tokens/{usage.component}/{usage.model}")
        n = len(truth.ts)
        model = np.full(n, MODEL_IDS.get(usage.model, usage.model), dtype=object)
        for change in scenario.model_changes:
            if change.component == usage.component and change.previous == model[0]:
                model[truth.mask(change.start, change.end)] = change.candidate
        requests = series.good * usage.share_of_requests
        per_request_in = usage.input_tokens * rng.lognormal(0.0, 0.04, n)
        per_request_out = usage.output_tokens * rng.lognormal(0.0, 0.05, n)
        read_share = np.full(n, usage.cache_read_share)
        write_share = np.full(n, usage.cache_write_share)
        regression = scenario.cache_regression
        if regression is not None and usage.component == "chat-api":
            m = truth.mask(regression.start, regression.end)
            read_share[m], write_share[m] = REGRESSED_CACHE_READ, REGRESSED_CACHE_WRITE
        total_in = np.round(requests * per_request_in)
        cache_read = np.round(total_in * read_share)
        cache_write = np.round(total_in * write_share)
        out.append(
            TokenUsage(
                usage=usage,
                model=model,
                requests=requests,
                uncached_input=total_in - cache_read - cache_write,
                cache_read=cache_read,
                cache_write=cache_write,
                output=np.round(requests * per_request_out),
            )
        )
    return out


def daily(values: np.ndarray, truth: Truth) -> np.ndarray:
    """Five-minute values summed per UTC day."""
    return values.reshape(-1, 288).sum(axis=1)
