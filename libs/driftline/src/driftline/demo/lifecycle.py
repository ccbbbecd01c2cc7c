"""Follow the lifecycle topic as it happens (for the live view, the summary and the report)."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer

from driftline.bus.ports import Message
from driftline.bus.reading import assign_all
from driftline.bus.records import RawRecord
from driftline.codec import EventCodec
from driftline.envelope import EnvelopeError
from driftline.events import Event
from driftline.serde import DecodeError
from driftline.settings import DriftlineSettings

__all__ = ["LifecycleTail", "Seen"]


@dataclass(frozen=True, slots=True)
class Seen:
    at: float
    """time.monotonic() when the demo saw it."""
    message: Message[Event]

    @property
    def type(self) -> str:
        return type(self.message.event).__name__

    def get(self, name: str) -> Any:
        """A payload field (the event's type decides which fields exist)."""
        return getattr(self.message.event, name)


class LifecycleTail:
    """A background reader of `driftline.models` (and its dead letters, to count them)."""

    def __init__(self, settings: DriftlineSettings, model: str) -> None:
        self.settings = settings
        self.model = model
        self.codec = EventCodec.from_settings(settings)
        self.seen: list[Seen] = []
        self.dead_letters: list[RawRecord] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lifecycle-tail", daemon=True)

    def start(self) -> LifecycleTail:
        self._thread.start()
        return self

    def _run(self) -> None:
        consumer = Consumer({**self.settings.admin_config(), "group.id": f"demo-{uuid.uuid4()}",
                             "enable.auto.commit": False})  # fmt: skip
        topics = ["driftline.models", "driftline.models.dlq", "driftline.data.dlq",
                  "driftline.predictions.dlq"]  # fmt: skip
        assign_all(consumer, topics)
        try:
            while not self._stop.is_set():
                msg = consumer.poll(0.2)
                if msg is None or msg.error():
                    continue
                record = RawRecord.of(msg)
                if record.topic.endswith(".dlq"):
                    with self._lock:
                        self.dead_letters.append(record)
                    continue
                try:
                    message = self.codec.decode(record.value, record.headers, topic=record.topic,
                                                key=record.key, offset=record.offset)  # fmt: skip
                except (DecodeError, EnvelopeError):
                    continue
                if getattr(message.event, "model_name", None) == self.model:
                    with self._lock:
                        self.seen.append(Seen(time.monotonic(), message))
        finally:
            consumer.close()

    def events(self, *types: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if not types or s.type in types]

    def first(self, type_: str, after: float = 0.0, **fields: object) -> Seen | None:
        for seen in self.events(type_):
            if seen.at >= after and all(seen.get(k) == v for k, v in fields.items()):
                return seen
        return None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
