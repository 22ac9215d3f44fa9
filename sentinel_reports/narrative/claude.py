"""The Claude narrator: rewrites a section's template text from the facts, and uses it only once verified.

    draft(section, facts, template_text, instructions)
      ├─ cache hit (same facts, section, instructions, baseline, prompt, model) ─► origin "cache", no request
      ├─ no API key / spend cap reached ─────────────────────────────────────────► template text, reason
      ├─ request ─► transient error (429, 5xx, 529, connection): retried with exponential backoff, then
      │             template text; any other refusal (400, 401, ...): template text at once
      └─ draft (write_section tool) ─► MeaningCheck in draft mode + required content + the fixed line shapes
                   ├─ clean ──► rendered, origin "claude", cached
                   └─ problems ─► one follow-up (tool_result listing them) ─► clean: "claude"; else template

Claims: the model writes every figure, date and period label as a ``{{fact.key}}`` placeholder (the request
offers the facts table, ``FactCatalog.key_table()``, and the baseline with its figures already as
placeholders). A typed digit is a ``raw-number`` finding, so the draft is rejected; the renderer substitutes
each key's display value, so a published figure is always a fact's display. ``NarrationResult.claims`` lists
the ``{fact_key, display}`` pairs of the published text (for the template fallback, the figures of the
template text bound to their keys).

The build never fails because the model is unavailable or wrong. Only facts are sent (the facts table of keys
and display values), never rows. One cache breakpoint sits on the facts table: the cached prefix (tool,
static instructions and facts table, about 12,000 tokens on a demo week) is far above the minimum cacheable
size (1,024 tokens, 2,048 on Haiku models), and the sections of one publication share it. The static
instructions alone (about 1,100 tokens) are too close to that minimum to carry a breakpoint of their own. Each response's ``usage`` is priced at ``prices["anthropic/<model>"]`` (per million
tokens); without a price the cost is unknown and no further request is made, because the cap could no longer
be enforced. The API key is held by the SDK client only: it is never part of a reason, a result, the cache or
``usage_report()``. The caller reads it from the environment variable named by ``narrator.api_key_env``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import anthropic

from .claims import Claim, render
from .document import document
from .llm_cache import DraftStore, canonical_json, draft_key
from .meaning import MeaningCheck
from .prompt import STATIC_INSTRUCTIONS, WRITE_SECTION_TOOL, follow_up, section_request
from .review import SUMMARY_PREFIX, TextReview

if TYPE_CHECKING:
    import httpx2

    from ..config import Narrator, Price

Origin = Literal["claude", "cache", "template"]
TRANSIENT_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
TOKEN_FIELDS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
_PRICE_FIELDS = {
    "input_tokens": "input",
    "output_tokens": "output",
    "cache_read_input_tokens": "cache_read",
    "cache_creation_input_tokens": "cache_write_5m",
}


@dataclass(frozen=True)
class NarrationResult:
    """The text to publish, where it came from, why (for the build log), and what it cost."""

    text: str
    origin: Origin
    reason: str = ""
    usage: dict[str, Any] = field(default_factory=lambda: {**dict.fromkeys(TOKEN_FIELDS, 0), "cost": 0.0})
    claims: tuple[Claim, ...] = ()
    findings: tuple[str, ...] = ()  # the findings of every rejected draft, in order
    retries: int = 0
    prompt_hash: str = ""  # sha256 of the static instructions, tool, facts table and section request


class ClaudeNarrator:
    """Drafts sections with Claude for one build; ``usage_report()`` totals the build's requests.

    ``config`` is ``Config.narrator``, ``prices`` is ``Config.prices``; ``api_key`` None means no request is
    made (cached drafts are still used). ``cache`` is a ``DraftStore`` (``DraftCache(directory)``), ``sleep``
    the backoff wait (``time.sleep`` in the pipeline, a recorder in tests). ``http_client`` is handed to the
    SDK: the anthropic SDK 2.x runs on ``httpx2`` and needs an ``httpx2.Client`` (tests use
    ``httpx2.Client(transport=httpx2.MockTransport(handler))``). ``known_people`` feeds the person-name lint;
    ``component_names`` defaults to the names and ids in each facts document.
    """

    def __init__(
        self,
        config: Narrator,
        prices: Mapping[str, Price | Mapping[str, Any]],
        *,
        api_key: str | None,
        cache: DraftStore,
        sleep: Callable[[float], None],
        http_client: httpx2.Client | None = None,
        known_people: Iterable[str] = (),
        component_names: Iterable[str] | None = None,
        max_tokens: int = 2048,
        attempts: int = 3,
        backoff_seconds: float = 1.0,
    ):
        if not config.model:
            raise ValueError("the claude narrator needs narrator.model")
        self.model = config.model
        self.max_usd = float(config.max_usd_per_build)
        self.key_env = config.api_key_env
        self.price_key = f"anthropic/{self.model}"
        self.price = prices.get(self.price_key)
        self.cache = cache
        self.sleep = sleep
        self.known_people = tuple(known_people)
        self.component_names = None if component_names is None else tuple(component_names)
        self.max_tokens = max_tokens
        self.attempts = max(1, attempts)
        self.backoff_seconds = backoff_seconds
        self._secret = api_key or ""
        self._client = (
            anthropic.Anthropic(api_key=api_key, http_client=http_client, max_retries=0) if api_key else None
        )
        self.totals: dict[str, Any] = {**dict.fromkeys(TOKEN_FIELDS, 0), "cost": 0.0, "requests": 0}
        self.cost_unknown = False
        self.sections: list[dict[str, Any]] = []
        self._template_claims: tuple[Claim, ...] = ()
        self._period = ""
        self._prompt_hash = ""
        self._check: tuple[Mapping[str, Any], str | None, MeaningCheck] | None = None

    # -- public ------------------------------------------------------------------------------------------

    def draft(
        self,
        section: str,
        facts: Mapping[str, Any],
        template_text: str,
        instructions: str,
        *,
        extra_allowed: Iterable[float] = (),
        request: bool = True,
    ) -> NarrationResult:
        """The section text: Claude's verified draft, a cached one, or ``template_text`` with the reason.
        ``request`` False (a closed period) uses a cached draft but makes no request."""
        facts = document(facts)  # the JSON data of a facts model: what is sent, hashed and checked
        canonical_json(facts)  # only JSON-like facts may leave the machine
        summary = next(
            (ln.strip() for ln in template_text.splitlines() if ln.strip().startswith(SUMMARY_PREFIX)), None
        )
        meaning = self._meaning(facts, summary)
        key = draft_key(
            section=section,
            facts=facts,
            instructions=instructions,
            baseline=template_text,
            prompt=STATIC_INSTRUCTIONS + repr(WRITE_SECTION_TOOL),
            model=self.model,
        )
        shapes = TextReview(
            facts,
            baseline=template_text,
            known_people=self.known_people,
            component_names=self.component_names,
            extra_allowed=extra_allowed,
        )

        def check(draft: str, truncated: bool = False) -> list[str]:
            problems = (
                ["the draft was cut off at the token limit; write a shorter section"] if truncated else []
            )
            if not draft.strip():
                return [*problems, "the text is empty"]
            rendered = render(draft, meaning.catalog).text
            problems += [str(f) for f in meaning.check(draft, mode="draft")]
            problems += [str(f) for f in meaning.required({section: rendered}) if f.section == section]
            return problems + shapes.shapes(rendered)

        self._template_claims = tuple(c for _, c in meaning.claims_in(template_text))
        self._period = str(facts.get("period") or "")
        self._prompt_hash = ""
        cached = self.cache.get(key)
        if cached is not None and isinstance(cached.get("draft"), str) and not check(cached["draft"]):
            rendered = render(cached["draft"], meaning.catalog)
            result = NarrationResult(
                rendered.text, "cache", "unchanged facts: cached draft", claims=rendered.claims
            )
            return self._record(section, result)
        usage = dict.fromkeys(TOKEN_FIELDS, 0) | {"cost": 0.0}
        if not request:
            reason = "closed period: only open periods are drafted (narrator.draft_closed_periods)"
            return self._fallback(section, template_text, reason, usage)
        baseline = meaning.to_placeholders(template_text)
        turn = section_request(meaning.catalog.key_table(), section, instructions, baseline)
        self._prompt_hash = prompt_hash(turn)
        messages: list[dict[str, Any]] = [{"role": "user", "content": turn}]
        findings: list[str] = []
        first_problems: list[str] = []
        for round_ in (1, 2):
            blocked = self._blocked()
            if blocked:
                first = f"; first draft rejected: {_brief(first_problems)}" if first_problems else ""
                return self._fallback(section, template_text, blocked + first, usage, findings)
            message, error = self._request(messages)
            if message is None:
                return self._fallback(section, template_text, error, usage, findings)
            self._add_usage(usage, message)
            draft, tool_use = _draft_of(message)
            problems = check(draft, truncated=message.stop_reason == "max_tokens")
            if not problems:
                reason = (
                    "" if round_ == 1 else f"accepted after one retry; first draft: {_brief(first_problems)}"
                )
                rendered = render(draft, meaning.catalog)
                claims = [c.as_dict() for c in rendered.claims]
                entry = {"text": rendered.text, "draft": draft, "claims": claims, "section": section}
                self.cache.put(key, entry | {"model": self.model, "usage": usage})
                result = NarrationResult(
                    rendered.text, "claude", self._scrub(reason), usage, rendered.claims,
                    tuple(self._scrub(f) for f in findings), round_ - 1, self._prompt_hash,
                )  # fmt: skip
                return self._record(section, result)
            findings += problems
            if round_ == 1:
                first_problems = problems
                messages += _follow_up_turns(message, draft, tool_use, problems)
        reason = f"draft rejected twice: {_brief(problems)}"
        return self._fallback(section, template_text, reason, usage, findings, retries=1)

    def _meaning(self, facts: Mapping[str, Any], summary: str | None) -> MeaningCheck:
        """The meaning check of these facts, kept for the next section of the same publication."""
        if self._check is None or self._check[0] is not facts or self._check[1] != summary:
            fixed = {"summary_line": summary} if summary else None
            self._check = (facts, summary, MeaningCheck(facts, known_people=self.known_people, fixed=fixed))
        return self._check[2]

    def usage_report(self) -> dict[str, Any]:
        """Totals for the manifest: requests, tokens by kind, cost (None when unknown) and each section's origin."""
        cost = None if self.cost_unknown else round(self.totals["cost"], 6)
        origins = [s["origin"] for s in self.sections]
        return {
            "narrator": "claude",
            "model": self.model,
            "requests": self.totals["requests"],
            **{k: self.totals[k] for k in TOKEN_FIELDS},
            "cost": cost,
            "price": self.price_key if self.price is not None else None,
            "max_usd_per_build": self.max_usd,
            "drafts": {o: origins.count(o) for o in ("claude", "cache", "template")},
            "sections": [{**s, "usage": dict(s["usage"])} for s in self.sections],
        }

    # -- internals -----------------------------------------------------------------------------------------

    def _blocked(self) -> str:
        if self._client is None:
            return f"no API key: environment variable {self.key_env} is not set"
        if self.cost_unknown:
            return f"spend cap reached: cost of earlier requests is unknown (no price for {self.price_key})"
        if self.totals["cost"] >= self.max_usd:
            return f"spend cap reached: {self.totals['cost']:.4f} of {self.max_usd:g} USD spent in this build"
        return ""

    def _request(self, messages: list[dict[str, Any]]) -> tuple[Any, str]:
        assert self._client is not None
        error = ""
        for attempt in range(self.attempts):
            delay = self.backoff_seconds * 2**attempt
            try:
                self.totals["requests"] += 1
                return self._client.messages.create(
                    model=self.model,
                    max_tokens=self.max_tokens,
                    system=[{"type": "text", "text": STATIC_INSTRUCTIONS}],
                    tools=[WRITE_SECTION_TOOL],
                    tool_choice={"type": "tool", "name": WRITE_SECTION_TOOL["name"]},
                    messages=messages,
                ), ""
            except anthropic.APIStatusError as exc:
                error = f"HTTP {exc.status_code} {_error_type(exc.body)}".strip()
                if exc.status_code not in TRANSIENT_STATUS:
                    return None, f"Claude API refused the request ({error})"
                delay = max(delay, _retry_after(exc.response.headers.get("retry-after")))
            except anthropic.APIConnectionError as exc:
                error = "timeout" if isinstance(exc, anthropic.APITimeoutError) else "connection error"
            if attempt + 1 < self.attempts:
                self.sleep(delay)
        return None, f"Claude API unavailable after {self.attempts} attempts (last: {error})"

    def _add_usage(self, usage: dict[str, Any], message: Any) -> None:
        tokens = {k: int(getattr(message.usage, k, 0) or 0) for k in TOKEN_FIELDS}
        cost = self._cost(tokens)
        for k, v in tokens.items():
            usage[k] += v
            self.totals[k] += v
        if cost is None:
            self.cost_unknown = True
            usage["cost"] = None
        else:
            self.totals["cost"] += cost
            if usage["cost"] is not None:
                usage["cost"] += cost

    def _cost(self, tokens: Mapping[str, int]) -> float | None:
        if self.price is None:
            return None
        total = 0.0
        for k, n in tokens.items():
            per_million = _price_field(self.price, _PRICE_FIELDS[k])
            if per_million is None and n:
                return None
            total += n * (per_million or 0.0) / 1_000_000
        return total

    def _fallback(
        self,
        section: str,
        template_text: str,
        reason: str,
        usage: dict[str, Any],
        findings: list[str] = (),  # type: ignore[assignment]
        retries: int = 0,
    ) -> NarrationResult:
        if usage["cost"] is None:
            reason += f"; cost unknown: no price for {self.price_key}"
        found = tuple(self._scrub(f) for f in findings)
        result = NarrationResult(
            template_text, "template", self._scrub(reason), usage, self._template_claims, found, retries,
            self._prompt_hash,
        )  # fmt: skip
        return self._record(section, result)

    def _record(self, section: str, result: NarrationResult) -> NarrationResult:
        record = {
            "period": self._period,
            "section": section,
            "origin": result.origin,
            "reason": result.reason,
            "usage": result.usage,
            "claims": len(result.claims),
            "findings": list(result.findings),
            "retries": result.retries,
        }
        self.sections.append(record)
        return result

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "[redacted]") if self._secret else text


