"""The Kafka publisher: idempotent, acks=all, keyed by the catalog, envelope in headers."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from driftline.bus.ports import build_metadata
from driftline.envelope import Metadata
from driftline.events import Event
from driftline.telemetry import EVENTS_PRODUCED

if TYPE_CHECKING:
    from driftline.codec import EventCodec
    from driftline.settings import DriftlineSettings

__all__ = ["DeliveryError", "KafkaPublisher"]

log = logging.getLogger(__name__)


class DeliveryError(RuntimeError):
    """The broker did not acknowledge a record."""


class KafkaPublisher:
    """`Publisher` over confluent-kafka.

    With ``wait=True`` (the default for lifecycle events) `publish` returns only
    once the broker acknowledged the record; with ``wait=False`` records are
    batched in the background and `flush()` raises if any delivery failed.
    """

    def __init__(
        self,
        settings: DriftlineSettings,
        codec: EventCodec,
        *,
        source: str,
        wait: bool = True,
        extra_config: dict[str, Any] | None = None,
    ) -> None:
        self.codec = codec
        self.source = source
        self.wait = wait
        self.service = source.rsplit("/", 1)[-1]
        self._producer = Producer({**settings.producer_config(source), **(extra_config or {})})
        self._errors: list[KafkaError] = []
        self._lock = threading.Lock()

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            log.error("delivery failed", extra={"topic": msg.topic(), "error": str(err)})
            with self._lock:
                self._errors.append(err)

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
        spec = self.codec.spec(event)
        self.produce_raw(
            spec.topic,
            self.codec.encode(event),
            key=key if key is not None else self.codec.key_of(event),
            headers=sent.to_headers(),
        )
        EVENTS_PRODUCED.labels(self.service, spec.topic, spec.type).inc()
        if self.wait:
            self.flush()
        return sent

    def produce_raw(
        self,
        topic: str,
        value: bytes | None,
        *,
        key: str | bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        wire_headers: list[tuple[str, str | bytes | None]] = list(headers or [])
        while True:
            try:
                self._producer.produce(
                    topic, value=value, key=key, headers=wire_headers, on_delivery=self._on_delivery
                )
                break
            except BufferError:  # local queue full: serve callbacks, then retry
                self._producer.poll(0.1)
        self._producer.poll(0)

    def flush(self, timeout: float = 30.0) -> None:
        remaining = self._producer.flush(timeout)
        with self._lock:
            errors, self._errors = self._errors, []
        if remaining:
            raise DeliveryError(f"{remaining} record(s) not acknowledged within {timeout}s")
        if errors:
            raise DeliveryError(f"{len(errors)} record(s) failed: {errors[0]}")

    def close(self) -> None:
        try:
            self.flush()
        except (DeliveryError, KafkaException):
            log.exception("records lost at close")
