"""Accepted Claude drafts, kept so that a rebuild with unchanged facts makes no request.

The key is the sha256 of the canonical facts JSON, the section, the caller's instructions, the baseline
(template) text, the static prompt and the model id: change any of them and the draft is written again.
An entry holds the draft text, the section, the model and the usage of the request that produced it, never
the API key or request headers. ``MemoryDraftCache`` keeps them in a dict; ``cache.drafts.DraftCache``
keeps them in the project's store. Both satisfy ``DraftStore``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Protocol

from ..analysis.facts_model import FactsBase, facts_data

CACHE_VERSION = "1"


def canonical_json(facts: Mapping[str, Any]) -> str:
    """Facts as compact JSON with sorted keys: the text sent to the model and hashed for the cache key.

    Only JSON-like values are accepted (dates become ISO strings); anything else, such as a data frame of
    raw rows, raises TypeError, because only facts may leave the machine.
    """
    return json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_facts_value)


def _facts_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, FactsBase):  # a facts model (analysis/facts_model.py): its JSON data
        return facts_data(value)  # type: ignore[arg-type]
    if type(value).__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    raise TypeError(f"facts may hold only JSON-like values, found {type(value).__name__}")


def draft_key(
    *, section: str, facts: Mapping[str, Any], instructions: str, baseline: str, prompt: str, model: str
) -> str:
    """The cache key of one draft request."""
    material = json.dumps(
        {
            "version": CACHE_VERSION,
            "section": section,
            "facts": canonical_json(facts),
            "instructions": instructions,
            "baseline": baseline,
            "prompt": prompt,
            "model": model,
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class DraftStore(Protocol):
    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, entry: Mapping[str, Any]) -> None: ...


class MemoryDraftCache:
    """Entries in a dict: for tests, and for a build that should not keep drafts."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        entry = self.entries.get(key)
        return dict(entry) if entry is not None else None

    def put(self, key: str, entry: Mapping[str, Any]) -> None:
        self.entries[key] = json.loads(json.dumps(dict(entry), sort_keys=True))
