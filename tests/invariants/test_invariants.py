"""Invariants: what the publications say agrees with the facts, in every week and quarter of two projects.

Each ``check_*`` returns the violations it finds in one period (facts + narrative). The suite runs every check
over every period of the demo and of a second project with other names and shapes (conftest.py), and plants a
violation for each check to see it caught.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

Violations = list[str]


def _scope(facts: dict) -> tuple[list[dict], list[dict]]:
    """(components, SLOs) in the summary's scope: the customer-facing ones, or all when none is."""
    comps = [c for c in facts["components"] if c.get("customer_facing")] or list(facts["components"])
    ids = {c["id"] for c in comps}
    return comps, [s for s in facts["slos"] if s["component"] in ids]


def _texts(narrative: Any) -> list[str]:
    return list(narrative.texts())


def check_status_word(facts: dict, narrative: Any, config: Any) -> Violations:
    """The status word against budgets and "now": Healthy needs every in-scope component operational (with
    data) and every in-scope budget above 0; operational with an exhausted budget is At Risk; the line states
    the word of the facts and never a negative percentage."""
    out = []
    status = facts["summary"]["status"]
    comps, slos = _scope(facts)
    operational = all(c["status"] == "operational" for c in comps)
    exhausted = [s["name"] for s in slos if s["budget_remaining"] is not None and s["budget_remaining"] <= 0]
    if status == "Healthy":
        if not operational:
            out.append("Healthy while an in-scope component is not operational now")
        if exhausted:
            out.append(f"Healthy with exhausted budgets: {exhausted}")
        low = [c["id"] for c in comps if (c.get("now_coverage") or 0) < config.gaps.min_coverage]
        if low:
            out.append(f"Healthy without data now on {low}")
    if operational and exhausted and status != "At Risk":
        out.append(f"operational with exhausted budgets {exhausted} reads {status!r}, not At Risk")
    if f"Current AI Platform Status: {status}**" not in narrative.summary_line:
        out.append(f"summary line does not state {status!r}: {narrative.summary_line}")
    if re.search(r"remaining: [-−]\d", narrative.summary_line):
        out.append(f"negative budget percentage in the summary line: {narrative.summary_line}")
    return out


def check_verdict(facts: dict, narrative: Any, config: Any) -> Violations:
    """The verdict against incidents and attainment: every SEV1/SEV2 with customer impact is named, every
    missed objective is named or counted, an exhausted budget is said; "no incident" and "every objective
    met" only when true."""
    out = []
    line = narrative.verdict
    if not line:
        return ["no verdict line under the summary line"]
    serious = [
        i
        for i in facts["incidents"]
        if i["severity"] in ("SEV1", "SEV2")
        and i.get("customer_impact")
        and (i.get("impact_minutes") or 0) > 0
    ]
    for inc in serious[:2]:
        if inc["id"] not in line:
            out.append(f"{inc['severity']} {inc['id']} with customer impact is not in the verdict")
    missed = [
        s
        for s in facts["slos"]
        if s["period_attainment"] is not None and s["period_attainment"] < s["objective"]
    ]
    if missed and not (any(s["name"] in line for s in missed) or f"{len(missed)} objectives missed" in line):
        out.append(f"missed objectives {[s['name'] for s in missed]} are not in the verdict")
    exhausted = [
        s["name"] for s in facts["slos"] if s["budget_remaining"] is not None and s["budget_remaining"] <= 0
    ]
    if exhausted and "exhausted" not in line:
        out.append(f"exhausted budgets {exhausted} are not in the verdict")
    if "no incident" in line.lower() and (
        facts["incidents"] or not facts["verdict"]["claims"]["incidents_covered"]
    ):
        out.append("verdict says no incident while incidents exist or the record does not cover the period")
    if "every objective met" in line and (missed or not facts["verdict"]["claims"]["objectives_met"]):
        out.append("verdict says every objective met while one was missed or coverage is short")
    return out


_MONEY = r"[$€£]?[\d,]+(?:\.\d+)?"
_MOVE = re.compile(rf"\b(rose|fell) to ({_MONEY}) from ({_MONEY})")
_WOW = re.compile(
    r"\b(up|down) (\d+(?:\.\d+)?)% (?:a day )?on (?:the previous (?:week|quarter)|(?:week )?\d{4}-[WQ]\d+)"
)
_SPEND = re.compile(r"spend (rose|fell) (\d+(?:\.\d+)?)%")


