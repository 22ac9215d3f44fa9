"""Accepted Claude drafts in the store (kind ``drafts``): a rebuild with unchanged facts makes no request.

The key (``narrative.llm_cache.draft_key``) covers the facts, the section, the instructions, the baseline
text, the static prompt (with the ``write_section`` tool) and the model. An entry holds the draft as the
model wrote it (``draft``: figures, dates and period labels as ``{{fact.key}}`` placeholders), its rendered
``text`` and ``claims`` (``{fact_key, display}``), the section, the model and the usage of the request that
produced it, never the API key or request headers. The narrator checks a stored draft again before using it. A damaged entry reads as a miss; a
store that cannot be written only costs a request next time.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .store import Store


class DraftCache:
    """A ``narrative.llm_cache.DraftStore`` on the store (a folder, or an open ``Store``)."""

    def __init__(self, store: Store | Path | str):
        self.store = store if isinstance(store, Store) else Store(Path(store))

    @staticmethod
    def _check(key: str) -> None:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a draft key: {key!r}")

    def get(self, key: str) -> dict[str, Any] | None:
        self._check(key)
        try:
            entry = self.store.get_json("drafts", key)
        except ValueError:
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("text"), str):
            return None
        return entry

    def put(self, key: str, entry: Mapping[str, Any]) -> None:
        self._check(key)
        self.store.put_json("drafts", key, {**entry, "key": key})
