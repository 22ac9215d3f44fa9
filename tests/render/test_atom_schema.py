"""The built Atom feed against RFC 4287's own RELAX NG schema, with libxml2's xmllint (a real validator).

`make test` installs xmllint (Debian `libxml2-utils`) when it is missing; a missing xmllint fails these
tests with the command to install it, it never skips them. The schema is tests/fixtures/atom/atom.rng (RFC
4287 appendix B, converted from atom.rnc with trang).
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from sentinel_reports.pipeline import build_site
from tests.conftest import make_example_project

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "atom" / "atom.rng"
ATOM = "{http://www.w3.org/2005/Atom}"


def xmllint() -> str:
    found = shutil.which("xmllint")
    if not found:
        pytest.fail(
            "xmllint is missing; install it with `apt-get install -y libxml2-utils` (or `make system-deps`)"
        )
    return found


def validate(feed: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [xmllint(), "--noout", "--relaxng", str(SCHEMA), str(feed)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example project's feed built without and with site.base_url."""
    out: dict[str, Path] = {}
    for name, base in (("relative", None), ("absolute", "https://reports.example.com/ai/")):
        project = make_example_project(tmp_path_factory.mktemp(name) / "project")
        if base:
            config = yaml.safe_load((project / "sentinel.yaml").read_text(encoding="utf-8"))
            config["site"] = {**(config.get("site") or {}), "base_url": base}
            (project / "sentinel.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        build_site(project, project / "site", only="status")
        out[name] = project / "site" / "status" / "history.atom"
    return out


@pytest.mark.parametrize("name", ["relative", "absolute"])
def test_the_built_feed_is_valid_atom(feeds: dict[str, Path], name: str) -> None:
    result = validate(feeds[name])
    assert result.returncode == 0, result.stderr
    assert "validates" in result.stderr


@pytest.mark.parametrize("name", ["relative", "absolute"])
def test_schematron_rules_of_the_schema_hold(feeds: dict[str, Path], name: str) -> None:
    root = ET.parse(feeds[name]).getroot()
    entries = root.findall(f"{ATOM}entry")
    assert entries
    feed_author = root.find(f"{ATOM}author") is not None
    for entry in entries:
        assert feed_author or entry.find(f"{ATOM}author") is not None
        links = [link.get("rel", "alternate") for link in entry.findall(f"{ATOM}link")]
        assert "alternate" in links or entry.find(f"{ATOM}content") is not None


def test_with_base_url_every_link_is_absolute(feeds: dict[str, Path]) -> None:
    root = ET.parse(feeds["absolute"]).getroot()
    hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert hrefs and all(h.startswith("https://reports.example.com/ai/status/") for h in hrefs), hrefs
    self_link = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
    assert self_link.get("href") == "https://reports.example.com/ai/status/history.atom"


def test_the_validator_rejects_a_feed_that_breaks_the_schema(feeds: dict[str, Path], tmp_path: Path) -> None:
    text = feeds["relative"].read_text(encoding="utf-8")
    for name, broken in {
        "no-id": text.replace(text[text.index("<id>") : text.index("</id>") + 5], "", 1),
        "bad-date": text.replace("<updated>", "<updated>yesterday ", 1),
        "link-without-href": text.replace(
            'rel="self" type="application/atom+xml" href=', 'rel="self" data-href=', 1
        ),
    }.items():
        assert broken != text, name
        path = tmp_path / f"{name}.atom"
        path.write_text(broken, encoding="utf-8")
        result = validate(path)
        assert result.returncode != 0 and "fails to validate" in result.stderr, (name, result.stderr)


def test_check_warns_when_the_feed_has_no_base_url(feeds: dict[str, Path]) -> None:
    from typer.testing import CliRunner

    from sentinel_reports.cli import app

    for name, warned in (("relative", True), ("absolute", False)):
        project = feeds[name].parents[2]
        result = CliRunner().invoke(app, ["--quiet", "check", "-p", str(project)], terminal_width=200)
        assert result.exit_code == 0, result.output
        lines = [line for line in result.output.splitlines() if "site.base_url" in line]
        assert bool(lines) == warned, result.output
        if warned:
            assert "sentinel.yaml" in lines[0] and "Atom feed" in lines[0] and "relative" in lines[0]