def _num(text: str) -> float:
    return float(re.sub(r"[^\d.]", "", text))


def check_directions(facts: dict, narrative: Any, config: Any) -> Violations:
    """ "up/down/rose/fell" against the sign of the change they describe."""
    out = []
    wow = (facts.get("cost") or {}).get("week_over_week")
    for text in _texts(narrative):
        for word, new, old in _MOVE.findall(text):
            if (word == "rose") != (_num(new) > _num(old)):
                out.append(f"'{word} to {new} from {old}'")
        for word, _ in _WOW.findall(text) + _SPEND.findall(text):
            if wow is not None and (word in ("up", "rose")) != (wow > 0):
                out.append(f"'{word}' for a spend change of {wow:+.4f}")
    return out


_STAMP = re.compile(r"\b(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC")


def check_no_event_after_as_of(facts: dict, narrative: Any, config: Any) -> Violations:
    """No publication cites an event after its own as-of: incidents in the facts started by as-of, and every
    timestamp the text states (outside scheduled maintenance and promised updates) is at or before it."""
    out = []
    as_of = str(facts["as_of"])
    for inc in [*facts["incidents"], *facts.get("incident_history", [])]:
        if str(inc["started_at"]) > as_of:
            out.append(f"incident {inc['id']} starts {inc['started_at']}, after as-of {as_of}")
    cutoff = dt.datetime.fromisoformat(as_of.replace("Z", "+00:00")).replace(tzinfo=None)
    texts = [narrative.verdict, narrative.executive_summary, *narrative.sections.values()]
    for text in texts:
        for sentence in re.split(r"(?<=\.)\s", text):
            if re.search(r"aintenance|update", sentence):
                continue
            for stamp in _STAMP.findall(sentence):
                if dt.datetime.fromisoformat(stamp) > cutoff:
                    out.append(f"{stamp} UTC cited after as-of {as_of}: {sentence[:120]}")
    # a case (investment) cites past events: none of its dates may lie after the publication's as-of
    for inv in facts.get("investments") or []:
        text = " ".join([str(inv.get("benefit_basis") or ""), *map(str, inv.get("assumptions") or [])])
        for day in _DAY.findall(text):
            if day > as_of[:10]:
                out.append(f"investment {inv['slug']} cites {day}, after as-of {as_of}")
    return out


_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


_NO_INCIDENT = re.compile(
    r"no (?:customer-facing )?incident(?! record)|no incidents were recorded|without a recorded incident",
    re.I,
)


def check_coverage_gated_claims(facts: dict, narrative: Any, config: Any) -> Violations:
    """ "No incident", "every objective met" and "Healthy" only when the sources behind them cover the period;
    the deck's "met target" says when a budget was overspent during the quarter."""
    out = []
    claims = facts["verdict"]["claims"]
    for text in _texts(narrative):
        for sentence in re.split(r"(?<=\.)\s", text):
            if (
                _NO_INCIDENT.search(sentence)
                and "does not cover" not in sentence
                and "incomplete" not in sentence
            ):
                if not claims["incidents_covered"]:
                    out.append(f"'no incident' without incident coverage: {sentence[:120]}")
            if "every objective met" in sentence and not claims["objectives_met"]:
                out.append(f"'every objective met' without coverage: {sentence[:120]}")
    if facts["kind"] == "quarter":
        deck = _deck(facts, narrative)
        for slide in deck.slides:
            if (
                "met target" in slide.title
                and not claims["objectives_covered"]
                and "telemetry" not in slide.title
            ):
                out.append(f"'{slide.title}' without telemetry coverage of the quarter")
            if "met target" in slide.title:
                spent = [
                    s["name"] for s in facts["slos"] if s.get("customer_facing") and s.get("overspent_days")
                ]
                if spent and "overspent" not in slide.title:
                    out.append(f"'{slide.title}' while {spent} were overspent during the quarter")
            if slide.title.startswith("No incident affected customers") and not claims["incidents_covered"]:
                out.append(f"'{slide.title}' without incident coverage")
    return out


_WITHIN = re.compile(r"Every (?:budgeted )?team is projected to finish the month within its budget")


