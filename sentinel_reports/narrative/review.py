"""One check for any generated text before it is published: facts, voice and fixed shapes together.

``TextReview(facts, ...)`` builds the fact index once; calling it on a text returns every problem as a sentence
(empty: publishable). It combines ``verify_text`` (figures and component names), ``lint_text`` (voice), the
summary-line and recommendation shapes, and, given the baseline text a draft rewrites, that the summary line is
kept unchanged. ``shapes(text)`` checks the fixed shapes only: the Claude narrator pairs it with the meaning
check (``narrative.meaning``). The Claude narrator shows the problems to the model and writes them to the build log; the
template narrator raises ``VerificationError(problems)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .document import document
from .verifier import FactIndex, component_names_from_facts, verify_text
from .voice import check_recommendation, check_summary_line, lint_text

SUMMARY_PREFIX = "**Current AI Platform Status"
RECOMMENDATION_PREFIX = "**Recommendation:"


class TextReview:
    """Every reason a text cannot be published, for one facts document."""

    def __init__(
        self,
        facts: Mapping[str, Any],
        *,
        baseline: str = "",
        known_people: Iterable[str] = (),
        component_names: Iterable[str] | None = None,
        extra_allowed: Iterable[float] = (),
    ) -> None:
        references = [baseline] if baseline else []
        facts = document(facts)
        self.index = FactIndex(facts).extended(extra_allowed=extra_allowed, reference_texts=references)
        self.names = component_names_from_facts(facts) if component_names is None else list(component_names)
        self.known_people = tuple(known_people)
        self.summary = next((ln.strip() for ln in baseline.splitlines() if _is_summary(ln)), None)
        self._done: dict[tuple[str, bool], list[str]] = {}

    def __call__(self, text: str, *, truncated: bool = False) -> list[str]:
        """The problems of ``text``; a text met before (a risk sentence shared by many recommendations) is
        reviewed once: the review depends on the text and the facts only."""
        key = (text, truncated)
        if key not in self._done:
            self._done[key] = self._review(text, truncated)
        return list(self._done[key])

    def _review(self, text: str, truncated: bool) -> list[str]:
        problems: list[str] = []
        if truncated:
            problems.append("the draft was cut off at the token limit; write a shorter section")
        if not text.strip():
            return [*problems, "the text is empty"]
        problems += [f"unsupported {v}" for v in verify_text(text, self.index, component_names=self.names)]
        problems += [str(f) for f in lint_text(text, known_people=self.known_people)]
        return problems + self.shapes(text)

    def shapes(self, text: str) -> list[str]:
        """The fixed line shapes only: the summary line (kept as given) and recommendations."""
        problems: list[str] = []
        for line in text.splitlines():
            if _is_summary(line):
                problems += [str(f) for f in check_summary_line(line)]
                if self.summary is not None and line.strip() != self.summary:
                    problems.append(f"keep the summary line exactly as given: {self.summary}")
            if RECOMMENDATION_PREFIX in line:
                start = line.index(RECOMMENDATION_PREFIX)
                problems += [str(f) for f in check_recommendation(line[start:])]
        return problems


def _is_summary(line: str) -> bool:
    return line.strip().startswith(SUMMARY_PREFIX)
