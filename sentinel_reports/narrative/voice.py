"""The Sentinel voice as code: the lint every generated sentence passes, and the fixed line shapes.

``lint_text`` finds hype words, vague hedges, blame, person names, emoji other than 🚨 ✅ 📊, and legal
determinations not routed to counsel. ``check_summary_line`` and ``check_recommendation`` validate the two
fixed shapes of SPEC section 2; ``summary_line`` and ``recommendation`` write them. Status icons such as
✓ ◐ ▲ ✕ ⚙ ? are typography, not emoji, and pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Severity = Literal["error", "warning"]

BANNED_WORDS: tuple[str, ...] = (
    "revolutionary", "game-changing", "groundbreaking", "cutting-edge", "disruptive", "paradigm shift",
    "seamless", "unprecedented", "world-class", "best-in-class", "next-generation", "supercharge", "magic",
    "skyrocket", "blazing fast",
)  # fmt: skip
VAGUE_HEDGES: tuple[str, ...] = (
    "a bit",
    "seems",
    "kind of",
    "probably fine",
    "sort of",
    "somewhat",
    "I think",
)
BLAME_PHRASES: tuple[str, ...] = (
    "human error", "should have known", "careless", "negligence", "fault of", "<name>'s mistake", "blame",
)  # fmt: skip
LEGAL_PHRASES: tuple[str, ...] = ("violates GDPR", "is illegal", "in breach of", "non-compliant")
ALLOWED_EMOJI = frozenset("🚨✅📊")
STATUS_WORDS: tuple[str, ...] = (
    "Healthy",
    "At Risk",
    "Degraded",
    "Partial Outage",
    "Major Outage",
    "Unknown",
)
"""The summary line's status words. Healthy: operational now and every in-scope SLO with budget left; At Risk:
operational now, but an in-scope error budget is exhausted (analysis/summary.py)."""
RISK_LEVELS: tuple[str, ...] = ("Low", "Medium", "High")
PREFERRED = "material improvement, statistically significant, operationally validated"

_HYPE = {
    "revolutionary": r"revolutionar(?:y|ily)", "game-changing": r"game[- ]chang(?:ing|ers?)",
    "groundbreaking": r"ground[- ]?breaking", "cutting-edge": r"cutting[- ]edge",
    "disruptive": r"disruptive(?:ly)?", "paradigm shift": r"paradigm[- ]shifts?",
    "seamless": r"seamless(?:ly|ness)?", "unprecedented": r"unprecedented(?:ly)?",
    "world-class": r"world[- ]class", "best-in-class": r"best[- ]in[- ]class",
    "next-generation": r"next[- ]gen(?:eration)?", "supercharge": r"supercharg(?:e|es|ed|ing|er)",
    "magic": r"magic(?:al|ally)?", "skyrocket": r"sky[- ]?rocket(?:s|ed|ing)?",
    "blazing fast": r"blazing(?:ly)?[- ]fast",
}  # fmt: skip
_HEDGES = {
    "a bit": r"a (?:little )?bit", "seems": r"seem(?:s|ed|ingly)?", "kind of": r"kind of|kinda",
    "probably fine": r"probably (?:fine|ok|okay)", "sort of": r"sort of|sorta", "somewhat": r"somewhat",
    "I think": r"I (?:think|believe|guess)",
}  # fmt: skip
_BLAME = {
    "human error": r"human errors?", "should have known": r"should(?:n't| not)? have (?:known|noticed|caught)",
    "careless": r"careless(?:ly|ness)?", "negligence": r"negligen(?:ce|t|tly)", "fault of": r"(?:the )?fault of",
    "blame": r"blam(?:e|es|ed|ing)",
}  # fmt: skip
_NAME_MISTAKE = (
    r"\b(?:[A-Z][a-z]+(?: [A-Z][a-z]+)?['’]s|[Hh]is|[Hh]er|[Tt]heir) "
    r"(?:mistake|fault|oversight|error(?! (?:rate|budget|ratio|count|code|class|message)))\b"
)
_LEGAL = (
    r"violat(?:es?|ed|ing|ions? of) (?:the )?(?:GDPR|HIPAA|CCPA|SOX|PCI(?:[- ]DSS)?|SOC ?2|COPPA|EU AI Act|AI Act"
    r"|law|regulations?|data protection law|privacy law)|(?:is|are|was|were) (?:illegal|unlawful)"
    r"|in breach of|non-?compliant|not compliant with"
)
# Words that would turn a regulatory flag into a determination: whether an incident is reportable, or that
# a duty exists, is for counsel. Flagged even beside "recommend counsel review" (the flag must stay a flag).
_DETERMINATION = (
    r"(?:must|shall|has to|have to|need to|needs to|is required to|are required to|are obliged to"
    r"|is obliged to|are obligated to|is obligated to) (?:be )?(?:report|notif)\w*"
    r"|(?:is|are|was|were) (?:legally )?reportable|legally (?:required|obliged|obligated|bound)"
    r"|constitutes? a serious incident|(?:is|was) a serious incident|mandatory (?:report|notification)"
    r"|reporting (?:is|was) (?:required|mandatory)|(?:is|are|was|were) liable|legal liability"
    r"|(?:confirmed|definite|determined) (?:serious incident|breach|violation)"
)
_EMOJI_RANGES = (
    (0x1F000, 0x1F02F), (0x1F0CF, 0x1F0CF), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1E6, 0x1F1FF),
    (0x1F201, 0x1F251), (0x1F300, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F7E0, 0x1F7FF), (0x1F900, 0x1F9FF),
    (0x1FA70, 0x1FAFF), (0x231A, 0x231B), (0x23E9, 0x23EC), (0x23F0, 0x23F0), (0x23F3, 0x23F3),
    (0x25FD, 0x25FE), (0x2614, 0x2615), (0x2648, 0x2653), (0x267F, 0x267F), (0x2693, 0x2693),
    (0x26A1, 0x26A1), (0x26AA, 0x26AB), (0x26BD, 0x26BE), (0x26C4, 0x26C5), (0x26CE, 0x26CE),
    (0x26D4, 0x26D4), (0x26EA, 0x26EA), (0x26F2, 0x26F3), (0x26F5, 0x26F5), (0x26FA, 0x26FA),
    (0x26FD, 0x26FD), (0x2705, 0x2705), (0x270A, 0x270B), (0x2728, 0x2728), (0x274C, 0x274C),
    (0x274E, 0x274E), (0x2753, 0x2755), (0x2757, 0x2757), (0x2795, 0x2797), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
)  # fmt: skip
"""Code points shown as emoji by default (Unicode Emoji_Presentation); any symbol followed by U+FE0F is too."""


@dataclass(frozen=True)
class Finding:
    """One voice problem: which rule, what to do instead, and the sentence it is in."""

    rule: str  # hype | hedge | blame | person | emoji | legal | determination | summary-line | recommendation
    message: str
    excerpt: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.rule}: {self.message} (in: {self.excerpt!r})"


def _words(patterns: dict[str, str], flags: int = re.IGNORECASE) -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", flags)) for name, p in patterns.items()]


_HYPE_RE = _words(_HYPE)
_HEDGE_RE = _words(_HEDGES)
_BLAME_RE = [*_words(_BLAME), ("<name>'s mistake", re.compile(_NAME_MISTAKE))]
_WORD_RULES = (
    (_HYPE_RE, "hype", f"banned word {{!r}} ({{}}); state the measured effect ({PREFERRED})"),
    (_HEDGE_RE, "hedge", "vague hedge {!r} ({}); state the figure and its evidence window"),
    (_BLAME_RE, "blame", "blame phrase {!r} ({}); name systems, conditions and teams"),
)
_ANY_WORD = re.compile(
    "|".join(
        f"(?{'i' if p.flags & re.IGNORECASE else ''}:{p.pattern})"
        for rules, _, _ in _WORD_RULES
        for _, p in rules
    )
)
"""Any of the hype, hedge and blame patterns (each with its own flags): a sentence it does not match holds
none of them, so each pattern runs only on the few sentences that hold one (a long narrative at scale has
hundreds of sentences and none should)."""
_LEGAL_RE = re.compile(rf"\b(?:{_LEGAL})\b", re.IGNORECASE)
_COUNSEL_RE = re.compile(r"counsel review", re.IGNORECASE)
_DETERMINATION_RE = re.compile(rf"\b(?:{_DETERMINATION})\b", re.IGNORECASE)
_SENTENCE_RE = re.compile(r"[^\n]+?(?:[.!?](?=\s|$)|$)", re.MULTILINE)


def lint_text(
    text: str, *, known_people: Iterable[str] = (), context: str = "", severity: Severity = "error"
) -> list[Finding]:
    """Every voice problem in ``text``, in reading order. ``context`` (e.g. a file name) prefixes excerpts."""
    findings: list[Finding] = []
    people = _people_patterns(known_people)
    for sentence in _sentences(text):
        excerpt = sentence if len(sentence) <= 160 else sentence[:157] + "..."
        excerpt = f"{context}: {excerpt}" if context else excerpt
        found = sorted(_sentence_problems(sentence, people))
        findings.extend(Finding(rule, message, excerpt, severity) for _, rule, message in found)
    return findings


def _sentence_problems(sentence: str, people: list[re.Pattern[str]]) -> Iterable[tuple[int, str, str]]:
    for rules, rule, advice in _WORD_RULES if _ANY_WORD.search(sentence) else ():
        for name, pattern in rules:
            for m in pattern.finditer(sentence):
                yield m.start(), rule, advice.format(m.group(0), name)
    taken: list[tuple[int, int]] = []
    for m in (m for pattern in people for m in pattern.finditer(sentence)):
        if m.group(0)[0].isupper() or " " in m.group(0):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                taken.append(m.span())
                yield m.start(), "person", f"person name {m.group(0)!r}; name the team or role instead"
    for pos, char in _emoji(sentence):
        yield pos, "emoji", f"emoji {char!r} is not one of 🚨 (critical), ✅ (clear win), 📊 (data section)"
    for m in _DETERMINATION_RE.finditer(sentence):
        advice = "a flag states a possible reporting candidate and 'recommend counsel review', never a duty"
        yield m.start(), "determination", f"legal determination {m.group(0)!r}; {advice}"
    legal = _LEGAL_RE.search(sentence)
    if legal and not _COUNSEL_RE.search(sentence):
        advice = "write it as a possible issue and 'recommend counsel review'"
        yield legal.start(), "legal", f"legal determination {legal.group(0)!r}; {advice}"


def determinations(text: str) -> list[Finding]:
    """The `determination` findings of ``text``: a regulatory flag must have none."""
    return [f for f in lint_text(text) if f.rule == "determination"]


def _sentences(text: str) -> list[str]:
    return [m.group(0).strip() for m in _SENTENCE_RE.finditer(text) if m.group(0).strip()]


def _people_patterns(known_people: Iterable[str]) -> list[re.Pattern[str]]:
    """Full names match in any case; a part of a two-part name (3+ letters) matches when capitalised."""
    patterns = []
    for name in sorted({" ".join(p.split()) for p in known_people if p and p.strip()}, key=len, reverse=True):
        full = r"\s+".join(re.escape(part) for part in name.split())
        patterns.append(re.compile(rf"(?<!\w){full}(?!\w)", re.IGNORECASE))
        parts = [re.escape(p) for p in name.split() if len(p) >= 3] if " " in name else []
        if parts:
            patterns.append(re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)", re.IGNORECASE))
    return _dedupe(patterns)


def _dedupe(patterns: list[re.Pattern[str]]) -> list[re.Pattern[str]]:
    return list({(p.pattern, p.flags): p for p in patterns}.values())


_EMOJI_CANDIDATE = re.compile(
    "[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in _EMOJI_RANGES) + "]|.(?=\ufe0f)",
    re.DOTALL,
)
"""Every character that may be an emoji (in a range, or followed by U+FE0F): the checks below run on these
only, not on every character of a text."""


def _emoji(text: str) -> list[tuple[int, str]]:
    found = []
    for match in _EMOJI_CANDIDATE.finditer(text):
        i, char = match.start(), match.group(0)
        if char in ALLOWED_EMOJI or char == "\ufe0f":
            continue
        code = ord(char)
        presented = text[i + 1 : i + 2] == "\ufe0f" and unicodedata.category(char) == "So"
        if presented or any(lo <= code <= hi for lo, hi in _EMOJI_RANGES):
            found.append((i, char))
    return found


_BUDGET = r"(?:\d+(?:\.\d+)?%|exhausted(?: \(overspent by \d+%\))?|unknown \(observability gap\))"
_SUMMARY_PARTS = (
    ("status", re.compile(r"\*\*Current AI Platform Status: (?:" + "|".join(STATUS_WORDS) + r")\*\*")),
    ("budget", re.compile(rf"Error budget remaining: {_BUDGET}")),
    ("alerts", re.compile(r"(?P<n>\d+) active (?P<word>alerts?) \(\d+ informational\)")),
)
_SUMMARY_HINTS = {
    "status": "'**Current AI Platform Status: <Healthy|At Risk|Degraded|Partial Outage|Major Outage|Unknown>**'",
    "budget": "'Error budget remaining: <N>%', 'Error budget remaining: exhausted (overspent by <N>%)' or "
    "'Error budget remaining: unknown (observability gap)'",
    "alerts": "'<n> active alerts (<m> informational)'",
}


def check_summary_line(line: str) -> list[Finding]:
    """The summary line must have exactly the SPEC shape; one finding per malformed part."""
    line = line.strip()
    parts = line.split(" | ")
    if len(parts) != 3:
        message = f"expected three parts separated by ' | ', found {len(parts)}"
        return [Finding("summary-line", message, line)]
    findings = []
    for (name, pattern), part in zip(_SUMMARY_PARTS, parts, strict=True):
        m = pattern.fullmatch(part)
        if m is None:
            findings.append(Finding("summary-line", f"expected {_SUMMARY_HINTS[name]}, found {part!r}", line))
        elif name == "alerts" and (m.group("word") == "alert") != (m.group("n") == "1"):
            findings.append(Finding("summary-line", "write '1 active alert' and '<n> active alerts'", line))
    return findings


_RECOMMENDATION = re.compile(
    r"\*\*Recommendation: (?P<action>[^*]+?)\.\*\* Expected impact: (?P<impact>.+?)\. "
    r"Risk: (?P<level>\w+) \((?P<basis>.+)\)\."
)


def check_recommendation(text: str) -> list[Finding]:
    """``**Recommendation: <action>.** Expected impact: <quantified>. Risk: <Low|Medium|High> (<basis>).``"""
    text = " ".join(text.split())
    m = _RECOMMENDATION.fullmatch(text)
    shape = "**Recommendation: <action>.** Expected impact: <quantified>. Risk: <Low|Medium|High> (<basis>)."
    if m is None:
        return [Finding("recommendation", f"expected the shape {shape!r}", text)]
    findings = []
    if not re.search(r"\d", m.group("impact")):
        findings.append(
            Finding("recommendation", "expected impact must be quantified (state a figure)", text)
        )
    if m.group("level") not in RISK_LEVELS:
        findings.append(
            Finding(
                "recommendation", f"risk level must be Low, Medium or High, found {m.group('level')!r}", text
            )
        )
    if not m.group("basis").strip():
        findings.append(Finding("recommendation", "the risk level needs its basis in parentheses", text))
    return findings


def summary_line(
    status: str, budget_remaining: float | None, active_alerts: int, informational_alerts: int
) -> str:
    """The SPEC summary line from facts; ``budget_remaining`` is a fraction (None: an observability gap)."""
    if status not in STATUS_WORDS:
        raise ValueError(f"status must be one of {', '.join(STATUS_WORDS)}, found {status!r}")
    budget = budget_text(budget_remaining)
    alerts = f"{active_alerts} active alert{'' if active_alerts == 1 else 's'}"
    return (
        f"**Current AI Platform Status: {status}** | Error budget remaining: {budget} | "
        f"{alerts} ({informational_alerts} informational)"
    )


def budget_text(budget_remaining: float | None) -> str:
    """The summary line's budget: "41%", "exhausted (overspent by 53%)" for a budget at or below 0 (the body's
    wording; a negative percentage reads as a typo), or "unknown (observability gap)"."""
    if budget_remaining is None:
        return "unknown (observability gap)"
    pct = Decimal(repr(float(budget_remaining) * 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if budget_remaining <= 0:
        return f"exhausted (overspent by {-pct}%)" if pct < 0 else "exhausted"
    return f"{pct}%"


def recommendation(action: str, expected_impact: str, risk: str, basis: str) -> str:
    """The SPEC recommendation sentence; trailing full stops in the parts are not doubled."""
    action, expected_impact, basis = (s.strip().rstrip(".") for s in (action, expected_impact, basis))
    return f"**Recommendation: {action}.** Expected impact: {expected_impact}. Risk: {risk} ({basis})."
