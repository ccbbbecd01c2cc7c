"""The registry's ports: what handlers may ask of storage, whatever the database.

One `UnitOfWork` is one transaction: models, their history, the processed event
ids and the outbox are written together or not at all (STYLE rule 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from driftline.envelope import Metadata
from driftline.events import Event

from driftline_registry.domain import Announcement, RegisteredModel, Transition

__all__ = [
    "History",
    "ModelRepository",
    "Outbox",
    "OutboxRecord",
    "ProcessedEvents",
    "UnitOfWork",
    "UnitOfWorkFactory",
]


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One announcement as stored: the event and the exact envelope it must be sent with."""

    id: int
    event: Event
    meta: Metadata
    key: str | None
    published_at: datetime | None = None


class ModelRepository(Protocol):
    def get(self, name: str) -> RegisteredModel | None:
        """The model with every version and alias, or None."""

    def all(self) -> list[RegisteredModel]:
        """Every model, by name."""

    def save(self, model: RegisteredModel) -> None:
        """Persist the model's pending changes; `ConcurrencyError` if someone saved first."""

    def count_by_status(self) -> dict[tuple[str, str], int]:
        """(model, status) -> number of versions."""


class History(Protocol):
    def for_model(self, name: str, version: int | None = None) -> list[Transition]:
        """Every transition of a model (or of one version), oldest first."""


class ProcessedEvents(Protocol):
    def seen(self, event_id: str) -> bool: ...

    def add(self, event_id: str, event_type: str, at: datetime) -> None:
        """Remember an event as processed; a second add of the same id fails the commit."""


class Outbox(Protocol):
    def add(self, announcement: Announcement, meta: Metadata, key: str | None) -> None:
        """Queue an event in the current transaction, with the envelope it will carry."""

    def pending(self, limit: int) -> list[OutboxRecord]:
        """Unpublished records in id (= commit) order."""

    def mark_published(self, ids: list[int], at: datetime) -> None: ...

    def pending_count(self) -> int: ...

    def oldest_pending_at(self) -> datetime | None: ...


class UnitOfWork(Protocol):
    models: ModelRepository
    history: History
    processed: ProcessedEvents
    outbox: Outbox

    def __enter__(self) -> Self: ...

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""

    def commit(self) -> None:
        """Make everything durable at once; `ConcurrencyError` when a constraint or lock lost."""

    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, readonly: bool = False) -> UnitOfWork: ...
