"""The risk assessment behind every rule recommendation: title, level and its basis, likelihood, impact,
detection time and mitigation/rollback (SPEC section 2: every recommendation carries one).

``rule(ctx, risk, subject, name, action, impact, days, owner)`` builds the ``Recommendation`` with the
SPEC sentence ``**Recommendation: <action>.** Expected impact: <quantified>. Risk: <level> (<basis>).``
"""

from __future__ import annotations

from ..analysis.facts_model import MemoryEntry
from .model import Recommendation
from .phrasing import Context
from .voice import recommendation as recommendation_sentence

RISKS: dict[str, tuple[str, ...]] = {
    # title, level, basis, likelihood, impact, detection time, mitigation / rollback ({name} = the subject)
    "stabilise": (
        "Stabilise {name}", "Low", "holding change removes risk rather than adding it",
        "Low: no new change reaches production while the page is worked",
        "Feature work on {name} waits for the page to clear",
        "Minutes: page alerts re-evaluate their burn windows continuously",
        "Emergency and security fixes still ship through the incident process",
    ),
    "freeze": (
        "Error-budget release freeze on {name}", "Low", "a freeze removes change rather than adding it; the cost is delayed feature work",
        "Low: the freeze adds no change to production",
        "Feature releases to {name} wait until the budget recovers",
        "Next publication: budget recovery shows in the SLO figures",
        "P0 and security fixes proceed; the freeze lifts as soon as the budget is positive",
    ),
    "rollback": (
        "Hold {name} until it meets its eval target", "Low", "it returns to a version with a measured pass rate above target",
        "Low: the version kept in service has a measured pass rate above target",
        "Features that depend on {name} wait for a passing eval",
        "Next eval run: pass rate is reported per model version",
        "Re-run the eval suite on {name} after changes and promote it only at or above target",
    ),
    "hold": (
        "Hold {name} until it meets its eval target", "Medium", "no version in the window meets the target",
        "Medium: no measured version meets the target yet",
        "Features that depend on {name} wait for a passing eval",
        "Next eval run: pass rate is reported per model version",
        "Re-run the eval suite on {name} after changes and promote it only at or above target",
    ),
    "cost-quality": (
        "Weigh a rollback on {name}", "Low", "every version in service meets its eval target; a rollback returns to a measured version",
        "Low: both versions have measured eval pass rates",
        "Cost per successful task on {name} moves with the model version kept",
        "Next eval run and next publication: pass rate per model version and cost per successful task",
        "Model versions switch by configuration; the version left can be restored the same way",
    ),
    "cost-quality-keep": (  # the same rule when it advises keeping the version in service (no rollback)
        "Keep the current model on {name}", "Low", "the version kept meets its eval target and nothing changes in production",
        "Low: keeping the version in service changes nothing in production",
        "Cost per successful task on {name} stays at the kept version's level",
        "Next eval run and next publication: pass rate per model version and cost per successful task",
        "Model versions switch by configuration; another version can be promoted once it passes its eval target",
    ),
    "safety": (
        "Bring {name} back under its safety limit", "Medium", "answers in production exceed the safety limit now",
        "Medium: the rate is above its limit now",
        "Customer trust in {name} answers; possible policy exposure, recommend counsel review",
        "Continuous: the rate is sampled with the telemetry",
        "Roll back the last model or prompt change on {name}",
    ),
    "budget": (
        "Bring spend of {name} inside budget", "Low", "a spending decision, with no production change until one is chosen",
        "Low: reviewing spend changes nothing by itself",
        "Cuts that reduce capacity or cache use can raise latency",
        "Daily: spend is reported from the billing export",
        "Approve the overrun instead of cutting capacity when reliability is at stake",
    ),
    "close-actions": (
        "Close overdue postmortem actions", "Low", "each item is a fix already agreed in a postmortem",
        "Low: the fixes were reviewed in the postmortem",
        "Each fix is a production change with its own rollout",
        "Next publication: action-item status is reported",
        "Each fix ships behind its own rollout and rollback plan",
    ),
    "instrument": (
        "Instrument {name}", "Low", "instrumentation observes traffic and changes no request path",
        "Low: exporters read metrics; they do not sit in the request path",
        "Minor: added exporter load on {name}",
        "Next publication: coverage of the signal is reported",
        "Disable the exporter; there is no customer-facing change to roll back",
    ),
    "attribute": (
        "Attribute untagged spend", "Low", "tags and rules change billing metadata, not workloads",
        "Low: no workload changes",
        "A wrong rule moves spend between teams in showback until corrected",
        "Next publication: the unattributed share is reported",
        "Remove or correct the rule; the billing export is unchanged",
    ),
}  # fmt: skip


def rule(
    ctx: Context,
    risk: str,
    subject: str,
    name: str,
    action: str,
    impact: str,
    days: int,
    owner: str = "",
    texts: str | None = None,
) -> Recommendation:
    """A rule recommendation; ``name`` fills the risk texts (``RISKS[texts or risk]``: a rule whose advice
    can go two ways has a second set), ``owner`` defaults to the subject's owner. A recurring one keeps the
    deadline it was first given (facts ``recommendation_memory``) and says when it was first raised and, past
    that deadline, that it is overdue and for how many weeks it has been open."""
    entry = RISKS[texts or risk]
    title, level, basis, likelihood, hurt, detection, mitigation = (s.format(name=name) for s in entry)
    key = f"rule:{risk}:{subject}"
    memory = ctx.facts.recommendation_memory.get(key)
    history = memory_words(memory) if memory is not None else ""
    if memory is not None:
        deadline = str(memory.deadline)
        action = action.rstrip(".") + history
    else:
        deadline = ctx.deadline(days, from_as_of=risk == "close-actions")
    return Recommendation(
        key=key, title=title, action=action, expected_impact=impact, risk_level=level,  # type: ignore[arg-type]
        risk_basis=basis, likelihood=likelihood, impact=hurt, detection_time=detection, mitigation=mitigation,
        owner=owner or ctx.owner(subject), origin="rule", deadline=deadline,
        text=recommendation_sentence(action, impact, level, basis), history=history,
    )  # fmt: skip


def memory_words(memory: MemoryEntry) -> str:
    """ " (first raised in 2026-W40; overdue since 2026-10-12, open 8 weeks)", " (first raised in 2026-W45, due
    2026-11-23)", or "" for a recommendation raised this week."""
    # a run that reaches back past the 26 weeks the memory reads began then or before
    earlier, more = (" or earlier", " or more") if memory.earlier else ("", "")
    if memory.overdue:
        weeks = memory.weeks_open
        return (
            f" (first raised in {memory.first_raised}{earlier}; overdue since {memory.deadline}{earlier}, open "
            f"{weeks} week{'s' if weeks != 1 else ''}{more})"
        )
    if (memory.weeks_open or 1) > 1:
        return f" (first raised in {memory.first_raised}{earlier}, due {memory.deadline})"
    return ""
