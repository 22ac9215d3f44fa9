"""The narrator formats figures exactly as the pages do, and its wording choice is stable."""

from __future__ import annotations

import pytest

from sentinel_reports.narrative import phrasing as p
from sentinel_reports.render import formatting as f

SHARED = ("number", "pct", "money", "multiplier", "duration_minutes", "hours", "days", "date", "timestamp")


@pytest.mark.parametrize("name", SHARED)
def test_prose_and_pages_format_through_the_same_functions(name: str) -> None:
    """One implementation of display formatting (sentinel_reports.display): a copy could drift apart."""
    from sentinel_reports import display

    assert getattr(p, name) is getattr(display, name) is getattr(f, name)


def test_timestamps_read_the_same_in_prose() -> None:
    assert p.timestamp("2026-11-04T14:14:00Z") == "2026-11-04 14:14 UTC"


def test_gaps_are_never_zero() -> None:
    for formatter in (p.pct, p.money, p.multiplier, p.duration_minutes, p.hours, p.unit_money):
        assert formatter(None) == p.GAP == "no data"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.0421, "$0.0421"),
        (0.0091, "$0.0091"),
        (0.0000123, "$0.000012"),
        (0.00012, "$0.00012"),
        (1.5, "$1.50"),
    ],
)
def test_unit_money_keeps_two_significant_digits(value: float, shown: str) -> None:
    assert p.unit_money(value) == shown


@pytest.mark.parametrize(
    ("hours", "shown"), [(9.46, "9.5 h"), (47.9, "47.9 h"), (120, "5.0 days"), (48, "2.0 days")]
)
def test_time_left_switches_to_days_after_two_days(hours: float, shown: str) -> None:
    assert p.time_left(hours) == shown


def test_choose_is_a_stable_function_of_seed_and_topic() -> None:
    options = ("a", "b", "c")
    assert p.choose("2026-W47", "burning", options) == p.choose("2026-W47", "burning", options)
    picks = {p.choose(f"2026-W{week:02d}", "burning", options) for week in range(1, 53)}
    assert picks == set(options)  # every phrasing is used somewhere across a year


def test_team_reads_as_prose() -> None:
    assert p.team("Search team") == "the **Search team**"
    assert p.team("Search team", capital=True, bold=False) == "The Search team"
    assert p.team("FinOps lead") == "**FinOps lead**"
    assert p.join(["a", "b", "c"]) == "a, b and c"
    assert p.plural(1, "alert") == "1 alert" and p.plural(3, "alert") == "3 alerts"


@pytest.mark.parametrize("remaining", [0.9, 0.3, 0.19, 0.0])
def test_a_budget_margin_sentence_has_one_colon(remaining: float) -> None:
    """ "keeps 19% of its 28-day error budget: <margin>." reads as one statement and its consequence; a
    second colon inside the margin ("little margin: releases ...") reads as a list of fragments."""
    from sentinel_reports.narrative.executive import _margin

    sentence = f"After the incident, svc-a keeps {p.pct(remaining, 0)} of its 28-day error budget: {_margin(remaining)}."
    assert sentence.count(":") == 1, sentence


@pytest.mark.parametrize(
    ("now", "before", "shown"),
    [(0.90091, 1.00214, ("$0.9009", "$1.0021")), (1.0209, 0.91514, ("$1.0209", "$0.9151")),
     (1.24, 1.11, ("$1.24", "$1.11")), (0.0091, 0.000012, ("$0.009100", "$0.000012")),
     (0.0149, None, ("$0.0149", "no data"))],
)  # fmt: skip
def test_two_unit_costs_compared_in_one_sentence_share_their_decimals(now, before, shown) -> None:  # type: ignore[no-untyped-def]
    """'fell to $0.9009 from $1.00' reads a fall across two precisions: the pair is written alike."""
    assert p.unit_money_pair(now, before) == shown
