"""The queue worker: one run at a time, on its own thread, resumable after any crash.

At start it recovers claims a previous process left in flight: a claim that
never announced TrainingStarted goes back to the queue silently; one that did
is closed with TrainingFailed (``RunInterrupted``) and its trigger queued again,
up to ``max_run_attempts`` runs (a newer pending trigger wins over it). Then it
loops: publish the outbox, claim the oldest pending trigger that is due (a
waiting one is not, before its ``not_before``), run it. The intake wakes it when
a trigger is queued; it also looks every ``idle_poll_s``, which is also how a
waiting trigger is picked up once its time has come.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from driftline.events import TrainingFailed

from driftline_training import metrics
from driftline_training.adapters.ports import RunStore
from driftline_training.domain.model import Claim
from driftline_training.outbox import OutboxRelay, caused_by

__all__ = ["TrainingWorker"]

log = logging.getLogger(__name__)


class TrainingWorker:
    """A `driftline.runner.Worker` (run/stop) around the run queue."""

    def __init__(
        self,
        *,
        store: RunStore,
        execute: Callable[[Claim], str],
        relay: OutboxRelay,
        source: str,
        idle_poll_s: float = 1.0,
        publish_retry_s: float = 2.0,
        max_run_attempts: int = 2,
        new_run_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.execute, self.relay, self.source = store, execute, relay, source
        self.idle_poll_s, self.publish_retry_s = idle_poll_s, publish_retry_s
        self.max_run_attempts = max_run_attempts
        self.new_run_id, self.clock = new_run_id, clock
        self._wake = threading.Event()
        self._stop = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the current run (a fit cannot be cut), then return from `run`."""
        self._stop.set()
        self._wake.set()

    def recover(self) -> int:
        """Close or re-queue the claims a previous process left in flight; returns how many."""
        claims = self.store.in_flight()
        for claim in claims:
            self._recover(claim)
        return len(claims)

    def run_once(self) -> str | None:
        """Run the oldest pending trigger that is due, if any; returns its outcome."""
        claim = self.store.claim_next(self.new_run_id(), self.clock())
        metrics.QUEUED.set(len(self.store.pending()))
        return None if claim is None else self.execute(claim)

    def drain(self) -> list[str]:
        """Run until no pending trigger is due, then publish (tests and one-shot use)."""
        outcomes: list[str] = []
        while (outcome := self.run_once()) is not None:
            outcomes.append(outcome)
        self.relay.flush()
        return outcomes

    def run(self) -> None:
        self.recover()
        log.info("training worker started")
        while not self._stop.is_set():
            if not self.relay.flush():
                self._stop.wait(self.publish_retry_s)
                continue
            if self.run_once() is None:
                self._wake.wait(self.idle_poll_s)
                self._wake.clear()
        log.info("training worker stopped")

    def _recover(self, claim: Claim) -> None:
        trigger = claim.trigger
        if not claim.started:
            self.store.finish(claim, [], requeue=trigger)
            log.info("re-queued a trigger claimed before a restart", extra={"model": trigger.model})
            return
        again = trigger.attempt < self.max_run_attempts
        reason = f"run {claim.run_id} was cut short (the training service stopped or crashed); " + (
            "the trigger is queued again"
            if again
            else f"giving up after {trigger.attempt} interrupted run(s)"
        )
        failed = TrainingFailed(
            model_name=trigger.model,
            run_id=claim.run_id,
            error_type="RunInterrupted",
            reason=reason,
            trigger_event_id=trigger.event_id,
        )
        requeue = replace(trigger, attempt=trigger.attempt + 1) if again else None
        self.store.finish(claim, [caused_by(trigger, failed, self.source)], requeue=requeue)
        metrics.RUNS.labels(trigger.model, "interrupted").inc()
        log.warning(reason, extra={"model": trigger.model})
