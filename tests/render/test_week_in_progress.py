"""A week still in progress says so wherever its part-week figures sit next to whole weeks': the landing
page's archive (with the days its figures cover; spend "so far") and the brief's key figures (spend so far,
its change on the daily average; an incident count compared only once the week has ended)."""

from __future__ import annotations

import re

from sentinel_reports.render.brief_charts import kpi_tiles, spend_chart
from sentinel_reports.render.environment import make_environment
from sentinel_reports.render.landing import facts_summary, render_landing

from . import partial_facts as pf


def _facts(period: str, spend: float, in_progress: bool, last_day: str):  # noqa: ANN202
    return pf.week_facts({
        "period": period, "in_progress": in_progress, "currency": "USD",
        "cost": {"total": spend, "week_over_week": 0.009, "change_basis": "daily_average" if in_progress else "total",
                 "daily_average": spend / (5 if in_progress else 7), "by_component": {"svc-01": spend}},
        "components": [{"id": "svc-01", "name": "Service 01"}],
        "incident_stats": {"count": 12, "count_difference": -6, "open_count": 0},
        "window": {"start": "2026-12-28T00:00:00Z", "end": f"{last_day}T23:59:00Z",
                   "first_day": "2026-12-28", "last_day": last_day},
        "summary": {"status": "Degraded"},
    })  # fmt: skip


def _week(period: str, spend: float, in_progress: bool, last_day: str) -> dict:
    return facts_summary(_facts(period, spend, in_progress, last_day))


def test_a_week_in_progress_is_labelled_with_its_days_and_its_spend_reads_so_far() -> None:
    done = _week("2026-W52", 222_398.0, False, "2027-01-03")
    part = _week("2026-W53", 160_292.0, True, "2027-01-01")
    assert done["label"] == "2026-W52 (21–27 Dec 2026)"
    assert part["label"] == "2026-W53 (28 Dec 2026 – 3 Jan 2027), so far (2026-12-28 to 2027-01-01)"
    html = render_landing(
        make_environment(), organization="Acme", as_of="2027-01-02T00:00:00Z", briefs=[done, part]
    )
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, flags=re.S)
    assert len(rows) == 2 and "2026-W53" in rows[0]
    assert "$160,292 so far</td>" in rows[0] and "$222,398</td>" in rows[1]
    assert (
        'Latest weekly brief: <a href="briefs/2026-W53/index.html">2026-W53 (28 Dec 2026 – 3 Jan 2027), so far'
        in html
    )


def test_the_key_figures_of_a_week_in_progress_do_not_compare_a_part_week_with_a_whole_one() -> None:
    tiles = {t["label"]: t for t in kpi_tiles(_facts("2026-W53", 160_292.0, True, "2027-01-01"))}
    spend, incidents = tiles["Spend"], tiles["Incidents"]
    assert spend["sub"] == "This week so far, all providers" and spend["delta"] == "▲ 0.9% (daily average)"
    assert incidents["sub"] == "This week so far" and incidents["delta"] == "compared when the week ends"
    assert incidents["tone"] == "gap" and incidents["target"].endswith("0 open now")
    closed = {t["label"]: t for t in kpi_tiles(_facts("2026-W52", 222_398.0, False, "2027-01-03"))}
    assert closed["Spend"]["sub"] == "This week, all providers" and closed["Spend"]["delta"] == "▲ 0.9%"
    assert closed["Incidents"]["delta"] == "▼ 6" and closed["Incidents"]["target"].endswith(
        "at the end of the week"
    )


def test_the_spend_chart_of_a_week_in_progress_states_its_change_on_the_daily_average() -> None:
    part = spend_chart(_facts("2026-W53", 160_292.0, True, "2027-01-01"))
    assert part is not None and part["title"].startswith(
        "Daily spend up 0.9% to $32,058 so far ($160,292 in all); "
    )
    whole = spend_chart(_facts("2026-W52", 222_398.0, False, "2027-01-03"))
    assert whole is not None and whole["title"].startswith("Spend up 0.9% to $222,398; ")
