"""The hand-written `content/` of a project: markdown files with YAML front matter.

    content/postmortems/<slug>.md       incident, status, action_items[]
    content/maintenance/<slug>.md       title, components[], starts, ends, status
    content/recommendations/<slug>.md   title, action, expected_impact, owner, deadline, risk{...}
    content/investments/<slug>.md       title, cost, expected_benefit_per_year, benefit_basis, confidence, risk{...}
    content/notes/<YYYY-Www>.md         optional editorial note for that week's brief (front matter optional)

Front matter sits between a first line `---` and the next line `---`; it is read as safe YAML (a repeated key is refused)
and validated like sentinel.yaml: unknown keys are errors, and every problem in every file is reported
together in one ConfigError with the file and the key path. Slugs are file stems and must match
`^[a-z0-9][a-z0-9_-]*$` (notes: an ISO week such as `2026-W47`); other `.md` names are errors, files that
are not `.md` (and hidden files) are ignored, and symlinks leading outside `content/` are refused.
Bodies are kept as raw markdown text; rendering escapes them later. Owners are teams or roles. Front matter
and bodies pass through `model.clean_text` (no C0 controls except tab and newline, no bidi controls).

Field reference:

- postmortem: `incident` (an incident id from the data), `status` draft | in_review | published
  (default draft), `published_on` (date, with status published), `title` (optional), `action_items[]`
  {`title`, `owner`, `due` (date), `done` (bool, default false), `done_on` (date it was completed; implies
  done)}. Dates make archives read as known then: the brief of a closed period shows a postmortem as
  published (else in review), and an action item as done (else open), only when that happened by the
  period's last day; undated ones keep their current state in every brief.
- maintenance: `title`, `components[]` (configured component ids), `starts`, `ends` (timestamps; naive
  ones are read in the project timezone; ends after starts), `status` scheduled | in_progress |
  verifying | completed (optional).
- recommendation: `title`, `action`, `expected_impact`, `owner`, `deadline` (date), `proposed` (date,
  optional: briefs of periods that ended before it do not show it; without it every period shows it),
  `components[]` (optional), `risk` {`level` Low | Medium | High, `likelihood`, `impact`, `detection_time`,
  `mitigation`} — every risk field is required.
- investment: `title`, `cost` (one-off, in the configured currency), `running_cost_per_year` (default 0),
  `expected_benefit_per_year` (configured currency), `benefit_basis` (how the benefit was estimated),
  `assumptions[]`, `confidence` Low | Medium | High, `effect` (expected reliability effect), `owner`
  (optional), `proposed` (date, optional: decks of quarters that ended before it do not show it, so a
  case citing a later outage never appears in an earlier deck), `components[]` (optional), `risk` {...} as
  for recommendations.
- note: `title` (optional).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from frontmatter.default_handlers import YAMLHandler
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .config import Config, load_yaml, problems_from_validation, yaml_size_problem
from .errors import ConfigError, ConfigProblem
from .model import AICS_ROLES, INCIDENT_CLASSES, clean_text, clean_tree

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")
RESERVED = ("slug", "path", "body")
Text = Annotated[str, Field(min_length=1)]
Level = Literal["Low", "Medium", "High"]


class Item(BaseModel):
    """Fields every content item carries; set by the loader, not by front matter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str
    path: str  # relative to the project folder
    body: str


class ActionItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Text
    owner: Text = Field(description="a team or role, never a person")
    due: dt.date
    done: bool = False
    done_on: dt.date | None = None  # a completion date says it is done, with or without `done`


class Postmortem(Item):
    incident: Text
    status: Literal["draft", "in_review", "published"] = "draft"
    published_on: dt.date | None = None
    title: str | None = None
    action_items: tuple[ActionItem, ...] = ()
    # AI incident class and AICS roles (role -> team or role name), used when the incident source has none
    incident_class: str | None = Field(default=None, alias="class")
    roles: dict[str, str] = {}

    @model_validator(mode="after")
    def _published_on(self) -> Postmortem:
        if self.published_on is not None and self.status != "published":
            raise ValueError("`published_on` is given but `status` is not published")
        if self.incident_class is not None and self.incident_class not in INCIDENT_CLASSES:
            raise ValueError(
                f"unknown `class` {self.incident_class!r} (expected one of {sorted(INCIDENT_CLASSES)})"
            )
        unknown = sorted(set(self.roles) - set(AICS_ROLES))
        if unknown:
            raise ValueError(f"unknown roles {unknown} (expected some of {list(AICS_ROLES)})")
        return self