def check_team_projections(facts: dict, narrative: Any, config: Any) -> Violations:
    """Team projections sum to the platform projection: every team (and the no-team rest) of the month-end
    projection adds up to all spend, the budgeted and unbudgeted parts add up to it, each budget row agrees
    with its team; "every team within budget" only when every budget team has spend and is within."""
    out = []
    cost = facts.get("cost") or {}
    me = cost.get("month_end") or {}
    total = me.get("projected_month_end")
    if total is not None:
        teams = sum(t["projected_month_end"] or 0.0 for t in me["teams"])
        if abs(teams - total) > 1e-6 * max(1.0, abs(total)):
            out.append(f"team projections sum to {teams:.2f}, platform projection is {total:.2f}")
        if me.get("budgeted_projected") is not None:
            parts = me["budgeted_projected"] + me["unbudgeted_projected"]
            if abs(parts - total) > 1e-6 * max(1.0, abs(total)):
                out.append(f"budgeted + unbudgeted = {parts:.2f}, platform projection is {total:.2f}")
        by_team = {t["team"]: t["projected_month_end"] for t in me["teams"]}
        for b in cost.get("budgets") or []:
            if (
                b["projected_month_end"] is not None
                and abs(b["projected_month_end"] - by_team[b["team"]]) > 1e-6
            ):
                out.append(
                    f"budget row {b['team']} projects {b['projected_month_end']:.2f}, its team row differs"
                )
    budgets = cost.get("budgets") or []
    unfunded = (cost.get("team_checks") or {}).get("budget_without_spend") or []
    for text in _texts(narrative):
        if _WITHIN.search(text):
            over = [b["team"] for b in budgets if (b.get("projected_share") or 0) > 1]
            if over or unfunded:
                out.append(f"'every team within budget' with {over} over and {unfunded} without spend")
    return out


_BASELINE = re.compile(r"\b(?:on|in|against) (?:week )?(\d{4}-[WQ]\d{1,2})\b")
_CHANGE = re.compile(r"\b(?:up|down|rose|fell) \d+(?:\.\d+)?%")


def _deck(facts: Any, narrative: Any) -> Any:
    """The quarter's deck from the facts model, or from facts' JSON data a test planted a violation in."""
    from sentinel_reports.analysis.facts_model import facts_from_dict
    from sentinel_reports.render.deck import build_deck

    return build_deck(facts_from_dict(facts) if isinstance(facts, dict) else facts, narrative)


def _publication_texts(facts: dict, narrative: Any) -> list[str]:
    texts = _texts(narrative)
    if facts["kind"] == "quarter":
        deck = _deck(facts, narrative)
        texts += [slide.title for slide in deck.slides]
        texts += [
            " ".join(str(c) for c in row) for slide in deck.slides if slide.table for row in slide.table.rows
        ]
    return texts


def check_period_labels(facts: dict, narrative: Any, config: Any) -> Violations:
    """Each comparison's period label against its facts: the baseline is the previous period of the same kind,
    whole; every period a change is stated against is that baseline; a partial baseline states no change; a
    period to date against a whole one compares spend per day."""
    from sentinel_reports.analysis.periods import parse_period, previous_period

    out = []
    comp, cost = facts["comparison"], facts.get("cost") or {}
    expected = previous_period(facts["period"])
    if comp["label"] != expected or comp["kind"] != facts["kind"]:
        out.append(
            f"baseline {comp['label']} ({comp['kind']}) is not the previous {facts['kind']} {expected}"
        )
    whole = parse_period(facts["kind"], expected, config.tz)
    if (comp["start"], comp["end"]) != (_iso(whole.start), _iso(whole.end)):
        out.append(f"baseline window {comp['start']}..{comp['end']} is not the whole of {expected}")
    if facts.get("previous_period") not in (None, comp["label"]):
        out.append(f"previous_period {facts['previous_period']} differs from the baseline {comp['label']}")
    if cost.get("previous_days") is not None and cost["previous_days"] != comp["days"]:
        out.append(f"spend baseline has {cost['previous_days']} days, {comp['label']} has {comp['days']}")
    if not comp["complete"] and cost.get("week_over_week") is not None:
        out.append(f"a spend change is stated against partial {comp['label']}")
    for text in _publication_texts(facts, narrative):
        for sentence in re.split(r"(?<=[.;:])\s", text):
            if not _CHANGE.search(sentence):
                continue
            for label in _BASELINE.findall(sentence):
                if label != comp["label"] and label != facts["period"]:
                    out.append(
                        f"change stated against {label}, baseline is {comp['label']}: {sentence[:120]}"
                    )
                elif label == comp["label"] and not comp["complete"]:
                    out.append(f"change stated against partial {label}: {sentence[:120]}")
    return out


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z*✅🚨])")


