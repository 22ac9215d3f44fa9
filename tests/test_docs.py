"""Documentation that tests itself: every config key and CLI command that exists is documented."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from sentinel_reports.cli import app
from sentinel_reports.config import Config

REPO = Path(__file__).resolve().parents[1]


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out = []
    for arg in typing.get_args(annotation):
        out.extend(_models(arg))
    return out


def config_keys(model: type[BaseModel] = Config, seen: set[type] | None = None) -> set[str]:
    seen = seen or set()
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        keys.add(field.alias or name)
        for sub in _models(field.annotation):
            if sub not in seen:
                seen.add(sub)
                keys |= config_keys(sub, seen)
    return keys


def test_every_config_key_is_documented() -> None:
    doc = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_0-9]+)`", doc))
    missing = sorted(config_keys() - documented)
    assert not missing, f"keys missing from docs/configuration.md: {missing}"


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    import typer.main

    group = typer.main.get_command(app)
    commands = sorted(group.commands)  # type: ignore[attr-defined]
    assert commands
    missing = [c for c in commands if f"`sentinel {c}" not in readme]
    assert not missing, f"commands missing from README.md: {missing}"


def test_readme_gives_the_two_setup_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
