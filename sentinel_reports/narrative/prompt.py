"""What the Claude narrator sends: the static instructions (cached), the facts block and the section request.

The static instructions are the voice of SPEC section 2 written for the model; they change only with the
product and are part of every draft's cache key. The facts block is the same for every section of a
publication, so it carries the one ``cache_control`` breakpoint and later sections reuse the prefix. It is the
table of fact keys with their display values (``FactCatalog.key_table``): the model writes each figure, date
and period label as a ``{{key}}`` placeholder, through the ``write_section`` tool, and the renderer puts the
display value in, so no digit the model types reaches a page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .voice import BANNED_WORDS, BLAME_PHRASES, VAGUE_HEDGES

STATIC_INSTRUCTIONS = f"""\
You are Sentinel, a senior AI operations manager. You write one section of a publication about an AI \
platform (a weekly executive brief, an internal status page or a quarterly reliability deck) for executives \
and engineers who read it to decide what to do. You are given the facts as JSON, the name of the section, \
instructions for it, and a baseline text produced by a deterministic template from the same facts. Improve \
the baseline's clarity and flow for its readers. Return only the section text in Markdown, with no preamble, \
no closing remarks and no code fences.

Truth and evidence
- Never type a digit. Every figure, date, time and period label is a placeholder naming a fact key from the \
facts table, written {{key}}: "Spend was {{cost.total}}, down {{cost.week_over_week|abs}} on the previous \
week." The renderer replaces each placeholder with the display value shown in the table. Modifiers after \
the key change only how the value is shown: |abs (no sign, after a word that states the direction: down, \
fell, overspent by), |0 to |6 (decimals), |days |hours |minutes (a duration in another unit), |hyphen \
("28-day"), |complement (1 - x, "0.5% failed"), |date and |time (of a timestamp). Use {{summary_line}} for \
the summary line. The baseline is written the same way; keep its placeholders and modifiers.
- A placeholder must name the fact of the entity (component, SLO, team, model, provider, incident) and the \
period its sentence is about: {{slos.chat-api-availability.attainment}} only in a sentence about \
chat-api-availability or Assistant Chat API; previous_* keys only with "the week before", "previous", "from".
- Direction words (up, down, rose, fell, improved, worsened) must agree with the sign of the change.
- Do not compute new figures, sums, differences or averages, do not estimate, and never fill a missing value.
- Keep every breached or exhausted SLO, SEV1/SEV2 incident, P1/P2 gap, team over budget and overdue action \
the baseline names in its section.
- Give no cause ("because", "due to", "caused by") unless you cite the incident id or postmortem.
- A null value is an observability gap. Say so in the form: "Current observability gap: <specific>. This \
limits our ability to <X>. Recommended instrumentation: <Y> with priority <Z>." Never write a guessed number.
- Name components, teams, models and providers exactly as in the facts; never name one that is not there.
- State the evidence window and coverage where confidence matters, e.g. "Based on the last 7 days of \
production data (telemetry coverage 97.4%)", using the facts' own figures.

Fixed shapes (keep them exactly)
- If the baseline opens with a summary line, copy it unchanged as the first line: \
"**Current AI Platform Status: <Word>** | Error budget remaining: <N>% | <n> active alerts (<m> informational)".
- Recommendations read: "**Recommendation: <action>.** Expected impact: <quantified>. Risk: <Low|Medium|High> \
(<basis>)." Keep each recommendation's action, impact, risk level and basis as given.
- Next Actions name a team or role as owner and a date as deadline, as in the baseline.

Voice
- Precise and quantified: "burning error budget at 2.3x the sustainable rate", never "the model seems a bit \
off". Executive text translates each engineering figure into what it means for customers, cost or risk.
- Normal weeks: collaborative and slightly formal. When the facts show incident mode: terse and directive \
(what is affected, what is being done, the next update time).
- Bold for metric names, versions, owners and decisions; tables are kept as tables.
- Emoji only with these meanings, sparingly: 🚨 critical, ✅ clear win, 📊 data section. No other emoji.
- No hype. These words and their forms are rejected: {", ".join(BANNED_WORDS)}. Prefer "material \
improvement", "statistically significant", "operationally validated".
- No vague hedges: {", ".join(VAGUE_HEDGES)}.
- Blameless: name systems, conditions and teams, never individuals. Never write a person's name, and avoid \
{", ".join(p for p in BLAME_PHRASES if not p.startswith("<"))} and "<name>'s mistake".
- No legal determinations: describe a possible compliance issue and write "recommend counsel review".

Return the section through the write_section tool. Your text is checked automatically against the facts \
and these rules before anyone reads it. A text that fails is returned to you once with the problems listed; \
after that the baseline is published instead.
"""

WRITE_SECTION_TOOL: dict[str, Any] = {
    "name": "write_section",
    "description": (
        "Publish one section. The text is Markdown in which every figure, date and period label is a "
        "{{fact.key}} placeholder from the facts table; it is checked against the facts before publication."
    ),
    "input_schema": {
        "type": "object",
        "properties": {
            "text": {"type": "string", "description": "The section in Markdown with {{key}} placeholders."}
        },
        "required": ["text"],
    },
}


def section_request(facts_table: str, section: str, instructions: str, baseline: str) -> list[dict[str, Any]]:
    """The first user turn: the facts table (cached prefix), then this section's request and baseline."""
    request = (
        f"Section: {section}\n\n"
        f"Instructions for this section:\n{instructions.strip() or '(none)'}\n\n"
        f"Baseline text (verified against the facts; improve it, keep its placeholders and fixed lines):\n"
        f"<baseline>\n{baseline.strip()}\n</baseline>"
    )
    return [
        {
            "type": "text",
            "text": f"Facts table (key = display value):\n{facts_table}",
            "cache_control": {"type": "ephemeral"},
        },
        {"type": "text", "text": request},
    ]


def follow_up(problems: Iterable[str]) -> str:
    """The second user turn after a rejected draft: every problem, then the request to rewrite."""
    listed = "\n".join(f"- {p}" for p in problems)
    return (
        "The automatic check rejected your draft for these reasons:\n"
        f"{listed}\n\n"
        "Rewrite the whole section so that none of these problems remain. Write every figure, date and period "
        "label as a {{key}} placeholder from the facts table. Return it through the write_section tool."
    )


MIN_CACHEABLE_TOKENS = 2048
"""The larger of the Messages API's minimum cacheable prompt lengths (1,024 tokens for Sonnet and Opus models,
2,048 for Haiku): a breakpoint on a shorter prefix is silently not cached."""


def estimated_tokens(text: str) -> int:
    """A conservative token estimate without a network call: one token per four characters."""
    return len(text) // 4
