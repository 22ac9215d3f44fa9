"""Collectors: one module per source type, registered by `type` (see `base`)."""

from .base import Batch, CollectContext, Collector, SourceOptions, register, registry

__all__ = ["Batch", "CollectContext", "Collector", "SourceOptions", "register", "registry"]
