"""The shared shortening of long lists (render/grouping.py)."""

from __future__ import annotations

from sentinel_reports.render.grouping import OwnerCount, by_owner, gathered


def test_items_sharing_a_key_stand_together_where_the_first_of_them_stood() -> None:
    items = [("a", ""), ("b", "g"), ("c", ""), ("d", "g"), ("e", "h")]
    assert gathered(items, lambda x: x[1]) == [("a", ""), [("b", "g"), ("d", "g")], ("c", ""), [("e", "h")]]
    assert gathered([], lambda x: x) == []


def test_actions_are_counted_per_owner_earliest_deadline_first_and_owners_without_one_last() -> None:
    pairs = [("ops", "2026-12-10"), ("ml", "2026-12-01"), ("ops", "2026-11-30"), ("fin", None), ("ml", "")]
    assert by_owner(pairs, "2026-12-05") == [
        OwnerCount("ops", 2, 1, "2026-11-30"),
        OwnerCount("ml", 2, 1, "2026-12-01"),
        OwnerCount("fin", 1, 0, None),
    ]
