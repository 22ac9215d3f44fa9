"""Secrets from the environment never reach site/, the manifest, the .sentinel cache or the command output.

The build runs with canary values in the Anthropic key variable and the SMTP username/password variables the
config names (narrator template: no request leaves the machine). The Claude narrator is exercised directly
with a canary key against recorded replies (MockTransport), including refusals whose reasons are logged.
"""

from __future__ import annotations

import base64
import json
import socket
import urllib.parse
from pathlib import Path

import pytest

from tests.integrity import hostile_corpus as hc
from tests.integrity.conftest import run_cli

API_KEY = "sk-ant-api03-INTEGRITY-CANARY-5b1f0e77-do-not-publish"
SMTP_USER = "smtp-user-CANARY-41d2"
SMTP_PASSWORD = "smtp-pass-CANARY-9c8e-do-not-publish"
CANARIES = (API_KEY, SMTP_PASSWORD)
REPLIES = Path(__file__).resolve().parents[1] / "fixtures" / "anthropic_replies"


def encodings(secret: str) -> list[bytes]:
    """The secret as it could appear in a file: plain, URL-quoted, base64 (SMTP AUTH), JSON-escaped."""
    raw = secret.encode()
    return [raw, urllib.parse.quote(secret).encode(), base64.b64encode(raw), json.dumps(secret).encode()]


def leaks(root: Path) -> list[str]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [
            f"{path}: {secret[:12]}…" for secret in CANARIES for enc in encodings(secret) if enc in data
        ]
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def project(module_tmp: Path) -> Path:
    root = hc.new_project(module_tmp / "project")
    doc = hc.load_config(root)
    doc["narrator"] = {"kind": "template", "api_key_env": "SENTINEL_TEST_ANTHROPIC_KEY"}
    doc["email"] = {
        "from": "Sentinel <sentinel@example.com>",
        "to": ["leadership@example.com"],
        "smtp": {"host": "127.0.0.1", "port": free_port(), "starttls": False, "timeout_seconds": 2,
                 "username_env": "SENTINEL_TEST_SMTP_USER", "password_env": "SENTINEL_TEST_SMTP_PASSWORD"},
    }  # fmt: skip
    hc.save_config(root, doc)
    return root


ENV = {
    "SENTINEL_TEST_ANTHROPIC_KEY": API_KEY,
    "ANTHROPIC_API_KEY": API_KEY,
    "SENTINEL_TEST_SMTP_USER": SMTP_USER,
    "SENTINEL_TEST_SMTP_PASSWORD": SMTP_PASSWORD,
}


@pytest.fixture(scope="module")
def outputs(project: Path, module_tmp: Path) -> dict[str, str]:
    site = module_tmp / "site"
    runs = {
        "build": run_cli("build", "--project", str(project), "--out", str(site), "--only", "brief,status", env=ENV),
        "check": run_cli("check", "--project", str(project), "--json", env=ENV),
        "dry-run": run_cli("send", "--week", "2026-W47", "--project", str(project), "--dry-run", env=ENV),
        "send": run_cli("send", "--week", "2026-W47", "--project", str(project), env=ENV),
        "verify": run_cli("verify", str(site), env=ENV),
    }  # fmt: skip
    assert runs["build"].exit_code == 0, runs["build"].output
    assert runs["dry-run"].exit_code == 0 and "leadership@example.com" in runs["dry-run"].output
    assert runs["send"].exit_code == 1 and "Traceback" not in runs["send"].output  # nothing listens there
    return {
        name: r.output + "".join(map(repr, [r.exception] if r.exception else [])) for name, r in runs.items()
    }


@pytest.mark.parametrize("command", ["build", "check", "dry-run", "send", "verify"])
def test_command_output_holds_no_secret(outputs: dict[str, str], command: str) -> None:
    text = outputs[command].encode()
    assert [s[:12] for s in CANARIES for enc in encodings(s) if enc in text] == []


@pytest.mark.parametrize("where", ["site", ".sentinel"])
def test_files_hold_no_secret(outputs: dict[str, str], project: Path, module_tmp: Path, where: str) -> None:
    root = module_tmp / "site" if where == "site" else project / ".sentinel"
    assert any(root.rglob("*"))
    assert leaks(root) == []


def test_manifest_records_no_environment(outputs: dict[str, str], module_tmp: Path) -> None:
    manifest = json.loads((module_tmp / "site/manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) == {"generator", "version", "as_of", "build", "inputs", "outputs", "narrator"}
    assert manifest["narrator"] == {"kind": "template", "usage": {}, "cost": 0.0}


# -- the Claude narrator with a canary key ---------------------------------------------------------------


def test_claude_narrator_keeps_the_key_out_of_cache_results_and_reasons(tmp_path: Path) -> None:
    try:
        import httpx2 as http
    except ImportError:  # pragma: no cover - older SDKs run on httpx
        import httpx as http  # type: ignore[no-redef]

    from sentinel_reports.cache.drafts import DraftCache
    from sentinel_reports.config import Narrator, Price
    from sentinel_reports.narrative.claude import ClaudeNarrator
    from tests.narrative.conftest import WEEK_FACTS

    answers = [(401, "authentication_error.json"), (500, "api_error.json"), (200, "accepted.json")]
    seen: list[str] = []

    def handler(request):  # type: ignore[no-untyped-def]
        seen.append(json.dumps(dict(request.headers)))
        status, name = answers.pop(0) if answers else (200, "accepted.json")
        return http.Response(status, json=json.loads((REPLIES / name).read_text(encoding="utf-8")))

    model = "claude-sonnet-4-6"
    narrator = ClaudeNarrator(
        Narrator(kind="claude", model=model),
        {f"anthropic/{model}": Price(input=3.0, output=15.0, cache_read=0.3, cache_write_5m=3.75, source="t")},
        api_key=API_KEY, cache=DraftCache(tmp_path / "drafts"), sleep=lambda _s: None,
        http_client=http.Client(transport=http.MockTransport(handler)),
    )  # fmt: skip
    summary = "**Current AI Platform Status: Degraded** | Error budget remaining: 41% | 3 active alerts (2 informational)"
    results = [
        narrator.draft(section, WEEK_FACTS, summary, "Executive summary.")
        for section in ("executive-summary", "cost", "incidents", "quality")
    ]
    assert seen and all(API_KEY in h for h in seen)  # the key did travel, in the request headers
    texts = [repr(results), json.dumps(narrator.usage_report()), *(r.reason for r in results)]
    texts += [p.read_text(encoding="utf-8") for p in (tmp_path / "drafts").rglob("*") if p.is_file()]
    assert [t[:80] for t in texts if any(enc.decode() in t for enc in encodings(API_KEY))] == []
    assert any(r.reason for r in results)  # refusals were explained (and the explanations checked above)
