"""What becomes of a claimed trigger that the retrain policy refused (see `policy.defer`).

* **waiting**: back to its model's pending slot with a ``not_before`` (unless a
  newer trigger took the slot meanwhile); nothing is published, the counts are
  logged at INFO, and the triggers metric counts it once, the first time.
* **expired**: it waited ``max_wait_minutes``: TrainingFailed
  (``NotEnoughNewData``, no ``run_id``) in the trigger's workflow, a WARNING,
  and the ``expired`` outcome; not a failed run.
* **dropped**: a trigger other than a drift refused by the cooldown, as before:
  logged and counted, no event.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from driftline.events import TrainingFailed
from driftline.spec import ProjectSpec

from driftline_training import metrics
from driftline_training.adapters.ports import RunStore
from driftline_training.domain import policy
from driftline_training.domain.model import Claim, ModelState
from driftline_training.outbox import caused_by

__all__ = ["Refusals"]

log = logging.getLogger(__name__)


class Refusals:
    def __init__(
        self, *, spec: ProjectSpec, store: RunStore, source: str, recheck: timedelta
    ) -> None:
        self.spec, self.store, self.source, self.recheck = spec, store, source, recheck

    def end(self, claim: Claim, state: ModelState, verdict: policy.Verdict, now: datetime) -> str:
        """End `claim`; returns the outcome: waiting, expired or refused."""
        trigger = claim.trigger
        retrain = self.spec.model(trigger.model).retrain
        deferral = policy.defer(trigger, verdict, state, retrain, now, self.recheck)
        if deferral.outcome == "waiting":
            self.store.finish(claim, [], requeue=replace(trigger, not_before=deferral.not_before))
            if not trigger.has_waited:
                metrics.TRIGGERS.labels(trigger.model, trigger.trigger_type, "waiting").inc()
            log.info(
                "waiting: %s; next look at %s",
                deferral.reason,
                deferral.not_before,
                extra={"policy": verdict.code},
            )
            return "waiting"
        if deferral.outcome == "expired":
            failed = TrainingFailed(
                model_name=trigger.model,
                error_type="NotEnoughNewData",
                reason=deferral.reason,
                trigger_event_id=trigger.event_id,
            )
            self.store.finish(claim, [caused_by(trigger, failed, self.source)])
            metrics.TRIGGERS.labels(trigger.model, trigger.trigger_type, "expired").inc()
            log.warning("trigger given up: %s", deferral.reason, extra={"policy": verdict.code})
            return "expired"
        self.store.finish(claim, [])
        metrics.TRIGGERS.labels(trigger.model, trigger.trigger_type, verdict.code).inc()
        log.info(
            "trigger refused by the retrain policy: %s",
            verdict.reason,
            extra={"policy": verdict.code},
        )
        return "refused"
