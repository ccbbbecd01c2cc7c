"""Event <-> Kafka record: catalog lookup, Avro serde and the envelope in one place."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from driftline.bus.ports import Message
from driftline.catalog import Catalog, EventSpec
from driftline.envelope import EnvelopeError, Metadata
from driftline.events import EVENT_TYPES, Event
from driftline.schema_store import SchemaStore
from driftline.serde import ConfluentRegistry, DecodeError, Serde
from driftline.settings import DriftlineSettings

__all__ = ["EventCodec"]


@dataclass(frozen=True, slots=True)
class EventCodec:
    catalog: Catalog
    serde: Serde

    @classmethod
    def from_settings(cls, settings: DriftlineSettings) -> EventCodec:
        catalog = Catalog.load(settings.schemas_dir)
        registry = (
            ConfluentRegistry(settings.schema_registry_url)
            if settings.schema_registry_url
            else None
        )
        return cls(catalog, Serde(SchemaStore.from_catalog(catalog), registry))

    def spec(self, event: Event | type[Event]) -> EventSpec:
        cls = event if isinstance(event, type) else type(event)
        return self.catalog.event(cls.__name__)

    def key_of(self, event: Event) -> str | None:
        value = getattr(event, self.spec(event).key_field, None)
        return None if value is None else str(value)

    def encode(self, event: Event) -> bytes:
        spec = self.spec(event)
        return self.serde.encode(spec.full_name, event.to_avro(), topic=spec.topic)

    def decode(
        self,
        value: bytes | None,
        headers: list[tuple[str, bytes]] | None,
        *,
        topic: str = "",
        key: bytes | None = None,
        partition: int = -1,
        offset: int = -1,
    ) -> Message[Event]:
        """Turn one record into a typed message; DecodeError/EnvelopeError say why not."""
        meta = Metadata.from_headers(headers)
        decoded = self.serde.decode(value)
        if decoded.full_name != meta.type:
            raise EnvelopeError(
                f"ce_type {meta.type!r} does not match the value's schema {decoded.full_name!r}"
            )
        cls = EVENT_TYPES.get(decoded.full_name.rsplit(".", 1)[-1])
        if cls is None:
            raise DecodeError(f"{decoded.full_name} is not an event type of the catalog")
        try:
            event = cls.from_avro(decoded.record)
        except ValidationError as exc:
            raise DecodeError(f"{decoded.full_name} failed validation: {exc}") from None
        return Message(
            event=event,
            meta=meta,
            topic=topic,
            key=key.decode(errors="replace") if key is not None else None,
            partition=partition,
            offset=offset,
        )
