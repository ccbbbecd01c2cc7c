"""Ports and their adapters: reference sources and state stores."""

from driftline_monitoring.adapters.ports import (
    ReferenceSource,
    ReferenceUnavailableError,
    StateStore,
)  # fmt: skip
from driftline_monitoring.adapters.reference_fallback import (
    FallbackReferenceSource,
    FirstWindowReferenceSource,
    StaticReferenceSource,
)  # fmt: skip
from driftline_monitoring.adapters.reference_http import HttpReferenceSource, reference_from_stats
from driftline_monitoring.adapters.state_file import JsonFileStateStore, MemoryStateStore

__all__ = [
    "FallbackReferenceSource",
    "FirstWindowReferenceSource",
    "HttpReferenceSource",
    "JsonFileStateStore",
    "MemoryStateStore",
    "ReferenceSource",
    "ReferenceUnavailableError",
    "StateStore",
    "StaticReferenceSource",
    "reference_from_stats",
]
