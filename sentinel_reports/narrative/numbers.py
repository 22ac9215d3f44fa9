"""Every figure a sentence states, found and classified, so the verifier can trace it to a fact.

``extract_numbers(text)`` returns one ``NumberMention`` per figure, in text order:

    kind        examples                                  shown, unit or label
    percent     41%  41.2%  -12%  −0.5%                   41.2
    points      1.2 pp  1.2 percentage points              1.2
    money       $1,234.56  USD 1,234  1,235 CHF  €12.4k    1234.56, unit "USD"
    multiplier  2.3x  2.3×                                 2.3
    duration    45 min  5.3 h  3.5 days  450 ms  28-day    unit ms|seconds|minutes|hours|days|weeks
                1 h 35 min (one figure)  6h                95 minutes (label "compound"); 6 hours
    count       3 alerts  12,400 requests  12.4k  1.2M     12.4 at scale 1000 for "12.4k"
    plain       0.042 (a decimal with no unit)
    year        2026                                       label "2026"
    date        2026-11-23  23 Nov 2026  Nov 23, 2026      label "2026-11-23" ("--11-23" for "23 Nov")
    time        14:05  14:05 UTC  (hours 00-23, two-digit  label "14:05"
                minutes: a time of day wherever written)
    week        2026-W47  W47                              label "2026-W47" / "W47"
    quarter     2026-Q4  Q4                                label "2026-Q4" / "Q4"
    month       2026-11 (a calendar month, year first)     label "2026-11"

Not figures, so not returned: identifiers whose digits touch letters, underscores or an identifier hyphen
(p95, SEV1, P1, 2xx, gpt-4o, INC-1042, v1.2.3, latency_p95_ms), a number after a label word ("tier 1",
"priority 2", "HTTP 429", "step 3", "#4"), a slide's or page's position after a "·" separator ("· 4/13" in a
deck's footer), markdown list markers, URLs, inline code, and any phrase passed in
``ignore`` (component names such as "Search 2.0"). In a range ("5–7 days", "$5–7k") both ends take the unit
written once. ``decimals`` is the number of digits shown after the point, which is the precision the
verifier compares at.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
CURRENCY_CODES = ("USD", "EUR", "GBP", "CHF", "JPY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "INR", "CNY")
SCALES = {"k": 1_000, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000, "bn": 1_000_000_000}
SCALE_WORDS = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
DURATION_UNITS = {
    "ms": "ms", "millisecond": "ms", "milliseconds": "ms",
    "s": "seconds", "sec": "seconds", "secs": "seconds", "second": "seconds", "seconds": "seconds",
    "m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes", "minutes": "minutes",
    "h": "hours", "hr": "hours", "hrs": "hours", "hour": "hours", "hours": "hours",
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "week": "weeks", "weeks": "weeks",
}  # fmt: skip
LABEL_WORDS = tuple("tier sev severity priority level step phase version http port rank".split())

_MON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t|tember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b"
)
_UNIT = r"ms|milliseconds?|secs?|seconds?|s|mins?|minutes?|hrs?|hours?|h|days?|d|weeks?|wk|w|m"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"

_PERIOD = re.compile(
    r"(?P<iso>(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})(?:[T ](?P<t>\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2}|\s?UTC)?)?)"
    rf"|(?P<drange>(?P<d1>\d{{1,2}})\s?[–-]\s?(?P<d2>\d{{1,2}}) (?P<mon1>{_MON})(?:,? (?P<y1>\d{{4}}))?)"
    rf"|(?P<dmy>(?P<d3>\d{{1,2}}) (?P<mon2>{_MON})(?:,? (?P<y2>\d{{4}}))?)"
    rf"|(?P<mdy>(?P<mon3>{_MON}) (?P<d4>\d{{1,2}})(?:, (?P<y3>\d{{4}}))?)"
    r"|(?P<week>(?:\d{4}-)?W\d{2})|(?P<quarter>(?:\d{4}-)?Q[1-4])"
    r"|(?P<month>\d{4}-(?:0[1-9]|1[0-2]))(?![\d:])"
    r"|(?P<time>(?<![\d:.])(?:[01]\d|2[0-3]):[0-5]\d(?![\d:]|\.\d))"
)
_FIGURE = re.compile(
    r"(?P<sign>[-+−])?(?P<cur>[$€£]|(?:" + "|".join(CURRENCY_CODES) + r")\s)?"
    rf"(?P<num>{_NUM})"
    r"(?:(?P<abbr>bn|[kKMB])(?![A-Za-z]))?"
    r"(?:(?P<pct>\s?%)|(?P<pp>\s?(?:pp|percentage points?)\b)|(?P<mult>[x×](?![A-Za-z0-9]))"
    rf"|-?(?P<hyunit>day|hour|minute|week|month)\b|\s?(?P<unit>{_UNIT})\b"
    r"|\s(?P<word>thousand|million|billion)\b|\s(?P<code>" + "|".join(CURRENCY_CODES) + r")\b)?"
)
_MASKS = (
    re.compile(r"https?://\S+|`[^`\n]*`|<[^>\n]*>|&#?\w+;|\[\d+\]"),
    re.compile(r"(?<![\w-])[A-Za-z][\w.]*(?:-[\w.]*)*-[\w.]*\d[\w.-]*"),  # claude-sonnet-4-5, INC-1042
    re.compile(r"^\s*(?:#{1,6}\s+)?\d+[.)]\s", re.MULTILINE),  # list markers, numbered headings
    re.compile(r"#\d+"),
    re.compile(r"(?<=·)\s*\d+/\d+\b"),  # a slide's or page's position in a footer: "2026-Q4 · 4/13"
)
_LABEL_BEFORE = re.compile(r"(?:\b(?:" + "|".join(LABEL_WORDS) + r")|#)[\s-]?$", re.IGNORECASE)


@dataclass(frozen=True)
class NumberMention:
    """One figure as written. ``value`` is what it means (12400.0 for "12.4k"), ``shown`` what is displayed."""

    value: float
    raw: str
    kind: str
    decimals: int
    span: tuple[int, int]
    shown: Decimal = Decimal(0)
    scale: int = 1
    unit: str = ""
    label: str = ""

    @property
    def is_period(self) -> bool:
        return self.kind in ("date", "time", "week", "quarter", "year", "month")


def extract_numbers(text: str, *, ignore: Iterable[str] = ()) -> list[NumberMention]:
    """Every figure in ``text`` (see the module docstring), skipping identifiers and ``ignore`` phrases."""
    masked = _mask(text, ignore)
    claimed = bytearray(len(text))
    found = [m for m in _periods(masked, text) if _claim(claimed, m.span)]
    for match in _FIGURE.finditer(masked):
        mention = _figure(match, masked, text)
        if mention is not None and _claim(claimed, mention.span):
            found.append(mention)
    found.sort(key=lambda m: m.span)
    return _spread_range_units(_merge_compound_durations(found, masked), masked)


def _mask(text: str, ignore: Iterable[str]) -> str:
    out = text
    for pattern in _MASKS:
        out = pattern.sub(_blank, out)
    phrases, ascii_only = _digit_phrases(tuple(ignore))
    if phrases and ascii_only and out.isascii():  # only the phrases the text holds: one pass per phrase
        lowered = out.lower()
        phrases = tuple(p for p in phrases if p.lower() in lowered)
    if phrases:
        out = _phrases_pattern(phrases).sub(_blank, out)
    return out


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


@functools.lru_cache(maxsize=64)
def _digit_phrases(ignore: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """The ``ignore`` phrases that hold a digit (component names), longest first, and whether all are ASCII
    (then a case-insensitive match is a substring of the lowered text). The same list comes with every
    text of a build: it is sorted once."""
    phrases = tuple(sorted({p for p in ignore if p and any(c.isdigit() for c in p)}, key=len, reverse=True))
    return phrases, all(p.isascii() for p in phrases)


@functools.lru_cache(maxsize=4096)
def _phrases_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(p) for p in phrases), re.IGNORECASE)


def _claim(claimed: bytearray, span: tuple[int, int]) -> bool:
    if any(claimed[span[0] : span[1]]):
        return False
    claimed[span[0] : span[1]] = b"\x01" * (span[1] - span[0])
    return True


def _touches_word(masked: str, start: int, end: int) -> bool:
    before = masked[start - 1] if start else " "
    before2 = masked[start - 2] if start > 1 else " "
    after = masked[end] if end < len(masked) else " "
    nxt = masked[end + 1 : end + 2]
    if before.isalnum() or before in "_." or (before in "-/" and (before2.isalpha() or before2 == "_")):
        return True
    return (
        after.isalnum()
        or after == "_"
        or (after == "-" and nxt.isalpha())
        or (after == "." and nxt.isalnum())
    )


def _periods(masked: str, text: str) -> Iterable[NumberMention]:
    for m in _PERIOD.finditer(masked):
        start, end = m.span()
        if _touches_word(masked, start, end) and not m.group("time"):
            continue
        raw = text[start:end]
        if m.group("iso"):
            date_end = start + 10 if m.group("t") else end
            yield _period("date", text[start:date_end], (start, date_end), raw[:10])
            if m.group("t"):
                yield _period("time", m.group("t"), m.span("t"), m.group("t"))
        elif m.group("drange"):
            month, year = MONTHS[m.group("mon1")[:3].lower()], m.group("y1")
            for day, span in ((m.group("d1"), m.span("d1")), (m.group("d2"), (m.start("d2"), end))):
                yield _period("date", text[span[0] : span[1]], span, _date_label(year, month, day))
        elif m.group("dmy") or m.group("mdy"):
            mon, day, year = (m.group("mon2"), m.group("d3"), m.group("y2"))
            if m.group("mdy"):
                mon, day, year = (m.group("mon3"), m.group("d4"), m.group("y3"))
            yield _period("date", raw, (start, end), _date_label(year, MONTHS[mon[:3].lower()], day))
        else:  # an ISO week or quarter label, or a time of day: the label is the text itself
            kind = "week" if m.group("week") else "quarter" if m.group("quarter") else "time"
            kind = "month" if m.group("month") else kind
            yield _period(kind, raw, (start, end), raw)


def _date_label(year: str | None, month: int, day: str) -> str:
    return f"{year}-{month:02d}-{int(day):02d}" if year else f"--{month:02d}-{int(day):02d}"


def _period(kind: str, raw: str, span: tuple[int, int], label: str) -> NumberMention:
    return NumberMention(value=0.0, raw=raw, kind=kind, decimals=0, span=span, label=label)


def _figure(m: re.Match[str], masked: str, text: str) -> NumberMention | None:
    start, end = m.span()
    num_start = m.start("num")
    sign = m.group("sign")
    if sign and start > 0 and (masked[start - 1].isalnum() or masked[start - 1] in "_.–-"):
        start, sign = start + 1, None  # "5-7": the hyphen is a range, not a minus
    if m.group("cur") is None and sign is None:
        start = num_start
    core_end = m.end("abbr") if m.group("abbr") else m.end("num")
    if _touches_word(masked, start, end if end > core_end else core_end):
        return None
    if _LABEL_BEFORE.search(masked[max(0, start - 12) : start]):
        return None
    digits = m.group("num").replace(",", "")
    shown = Decimal(digits)
    if sign in ("-", "−"):
        shown = -shown
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    scale = SCALES.get(m.group("abbr") or "", 1) * SCALE_WORDS.get(m.group("word") or "", 1)
    kind, unit = "plain" if decimals and scale == 1 else "count", ""
    currency = m.group("cur") or m.group("code")
    if currency:
        kind, unit = "money", CURRENCY_SYMBOLS.get(currency.strip(), currency.strip())
    elif m.group("pct"):
        kind = "percent"
    elif m.group("pp"):
        kind = "points"
    elif m.group("mult"):
        kind = "multiplier"
    elif m.group("unit") or m.group("hyunit"):
        word = (m.group("unit") or m.group("hyunit")).lower()
        if word == "month":
            kind = "count"
        else:
            kind, unit = "duration", DURATION_UNITS.get(word, word)
    elif (
        scale == 1
        and not decimals
        and len(digits) == 4
        and digits[:2] in ("19", "20")
        and "," not in m.group(0)
    ):
        kind = "year"
    return NumberMention(
        value=float(shown * scale),
        raw=text[start:end].rstrip(),
        kind=kind,
        decimals=decimals,
        span=(start, start + len(text[start:end].rstrip())),
        shown=shown,
        scale=scale,
        unit=unit,
        label=digits if kind == "year" else "",
    )


_RANGE_GAP = re.compile(r"^\s?[–-]\s?$|^\s(?:to|and)\s$")


def _spread_range_units(found: list[NumberMention], masked: str) -> list[NumberMention]:
    """'5–7 days': the first end takes the unit written after the second; '$5–7' the other way."""
    out = list(found)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.is_period or b.is_period or not _RANGE_GAP.match(masked[a.span[1] : b.span[0]]):
            continue
        if a.kind in ("count", "plain") and b.kind not in ("count", "plain", "year"):
            out[i] = _with_unit(a, b)
        elif b.kind in ("count", "plain") and a.kind == "money":
            out[i + 1] = _with_unit(b, a)
    return out


def _with_unit(target: NumberMention, source: NumberMention) -> NumberMention:
    scale = source.scale if target.scale == 1 else target.scale
    value = float(target.shown * scale)
    return dataclasses.replace(target, value=value, kind=source.kind, scale=scale, unit=source.unit)


_UNIT_ORDER = ("weeks", "days", "hours", "minutes", "seconds", "ms")
_UNIT_SIZE = {
    "weeks": 604_800_000,
    "days": 86_400_000,
    "hours": 3_600_000,
    "minutes": 60_000,
    "seconds": 1_000,
    "ms": 1,
}


def _merge_compound_durations(found: list[NumberMention], masked: str) -> list[NumberMention]:
    """'1 h 35 min' and '1 d 1 h' are one duration, in the smallest unit written (label ``compound``)."""
    out: list[NumberMention] = []
    for mention in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == mention.kind == "duration"
            and not prev.decimals
            and not mention.decimals
            and _UNIT_ORDER.index(prev.unit) < _UNIT_ORDER.index(mention.unit)
            and re.fullmatch(r"\s(?:and\s)?", masked[prev.span[1] : mention.span[0]])
            and mention.shown < _UNIT_SIZE[prev.unit] // _UNIT_SIZE[mention.unit]
        ):
            ratio = _UNIT_SIZE[prev.unit] // _UNIT_SIZE[mention.unit]
            shown = prev.shown * ratio + mention.shown
            out[-1] = NumberMention(
                value=float(shown),
                raw=f"{prev.raw}{masked[prev.span[1] : mention.span[0]]}{mention.raw}",
                kind="duration",
                decimals=0,
                span=(prev.span[0], mention.span[1]),
                shown=shown,
                unit=mention.unit,
                label="compound",
            )
        else:
            out.append(mention)
    return out
