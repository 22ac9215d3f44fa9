"""The checks `collect` runs over every source's samples together: the distinct (component, signal) series
of a frame found from integer codes equal those of a plain drop_duplicates, whatever the column types."""

from __future__ import annotations

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
