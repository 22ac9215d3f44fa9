"""AI incident class and AICS roles, read from an incident's custom fields, tags or columns.

    with_ai_fields(incident, fields, ctx, file=..., row=...)   the incident with `incident_class` and `roles`

`fields` maps a field name (a custom field of PagerDuty or incident.io, a CSV column, a `key:value` tag) to
its values. The class comes from a field named `class`, `ai_class`, `incident_class` or `AI incident class`;
the words of `model.INCIDENT_CLASSES` and common synonyms are understood (`hallucination` → quality
regression, `jailbreak` → safety, `pii` → data exposure, …). An unknown class is a SourceError naming the
file, row and field, so a typo never hides a safety incident.

Roles come from fields named after an AICS role (`Incident Commander`, `incident_commander`, `Model SME`,
`Safety Officer`, …). A role is filled by a team or role name, never a person: a value is kept only when it
names a component owner, a team of `teams:` (or one of its aliases) or a name in `incidents.role_holders`;
any other value is dropped without being repeated anywhere (it may be a person's name) and counted.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..config import Config
from ..errors import SourceError
from ..model import AICS_ROLES, INCIDENT_CLASSES, Incident

CLASS_FIELDS = ("class", "ai class", "incident class", "ai incident class")
CLASS_WORDS: dict[str, str] = {
    **{k.replace("_", " "): k for k in INCIDENT_CLASSES},
    **{v: k for k, v in INCIDENT_CLASSES.items()},
    "hallucination": "quality_regression", "quality": "quality_regression", "quality regression": "quality_regression",
    "toxicity": "safety", "jailbreak": "safety", "prompt injection": "safety",
    "pii": "data_exposure", "pii exposure": "data_exposure", "data leak": "data_exposure", "privacy": "data_exposure",
    "data exposure": "data_exposure", "model outage": "provider_outage", "provider outage": "provider_outage",
    "provider": "provider_outage", "model drift": "drift", "data drift": "drift", "cost": "cost_runaway",
    "runaway cost": "cost_runaway", "infra": "infrastructure", "classic": "infrastructure",
}  # fmt: skip
ROLE_WORDS: dict[str, str] = {
    **{k.replace("_", " "): k for k in AICS_ROLES},
    **{v.lower(): k for k, v in AICS_ROLES.items()},
    "ic": "incident_commander", "model subject matter expert": "model_sme", "comms lead": "communications_lead",
}  # fmt: skip


def _norm(text: Any) -> str:
    return re.sub(r"[\s_\-]+", " ", str(text)).strip().casefold()


def role_holders(config: Config) -> dict[str, str]:
    """Names that may hold a role (case-insensitive key → configured spelling)."""
    names = [c.owner for c in config.components] + list(config.incidents.role_holders)
    for team, aliases in config.teams.items():
        names.append(team)
        names.extend(aliases)
    out: dict[str, str] = {}
    for name in names:
        out.setdefault(_norm(name), name)
    for team, aliases in config.teams.items():  # an alias stands for its team
        for alias in aliases:
            out[_norm(alias)] = team
    return out


def tag_fields(tags: Iterable[Any]) -> dict[str, list[str]]:
    """`key:value` (or `key=value`) tags as fields; other tags are ignored."""
    out: dict[str, list[str]] = {}
    for tag in tags:
        text = str(tag)
        match = re.match(r"^\s*([^:=]+?)\s*[:=]\s*(.+?)\s*$", text)
        if match:
            out.setdefault(match.group(1), []).append(match.group(2))
    return out


def parse_class(value: Any, *, file: str, row: int | None, column: str) -> str | None:
    text = _norm(value) if value is not None else ""
    if not text:
        return None
    found = CLASS_WORDS.get(text)
    if found is None:
        raise SourceError(
            file, "unknown AI incident class", row=row, column=column,
            expected=f"one of {sorted(INCIDENT_CLASSES)} (or a synonym, docs/sources.md)", found=value,
        )  # fmt: skip
    return found


def with_ai_fields(
    incident: Incident,
    fields: Mapping[str, Iterable[Any]],
    config: Config,
    *,
    file: str,
    row: int | None,
    dropped: list[str] | None = None,
) -> Incident:
    """``incident`` with the class and roles its fields carry; ``dropped`` collects role names refused."""
    holders = role_holders(config)
    incident_class, roles = incident.incident_class, dict(incident.roles)
    for name, values in fields.items():
        key = _norm(name)
        values = [
            v for v in (values if isinstance(values, list | tuple) else [values]) if v not in (None, "")
        ]
        if not values:
            continue
        if key in CLASS_FIELDS:
            incident_class = parse_class(values[0], file=file, row=row, column=str(name)) or incident_class
        elif key in ROLE_WORDS:
            holder = holders.get(_norm(values[0]))
            if holder is None:
                if dropped is not None:
                    dropped.append(AICS_ROLES[ROLE_WORDS[key]])
                continue
            roles[ROLE_WORDS[key]] = holder
    ordered = tuple((r, roles[r]) for r in AICS_ROLES if r in roles)
    if incident_class == incident.incident_class and ordered == incident.roles:
        return incident
    return dataclasses.replace(incident, incident_class=incident_class, roles=ordered)


def dropped_warning(dropped: list[str]) -> list[str]:
    if not dropped:
        return []
    return [
        f"{len(dropped)} AICS role values that name no configured team or role holder were dropped "
        f"(roles: {sorted(set(dropped))}); a role is held by a team or role name, never a person"
    ]


def pagerduty_fields(rec: Mapping[str, Any]) -> dict[str, list[Any]]:
    """PagerDuty custom fields (`custom_fields`: a list of {name|display_name, value} or an object) and tags."""
    out: dict[str, list[Any]] = {}
    custom = rec.get("custom_fields")
    if isinstance(custom, dict):
        for k, v in custom.items():
            out.setdefault(str(k), []).extend(v if isinstance(v, list) else [v])
    elif isinstance(custom, list):
        for item in custom:
            if isinstance(item, dict):
                name = item.get("name") or item.get("display_name")
                value = item.get("value")
                if name is not None:
                    out.setdefault(str(name), []).extend(value if isinstance(value, list) else [value])
    tags = rec.get("tags")
    if isinstance(tags, list):
        for k, v in tag_fields(t.get("label") if isinstance(t, dict) else t for t in tags).items():
            out.setdefault(k, []).extend(v)
    return out


def incidentio_fields(rec: Mapping[str, Any]) -> dict[str, list[Any]]:
    """incident.io `custom_field_entries` by field name (option value, catalog entry name or text).
    `incident_role_assignments` are never read: their assignees are people."""
    out: dict[str, list[Any]] = {}
    for entry in rec.get("custom_field_entries") or []:
        field = entry.get("custom_field") if isinstance(entry, dict) else None
        if not isinstance(field, dict) or not isinstance(field.get("name"), str):
            continue
        values = out.setdefault(field["name"], [])
        for value in entry.get("values") or []:
            if not isinstance(value, dict):
                continue
            option, catalog = value.get("value_option"), value.get("value_catalog_entry")
            if isinstance(catalog, dict) and catalog.get("name"):
                values.append(catalog["name"])
            elif isinstance(option, dict) and option.get("value"):
                values.append(option["value"])
            elif value.get("value_text"):
                values.append(value["value_text"])
    return out
