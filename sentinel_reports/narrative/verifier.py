"""Check that generated text states only what the facts support: every figure is some fact's value.

This is the value check (any fact, anywhere, at the displayed precision), kept for the rendered pages and the
deck. ``narrative.meaning`` binds each figure to the fact of the entity and period its sentence names, and
checks direction words, names, causes and required content; the narrators and ``sentinel verify-text`` use it.

``verify_text(text, facts, component_names=...)`` returns a ``Violation`` for every figure no fact supports and
for every component reference that names no configured component. A figure is supported when some numeric
value anywhere in the facts (walked recursively; see ``FactIndex``) equals it at the displayed precision
(half-up rounding, the rule ``sentinel_reports.display`` uses) after one of these transformations:

- as is, and its absolute value ("fell 12%" for -0.12); ``12.4k`` / ``1.2M`` compare at that scale;
- percent and pp: the fraction x 100; for keys holding an attainment, uptime, pass rate, hit rate or coverage
  also (1 - x) x 100 ("error rate 0.46%"); for burn-rate keys also (x - 1) x 100 ("burned 59% faster");
- durations: the fact converted from the unit in its key (``_ms``, ``_seconds``, ``_minutes``, ``_hours``,
  ``_days``, ``_weeks``) to the unit written ("5.0 days" for ``time_to_exhaustion_hours: 120``); a fact
  without a unit in its key compares as is; a compound "1 h 35 min" may also be truncated, as it is displayed;
  compact window labels ("1h", "28d") also match a fact key or string such as ``burn_rate["1h"]``;
- counts (integers without a unit) must equal an integer in the facts, exactly;
- dates, times, years, ISO weeks and quarters must appear in the facts (a week period also supports its seven
  dates, so "2026-W47 (16–22 Nov 2026)" verifies);
- a figure written inside a fact string (a recommendation's "cuts p95 by 300 ms") or in a ``reference_texts``
  entry (the verified template text a draft improves on) supports the same figure written again.

``STRUCTURAL`` lists the only figures allowed without a fact. Derived figures (differences, sums) are not
guessed: the caller passes them in ``extra_allowed`` as raw values, which then work like facts.

Component references: ``component_refs`` when the caller lists them; otherwise every bold phrase whose last
word is the last word of a configured component name ("**Billing API**" when "Assistant Chat API" exists)
and which contains no configured name.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .document import document
from .numbers import NumberMention, extract_numbers

STRUCTURAL: dict[tuple[str, Decimal, str], str] = {
    ("multiplier", Decimal(1), ""): "1x is the sustainable burn rate",
    ("duration", Decimal(90), "days"): "the status history covers 90 days",
}
UNIT_MS = {
    "ms": 1,
    "seconds": 1_000,
    "minutes": 60_000,
    "hours": 3_600_000,
    "days": 86_400_000,
    "weeks": 604_800_000,
}
_KEY_UNIT = re.compile(r"(?:^|_)(ms|seconds|minutes|hours|days|weeks)(?:_|$)")
_COMPLEMENT_KEY = re.compile(r"attainment|uptime|pass_rate|hit_rate|coverage|telemetry")
_BURN_KEY = re.compile(r"burn")
_COMPACT = re.compile(r"^(\d+)(ms|s|m|h|d|w)$")
_COMPACT_UNIT = {"ms": "ms", "s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}))?")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_BOLD = re.compile(r"\*\*([^*\n]+?)\*\*")


@dataclass(frozen=True)
class Violation:
    """Something the text states that the facts do not support."""

    kind: str  # number | period | component
    raw: str
    sentence: str
    reason: str
    span: tuple[int, int] = (0, 0)

    def __str__(self) -> str:
        return f"{self.raw!r}: {self.reason} (in: {self.sentence!r})"


class FactIndex:
    """Every value a text may state, gathered once from a facts document; reusable across many texts."""

    def __init__(self, facts: Mapping[str, Any], *, extra_allowed: Iterable[float] = ()):
        self._families: dict[str, list[float]] = {}
        self.integers: set[int] = set()
        self.periods: set[str] = set()  # dates, --MM-DD, HH:MM, years, weeks, W47, quarters, Q4
        self.labels: set[tuple[Decimal, str]] = set()  # compact window labels, as (amount, unit)
        self.displayed: set[tuple[str, Decimal, int, str]] = set()
        self._walk(document(facts), "")
        for value in extra_allowed:
            self._number(float(value), "")
        for values in self._families.values():
            values.sort()

    def extended(
        self, *, extra_allowed: Iterable[float] = (), reference_texts: Iterable[str] = ()
    ) -> FactIndex:
        """A copy that also supports ``extra_allowed`` values and the figures of ``reference_texts``."""
        copy = FactIndex({}, extra_allowed=extra_allowed)
        for family, values in self._families.items():
            copy._families[family] = sorted(values + copy._families.get(family, []))
        for attr in ("integers", "periods", "labels", "displayed"):
            getattr(copy, attr).update(getattr(self, attr))
        for text in reference_texts:
            copy.add_text(text)
        return copy

    def add_text(self, text: str) -> None:
        """Figures displayed in ``text`` (a verified reference text) count as supported when written again."""
        periods, displayed = _displayed_figures(text)
        self.periods.update(periods)
        self.displayed.update(displayed)

    def _walk(self, node: Any, key: str) -> None:
        """Every value of ``node`` once (linear in the size of the document); the exact types of parsed
        JSON are tested first, the abstract ones (any Mapping, a date) only for other objects."""
        kind = type(node)
        if kind is float or kind is int:
            self._number(float(node), key)
        elif kind is str:
            self._string(node)
        elif kind is dict or (kind is not list and kind is not tuple and isinstance(node, Mapping)):
            labels = self.labels
            for k, v in node.items():
                name = k if type(k) is str else str(k)
                labels.update(_compact_labels(name))
                self._walk(v, name)
        elif kind is list or kind is tuple or isinstance(node, list | tuple):
            for item in node:
                self._walk(item, key)
        elif isinstance(node, bool) or node is None:
            return
        elif isinstance(node, int | float):
            self._number(float(node), key)
        elif isinstance(node, dt.date):
            self._string(node.isoformat())
        elif isinstance(node, str):
            self._string(node)

    def _number(self, value: float, key: str) -> None:
        if value != value:  # NaN
            return
        unit, complement, burn = _key_traits(key)
        family = self._families.setdefault
        magnitude = abs(value)
        family("raw", []).append(magnitude)
        percent = family("percent", [])
        percent.append(magnitude * 100)
        if complement and 0 <= value <= 1:
            percent.append(abs((1 - value) * 100))
        if burn:
            percent.append(abs((value - 1) * 100))
        if unit:
            for target, size in UNIT_MS.items():
                family(f"duration:{target}", []).append(abs(value * UNIT_MS[unit] / size))
        else:
            family("unitless", []).append(magnitude)
        if value.is_integer():
            self.integers.add(abs(int(value)))

    def _label(self, text: str) -> None:
        self.labels.update(_compact_labels(text))

    def _string(self, text: str) -> None:
        labels, periods, displayed = _string_entries(text)
        self.labels.update(labels)
        self.periods.update(periods)
        self.displayed.update(displayed)

    def near(
        self, family: str, shown: Decimal, decimals: int, scale: int = 1, *, floor: bool = False
    ) -> bool:
        """Is some value of ``family`` displayed as ``shown`` at ``decimals`` (and ``scale``)?"""
        values = self._families.get(family, [])
        target = abs(shown)
        half = Decimal(5).scaleb(-decimals - 1)
        lo = float((target - half) * scale) * (1 - 1e-12)
        hi = float((target + (1 if floor else half)) * scale) * (1 + 1e-12)
        quantum = Decimal(1).scaleb(-decimals)
        for value in values[bisect.bisect_left(values, lo) : bisect.bisect_right(values, hi)]:
            scaled = Decimal(repr(value / scale)) if scale != 1 else Decimal(repr(value))
            if scaled.quantize(quantum, rounding=ROUND_HALF_UP) == target:
                return True
            if floor and int(scaled) == target:
                return True
        return False


@functools.lru_cache(maxsize=4096)
def _key_traits(key: str) -> tuple[str | None, bool, bool]:
    """(duration unit, ratio with a complement, burn rate) of a facts key such as ``p95_ms`` or ``attainment``."""
    unit_match = _KEY_UNIT.search(key)
    unit = unit_match.group(1) if unit_match else None
    return unit, bool(_COMPLEMENT_KEY.search(key)), bool(_BURN_KEY.search(key))


@functools.lru_cache(maxsize=65536)
def _compact_labels(text: str) -> tuple[tuple[Decimal, str], ...]:
    """The compact window label ``text`` is (``28d``: (28, "day")), if it is one."""
    m = _COMPACT.match(text.strip())
    return ((Decimal(m.group(1)), _COMPACT_UNIT[m.group(2)]),) if m else ()


@functools.lru_cache(maxsize=65536)
def _string_entries(text: str) -> tuple[tuple, tuple[str, ...], tuple]:
    """What one string value of the facts adds to an index: (window labels, periods, displayed figures),
    read once per distinct string (see ``_displayed_figures``)."""
    labels = _compact_labels(text)
    periods: list[str] = []
    displayed: tuple = ()
    if m := _DATE.match(text):
        periods += [text[:10], f"--{m.group(2)}-{m.group(3)}", m.group(1), text[:7]]
        if m.group(4):
            periods.append(m.group(4))
    elif m := _WEEK.match(text):
        periods += [text, f"W{m.group(2)}", m.group(1)]
        monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        for offset in range(7):
            day = monday + dt.timedelta(days=offset)
            periods += [day.isoformat(), f"--{day:%m-%d}"]
    elif m := _QUARTER.match(text):
        periods += [text, f"Q{m.group(2)}", m.group(1)]
    elif any(c.isdigit() for c in text):
        more, displayed = _displayed_figures(text)
        periods += more
    return labels, tuple(periods), displayed


@functools.lru_cache(maxsize=65536)
def _displayed_figures(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, Decimal, int, str], ...]]:
    """(period labels, displayed figures) of one text. A facts document repeats the same strings (SLO and
    component names, sentences) many times, and a build reads many documents: each text is read once."""
    periods, displayed = [], []
    for m in extract_numbers(text):
        if m.is_period:
            periods.append(m.label)
        else:
            displayed.append((m.kind, abs(m.shown), m.scale, m.unit))
    return tuple(periods), tuple(displayed)


def supports(index: FactIndex, m: NumberMention) -> str | None:
    """None when the facts support the mention, otherwise why not."""
    if m.is_period:
        if m.label in index.periods:
            return None
        return f"{m.kind} {m.label} does not appear in the facts"
    shown = abs(m.shown)
    if (m.kind, shown, m.unit) in STRUCTURAL or (m.kind, shown, m.scale, m.unit) in index.displayed:
        return None
    at = f"at {m.decimals} decimal{'s' if m.decimals != 1 else ''}"
    if m.kind in ("percent", "points"):
        if index.near("percent", shown, m.decimals, m.scale):
            return None
        return f"no fact ratio gives {m.raw} {at} (ratio x 100, its complement or its absolute value)"
    if m.kind == "duration":
        if _COMPACT.match(m.raw) and (shown, m.unit) in index.labels:
            return None
        floor = m.label == "compound"
        for family in (f"duration:{m.unit}", "unitless"):
            if index.near(family, shown, m.decimals, m.scale, floor=floor):
                return None
        return f"no fact duration converts to {m.raw} {at}"
    if m.kind == "count" and m.scale == 1:
        if int(shown) in index.integers:
            return None
        return f"count {m.raw} is not an integer in the facts"
    if m.kind == "year":
        return None if m.label in index.periods else f"year {m.raw} is not a year of any date in the facts"
    if index.near("raw", shown, m.decimals, m.scale):
        return None
    return f"no fact value rounds to {m.raw} {at}"


def verify_text(
    text: str,
    facts: Mapping[str, Any] | FactIndex,
    *,
    component_names: Iterable[str],
    extra_allowed: Iterable[float] = (),
    component_refs: Iterable[str] | None = None,
    reference_texts: Iterable[str] = (),
) -> list[Violation]:
    """Every figure and component reference in ``text`` the facts do not support (empty list: all verified)."""
    names = [n for n in component_names if n]
    index = facts if isinstance(facts, FactIndex) else FactIndex(facts)
    extra, references = list(extra_allowed), list(reference_texts)
    if extra or references:
        index = index.extended(extra_allowed=extra, reference_texts=references)
    violations = []
    for mention in extract_numbers(text, ignore=names):
        reason = supports(index, mention)
        if reason:
            kind = "period" if mention.is_period else "number"
            violations.append(
                Violation(kind, mention.raw, sentence_at(text, mention.span[0]), reason, mention.span)
            )
    known = _names(tuple(names))[0]
    refs = (
        component_references(text, names) if component_refs is None else [(r, None) for r in component_refs]
    )
    for ref, span in refs:
        if ref.strip().lower() not in known:
            where = sentence_at(text, span[0]) if span else ref
            reason = "names no configured component"
            violations.append(Violation("component", ref, where, reason, span or (0, 0)))
    return violations


def component_references(text: str, component_names: Iterable[str]) -> list[tuple[str, tuple[int, int]]]:
    """Bold phrases that read as a reference to a component that is not configured: their last word ends a
    configured component name, yet they contain none ("**Instrument Knowledge Search**" names a known one)."""
    _, names, heads = _names(tuple(component_names))
    refs = []
    for m in _BOLD.finditer(text):
        phrase = m.group(1).strip().rstrip(".:,;")
        words = phrase.split()
        if not words or len(words) > 5 or words[-1].lower() not in heads:
            continue
        if not any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", phrase.lower()) for n in names):
            refs.append((phrase, m.span(1)))
    return refs


@functools.lru_cache(maxsize=64)
def _names(component_names: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """(every name lower-cased, the non-blank ones stripped and lower-cased, their last words where a name
    has several): worked out once per list of names, not once per text (a brief reviews hundreds of texts
    against the same hundred names at scale)."""
    known = frozenset(n.strip().lower() for n in component_names)
    names = tuple(n.strip().lower() for n in component_names if n.strip())
    return known, names, frozenset(name.split()[-1] for name in names if " " in name)


def component_names_from_facts(facts: Mapping[str, Any]) -> list[str]:
    """Every component name and id the facts know (``components[]`` and the SLOs' components), sorted."""
    names: set[str] = set()
    facts = document(facts)
    for c in facts.get("components") or []:
        names.update(str(c[k]) for k in ("id", "name") if c.get(k))
    for s in facts.get("slos") or []:
        names.update(str(s[k]) for k in ("component", "component_name") if s.get(k))
    return sorted(names)


def sentence_at(text: str, pos: int) -> str:
    """The sentence (or line) around character ``pos``."""
    start = max(text.rfind("\n", 0, pos), *(text.rfind(p, 0, pos) for p in (". ", "! ", "? ")))
    start = start + 1 if start >= 0 else 0
    ends = [i for i in (text.find("\n", pos), *(text.find(p, pos) for p in (". ", "! ", "? "))) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    return text[start:end].strip()
