"""The checks `collect` runs over every source's samples together: the distinct (component, signal) series
of a frame found from integer codes equal those of a plain drop_duplicates, whatever the column types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sentinel_reports.project import _series_keys


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
