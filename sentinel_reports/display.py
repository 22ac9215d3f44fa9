"""How a figure is displayed, everywhere: tables, charts, pages and the narrators' prose.

The narrative verifier compares every number in generated text with a fact at its displayed precision, so
the page templates (through ``render.formatting``) and the narrators (through ``narrative.phrasing``) format
with these functions and nothing else. Like ``config`` and ``model`` this module belongs to no stage and
imports none.

Rules:

- Fractions in, display strings out: ``pct(0.4123, 1) -> "41.2%"``; facts never hold pre-multiplied values.
- Rounding is half-up on the decimal spelling of the value (``pct(0.00125, 2) -> "0.13%"``), not banker's
  rounding on the binary float, so the same fact always displays the same way.
- ``None`` (and NaN) is a gap, never a zero: every formatter returns ``GAP`` ("no data") for it.
- Negative numbers use an ASCII hyphen-minus so text stays searchable and easy to verify.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from .model import parse_timestamp

GAP = "no data"
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def is_gap(value: object) -> bool:
    """True for None and NaN: values that must be shown as a gap."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _decimal(value: float, precision: int) -> Decimal:
    quantum = Decimal(1).scaleb(-precision)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def _sign(value: float, precision: int) -> str:
    rounded = _decimal(value, precision)
    return "+" if rounded > 0 else ("-" if rounded < 0 else "")


def number(value: float | None, precision: int = 0) -> str:
    """``1234.56 -> "1,235"``; thousands separators, half-up rounding, ``-0`` shown as ``0``."""
    if is_gap(value):
        return GAP
    rounded = _decimal(value, precision)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{precision}f}"


def count(value: int | float | None) -> str:
    """``12400 -> "12,400"``."""
    return number(value, 0)


def plural(n: int, noun: str, many: str | None = None) -> str:
    """A count with its noun: ``plural(1, "deck") -> "1 deck"``, ``plural(0, "deck") -> "0 decks"``."""
    return f"{count(n)} {noun if n == 1 else (many or noun + 's')}"


def pct(value: float | None, precision: int = 1) -> str:
    """A fraction as a percentage: ``0.4123 -> "41.2%"``."""
    return GAP if is_gap(value) else f"{number(value * 100, precision)}%"


def overspend(remaining: float) -> str:
    """An overspent budget's overspend (``-remaining``) as a percentage with the fewest decimals (0 to 2) that do
    not read as zero: ``-4.36 -> "436%"``, ``-0.0012 -> "0.1%"``; "overspent by 0%" would contradict itself."""
    for precision in (0, 1):
        text = pct(-remaining, precision)
        if text.strip("0.%") != "":
            return text
    return pct(-remaining, 2)


def pct_points(value: float | None, precision: int = 1, *, signed: bool = False) -> str:
    """A difference of two fractions in percentage points: ``0.012 -> "1.2 pp"`` (``"+1.2 pp"`` signed)."""
    if is_gap(value):
        return GAP
    if not signed:
        return f"{number(value * 100, precision)} pp"
    return f"{_sign(value * 100, precision)}{number(abs(value) * 100, precision)} pp"


def money(value: float | None, currency: str = "USD", precision: int = 0) -> str:
    """``money(1234.5, "USD") -> "$1,235"``; ``"1,235 CHF"`` for currencies without a symbol here."""
    if is_gap(value):
        return GAP
    amount = number(abs(value), precision)
    minus = "-" if _decimal(value, precision) < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{minus}{symbol}{amount}" if symbol else f"{minus}{amount} {currency}"


def multiplier(value: float | None, precision: int = 1) -> str:
    """A rate relative to a baseline: ``2.34 -> "2.3x"``."""
    return GAP if is_gap(value) else f"{number(value, precision)}x"


def duration_minutes(value: float | None) -> str:
    """Whole minutes as the reader says them: ``95 -> "1 h 35 min"``, ``1500 -> "1 d 1 h"``, ``45 -> "45 min"``."""
    if is_gap(value):
        return GAP
    minutes = int(_decimal(value, 0))
    sign, minutes = ("-", -minutes) if minutes < 0 else ("", minutes)
    days, rest = divmod(minutes, 1440)
    hours_, mins = divmod(rest, 60)
    if days:
        parts = [f"{days} d"] + ([f"{hours_} h"] if hours_ else [])
    elif hours_:
        parts = [f"{hours_} h"] + ([f"{mins} min"] if mins else [])
    else:
        parts = [f"{mins} min"]
    return sign + " ".join(parts)


def hours(value: float | None, precision: int = 1) -> str:
    """``5.25 -> "5.3 h"``."""
    return GAP if is_gap(value) else f"{number(value, precision)} h"


def span_hours(value: float | None) -> str:
    """A length of missing or stale data, given in hours, as the reader says it: minutes under an hour
    (``0.75 -> "45 min"``), hours under three days (``48 -> "48 h"``, ``2.5 -> "2.5 h"``), days from three
    days (``1464 -> "61 days"``, ``108 -> "4.5 days"``); one decimal only when it is not whole."""
    if is_gap(value):
        return GAP
    if abs(value) < 1:
        return duration_minutes(value * 60)
    amount, show = (value, hours) if abs(value) < 72 else (value / 24, days)
    return show(amount, 0 if _decimal(amount, 1) == _decimal(amount, 0) else 1)


def days(value: float | None, precision: int = 0) -> str:
    """``1 -> "1 day"``, ``3.5 -> "3.5 days"`` (precision 1)."""
    if is_gap(value):
        return GAP
    text = number(value, precision)
    return f"{text} day" if text == number(1, precision) else f"{text} days"


def date(value: dt.date | dt.datetime | str | None, style: str = "iso") -> str:
    """``iso`` -> ``2026-11-23``; ``long`` -> ``23 Nov 2026``; ``short`` -> ``23 Nov``."""
    if value is None:
        return GAP
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    if style == "long":
        return f"{value.day} {value:%b %Y}"
    if style == "short":
        return f"{value.day} {value:%b}"
    return value.isoformat()


def timestamp(value: dt.datetime | str | None) -> str:
    """``2026-11-23 14:05 UTC`` for aware datetimes (converted to UTC), ISO strings accepted; any other
    string is text already written for display (a narrative's incident banner) and is returned as it is."""
    if value is None:
        return GAP
    if isinstance(value, str):
        try:
            value = parse_timestamp(value)
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return f"{value:%Y-%m-%d %H:%M} UTC"
