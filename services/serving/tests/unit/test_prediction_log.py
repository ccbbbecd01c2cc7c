"""The prediction log: batches to the producer, never blocks, counts every drop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from driftline.codec import EventCodec
from driftline.envelope import Metadata
from driftline.events import PredictionLogged
from driftline.settings import DriftlineSettings
from driftline_serving.adapters import KafkaPredictionLog
from driftline_serving.core import PredictionRecord


@dataclass
class FakeProducer:
    full_after: int | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[Callable[[Any, Any], None]] = field(default_factory=list)

    def produce(
        self, topic: str, value: bytes, key: str, *, headers: Any, on_delivery: Any
    ) -> None:
        if self.full_after is not None and len(self.sent) >= self.full_after:
            raise BufferError("queue full")
        self.sent.append({"topic": topic, "value": value, "key": key, "headers": headers})
        self.callbacks.append(on_delivery)

    def poll(self, timeout: float) -> int:
        return 0

    def flush(self, timeout: float) -> int:
        return 0


def record(i: int, entity: str | None = "a1") -> PredictionRecord:
    return PredictionRecord(request_id=f"r{i}", model_name="m", model_version=2, entity_key=entity,
                            features={"income": 1.0, "region": "north", "gap": None},
                            prediction=1, score=0.8, latency_ms=1.5, timestamp=1_700_000_000.5,
                            role="canary")  # fmt: skip


def make(producer: FakeProducer, **kw: Any) -> tuple[KafkaPredictionLog, list[tuple[str, int]]]:
    drops: list[tuple[str, int]] = []
    log = KafkaPredictionLog(producer, EventCodec.from_settings(DriftlineSettings()),
                             source="driftline/serving", on_drop=lambda r, n: drops.append((r, n)), **kw)  # fmt: skip
    return log, drops


def test_records_become_prediction_logged_events_keyed_by_entity_with_an_envelope() -> None:
    producer = FakeProducer()
    log, drops = make(producer)
    log.put(record(1))
    log.put(record(2, entity=None))
    assert log.produce_batch(timeout=0) == 2
    first, second = producer.sent
    assert first["topic"] == "driftline.predictions"
    assert first["key"] == "a1"
    assert second["key"] == "r2"  # no entity: the request id spreads the partitions
    codec = EventCodec.from_settings(DriftlineSettings())
    message = codec.decode(first["value"], first["headers"], topic=first["topic"])
    event = message.event
    assert isinstance(event, PredictionLogged)
    assert (event.request_id, event.model_version, event.role, event.prediction) == (
        "r1",
        2,
        "canary",
        1,
    )
    assert event.features == {"income": 1.0, "region": "north", "gap": None}
    assert event.event_time.timestamp() == 1_700_000_000.5
    assert message.meta.source == "driftline/serving"
    assert isinstance(message.meta, Metadata)
    assert drops == []


def test_put_never_blocks_and_counts_what_a_full_queue_drops() -> None:
    log, drops = make(FakeProducer(), capacity=2)
    assert [log.put(record(i)) for i in range(4)] == [True, True, False, False]
    assert drops == [("queue_full", 1), ("queue_full", 1)]
    assert log.depth == 2


def test_a_full_producer_buffer_drops_and_counts_instead_of_waiting() -> None:
    log, drops = make(FakeProducer(full_after=1))
    for i in range(3):
        log.put(record(i))
    log.produce_batch(timeout=0)
    assert drops == [("producer_full", 1), ("producer_full", 1)]


def test_failed_deliveries_are_counted() -> None:
    producer = FakeProducer()
    log, drops = make(producer)
    log.put(record(1))
    log.produce_batch(timeout=0)
    producer.callbacks[0]("broker down", None)
    assert drops == [("delivery_failed", 1)]


def test_batches_hold_at_most_the_batch_size() -> None:
    producer = FakeProducer()
    log, _ = make(producer, batch_size=3)
    for i in range(7):
        log.put(record(i))
    assert [log.produce_batch(timeout=0) for _ in range(4)] == [3, 3, 1, 0]


def test_stopping_produces_what_is_left_then_flushes() -> None:
    producer = FakeProducer()
    log, _ = make(producer)
    for i in range(5):
        log.put(record(i))
    log.stop()
    log.run()
    assert len(producer.sent) == 5
