"""OpenSLO v1 documents as SLO definitions, against the published examples in tests/fixtures/real."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from sentinel_reports.config import load_config
from sentinel_reports.errors import ConfigError

OPENSLO = Path(__file__).resolve().parent / "fixtures" / "real" / "openslo-v1"


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


def test_ratio_timeslices_with_op_but_no_value_is_rejected_specifically(tmp_path: Path) -> None:
    path = str(OPENSLO / "budgeting-method__ratio-timeslices.yaml")
    with pytest.raises(ConfigError) as err:
        load_config(project(tmp_path, {"openslo": path}))
    problem = err.value.problems[0]
    assert problem.path == "slos[0].spec.objectives[0].timeSliceTarget"
    assert "op 'gt' without value" in problem.message
    assert problem.file.endswith("budgeting-method__ratio-timeslices.yaml")


def test_one_minute_calendar_window_is_rejected_with_a_hint(tmp_path: Path) -> None:
    path = str(OPENSLO / "budgeting-method__timeslices-slo.yaml")
    with pytest.raises(ConfigError) as err:
        load_config(project(tmp_path, {"openslo": path}))
    assert "a month is `1M`" in err.value.problems[0].message


def test_calendar_week_timeslices_example_loads(tmp_path: Path) -> None:
    path = str(OPENSLO / "treat-low-traffic-as-equally-important__timeslices-slo.yaml")
    slo = load_config(project(tmp_path, {"openslo": path})).slos[0]
    assert (slo.window_kind, slo.calendar_unit) == ("calendar", "week")
    assert slo.budgeting_method == "ratio_timeslices"
    assert slo.timeslice == dt.timedelta(minutes=1)
    assert slo.timeslice_target == 0.95
    assert slo.objective == 0.9995


def test_every_shared_example_loads_or_fails_with_config_error(tmp_path: Path) -> None:
    files = sorted(OPENSLO.glob("*.yaml"))
    assert len(files) == 4
    outcomes = []
    for f in files:
        try:
            load_config(project(tmp_path, {"openslo": str(f), "signal": "latency_p95_ms"}))
            outcomes.append("loaded")
        except ConfigError as exc:
            assert exc.problems and all(p.message for p in exc.problems)
            outcomes.append("rejected")
    assert outcomes.count("loaded") == 2


def test_relative_path_and_component_override(tmp_path: Path) -> None:
    (tmp_path / "slos").mkdir()
    (tmp_path / "slos" / "a.yaml").write_text(
        (OPENSLO / "treat-low-traffic-as-equally-important__timeslices-slo.yaml").read_text()
    )
    slo = load_config(project(tmp_path, {"openslo": "slos/a.yaml", "component": "web-shop"})).slos[0]
    assert slo.component == "web-shop"
    assert slo.source == "slos/a.yaml"
