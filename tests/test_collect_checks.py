"""The checks `collect` runs over every source's samples together: the distinct (component, signal) series
of a frame found from integer codes equal those of a plain drop_duplicates, whatever the column types."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sentinel_reports.project import _series_keys

REPO = Path(__file__).resolve().parents[1]


def _frame(seed: int, kind: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 500
    frame = pd.DataFrame(
        {
            "component": rng.choice(["chat-api", "rag-api", "batch"], n),
            "signal": rng.choice(["requests_total", "requests_good", "latency_p95_ms", "saturation"], n),
        }
    )
    frame = frame.iloc[: n - 3 * seed]  # fewer rows: not every pair need be there
    if kind == "category":
        frame = frame.astype({"component": "category", "signal": "category"})
        frame["component"] = frame["component"].cat.add_categories(["unused"])
    elif kind == "arrow":
        frame = frame.astype({"component": "string[pyarrow]", "signal": "string[pyarrow]"})
    elif kind == "nulls":
        frame = frame.astype(object)
        frame.iloc[::7, 0] = None
    return frame


@pytest.mark.parametrize("kind", ["category", "arrow", "str", "nulls"])
@pytest.mark.parametrize("seed", [1, 2])
def test_series_keys_are_the_distinct_pairs(kind: str, seed: int) -> None:
    frame = _frame(seed, kind)
    expected = {
        (str(c), str(s)) for c, s in frame[["component", "signal"]].drop_duplicates().itertuples(index=False)
    }
    got = _series_keys(frame)
    assert len(got) == len(set(got)) and set(got) == expected
    assert len(expected) > 4  # several components and signals: the codes are combined, not one column's


def _config(types: list[str]):  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    return SimpleNamespace(sources=[SimpleNamespace(type=t) for t in types])


@pytest.mark.parametrize("failing", [None, 0, 1, 2, 3])
def test_sources_read_side_by_side_come_back_in_order_with_the_first_error(
    failing: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from sentinel_reports import project

    monkeypatch.setattr(project.os, "cpu_count", lambda: 2)
    config = _config(["llm_requests", "prometheus", "focus", "pagerduty"])  # engine, python, engine, python
    threads: dict[int, str] = {}

    def read(index: int, say):  # type: ignore[no-untyped-def]
        threads[index] = threading.current_thread().name
        say(f"reading {index}")
        if failing is not None and index >= failing and index % 2 == failing % 2:
            raise ValueError(f"source {index}")
        return f"batch {index}"

    live: list[str] = []
    got: list[tuple[str, list[str]]] = []
    if failing is None:
        got = list(project.read_sources(config, read, live.append))  # type: ignore[arg-type]
        assert [b for b, _ in got] == [f"batch {i}" for i in range(4)]
        # the engine's sources are read here, saying so as they go; the others' messages wait for their turn
        assert live == ["reading 0", "reading 2"] and [m for _, m in got] == [
            [],
            ["reading 1"],
            [],
            ["reading 3"],
        ]
        assert threads[0] == threads[2] != threads[1] == threads[3]
    else:
        with pytest.raises(ValueError, match=f"source {failing}$"):
            for item in project.read_sources(config, read, live.append):  # type: ignore[arg-type]
                got.append(item)
        assert len(got) == failing  # every source before the failing one, none after


def test_a_collector_that_uses_the_engine_says_so() -> None:
    import inspect

    from sentinel_reports.collectors import registry

    for name, cls in registry().items():
        source = inspect.getsource(inspect.getmodule(cls))  # type: ignore[arg-type]
        assert ("engine_for(" in source) == cls.uses_engine, name


def test_the_code_keys_are_worked_out_before_the_sources_are_read_on_two_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import graph behind the parse cache's code keys is parsed (ast.parse, which CPython 3.11 cannot
    run in two threads at once) by this thread only, whichever source asks first."""
    import threading

    from sentinel_reports import project
    from sentinel_reports.cache import code
    from sentinel_reports.cache.store import Store
    from sentinel_reports.config import load_config

    config = load_config(REPO)
    wanted = {"helicone", "prom-latency", "pagerduty", "embeddings-csv"}  # a few sources, on both lanes
    config = config.model_copy(update={"sources": [s for s in config.sources if s.id in wanted]})
    types = {s.type for s in config.sources}
    assert {"llm_requests", "focus"} & types and types - {"llm_requests", "focus"}  # both lanes have work
    monkeypatch.setattr(project.os, "cpu_count", lambda: 2)
    parsed_in: list[str] = []
    real = code._parsed_graph

    def parse(root: Path):  # type: ignore[no-untyped-def]
        parsed_in.append(threading.current_thread().name)
        return real(root)

    monkeypatch.setattr(code, "_parsed_graph", parse)
    monkeypatch.setattr(code, "_GRAPHS", [])
    for cached in (code.import_graph, code.code_key):  # as in a fresh process: no key worked out yet
        cached.cache_clear()
    try:
        project.collect(config, store=Store(tmp_path / "cache"))
    finally:
        for cached in (code.import_graph, code.code_key):
            cached.cache_clear()
    assert parsed_in == [threading.main_thread().name]


