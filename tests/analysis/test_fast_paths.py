"""Fast paths give exactly what the general code gives, on generated data: the canonical facts.json writer
against the standard library, `plain` by exact type against the general conversion, `from_ns` against pandas."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinel_reports.analysis.facts_text import canonical_json
from sentinel_reports.analysis.provenance import _plain_other, plain

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=40,
)


def reference(data: object) -> str:
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@settings(max_examples=300, deadline=None)
@given(documents)
def test_canonical_json_is_the_standard_librarys_text(data: object) -> None:
    assert canonical_json(data) == reference(data)


def test_canonical_json_hands_other_values_to_the_standard_library() -> None:
    data = {"b": (1, 2.5), "a": {2: "x", 1: None}, "c": [True, 'é\n"', [], {}], "d": -0.0}
    assert canonical_json(data) == reference(data)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_canonical_json_refuses_what_json_refuses(bad: float) -> None:
    with pytest.raises(ValueError):
        reference({"x": [bad]})
    with pytest.raises(ValueError):
        canonical_json({"x": [bad]})


values = st.recursive(
    scalars
    | st.floats()
    | st.datetimes(timezones=st.just(dt.UTC))
    | st.dates()
    | st.builds(np.float64, st.floats())
    | st.builds(np.int64, st.integers(min_value=-(2**40), max_value=2**40)),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4) | st.integers(), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_plain_fast_path_agrees_with_the_general_conversion(value: object) -> None:
    fast = plain(value)
    general = _plain_other(value)
    assert json.dumps(fast, sort_keys=True) == json.dumps(general, sort_keys=True)
    assert type(fast) is type(general)


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=-(2**62), max_value=2**62))
def test_from_ns_is_the_timestamps_datetime(ns: int) -> None:
    import warnings

    import pandas as pd

    from sentinel_reports.analysis.series import from_ns

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns that it drops the nanoseconds
        expected = pd.Timestamp(ns, unit="ns", tz="UTC").to_pydatetime()
    got = from_ns(np.int64(ns))
    assert got == expected and got.tzinfo == expected.tzinfo and repr(got) == repr(expected)


spacings = st.lists(st.integers(min_value=-(2**60), max_value=2**60), min_size=1, max_size=30)


@settings(max_examples=500, deadline=None)
@given(
    st.integers(min_value=-(2**60), max_value=2**60),
    spacings | st.builds(lambda step, n: [step] * n, st.integers(-(2**56), 2**56), st.integers(1, 30)),
)
def test_median_step_is_numpys_median_of_the_spacings(first: int, steps: list[int]) -> None:
    from sentinel_reports.analysis.series import median_step

    ts = np.cumsum(np.asarray([first, *steps], dtype="int64"))  # wraps like the int64 it models
    assert median_step(ts) == int(np.median(np.diff(ts)))
