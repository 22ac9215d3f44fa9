"""The demo project: deterministic generation, a valid config, the committed copy, and the planted story.

The demo's scenario (`sentinel_reports/demo/scenario.py`) plants specific conditions; these tests check that
the collectors and analysis see exactly those, and nothing else, so a publication built on the demo shows
what the story promises.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sentinel_reports.analysis.facts_model import facts_data
from sentinel_reports.cli import app
from sentinel_reports.collectors.catalog import validate_source_entry
from sentinel_reports.config import load_config
from sentinel_reports.demo import GENERATED_DIRS, generate, scaffold
from sentinel_reports.demo.incidents import FICTIONAL_PEOPLE

REPO = Path(__file__).resolve().parents[1]

# Every observability gap the demo plants, as (kind, component, signal, start, end).
PLANTED_GAPS = {
    ("unattributed_spend", None, None),
    ("no_source", "batch-summarisation", "eval_pass_rate"),
    ("missing_run", "vector-store", "latency_p95_ms"),
    ("missing_run", "vector-store", "requests_good"),
    ("missing_run", "vector-store", "requests_total"),
    ("missing_run", "vector-store", "saturation"),
    # Support Copilot moved to OpenTelemetry GenAI traces on 2026-11-16: spans carry no time to first token
    # and no request cost, so the Helicone-era series of both stop there (the migration lost them)
    ("stale", "support-copilot", "cost_requests"),
    ("stale", "support-copilot", "ttft_p95_ms"),
}
VECTOR_STORE_BLIND = ("2026-11-10T00:00:00Z", "2026-11-12T00:00:00Z")


def files_under(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path, leaving out hidden folders such as the `.sentinel` cache."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            out[rel.as_posix()] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    generate(root, seed=7)
    return root


@pytest.fixture(scope="module")
def check_report(demo: Path) -> dict:
    result = CliRunner().invoke(app, ["--quiet", "check", "--project", str(demo), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_same_seed_gives_identical_bytes(demo: Path, tmp_path: Path) -> None:
    written = generate(tmp_path, seed=7)
    assert written == sorted(written) and all(p.is_file() for p in written)
    assert files_under(tmp_path) == files_under(demo)


@pytest.fixture(scope="module")
def reseeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project regenerated with another seed over stale files, one in a folder the generator owns."""
    root = tmp_path_factory.mktemp("reseeded")
    for rel in ("data/prometheus/old_export.json", "data/mine/keep.csv"):
        (root / rel).parent.mkdir(parents=True)
        (root / rel).write_text("{}", encoding="utf-8")
    generate(root, seed=8)
    return root


def test_another_seed_changes_the_data_but_not_the_story(demo: Path, reseeded: Path) -> None:
    first = files_under(demo)
    second = {k: v for k, v in files_under(reseeded).items() if k != "data/mine/keep.csv"}
    assert first.keys() == second.keys()
    changed = {name for name in first if first[name] != second[name]}
    assert any(name.startswith("data/prometheus/") for name in changed)
    assert any(name.startswith("data/requests/") for name in changed)
    # configuration and hand-written content do not depend on the seed
    assert not any(name == "sentinel.yaml" or name.startswith("content/") for name in changed)


def test_regeneration_empties_only_the_generators_folders(reseeded: Path) -> None:
    assert not (reseeded / "data" / "prometheus" / "old_export.json").exists()
    assert (reseeded / "data" / "mine" / "keep.csv").exists()


