"""Facts models from the few keys a test plants.

Tests run with --import-mode=importlib, so test modules load this file by path (see `_load_helper()` in
tests/render/test_brief_print.py). `complete(WeekFacts, data)` returns `data` with every required key it
leaves out (at any depth, in every list entry) set to a neutral value of the declared type: null where null
is allowed, an empty list or dict, False, 0, "", the first literal, a fixed instant. A test therefore states
every value it asserts on; the filled keys only make the document validate. The derived keys (changes,
shares, counts) are then computed from the completed document by `analysis.derived.add_derived`, as
analysis does. A planted key the model does not declare still fails validation, so a misspelt key cannot
pass unnoticed.

    facts = week_facts({"slos": [...], "components": [...]})     a validated WeekFacts
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Annotated, Any, Literal, Union

from sentinel_reports.analysis.derived import add_derived
from sentinel_reports.analysis.facts_model import FactsBase, QuarterFacts, WeekFacts

INSTANT = "2026-11-23T00:00:00Z"
DAY = "2026-11-22"


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, FactsBase)


def _neutral(tp: Any) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Annotated:
        return _neutral(args[0])
    if origin in (Union, types.UnionType):
        return None if type(None) in args else _neutral(args[0])
    if origin is Literal:
        return args[0]
    if origin is list:
        return []
    if origin is dict:
        return {}
    if _is_model(tp):
        return complete(tp, {})
    if tp is bool:
        return False
    if tp in (int, float):
        return 0
    if tp is str:
        return ""
    if tp is dt.datetime:
        return INSTANT
    if tp is dt.date:
        return DAY
    raise TypeError(f"no neutral value for {tp!r}")


def _fill(tp: Any, value: Any) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Annotated:
        return _fill(args[0], value)
    if origin in (Union, types.UnionType):
        models = [a for a in args if _is_model(a)]
        if isinstance(value, dict) and models:
            kind = value.get("kind")
            for m in models:
                literal = (
                    typing.get_args(m.model_fields["kind"].annotation) if "kind" in m.model_fields else ()
                )
                if kind is None or kind in literal:
                    return complete(m, value)
        return value
    if origin is list and isinstance(value, list):
        return [_fill(args[0], v) for v in value]
    if origin is dict and isinstance(value, dict):
        return {k: _fill(args[1], v) for k, v in value.items()}
    if _is_model(tp) and isinstance(value, dict):
        return complete(tp, value)
    return value


def complete(model: type[FactsBase], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every required key of ``model`` it lacks set to a neutral value (nested blocks too)."""
    out = dict(data)
    for name, field in model.model_fields.items():
        if name in out:
            out[name] = _fill(field.annotation, out[name])
        elif field.is_required():
            out[name] = _neutral(field.annotation)
    return out


def week_facts(data: dict[str, Any], previous_budget: dict[str, float | None] | None = None) -> WeekFacts:
    """A WeekFacts from ``data``: completed, with its derived keys (``previous_budget``: SLO name -> budget
    remaining at the end of the previous week)."""
    full = complete(WeekFacts, {"kind": "week", "period": "2026-W47", **data})
    add_derived(full, previous_budget or {})
    return WeekFacts.model_validate(full)


def quarter_facts(
    data: dict[str, Any], previous_budget: dict[str, float | None] | None = None
) -> QuarterFacts:
    full = complete(QuarterFacts, {"kind": "quarter", "period": "2026-Q4", **data})
    add_derived(full, previous_budget or {})
    return QuarterFacts.model_validate(full)