def fallback_lines(report: Mapping[str, Any]) -> list[str]:
    """The build summary's lines on the template fallback: each week whose sections fell back, and why (the
    first reason of the week), then how many closed weeks (and quarters) were not drafted."""
    weeks: dict[str, list[Mapping[str, Any]]] = {}
    closed: set[str] = set()
    for record in report.get("sections") or []:
        if record.get("origin") != "template":
            continue
        if str(record.get("reason", "")).startswith("closed period"):
            closed.add(str(record.get("period")))
        else:
            weeks.setdefault(str(record.get("period")), []).append(record)
    lines = [
        f"{week}: template text for {', '.join(r['section'] for r in records)} ({records[0]['reason']})"
        for week, records in sorted(weeks.items())
    ]
    for kind, count in (
        ("weeks", sum("-W" in p for p in closed)),
        ("quarters", sum("-Q" in p for p in closed)),
    ):
        if count:
            lines.append(f"{count} closed {kind} keep their cached drafts or the template text (not drafted)")
    return lines


def prompt_hash(turn: list[dict[str, Any]]) -> str:
    """The first 16 hex digits of the sha256 of everything a request sends but the model id."""
    material = json.dumps([STATIC_INSTRUCTIONS, WRITE_SECTION_TOOL, turn], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def drafted_note(model: str) -> str:
    """The line under every section a model drafted, in every format."""
    return f"*Drafted by {model}; every figure checked against the facts.*"


def with_drafts(narrative: Any, results: Mapping[str, NarrationResult], model: str, *, cap_usd: float) -> Any:
    """``narrative`` with each section (and ``executive_summary``) replaced by its result: drafted text is
    marked with ``drafted_note``; ``provenance`` records each section for evidence/<period>/narrative.json,
    and ``provenance["appendix"]`` says when the spend cap or a closed period kept the template text."""
    import dataclasses

    note = drafted_note(model)

    def shown(result: NarrationResult) -> str:
        return f"{result.text}\n\n{note}" if result.origin in ("claude", "cache") else result.text

    sections = {k: shown(results[k]) if k in results else v for k, v in narrative.sections.items()}
    summary = results.get("executive_summary")
    records = {
        k: {
            "narrator": "claude" if r.origin != "template" else "template",
            "model": model,
            "origin": r.origin,
            "verdict": "accepted" if r.origin in ("claude", "cache") else "template text used",
            "reason": r.reason,
            "prompt_hash": r.prompt_hash or None,
            "tokens": {t: r.usage.get(t, 0) for t in TOKEN_FIELDS},
            "cost": r.usage.get("cost"),
            "retries": r.retries,
            "findings": list(r.findings),
            "claims": [c.as_dict() for c in r.claims],
        }
        for k, r in results.items()
    }
    capped = sorted(k for k, r in results.items() if r.reason.startswith("spend cap reached"))
    closed = sorted(k for k, r in results.items() if r.reason.startswith("closed period"))
    appendix = []
    if capped:
        appendix.append(
            f"The spend cap of {cap_usd:g} USD per build stopped model drafting; these sections use the "
            f"template text: {', '.join(capped)}."
        )
    if closed and len(closed) == len(results):
        appendix.append("This week was closed when the site was built: its text is the template narrator's.")
    drafted = sorted(k for k, r in results.items() if r.origin in ("claude", "cache"))
    provenance = {
        "narrator": "claude",
        "model": model,
        "period": narrative.period,
        "drafted": drafted,
        "note": note if drafted else "",
        "appendix": " ".join(appendix),
        "sections": records,
    }
    return dataclasses.replace(
        narrative,
        sections=sections,
        executive_summary=shown(summary) if summary is not None else narrative.executive_summary,
        provenance=provenance,
    )


def _draft_of(message: Any) -> tuple[str, Any]:
    """The draft text: the ``write_section`` tool input, else the text blocks (checked all the same)."""
    for block in message.content:
        if (
            getattr(block, "type", "") == "tool_use"
            and getattr(block, "name", "") == WRITE_SECTION_TOOL["name"]
        ):
            value = (getattr(block, "input", None) or {}).get("text")
            return (value if isinstance(value, str) else ""), block
    return _unfence("".join(b.text for b in message.content if getattr(b, "type", "") == "text")), None


def _follow_up_turns(message: Any, draft: str, tool_use: Any, problems: list[str]) -> list[dict[str, Any]]:
    """The assistant's rejected turn, then the problems: as the tool's error result when it used the tool."""
    if tool_use is None:
        return [{"role": "assistant", "content": draft}, {"role": "user", "content": follow_up(problems)}]
    block = {"type": "tool_use", "id": tool_use.id, "name": tool_use.name, "input": {"text": draft}}
    result = {
        "type": "tool_result",
        "tool_use_id": tool_use.id,
        "content": follow_up(problems),
        "is_error": True,
    }
    return [{"role": "assistant", "content": [block]}, {"role": "user", "content": [result]}]


def _unfence(text: str) -> str:
    """The text without one enclosing Markdown code fence, which the instructions ask the model not to add."""
    m = re.fullmatch(r"\s*```(?:markdown|md)?\n(.*?)\n```\s*", text, re.DOTALL)
    return (m.group(1) if m else text).strip()


def _brief(problems: list[str], limit: int = 5) -> str:
    shown = "; ".join(problems[:limit])
    return shown + (f"; and {len(problems) - limit} more" if len(problems) > limit else "")


def _error_type(body: object) -> str:
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        kind = str(body["error"].get("type", ""))
        return kind if re.fullmatch(r"[a-z_]{1,64}", kind) else ""
    return ""


def _retry_after(value: str | None) -> float:
    try:
        return min(max(float(value or 0), 0.0), 60.0)
    except ValueError:
        return 0.0


def _price_field(price: Any, name: str) -> float | None:
    value = price.get(name) if isinstance(price, Mapping) else getattr(price, name, None)
    return None if value is None else float(value)
