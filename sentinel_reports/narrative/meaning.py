"""The meaning check: every figure bound to the fact it states, for the entity and period the sentence names.

``MeaningCheck(facts)`` is built once per facts document; ``check(text)`` returns one ``Finding`` per problem,
each with a reason class, a specific message, the line and the sentence:

    reason              what is wrong
    raw-number          a draft types a figure (digits, a date or a period label) instead of a placeholder
    unknown-key         a placeholder names no fact key
    unsupported-number  a figure no fact gives, in its unit, at the precision shown
    wrong-unit          a figure that is a fact's value only in another unit (minutes written as dollars)
    wrong-entity        a figure of another entity's fact than the component, SLO, team, model, provider or
                        incident the sentence names
    wrong-period        a figure of the previous period stated as this period's, or the reverse
    direction           up/down, rose/fell, improved/worsened against the sign of the change
    unknown-name        a component, team, model or provider that is not in the config or the facts
    hype, hedge, blame, person, emoji, legal   the voice lint (``voice.lint_text``), plus common given names
    uncited-cause       "because", "caused by", "due to"... without an incident or postmortem to cite
    missing-required    (``complete=True``) a breached or exhausted SLO, a SEV1/SEV2, a P1/P2 gap, a team over
                        budget or an overdue action item its section does not mention

Binding (``mode="plain"``, text as a person writes it): each number is matched against every keyed fact
(``claims.FactCatalog``) in the number's unit at its displayed precision. A figure written inside a fact string
(a gap sentence, a recommendation) or a date of the period is supported as is. Otherwise at least one
matching fact must belong to an entity the sentence names (or to none: platform totals), and to the period
the sentence speaks of: a value of a ``previous_*`` key needs a word that points back (before, previous,
prior, earlier, from, last week, the previous period label).

Drafts (``mode="draft"``): every figure is a placeholder ``{{fact.key}}``. Digits outside a placeholder are
``raw-number``; an unknown key is ``unknown-key``; each placeholder is bound to its own key, so the entity,
period and direction checks run on the key the model chose, not on a value that happens to match.

Names: a capitalised multi-word phrase ending in a system noun ("Billing Gateway", "Payments Router"), a
phrase ending in "team", an id-like ``payments-api``, a model id (``gpt-5``) or a provider name is a name; it
must be a configured or fact name, or appear in a fact string. Leading ordinary words are dropped first
("Freeze Knowledge Search" names Knowledge Search), so sentence starts are not names.

Causal claims about measurement ("cannot be stated because its telemetry is incomplete") are not incident
causes and need no citation.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .claims import MODIFIER_CHAINS, Claim, FactCatalog, KeyedFact, month_name, placeholders, render
from .numbers import NumberMention, extract_numbers
from .verifier import STRUCTURAL, FactIndex, supports
from .voice import lint_text

REASONS: tuple[str, ...] = (
    "raw-number", "unknown-key", "unsupported-number", "wrong-unit", "wrong-entity", "wrong-period",
    "direction", "unknown-name", "hype", "hedge", "blame", "person", "emoji", "legal", "uncited-cause",
    "missing-required",
)  # fmt: skip

SYSTEM_NOUNS = frozenset(
    """api apis gateway router service services search store orchestrator pipeline cluster engine proxy cache
    index queue worker workers copilot inference platform db database broker scheduler balancer server bus hub
    portal backend frontend embeddings moderation summarisation summarization retrieval agent assistant
    registry ledger tracker processor manager controller indexer ranker classifier detector stream lake
    warehouse vault monitor console endpoint model""".split()
)
LEADING_WORDS = frozenset(
    """the a an our its their this that these those on in for at to of from with by and or but when while
    after before during since until as if so then also both each every all no new old freeze roll add review
    page cost spend spending releases release on-call customers customer freeze close publish alert run
    gate bring restore keep investigate""".split()
)
PROVIDERS = (
    "Anthropic", "OpenAI", "Azure OpenAI", "Azure", "AWS", "Amazon Bedrock", "Bedrock", "Google", "Vertex AI",
    "Vertex", "GCP", "Cohere", "Mistral AI", "Mistral", "Together AI", "Groq", "Fireworks", "Databricks",
    "Hugging Face", "Replicate", "DeepSeek", "xAI",
)  # fmt: skip
GIVEN_NAMES = frozenset(
    """James John Robert Michael David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Donald
    Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary
    Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Jack
    Dennis Jerry Tyler Aaron Henry Adam Peter Nathan Zachary Kyle Noah Ethan Jeremy Christian Sean Austin
    Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Sandra Ashley Kimberly
    Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Amy Angela Anna
    Brenda Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Maria Catherine
    Heather Diane Julie Olivia Joyce Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl
    Hannah Jacqueline Martha Gloria Teresa Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia
    Priya Rahul Arjun Ananya Wei Mei Hiroshi Yuki Kenji Sakura Mohammed Ahmed Fatima Aisha Omar Ali Carlos
    Juan Jose Luis Miguel Sofia Lucia Pedro Diego Ivan Olga Dmitri Sergei Anastasia Lars Sven Ingrid Astrid
    Pierre Jean-Luc Marie Sophie Hans Klaus Greta Giulia Marco Luca Francesca Kofi Amara Chidi Ngozi Raj Anil
    Sunil Deepak Vikram Neha Pooja Li Zhang Chen Jun Tom Tim Jim Bob Dave Mike Steve Alex Sam Ben Dan Joe
    Kate Liz Jen Meg Beth Sue Ann Jane Lucy Ella Mia Zoe Chloe Leo Max Oscar Hugo Felix Ivy Nina Eva Lena""".split()
)
_DIRECTION = {
    "up": r"up|rose|risen|rise|rises|rising|increased|increases|increasing|grew|grown|grows|growing|climbed"
    r"|climbs|jumped|jumps|gained|surged",
    "down": r"down|fell|fallen|falls|falling|dropped|drops|decreased|decreases|decreasing|declined|declines"
    r"|shrank|shrunk|slipped",
    "better": r"improved|improves|improving|recovered",
    "worse": r"worsened|worsens|worsening|deteriorated|regressed|degraded by",
}
_DIRECTION_RE = re.compile(
    r"(?<![\w-])(?P<word>" + "|".join(f"(?P<{k}>{v})" for k, v in _DIRECTION.items()) + r")(?![\w-])",
    re.IGNORECASE,
)
_LOWER_BETTER = re.compile(
    r"cost|spend|money|total|latency|p95|burn|hallucination|toxicity|error|mtta|resolve|impact|overspent|"
    r"budget_consumed|unattributed",
    re.IGNORECASE,
)
_PREVIOUS_MARK = re.compile(
    r"\b(?:previous|before|prior|earlier|from|last (?:week|quarter|period|month)|a (?:week|quarter) ago|"
    r"was then|used to)\b",
    re.IGNORECASE,
)
_CURRENT_MARK = re.compile(r"\bthis (?:week|quarter|period)\b|\bnow\b", re.IGNORECASE)
_CAUSAL = re.compile(
    r"\b(?:because(?: of)?|caused by|due to|as a result of|owing to|triggered by|stem(?:s|med) from|"
    r"root cause|the cause (?:was|is))\b",
    re.IGNORECASE,
)
_MEASUREMENT_CAUSE = re.compile(
    r"telemetry|observability gap|no data|missing data|data (?:is|are|was|were) (?:missing|incomplete)|"
    r"coverage|not (?:reported|measured|instrumented)|incomplete|no source|unmeasured",
    re.IGNORECASE,
)
_FAILURE = re.compile(
    r"fail|error|unavailab|downtime|bad|slow|miss|outside|breach|not meet|did not", re.IGNORECASE
)
_FASTER = re.compile(r"faster|above|over the sustainable|more than the sustainable", re.IGNORECASE)
_DAY = (
    r"\b\d{4}-\d{2}-\d{2}\b|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|\bdaily\b|\bday\b|"
    r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
)
_CAPITALISED = re.compile(r"(?<![\w-])(?:[A-Z][\w&'’-]*)(?:[ \t]+(?:[A-Z][\w&'’-]*|of|and|&))*")
_TEAM = re.compile(r"(?<![\w-])((?:[A-Z][\w&-]*)(?:\s+(?:and\s+|&\s+)?[A-Z][\w&-]*)*)\s+[Tt]eam\b")
_ID_LIKE = re.compile(
    r"(?<![\w/.-])([a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:api|gateway|router|service|search|store|availability|"
    r"latency|quality|orchestrator|inference|retrieval|pipeline|worker|proxy|cache|queue|db))(?![\w-])"
)
_MODEL = re.compile(
    r"(?<![\w/-])((?:gpt|claude|gemini|llama|mistral|mixtral|command|titan|text-embedding|o[134])-[\w.-]*\w)"
)
_PROVIDER = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in PROVIDERS) + r")(?![\w-])")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”)]?\s+(?=[\"“(*🚨✅📊$€£]?[A-Z0-9*$€£])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_BOLD = re.compile(r"\*\*([^*\n]+?)\*\*")
_SEV = ("SEV1", "SEV2")
_PRIORITIES = ("P1", "P2")


@dataclass(frozen=True)
class Finding:
    """One problem: its reason class, what is wrong specifically, the 1-based line and the sentence."""

    reason: str
    message: str
    excerpt: str
    line: int = 0
    section: str = ""

    def __str__(self) -> str:
        excerpt = self.excerpt if len(self.excerpt) <= 140 else self.excerpt[:137] + "..."
        return f"line {self.line}: {self.reason}: {self.message}: {excerpt}"


@dataclass
class _Figure:
    start: int
    end: int
    mention: NumberMention | None
    facts: list[KeyedFact]
    key: str = ""


@dataclass
class _Sentence:
    text: str
    start: int  # offset in the whole text
    line: int
    section: str


class MeaningCheck:
    """The meaning check for one facts document (plus the narrator's derived dates, if any)."""

    def __init__(
        self,
        facts: Mapping[str, Any],
        *,
        config: Any = None,
        known_people: Iterable[str] = (),
        reference_texts: Iterable[str] = (),
        fixed: Mapping[str, str] | None = None,
    ):
        self.facts = facts
        self.catalog = FactCatalog(facts, config=config, fixed=fixed)
        self.index = FactIndex(facts)
        self.strings = FactIndex({})
        for s in _strings(facts):
            self.strings.add_text(s)
        for text in reference_texts:
            self.strings.add_text(text)
        self.vocabulary = " ".join(" ".join(s.split()) for s in _strings(facts)).lower()
        self.known_people = tuple(known_people)
        self.incident_refs = self._incident_refs(facts)

    # -- public -------------------------------------------------------------------------------------------

    def check(self, text: str, *, mode: str = "plain", complete: bool = False) -> list[Finding]:
        """Every finding in ``text`` (markdown). ``mode`` "draft": figures must be placeholders."""
        findings: list[Finding] = []
        bound: dict[int, list[_Figure]] = {}
        if mode == "draft":
            rendered = render(text, self.catalog)
            published = rendered.text
            findings += self._raw_numbers(text)
            for key, span in rendered.unknown:
                findings.append(self._at(published, span[0], "unknown-key", f"no fact has the key {key!r}"))
            figures = []
            for c, (a, b) in zip(rendered.claims, rendered.spans, strict=True):
                fact = self.catalog.by_key.get(c.fact_key)
                figures.append(_Figure(a, b, None, [fact] if fact else [], c.placeholder))
        else:
            published, figures = text, []
        sentences = list(split_sentences(published, cells=mode == "plain"))
        for figure in figures:
            for i, s in enumerate(sentences):
                if s.start <= figure.start < s.start + len(s.text):
                    figure.start -= s.start
                    figure.end -= s.start
                    bound.setdefault(i, []).append(figure)
                    break
        for i, sentence in enumerate(sentences):
            findings += self._sentence(sentence, bound.get(i, []) if mode == "draft" else None)
        if complete:
            lines = heading_lines(published)
            for f in self.required(section_texts(published)):
                findings.append(Finding(f.reason, f.message, f.excerpt, lines.get(f.section, 1), f.section))
        return sorted(findings, key=lambda f: f.line)

    def claims_in(self, text: str) -> list[tuple[tuple[int, int], Claim]]:
        """The claims a plain text makes: each figure bound to the one fact key it states (the best fit for
        its sentence's entities and period), with its span. Figures no key fits are left out."""
        out = []
        by_display = {v: k for k, v in reversed(list(self._text_displays()))}
        before: set[str] = set()
        day = ""  # the last date written: a time after it is that day's
        for s in split_sentences(text):
            entities = self.catalog.entities_in(s.text)
            context = entities or before  # a sentence that names nothing continues the one before
            before = context
            for m in extract_numbers(s.text, ignore=self._digit_names()):
                span = (s.start + m.span[0], s.start + m.span[1])
                if m.is_period:
                    key = by_display.get(m.raw) or _period_key(self.catalog, m.raw)
                    if key is None and m.kind == "date":
                        key = self._instant_key(m.label, None)
                        day = m.label
                    elif key is None and m.kind == "time":
                        key = self._instant_key(day, m.raw)
                    if key:
                        out.append((span, Claim.of(key, m.raw)))
                    continue
                problem, facts = self._bind(m, s.text, entities)
                ranked = self._ranked(facts, s.text, entities, m.span, context) if not problem else []
                # a key the check itself would call another entity's or period's comes last
                ranked.sort(
                    key=lambda f: self._entity_period([f], m.raw, s.text, entities, at=m.span[0]) is not None
                )
                key = next((k for f in ranked if (k := self._written_as(f, m.raw)) is not None), None)
                if key is not None:
                    out.append((span, Claim.of(key, m.raw)))
        return out

    def _instant_key(self, day: str, time: str | None) -> str | None:
        """A date or time fact written as ``day`` (and ``time``, UTC): its key with ``|date`` or ``|time``."""
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day or ""):
            return None
        mod = "time" if time else "date"
        for key in sorted(self.catalog.texts, key=lambda k: bool(_DAILY.search(k))):
            value = self.catalog.texts[key]
            if not value.startswith(day):
                continue
            if self.catalog.display(f"{key}|{mod}") == (time or day):
                return f"{key}|{mod}"
        return None

    def _written_as(self, fact: KeyedFact, raw: str) -> str | None:
        """The key (with display modifiers) whose display is exactly ``raw``, if any."""
        for chain in MODIFIER_CHAINS:
            key = "|".join((fact.key, *chain))
            if self.catalog.display(key) == raw:
                return key
        return None

    def to_placeholders(self, text: str) -> str:
        """``text`` with every figure it states as a placeholder of its key, and the fixed lines as theirs:
        the baseline a model rewrites, so it sees which key each figure is."""
        whole: dict[str, str] = {}  # a fixed line, a time or a fact string written as it is -> its key
        for key, value in self.catalog.texts.items():
            if (
                len(value) >= 16
                and " " in value
                and any(c.isdigit() for c in value)
                and not _DAILY.search(key)
            ):
                whole.setdefault(value, key)
        for key, shown in self._text_displays():
            if re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", shown):
                whole.setdefault(shown, key)
            elif re.fullmatch(r"\d{4}-(?:0[1-9]|1[0-2])", shown):  # a month: "November 2026"
                whole.setdefault(month_name(shown), f"{key}|month")
        whole.update({line: key for key, line in self.catalog.fixed.items()})
        if whole:
            pattern = re.compile("|".join(re.escape(v) for v in sorted(whole, key=len, reverse=True)))
            text = pattern.sub(lambda m: "{{" + whole[m.group(0)] + "}}", text)
        for (a, b), claim in reversed(self.claims_in(text)):
            text = text[:a] + "{{" + (claim.placeholder or claim.fact_key) + "}}" + text[b:]
        return text

    def _text_displays(self) -> Iterator[tuple[str, str]]:
        for key in sorted(self.catalog.texts, key=lambda k: bool(_DAILY.search(k))):
            shown = self.catalog.display(key)
            if shown and len(shown) <= 24 and any(c.isdigit() for c in shown):
                yield key, shown

    def _ranked(
        self,
        facts: list[KeyedFact],
        sentence: str,
        entities: set[str],
        span: tuple[int, int],
        context: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> list[KeyedFact]:
        """The facts that fit the figure's sentence, best first: the entity of its clause (or the nearest
        name before it, or the previous sentence's), the period its words point to, the facts' own
        ``figures``, entity-specific before platform-wide, whole-period before daily, shorter keys."""
        named = {e for e in entities if not e.startswith("period:")}
        fits = [f for f in facts if _fits(f.entities, named)]
        back = bool(re.search(r"\bfrom\s*\W?$", sentence[max(0, span[0] - 8) : span[0]])) or bool(
            re.match(
                r"^\W*(?:the (?:week|quarter|period|month) before|the previous|previously|a (?:week|quarter) "
                r"earlier|last (?:week|quarter))",
                sentence[span[1] :],
            )
        )
        figures = self.catalog.figure_keys
        start = max(sentence.rfind(c, 0, span[0]) for c in ",;(")
        ends = [i for i in (sentence.find(c, span[1]) for c in ",;)") if i >= 0]
        clause = sentence[start + 1 : min(ends) if ends else len(sentence)]
        nearest = self.catalog.entities_in(clause) - {e for e in entities if e.startswith("period:")}
        nearest = nearest or self.catalog.last_named(sentence[: span[0]].replace("**", "")) or set(context)

        def rank(f: KeyedFact) -> tuple[int, int, int, int, int, int]:
            return (
                0 if not nearest or f.entities & nearest else 1 if not f.entities else 2,
                (f.period == "previous") != back,
                f.key not in figures,
                not (f.entities & named),
                f.daily,
                len(f.key),
            )

        return sorted(fits, key=rank)

    # -- sentences ------------------------------------------------------------------------------------------

    def _sentence(self, s: _Sentence, figures: list[_Figure] | None) -> list[Finding]:
        out: list[Finding] = []
        entities = self.catalog.entities_in(s.text)
        if figures is None:
            figures = []
            for m in extract_numbers(s.text, ignore=self._digit_names()):
                problem, facts = self._bind(m, s.text, entities)
                if problem:
                    out.append(self._finding(s, problem[0], problem[1]))
                figures.append(_Figure(m.span[0], m.span[1], m, facts))
        else:
            mentions = extract_numbers(s.text, ignore=self._digit_names())
            for f in figures:
                f.mention = next((m for m in mentions if m.span[0] < f.end and f.start < m.span[1]), None)
                if f.facts:
                    problem = self._entity_period(
                        f.facts, f.mention.raw if f.mention else f.key, s.text, entities, at=f.start
                    )
                    if problem:
                        out.append(self._finding(s, *problem))
        out += [self._finding(s, *p) for p in self._directions(s.text, figures, entities)]
        out += [self._finding(s, *p) for p in self._names(s.text)]
        out += [self._finding(s, *p) for p in self._voice(s.text)]
        cause = self._cause(s.text)
        if cause:
            out.append(self._finding(s, "uncited-cause", cause))
        return out

    def _finding(self, s: _Sentence, reason: str, message: str) -> Finding:
        return Finding(reason, message, s.text.strip(), s.line, s.section)

    def _at(self, text: str, pos: int, reason: str, message: str) -> Finding:
        line = text.count("\n", 0, pos) + 1
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        return Finding(reason, message, text[start : end if end >= 0 else len(text)].strip(), line)

    def _digit_names(self) -> list[str]:
        return [
            a
            for a, ents in self.catalog.names.items()
            if any(c.isdigit() for c in a) and not all(e.startswith("period:") for e in ents)
        ]

    # -- figures --------------------------------------------------------------------------------------------

    def _bind(
        self, m: NumberMention, sentence: str, entities: set[str]
    ) -> tuple[tuple[str, str] | None, list[KeyedFact]]:
        if m.is_period:
            reason = supports(self.index, m)
            if reason:
                return ("unsupported-number", reason), []
            return None, []
        shown = abs(m.shown)
        if m.kind == "duration" and re.fullmatch(r"\d+(?:ms|s|m|h|d|w)", m.raw):
            if (shown, m.unit) in self.index.labels:
                return None, []  # a window label such as "1h" or "28d"
        facts = self.catalog.matches(
            m, complement=bool(_FAILURE.search(sentence)), burn=bool(_FASTER.search(sentence))
        )
        if not re.search(_DAY, sentence):
            facts = [f for f in facts if not f.daily]
        if m.kind == "points":
            facts = [f for f in facts if f.is_change]  # a difference in pp is a change, never a level
        if not {e for e in entities if not e.startswith("period:")}:
            # a change of one component, SLO or team is stated with its name: a sentence that names no one
            # ("spend was down 1.2%") is not supported by a component's change that happens to round to it
            facts = [f for f in facts if not (f.is_change and f.entities)]
        written = (m.kind, shown, m.scale, m.unit) in self.strings.displayed
        if (m.kind, shown, m.unit) in STRUCTURAL or written:
            return None, facts
        if not facts:
            other = [f for f in self.catalog.matches(m, any_unit=True) if f.unit != _unit_of(m)]
            if other and m.kind in ("money", "duration", "multiplier"):
                f = other[0]
                return ("wrong-unit", f"{m.raw} is {f.key} only in another unit ({f.unit})"), []
            reason = supports(self.index, m) or "no fact has this value"
            return ("unsupported-number", f"{m.raw}: {reason}"), []
        return self._entity_period(facts, m.raw, sentence, entities, at=m.span[0]), facts

    def _entity_period(
        self, facts: list[KeyedFact], raw: str, sentence: str, entities: set[str], at: int | None = None
    ) -> tuple[str, str] | None:
        named = {e for e in entities if not e.startswith("period:")}
        fits = [f for f in facts if _fits(f.entities, named)]
        if not fits:
            f = facts[0]
            owner = ", ".join(sorted(self.catalog.canonical.get(e, e) for e in f.entities))
            said = ", ".join(sorted(self.catalog.canonical.get(e, e) for e in named))
            return "wrong-entity", f"{raw} is {f.key} ({owner}), not a figure of {said}"
        back = bool(_PREVIOUS_MARK.search(sentence))
        prev_label = self.catalog.previous_period
        if prev_label and prev_label.lower() in sentence.lower():
            back = True
        if all(f.period == "previous" for f in fits) and not back:
            return (
                "wrong-period",
                f"{raw} is {fits[0].key}, the previous period's value, stated as this period's",
            )
        names_other = self._other_period(sentence, at)
        if names_other and all(f.period == "current" for f in fits) and not _CURRENT_MARK.search(sentence):
            if not any(f.period == "previous" for f in facts):
                return (
                    "wrong-period",
                    f"{raw} is {fits[0].key}, a value of {self.catalog.period}, not of {names_other}",
                )
        return None

    def _other_period(self, sentence: str, at: int | None = None) -> str:
        """A period label the figure's clause (its part of the sentence between semicolons, when ``at`` gives
        the figure's position) names that is not the publication's own (and the publication's is absent).
        A label named as a baseline ("up 0.3% on week 2026-W44", "against $109,368 in week 2026-W42" for the
        previous period) or as the week a recommendation was first raised ("first raised in 2026-W40") does
        not move the sentence's period."""
        if at is not None:
            start = sentence.rfind(";", 0, at) + 1
            end = sentence.find(";", at)
            sentence = sentence[start : end if end >= 0 else len(sentence)]
        baseline = re.compile(r"\b(?:against|versus|vs\.?|compared (?:with|to)|than)\s", re.IGNORECASE)
        previous = {
            self.catalog.previous_period,
            str((self.facts.get("comparison") or {}).get("label") or ""),
        }
        comparison = (
            r"(?:^|\s)(?:(?:on|against|from|versus|vs\.?|with|than|over|since|before)(?:\s+(?:week|quarter))?"
            r"|raised\s+in)\s+$"
        )
        found = list(re.finditer(r"((?:\S+\s+){0,2})\b(\d{4}-(?:W\d{2}|Q[1-4]))\b", sentence))
        own = self.catalog.period
        if not found or any(m.group(2) == own for m in found):
            return ""
        labels = [
            m.group(2)
            for m in found
            if not re.search(comparison, " " + m.group(1))
            and not (m.group(2) in previous and baseline.search(sentence[: m.start(2)]))
        ]
        if not labels:
            return ""
        return labels[0]

    def _raw_numbers(self, draft: str) -> list[Finding]:
        masked = draft
        for _, (a, b) in placeholders(draft):
            masked = masked[:a] + " " * (b - a) + masked[b:]
        out = []
        for m in extract_numbers(masked, ignore=self._digit_names()):
            if m.kind == "duration" and re.fullmatch(r"\d+(?:ms|s|m|h|d|w)", m.raw):
                if (abs(m.shown), m.unit) in self.index.labels:
                    continue  # the name of a window ("over 1h"), not a figure
            what = "period label or date" if m.is_period else "figure"
            msg = f"{m.raw!r} is a {what} typed as text; write the placeholder of its fact key"
            out.append(self._at(draft, m.span[0], "raw-number", msg))
        return out

    # -- direction -----------------------------------------------------------------------------------------

    def _directions(
        self, sentence: str, figures: list[_Figure], entities: set[str]
    ) -> Iterator[tuple[str, str]]:
        figures = sorted(figures, key=lambda f: f.start)
        for w in _DIRECTION_RE.finditer(sentence):
            sense = next(k for k in _DIRECTION if w.group(k))
            after = [f for f in figures if f.start >= w.end()]
            before = [f for f in figures if f.end <= w.start()]
            gap = sentence[w.end() : after[0].start] if after else ""
            gap2 = sentence[after[0].end : after[1].start] if len(after) > 1 else ""
            word = w.group("word")
            if after and re.fullmatch(r"\s*(?:by\s+)?", gap):
                problem = self._change(after[0], sense, sentence, word)
            elif (
                after
                and len(after) > 1
                and re.fullmatch(r"\s*to\s+", gap)
                and re.fullmatch(r"\s*from\s+", gap2)
            ):
                problem = self._pair(after[0], after[1], sense, word)
            elif (
                after
                and len(after) > 1
                and re.fullmatch(r"\s*from\s+", gap)
                and re.fullmatch(r"\s*to\s+", gap2)
            ):
                problem = self._pair(after[1], after[0], sense, word)
            elif after and before and re.fullmatch(r"\s*from\s+", gap) and w.start() - before[-1].end < 8:
                problem = self._pair(before[-1], after[0], sense, word)
            elif not after or ";" in gap or len(gap) > 60:
                problem = self._metric(sentence, w, sense, entities)
            else:
                problem = None
            if problem:
                yield "direction", problem

    def _polarity(self, f: _Figure, sentence: str) -> str:
        text = " ".join(x.key for x in f.facts) or sentence
        return "lower" if _LOWER_BETTER.search(text) else "higher"

    def _sense_to_sign(self, sense: str, polarity: str) -> int:
        if sense in ("up", "down"):
            return 1 if sense == "up" else -1
        better = 1 if polarity == "higher" else -1
        return better if sense == "better" else -better

    def _change(self, f: _Figure, sense: str, sentence: str, word: str) -> str | None:
        if f.mention is not None and f.mention.shown < 0:
            return f"{word!r} {f.mention.raw}: a negative change written as a rise" if sense == "up" else None
        changes = [x for x in f.facts if x.is_change]
        if not changes:
            m = f.mention
            if not f.key and f.facts and m is not None and m.kind in ("percent", "points"):
                return f"{word!r} {m.raw} states a change, and no change fact has this value"
            return None
        polarity = "lower" if _LOWER_BETTER.search(sentence) else "higher"
        sign = self._sense_to_sign(sense, polarity)
        if all((x.value > 0) != (sign > 0) or x.value == 0 for x in changes):
            x = changes[0]
            return f"{word!r} {f.mention.raw if f.mention else ''} but {x.key} is {x.value:+.4g}".replace(
                "  ", " "
            )
        return None

    def _pair(self, now: _Figure, then: _Figure, sense: str, word: str) -> str | None:
        a, b = _value(now), _value(then)
        if a is None or b is None:
            return None
        sign = self._sense_to_sign(sense, self._polarity(now, ""))
        if (a - b) * sign <= 0:
            shown = (
                f"{now.mention.raw if now.mention else a} against {then.mention.raw if then.mention else b}"
            )
            return f"{word!r} but the figures say otherwise ({shown})"
        return None

    def _metric(self, sentence: str, w: re.Match[str], sense: str, entities: set[str]) -> str | None:
        head = sentence[: w.start()]
        word = w.group("word")
        if re.search(r"\b(?:spend|spending|costs?|the bill)\b(?:\s+[\w-]+){0,3}\s*$", head, re.IGNORECASE):
            if re.search(r"per successful task|per task|per request", sentence, re.IGNORECASE):
                return None
            change = (self.facts.get("cost") or {}).get("week_over_week")
            if change is None or change == 0:
                return None
            sign = self._sense_to_sign(sense, "lower")
            if (change > 0) != (sign > 0):
                return f"{word!r} but spend changed by {change:+.1%} (cost.week_over_week)"
            return None
        if sense in ("better", "worse", "up", "down"):
            slos = [e[4:] for e in entities if e.startswith("slo:")]
            if not slos:
                comps = {e for e in entities if e.startswith("component:")}
                slos = [
                    s["name"]
                    for s in self.facts.get("slos") or []
                    if f"component:{s.get('component')}" in comps
                ]
            if not slos or not re.search(r"\b(?:attainment|availability|latency|reliability|error budget|objective)\b|"
                                         + "|".join(re.escape(s) for s in slos), head, re.IGNORECASE):  # fmt: skip
                return None
            moves = []
            for s in self.facts.get("slos") or []:
                if s.get("name") in slos:
                    now, then = (
                        s.get("week_attainment", s.get("period_attainment")),
                        s.get("previous_week_attainment", s.get("previous_period_attainment")),
                    )
                    if now is not None and then is not None and now != then:
                        moves.append((s["name"], now - then))
            sign = self._sense_to_sign(sense, "higher")
            if moves and all((d > 0) != (sign > 0) for _, d in moves):
                name, d = moves[0]
                return f"{word!r} but the attainment of {name} moved {d * 100:+.2f} pp against the previous period"
        return None

    # -- names ---------------------------------------------------------------------------------------------

    def _known(self, phrase: str) -> bool:
        text = " ".join(phrase.split()).lower().strip(" .,:;*")
        return self.catalog.known_alias(text) or (len(text) > 3 and text in self.vocabulary)

    def _names(self, sentence: str) -> Iterator[tuple[str, str]]:
        plain = sentence.replace("**", "")
        flagged: set[str] = set()
        for m in _CAPITALISED.finditer(plain):
            words = m.group(0).split()
            if len(words) < 2 or re.sub(r"['’]s$", "", words[-1]).lower() not in SYSTEM_NOUNS:
                continue
            while words and words[0].lower() in LEADING_WORDS:
                words = words[1:]
            if len(words) < 2:
                continue
            if self._known(" ".join(words)) or any(
                self.catalog.known_alias(" ".join(words[i:])) for i in range(1, len(words) - 1)
            ):
                continue
            if self._provider_api(words):
                continue
            phrase = " ".join(words)
            flagged.add(phrase.lower())
            yield (
                "unknown-name",
                f"{phrase!r} names no component in the config or the facts{self._hint(phrase)}",
            )
        for m in _TEAM.finditer(plain):
            words = m.group(1).split()
            while words and words[0].lower() in LEADING_WORDS:
                words = words[1:]
            if not words:
                continue
            team = " ".join(words) + " team"
            if any(self._known(" ".join(words[i:]) + " team") for i in range(len(words))):
                continue
            if team.lower() in flagged:
                continue
            yield "unknown-name", f"{team!r} names no team in the config or the facts{self._hint(team)}"
        for m in _ID_LIKE.finditer(plain):
            if not self._known(m.group(1)):
                yield (
                    "unknown-name",
                    f"{m.group(1)!r} names no component or SLO in the config or the facts{self._hint(m.group(1))}",
                )
        for m in _MODEL.finditer(plain):
            if not self._known(m.group(1)):
                yield "unknown-name", f"{m.group(1)!r} names no model in the facts{self._hint(m.group(1))}"
        for m in _PROVIDER.finditer(plain):
            if not self._known(m.group(0)):
                yield "unknown-name", f"{m.group(0)!r} names no provider in the facts"
        for m in _BOLD.finditer(sentence):
            phrase = m.group(1).strip().rstrip(".:,;")
            words = phrase.split()
            if not words or len(words) > 5 or phrase.lower() in flagged:
                continue
            heads = {a.split()[-1] for a in self.catalog.kinds.get("component", set()) if " " in a}
            if (
                words[-1].lower() in heads
                and not self._known(phrase)
                and not any(
                    self._known(" ".join(words[i:j]))
                    for i in range(len(words))
                    for j in range(i + 1, len(words) + 1)
                )
            ):
                yield (
                    "unknown-name",
                    f"{phrase!r} names no component in the config or the facts{self._hint(phrase)}",
                )

    def _provider_api(self, words: list[str]) -> bool:
        """ "Anthropic API", "OpenAI API": a known provider's API is not a component."""
        return len(words) == 2 and words[1] in ("API", "APIs") and self._known(words[0])

    def _hint(self, phrase: str) -> str:
        close = difflib.get_close_matches(phrase.lower(), list(self.catalog.names), n=1, cutoff=0.8)
        return f" (did you mean {self.catalog.canonical_name(close[0])!r}?)" if close else ""

    # -- voice and causes ----------------------------------------------------------------------------------

    def _voice(self, sentence: str) -> Iterator[tuple[str, str]]:
        for f in lint_text(sentence, known_people=self.known_people):
            yield f.rule, f.message
        if any(f.rule == "person" for f in lint_text(sentence, known_people=self.known_people)):
            return
        plain = sentence.replace("**", "")
        for m in re.finditer(
            r"(?<![\w-])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?:\s+([A-Z][a-z]+))?(?![\w-])", plain
        ):
            second = m.group(2) or ""
            if m.group(1) in GIVEN_NAMES and not self._known(m.group(0)):
                yield "person", f"person name {m.group(0)!r}; name the team or role instead"
            elif second in GIVEN_NAMES and not self._known(second):
                yield "person", f"person name {second!r}; name the team or role instead"
        for m in re.finditer(r"\b(?:Mr|Mrs|Ms|Dr)\.?\s+[A-Z][a-z]+", plain):
            yield "person", f"person name {m.group(0)!r}; name the team or role instead"

    def _cause(self, sentence: str) -> str:
        m = _CAUSAL.search(sentence)
        if m is None:
            return ""
        if any(ref in sentence.lower() for ref in self.incident_refs):
            return ""
        if _MEASUREMENT_CAUSE.search(sentence[m.start() :]):
            return ""
        return f"causal claim {m.group(0)!r} cites no incident or postmortem"

    def _incident_refs(self, facts: Mapping[str, Any]) -> set[str]:
        refs = set()
        for inc in [*(facts.get("incidents") or []), *(facts.get("incident_history") or [])]:
            if inc.get("id"):
                refs.add(str(inc["id"]).lower())
            slug = (inc.get("postmortem") or {}).get("slug")
            if slug:
                refs.add(str(slug).lower())
        return refs

    # -- required content ---------------------------------------------------------------------------------

    def required(self, sections: Mapping[str, str]) -> list[Finding]:
        """A finding for each item of required content its section does not mention."""
        out = []
        for section, item, words in required_items(self.facts):
            text = sections.get(section)
            if text is None:
                out.append(
                    Finding(
                        "missing-required",
                        f"{item} is not mentioned: the text has no {section} section",
                        item,
                        0,
                        section,
                    )
                )
            elif not any(_mentions(text, w) for w in words):
                out.append(
                    Finding(
                        "missing-required",
                        f"{item} is not mentioned in the {section} section",
                        item,
                        0,
                        section,
                    )
                )
        return out


def required_items(facts: Mapping[str, Any]) -> list[tuple[str, str, list[Any]]]:
    """(section, what, ways to mention it) for every item a complete text must cover. A way is a phrase, or a
    tuple of phrases that must share a sentence."""
    items: list[tuple[str, str, list[Any]]] = []
    for s in facts.get("slos") or []:
        exhausted = s.get("budget_remaining") is not None and s["budget_remaining"] <= 0
        breached = (
            s.get("attainment") is not None
            and s.get("objective") is not None
            and s["attainment"] < s["objective"]
        )
        if exhausted or breached:
            what = "exhausted" if exhausted else "breached"
            ways: list[Any] = [s["name"]]
            for comp in (s.get("component"), s.get("component_name")):
                if comp and s.get("sli"):
                    ways.append((comp, s["sli"]))
            items.append(("reliability", f"{what} SLO {s['name']}", ways))
    for inc in facts.get("incidents") or []:
        if inc.get("severity") in _SEV:
            items.append(
                (
                    "incidents",
                    f"{inc['severity']} {inc.get('id')}",
                    [x for x in (inc.get("id"), inc.get("title")) if x],
                )
            )
    for g in facts.get("gaps") or []:
        if g.get("priority") in _PRIORITIES:
            ways = [x for x in (g.get("specific"), g.get("sentence")) if x]
            names = [x for x in (g.get("component"), _component_name(facts, g.get("component"))) if x]
            ways += [(g["priority"], n) for n in names] or [(g["priority"], w) for w in _gap_words(g)]
            items.append(
                ("gaps", f"{g['priority']} observability gap ({g.get('specific') or g.get('kind')})", ways)
            )
    for b in (facts.get("cost") or {}).get("budgets") or []:
        if (b.get("projected_share") or 0) > 1 and b.get("team"):
            items.append(("cost", f"team over budget {b['team']}", [b["team"]]))
    seen = set()
    for inc in [*(facts.get("incidents") or []), *(facts.get("incident_history") or [])]:
        for item in (inc.get("postmortem") or {}).get("action_items") or []:
            if (
                item.get("overdue")
                and not item.get("done")
                and (inc.get("id"), item.get("title")) not in seen
            ):
                seen.add((inc.get("id"), item.get("title")))
                ways = [x for x in (item.get("title"),) if x] + [(inc.get("id"), "overdue")]
                items.append(
                    ("actions", f"overdue action item of {inc.get('id')}: {item.get('title')}", ways)
                )
    return items


def _component_name(facts: Mapping[str, Any], component: Any) -> str | None:
    for c in facts.get("components") or []:
        if c.get("id") == component:
            return c.get("name")
    return None


def _gap_words(gap: Mapping[str, Any]) -> list[str]:
    kind = str(gap.get("kind") or "")
    words = {"unattributed_spend": ["attribut", "unattributed"], "no_source": ["no source"]}.get(kind, [])
    return words or [w for w in re.findall(r"[a-z]{5,}", str(gap.get("specific") or "").lower())[:2]]


def _mentions(text: str, way: Any) -> bool:
    low = " ".join(text.replace("**", "").split()).lower()
    if isinstance(way, str):
        return " ".join(way.split()).lower() in low
    return any(
        all(str(w).lower() in s.text.lower().replace("**", "") for w in way) for s in split_sentences(text)
    )


SECTION_ALIASES = (
    ("gaps", re.compile(r"gap|observability", re.IGNORECASE)),
    ("actions", re.compile(r"next action|action|recommend", re.IGNORECASE)),
    ("incidents", re.compile(r"incident", re.IGNORECASE)),
    ("reliability", re.compile(r"reliab|slo|error budget|availability", re.IGNORECASE)),
    ("cost", re.compile(r"cost|spend|budget|finops", re.IGNORECASE)),
    ("quality", re.compile(r"quality|eval", re.IGNORECASE)),
    ("summary", re.compile(r"summary|overview", re.IGNORECASE)),
)


def section_of(heading: str) -> str:
    for name, pattern in SECTION_ALIASES:
        if pattern.search(heading):
            return name
    return heading.strip().lower()


def section_texts(text: str) -> dict[str, str]:
    """The text of each markdown section, by section name (``reliability``, ``cost``, ``incidents``, ``gaps``,
    ``actions`` for recommendations and next actions, ``quality``, ``summary``)."""
    out: dict[str, list[str]] = {}
    current = "preamble"
    for line in text.splitlines():
        h = _HEADING.match(line)
        if h:
            current = section_of(h.group(1))
            out.setdefault(current, [])
            continue
        out.setdefault(current, []).append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def heading_lines(text: str) -> dict[str, int]:
    """The 1-based line of each section's first heading."""
    out: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        h = _HEADING.match(line)
        if h:
            out.setdefault(section_of(h.group(1)), number)
    return out


def verify_markdown(
    text: str, facts: Mapping[str, Any], *, complete: bool = False, config: Any = None
) -> list[Finding]:
    """Check a markdown text written by anyone against a period's facts (``sentinel verify-text``): the figures
    as written, bound to the entity and period of their sentence; required content only when ``complete``.
    The template narrator's derived dates (action deadlines) count as facts, as they do in the brief."""
    from .template import narrate_quarter, narrate_week

    narrate = narrate_quarter if facts.get("kind") == "quarter" else narrate_week
    checked = narrate(facts, None, config).verification_facts(facts)
    return MeaningCheck(checked, config=config).check(text, complete=complete)


_DAILY = re.compile(r"\.(?:days|daily|by_day)\.")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def split_sentences(text: str, *, cells: bool = False) -> Iterator[_Sentence]:
    """Sentences with their offsets, 1-based lines and sections; a line is never joined to the next. With
    ``cells``, each cell of a table row is a sentence of its own that reads "<first cell> | <column>: <cell>",
    so a figure is bound to the row's entity and its column's period ("Previous week")."""
    offset, section, header = 0, "", None
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        h = _HEADING.match(line)
        following = lines[number] if number < len(lines) else ""
        if h:
            section = section_of(h.group(1))
        elif cells and _TABLE_ROW.match(line):
            row = [c.strip() for c in line.strip().strip("|").split("|")]
            if _TABLE_RULE.match(line):
                pass
            elif _TABLE_RULE.match(following):
                header = row
            else:
                names = header or [""] * len(row)
                for i, cell in enumerate(row):
                    if i and any(ch.isdigit() for ch in cell):
                        column = names[i] if i < len(names) else ""
                        where = offset + max(line.find(cell), 0)
                        yield _Sentence(f"{row[0]} | {column}: {cell}", where, number, section)
        elif line.strip():
            header = None if not _TABLE_ROW.match(line) else header
            start = 0
            for m in _SENTENCE_END.finditer(line):
                piece = line[start : m.start()]
                if piece.strip():
                    yield _Sentence(piece, offset + start, number, section)
                start = m.end()
            if line[start:].strip():
                yield _Sentence(line[start:], offset + start, number, section)
        offset += len(line) + 1


def _fits(owned: frozenset[str], named: set[str]) -> bool:
    """A fact fits a sentence that names no entity, a fact of the whole platform fits any sentence; otherwise
    they share an entity, and for each kind both name (SLO, team, incident, model) they share one of it."""
    if not owned or not named or not owned & named:
        return not owned or not named
    kinds = {e.split(":", 1)[0] for e in owned} & {e.split(":", 1)[0] for e in named}
    for kind in kinds - {"component"}:
        if not {e for e in owned if e.startswith(kind + ":")} & named:
            return False
    return True


def _period_key(catalog: FactCatalog, raw: str) -> str | None:
    for key, label in (
        ("period", catalog.period),
        ("previous_period", catalog.previous_period),
        ("next_period", catalog.next_period),
    ):
        if label and raw == label:
            return key
    return None


def _value(f: _Figure) -> float | None:
    if f.mention is not None:
        return f.mention.value
    return f.facts[0].value if f.facts else None


def _unit_of(m: NumberMention) -> str:
    return {"money": "money", "percent": "ratio", "points": "ratio", "multiplier": "burn"}.get(
        m.kind, m.unit or m.kind
    )


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, Mapping):
        for k, v in node.items():
            if str(k) not in ("figures", "sources"):
                yield from _strings(v)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str) and " " in node:
        yield node
