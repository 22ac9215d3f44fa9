"""The facts as the JSON data that the checks walk (fact catalog, meaning check, number verifier, review).

Those checks index every value of a facts document generically, by its dotted key, so they walk the JSON
data of the facts (`analysis.facts_model.facts_data`: timestamps as `2026-11-23T00:00:00Z`, keys an entry
did not have left out), not the models. A plain mapping (a facts.json read back, a test's document) is
taken as it is. The data of the last facts model asked for is kept, so the sections of one publication
share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..analysis.facts_model import FactsBase, facts_data

_last: tuple[Any, dict[str, Any]] | None = None


def document(facts: Any) -> Mapping[str, Any]:
    """The JSON data of a facts model; a mapping as it is."""
    global _last
    if not isinstance(facts, FactsBase):
        return facts
    if _last is not None and _last[0] is facts:
        return _last[1]
    data = facts_data(facts)  # type: ignore[arg-type]
    _last = (facts, data)
    return data