def test_generated_config_validates_with_every_source(demo: Path) -> None:
    config = load_config(demo, validate_source=validate_source_entry)
    assert config.organization == "Acme AI Platform"
    assert len(config.components) >= 8
    assert {c.id for c in config.components if c.customer_facing} == {
        "chat-api",
        "rag-retrieval",
        "agent-orchestrator",
    }
    assert any(slo.source == "data/slos/rag-retrieval-availability.yaml" for slo in config.slos)
    types = {s.type for s in config.sources}
    assert {"prometheus", "csv", "datadog_slo_history", "llm_requests", "evals", "focus"} <= types
    assert {
        "anthropic_cost_report",
        "anthropic_usage_report",
        "openai_costs",
        "pagerduty",
        "incidentio",
    } <= types
    values = {s.model_extra.get("values") for s in config.sources if s.type == "prometheus"}
    assert values == {"increase", "rate", "gauge"}
    formats = {s.model_extra.get("format") for s in config.sources if s.type in ("llm_requests", "evals")}
    assert {"litellm", "helicone", "otel"} <= formats
    assert config.business.assumptions_source
    assert all(price.source for price in config.prices.values())


def test_committed_demo_is_a_fresh_generation(demo: Path) -> None:
    """`sentinel demo-data` at the repository root reproduces the committed data/, content/, sentinel.yaml."""
    fresh = files_under(demo)
    committed = {"sentinel.yaml": (REPO / "sentinel.yaml").read_bytes()}
    for folder in GENERATED_DIRS:
        for name, data in files_under(REPO / folder).items():
            committed[f"{folder}/{name}"] = data
    assert sorted(committed) == sorted(fresh), "files differ: run `sentinel demo-data` at the repository root"
    differing = sorted(name for name in fresh if committed[name] != fresh[name])
    assert not differing, f"stale demo files (run `sentinel demo-data`): {differing[:5]}"


def test_data_folder_stays_small(demo: Path) -> None:
    size = sum(len(b) for name, b in files_under(demo).items() if name.startswith("data/"))
    assert size < 6.5 * 2**20, f"data/ is {size / 2**20:.1f} MiB"


def planted(gaps: list[dict]) -> set[tuple[str, str | None, str | None]]:
    """(kind, component, signal) per gap; a gap naming several signals ("a, b") counts for each of them."""
    out = set()
    for g in gaps:
        signals = [s.strip() for s in g["signal"].split(",")] if g["signal"] else [None]
        out |= {(g["kind"], g["component"], signal) for signal in signals}
    return out


def test_check_reports_exactly_the_planted_gaps(check_report: dict) -> None:
    report = check_report
    assert report["errors"] == []
    # the default as-of is the end of the latest interval: the last 5-minute sample starts at 23:55
    assert report["as_of"] == "2026-11-23T00:00:00Z"
    assert report["window"]["start"] == "2026-06-01T00:00:00Z"
    assert planted(report["gaps"]) == PLANTED_GAPS
    for gap in report["gaps"]:
        if gap["kind"] == "missing_run":
            assert (gap["start"], gap["end"]) == VECTOR_STORE_BLIND
            assert gap["priority"] == "P2"
        if gap["kind"] == "no_source":
            assert gap["priority"] == "P3"
    assert 0.99 < report["telemetry_coverage"] < 1.0


def test_unattributed_spend_is_about_seven_percent_of_cloud_spend(check_report: dict, demo: Path) -> None:
    cloud = 0.0
    for path in sorted((demo / "data" / "billing").glob("*.csv.gz")):
        lines = gzip.decompress(path.read_bytes()).decode().splitlines()
        header = lines[0].split(",")
        effective = header.index("EffectiveCost")
        cloud += sum(float(line.split(",")[effective]) for line in lines[1:])
    share = check_report["cost"]["unattributed"] / cloud
    assert 0.06 <= share <= 0.08


def test_every_source_reads_cleanly(check_report: dict) -> None:
    for source in check_report["sources"]:
        assert source["rows"] > 0, source["id"]
        assert source["warnings"] == [], (source["id"], source["warnings"])
        assert source["duplicates_dropped"] == 0, source["id"]
    by_severity = check_report["incidents"]["by_severity"]
    # SEV2: the rag-retrieval latency regression and the chat-api jailbreak incident (safety class)
    assert by_severity == {"SEV1": 1, "SEV2": 2, "SEV3": 3, "SEV4": 1}
    # the demo is browsed from disk, so it has no site.base_url: check warns that the Atom feed needs one
    assert [f["rule"] for f in check_report["lint"]] == ["feed-base-url"]
    assert "site.base_url" in check_report["lint"][0]["message"]


