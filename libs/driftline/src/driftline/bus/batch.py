"""Micro-batch consumption for high-volume record topics (raw data, not events).

`BatchConsumer` reads up to `max_records` records or waits up to `max_wait_s`,
groups them by partition (order kept) and hands each group to one batch
handler. Per partition: run the handler (retries with backoff), send the
records it could not read to `<topic>.dlq`, and only then commit the offset
after the batch. A crash anywhere therefore re-delivers from the first offset
of a batch, which lets handlers recognise batches they already stored.

A handler that knows the fault lies outside the batch (a store or the broker
is down) raises `RetryLater`: the partition is rewound to the batch and retried
after a pause, nothing is dead-lettered. Any other error is retried with
backoff; a batch that keeps failing is then retried one record at a time: a
record is dead-lettered only when it fails alone while a later record succeeds;
when nothing succeeds the partition is rewound and retried after a pause.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from prometheus_client import Counter

from driftline.bus.reading import stop_on_signals
from driftline.bus.records import RawRecord
from driftline.bus.subscriber import RetryPolicy
from driftline.catalog import dlq_topic
from driftline.telemetry import DEAD_LETTERED

if TYPE_CHECKING:
    from driftline.settings import DriftlineSettings

__all__ = [
    "RECORDS_CONSUMED",
    "BatchConsumer",
    "BatchHandler",
    "BatchOutcome",
    "RecordBatch",
    "RetryLater",
]

log = logging.getLogger(__name__)

RECORDS_CONSUMED = Counter(
    "driftline_batch_records_consumed_total",
    "Records read by micro-batch consumers, by outcome (handled, dead_lettered, retried).",
    ["service", "topic", "outcome"],
)


class RetryLater(Exception):  # noqa: N818 - an instruction to the consumer, not an error kind
    """Raised by a batch handler when the fault is not in the records: retry the batch later."""


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """Consecutive records of one partition, in offset order."""

    topic: str
    partition: int
    records: tuple[RawRecord, ...]

    @property
    def first_offset(self) -> int:
        return self.records[0].offset

    @property
    def last_offset(self) -> int:
        return self.records[-1].offset


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What the handler asks of the consumer once the batch is safely processed."""

    dead_letters: tuple[tuple[RawRecord, str], ...] = ()
    """Records that are no valid input at all, with the reason (sent to `<topic>.dlq`)."""
    resume_at: int | None = None
    """Skip ahead: the next offset to read when it lies past the batch (already processed)."""


BatchHandler = Callable[[RecordBatch], BatchOutcome | None]