def _demo_copy(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "project"
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "sentinel.yaml", root / "sentinel.yaml")
    return root


def _marked_prometheus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Prometheus batch says which process read it."""
    import os

    from sentinel_reports.collectors.prometheus import PrometheusCollector

    real = PrometheusCollector.collect

    def collect(self, options, ctx):  # type: ignore[no-untyped-def]
        batch = real(self, options, ctx)
        batch.warnings = [*batch.warnings, f"read in process {os.getpid()}"]
        return batch

    monkeypatch.setattr(PrometheusCollector, "collect", collect)


def test_with_workers_the_python_sources_are_read_in_a_forked_process_with_the_same_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With more than one worker the Python parsers run in a process of their own beside the engine (a thread
    would share the interpreter lock with the engine lane); the dataset is the same either way."""
    import os

    from sentinel_reports import project
    from sentinel_reports.config import load_config

    monkeypatch.setattr(project.os, "cpu_count", lambda: 2)
    _marked_prometheus(monkeypatch)
    config = load_config(REPO)
    wanted = {"helicone", "prom-latency", "prom-requests", "pagerduty", "incidentio"}  # both lanes, quickly
    config = config.model_copy(update={"sources": [s for s in config.sources if s.id in wanted]})
    assert len(config.sources) == len(wanted)

    def readers(dataset) -> set[str]:  # type: ignore[no-untyped-def]
        return {w for r in dataset.sources if r.type == "prometheus" for w in r.warnings if "process" in w}

    one = project.collect(config, jobs=1)
    two = project.collect(config, jobs=2)
    assert readers(one) == {f"read in process {os.getpid()}"}
    assert len(readers(two)) == 1 and readers(two) != readers(one)
    for name in ("samples", "costs", "evals", "kpis"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
    assert one.incidents == two.incidents
    strip = [dataclasses.replace(r, warnings=()) for r in one.sources]
    assert strip == [dataclasses.replace(r, warnings=()) for r in two.sources]


@pytest.mark.parametrize("damage", ["bad value", "corrupt gzip"])
def test_an_error_in_the_forked_reader_is_the_error_of_a_read_in_this_process(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same SourceError (file, line, column, expected, found) whichever process read the file: a
    SentinelError and an OSError come back from the worker as themselves."""
    import gzip

    from sentinel_reports import project
    from sentinel_reports.config import load_config
    from sentinel_reports.errors import SourceError

    monkeypatch.setattr(project.os, "cpu_count", lambda: 2)
    root = _demo_copy(tmp_path)
    path = root / "data/prometheus/latency_p95_15m.json.gz"
    if damage == "bad value":  # the first sample's value is not a number
        text = gzip.decompress(path.read_bytes()).decode()
        start = text.index('"values"')
        first = re.search(r'\[\s*[0-9.e+]+\s*,\s*"([^"]*)"', text[start:])
        assert first is not None
        at = start + first.start(1)
        path.write_bytes(gzip.compress((text[:at] + "fast" + text[start + first.end(1) :]).encode()))
    else:
        path.write_bytes(path.read_bytes()[:2000])
    config = load_config(root)
    wanted = {"helicone", "prom-latency", "pagerduty"}  # both lanes, the damaged file among them
    config = config.model_copy(update={"sources": [s for s in config.sources if s.id in wanted]})
    errors = []
    for jobs in (1, 2):
        with pytest.raises(SourceError) as err:
            project.collect(config, jobs=jobs)
        errors.append(err.value)
    assert str(errors[0]) == str(errors[1]) and "latency_p95_15m.json.gz" in str(errors[0])
    assert vars(errors[0]) == vars(errors[1])
    assert ("'fast'" if damage == "bad value" else "corrupt gzip data") in str(errors[0]), str(errors[0])


def test_a_forked_reader_that_dies_is_a_clear_error_naming_its_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    from sentinel_reports import project
    from sentinel_reports.collectors.prometheus import PrometheusCollector
    from sentinel_reports.config import load_config
    from sentinel_reports.errors import SourceError

    monkeypatch.setattr(project.os, "cpu_count", lambda: 2)
    here = os.getpid()

    def collect(self, options, ctx):  # type: ignore[no-untyped-def]
        assert os.getpid() != here
        os._exit(9)  # as the kernel's out-of-memory killer would end it

    monkeypatch.setattr(PrometheusCollector, "collect", collect)
    with pytest.raises(SourceError) as err:
        project.collect(load_config(REPO), jobs=2)
    assert str(err.value).startswith("data/prometheus/requests_total_5m.json.gz: cannot read: the process")
    assert "ended without an answer" in str(err.value)
