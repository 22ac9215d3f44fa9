"""Which collector reads which source `type`: the built-in ones, listed here, and third-party ones from the
entry-point group `sentinel_reports.collectors` (each entry point names a `Collector` subclass).

    registry()                   {type: Collector subclass}
    validate_source_entry(i, s)  the config hook: one `sources[i]` entry checked by its collector's Options

A third-party collector whose `type` is already taken (by a built-in or another entry point) is an error
naming both, never a silent choice; so is an entry point that does not name a Collector subclass.
"""

from __future__ import annotations

from importlib import metadata

from pydantic import ValidationError

from ..config import SourceConfig, problems_from_validation
from ..errors import ConfigProblem, SentinelError
from .anthropic import AnthropicCostCollector, AnthropicUsageCollector
from .base import Collector
from .business_kpis import BusinessKpisCollector
from .csv_samples import CsvSamplesCollector
from .datadog import DatadogSloHistoryCollector
from .evals import EvalsCollector
from .focus import FocusCollector
from .incidentio import IncidentIoCollector
from .incidents_csv import IncidentsCsvCollector
from .llm_requests import LlmRequestsCollector
from .openai import OpenAICostsCollector, OpenAIUsageCollector
from .otel_genai import OtelGenAiCollector
from .pagerduty import PagerDutyCollector
from .prometheus import PrometheusCollector

ENTRY_POINT_GROUP = "sentinel_reports.collectors"

BUILTIN: tuple[type[Collector], ...] = (
    AnthropicCostCollector,
    AnthropicUsageCollector,
    BusinessKpisCollector,
    CsvSamplesCollector,
    DatadogSloHistoryCollector,
    EvalsCollector,
    FocusCollector,
    IncidentIoCollector,
    IncidentsCsvCollector,
    LlmRequestsCollector,
    OpenAICostsCollector,
    OpenAIUsageCollector,
    OtelGenAiCollector,
    PagerDutyCollector,
    PrometheusCollector,
)

_REGISTRY: dict[str, type[Collector]] | None = None


def _origin(cls: type[Collector]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def load_registry(entry_points: list[metadata.EntryPoint] | None = None) -> dict[str, type[Collector]]:
    """The built-in collectors and those of ``entry_points`` (default: the installed ones), by type."""
    known: dict[str, type[Collector]] = {}
    for cls in BUILTIN:
        if cls.type in known:  # pragma: no cover - a mistake in the list above
            raise SentinelError(f"built-in collector type {cls.type!r} is listed twice")
        known[cls.type] = cls
    if entry_points is None:
        entry_points = list(metadata.entry_points(group=ENTRY_POINT_GROUP))
    for ep in sorted(entry_points, key=lambda e: (e.name, e.value)):
        where = f"entry point {ep.name!r} ({ep.value}) in group {ENTRY_POINT_GROUP}"
        try:
            cls = ep.load()
        except Exception as exc:  # noqa: BLE001 - any failure of third-party code, reported by name
            raise SentinelError(f"{where}: cannot be loaded: {type(exc).__name__}: {exc}") from None
        if not (isinstance(cls, type) and issubclass(cls, Collector)) or not isinstance(
            getattr(cls, "type", None), str
        ):
            raise SentinelError(f"{where}: expected a Collector subclass with a `type`, found {cls!r}")
        taken = known.get(cls.type)
        if taken is not None and taken is not cls:
            builtin = " built-in" if taken in BUILTIN else ""
            raise SentinelError(
                f"{where}: collector type {cls.type!r} of {_origin(cls)} is already taken by the{builtin} "
                f"collector {_origin(taken)}; give the third-party collector another type"
            )
        known[cls.type] = cls
    return known


def registry() -> dict[str, type[Collector]]:
    """Every known collector by type: the built-in ones and those from installed entry points."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = load_registry()
    return dict(_REGISTRY)


def validate_source_entry(index: int, source: SourceConfig) -> list[ConfigProblem]:
    """The config hook: validate one `sources[i]` entry with its collector's Options."""
    known = registry()
    where = f"sources[{index}]"
    if source.type not in known:
        return [
            ConfigProblem(f"{where}.type", f"unknown source type {source.type!r} (known: {sorted(known)})")
        ]
    try:
        known[source.type].Options.model_validate(source.model_dump(exclude_none=True))
    except ValidationError as exc:
        return problems_from_validation(exc, where)
    return []