class Maintenance(Item):
    title: Text
    components: tuple[str, ...]
    starts: dt.datetime
    ends: dt.datetime
    status: Literal["scheduled", "in_progress", "verifying", "completed"] | None = None

    @model_validator(mode="after")
    def _order(self) -> Maintenance:
        if self.ends <= self.starts:
            raise ValueError("`ends` must be after `starts`")
        return self


class Risk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Level
    likelihood: Text
    impact: Text
    detection_time: Text
    mitigation: Text


class Recommendation(Item):
    title: Text
    action: Text
    expected_impact: Text
    owner: Text
    deadline: dt.date
    proposed: dt.date | None = None
    components: tuple[str, ...] = ()
    risk: Risk


class Investment(Item):
    title: Text
    cost: Annotated[float, Field(ge=0)]
    running_cost_per_year: Annotated[float, Field(ge=0)] = 0.0
    expected_benefit_per_year: Annotated[float, Field(ge=0)]
    benefit_basis: Text
    assumptions: tuple[str, ...] = ()
    confidence: Level
    effect: Text
    owner: str | None = None
    proposed: dt.date | None = None
    components: tuple[str, ...] = ()
    risk: Risk


class Note(Item):
    title: str | None = None

    @property
    def week(self) -> str:
        return self.slug


@dataclass(frozen=True)
class Content:
    postmortems: tuple[Postmortem, ...] = ()
    maintenance: tuple[Maintenance, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    investments: tuple[Investment, ...] = ()
    notes: tuple[Note, ...] = ()

    def postmortem_for(self, incident_id: str) -> Postmortem | None:
        return next((p for p in self.postmortems if p.incident == incident_id), None)

    def note_for(self, week: str) -> Note | None:
        return next((n for n in self.notes if n.slug == week), None)


KINDS: dict[str, tuple[type[Item], bool]] = {  # folder -> (model, front matter required)
    "postmortems": (Postmortem, True),
    "maintenance": (Maintenance, True),
    "recommendations": (Recommendation, True),
    "investments": (Investment, True),
    "notes": (Note, False),
}


_FRONT_MATTER = YAMLHandler()  # python-frontmatter's YAML delimiters: a first line of `---`, closed by `---`


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(front matter text or None, body), split by python-frontmatter's YAML handler (its delimiter rules:
    a `---` line opens it on the first line and the next `---` line closes it). The front matter is then
    read by config's YAML reader, not by the handler's ``load``: that reader refuses duplicate keys and
    reports the line, and the size limits (``yaml_size_problem``) apply before validation.
    Raises ValueError when the opening `---` is never closed."""
    text = text.lstrip("\ufeff")
    if not _FRONT_MATTER.detect(text):
        return None, text
    try:
        front, body = _FRONT_MATTER.split(text)
    except ValueError:  # one delimiter only
        raise ValueError("front matter opened with `---` is never closed") from None
    return _after_delimiter(front), _after_delimiter(body)


def _after_delimiter(part: str) -> str:
    """The text after a delimiter line, without the rest of that line's line break."""
    return part[2:] if part.startswith("\r\n") else part[1:] if part.startswith(("\n", "\r")) else part


def load_content(project_dir: Path, config: Config, incident_ids: set[str] | None = None) -> Content:
    """Read and validate every content file; one ConfigError lists all problems found."""
    root = Path(project_dir) / "content"
    problems: list[ConfigProblem] = []
    found: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    for kind, (model, required) in KINDS.items():
        folder = root / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.suffix != ".md" or path.is_dir():
                continue
            item = _load_item(path, project_dir, kind, model, required, config, problems)
            if item is not None:
                found[kind].append(item)
    problems.extend(_cross_check(found, config, incident_ids, project_dir))
    if problems:
        raise ConfigError(problems)
    return Content(**{kind: tuple(items) for kind, items in found.items()})


