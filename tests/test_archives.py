"""Archives as known then: a closed week's brief shows content as it stood at that week's close.

An action item completed today (and the postmortem published today) must not change the brief of a week
that closed before: every file of that brief stays byte-identical, while the latest facts see the change.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sentinel_reports.model import parse_timestamp

POSTMORTEM = Path("content") / "postmortems" / "2026-11-12-assistant-errors.md"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sentinel_reports.demo import scaffold

    root = tmp_path_factory.mktemp("archives") / "project"
    scaffold(root)
    return root


def _brief(root: Path, week: str) -> tuple[dict, dict[str, bytes]]:
    """A week's facts and brief files, built as ``sentinel brief`` builds them (a fresh session, no cache)."""
    from sentinel_reports.analysis.facts_model import facts_data
    from sentinel_reports.publications import files_of, week_brief
    from sentinel_reports.session import Session

    session = Session(root, use_cache=False, jobs=1)
    publication = week_brief(session, week, standalone=True)
    return facts_data(publication.facts), publication.by_name(files_of(session, publication))


def _item(facts: dict, incident: str) -> dict:
    inc = next(i for i in [*facts["incidents"], *facts["incident_history"]] if i["id"] == incident)
    return inc["postmortem"]


def test_completing_an_action_today_leaves_an_old_brief_byte_identical(project: Path) -> None:
    before_facts, before = _brief(project, "2026-W46")
    pm = _item(before_facts, "INC-001")
    assert pm["status"] == "in_review" and pm["action_items"][0]["done"] is False
    assert "Request a higher provider rate limit" in before["brief.md"].decode()

    latest, _ = _brief(project, "2026-W47")
    # the project's "today": the last day its as-of covers (as-of is the instant right after the data)
    as_of = parse_timestamp(latest["as_of"])
    today = (as_of - dt.timedelta(microseconds=1)).date().isoformat()
    assert today > before_facts["window"]["end"][:10]  # after the old week closed
    path = project / POSTMORTEM
    text = path.read_text(encoding="utf-8")
    edited = text.replace("status: in_review", f"status: published\npublished_on: {today}").replace(
        "    done: false", f"    done: true\n    done_on: {today}"
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    try:
        after_facts, after = _brief(project, "2026-W46")
        now, _ = _brief(project, "2026-W47")
    finally:
        path.write_text(text, encoding="utf-8")

    assert sorted(after) == sorted(before)
    for name in before:
        assert after[name] == before[name], f"{name} of the closed week changed"
    assert _item(after_facts, "INC-001") == pm
    # the latest facts do see the completion and the publication
    current = _item(now, "INC-001")
    assert current["status"] == "published" and current["published_on"] == today
    assert current["action_items"][0]["done"] is True and current["action_items"][0]["done_on"] == today


def test_an_item_done_before_the_close_is_done_in_the_archive(project: Path) -> None:
    from sentinel_reports.analysis.incidents import _postmortem
    from sentinel_reports.content import ActionItem, Postmortem

    item = ActionItem(
        title="Alert on the error ratio", owner="Assistant team", due="2026-11-20", done_on="2026-11-14"
    )
    pm = Postmortem(slug="pm", path="x.md", body="", incident="INC-001", status="published",
                    published_on="2026-11-16", action_items=(item,))  # fmt: skip
    today = pm.published_on
    # known on Sunday 2026-11-15 (the last day of W46): done (on the 14th), not yet published
    closed = _postmortem(pm, today, known_by=pm.published_on.replace(day=15))
    assert closed["status"] == "in_review" and closed["published_on"] is None
    assert closed["action_items"][0]["done"] is True
    # known on 2026-11-13: not done yet, and not overdue (due on the 20th)
    earlier = _postmortem(pm, today.replace(day=13), known_by=today.replace(day=13))
    assert earlier["action_items"][0] == {
        "title": "Alert on the error ratio",
        "owner": "Assistant team",
        "due": "2026-11-20",
        "done": False,
        "done_on": None,
        "overdue": False,
    }
