"""`sentinel pull` from recorded vendor replies (`httpx2.MockTransport`, see `vendors.py`): the files match
hand-made exports of the same data, pagination is followed, 429 and 5xx are retried, 4xx is a clear error,
a failure keeps the days already fetched, a second pull fetches only the incomplete last day, and the
credential never reaches a file, a message or a log."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from sentinel_reports.cli import app
from sentinel_reports.config import load_config
from sentinel_reports.errors import UsageError
from sentinel_reports.project import load_project, open_project
from sentinel_reports.pull.http import Client, PullError, retry_after
from sentinel_reports.pull.prometheus import MAX_POINTS, ranges
from sentinel_reports.pull.run import default_since, pull_sources

from . import vendors as v

SOURCES = {
    # id: (type, path, extra options, pull block, fake class, export)
    "prom": ("prometheus", "data/prometheus/requests_total/*.json",
             {"signal": "requests_total", "values": "increase", "components": {"chat": "chat-api", "rag": "rag-api"}},
             {"url": "https://prometheus.test", "query": "sum by (service) (increase(http_requests_total[5m]))",
              "step": "5m", "token_env": "PROM_TOKEN"}),
    "dd": ("datadog_slo_history", "data/datadog/*.json", {"component": "chat-api"},
           {"slo_id": "slo-abc123", "base_url": "https://datadog.test"}),
    "anth-usage": ("anthropic_usage_report", "data/anthropic/usage/*.json",
                   {"workspaces": {"wrkspc_chat": "chat-api", "default": "rag-api"}},
                   {"base_url": "https://anthropic.test"}),
    "anth-cost": ("anthropic_cost_report", "data/anthropic/cost_report*.json",
                  {"workspaces": {"wrkspc_chat": "chat-api", "default": "rag-api"}},
                  {"base_url": "https://anthropic.test"}),
    "oai-usage": ("openai_usage", "data/openai/usage/*.json",
                  {"projects": {"proj_chat": "chat-api", "default": "rag-api"}}, {"base_url": "https://openai.test"}),
    "oai-cost": ("openai_costs", "data/openai/costs/*.json",
                 {"projects": {"proj_chat": "chat-api", "default": "rag-api"}}, {"base_url": "https://openai.test"}),
    "pd": ("pagerduty", "data/incidents/pagerduty/*.json",
           {"services": {"PCHAT": "chat-api", "PRAG": "rag-api"}}, {"base_url": "https://pagerduty.test"}),
    "inc": ("incidentio", "data/incidents/incidentio/*.json",
            {"components_field": "Affected services", "services": {"Chat API": "chat-api", "Knowledge Search": "rag-api"}},
            {"base_url": "https://incident.test"}),
}  # fmt: skip
FAKES = {"prom": v.Prometheus, "dd": v.Datadog, "anth-usage": v.Anthropic, "anth-cost": v.Anthropic,
         "oai-usage": v.OpenAI, "oai-cost": v.OpenAI, "pd": v.PagerDuty, "inc": v.IncidentIo}  # fmt: skip
ENV = {
    "PROM_TOKEN": v.CANARY, "DD_API_KEY": v.CANARY, "DD_APP_KEY": "app-" + v.CANARY,
    "ANTHROPIC_ADMIN_KEY": v.CANARY, "OPENAI_ADMIN_KEY": v.CANARY, "PAGERDUTY_TOKEN": v.CANARY,
    "INCIDENTIO_API_KEY": v.CANARY,
}  # fmt: skip
DAYS = ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"]


def write_project(root: Path, ids: list[str], *, pull: bool = True, overrides: dict | None = None) -> Path:
    sources = []
    for sid in ids:
        kind, path, options, block = SOURCES[sid]
        entry: dict[str, Any] = {"id": sid, "type": kind, "path": path, **options}
        if pull:
            entry["pull"] = {**block, **(overrides or {})}
        sources.append(entry)
    doc = {
        "organization": "Pull Test",
        "components": [
            {"id": "chat-api", "name": "Chat API", "owner": "Chat team", "expects": ["availability"]},
            {
                "id": "rag-api",
                "name": "Knowledge Search",
                "owner": "Search team",
                "expects": ["availability"],
            },
        ],
        "sources": sources,
    }
    root.mkdir(parents=True, exist_ok=True)
    (root / "sentinel.yaml").write_text(json.dumps(doc, indent=1), encoding="utf-8")  # JSON is YAML
    return root


def pull(root: Path, fake: v.Fake, *, now: dt.datetime = v.NOW, env: dict | None = None, **kw: Any) -> Any:
    sleeps: list[float] = []
    lines: list[str] = []
    report = pull_sources(
        load_project(root), since=dt.date(2026, 11, 16), now=now, env=ENV if env is None else env,
        transport=fake.transport(), sleep=sleeps.append, echo=lines.append, **kw,
    )  # fmt: skip
    report.sleeps, report.lines = sleeps, lines  # type: ignore[attr-defined]
    return report


def handmade(root: Path, sid: str, fake: v.Fake) -> None:
    kind, path, _, _ = SOURCES[sid]
    target = root / path.replace("*", "export")
    if sid in ("anth-usage", "oai-usage"):
        fake.export("usage", target)  # type: ignore[attr-defined]
    elif sid in ("anth-cost", "oai-cost"):
        fake.export("cost", target)  # type: ignore[attr-defined]
    else:
        fake.export(target)  # type: ignore[attr-defined]


def dataset(root: Path) -> Any:
    return open_project(root, as_of=v.NOW, use_cache=False).dataset


def frame(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("sid", list(SOURCES))
def test_a_pull_gives_the_data_of_a_hand_made_export(sid: str, tmp_path: Path) -> None:
    fake = FAKES[sid]()
    pulled = write_project(tmp_path / "pulled", [sid])
    report = pull(pulled, fake)
    assert not report.failed, report.summary()
    kind, path, _, _ = SOURCES[sid]
    files = sorted(p.name for p in (pulled / path).parent.glob(Path(path).name))
    assert files == [Path(path).name.replace("*", d) for d in DAYS]
    by_hand = write_project(tmp_path / "by-hand", [sid], pull=False)
    handmade(by_hand, sid, FAKES[sid]())
    a, b = dataset(pulled), dataset(by_hand)
    assert len(a.samples) + len(a.costs) + len(a.incidents) > 0
    pd.testing.assert_frame_equal(
        frame(a.samples, ["ts", "component", "signal"]), frame(b.samples, ["ts", "component", "signal"])
    )
    pd.testing.assert_frame_equal(
        frame(a.costs, ["day", "component", "model"]), frame(b.costs, ["day", "component", "model"])
    )
    assert sorted(a.incidents, key=lambda i: i.id) == sorted(b.incidents, key=lambda i: i.id)
    # and the facts of the week computed from either are the same, apart from which files they cite
    fa, fb = (CliRunner().invoke(app, ["facts", "--project", str(p), "--week", "2026-W47", "--as-of",
                                       v.NOW.isoformat()]) for p in (pulled, by_hand))  # fmt: skip
    assert fa.exit_code == 0 and fb.exit_code == 0, (fa.output, fb.output)
    assert _without_files(json.loads(fa.stdout)) == _without_files(json.loads(fb.stdout))


def _without_files(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {
            k: _without_files(x)
            for k, x in doc.items()
            if k not in ("files", "inputs", "sha256", "path", "rows", "file_count", "more_files")
        }
    if isinstance(doc, list):
        return [_without_files(x) for x in doc]
    return doc


def test_pagination_is_followed(tmp_path: Path) -> None:
    for sid, path_part, least in (("anth-usage", "/usage_report/", 5), ("oai-usage", "/usage/", 5),
                                  ("pd", "/incidents", 4), ("inc", "/v2/incidents", 4)):  # fmt: skip
        fake = FAKES[sid]()
        root = write_project(tmp_path / sid, [sid])
        assert not pull(root, fake).failed
        pages = [r for r in fake.requests if path_part in r[1]]
        assert len(pages) >= least, (sid, len(pages))
        cursors = [r[2].get("page") or r[2].get("after") or r[2].get("offset") for r in pages]
        assert any(c not in (None, ["0"]) for c in cursors), sid  # a next page was asked for


def test_the_incident_files_hold_no_person(tmp_path: Path) -> None:
    root = write_project(tmp_path, ["pd", "inc"])
    assert not pull(root, v.PagerDuty(), only=["pd"]).failed
    assert not pull(root, v.IncidentIo(), only=["inc"]).failed
    text = "".join(p.read_text() for p in (root / "data").rglob("*.json"))
    for name in ("Dana Whitfield", "Priya Raman", "priya.raman@example.com", "Jordan Lee"):
        assert name not in text


def test_prometheus_chunks_a_day_under_the_points_limit(tmp_path: Path) -> None:
    fake = v.Prometheus()
    root = write_project(tmp_path, ["prom"], overrides={"step": "5s"})
    report = pull(root, fake, now=dt.datetime(2026, 11, 17, tzinfo=dt.UTC))
    assert not report.failed, report.summary()
    assert len(fake.requests) == 2  # 17,280 steps in 2026-11-16: two requests (2026-11-17 has not begun)
    doc = json.loads((root / "data/prometheus/requests_total/2026-11-16.json").read_text())
    values = doc["data"]["result"][0]["values"]
    assert (
        len(values) == 17_280
        and values[0][0] == v.DAY0.timestamp() + 5
        and len({t for t, _ in values}) == 17_280
    )
    assert all((b - a) / 5 + 1 <= MAX_POINTS for a, b in ranges(0, 86_400, 5))


def test_429_honours_retry_after_and_500_backs_off(tmp_path: Path) -> None:
    fake = v.Datadog()
    fake.script = [(429, {"Retry-After": "7"}), 500, 502]
    root = write_project(tmp_path, ["dd"])
    report = pull(root, fake)
    assert not report.failed, report.summary()
    assert report.sleeps == [7.0, 2.0, 4.0]  # Retry-After, then backoff (attempts 2 and 3)
    assert len(fake.requests) == 3 + len(DAYS)


def test_retry_after_as_an_http_date() -> None:
    assert retry_after("Thu, 19 Nov 2026 12:00:30 GMT", now=lambda: v.NOW.timestamp()) == 30.0
    assert retry_after("soon") is None


def test_401_is_a_clear_error_naming_source_path_and_status(tmp_path: Path) -> None:
    root = write_project(tmp_path, ["anth-usage"])
    report = pull(root, v.Anthropic(key="another-key"))
    [failed] = report.failed
    assert failed.error.startswith("anth-usage: GET /v1/organizations/usage_report/messages returned 401")
    assert "ANTHROPIC_ADMIN_KEY" in failed.error and v.CANARY not in failed.error
    assert failed.requests == 1  # a 4xx is not retried


def test_retries_exhausted_keeps_the_days_already_fetched_and_a_resumed_pull_asks_only_for_the_rest(
    tmp_path: Path,
) -> None:
    fake = v.PagerDuty()
    fake.fail_from = dt.datetime(2026, 11, 18, tzinfo=dt.UTC).timestamp()
    root = write_project(tmp_path, ["pd"], overrides={"max_retries": 2})
    report = pull(root, fake)
    [failed] = report.failed
    assert "GET /incidents failed after 3 attempts: 503" in failed.error
    folder = root / "data/incidents/pagerduty"
    assert sorted(p.stem for p in folder.glob("*.json")) == ["2026-11-16", "2026-11-17"]
    kept = {p.name: p.read_bytes() for p in folder.glob("*.json")}
    healthy = v.PagerDuty()
    again = pull(root, healthy)
    assert not again.failed
    asked = [r[2]["since"][0][:10] for r in healthy.requests if r[1] == "/incidents"]
    assert sorted(set(asked)) == ["2026-11-18", "2026-11-19"]
    assert {p.name: p.read_bytes() for p in folder.glob("*.json") if p.name in kept} == kept


def test_a_second_pull_fetches_only_the_incomplete_last_day(tmp_path: Path) -> None:
    ids = ["prom", "dd", "anth-usage", "oai-cost"]
    root = write_project(tmp_path, ids)
    fakes = {sid: FAKES[sid]() for sid in ids}
    for sid in ids:
        assert not pull(root, fakes[sid], only=[sid]).failed
    later = v.NOW + dt.timedelta(minutes=10)
    for sid in ids:
        fake = FAKES[sid]()
        report = pull(root, fake, now=later, only=[sid])
        assert report.sources[0].skipped == 3, sid
        days = {_day(r[2]) for r in fake.requests}
        assert days == {"2026-11-19"}, (sid, days)
        first_day_requests = [r for r in fakes[sid].requests if _day(r[2]) == "2026-11-19"]
        assert len(fake.requests) == len(first_day_requests), sid


def _day(query: dict[str, list[str]]) -> str:
    for key in ("start", "from_ts", "starting_at", "start_time", "since"):
        if key in query:
            t = v.ts(query[key][0])
            return dt.datetime.fromtimestamp(t - (300 if key == "start" else 0), dt.UTC).date().isoformat()
    raise AssertionError(query)


def test_an_open_incident_keeps_its_day_incomplete(tmp_path: Path) -> None:
    root = write_project(tmp_path, ["inc"])
    until = dt.date(2026, 11, 23)
    pull(root, v.IncidentIo(), now=dt.datetime(2026, 11, 25, tzinfo=dt.UTC), until=until)
    fake = v.IncidentIo()
    pull(root, fake, now=dt.datetime(2026, 11, 26, tzinfo=dt.UTC), until=until)
    asked = {r[2]["created_at[date_range]"][0] for r in fake.requests}
    assert asked == {"2026-11-19~2026-11-19"}  # only the day whose incident is still live


def test_the_credential_never_reaches_a_file_message_or_log(tmp_path: Path, caplog, capsys) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    root = write_project(tmp_path, list(SOURCES))
    lines: list[str] = []
    for sid in SOURCES:
        fake = FAKES[sid]()
        fake.script = [429, 500] if sid != "anth-cost" else [401]  # the 401 reply echoes the key
        report = pull(root, fake, only=[sid])
        lines += report.lines + report.summary()
    assert any("401" in line for line in lines)
    shown = "\n".join(lines) + caplog.text + "".join(capsys.readouterr())
    assert v.CANARY not in shown
    for path in root.rglob("*"):
        if path.is_file():
            assert v.CANARY.encode() not in path.read_bytes(), path


def test_a_missing_credential_fails_that_source_only(tmp_path: Path) -> None:
    root = write_project(tmp_path, ["dd", "oai-usage"])
    env = {k: x for k, x in ENV.items() if k != "DD_APP_KEY"}
    fake = v.Fake()
    report = pull_sources(load_project(root), since=dt.date(2026, 11, 18), now=v.NOW, env=env,
                          transport=v.OpenAI().transport(), sleep=lambda _s: None)  # fmt: skip
    [failed] = report.failed
    assert (
        failed.source_id == "dd"
        and "environment variable DD_APP_KEY (pull.app_key_env) is not set" in failed.error
    )
    assert len(report.sources[1].written) == 2 and not fake.requests


def test_cli_pull_exits_1_with_a_summary_and_keeps_going(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = write_project(tmp_path, ["dd", "pd"])
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["pull", "--project", str(root), "--since", "2026-11-16"])
    assert result.exit_code == 1, result.output
    assert "2 sources failed" in result.output and "Traceback" not in result.output
    assert "environment variable DD_API_KEY (pull.api_key_env) is not set" in result.output
    assert "environment variable PAGERDUTY_TOKEN (pull.token_env) is not set" in result.output
    unknown = CliRunner().invoke(app, ["pull", "--project", str(root), "--source", "nope"])
    assert unknown.exit_code == 2 and "--source 'nope' is not a source id" in unknown.output
    bad_day = CliRunner().invoke(app, ["pull", "--project", str(root), "--since", "yesterday"])
    assert bad_day.exit_code == 2


def test_default_since_covers_the_status_page_and_the_slo_window(tmp_path: Path) -> None:
    root = write_project(tmp_path, ["dd"])
    text = (root / "sentinel.yaml").read_text()
    doc = json.loads(text)
    doc["slos"] = [{"name": "a", "component": "chat-api", "objective": 0.99, "window": "28d",
                    "indicator": {"ratio": {}}}]  # fmt: skip
    (root / "sentinel.yaml").write_text(json.dumps(doc))
    config = load_config(root)
    until = dt.date(2026, 11, 22)
    assert (until - default_since(config, until)).days == 90 + 28 + 8


def test_bad_pull_blocks_are_config_errors(tmp_path: Path) -> None:
    root = write_project(tmp_path, ["prom", "dd"])
    doc = json.loads((root / "sentinel.yaml").read_text())
    doc["sources"][0]["pull"]["colour"] = "red"
    doc["sources"][0]["pull"]["url"] = "http://user:hunter2@prom.test"
    doc["sources"][1]["path"] = "data/*/history.json"
    doc["sources"].append({"id": "csv", "type": "csv_samples", "path": "data/x/*.csv", "pull": {}})
    (root / "sentinel.yaml").write_text(json.dumps(doc))
    with pytest.raises(Exception) as exc:
        load_project(root)
    text = str(exc.value)
    assert "sources[0].pull.colour: unknown key" in text
    assert "sources[0].pull.url" in text and "hunter2" not in text
    assert "sources[1].path: a pulled source needs a path" in text
    assert "sources[2].pull: source type 'csv_samples' cannot be pulled" in text


def test_pull_without_pulled_sources_is_a_usage_error(tmp_path: Path) -> None:
    root = write_project(tmp_path, ["dd"], pull=False)
    with pytest.raises(UsageError):
        pull_sources(load_project(root), now=v.NOW)


def test_a_client_error_is_raised_with_the_path() -> None:
    import httpx2

    transport = httpx2.MockTransport(lambda r: httpx2.Response(404, json={"error": "not found"}))
    with Client("s", "https://x.test", transport=transport) as client, pytest.raises(PullError) as exc:
        client.get("/a/b", params={"q": "1"})
    assert str(exc.value) == "s: GET /a/b returned 404 Not Found: not found"


def test_every_pull_key_is_documented() -> None:
    import re

    from sentinel_reports.config import PULL_MODELS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_0-9]+)`", doc))
    keys = {name for model in PULL_MODELS.values() for name in model.model_fields}
    assert keys and not sorted(keys - documented)
    assert all(f"`{t}`" in doc for t in PULL_MODELS)


def test_a_file_missing_from_the_ledger_is_judged_by_when_it_was_written(tmp_path: Path) -> None:
    import os

    root = write_project(tmp_path, ["dd"])
    folder = root / "data/datadog"
    folder.mkdir(parents=True)
    early, late = folder / "2026-11-16.json", folder / "2026-11-17.json"
    for path in (early, late):
        path.write_text(json.dumps(v.Datadog().history(v.DAY0.timestamp(), v.DAY0.timestamp() + 600)))
    written_during_the_day = dt.datetime(2026, 11, 16, 18, tzinfo=dt.UTC).timestamp()
    os.utime(early, (written_during_the_day, written_during_the_day))  # before its day ended: incomplete
    settled = dt.datetime(2026, 11, 18, 6, tzinfo=dt.UTC).timestamp()
    os.utime(late, (settled, settled))  # well after its day ended: complete, kept as it is
    kept = late.read_bytes()
    fake = v.Datadog()
    assert not pull(root, fake).failed
    asked = sorted(
        dt.datetime.fromtimestamp(float(r[2]["from_ts"][0]), dt.UTC).date().isoformat() for r in fake.requests
    )
    assert asked == ["2026-11-16", "2026-11-18", "2026-11-19"]
    assert late.read_bytes() == kept
