"""Display formatting shared by templates and narrators, so a number reads the same everywhere.

The narrative verifier compares every number in generated text with a fact at its displayed precision; the
page templates and the narrators therefore format through these functions and nothing else.

Rules:

- Fractions in, display strings out: ``pct(0.4123, 1) -> "41.2%"``; facts never hold pre-multiplied values.
- Rounding is half-up on the decimal spelling of the value (``pct(0.00125, 2) -> "0.13%"``), not banker's
  rounding on the binary float, so the same fact always displays the same way.
- ``None`` (and NaN) is a gap, never a zero: every formatter returns ``GAP`` ("no data") for it.
- Negative numbers use an ASCII hyphen-minus so text stays searchable and easy to verify.

Status vocabulary (``status_token``) maps every state spelling used in facts, the status API and the summary
line to one token with a CSS class, an icon and a word: status is never colour alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from markupsafe import Markup

from ..display import (  # noqa: F401  (re-exported: templates and callers use these names)
    CURRENCY_SYMBOLS,
    GAP,
    _decimal,
    _sign,
    count,
    date,
    days,
    duration_minutes,
    hours,
    is_gap,
    money,
    multiplier,
    number,
    overspend,
    pct,
    pct_points,
    span_hours,
    timestamp,
)


def week_label(period: str) -> str:
    """``"2026-W47" -> "2026-W47 (16–22 Nov 2026)"``: the ISO week with its Monday–Sunday dates."""
    year, week = period.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(week), 1)
    sunday = monday + dt.timedelta(days=6)
    if monday.month == sunday.month:
        span = f"{monday.day}–{sunday.day} {sunday:%b %Y}"
    elif monday.year == sunday.year:
        span = f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b %Y}"
    else:
        span = f"{date(monday, 'long')} – {date(sunday, 'long')}"
    return f"{period} ({span})"


_PROMQL = re.compile(
    r"\b(?:histogram_quantile|rate|irate|increase|sum|avg|max|min|count|avg_over_time|quantile_over_time)\("
    r"|\{\s*\w+\s*=~?\s*\""
)
_SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-]|\.\w)")
PLAIN_TERMS = {
    "latency_p95_ms": "p95 latency",
    "ttft_p95_ms": "time to first token",
    "requests_good": "successful requests",
    "requests_total": "request counts",
    "eval_pass_rate": "eval pass rate",
    "hallucination_rate": "hallucination rate",
    "toxicity_rate": "toxicity rate",
    "tokens_input": "input tokens",
    "tokens_output": "output tokens",
    "tokens_cache_read": "cached input tokens",
    "tokens_cache_write": "prompt-cache writes",
    "cost_requests": "request costs",
}
"""Signal and field names as a board reads them (anything else in snake_case loses its underscores)."""


def boardroom(text: str) -> str:
    """Text for a slide body: a PromQL query is left to the speaker notes ("Recommended instrumentation:
    details in the speaker notes with priority P2.") and metric or field names read as words ("latency_p95_ms" ->
    "p95 latency"); file paths are kept. The deck keeps the full text in the notes (render.deck)."""
    while (query := _PROMQL.search(text)) is not None:
        head = text[: query.start()]
        cut = head.rfind(": ")
        lead = head[:cut] if cut >= 0 else head.rstrip()
        text = f"{lead}: details in the speaker notes{text[_clause_end(text, query.start()) :]}"
    return _SNAKE.sub(lambda m: PLAIN_TERMS.get(m.group(0), m.group(0).replace("_", " ")), text)


def _clause_end(text: str, start: int) -> int:
    """Where the clause holding a query that begins at `start` ends: the first ";", ", with" or sentence end
    outside brackets (a decimal point inside a query does not end it)."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and (
            ch == ";"
            or text.startswith(", with", i)
            or text.startswith(" with priority", i)
            or (ch == "." and (i + 1 == len(text) or text[i + 1] in " *\n"))
        ):
            return i
    return len(text)


_DELTA_UNITS = {"pp": (100, " pp"), "%": (100, "%"), "x": (1, "x"), "": (1, "")}


