"""sentinel.yaml validation: every problem reported at once, with key paths; unknown keys rejected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel_reports.config import format_duration, load_config, parse_duration
from sentinel_reports.errors import ConfigError
from tests.fuzzing import examples

MINIMAL = {
    "organization": "Acme AI Platform",
    "components": [
        {
            "id": "chat-api",
            "name": "Assistant Chat API",
            "customer_facing": True,
            "tier": 1,
            "owner": "Platform team",
        }
    ],
    "slos": [
        {
            "name": "chat-api-availability",
            "component": "chat-api",
            "objective": 0.995,
            "window": "28d",
            "indicator": {"ratio": {"good": "requests_good", "total": "requests_total"}},
        }
    ],
}


def write(tmp_path: Path, doc: object) -> Path:
    (tmp_path / "sentinel.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return tmp_path


def test_minimal_config_gets_spec_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    assert config.timezone == "UTC"
    assert config.currency == "USD"
    assert config.gaps.min_duration == dt.timedelta(minutes=15)
    assert config.gaps.stale_after == dt.timedelta(hours=2)
    assert config.gaps.min_coverage == 0.95
    assert [(r.long, r.short, r.burn) for r in config.alerts.page] == [
        (dt.timedelta(hours=1), dt.timedelta(minutes=5), 14.4),
        (dt.timedelta(hours=6), dt.timedelta(minutes=30), 6),
    ]
    assert config.slos[0].window == dt.timedelta(days=28)
    assert config.slos[0].budgeting_method == "occurrences"
    assert config.narrator.kind == "template"


def test_every_problem_is_reported_together_with_its_key_path(tmp_path: Path) -> None:
    doc = {
        **MINIMAL,
        "timezon": "UTC",  # typo: unknown key
        "currency": "dollars",
        "slos": [{**MINIMAL["slos"][0], "objective": 1.5, "component": "nope"}],
        "gaps": {"min_duration": "fifteen minutes"},
    }
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, doc))
    paths = {p.path for p in err.value.problems}
    assert {"timezon", "currency", "slos[0].objective", "gaps.min_duration"} <= paths
    assert any("unknown key" in p.message for p in err.value.problems if p.path == "timezon")
    assert "sentinel.yaml" in str(err.value)


def test_cross_references_are_checked(tmp_path: Path) -> None:
    doc = {**MINIMAL, "business": {"revenue_at_risk_per_minute": {"ghost": 10}}}
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, doc))
    messages = {p.path: p.message for p in err.value.problems}
    assert "unknown component 'ghost'" in messages["business.revenue_at_risk_per_minute.ghost"]
    assert "source" in messages["business.assumptions_source"]


def test_slo_for_unknown_component_lists_known_ones(tmp_path: Path) -> None:
    doc = {**MINIMAL, "slos": [{**MINIMAL["slos"][0], "component": "chat"}]}
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, doc))
    assert "chat-api" in err.value.problems[0].message


@pytest.mark.parametrize(
    "text",
    ["organization: [unclosed", "- just\n- a list\n", ""],
)
def test_unreadable_yaml_is_a_config_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "sentinel.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(tmp_path)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path)


def test_bad_timezone_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, {**MINIMAL, "timezone": "Mars/Olympus"}))
    assert err.value.problems[0].path == "timezone"


def test_component_ids_cannot_traverse_paths(tmp_path: Path) -> None:
    doc = {**MINIMAL, "components": [{**MINIMAL["components"][0], "id": "../etc"}]}
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, doc))
    assert any(p.path == "components[0].id" for p in err.value.problems)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("5m", 300), ("1h", 3600), ("28d", 28 * 86400), ("2w", 14 * 86400), (90, 90)],
)
def test_durations(text: object, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["28 days", "1M", "", "-5m", True])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@settings(max_examples=examples(100), deadline=None)
@given(st.integers(min_value=1, max_value=10_000_000))
def test_duration_formatting_round_trips(seconds: int) -> None:
    td = dt.timedelta(seconds=seconds)
    assert parse_duration(format_duration(td)) == td


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(3)//",
        "JavaScript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/",
        "vbscript:msgbox",
        "//evil.example/",
        "https://",
        "https://ok.example/ x",
        'https://ok.example/"onmouseover=',
        "ftp://files.example/",
    ],
)
def test_base_url_other_than_http_or_relative_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, {**MINIMAL, "site": {"base_url": url}}))
    assert "site.base_url" in str(err.value) and "expected an http(s) URL" in str(err.value)


@pytest.mark.parametrize(
    "url", ["https://reports.example.com/ai/", "http://localhost:8000", "/reports/", "reports/", "../"]
)
def test_base_url_http_or_relative_is_kept(tmp_path: Path, url: str) -> None:
    assert load_config(write(tmp_path, {**MINIMAL, "site": {"base_url": url}})).site.base_url == url


def test_control_and_bidi_characters_are_stripped_from_every_config_string(tmp_path: Path) -> None:
    doc = {**MINIMAL, "organization": "Acme\x00 AI\u202e Platform\x1b", "components": [
        {**MINIMAL["components"][0], "name": "Chat\u2066 API\x07", "owner": "Platform\r\nteam\x7f"}
    ]}  # fmt: skip
    config = load_config(write(tmp_path, doc))
    assert config.organization == "Acme AI Platform"
    assert (config.components[0].name, config.components[0].owner) == ("Chat API", "Platform\nteam")
    assert load_config(write(tmp_path, MINIMAL)).content.allow_remote_images is False
