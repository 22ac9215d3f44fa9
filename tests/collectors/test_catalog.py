"""Which collector reads which type: the built-in list, third-party entry points, and clashes as errors."""

from __future__ import annotations

from importlib import metadata

import pytest

from sentinel_reports.collectors.base import Collector
from sentinel_reports.collectors.catalog import BUILTIN, ENTRY_POINT_GROUP, load_registry
from sentinel_reports.errors import SentinelError


class ThirdPartyCollector(Collector):
    type = "vendor_x"


class ImpostorCollector(Collector):
    type = "prometheus"


NOT_A_COLLECTOR = object()


def entry(name: str, attr: str) -> metadata.EntryPoint:
    return metadata.EntryPoint(name=name, value=f"{__name__}:{attr}", group=ENTRY_POINT_GROUP)


def test_builtins_are_the_explicit_list() -> None:
    known = load_registry([])
    assert list(known.values()) == list(BUILTIN)
    assert "prometheus" in known and "vendor_x" not in known


def test_a_third_party_collector_is_added_under_its_type() -> None:
    known = load_registry([entry("vendor_x", "ThirdPartyCollector")])
    assert known["vendor_x"] is ThirdPartyCollector
    assert len(known) == len(BUILTIN) + 1


def test_a_type_clash_with_a_builtin_is_an_error_naming_both() -> None:
    with pytest.raises(SentinelError) as caught:
        load_registry([entry("mine", "ImpostorCollector")])
    message = str(caught.value)
    assert "'prometheus'" in message and "ImpostorCollector" in message
    assert "built-in collector sentinel_reports.collectors.prometheus.PrometheusCollector" in message


def test_two_entry_points_with_one_type_clash() -> None:
    with pytest.raises(SentinelError, match="already taken"):
        load_registry(
            [
                entry("a", "ThirdPartyCollector"),
                metadata.EntryPoint(name="b", value=f"{__name__}:Other", group=ENTRY_POINT_GROUP),
            ]
        )


class Other(Collector):
    type = "vendor_x"


def test_an_entry_point_that_is_not_a_collector_is_an_error() -> None:
    with pytest.raises(SentinelError, match="expected a Collector subclass"):
        load_registry([entry("odd", "NOT_A_COLLECTOR")])