@pytest.fixture(scope="module")
def project(demo: Path):
    from sentinel_reports.pipeline import open_project

    return open_project(demo, use_cache=False)


def week(project, label: str) -> dict:
    from sentinel_reports.analysis.facts import week_facts

    return facts_data(week_facts(project.dataset, project.content, project.config, label, project.as_of))


def test_exports_carry_fictional_people_that_never_reach_incidents(demo: Path, project) -> None:
    raw = (demo / "data" / "incidents" / "pagerduty_raw_incidents.json").read_text(encoding="utf-8")
    raw += (demo / "data" / "incidents" / "incidentio_incidents.json").read_text(encoding="utf-8")
    assert '"resolved_by_user_name"' in raw and '"incident_role_assignments"' in raw
    present = [name for name in FICTIONAL_PEOPLE if name in raw]
    assert len(present) >= 3
    incidents = project.dataset.incidents
    assert len(incidents) == 7
    text = json.dumps([i.__dict__ for i in incidents], default=str)
    # AICS roles are read from custom fields (teams and role names), never from the role assignments
    assert any(i.roles for i in incidents)
    assert not [name for name in present if name in text]


def test_provider_outage_is_a_sev1_that_burns_half_the_budget(project) -> None:
    facts = week(project, "2026-W45")
    (outage,) = [i for i in facts["incidents"] if i["severity"] == "SEV1"]
    assert outage["customer_impact"] and "chat-api" in outage["components"]
    assert outage["sources"] == ["incidentio"]  # where multi-service outages are declared
    # published on 2026-11-10, after the week closed: the W45 brief shows it in review, the W46 one published
    assert outage["postmortem"]["status"] == "in_review"
    later = week(project, "2026-W46")
    assert [i["postmortem"]["status"] for i in later["incident_history"] if i["id"] == outage["id"]] == [
        "published"
    ]
    # at the week's close (2026-11-09) no action item was due yet; at as-of one is overdue, and the latest
    # brief carries it (a closed week is reported as it stood when it closed)
    assert [a["overdue"] for a in outage["postmortem"]["action_items"]].count(True) == 0
    latest = week(project, "2026-W47")
    assert latest["incident_stats"]["overdue_action_items_all"] == 1
    (late,) = [
        a for a in latest["next_actions"] if a["origin"] == "postmortem" and a["deadline"] == "2026-11-20"
    ]
    assert "secondary LLM provider" in late["action"]
    slos = {s["name"]: s for s in facts["slos"]}
    assert 0.2 < slos["chat-api-availability"]["budget_remaining"] < 0.5
    days = {c["id"]: {d["date"]: d["status"] for d in c["days"]} for c in facts["components"]}
    assert days["chat-api"]["2026-11-04"] == "major_outage"
    assert days["agent-orchestrator"]["2026-11-04"] in ("partial_outage", "major_outage")
    # a 1h/5m page at 14.4x: the outage's error ratio is far above 14.4 x the 0.5% budget
    samples = project.dataset.samples
    start, end = pd.Timestamp("2026-11-04T14:10Z"), pd.Timestamp("2026-11-04T15:10Z")
    chat = samples[(samples["component"] == "chat-api") & (samples["ts"] >= start) & (samples["ts"] < end)]
    total = chat.loc[chat["signal"] == "requests_total", "value"].sum()
    good = chat.loc[chat["signal"] == "requests_good", "value"].sum()
    assert (1 - good / total) / 0.005 > 14.4
    # ...and the facts show that page alert firing during the week, the business impact and the gaps
    [page] = [e for e in slos["chat-api-availability"]["alerts_fired"] if e["long"] == "1h"]
    assert page["severity"] == "page" and page["started_at"].startswith("2026-11-04T14")
    assert page["peak_long_burn"] > 14.4
    assert facts["summary"]["alerts_fired_in_period"]["page"] >= 2
    # the outage lists both components it took down, and is charged at both rates
    assert outage["components"] == ["chat-api", "agent-orchestrator"]
    rates = project.config.business.revenue_at_risk_per_minute
    rate = rates["chat-api"] + rates["agent-orchestrator"]
    assert outage["business_impact"]["amount"] == pytest.approx(outage["impact_minutes"] * rate)
    assert outage["business_impact"]["assumptions_source"] == project.config.business.assumptions_source
    assert {g["kind"] for g in facts["gaps"]} >= {"unattributed_spend", "no_source"}


