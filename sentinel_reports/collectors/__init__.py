"""Collectors: one module per source type, listed by `type` in `catalog` (the protocol: `base`)."""

from .base import Batch, CollectContext, Collector, SourceOptions
from .catalog import registry, validate_source_entry

__all__ = ["Batch", "CollectContext", "Collector", "SourceOptions", "registry", "validate_source_entry"]
