"""The outbox relay: publishes committed announcements to Kafka, in commit order.

Each round reads unpublished rows in id order, publishes each with the envelope
stored beside it (same ce_id, correlation and causation ids, traceparent, key),
waits for the broker's acknowledgements, then marks the rows published.

Delivery is at-least-once. A crash after the state change's commit loses
nothing: the row is still unpublished and goes out after the restart. A crash
after the broker acknowledged but before the rows were marked sends them again
*with the same ce_id*; every Driftline consumer dedupes by ce_id, so the effect
is exactly once. On PostgreSQL one relay among the replicas holds an advisory
lock (the others stand by), which keeps the per-model order of the topic.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from driftline.bus.ports import Publisher

from driftline_registry.adapters.ports import OutboxRecord, UnitOfWorkFactory
from driftline_registry.adapters.relay_lock import RelayLock
from driftline_registry.metrics import OUTBOX_PUBLISHED

__all__ = ["OutboxRelay"]

log = logging.getLogger(__name__)


class OutboxRelay:
    """A `driftline.runner.Worker`: `run()` loops until `stop()`; `wake()` skips the wait."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        publisher: Publisher,
        *,
        lock: RelayLock | None = None,
        batch_size: int = 100,
        poll_interval_s: float = 0.2,
        start_delay_s: float = 0.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._uow = uow
        self._publisher: Publisher | None = publisher
        self._lock = lock
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.start_delay_s = start_delay_s
        self._clock = clock
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.last_error: str | None = None

    def run(self) -> None:
        if self.start_delay_s and self._stop.wait(self.start_delay_s):
            return
        log.info("outbox relay started")
        failures = 0
        while not self._stop.is_set():
            try:
                sent = self.relay_once()
                failures, self.last_error = 0, None
            except Exception as exc:  # the broker or the database is away: back off, go on
                failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("outbox relay round failed", exc_info=True)
                self._stop.wait(min(5.0, self.poll_interval_s * 2**failures))
                continue
            if sent < self.batch_size:
                self._wake.wait(self.poll_interval_s)
                self._wake.clear()
        if self._lock is not None:
            self._lock.release()
        log.info("outbox relay stopped")

    def relay_once(self) -> int:
        """Publish one batch of pending rows; return how many were sent."""
        if self._lock is not None and not self._lock.acquire():
            return 0
        with self._uow(readonly=True) as uow:
            records = uow.outbox.pending(self.batch_size)
        if not records:
            return 0
        publisher = self._publisher
        if publisher is None:
            raise RuntimeError("the outbox relay was closed")
        for record in records:
            publisher.publish(record.event, key=record.key, meta=record.meta)
        publisher.flush()
        self._mark(records)
        OUTBOX_PUBLISHED.inc(len(records))
        log.info("outbox relayed", extra={"count": len(records), "last_id": records[-1].id})
        return len(records)

    def _mark(self, records: list[OutboxRecord]) -> None:
        # A crash before this commit re-sends the batch with the same ce_ids (see above).
        with self._uow() as uow:
            uow.outbox.mark_published([r.id for r in records], self._clock())
            uow.commit()

    def wake(self) -> None:
        """Relay now rather than at the next poll (called after a commit)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def close(self) -> None:
        """Stop and let go of the Kafka producer (call once `run` has returned)."""
        self.stop()
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            publisher.flush()
