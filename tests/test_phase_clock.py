"""The build's phase timers: taken around the work, nested phases counted once (exclusively)."""

from __future__ import annotations

import time

from sentinel_reports.project import PhaseClock


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_a_nested_phase_is_not_counted_in_the_outer_one_too() -> None:
    clock = PhaseClock()
    with clock("outer"):
        _spin(0.05)
        with clock("inner"):
            _spin(0.1)
    outer_wall, outer_cpu = clock.phases["outer"]
    inner_wall, inner_cpu = clock.phases["inner"]
    assert 0.1 <= inner_cpu < 0.2
    assert 0.05 <= outer_cpu < 0.1  # its own work only, not the inner phase's
    assert inner_wall >= inner_cpu * 0.5 and outer_wall > 0


def test_iterate_counts_each_step_of_a_lazy_sequence() -> None:
    clock = PhaseClock()

    def slow() -> object:
        for n in range(3):
            _spin(0.03)
            yield n

    seen = []
    for item in clock.iterate("steps", slow()):
        seen.append(item)
        _spin(0.05)  # the consumer's own time is not the phase's
    assert seen == [0, 1, 2]
    assert 0.09 <= clock.phases["steps"][1] < 0.15
