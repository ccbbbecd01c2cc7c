"""Unit-test support: hand-made fakes of the registry's ports, recording what they were asked."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import pytest
from driftline.bus import FakePublisher
from driftline.envelope import Metadata
from driftline_registry.adapters.ports import OutboxRecord
from driftline_registry.domain import Announcement, ConcurrencyError, RegisteredModel
from driftline_registry.handlers import Context

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


# -- fakes --------------------------------------------------------------------------------
@dataclass
class FakeStore:
    """What a database would hold; shared by the fake units of work."""

    models: dict[str, RegisteredModel] = field(default_factory=dict)
    processed: set[str] = field(default_factory=set)
    outbox: list[OutboxRecord] = field(default_factory=list)
    transitions: list[Any] = field(default_factory=list)
    commits: int = 0
    conflicts_to_raise: int = 0
    """Make the next N saves fail as if another writer won."""


class FakeModels:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.staged: dict[str, RegisteredModel] = {}
        self.staged_transitions: list[Any] = []

    def get(self, name: str) -> RegisteredModel | None:
        found = self.store.models.get(name)
        return copy.deepcopy(found) if found else None

    def all(self) -> list[RegisteredModel]:
        return [copy.deepcopy(m) for _, m in sorted(self.store.models.items())]

    def save(self, model: RegisteredModel) -> None:
        if self.store.conflicts_to_raise:
            self.store.conflicts_to_raise -= 1
            raise ConcurrencyError("another writer won (fake)")
        self.staged_transitions += model.transitions
        model.mark_saved()
        self.staged[model.name] = copy.deepcopy(model)

    def count_by_status(self) -> dict[tuple[str, str], int]:
        return {}


class FakeHistory:
    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def for_model(self, name: str, version: int | None = None) -> list[Any]:
        return [t for t in self.store.transitions
                if t.model_name == name and version in (None, t.version)]  # fmt: skip


class FakeProcessed:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.staged: set[str] = set()

    def seen(self, event_id: str) -> bool:
        return event_id in self.store.processed

    def add(self, event_id: str, event_type: str, at: datetime) -> None:
        self.staged.add(event_id)


class FakeOutbox:
    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.staged: list[OutboxRecord] = []

    def add(self, announcement: Announcement, meta: Metadata, key: str | None) -> None:
        self.staged.append(OutboxRecord(len(self.store.outbox) + len(self.staged) + 1,
                                        announcement.event, meta, key))  # fmt: skip

    def pending(self, limit: int) -> list[OutboxRecord]:
        return [r for r in self.store.outbox if r.published_at is None][:limit]

    def mark_published(self, ids: list[int], at: datetime) -> None:
        self.store.outbox = [dataclasses.replace(r, published_at=at) if r.id in ids else r
                             for r in self.store.outbox]  # fmt: skip

    def pending_count(self) -> int:
        return len(self.pending(10**9))

    def oldest_pending_at(self) -> datetime | None:
        return None


class FakeUnitOfWork:
    """Stages every write and applies it to the store only on commit."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store

    def __enter__(self) -> Self:
        self.models, self.history = FakeModels(self.store), FakeHistory(self.store)
        self.processed, self.outbox = FakeProcessed(self.store), FakeOutbox(self.store)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        return None

    def commit(self) -> None:
        self.store.transitions += self.models.staged_transitions
        self.store.models.update(self.models.staged)
        self.store.processed |= self.processed.staged
        self.store.outbox += self.outbox.staged
        self.store.commits += 1

    def rollback(self) -> None:
        return None


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def ctx(store: FakeStore, build: Any) -> Context:
    clock: Callable[[], datetime] = lambda: T0  # noqa: E731
    return Context(uow=lambda readonly=False: FakeUnitOfWork(store), spec=build.SPEC, clock=clock)  # type: ignore[arg-type,misc]


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()
