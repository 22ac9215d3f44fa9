"""OpenSLO v1 documents as SLO definitions, against the published examples in tests/fixtures/real."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from sentinel_reports.config import load_config
from sentinel_reports.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
OPENSLO = REPO / "tests" / "fixtures" / "real" / "openslo-v1"
LAYOUTS = REPO / "tests" / "fixtures" / "openslo-layouts"
DOCS = REPO / "docs" / "sources.md"


def project(tmp_path: Path, entry: dict) -> Path:
    doc = {
        "organization": "Web shop",
        "components": [
            {"id": "web-shop", "name": "Web shop", "owner": "Shop team"},
            {"id": "web-availability", "name": "Web availability", "owner": "Shop team"},
        ],
        "slos": [entry],
    }
    (tmp_path / "sentinel.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return tmp_path


def test_threshold_occurrences_example_loads_with_a_signal(tmp_path: Path) -> None:
    path = str(OPENSLO / "budgeting-method__occurences-slo.yaml")
    slo = load_config(project(tmp_path, {"openslo": path, "signal": "latency_p95_ms"})).slos[0]
    assert slo.name == "search-slo"
    assert slo.component == "web-shop"
    assert slo.objective == 0.99
    assert slo.window == dt.timedelta(weeks=2)
    assert slo.window_kind == "rolling"
    assert slo.indicator.threshold is not None
    assert (slo.indicator.threshold.op, slo.indicator.threshold.value) == ("lt", 500.0)


def test_threshold_example_without_signal_is_rejected_specifically(tmp_path: Path) -> None:
    path = str(OPENSLO / "budgeting-method__occurences-slo.yaml")
    with pytest.raises(ConfigError) as err:
        load_config(project(tmp_path, {"openslo": path}))
    assert err.value.problems[0].path == "slos[0].signal"


def test_ratio_objective_with_op_is_rejected_as_the_go_sdk_does(tmp_path: Path) -> None:
    path = str(OPENSLO / "budgeting-method__ratio-timeslices.yaml")
    with pytest.raises(ConfigError) as err:
        load_config(project(tmp_path, {"openslo": path}))
    problem = err.value.problems[0]
    assert problem.path == "slos[0].spec.objectives[0].op"
    assert "op: 'gt' is forbidden" in problem.message and "ratioMetric" in problem.message
    assert problem.file.endswith("budgeting-method__ratio-timeslices.yaml")


def test_one_minute_calendar_window_is_rejected_with_a_hint(tmp_path: Path) -> None:
    path = str(OPENSLO / "budgeting-method__timeslices-slo.yaml")
    with pytest.raises(ConfigError) as err:
        load_config(project(tmp_path, {"openslo": path}))
    assert "a month is `1M`" in err.value.problems[0].message
    assert any(p.path == "slos[0].spec.objectives[0].op" for p in err.value.problems)


def test_calendar_week_timeslices_loads_without_the_forbidden_op(tmp_path: Path) -> None:
    text = (OPENSLO / "treat-low-traffic-as-equally-important__timeslices-slo.yaml").read_text()
    assert "      op: gt\n" in text
    (tmp_path / "slo.yaml").write_text(text.replace("      op: gt\n", ""), encoding="utf-8")
    slo = load_config(project(tmp_path, {"openslo": "slo.yaml"})).slos[0]
    assert (slo.window_kind, slo.calendar_unit) == ("calendar", "week")
    assert slo.budgeting_method == "ratio_timeslices"
    assert slo.timeslice == dt.timedelta(minutes=1)
    assert slo.timeslice_target == 0.95
    assert slo.objective == 0.9995


def _table() -> list[tuple[str, str]]:
    """(file, outcome) of every row of the OpenSLO table in docs/sources.md."""
    text = DOCS.read_text(encoding="utf-8").split("## OpenSLO files", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| [^|]+ \| `([^`]+)`[^|]* \| (loads \d+|fails at [^|]+?) \|", text, re.MULTILINE)
    return rows


def test_the_docs_table_covers_every_example_and_layout() -> None:
    listed = {file for file, _ in _table()}
    files = {p.relative_to(REPO).as_posix() for p in [*OPENSLO.glob("*.yaml"), *LAYOUTS.glob("*.yaml")]}
    files.add("tests/fixtures/openslo-layouts/sibling-sli/slo.yaml")
    assert listed == files


@pytest.mark.parametrize(("file", "outcome"), _table())
def test_each_layout_loads_or_fails_as_the_table_says(tmp_path: Path, file: str, outcome: str) -> None:
    entry = {"openslo": str(REPO / file), "signal": "latency_p95_ms", "component": "web-shop"}
    if outcome.startswith("loads"):
        slos = load_config(project(tmp_path, entry)).slos
        assert len(slos) == int(outcome.split()[1])
        assert all(s.source == str(REPO / file) for s in slos)
        return
    with pytest.raises(ConfigError) as err:
        load_config(project(tmp_path, entry))
    key = outcome.removeprefix("fails at ").strip()
    key = "" if key == "(file)" else key
    paths = [re.sub(r"^slos\[0\]\.?(documents\[\d+\]\.?)?", "", p.path) for p in err.value.problems]
    assert key in paths, (key, [str(p) for p in err.value.problems])
    assert all(p.message and p.file for p in err.value.problems)


def test_service_and_slo_in_one_file(tmp_path: Path) -> None:
    slo = load_config(project(tmp_path, {"openslo": str(LAYOUTS / "service-and-slo.yaml"),
                                         "component": "web-shop"})).slos[0]  # fmt: skip
    assert (slo.name, slo.objective, slo.window_kind) == ("chat-availability", 0.995, "rolling")
    assert slo.indicator.ratio is not None


def test_indicator_ref_resolves_in_the_file_and_beside_it(tmp_path: Path) -> None:
    same = load_config(project(tmp_path, {"openslo": str(LAYOUTS / "sli-and-slo.yaml"),
                                          "component": "web-shop"})).slos[0]  # fmt: skip
    assert same.indicator.ratio is not None and same.timeslice_target == 0.95
    assert (same.window_kind, same.calendar_unit) == ("calendar", "week")
    sibling = load_config(project(tmp_path, {"openslo": str(LAYOUTS / "sibling-sli" / "slo.yaml"),
                                             "component": "web-shop"})).slos[0]  # fmt: skip
    assert sibling.indicator.ratio is not None and sibling.objective == 0.995
    threshold = load_config(project(tmp_path, {"openslo": str(LAYOUTS / "threshold-sli-and-slo.yaml"),
                                               "component": "web-shop", "signal": "latency_p95_ms"})).slos[0]  # fmt: skip
    assert threshold.indicator.threshold is not None
    assert (threshold.indicator.threshold.op, threshold.indicator.threshold.value) == ("lt", 800.0)


def test_two_slos_in_one_file_become_two_slos(tmp_path: Path) -> None:
    slos = load_config(project(tmp_path, {"openslo": str(LAYOUTS / "two-slos.yaml"),
                                          "component": "web-shop"})).slos  # fmt: skip
    assert [(s.name, s.objective, s.window_kind) for s in slos] == [
        ("chat-availability-28d", 0.995, "rolling"),
        ("chat-availability-quarter", 0.995, "calendar"),
    ]


def test_a_missing_sli_names_the_reference(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(
            project(tmp_path, {"openslo": str(LAYOUTS / "missing-sli.yaml"), "component": "web-shop"})
        )
    problem = err.value.problems[0]
    assert problem.path == "slos[0].spec.indicatorRef"
    assert "'chat-requests-nowhere'" in problem.message and problem.file.endswith("missing-sli.yaml")


def test_a_duplicate_key_in_a_later_document_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(
            project(tmp_path, {"openslo": str(LAYOUTS / "duplicate-key.yaml"), "component": "web-shop"})
        )
    problem = err.value.problems[0]
    assert "duplicate key 'kind'" in problem.message and problem.line == 9


def test_an_sli_defined_twice_beside_the_slo_is_ambiguous(tmp_path: Path) -> None:
    folder = tmp_path / "slos"
    folder.mkdir()
    sli = (LAYOUTS / "sibling-sli" / "sli.yaml").read_text(encoding="utf-8")
    (folder / "a.yaml").write_text(sli, encoding="utf-8")
    (folder / "b.yaml").write_text(sli, encoding="utf-8")
    (folder / "slo.yaml").write_text((LAYOUTS / "sibling-sli" / "slo.yaml").read_text(), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(project(tmp_path, {"openslo": "slos/slo.yaml", "component": "web-shop"}))
    assert "defined 2 times (a.yaml, b.yaml)" in err.value.problems[0].message


def test_relative_path_and_component_override(tmp_path: Path) -> None:
    (tmp_path / "slos").mkdir()
    (tmp_path / "slos" / "a.yaml").write_text(
        (OPENSLO / "treat-low-traffic-as-equally-important__timeslices-slo.yaml")
        .read_text()
        .replace("op: gt", "")
    )
    slo = load_config(project(tmp_path, {"openslo": "slos/a.yaml", "component": "web-shop"})).slos[0]
    assert slo.component == "web-shop"
    assert slo.source == "slos/a.yaml"