def _cost_moves(text: str, name: str) -> list[str]:
    """The sentences of `text` that state a move of the cost per successful task of component `name`."""
    n = re.escape(name)
    move = re.compile(
        rf"Cost per successful task on \*\*{n}\*\* (?:rose|fell)"  # executive summary
        rf"|\*\*{n}\*\* \S+ \((?:up|down) from"  # the cost section's list
        rf"|cost per successful task (?:rose|fell) [\d.]+% on {n}\b",  # the deck's spend title
        re.IGNORECASE,
    )
    found = []
    for sentence in _SENTENCE.split(text):
        if not move.search(sentence):
            continue
        if "Cost per successful task on customer-facing services" in sentence:
            # the section's list: only the item of this component
            item = re.search(rf"\*\*{n}\*\* \S+ \((?:up|down) from[^()]*(?:\([^()]*\)[^()]*)*\)", sentence)
            found.append(item.group(0) if item else sentence)
        else:
            found.append(sentence)
    return found


def check_cost_quality(facts: dict, narrative: Any, config: Any) -> Violations:
    """Cost with quality: when a component's cost per successful task moved in a period where one of its model
    versions failed its eval target, or its model version changed (facts `cost_quality[].flagged`), every
    sentence that states the move names the version(s) concerned, and a recommendation weighs a rollback."""
    out = []
    names = {c["id"]: c.get("name") or c["id"] for c in facts["components"]}
    texts = _publication_texts(facts, narrative)
    keys = [r.key for r in narrative.recommendations]
    for row in facts.get("cost_quality") or []:
        if not row["flagged"]:
            continue
        component = row["component"]
        versions = {b["model_version"] for b in row["breaches"]}
        versions |= set(row["new_versions"]) | set(row["dropped_versions"])
        stated = [s for t in texts for s in _cost_moves(t, names[component])]
        for sentence in stated:
            if not any(v in sentence for v in versions):
                out.append(
                    f"cost move on {component} without its eval breach or model change: {sentence[:160]}"
                )
        weighs = (f"rule:cost-quality:{component}", f"rule:rollback:{component}:", f"rule:hold:{component}:")
        if stated and not any(k.startswith(weighs) for k in keys):
            out.append(f"no recommendation weighs a rollback on {component}")
    return out


def check_open_period_words(facts: dict, narrative: Any, config: Any) -> Violations:
    """A period in progress at as-of is not written as ended: no "<period> ended", "at the close of", "for the
    week", "status at quarter close"; the verdict names the days it covers ("so far (2–4 Nov 2026)")."""
    if not facts.get("in_progress"):
        return []
    out, label, kind = [], facts["period"], facts["kind"]
    texts = _publication_texts(facts, narrative)
    if kind == "quarter":
        deck = _deck(facts, narrative)
        texts += [deck.subtitle] + [" ".join(s.table.columns) for s in deck.slides if s.table]
    closed = re.compile(
        rf"{re.escape(label)} ended|ended {re.escape(label)}|close of {re.escape(label)}|closed {re.escape(label)}"
        rf"|for the {kind}\b|at quarter close|at the close of the quarter",
        re.IGNORECASE,
    )
    for text in texts:
        for m in closed.finditer(text):
            out.append(f"in-progress {label} written as ended ({m.group(0)!r}): {text[:120]}")
    if narrative.verdict and " so far (" not in narrative.verdict.split(":**")[0]:
        out.append(
            f"the verdict of in-progress {label} does not name the days covered: {narrative.verdict[:80]}"
        )
    return out


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


