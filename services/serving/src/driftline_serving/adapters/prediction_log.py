"""The prediction log: PredictionLogged records produced in batches by one background thread.

`put` is what the request path calls: a non-blocking append to a bounded queue. The thread
turns records into events, encodes them and hands them to the Kafka producer, which batches
on its own (linger). Nothing here ever makes a request wait on Kafka: when the broker is
slow or down, the producer's buffer fills, then this queue, and from then on records are
dropped and counted (`driftline_prediction_log_dropped_total{reason}`) — serving latency is
worth more than a complete log.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from driftline.codec import EventCodec
from driftline.envelope import Metadata
from driftline.events import PredictionLogged

from driftline_serving.core.types import PredictionRecord

__all__ = ["KafkaPredictionLog", "ProducerLike"]

log = logging.getLogger(__name__)
EVENT_TYPE = PredictionLogged.__avro_name__


class ProducerLike(Protocol):
    """The part of confluent_kafka.Producer the log uses."""

    def produce(self, topic: str, value: bytes, key: str, *, headers: Any,
                on_delivery: Any) -> None: ...  # fmt: skip

    def poll(self, timeout: float) -> int: ...

    def flush(self, timeout: float) -> int: ...


class KafkaPredictionLog:
    def __init__(
        self,
        producer: ProducerLike,
        codec: EventCodec,
        *,
        source: str,
        capacity: int = 20_000,
        batch_size: int = 500,
        on_drop: Callable[[str, int], None] = lambda reason, n: None,
        on_sent: Callable[[int], None] = lambda n: None,
        on_depth: Callable[[int], None] = lambda n: None,
    ) -> None:
        self.producer, self.codec, self.source = producer, codec, source
        self.topic = codec.catalog.event(PredictionLogged.__name__).topic
        self.batch_size, self.on_drop, self.on_sent = batch_size, on_drop, on_sent
        self.on_depth = on_depth
        """Told the queue's depth once per round of the log thread (a gauge)."""
        self._queue: queue.Queue[PredictionRecord] = queue.Queue(capacity)
        self._stopping = False

    def put(self, record: PredictionRecord) -> bool:
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            self.on_drop("queue_full", 1)
            return False
        return True

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    def run(self) -> None:
        """Produce until stopped, then hand the producer what is left and flush it."""
        while not self._stopping:
            self.produce_batch(timeout=0.2)
        while self.produce_batch(timeout=0):
            pass
        left = self.producer.flush(10.0)
        if left:
            self.on_drop("not_flushed_at_stop", left)

    def stop(self) -> None:
        self._stopping = True

    def produce_batch(self, timeout: float) -> int:
        """Produce up to `batch_size` queued records (waiting up to `timeout` for the first)."""
        try:
            batch = [self._queue.get(timeout=timeout) if timeout else self._queue.get_nowait()]
        except queue.Empty:
            self.producer.poll(0)
            self.on_depth(0)
            return 0
        while len(batch) < self.batch_size:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        produced = 0
        for record in batch:
            try:
                self.producer.produce(
                    self.topic, self.encode(record), record.entity_key or record.request_id,
                    headers=self.headers(record), on_delivery=self._delivered,
                )  # fmt: skip
                produced += 1
            except BufferError:
                self.on_drop("producer_full", 1)
                self.producer.poll(0.05)
            except Exception:
                log.warning("prediction record not produced", exc_info=True)
                self.on_drop("unencodable", 1)
        self.producer.poll(0)
        self.on_sent(produced)
        self.on_depth(self.depth)
        return len(batch)

    def encode(self, r: PredictionRecord) -> bytes:
        """The PredictionLogged record straight from the fields: the schema checks the types
        as it writes (a mismatch raises and is counted as ``unencodable``); building the
        pydantic event first cost a third of the log's time per record."""
        return self.codec.serde.encode(EVENT_TYPE, {
            "request_id": r.request_id, "model_name": r.model_name,
            "model_version": r.model_version, "entity_key": r.entity_key,
            "features": r.features, "prediction": r.prediction, "score": r.score,
            "latency_ms": r.latency_ms, "event_time": datetime.fromtimestamp(r.timestamp, UTC),
            "role": r.role,
        }, topic=self.topic)  # fmt: skip

    def headers(self, r: PredictionRecord) -> list[tuple[str, bytes]]:
        return Metadata(
            type=EVENT_TYPE, source=self.source, correlation_id=r.request_id
        ).to_headers()

    def _delivered(self, err: Any, _msg: Any) -> None:
        if err is not None:
            self.on_drop("delivery_failed", 1)
