"""How many examples a Hypothesis property runs: the suite's figure, scaled up by `make fuzz`.

The suite runs every property with fixed seeds (the ``suite`` profile in conftest.py), so a CI run is
reproducible. ``make fuzz`` sets ``SENTINEL_FUZZ_FACTOR`` and random seeds to search far more inputs; every
failure it finds is kept as an explicit ``@example`` next to the property.
"""

from __future__ import annotations

import os

FACTOR = max(1, int(os.environ.get("SENTINEL_FUZZ_FACTOR", "1")))


def examples(n: int) -> int:
    """``n`` examples in the suite, ``n * SENTINEL_FUZZ_FACTOR`` under ``make fuzz``."""
    return n * FACTOR
