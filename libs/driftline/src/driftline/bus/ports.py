"""The bus's ports: what handlers receive and what publishers promise."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from driftline.envelope import Metadata
from driftline.events import Event

__all__ = ["Handler", "Message", "Publisher", "event_type_name", "routes"]

E = TypeVar("E", bound=Event)
EVENT_TYPE_PREFIX = "driftline.events."


@dataclass(frozen=True, slots=True)
class Message(Generic[E]):
    """One consumed event: the typed payload plus its envelope and position."""

    event: E
    meta: Metadata
    topic: str = ""
    key: str | None = None
    partition: int = -1
    offset: int = -1


Handler = Callable[[Message[Any]], None]


def event_type_name(cls: type[Event] | str) -> str:
    """The CloudEvents `ce_type` of an event class: its full Avro name."""
    return cls if isinstance(cls, str) else cls.__avro_name__


def routes(table: Mapping[type[Event], Callable[[Message[Any]], None]]) -> dict[str, Handler]:
    """A service's routing table, keyed by `ce_type`: one handler per message type."""
    return {event_type_name(cls): handler for cls, handler in table.items()}


class Publisher(Protocol):
    """Publishes typed events with a full envelope; returns the envelope it sent."""

    def publish(
        self,
        event: Event,
        *,
        caused_by: Metadata | None = None,
        correlation_id: str | None = None,
        key: str | None = None,
        meta: Metadata | None = None,
    ) -> Metadata: ...

    def flush(self, timeout: float = 10.0) -> None: ...


def build_metadata(
    event: Event,
    source: str,
    *,
    caused_by: Metadata | None,
    correlation_id: str | None,
    meta: Metadata | None,
) -> Metadata:
    etype = event_type_name(type(event))
    if meta is not None:
        return meta.with_type(etype)
    if caused_by is not None:
        return caused_by.caused(etype, source)
    return Metadata(type=etype, source=source, correlation_id=correlation_id or "")
