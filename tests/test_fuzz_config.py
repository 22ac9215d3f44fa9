"""Fuzzing the configuration loader: whatever sentinel.yaml holds, only ConfigError escapes (or a Config).

Both entry points are exercised: `config.load_config` (the document alone) and `pipeline.load_project`
(which also validates every source entry against its collector's options). Inputs: random bytes, random
YAML structures, mutations of a valid configuration, truncated real files, alias bombs and OpenSLO
references to arbitrary files. Every ConfigError must locate each problem by key path or file.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentinel_reports.config import MAX_YAML_DEPTH, MAX_YAML_NODES, Config, load_config
from sentinel_reports.errors import ConfigError
from sentinel_reports.pipeline import load_project
from tests.fuzzing import examples

REPO = Path(__file__).resolve().parents[1]
SETTINGS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECONDS_PER_LOAD = 5.0  # a load that takes longer is expanding something it should have refused

OPENSLO = {
    "apiVersion": "openslo/v1",
    "kind": "SLO",
    "metadata": {"name": "chat-api-availability-openslo", "displayName": "Chat availability"},
    "spec": {
        "service": "chat-api",
        "indicator": {"spec": {"ratioMetric": {"good": {"metricSource": {}}, "total": {"metricSource": {}}}}},
        "timeWindow": [{"duration": "28d", "isRolling": True}],
        "budgetingMethod": "Occurrences",
        "objectives": [{"displayName": "Requests served", "target": 0.995}],
    },
}

VALID: dict[str, Any] = {
    "organization": "Acme AI Platform",
    "timezone": "Europe/Berlin",
    "currency": "USD",
    "components": [
        {
            "id": "chat-api",
            "name": "Assistant Chat API",
            "group": "Customer-facing",
            "customer_facing": True,
            "tier": 1,
            "owner": "Assistant Platform team",
            "expects": ["availability", "latency", "cost"],
        },
        {"id": "rag-retrieval", "name": "Knowledge Search", "owner": "Search team", "tier": 2},
    ],
    "slos": [
        {
            "name": "chat-api-availability",
            "component": "chat-api",
            "objective": 0.995,
            "window": "28d",
            "indicator": {"ratio": {"good": "requests_good", "total": "requests_total"}},
        },
        {
            "name": "chat-api-latency",
            "component": "chat-api",
            "objective": 0.99,
            "indicator": {"threshold": {"signal": "latency_p95_ms", "op": "lte", "value": 2500}},
        },
        {"openslo": "data/slos/chat.yaml"},
    ],
    "sources": [
        {"id": "prom", "type": "prometheus", "path": "data/p.json", "signal": "requests_total", "step": "5m"},
        {"type": "csv", "path": "data/t.csv", "columns": {"timestamp": "time"}},
        {"type": "llm_requests", "format": "litellm", "path": "data/r.parquet", "interval": "1h"},
        {
            "type": "focus",
            "path": "data/b/*.csv",
            "component_tag": "component",
            "rules": [{"match": {"ServiceName": "Amazon Bedrock*"}, "component": "chat-api"}],
        },
        {"type": "anthropic_cost_report", "path": "data/a.json", "workspaces": {"wrkspc_1": "chat-api"}},
        {"type": "pagerduty", "path": "data/pd.json", "services": {"PX": "chat-api"}},
        {"type": "incidentio", "path": "data/io.json", "severity": {"Critical": "SEV1"}},
        {"type": "evals", "path": "data/e.jsonl", "format": "otel", "run_interval": "6h"},
    ],
    "business": {"revenue_at_risk_per_minute": {"chat-api": 180}, "assumptions_source": "Finance plan"},
    "budgets": {"monthly_spend": {"Assistant Platform team": 40000}},
    "prices": {"anthropic/claude": {"input": 3.0, "output": 15.0, "cache_read": 0.3, "source": "price page"}},
    "alerts": {"page": [{"long": "1h", "short": "5m", "burn": 14.4}]},
    "gaps": {"min_duration": "15m", "stale_after": "2h", "min_coverage": 0.95},
    "quality": {"eval_pass_target": {"default": 0.9}},
    "narrator": {"kind": "template"},
    "email": {"from": "s@example.com", "to": ["x@example.com"], "smtp": {"port": 587}},
}

# Values that are wrong somewhere: wrong types, edge numbers, odd strings, nesting.
ODD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.binary(max_size=8),
    st.dates(),
    st.sampled_from(
        [
            "",
            "28d",
            "0s",
            "-5m",
            "1.0e+400",
            ".nan",
            "NaN",
            "SEV9",
            "usd",
            "chat-api",
            "Mars/Olympus",
            "../../etc/passwd",
            "*",
            "[",
            "9" * 60 + "d",
            "ratio_timeslices",
            "calendar",
            "claude",
        ]
    ),
)
YAML_VALUES = st.recursive(
    ODD_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=10), st.sampled_from(sorted(VALID))), children, max_size=4
        ),
    ),
    max_leaves=20,
)


def project(tmp_path_factory: pytest.TempPathFactory, text: str | bytes, openslo: Any = OPENSLO) -> Path:
    """A fresh project folder holding `text` as sentinel.yaml and a valid OpenSLO file it may reference."""
    folder = tmp_path_factory.mktemp("fuzz")
    data = text.encode("utf-8") if isinstance(text, str) else text
    (folder / "sentinel.yaml").write_bytes(data)
    (folder / "data" / "slos").mkdir(parents=True)
    (folder / "data" / "slos" / "chat.yaml").write_text(yaml.safe_dump(openslo), encoding="utf-8")
    return folder


def check_problems(exc: ConfigError) -> None:
    assert exc.problems, "a ConfigError without problems tells the user nothing"
    for problem in exc.problems:
        assert problem.message.strip()
        assert problem.path or problem.file, f"problem without key path or file: {problem!r}"
        assert str(problem) in str(exc)


def load_both(folder: Path) -> list[Config | ConfigError]:
    """Run both loaders; anything but a Config or a well-formed ConfigError fails the test."""
    outcomes: list[Config | ConfigError] = []
    for loader in (load_config, load_project):
        started = time.monotonic()
        try:
            outcomes.append(loader(folder))
        except ConfigError as exc:
            check_problems(exc)
            outcomes.append(exc)
        elapsed = time.monotonic() - started
        assert elapsed < SECONDS_PER_LOAD, f"{loader.__name__} took {elapsed:.1f}s"
    return outcomes


def dump(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


# ---------------------------------------------------------------- the starting point is valid


def test_the_valid_base_loads_with_both_loaders(tmp_path_factory):
    outcomes = load_both(project(tmp_path_factory, dump(VALID)))
    assert all(isinstance(o, Config) for o in outcomes), outcomes
    config = outcomes[1]
    assert isinstance(config, Config)
    assert [s.name for s in config.slos] == [
        "chat-api-availability",
        "chat-api-latency",
        "chat-api-availability-openslo",
    ]
    assert len(config.sources) == len(VALID["sources"])


# ---------------------------------------------------------------- arbitrary input


@SETTINGS
@given(data=st.binary(max_size=600))
def test_random_bytes(tmp_path_factory, data):
    load_both(project(tmp_path_factory, data))


@SETTINGS
@given(doc=YAML_VALUES)
def test_random_yaml_structures(tmp_path_factory, doc):
    outcomes = load_both(project(tmp_path_factory, dump(doc)))
    if not isinstance(doc, dict):
        assert all(isinstance(o, ConfigError) for o in outcomes)


@SETTINGS
@given(doc=st.dictionaries(st.sampled_from(sorted(VALID)), YAML_VALUES, max_size=6))
def test_random_values_under_real_top_level_keys(tmp_path_factory, doc):
    load_both(project(tmp_path_factory, dump({**VALID, **doc})))


# ---------------------------------------------------------------- mutations of a valid config


def key_paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside `node` (dict keys and list indices)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += key_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += key_paths(value, (*prefix, i))
    return out


def mutate(doc: dict, path: tuple, operation: str, value: Any) -> None:
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if operation == "drop":
        del parent[key]
    elif operation == "replace":
        parent[key] = value
    elif operation == "unknown_key":
        target = parent[key]
        if isinstance(target, dict):
            target["unknwon_key"] = value
        else:
            parent[key] = {"unknwon_key": value}
    elif operation == "wrap_in_list":
        parent[key] = [parent[key]]
    elif operation == "nest_deeply":
        nested: Any = parent[key]
        for _ in range(value if isinstance(value, int) and 0 < value < 80 else 60):
            nested = {"x": nested}
        parent[key] = nested


@SETTINGS
@given(data=st.data())
def test_mutations_of_a_valid_config(tmp_path_factory, data):
    doc = copy.deepcopy(VALID)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="mutations")):
        paths = key_paths(doc)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        operation = data.draw(
            st.sampled_from(["drop", "replace", "replace", "unknown_key", "wrap_in_list", "nest_deeply"]),
            label="operation",
        )
        mutate(doc, path, operation, data.draw(YAML_VALUES, label="value"))
    load_both(project(tmp_path_factory, dump(doc)))


@pytest.mark.parametrize(
    ("path", "value", "expected_key"),
    [
        (("slos", 0, "objective"), float("nan"), "slos[0].objective"),
        (("slos", 0, "objective"), -1, "slos[0].objective"),
        (("slos", 0, "window"), 10**30, "slos[0].window"),
        (("slos", 0, "window"), "-5m", "slos[0].window"),
        (("gaps", "min_duration"), float("inf"), "gaps.min_duration"),
        (("gaps", "min_coverage"), 1e308, "gaps.min_coverage"),
        (("email", "smtp", "port"), 10**20, "email.smtp.port"),
        (("sources", 0, "step"), 10**400, "sources[0].step"),
        (("sources", 2, "interval"), "0s", "sources[2].interval"),
        (("sources", 3, "rules", 0, "match"), {}, "sources[3].rules[0]"),
        (("components", 0, "tier"), 4, "components[0].tier"),
        (("budgets", "monthly_spend", "Assistant Platform team"), 0, "budgets.monthly_spend"),
    ],
)
def test_wrong_values_are_reported_at_their_key_path(tmp_path_factory, path, value, expected_key):
    doc = copy.deepcopy(VALID)
    mutate(doc, path, "replace", value)
    folder = project(tmp_path_factory, dump(doc))
    with pytest.raises(ConfigError) as info:
        load_project(folder)
    check_problems(info.value)
    paths = [p.path for p in info.value.problems]
    assert any(p.startswith(expected_key) for p in paths), paths


def test_every_problem_is_reported_in_one_error(tmp_path_factory):
    doc = copy.deepcopy(VALID)
    doc["currency"] = "usd"
    doc["slos"][1]["objective"] = 2
    doc["sources"][0]["signal"] = "requests_totl"
    doc["gaps"]["min_duration"] = "soon"
    doc["colour"] = "blue"
    with pytest.raises(ConfigError) as info:
        load_project(project(tmp_path_factory, dump(doc)))
    check_problems(info.value)
    paths = {p.path for p in info.value.problems}
    assert {"currency", "slos[1].objective", "gaps.min_duration", "colour"} <= paths, paths
    # source entries are validated after the document itself, so a bad source waits for a clean document
    doc = copy.deepcopy(VALID)
    doc["sources"][0]["signal"] = "requests_totl"
    doc["sources"][5]["severty"] = {}
    with pytest.raises(ConfigError) as info:
        load_project(project(tmp_path_factory, dump(doc)))
    paths = {p.path for p in info.value.problems}
    assert {"sources[0].signal", "sources[5].severty"} <= paths, paths


# ---------------------------------------------------------------- real files, cut short


REAL_FILES = [REPO / "sentinel.yaml", REPO / "sentinel_reports" / "scaffold" / "sentinel.yaml"]


@pytest.mark.parametrize("real", REAL_FILES, ids=lambda p: str(p.relative_to(REPO)))
@SETTINGS
@given(fraction=st.floats(min_value=0.0, max_value=1.0))
def test_truncated_real_files(tmp_path_factory, real, fraction):
    text = real.read_bytes()
    load_both(project(tmp_path_factory, text[: int(len(text) * fraction)]))


# ---------------------------------------------------------------- alias bombs


def alias_bomb(levels: int, width: int, as_mapping: bool) -> str:
    """`levels` anchors, each referring `width` times to the one before (width ** levels leaves)."""
    lines = []
    for i in range(levels):
        items = [f"*a{i - 1}" if i else '"lol"' for _ in range(width)]
        if as_mapping:
            body = "{" + ", ".join(f"k{j}: {item}" for j, item in enumerate(items)) + "}"
        else:
            body = "[" + ", ".join(items) + "]"
        lines.append(f"a{i}: &a{i} {body}")
    return "{" + ", ".join(lines) + "}"


def bomb_config(where: str, bomb: str, levels: int) -> str:
    last = f"*a{levels - 1}"
    base = dump(VALID)
    if where == "source_extra_key":  # SourceConfig keeps unknown keys for the collector to judge
        return base.replace("- id: prom\n", f"- id: prom\n  junk: {{defs: {bomb}, use: {last}}}\n", 1)
    if where == "organization":
        return base.replace("organization: Acme AI Platform", f"organization: {{defs: {bomb}, use: {last}}}")
    if where == "top_level":
        return f"defs: {bomb}\nuse: {last}\n" + base
    return base.replace("prices:\n", f"prices:\n  bomb: {{defs: {bomb}, use: {last}}}\n", 1)


@SETTINGS
@given(
    levels=st.integers(min_value=1, max_value=14),
    width=st.integers(min_value=2, max_value=10),
    as_mapping=st.booleans(),
    where=st.sampled_from(["source_extra_key", "organization", "top_level", "prices"]),
)
def test_alias_bombs_end_quickly(tmp_path_factory, levels, width, as_mapping, where):
    text = bomb_config(where, alias_bomb(levels, width, as_mapping), levels)
    outcomes = load_both(project(tmp_path_factory, text))
    # the bomb sits under a key nothing accepts; load_config leaves source options to the collectors
    assert isinstance(outcomes[1], ConfigError)
    assert isinstance(outcomes[0], ConfigError) or where == "source_extra_key"
    if width**levels > 2 * MAX_YAML_NODES:
        messages = [p.message for o in outcomes if isinstance(o, ConfigError) for p in o.problems]
        assert any("expand to more than" in m for m in messages), messages


def test_a_billion_laughs_in_a_source_entry_is_refused_before_validation(tmp_path_factory):
    text = bomb_config("source_extra_key", alias_bomb(9, 10, True), 9)  # 10**9 leaves
    folder = project(tmp_path_factory, text)
    with pytest.raises(ConfigError) as info:
        load_project(folder)
    [problem] = info.value.problems
    assert problem.file.endswith("sentinel.yaml")
    assert f"more than {MAX_YAML_NODES:,} values" in problem.message


def test_ordinary_aliases_still_load(tmp_path_factory):
    doc = copy.deepcopy(VALID)
    shared = {"wrkspc_1": "chat-api", "wrkspc_2": "rag-retrieval"}
    doc["sources"] += [
        {"type": "anthropic_usage_report", "path": "data/u.json", "workspaces": shared},
        {"type": "anthropic_cost_report", "path": "data/c2.json", "id": "c2", "workspaces": shared},
    ]
    text = yaml.safe_dump(doc, sort_keys=False)  # PyYAML writes the shared mapping once, with an alias
    assert "&id001" in text and "*id001" in text
    config = load_project(project(tmp_path_factory, text))
    assert config.sources[-1].model_dump()["workspaces"] == shared


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("organization: &a [*a]\ncomponents: []\n", "contains it"),
        ("organization: x\ncomponents: " + "[" * 5000 + "]" * 5000 + "\n", f"{MAX_YAML_DEPTH} levels"),
        ("organization: x\ncomponents: " + "[" * (MAX_YAML_DEPTH + 5) + "]" * (MAX_YAML_DEPTH + 5), "levels"),
    ],
    ids=["self-reference", "deep-for-the-parser", "deep-for-validation"],
)
def test_recursive_and_deep_documents_are_refused(tmp_path_factory, text, expected):
    for loader in (load_config, load_project):
        with pytest.raises(ConfigError) as info:
            loader(project(tmp_path_factory, text))
        check_problems(info.value)
        assert expected in str(info.value)


# ---------------------------------------------------------------- OpenSLO references


def with_openslo_ref(reference: Any, **extra: Any) -> str:
    doc = copy.deepcopy(VALID)
    doc["slos"][2] = {"openslo": reference, **extra}
    return dump(doc)


@SETTINGS
@given(
    reference=st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                "",
                ".",
                "..",
                "data",
                "data/slos",
                "/",
                "missing.yaml",
                "data/slos/chat.yaml",
                "a\x00b",
                "x" * 5000,
                "data/slos/../slos/chat.yaml",
                "/dev/null",
                "sentinel.yaml",
            ]
        ),
        YAML_VALUES,
    ),
    content=st.one_of(st.binary(max_size=300), YAML_VALUES.map(dump)),
)
def test_openslo_references_to_arbitrary_files(tmp_path_factory, reference, content):
    folder = project(tmp_path_factory, with_openslo_ref(reference))
    (folder / "random.yaml").write_bytes(content if isinstance(content, bytes) else content.encode())
    load_both(folder)
    (folder / "sentinel.yaml").write_text(with_openslo_ref("random.yaml"), encoding="utf-8")
    outcomes = load_both(folder)
    for outcome in outcomes:
        if isinstance(outcome, ConfigError):
            assert any(p.path.startswith("slos[2]") for p in outcome.problems), outcome


@SETTINGS
@given(data=st.data())
def test_mutated_openslo_documents(tmp_path_factory, data):
    doc = copy.deepcopy(OPENSLO)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="mutations")):
        paths = key_paths(doc)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        operation = data.draw(st.sampled_from(["drop", "replace", "unknown_key", "wrap_in_list"]))
        mutate(doc, path, operation, data.draw(YAML_VALUES, label="value"))
    extra = data.draw(
        st.fixed_dictionaries({}, optional={"component": YAML_VALUES, "signal": YAML_VALUES}), label="extra"
    )
    folder = project(tmp_path_factory, with_openslo_ref("data/slos/chat.yaml", **extra), openslo=doc)
    for outcome in load_both(folder):
        if isinstance(outcome, ConfigError):
            for problem in outcome.problems:
                # problems inside the OpenSLO file name that file; others sit under the slos entry
                assert problem.path.startswith("slos[2]") or not problem.path.startswith("slos"), problem