class BatchConsumer:
    """A consumer-group member feeding micro-batches to one batch handler."""

    def __init__(
        self, *, settings: DriftlineSettings, service: str, group_id: str, topics: Sequence[str],
        handler: BatchHandler, max_records: int = 5000, max_wait_s: float = 0.2,
        retry: RetryPolicy | None = None, consumer_config: dict[str, Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:  # fmt: skip
        self.service = service
        self.group_id = group_id
        self.topics = list(topics)
        self.handler = handler
        self.max_records = max_records
        self.max_wait_s = max_wait_s
        self.retry = retry or RetryPolicy(
            settings.consumer_max_attempts, settings.consumer_retry_backoff_s
        )
        self._sleep = sleep
        client = f"{service}-{group_id}"
        self._consumer = Consumer(
            {**settings.consumer_config(group_id, client), **(consumer_config or {})}
        )
        self._dlq = Producer(settings.producer_config(f"{service}-dlq"))
        self._subscribed = False
        self.stop_event = threading.Event()

    # -- the loop ----------------------------------------------------------------
    def run(self, *, install_signals: bool = True) -> None:
        """Consume until `stop_event` is set (SIGTERM and SIGINT set it in the main thread)."""
        restore = stop_on_signals(self.stop_event) if install_signals else (lambda: None)
        log.info(
            "consuming in micro-batches", extra={"group": self.group_id, "topics": self.topics}
        )
        try:
            while not self.stop_event.is_set():
                self.poll_once()
        finally:
            restore()
            self.close()

    def poll_once(self) -> int:
        """Read one micro-batch and process it partition by partition; return records committed."""
        if not self._subscribed:
            self._consumer.subscribe(self.topics)
            self._subscribed = True
        groups: dict[tuple[str, int], list[RawRecord]] = {}
        for msg in self._consumer.consume(num_messages=self.max_records, timeout=self.max_wait_s):
            if error := msg.error():
                if error.code() != KafkaError._PARTITION_EOF:
                    log.warning("consumer error", extra={"error": str(error)})
                continue
            record = RawRecord.of(msg)
            groups.setdefault((record.topic, record.partition), []).append(record)
        done = 0
        for (topic, partition), records in groups.items():
            done += self._process(RecordBatch(topic, partition, tuple(records)))
        return done

    def stop(self) -> None:
        self.stop_event.set()

    def close(self) -> None:
        try:
            self._consumer.close()
        finally:
            self._dlq.flush(10)

    # -- one partition's batch -----------------------------------------------------
    def _process(self, batch: RecordBatch) -> int:
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                outcome = self.handler(batch) or BatchOutcome()
            except RetryLater as exc:
                return self._rewind(batch, batch.first_offset, str(exc))
            except Exception:
                log.warning("batch handler failed", exc_info=True,
                            extra={"topic": batch.topic, "partition": batch.partition,
                                   "first_offset": batch.first_offset, "attempt": attempt})  # fmt: skip
                if attempt < self.retry.max_attempts:
                    self._sleep(self.retry.delay(attempt))
                continue
            return self._finish(
                batch, list(outcome.dead_letters), outcome.resume_at, len(batch.records)
            )
        return self._isolate(batch)

    def _isolate(self, batch: RecordBatch) -> int:
        """Record by record: find the records that fail alone (see the module docstring)."""
        failed: list[tuple[RawRecord, str]] = []
        letters: list[tuple[RawRecord, str]] = []
        last_ok, resume_at = -1, None
        for index, record in enumerate(batch.records):
            if resume_at is not None and record.offset < resume_at:
                last_ok = index  # the handler said an earlier delivery processed it
                continue
            try:
                outcome = self.handler(RecordBatch(batch.topic, batch.partition, (record,)))
            except RetryLater as exc:
                if last_ok < 0:
                    return self._rewind(batch, batch.first_offset, str(exc))
                break  # what came before is done; the rest waits for the retry
            except Exception as exc:
                failed.append((record, f"handler_failed: {type(exc).__name__}: {exc}"))
                continue
            last_ok, outcome = index, outcome or BatchOutcome()
            letters += outcome.dead_letters
            resume_at = max(resume_at or 0, outcome.resume_at or 0) or None
        if last_ok < 0:
            return self._rewind(
                batch, batch.first_offset, "no record of the batch could be processed"
            )
        cut = batch.records[last_ok].offset
        letters += [(r, why) for r, why in failed if r.offset < cut]
        processed = RecordBatch(batch.topic, batch.partition, batch.records[: last_ok + 1])
        done = self._finish(processed, letters, resume_at, last_ok + 1)
        if last_ok + 1 < len(batch.records):
            self._rewind(batch, batch.records[last_ok + 1].offset, "trailing records failed")
        return done

    def _rewind(self, batch: RecordBatch, offset: int, why: str) -> int:
        log.error("batch not processed; it will be retried", extra={"topic": batch.topic,
                  "partition": batch.partition, "offset": offset, "why": why})  # fmt: skip
        RECORDS_CONSUMED.labels(self.service, batch.topic, "retried").inc(
            batch.last_offset - offset + 1
        )
        self._consumer.seek(TopicPartition(batch.topic, batch.partition, offset))
        self._sleep(self.retry.max_backoff_s)
        return 0

    def _finish(self, batch: RecordBatch, letters: list[tuple[RawRecord, str]],
                resume_at: int | None, count: int) -> int:  # fmt: skip
        if letters and not self._dead_letter(batch.topic, letters):
            return self._rewind(batch, batch.first_offset, "dead-letter topic unreachable")
        next_offset = max(batch.last_offset + 1, resume_at or 0)
        position = TopicPartition(batch.topic, batch.partition, next_offset)
        if next_offset > batch.last_offset + 1:
            self._consumer.seek(position)
        try:
            self._consumer.commit(offsets=[position], asynchronous=False)
        except KafkaException as exc:  # e.g. the partition moved to another member meanwhile
            log.warning("commit failed; the batch may be redelivered", extra={"error": str(exc)})
            return 0
        RECORDS_CONSUMED.labels(self.service, batch.topic, "handled").inc(count - len(letters))
        RECORDS_CONSUMED.labels(self.service, batch.topic, "dead_lettered").inc(len(letters))
        return count

    def _dead_letter(self, topic: str, letters: list[tuple[RawRecord, str]]) -> bool:
        """Send the original bytes, with why, to `<topic>.dlq`; True once all are acknowledged."""
        failed: list[KafkaError] = []

        def on_delivery(err: KafkaError | None, _msg: object) -> None:
            if err is not None:
                failed.append(err)

        for record, error in letters:
            reason = "handler_failed" if error.startswith("handler_failed") else "undecodable"
            headers = record.headers + [
                (k, v.encode())
                for k, v in {
                    "dlq_reason": reason, "dlq_error": error[:4000], "dlq_attempts": "1",
                    "dlq_source_topic": topic, "dlq_source_partition": str(record.partition),
                    "dlq_source_offset": str(record.offset), "dlq_consumer_group": self.group_id,
                    "dlq_service": self.service, "dlq_time": datetime.now(UTC).isoformat(),
                }.items()
            ]  # fmt: skip
            self._dlq.produce(dlq_topic(topic), value=record.value, key=record.key,
                              headers=list(headers), on_delivery=on_delivery)  # fmt: skip
        if self._dlq.flush(30) or failed:
            return False
        for _, error in letters:
            reason = "handler_failed" if error.startswith("handler_failed") else "undecodable"
            DEAD_LETTERED.labels(self.service, topic, reason).inc()
        return True
