"""Long lists shortened the same way in the printed brief and in the deck.

    gathered(items, key) -> [item, [member, ...], item, ...]   items sharing a key at the first one's place
    by_owner(pairs, today) -> [OwnerCount, ...]                 (owner, deadline) pairs counted per owner
    as_of_day(facts) -> "2026-11-23"                             the day deadlines are compared with

``gathered`` keeps the order of the items: a rule's recommendations on many services (their shared
``group`` title, narrative/recommendations.py) become one list where the first of them stood. ``by_owner``
counts each owner's actions, how many are past their deadline on ``today`` (ISO dates compare as text) and
the earliest deadline; owners with the earliest deadline first, those without any deadline last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo


def as_of_day(facts: Any) -> str:
    """The facts' as-of date in their timezone (ISO): a deadline before it is past, as an action item is
    overdue when its due date is before that day (analysis/incidents.py)."""
    return str(facts.as_of.astimezone(ZoneInfo(facts.timezone or "UTC")).date().isoformat())


def gathered(items: Sequence[Any], key: Callable[[Any], str]) -> list[Any]:
    """The items in order; those with the same non-empty ``key`` as one list, at the first one's place."""
    out: list[Any] = []
    groups: dict[str, list[Any]] = {}
    for item in items:
        name = key(item)
        if not name:
            out.append(item)
        elif name in groups:
            groups[name].append(item)
        else:
            groups[name] = [item]
            out.append(groups[name])
    return out


@dataclass(frozen=True)
class OwnerCount:
    owner: str
    actions: int
    late: int  # past their deadline on the as-of date
    earliest: str | None  # ISO date; None when no action has a deadline


def by_owner(pairs: Iterable[tuple[str, Any]], today: str) -> list[OwnerCount]:
    """Each owner's actions counted from ``(owner, deadline)`` pairs, earliest deadline first."""
    owners: dict[str, list[str]] = {}
    for owner, deadline in pairs:
        owners.setdefault(owner, []).append(str(deadline or ""))
    rows = [
        OwnerCount(owner, len(dates), sum(1 for d in dates if d and d < today), min((d for d in dates if d), default=None))
        for owner, dates in owners.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (r.earliest is None, r.earliest or "", r.owner))
