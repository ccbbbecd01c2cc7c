"""At-least-once consumption made effectively-once, with dead letters.

For each record: decode (bad bytes or envelope -> dead letter at once), route by
`ce_type`, skip ids already processed, run the handler with retries and
exponential backoff, dead-letter the original bytes after the last attempt,
then mark the id processed and commit. The offset is committed only after the
handler succeeded or the record is safely in the dead-letter topic, so a crash
anywhere re-delivers rather than loses.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from driftline.bus.dedupe import DedupeStore, MemoryDedupeStore
from driftline.bus.ports import Handler, Message
from driftline.bus.reading import stop_on_signals
from driftline.bus.records import RawRecord, header_dict
from driftline.catalog import dlq_topic
from driftline.envelope import EnvelopeError
from driftline.serde import DecodeError
from driftline.telemetry import DEAD_LETTERED, EVENTS_CONSUMED, HANDLER_SECONDS, log_context

if TYPE_CHECKING:
    from driftline.codec import EventCodec
    from driftline.settings import DriftlineSettings

__all__ = ["Decoder", "RetryPolicy", "Subscriber"]

log = logging.getLogger(__name__)

Decoder = Callable[[RawRecord], Message[Any]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_s: float = 0.2
    max_backoff_s: float = 5.0

    def delay(self, attempt: int) -> float:
        return float(min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1)))


class Subscriber:
    """A consumer-group member that feeds records to a routing table of handlers."""

    def __init__(
        self,
        *,
        settings: DriftlineSettings,
        codec: EventCodec,
        service: str,
        group_id: str,
        topics: Sequence[str],
        handlers: Mapping[str, Handler],
        dedupe: DedupeStore | None = None,
        retry: RetryPolicy | None = None,
        decoder: Decoder | None = None,
        consumer_config: dict[str, Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self.group_id = group_id
        self.topics = list(topics)
        self.handlers = dict(handlers)
        self.dedupe: DedupeStore = dedupe if dedupe is not None else MemoryDedupeStore()
        self.retry = retry or RetryPolicy(
            settings.consumer_max_attempts, settings.consumer_retry_backoff_s
        )
        self._decode = decoder or self._decode_event
        self._codec = codec
        self._sleep = sleep
        self._consumer = Consumer(
            {
                **settings.consumer_config(group_id, f"{service}-{group_id}"),
                **(consumer_config or {}),
            }
        )
        self._dlq = Producer(settings.producer_config(f"{service}-dlq"))
        self._subscribed = False
        self.stop_event = threading.Event()

    # -- the loop ----------------------------------------------------------------
    def run(self, *, install_signals: bool = True, poll_timeout: float = 0.5) -> None:
        """Consume until `stop_event` is set (SIGTERM and SIGINT set it in the main thread)."""
        restore = stop_on_signals(self.stop_event) if install_signals else (lambda: None)
        log.info("consuming", extra={"group": self.group_id, "topics": self.topics})
        try:
            while not self.stop_event.is_set():
                self.poll_once(poll_timeout)
        finally:
            restore()
            self.close()

    def poll_once(self, timeout: float = 0.5) -> str | None:
        """Process at most one record; return its outcome, or None when nothing came."""
        if not self._subscribed:
            self._consumer.subscribe(self.topics)
            self._subscribed = True
        msg = self._consumer.poll(timeout)
        if msg is None:
            return None
        if error := msg.error():
            if error.code() != KafkaError._PARTITION_EOF:
                log.warning("consumer error", extra={"error": str(error)})
            return None
        outcome = self._process(RawRecord.of(msg))
        if outcome != "retry_later":
            self._consumer.commit(message=msg, asynchronous=False)
        return outcome

    def stop(self) -> None:
        """Ask `run` to finish the current record and leave the group."""
        self.stop_event.set()

    def close(self) -> None:
        try:
            self._consumer.close()
        finally:
            self._dlq.flush(10)

    # -- one record ----------------------------------------------------------------
    def _decode_event(self, record: RawRecord) -> Message[Any]:
        return self._codec.decode(
            record.value,
            record.headers,
            topic=record.topic,
            key=record.key,
            partition=record.partition,
            offset=record.offset,
        )

    def _process(self, record: RawRecord) -> str:
        topic = record.topic
        try:
            message = self._decode(record)
        except (DecodeError, EnvelopeError) as exc:
            log.warning("undecodable record", extra={"topic": topic, "reason": str(exc)})
            return self._dead_letter(record, "undecodable", f"{type(exc).__name__}: {exc}", 0)
        etype = message.meta.type
        with log_context(message.meta):
            handler = self.handlers.get(etype) or self.handlers.get("*")
            if handler is None:
                return self._count(topic, etype, "ignored")
            if self.dedupe.seen(message.meta.id):
                log.info("duplicate event skipped")
                return self._count(topic, etype, "duplicate")
            for attempt in range(1, self.retry.max_attempts + 1):
                started = time.perf_counter()
                try:
                    handler(message)
                except Exception as exc:
                    log.warning(
                        "handler failed",
                        exc_info=True,
                        extra={"attempt": attempt, "max_attempts": self.retry.max_attempts},
                    )
                    if attempt == self.retry.max_attempts:
                        return self._dead_letter(
                            record, "handler_failed", f"{type(exc).__name__}: {exc}", attempt
                        )
                    self._sleep(self.retry.delay(attempt))
                else:
                    HANDLER_SECONDS.labels(self.service, etype).observe(
                        time.perf_counter() - started
                    )
                    self.dedupe.mark(message.meta.id)
                    return self._count(topic, etype, "handled")
        raise AssertionError("unreachable: the attempt loop always returns")

    def _count(self, topic: str, etype: str, outcome: str) -> str:
        EVENTS_CONSUMED.labels(self.service, topic, etype, outcome).inc()
        return outcome

    def _dead_letter(self, record: RawRecord, reason: str, error: str, attempts: int) -> str:
        """Send the original bytes, with why, to `<topic>.dlq`; only then may we commit."""
        topic = record.topic
        headers = record.headers + [
            (k, v.encode())
            for k, v in {
                "dlq_reason": reason,
                "dlq_error": error[:4000],
                "dlq_attempts": str(attempts),
                "dlq_source_topic": topic,
                "dlq_source_partition": str(record.partition),
                "dlq_source_offset": str(record.offset),
                "dlq_consumer_group": self.group_id,
                "dlq_service": self.service,
                "dlq_time": datetime.now(UTC).isoformat(),
            }.items()
        ]
        failed: list[KafkaError] = []

        def on_delivery(err: KafkaError | None, _msg: object) -> None:
            if err is not None:
                failed.append(err)

        self._dlq.produce(
            dlq_topic(topic),
            value=record.value,
            key=record.key,
            headers=list(headers),
            on_delivery=on_delivery,
        )
        if self._dlq.flush(30) or failed:
            log.error(
                "dead-letter topic unreachable; the record will be retried", extra={"topic": topic}
            )
            self._consumer.seek(TopicPartition(topic, record.partition, record.offset))
            self._sleep(self.retry.max_backoff_s)
            return "retry_later"
        DEAD_LETTERED.labels(self.service, topic, reason).inc()
        etype = header_dict(record.headers).get("ce_type", "?")
        return self._count(topic, etype, "dead_lettered")