def test_rag_latency_regression_and_quality_dip(project) -> None:
    w42 = week(project, "2026-W42")
    assert [(i["id"], i["severity"]) for i in w42["incidents"]] == [("INC-212", "SEV2")]
    latency = {s["name"]: s for s in w42["slos"]}["rag-retrieval-latency"]
    assert latency["budget_remaining"] < 0
    w44 = {q["component"]: q for q in week(project, "2026-W44")["quality"]}
    assert w44["rag-retrieval"]["met"] is False
    for label in ("2026-W43", "2026-W45", "2026-W47"):
        quality = {q["component"]: q for q in week(project, label)["quality"]}
        assert all(q["met"] is not False for q in quality.values()), label


def test_prompt_cache_regression_raises_chat_cost_per_task(project) -> None:
    before, during, after = (week(project, w)["cost"] for w in ("2026-W42", "2026-W43", "2026-W46"))
    hit = [c["cache"]["by_component"]["chat-api"]["hit_rate"] for c in (before, during, after)]
    assert hit[0] > 0.7 and hit[1] < 0.3 and hit[2] > 0.7
    per_task = [c["per_successful_task"]["chat-api"] for c in (before, during, after)]
    assert per_task[1] > 1.4 * per_task[0] and per_task[2] < 1.1 * per_task[0]


def test_vector_store_blind_days_are_no_data(project) -> None:
    facts = week(project, "2026-W46")
    days = {d["date"]: d for c in facts["components"] if c["id"] == "vector-store" for d in c["days"]}
    assert [days[d]["status"] for d in ("2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12")] == [
        "operational",
        "no_data",
        "no_data",
        "operational",
    ]
    assert days["2026-11-10"]["gap"] and days["2026-11-11"]["gap"]


def test_maintenance_is_one_completed_and_one_scheduled_after_as_of(project) -> None:
    items = {m.slug: m for m in project.content.maintenance}
    assert len(items) == 2
    done = items["2026-11-12-embeddings-index-rebuild"]
    upcoming = items["2026-11-28-vector-store-upgrade"]
    assert done.status == "completed" and done.components == ("embeddings",)
    assert upcoming.status == "scheduled" and upcoming.starts > project.as_of
    assert len(project.content.recommendations) == 2 and len(project.content.investments) == 3


def test_init_writes_a_small_project_that_checks_cleanly(tmp_path: Path) -> None:
    target = tmp_path / "new-project"
    result = CliRunner().invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "sentinel.yaml").is_file() and (target / "README.md").is_file()
    config = load_config(target, validate_source=validate_source_entry)
    assert 2 <= len(config.components) <= 3
    result = CliRunner().invoke(app, ["--quiet", "check", "--project", str(target), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    start = dt.datetime.fromisoformat(report["window"]["start"].replace("Z", "+00:00"))
    end = dt.datetime.fromisoformat(report["as_of"].replace("Z", "+00:00"))
    assert dt.timedelta(days=20) < end - start <= dt.timedelta(days=21)
    assert [g["kind"] for g in report["gaps"]] == ["unattributed_spend"]
    assert report["incidents"]["count"] == 1


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(Exception, match="not empty"):
        scaffold(tmp_path)
