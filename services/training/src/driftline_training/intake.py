"""Admitting triggers: the first look of the retrain policy, then the queue.

A trigger for a model the spec does not know, or with an invalid window, is
answered with TrainingFailed (a command deserves an answer). One that the
cooldown refuses is logged and counted, not failed (see the README); a drift
refused by the cooldown is not dropped but waits for the cooldown's end.
Otherwise (or waiting) it takes its model's single pending slot, replacing
(superseding) an older trigger there, and the queue worker is woken.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from driftline.events import TrainingFailed
from driftline.spec import ProjectSpec
from driftline.telemetry import log_context

from driftline_training import metrics
from driftline_training.adapters.ports import RunStore
from driftline_training.domain import policy
from driftline_training.domain.model import Trigger
from driftline_training.outbox import caused_by

__all__ = ["Intake"]

log = logging.getLogger(__name__)


class Intake:
    def __init__(
        self,
        *,
        spec: ProjectSpec,
        store: RunStore,
        source: str,
        clock: Callable[[], datetime],
        wake: Callable[[], None],
    ) -> None:
        self.spec, self.store, self.source = spec, store, source
        self.clock, self.wake = clock, wake

    def accept(self, trigger: Trigger) -> str:
        """Queue or refuse `trigger`; returns the outcome counted in the triggers metric."""
        with log_context(trigger.meta, model=trigger.model):
            outcome = self._accept(trigger)
        metrics.TRIGGERS.labels(trigger.model, trigger.trigger_type, outcome).inc()
        return outcome

    def _accept(self, trigger: Trigger) -> str:
        if trigger.model not in self.spec.models:
            return self._answer(
                trigger,
                "UnknownModelError",
                "unknown_model",
                f"model {trigger.model!r} is not in the project spec; "
                f"known: {sorted(self.spec.models)}",
            )
        if trigger.window_days is not None and trigger.window_days < 1:
            return self._answer(
                trigger,
                "InvalidTrigger",
                "invalid",
                f"window_days must be at least 1, got {trigger.window_days}",
            )
        state = self.store.state(trigger.model)
        retrain, now = self.spec.model(trigger.model).retrain, self.clock()
        verdict = policy.admit(trigger, state, retrain, now)
        outcome = "queued"
        if not verdict.allowed:
            # the cooldown is the only refusal here; the recheck interval plays no part in it
            deferral = policy.defer(trigger, verdict, state, retrain, now, timedelta(0))
            if deferral.outcome != "waiting":
                log.info(
                    "trigger refused by the retrain policy: %s",
                    verdict.reason,
                    extra={"policy": verdict.code},
                )
                return verdict.code
            log.info(
                "waiting: %s",
                deferral.reason,
                extra={"policy": verdict.code, "not_before": str(deferral.not_before)},
            )
            trigger, outcome = replace(trigger, not_before=deferral.not_before), "waiting"
        replaced = self.store.enqueue(trigger)
        metrics.QUEUED.set(len(self.store.pending()))
        self.wake()
        if replaced is not None and replaced.event_id != trigger.event_id:
            log.info(
                "queued; superseding a waiting trigger",
                extra={"superseded_event_id": replaced.event_id},
            )
            metrics.TRIGGERS.labels(replaced.model, replaced.trigger_type, "superseded").inc()
        elif outcome == "queued":
            log.info("queued", extra={"policy": verdict.code})
        return outcome

    def _answer(self, trigger: Trigger, error_type: str, outcome: str, reason: str) -> str:
        log.warning("trigger refused: %s", reason)
        failed = TrainingFailed(
            model_name=trigger.model,
            error_type=error_type,
            reason=reason,
            trigger_event_id=trigger.event_id,
        )
        self.store.record([caused_by(trigger, failed, self.source)])
        self.wake()
        return outcome
