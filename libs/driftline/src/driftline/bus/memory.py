"""In-memory publisher for unit tests: records what it was asked to publish."""

from __future__ import annotations

from driftline.bus.ports import build_metadata
from driftline.envelope import Metadata
from driftline.events import Event

__all__ = ["FakePublisher"]


class FakePublisher:
    def __init__(self, source: str = "test") -> None:
        self.source = source
        self.published: list[tuple[Event, Metadata, str | None]] = []

    def publish(
        self,
        event: Event,
        *,
        caused_by: Metadata | None = None,
        correlation_id: str | None = None,
        key: str | None = None,
        meta: Metadata | None = None,
    ) -> Metadata:
        sent = build_metadata(
            event, self.source, caused_by=caused_by, correlation_id=correlation_id, meta=meta
        )
        self.published.append((event, sent, key))
        return sent

    def flush(self, timeout: float = 10.0) -> None:
        return None

    def events(self, cls: type[Event] | None = None) -> list[Event]:
        return [e for e, _, _ in self.published if cls is None or isinstance(e, cls)]
