"""The ingestion service object: its ports, its policies, and the command routing table."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from driftline.bus.ports import Publisher
from driftline.spec import ProjectSpec

from driftline_ingestion.adapters.ports import OfflineStore, RecordDecoder
from driftline_ingestion.domain.announce import EventLimits
from driftline_ingestion.domain.schema import DatasetLayout
from driftline_ingestion.domain.validation import ValidationPolicy

__all__ = ["Ingestion", "UnknownDatasetError"]

SOURCE = "driftline/ingestion"


class UnknownDatasetError(LookupError):
    """A dataset the project spec does not declare."""


class _BatchLocks:
    """One in-process lock per batch, so that concurrent retries of a batch store it once."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, ...], tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, *key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Ingestion:
    """Everything the handlers need; built by `bootstrap`, never at import."""

    spec: ProjectSpec
    store: OfflineStore
    publisher: Publisher
    decoder: RecordDecoder
    policy: ValidationPolicy = field(default_factory=ValidationPolicy)
    limits: EventLimits = field(default_factory=EventLimits)
    clock: Callable[[], datetime] = _now
    source: str = SOURCE
    locks: _BatchLocks = field(default_factory=_BatchLocks)

    @cached_property
    def layouts(self) -> dict[str, DatasetLayout]:
        return {name: DatasetLayout(name, ds) for name, ds in self.spec.datasets.items()}

    def layout(self, dataset: str) -> DatasetLayout:
        try:
            return self.layouts[dataset]
        except KeyError:
            known = ", ".join(sorted(self.layouts))
            raise UnknownDatasetError(f"unknown dataset {dataset!r}; known: {known}") from None

    def handle(self, command: Any) -> Any:
        """Run the one handler of the command's type (see `handlers.HANDLERS`)."""
        from driftline_ingestion.handlers import HANDLERS

        return HANDLERS[type(command)](command, self)
