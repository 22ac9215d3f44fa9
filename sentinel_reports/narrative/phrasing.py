"""Number formatting and varied wording for the template narrator.

Figures are formatted by ``sentinel_reports.display``, the same functions the page templates use, so a
figure in prose reads the same as in the tables and the verifier compares it at the precision shown.

Wording varies between publications without being random: ``choose(seed, topic, options)`` picks one
option from a SHA-256 of the period label and the topic, so the same facts always read the same, and two
weeks need not read identically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..analysis.facts_model import Facts
from ..display import (  # noqa: F401  (the narrators format through these names)
    CURRENCY_SYMBOLS,
    GAP,
    date,
    days,
    duration_minutes,
    hours,
    money,
    multiplier,
    number,
    overspend,
    pct,
    timestamp,
)


def unit_money(value: float | None, currency: str = "USD", decimals: int | None = None) -> str:
    """A per-unit cost (cost per successful task): 2 decimals from 1 up, else at least 4 decimals and two
    significant digits ("$0.0091", "$0.000012"); ``decimals`` overrides (`unit_money_pair`)."""
    return money(value, currency, _unit_decimals(value) if decimals is None else decimals)


def unit_money_pair(now: float | None, before: float | None, currency: str = "USD") -> tuple[str, str]:
    """Two per-unit costs compared in one sentence, at the same decimals: "$0.9009 from $1.0012", never
    "$0.9009 from $1.00" (a rise or fall read across two precisions)."""
    decimals = max(_unit_decimals(now), _unit_decimals(before))
    return unit_money(now, currency, decimals), unit_money(before, currency, decimals)


def _unit_decimals(value: float | None) -> int:
    if value is None or value != value or value == 0 or abs(value) >= 1:
        return 2
    return min(max(4, -math.floor(math.log10(abs(value))) + 1), 8)


def time_left(hours_value: float) -> str:
    """A time to exhaustion: hours below two days ("9.5 h"), days with one decimal above ("5.0 days")."""
    return hours(hours_value) if hours_value < 48 else days(hours_value / 24, 1)


def span_days(value: float) -> str:
    """An evidence window in days: whole days when it is whole to the tenth ("7 days"), else "2.5 days"."""
    return days(value, 0 if abs(value - round(value)) < 0.05 else 1)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "alert") -> "1 alert"``, ``plural(3, "alert") -> "3 alerts"``."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def team(name: str, *, capital: bool = False, bold: bool = True) -> str:
    """An owner as prose: "the **Search team**" for a team, "**FinOps lead**" for a role."""
    shown = f"**{name}**" if bold else name
    if not name.lower().endswith(" team") or name.lower().startswith("the "):
        return shown
    return f"{'The' if capital else 'the'} {shown}"


def join(items: Sequence[str], last: str = "and") -> str:
    """``["a", "b", "c"] -> "a, b and c"``."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def sentence(text: str) -> str:
    """Capitalise the first letter and end with one full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def choose(seed: str, topic: str, options: Sequence[str]) -> str:
    """One of ``options``, fixed by a SHA-256 of ``seed`` (the period) and ``topic`` (the metric)."""
    digest = hashlib.sha256(f"{seed}\x1f{topic}".encode()).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


class Phraser:
    """``say(topic, **values)``: a phrasing from the bank for ``topic``, chosen by the period and filled."""

    def __init__(self, seed: str):
        self.seed = seed

    def say(self, topic: str, subject: str = "", **values: str) -> str:
        return choose(self.seed, f"{topic}:{subject}", BANK[topic]).format(**values)


@dataclass
class Context:
    """What every section needs: the facts, the period's phraser, component names and owners, and the
    dates and counts the narrator derives itself (recorded so the verifier can check them)."""

    facts: Facts
    say: Phraser
    publication: dt.date  # local date of the window end: the day the publication is read
    as_of: dt.date
    names: dict[str, str] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    derived_dates: set[str] = field(default_factory=set)
    derived_counts: set[int] = field(default_factory=set)

    @property
    def period(self) -> str:
        return "week" if self.facts.kind == "week" else "quarter"

    @property
    def in_progress(self) -> bool:
        """As-of falls inside the period: it has not ended, and the text names the days it covers."""
        return self.facts.in_progress

    @property
    def covered(self) -> str:
        """The days an in-progress period covers so far: "2026-11-02 to 2026-11-04" (ISO dates, as the facts
        `window.first_day` and `window.last_day` display, so a draft's placeholders render back to them)."""
        first, last = self.facts.window.first_day, self.facts.window.last_day
        return str(last) if first == last else f"{first} to {last}"

    @property
    def so_far(self) -> str:
        """ "for the week" for a closed week, "so far this week" while it is in progress."""
        return f"so far this {self.period}" if self.in_progress else f"for the {self.period}"

    @property
    def currency(self) -> str:
        return self.facts.cost.currency or self.facts.currency or "USD"

    def name(self, component: str | None) -> str:
        """The component's name in bold (its id when the facts do not name it)."""
        return f"**{self.plain_name(component)}**"

    def plain_name(self, component: str | None) -> str:
        return self.names.get(component or "", component or "unattributed")

    def owner(self, component: str | None, default: str = "AI Platform operations lead") -> str:
        return self.owners.get(component or "", default)

    def money(self, value: float | None, precision: int = 0) -> str:
        return money(value, self.currency, precision)

    def remainder(self, count: int) -> int:
        """``count`` items of a list left unnamed ("and 58 more"), recorded as a derived count: the facts
        hold the list, not its length less the ones shown."""
        self.derived_counts.add(count)
        return count

    def some(self, items: Sequence[str], noun: str, shown: int = 3) -> str:
        """A list a reader takes in at a glance: every item up to ``shown``, else the first ``shown`` and
        "N more <noun>s" (N recorded by ``remainder``)."""
        if len(items) <= shown:
            return join(items)
        rest = self.remainder(len(items) - shown)
        return join([*items[:shown], f"{rest} more {noun}{'' if rest == 1 else 's'}"])

    def deadline(self, days_after: int, *, from_as_of: bool = False) -> str:
        """The publication date (or the later of it and as-of) plus ``days_after`` days, recorded as a
        derived date. Work found late at as-of (an overdue item) is re-dated from as-of."""
        base = max(self.publication, self.as_of) if from_as_of else self.publication
        day = (base + dt.timedelta(days=days_after)).isoformat()
        self.derived_dates.add(day)
        return day


BANK: dict[str, tuple[str, ...]] = {
    "opening": (
        "The platform closed {period} **{status}**",
        "{period} ended with the platform **{status}**",
        "At the close of {period} the platform was **{status}**",
    ),
    "opening_open": (
        "{period} is in progress ({covered} so far) and the platform is **{status}**",
        "With {period} still in progress ({covered} so far), the platform is **{status}**",
    ),
    "burning": (
        "burning error budget at {burn} the sustainable rate; at this rate the budget is exhausted in {left}",
        "spending its error budget at {burn} the sustainable rate, which exhausts it in {left} if the rate holds",
        "burning error budget at {burn} the sustainable rate; unchanged, the remaining budget lasts {left}",
    ),
    "burning_no_end": (
        "burning error budget at {burn} the sustainable rate over the last hour",
        "spending its error budget at {burn} the sustainable rate in the last hour",
    ),
    "overspent": (
        "its error budget is exhausted, overspent by {over}",
        "the error budget is exhausted, overspent by {over} for the window",
    ),
    "policy": (
        "Under the error-budget policy, non-critical releases to {component} pause until the budget recovers; "
        "P0 and security fixes continue. The policy is not a punishment: it protects customers while "
        "{owner} restores margin.",
        "The error-budget policy now applies to {component}: releases other than P0 and security fixes wait "
        "until the budget is positive again. The policy is not a punishment; it gives {owner} time to "
        "restore margin without adding change risk.",
    ),
    "week_attainment": (
        "{label} this {period} was {now}, against {before} the {period} before",
        "{label} came in at {now} this {period}, compared with {before} the previous {period}",
    ),
    "week_attainment_same": (
        "{label} this {period} was {now}, as the {period} before",
        "{label} came in at {now} this {period}, the same as the previous {period}",
    ),
    "failed_share": (
        "{failed} of requests failed this {period}, against the {allowed} the objective allows",
        "failed requests were {failed} of traffic this {period}; the objective allows {allowed}",
    ),
    "healthy_slos": (
        "The other objectives are within budget: {items}.",
        "Every other objective has budget in hand: {items}.",
    ),
    "spend": (
        "Spend this {period} was {total}, {change} on {baseline} ({previous}).",
        "The platform spent {total} this {period}, {change} against {previous} in {baseline}.",
    ),
    "spend_flat": (
        "Spend this {period} was {total}.",
        "The platform spent {total} this {period}.",
    ),
    "cache": (
        "The prompt cache served {hit} of input tokens and saved {saving} at configured prices ({source}).",
        "Cached prompts covered {hit} of input tokens, a saving of {saving} at configured prices ({source}).",
    ),
    "unattributed": (
        "{amount} ({share} of spend) is attributed to no component, so no service's unit cost includes it.",
        "{amount} of spend ({share}) has no component: it cannot be charged back to a service.",
    ),
    "no_incidents": (
        "✅ No incidents were recorded this {period}.",
        "✅ The {period} passed without a recorded incident.",
    ),
    "eval_below": (
        "{component} on {version} passed {rate} of {cases} eval cases against its {target} target: "
        "{failed} of evaluated answers failed the rubric",
        "{component} running {version} scored {rate} on {cases} eval cases, below its {target} target; "
        "{failed} of evaluated answers did not meet the rubric",
    ),
}
