"""content/ front matter: models, the slug rule, cross-checks, and every problem reported at once."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sentinel_reports.config import Config
from sentinel_reports.content import Content, load_content, split_front_matter
from sentinel_reports.errors import ConfigError

PROJECT = Path(__file__).resolve().parent / "fixtures" / "content" / "project"
CONFIG = Config.model_validate(
    {
        "organization": "Acme AI Platform",
        "timezone": "Europe/Berlin",
        "components": [
            {"id": "chat-api", "name": "Chat", "owner": "Assistant Platform team"},
            {"id": "rag-api", "name": "Retrieval", "owner": "Search team"},
        ],
    }
)


def copy_project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT, tmp_path / "p")
    return tmp_path / "p"


def problems(project: Path, incident_ids: set[str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_content(project, CONFIG, incident_ids)
    return [str(p) for p in err.value.problems]


def test_fixture_project_loads() -> None:
    content = load_content(PROJECT, CONFIG, {"INC-123"})
    (pm,) = content.postmortems
    assert (pm.slug, pm.incident, pm.status) == ("inc-123", "INC-123", "in_review")
    assert [a.due for a in pm.action_items] == [dt.date(2026, 12, 1), dt.date(2026, 11, 25)]
    assert [a.done for a in pm.action_items] == [False, True]
    assert pm.body.startswith("## Summary") and "**embedding queue**" in pm.body
    assert content.postmortem_for("INC-123") is pm
    (mt,) = content.maintenance
    assert mt.starts == dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)  # naive: Europe/Berlin
    assert mt.ends == dt.datetime(2026, 11, 22, 3, 30, tzinfo=dt.UTC)
    (rec,) = content.recommendations
    assert rec.risk.level == "Low" and rec.deadline == dt.date(2026, 12, 15)
    (inv,) = content.investments
    assert (inv.cost, inv.expected_benefit_per_year, inv.confidence) == (120000, 210000, "Medium")
    assert len(inv.assumptions) == 2
    (note,) = content.notes
    assert note.week == "2026-W47" and "W46" in note.body and note.title is None
    assert content.note_for("2026-W47") is note


def test_missing_content_folder_is_empty(tmp_path: Path) -> None:
    assert load_content(tmp_path, CONFIG) == Content()


def test_postmortem_for_unknown_incident(tmp_path: Path) -> None:
    found = problems(copy_project(tmp_path), {"INC-999"})
    assert len(found) == 1
    assert "content/postmortems/inc-123.md: incident: no incident with id 'INC-123'" in found[0]


def test_front_matter_that_is_not_a_mapping(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "content" / "postmortems" / "inc-200.md").write_text(
        "---\n- a\n- b\n---\nbody\n", encoding="utf-8"
    )
    (found,) = problems(project)
    assert "inc-200.md" in found and "must be a mapping, found list" in found


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    content = project / "content"
    (content / "recommendations" / "no-risk.md").write_text(
        "---\ntitle: t\naction: a\nexpected_impact: e\nowner: SRE\ndeadline: 2026-12-01\n"
        "risk: {level: Low, likelihood: low}\n---\n",
        encoding="utf-8",
    )
    (content / "maintenance" / "Bad Name.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    (content / "maintenance" / "backwards.md").write_text(
        "---\ntitle: t\ncomponents: [nope]\nstarts: 2026-11-22T03:00:00Z\nends: 2026-11-22T02:00:00Z\n---\n",
        encoding="utf-8",
    )
    (content / "investments" / "typo.md").write_text(
        "---\ntitle: t\ncost: 1\nexpected_benefit_per_year: 2\nbenefit_basis: b\nconfidence: Sure\neffect: e\n"
        "risk: {level: High, likelihood: l, impact: i, detection_time: d, mitigation: m}\ncots: 3\n---\n",
        encoding="utf-8",
    )
    (content / "notes" / "week-47.md").write_text("hello\n", encoding="utf-8")
    found = "\n".join(problems(project))
    assert "no-risk.md: risk.impact: required key is missing" in found
    assert "no-risk.md: risk.detection_time: required key is missing" in found
    assert "no-risk.md: risk.mitigation: required key is missing" in found
    assert "'Bad Name.md' is not a valid slug" in found
    assert "backwards.md" in found and "`ends` must be after `starts`" in found
    assert "typo.md: cots: unknown key" in found and "typo.md: confidence" in found
    assert "'week-47.md' is not a valid slug" in found


def test_unknown_component_and_duplicate_postmortem(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    pm = (project / "content" / "postmortems" / "inc-123.md").read_text(encoding="utf-8")
    (project / "content" / "postmortems" / "inc-123-again.md").write_text(pm, encoding="utf-8")
    mt = project / "content" / "maintenance" / "db-upgrade.md"
    mt.write_text(mt.read_text(encoding="utf-8").replace("[rag-api]", "[rag-api, billing]"), encoding="utf-8")
    found = "\n".join(problems(project, {"INC-123"}))
    assert "already has a postmortem" in found
    assert "components[1]: unknown component 'billing'" in found


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("---\nincident: [unclosed\n---\n", "invalid YAML"),
        ("---\nincident: INC-1\n", "never closed"),
        ("no front matter here\n", "missing or empty"),
        ("---\nslug: other\nincident: INC-1\n---\n", "slug: reserved key"),
        ("---\nincident: !!python/object:os.system {}\n---\n", "invalid YAML"),
    ],
)
def test_bad_front_matter(tmp_path: Path, text: str, fragment: str) -> None:
    folder = tmp_path / "content" / "postmortems"
    folder.mkdir(parents=True)
    (folder / "x.md").write_text(text, encoding="utf-8")
    (found,) = problems(tmp_path)
    assert fragment in found and "content/postmortems/x.md" in found


def test_symlink_outside_content_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("---\nincident: INC-1\n---\n", encoding="utf-8")
    folder = tmp_path / "content" / "postmortems"
    folder.mkdir(parents=True)
    (folder / "link.md").symlink_to(outside)
    (found,) = problems(tmp_path)
    assert "outside content/" in found


def test_non_markdown_and_hidden_files_are_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "notes"
    folder.mkdir(parents=True)
    (folder / "README.txt").write_text("x", encoding="utf-8")
    (folder / ".2026-W01.md.swp").write_text("x", encoding="utf-8")
    assert load_content(tmp_path, CONFIG).notes == ()


def test_split_front_matter_keeps_body_raw() -> None:
    front, body = split_front_matter("\ufeff---\na: 1\n---\n<b>raw</b>\n---\n")
    assert front == "a: 1\n" and body == "<b>raw</b>\n---\n"
    assert split_front_matter("plain") == (None, "plain")


def test_front_matter_alias_bomb_is_refused(tmp_path) -> None:
    import pytest

    from sentinel_reports.config import Config
    from sentinel_reports.content import load_content
    from sentinel_reports.errors import ConfigError

    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefgh":
        prev = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    (tmp_path / "content" / "notes").mkdir(parents=True)
    (tmp_path / "content" / "notes" / "2026-W47.md").write_text(f"---\n{bomb}---\nBody\n", encoding="utf-8")
    config = Config.model_validate(
        {"organization": "x", "components": [{"id": "a", "name": "A", "owner": "Team"}]}
    )
    with pytest.raises(ConfigError, match="refused"):
        load_content(tmp_path, config)