def _delta_parts(value: float, unit: str, precision: int) -> tuple[str, str, str]:
    scale, suffix = _DELTA_UNITS.get(unit, (1, f" {unit}"))
    magnitude = number(abs(value) * scale, precision)
    direction = _sign(value * scale, precision)
    if not direction:
        return "►", "unchanged", f"{magnitude}{suffix}"
    return ("▲", "up", f"{magnitude}{suffix}") if direction == "+" else ("▼", "down", f"{magnitude}{suffix}")


def delta(value: float | None, unit: str = "pp", precision: int = 1) -> str:
    """A change with its arrow: ``delta(0.012) -> "▲ 1.2 pp"``, ``delta(-0.03, "%", 0) -> "▼ 3%"``.

    ``unit``: ``pp`` (fraction difference), ``%`` (relative change as a fraction), ``x``, ``""`` or any
    unit word appended after a space (``"min"``).
    """
    if is_gap(value):
        return GAP
    arrow, _, text = _delta_parts(value, unit, precision)
    return f"{arrow} {text}"


def delta_words(value: float | None, unit: str = "pp", precision: int = 1) -> str:
    """The same change in words for prose and plain-text email: ``"up 1.2 pp"``, ``"unchanged"``."""
    if is_gap(value):
        return GAP
    _, word, text = _delta_parts(value, unit, precision)
    return word if word == "unchanged" else f"{word} {text}"


def delta_html(
    value: float | None, unit: str = "pp", precision: int = 1, *, higher_is_better: bool | None = None
) -> Markup:
    """``<span class="delta delta-good">▲ 1.2 pp<span class="visually-hidden"> (up)</span></span>``.

    ``higher_is_better`` picks the good/bad class; None leaves the change neutral. The arrow is
    ``aria-hidden`` and the word is visually hidden, so screen readers say "1.2 pp (up)".
    """
    if is_gap(value):
        return Markup('<span class="delta delta-gap">{}</span>').format(GAP)
    arrow, word, text = _delta_parts(value, unit, precision)
    tone = "neutral"
    if higher_is_better is not None and word != "unchanged":
        tone = "good" if (word == "up") == higher_is_better else "bad"
    return Markup(
        '<span class="delta delta-{}"><span aria-hidden="true">{}</span> {}'
        '<span class="visually-hidden"> ({})</span></span>'
    ).format(tone, arrow, text, word)


@dataclass(frozen=True)
class StatusToken:
    key: str  # CSS modifier: status-<key>
    word: str
    icon: str


STATUS_TOKENS = {
    "operational": StatusToken("operational", "Operational", "✓"),
    "degraded": StatusToken("degraded", "Degraded", "◐"),
    # the summary word for "operational now, but an error budget is exhausted": degraded's colour, own word
    "at_risk": StatusToken("at_risk", "At risk", "!"),
    "partial_outage": StatusToken("partial_outage", "Partial outage", "▲"),
    "major_outage": StatusToken("major_outage", "Major outage", "✕"),
    "maintenance": StatusToken("maintenance", "Maintenance", "⚙"),
    "no_data": StatusToken("no_data", "Observability gap", "?"),
}
_STATUS_ALIASES = {
    "healthy": "operational",
    "degraded_performance": "degraded",
    "at risk": "at_risk",
    "partial outage": "partial_outage",
    "major outage": "major_outage",
    "under_maintenance": "maintenance",
    "unknown": "no_data",
    "no data": "no_data",
}


def status_token(state: str | None) -> StatusToken:
    """Every state spelling (facts, status API, summary line) -> one token. Unknown spellings are a gap."""
    key = (state or "no_data").strip().lower()
    key = _STATUS_ALIASES.get(key, key)
    return STATUS_TOKENS.get(key, STATUS_TOKENS["no_data"])


FILTERS = {
    "number": number,
    "count": count,
    "pct": pct,
    "pct_points": pct_points,
    "money": money,
    "multiplier": multiplier,
    "duration_minutes": duration_minutes,
    "hours": hours,
    "days": days,
    "date": date,
    "timestamp": timestamp,
    "week_label": week_label,
    "delta": delta,
    "delta_words": delta_words,
    "delta_html": delta_html,
    "status_token": status_token,
}
"""Every formatter by its template filter name (registered by ``render.environment``)."""