def _load_item(
    path: Path,
    project_dir: Path,
    kind: str,
    model: type[Item],
    required: bool,
    config: Config,
    problems: list[ConfigProblem],
) -> Item | None:
    rel = _rel(path, project_dir)
    stem = path.stem
    pattern = WEEK if kind == "notes" else SLUG
    if not pattern.match(stem):
        wanted = "an ISO week such as 2026-W47" if kind == "notes" else "lower-case letters, digits, - and _"
        problems.append(ConfigProblem("", f"file name {path.name!r} is not a valid slug ({wanted})", rel))
        return None
    if path.is_symlink() and not path.resolve().is_relative_to((project_dir / "content").resolve()):
        problems.append(ConfigProblem("", "symlink leads outside content/", rel))
        return None
    try:
        text = path.read_text(encoding="utf-8")
        front, body = split_front_matter(text)
        raw = load_yaml(front)[0] if front is not None else None  # duplicate keys are refused
    except RecursionError:
        problems.append(ConfigProblem("", "front matter refused: nested too deeply", rel))
        return None
    except UnicodeDecodeError as exc:
        problems.append(ConfigProblem("", f"not valid UTF-8 at byte {exc.start}", rel))
        return None
    except ValueError as exc:  # unclosed front matter
        problems.append(ConfigProblem("", str(exc), rel))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        message = problem if problem.startswith("duplicate key") else f"invalid YAML: {problem}"
        problems.append(ConfigProblem("", message, rel, line=mark.line + 2 if mark else None))
        return None
    too_big = yaml_size_problem(raw)
    if too_big:
        problems.append(ConfigProblem("", f"front matter refused: {too_big}", rel))
        return None
    raw, body = clean_tree(raw), clean_text(body)  # no control or bidi characters past this point
    if raw is None:
        if required:
            problems.append(ConfigProblem("", "front matter is missing or empty", rel))
            return None
        raw = {}
    if not isinstance(raw, dict):
        problems.append(ConfigProblem("", f"front matter must be a mapping, found {type(raw).__name__}", rel))
        return None
    reserved = [k for k in RESERVED if k in raw]
    for key in reserved:
        problems.append(ConfigProblem(str(key), "reserved key (set from the file name and body)", rel))
    if reserved:
        return None
    data = _localise(raw, config) if kind == "maintenance" else raw
    try:
        return model.model_validate({**data, "slug": stem, "path": rel, "body": body})
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, file=rel))
        return None


def _localise(raw: dict[str, Any], config: Config) -> dict[str, Any]:
    """Maintenance times without an offset are in the project timezone; all are stored in UTC."""
    out = dict(raw)
    for key in ("starts", "ends"):
        value = out.get(key)
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                continue  # pydantic reports it
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=config.tz)
            out[key] = value.astimezone(dt.UTC)
    return out


def _cross_check(
    found: dict[str, list[Any]], config: Config, incident_ids: set[str] | None, project_dir: Path
) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    known = set(config.component_ids)
    seen: dict[str, str] = {}
    for pm in found["postmortems"]:
        if incident_ids is not None and pm.incident not in incident_ids:
            problems.append(
                ConfigProblem("incident", f"no incident with id {pm.incident!r} in the data", pm.path)
            )
        if pm.incident in seen:
            problems.append(
                ConfigProblem(
                    "incident",
                    f"incident {pm.incident!r} already has a postmortem ({seen[pm.incident]})",
                    pm.path,
                )
            )
        seen.setdefault(pm.incident, pm.path)
    for kind in ("maintenance", "recommendations", "investments"):
        for item in found[kind]:
            for i, comp in enumerate(item.components):
                if comp not in known:
                    problems.append(
                        ConfigProblem(
                            f"components[{i}]",
                            f"unknown component {comp!r} (known: {sorted(known)})",
                            item.path,
                        )
                    )
    return problems


def _rel(path: Path, project_dir: Path) -> str:
    try:
        return path.relative_to(project_dir).as_posix()
    except ValueError:
        return path.as_posix()
