"""What a narrator returns: the words of one publication, ready for the page builders.

``Narrative`` is frozen and JSON-ready (``as_dict``). Every string in it is generated from facts and is
yielded by ``texts()``, so the lint and the verifier can check all of it. ``derived`` holds the few values
the narrator computed itself from the facts (deadline dates, the next incident update time); it is merged
into the facts the text is verified against (``verification_facts``) and can be written to the evidence
next to them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .document import document

SECTION_KEYS: tuple[str, ...] = ("reliability", "cost", "incidents", "quality", "gaps")
"""Every narrative carries these sections; a quarter adds ``investments``."""


@dataclass(frozen=True)
class Recommendation:
    """One proposed change with its full risk assessment. ``text`` is the SPEC sentence:
    ``**Recommendation: <action>.** Expected impact: <quantified>. Risk: <Low|Medium|High> (<basis>).``"""

    key: str  # content slug, or "rule:<rule>:<subject>"
    title: str
    action: str
    expected_impact: str
    risk_level: Literal["Low", "Medium", "High"]
    risk_basis: str
    likelihood: str
    impact: str
    detection_time: str
    mitigation: str
    owner: str
    deadline: str  # YYYY-MM-DD
    origin: Literal["content", "rule"]
    text: str
    history: str = (
        ""  # " (first raised in 2026-W40; overdue since 2026-10-12, open 8 weeks)", ending `action`
    )
    group: str = (
        ""  # the title shared by a rule's recommendations on many services ("… and 47 more services")
    )

    def texts(self) -> Iterator[str]:
        yield self.text
        yield from (self.title, self.likelihood, self.impact, self.detection_time, self.mitigation)


@dataclass(frozen=True)
class NextAction:
    """One line of "Next Actions": owner is a team or role, deadline a date."""

    action: str
    owner: str
    deadline: str  # YYYY-MM-DD
    origin: Literal["rule", "postmortem", "content"]

    @property
    def text(self) -> str:
        return f"{self.action} — **{self.owner}** — due {self.deadline}"


@dataclass(frozen=True)
class Narrative:
    """The words of one weekly brief (``kind`` "week") or quarterly deck (``kind`` "quarter")."""

    kind: str
    period: str
    summary_line: str
    incident_mode: bool
    incident_banner: Mapping[str, str] | None  # affected, since, being_done, next_update
    evidence: str
    executive_summary: str
    sections: Mapping[str, str]
    recommendations: tuple[Recommendation, ...] = ()
    next_actions: tuple[NextAction, ...] = ()
    derived: Mapping[str, Any] = field(default_factory=dict)
    verdict: str = ""  # the one-line verdict on the period, directly under the summary line
    provenance: Mapping[str, Any] = field(
        default_factory=dict
    )  # who drafted which section (claude.with_drafts)

    @property
    def opening(self) -> tuple[str, ...]:
        """The two statements a publication opens with: the summary line (now) and the verdict (the period)."""
        return (self.summary_line, self.verdict) if self.verdict else (self.summary_line,)

    def texts(self) -> Iterator[str]:
        """Every generated string, in reading order."""
        yield self.summary_line
        if self.verdict:
            yield self.verdict
        if self.incident_banner:
            yield from self.incident_banner.values()
        yield self.evidence
        yield self.executive_summary
        yield from self.sections.values()
        for rec in self.recommendations:
            yield from rec.texts()
        for action in self.next_actions:
            yield action.text

    def verification_facts(self, facts: Mapping[str, Any]) -> dict[str, Any]:
        """The facts this text is verified against: ``facts`` plus ``{"narrative": derived}``."""
        return {**document(facts), "narrative": dict(self.derived)}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "sections": dict(self.sections),
            "incident_banner": dict(self.incident_banner) if self.incident_banner else None,
            "derived": dict(self.derived),
            "provenance": dict(self.provenance),
        }

    def to_markdown(self) -> str:
        """The whole narrative as one markdown document (the golden snapshots, and a plain-text fallback)."""
        title = "Weekly brief" if self.kind == "week" else "Quarterly reliability review"
        out = [f"# {title} {self.period}", "", self.summary_line, ""]
        out += [self.verdict, ""] if self.verdict else []
        if self.incident_banner:
            banner = self.incident_banner
            out += [
                f"> 🚨 **Affected:** {banner['affected']}  ",
                f"> **Since:** {banner['since']}  ",
                f"> **Being done:** {banner['being_done']}  ",
                f"> **Next update:** {banner['next_update']}",
                "",
            ]
        out += [self.evidence, "", "## Executive summary", "", self.executive_summary, ""]
        for key, text in self.sections.items():
            heading = "Observability gaps" if key == "gaps" else key.capitalize()
            out += [f"## {heading}", "", text, ""]
        out += ["## Recommendations", ""]
        out += [f"- {rec.text}" for rec in self.recommendations] or ["No changes are proposed this period."]
        out += ["", "## Next Actions", ""]
        if self.next_actions:
            out += ["| Action | Owner | Deadline |", "|---|---|---|"]
            out += [f"| {a.action} | {a.owner} | {a.deadline} |" for a in self.next_actions]
        else:
            out.append("No open actions.")
        if self.provenance.get("appendix"):
            out += ["", "## Appendix", "", str(self.provenance["appendix"])]
        return "\n".join(out).rstrip() + "\n"