CHECKS: dict[str, Callable[[dict, Any, Any], Violations]] = {
    "status_word": check_status_word,
    "verdict": check_verdict,
    "directions": check_directions,
    "no_event_after_as_of": check_no_event_after_as_of,
    "coverage_gated_claims": check_coverage_gated_claims,
    "team_projections": check_team_projections,
    "period_labels": check_period_labels,
    "cost_quality": check_cost_quality,
    "open_period_words": check_open_period_words,
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_invariant_holds_in_every_period(name: str, all_periods: list) -> None:
    assert {p.project for p in all_periods} >= {"renamed"}
    assert any(p.facts.kind == "quarter" for p in all_periods)
    found = {
        f"{p.project} {p.label}": v for p in all_periods if (v := CHECKS[name](p.data, p.narrative, p.config))
    }
    assert found == {}


# -- planted violations: each check sees them ---------------------------------------------------------------


def _period(all_periods: list, project: str, test: Callable[[dict], bool]) -> Any:
    for p in all_periods:
        if p.project == project and test(p.data):
            # the JSON data of the facts, to plant a violation in (the model is frozen)
            return copy.deepcopy(p.data), p.narrative, p.config
    raise AssertionError(f"no period of {project} has the shape this planted violation needs")


def _any_project(all_periods: list, test: Callable[[dict], bool]) -> tuple[dict, Any, Any]:
    for project in ("demo", "renamed"):
        if any(p.project == project and test(p.data) for p in all_periods):
            return _period(all_periods, project, test)
    raise AssertionError("no period of either project has the shape this planted violation needs")


def test_planted_healthy_with_an_exhausted_budget_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(all_periods, lambda f: f["summary"]["status"] == "Healthy")
    _, slos = _scope(facts)
    slos[0]["budget_remaining"] = -0.2
    assert any("exhausted budgets" in v for v in check_status_word(facts, narrative, config))


def test_planted_negative_budget_percentage_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(all_periods, lambda f: True)
    status = facts["summary"]["status"]
    line = f"**Current AI Platform Status: {status}** | Error budget remaining: -53% | 0 active alerts (0 informational)"
    planted = dataclasses.replace(narrative, summary_line=line)
    assert any("negative budget" in v for v in check_status_word(facts, planted, config))


def test_planted_sev1_missing_from_the_verdict_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(all_periods, lambda f: f["verdict"]["state"] == "clear")
    facts["incidents"].append(
        {
            "id": "INC-PLANTED",
            "severity": "SEV1",
            "customer_impact": True,
            "impact_minutes": 42,
            "started_at": facts["window"]["start"],
        }
    )
    found = check_verdict(facts, narrative, config)
    assert any("INC-PLANTED" in v for v in found) and any("says no incident" in v for v in found)


def test_planted_missed_objective_under_every_objective_met_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(all_periods, lambda f: f["verdict"]["state"] == "clear")
    facts["slos"][0]["period_attainment"] = facts["slos"][0]["objective"] - 0.01
    found = check_verdict(facts, narrative, config)
    assert any("missed objectives" in v for v in found) and any("every objective met" in v for v in found)


def test_planted_wrong_direction_word_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(
        all_periods, lambda f: (f.get("cost") or {}).get("week_over_week")
    )
    wow = facts["cost"]["week_over_week"]
    wrong = "up" if wow < 0 else "down"
    text = f"Spend was $1, {wrong} 5.0% on the previous week. Cost fell to $0.0200 from $0.0100."
    planted = dataclasses.replace(narrative, executive_summary=text)
    found = check_directions(facts, planted, config)
    assert any(f"'{wrong}'" in v for v in found) and any("'fell to $0.0200" in v for v in found)


def test_planted_event_after_as_of_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(all_periods, lambda f: f["kind"] == "quarter")
    later = dt.datetime.fromisoformat(facts["as_of"].replace("Z", "+00:00")) + dt.timedelta(days=30)
    planted = dataclasses.replace(
        narrative, executive_summary=f"An outage began {later:%Y-%m-%d %H:%M} UTC on the chat service."
    )
    facts["incidents"].append({"id": "INC-LATER", "started_at": later.isoformat().replace("+00:00", "Z")})
    found = check_no_event_after_as_of(facts, planted, config)
    assert any("INC-LATER" in v for v in found) and any("cited after as-of" in v for v in found)


def test_planted_uncovered_no_incident_claim_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(all_periods, lambda f: f["verdict"]["state"] == "clear")
    facts["verdict"]["claims"]["incidents_covered"] = False
    facts["verdict"]["claims"]["objectives_met"] = False
    found = check_coverage_gated_claims(facts, narrative, config)
    assert any("'no incident'" in v for v in found) and any("every objective met" in v for v in found)


def test_planted_met_target_next_to_an_overspent_budget_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(
        all_periods,
        lambda f: (
            f["kind"] == "quarter"
            and not any(s.get("overspent_days") for s in f["slos"])
            and all(
                s["period_attainment"] is not None and s["period_attainment"] >= s["objective"]
                for s in f["slos"]
                if s.get("customer_facing")
            )
        ),
    )
    facing = [s for s in facts["slos"] if s.get("customer_facing")]
    # the deck reads the per-day budget; plant an overspent stretch in the facts the title is built from,
    # but keep the title's own figures: the check must still see "met target" without "overspent"
    facing[0]["overspent_days"] = 5
    from sentinel_reports.analysis.facts_model import facts_from_dict
    from sentinel_reports.render.deck import build_deck

    titles = [s.title for s in _deck(facts, narrative).slides]
    assert any("met target" in t and "overspent" in t for t in titles), titles
    facts_for_check = copy.deepcopy(facts)
    # hide the overspend from the renderer, as a regression would, and show it to the check
    rendered = copy.deepcopy(facts)
    rendered["slos"] = [{**s, "overspent_days": 0} for s in rendered["slos"]]
    rendered_facts = facts_from_dict(rendered)
    deck_titles = [s.title for s in build_deck(rendered_facts, narrative).slides]
    assert not any("overspent" in t for t in deck_titles)
    from unittest import mock

    with mock.patch("sentinel_reports.render.deck.build_deck", lambda f, n: build_deck(rendered_facts, n)):
        found = check_coverage_gated_claims(facts_for_check, narrative, config)
    assert any("overspent during the quarter" in v for v in found)


def test_planted_team_projection_off_the_platform_total_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(
        all_periods, lambda f: (f["cost"].get("month_end") or {}).get("projected_month_end") is not None
    )
    facts["cost"]["month_end"]["teams"][0]["projected_month_end"] += 1000.0
    assert any("team projections sum" in v for v in check_team_projections(facts, narrative, config))


def test_planted_every_team_within_budget_beside_an_unfunded_budget_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(all_periods, lambda f: bool(f["cost"].get("budgets")))
    facts["cost"]["team_checks"]["budget_without_spend"] = [facts["cost"]["budgets"][0]["team"]]
    planted = dataclasses.replace(
        narrative, executive_summary="Every team is projected to finish the month within its budget."
    )
    assert any("without spend" in v for v in check_team_projections(facts, planted, config))


def test_planted_change_against_another_period_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(
        all_periods, lambda f: f["kind"] == "quarter" and f["cost"].get("week_over_week") is not None
    )
    planted = dataclasses.replace(narrative, executive_summary="AI spend rose 15.1% on 2026-Q1.")
    found = check_period_labels(facts, planted, config)
    assert any("against 2026-Q1" in v for v in found)


def test_planted_baseline_of_the_wrong_length_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(
        all_periods, lambda f: f["kind"] == "quarter" and f["comparison"]["complete"]
    )
    # the old baseline: the same number of days before the quarter, labelled as the previous quarter
    facts["comparison"]["start"] = "2026-08-09T00:00:00Z"
    facts["cost"]["previous_days"] = facts["cost"]["days"]
    found = check_period_labels(facts, narrative, config)
    assert any("is not the whole of" in v for v in found) and any("spend baseline has" in v for v in found)


def test_planted_change_against_a_partial_baseline_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(
        all_periods, lambda f: f["cost"].get("week_over_week") is not None and f["previous_period"]
    )
    facts["comparison"]["complete"] = False
    found = check_period_labels(facts, narrative, config)
    assert any("partial" in v for v in found)


def test_planted_case_citing_a_later_outage_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(all_periods, lambda f: f["kind"] == "quarter")
    later = dt.datetime.fromisoformat(facts["as_of"].replace("Z", "+00:00")) + dt.timedelta(days=90)
    facts["investments"] = [
        {"slug": "failover", "benefit_basis": f"the {later:%Y-%m-%d} outage lasted 150 minutes"}
    ]
    assert any("investment failover cites" in v for v in check_no_event_after_as_of(facts, narrative, config))


def test_quarter_baselines_are_whole_previous_quarters(all_periods: list) -> None:
    quarters = {p.label: p.data for p in all_periods if p.project == "demo" and p.facts.kind == "quarter"}
    if not quarters:
        pytest.skip("the demo project is not in this checkout")
    q3, q4 = quarters["2026-Q3"], quarters["2026-Q4"]
    # demo data starts 2026-06-01: Q2 holds 30 of its 91 days, so Q3 states no spend change against it
    assert (q3["comparison"]["label"], q3["comparison"]["days_with_data"], q3["comparison"]["days"]) == (
        "2026-Q2",
        30,
        91,
    )
    assert q3["cost"]["week_over_week"] is None
    # Q4 to date (53 days to as-of) is compared per day with the whole of Q3 (92 days), not with 53 days of it
    cost = q4["cost"]
    assert q4["comparison"]["label"] == "2026-Q3" and q4["comparison"]["to_date"]
    assert (cost["days"], cost["previous_days"], cost["change_basis"]) == (53, 92, "daily_average")
    assert cost["week_over_week"] == pytest.approx((cost["total"] / 53) / (cost["previous_total"] / 92) - 1)


def _weeks(all_periods: list, project: str) -> list:
    return sorted(
        (p for p in all_periods if p.project == project and p.facts.kind == "week"), key=lambda p: p.label
    )


@pytest.mark.parametrize("project", ["demo", "renamed"])
def test_recurring_recommendations_keep_first_raised_and_deadline(all_periods: list, project: str) -> None:
    """Week after week, a recommendation that stays raised keeps its first-raised week and deadline; past the
    deadline it is overdue and says so, with its weeks open, in the recommendation and in Next Actions."""
    from sentinel_reports.analysis.memory import RULE_DAYS

    weeks = _weeks(all_periods, project)
    seen: dict[str, dict] = {}
    recurring = overdue_shown = 0
    for p in weeks:
        memory = p.data["recommendation_memory"]
        publication = p.data["window"]["end"][:10]
        for key, m in memory.items():
            if key in seen and seen[key]["week"] == _prev_week(p.label):
                assert (m["first_raised"], m["deadline"]) == (
                    seen[key]["first_raised"],
                    seen[key]["deadline"],
                )
                assert m["weeks_open"] == seen[key]["weeks_open"] + 1
                recurring += 1
            first_end = dt.date.fromisocalendar(*map(int, m["first_raised"].split("-W")), 1) + dt.timedelta(7)
            rule = key.split(":")[1]
            assert m["deadline"] == (first_end + dt.timedelta(days=RULE_DAYS[rule])).isoformat()
            assert m["overdue"] == (m["deadline"] < publication)
            seen[key] = {**m, "week": p.label}
            shown = [r for r in p.narrative.recommendations if r.key == key]
            if shown and m["overdue"]:
                assert f"overdue since {m['deadline']}, open {m['weeks_open']} weeks" in shown[0].text
                assert any(f"overdue since {m['deadline']}" in a.action for a in p.narrative.next_actions)
                assert shown[0].deadline == m["deadline"]
                overdue_shown += 1
    if project == "demo":
        assert recurring > 0 and overdue_shown > 0  # the demo's budget overrun recurs from 2026-W40


def _prev_week(label: str) -> str:
    from sentinel_reports.analysis.periods import previous_period

    return previous_period(label)


def test_latency_regression_is_degraded_and_the_provider_outage_is_an_outage(all_periods: list) -> None:
    quarters = {p.label: p for p in all_periods if p.project == "demo" and p.facts.kind == "quarter"}
    if "2026-Q4" not in quarters:
        pytest.skip("the demo project is not in this checkout")
    q4 = quarters["2026-Q4"]
    kinds = {i["id"]: i["impact_kind"] for i in q4.data["incidents"] if i["impact_minutes"]}
    # INC-212: p95 latency above 2.5 s while availability met its objective; the SEV1 (INC-214): requests
    # failed; INC-215 (unsafe completions, safety class): customer impact that is not latency alone is an outage
    assert kinds == {"INC-212": "degraded", "INC-214": "outage", "INC-215": "outage"}
    business = q4.data["business"]
    assert business["degraded_minutes"] == 4360.0 and business["per_incident"]["INC-212"] is None
    assert (
        "latency-only" in q4.narrative.sections["incidents"]
        or "degraded" in q4.narrative.sections["incidents"]
    )
    texts = " ".join(q4.narrative.texts())
    assert "revenue lost" not in texts.lower()


def test_planted_cost_move_without_its_eval_breach_is_caught(all_periods: list) -> None:
    def flagged(f: dict) -> bool:
        return any(r["flagged"] and r["breaches"] for r in f.get("cost_quality") or [])

    facts, narrative, config = _period(all_periods, "demo", flagged)
    row = next(r for r in facts["cost_quality"] if r["flagged"] and r["breaches"])
    name = next(c["name"] for c in facts["components"] if c["id"] == row["component"])
    assert check_cost_quality(facts, narrative, config) == []
    # the old sentence: the cost fell "which widens margin", silent on the failing version
    planted = dataclasses.replace(
        narrative,
        executive_summary=f"Cost per successful task on **{name}** fell to $0.0035 from $0.0101: each "
        "successful answer costs less to serve, which widens margin.",
        recommendations=tuple(r for r in narrative.recommendations if row["component"] not in r.key),
    )
    found = check_cost_quality(facts, planted, config)
    assert any("without its eval breach" in v for v in found)
    assert any("no recommendation weighs a rollback" in v for v in found)


def test_cost_quality_flags_the_demo_model_change_and_its_rollback(all_periods: list) -> None:
    weeks = {p.label: p.data for p in all_periods if p.project == "demo" and p.facts.kind == "week"}
    if not weeks:
        pytest.skip("the demo project is not in this checkout")
    rag = {
        label: next((r for r in f["cost_quality"] if r["component"] == "rag-retrieval"), None)
        for label, f in weeks.items()
    }
    # the candidate model went live in 2026-W44 below target and was rolled back before 2026-W45
    assert rag["2026-W44"]["breaches"][0]["model_version"] == "gpt-5-mini-2025-08-07"
    assert rag["2026-W44"]["new_versions"] == ["gpt-5-mini-2025-08-07"] and rag["2026-W44"]["change"] < 0
    assert (
        rag["2026-W45"]["dropped_versions"] == ["gpt-5-mini-2025-08-07"] and not rag["2026-W45"]["breaches"]
    )
    assert not rag["2026-W43"]["flagged"] and not rag["2026-W47"]["flagged"]


def test_planted_ended_on_a_quarter_in_progress_is_caught(all_periods: list) -> None:
    facts, narrative, config = _any_project(
        all_periods, lambda f: f["kind"] == "quarter" and f["in_progress"]
    )
    assert check_open_period_words(facts, narrative, config) == []
    label = facts["period"]
    planted = dataclasses.replace(
        narrative,
        executive_summary=f"{label} ended with the platform **Healthy**.",
        verdict=f"**Quarter {label}:** no incident, every objective met.",
    )
    found = check_open_period_words(facts, planted, config)
    assert any(f"'{label} ended'" in v for v in found) and any("days covered" in v for v in found)


# -- the archive rule: a closed period's published facts do not change when later data arrives -------------


def check_archive(then: dict, now: dict) -> Violations:
    """Every fact of a closed period, as published soon after it closed, against the same period's facts
    computed later with all the data (and content) that arrived since: nothing may differ."""
    from sentinel_reports.analysis.facts_model import facts_data

    then, now = (x if isinstance(x, dict) else facts_data(x) for x in (then, now))
    out: Violations = []

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{path}[{i}]")
        elif a != b:
            out.append(f"{path}: {str(a)[:60]!r} then, {str(b)[:60]!r} later")

    walk(then, now, "")
    return out


def test_closed_periods_keep_their_published_facts_when_later_data_arrives(archives: list) -> None:
    assert {a.project for a in archives} >= {"renamed"}
    assert any("-Q" in a.label for a in archives) and any("-W" in a.label for a in archives)
    found = {f"{a.project} {a.label}": v for a in archives if (v := check_archive(a.then, a.now))}
    assert found == {}


def test_planted_archive_change_is_caught(archives: list) -> None:
    archive = next(a for a in archives if "-W" in a.label)
    from sentinel_reports.analysis.facts_model import facts_data

    later = copy.deepcopy(facts_data(archive.now))
    # a late cost row for the closed week, and an incident record that arrived after its close
    later["cost"]["total"] = (later["cost"]["total"] or 0) + 125.0
    later["incidents"].append({"id": "INC-LATE", "started_at": later["window"]["start"]})
    found = check_archive(archive.then, later)
    assert any(v.startswith("cost.total:") for v in found)
    assert any(v.startswith("incidents:") for v in found)
