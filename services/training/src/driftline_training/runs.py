"""One claimed trigger, end to end: policy, training set, run, events.

Sequence: re-check the cooldown (the state may have changed while the trigger
waited) -> fetch the window's training set -> check the new-labelled-rows and
minimum-rows policies -> TrainingStarted -> load the champion, train, store,
evaluate -> ModelTrained and ModelEvaluated, recorded in one transaction with
the model's new policy state. A policy refusal ends the claim quietly (log and
metric); any failure ends it with TrainingFailed, whose ``run_id`` is set only
if TrainingStarted was announced. Nothing here raises: the worker goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from driftline.events import (
    DataWindow,
    Lineage,
    ModelEvaluated,
    ModelTrained,
    TrainingFailed,
    TrainingStarted,
)
from driftline.spec import ProjectSpec
from driftline.telemetry import log_context
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from driftline_training import metrics
from driftline_training.adapters.ports import Champions, RunStore, TrainingSets
from driftline_training.domain import policy
from driftline_training.domain.dataset import labelled_rows
from driftline_training.domain.errors import InsufficientDataError, TrainingError, UnknownModelError
from driftline_training.domain.model import Claim, ModelState, Window
from driftline_training.outbox import caused_by
from driftline_training.training import RunResult, Trainer

__all__ = ["TrainingService"]


@dataclass
class _Run:
    """The claim as it progresses: after TrainingStarted, a failure names the run."""

    claim: Claim


log = logging.getLogger(__name__)


class TrainingService:
    def __init__(
        self,
        *,
        spec: ProjectSpec,
        store: RunStore,
        training_sets: TrainingSets,
        champions: Champions,
        trainer: Trainer,
        source: str,
        code_version: str,
        clock: Callable[[], datetime],
        publish: Callable[[], object],
        compute_threads: int = 1,
    ) -> None:
        self.spec, self.store, self.trainer = spec, store, trainer
        self.training_sets, self.champions = training_sets, champions
        self.source, self.code_version, self.clock = source, code_version, clock
        self.publish = publish
        self.compute_threads = compute_threads

    def execute(self, claim: Claim) -> str:
        """Run one claim; returns its outcome: refused, trained or failed."""
        with log_context(claim.trigger.meta, run_id=claim.run_id, model=claim.trigger.model):
            run = _Run(claim)
            try:
                return self._execute(run)
            except Exception as exc:
                if isinstance(exc, TrainingError):
                    log.warning("training failed: %s", exc)
                else:
                    log.exception("training failed")
                self._fail(run.claim, exc)
                return "failed"
            finally:
                self.publish()

    def _execute(self, run: _Run) -> str:
        claim, trigger = run.claim, run.claim.trigger
        if trigger.model not in self.spec.models:
            raise UnknownModelError(f"model {trigger.model!r} is not in the project spec")
        model_spec = self.spec.model(trigger.model)
        now = self.clock()
        state = self.store.state(trigger.model)
        verdict = policy.admit(trigger, state, model_spec.retrain, now)
        if not verdict.allowed:
            return self._refuse(claim, verdict)
        window = policy.training_window(trigger, model_spec.retrain, now)
        training_set = self.training_sets.training_set(trigger.model, window)
        labelled = labelled_rows(self.spec, trigger.model, training_set.frame)
        ts_column = self.spec.dataset(model_spec.dataset).event_timestamp
        since = state.last_data_end
        new_rows = len(labelled) if since is None else int((labelled[ts_column] >= since).sum())
        verdict = policy.enough_new_rows(trigger, state, model_spec.retrain, new_rows)
        if not verdict.allowed:
            return self._refuse(claim, verdict)
        if len(labelled) < model_spec.retrain.min_rows:
            raise InsufficientDataError(
                f"{len(labelled)} labelled rows in [{window.start.isoformat()}, "
                f"{window.end.isoformat()}); the policy asks for at least {model_spec.retrain.min_rows}"
            )
        started_event = TrainingStarted(
            model_name=trigger.model,
            run_id=claim.run_id,
            trigger_type=trigger.trigger_type,
            trigger_event_id=trigger.event_id,
            data_window=_window(window),
        )
        claim = run.claim = self.store.start(claim, caused_by(trigger, started_event, self.source))
        self.publish()
        log.info("training started", extra={"rows": len(labelled), "new_rows": new_rows})
        began = time.perf_counter()
        champion = self.champions.champion(trigger.model)
        with threadpool_limits(limits=self.compute_threads):
            loaded = self.trainer.load_champion(champion) if champion else None
            result = self.trainer.run(trigger.model, labelled, loaded)
        duration = time.perf_counter() - began
        trained, evaluated = self._events(
            claim,
            window,
            training_set,
            labelled,
            result,
            duration,
            champion.version if champion else None,
        )
        new_state = ModelState(trigger.model, now, window.end, claim.run_id)
        self.store.finish(
            claim,
            [caused_by(trigger, trained, self.source), caused_by(trigger, evaluated, self.source)],
            new_state,
        )
        reference = "champion" if champion else "baseline"
        metrics.RUNS.labels(trigger.model, "trained").inc()
        metrics.RUN_SECONDS.labels(trigger.model).observe(duration)
        metrics.TRAINING_ROWS.labels(trigger.model).observe(len(labelled))
        metrics.EVALUATIONS.labels(trigger.model, result.gate.decision, reference).inc()
        log.info(
            "model trained and evaluated",
            extra={
                "decision": result.gate.decision,
                "duration_s": round(duration, 3),
                "reasons": result.gate.reasons,
            },
        )
        return "trained"

    def _events(
        self,
        claim: Claim,
        window: Window,
        training_set: Any,
        labelled: Any,
        result: RunResult,
        duration: float,
        champion_version: int | None,
    ) -> tuple[ModelTrained, ModelEvaluated]:
        trigger, gate = claim.trigger, result.gate
        model_spec = self.spec.model(trigger.model)
        lineage = Lineage(
            dataset=model_spec.dataset,
            data_window=_window(window),
            row_count=len(labelled),
            content_hash=training_set.content_sha256,
            feature_names=list(self.spec.model_features(trigger.model)),
            feature_view_versions=training_set.feature_view_versions,
            code_version=self.code_version,
            trigger_type=trigger.trigger_type,
            trigger_event_id=trigger.event_id,
        )
        trained = ModelTrained(
            model_name=trigger.model,
            run_id=claim.run_id,
            flavor=model_spec.flavor,
            estimator=model_spec.estimator.name,
            params=result.params,
            metrics=result.metrics,
            artifact_uri=result.artifact.uri,
            artifact_sha256=result.artifact.sha256,
            artifact_size_bytes=result.artifact.size,
            duration_seconds=duration,
            lineage=lineage,
        )
        has_champion = champion_version is not None
        evaluated = ModelEvaluated(
            model_name=trigger.model,
            run_id=claim.run_id,
            champion_version=champion_version,
            primary_metric=gate.primary_metric,
            challenger_score=gate.challenger_score,
            champion_score=gate.reference_score if has_champion else None,
            baseline_score=None if has_champion else gate.reference_score,
            delta=gate.significance.delta,
            ci_low=gate.significance.ci_low,
            ci_high=gate.significance.ci_high,
            p_value=gate.significance.p_value,
            test=gate.significance.test,
            min_improvement=gate.min_improvement,
            guardrails=gate.guardrails,
            decision=gate.decision,
            reasons=gate.reasons,
            eval_window=DataWindow(
                start=result.eval_start.floor("ms").to_pydatetime(), end=window.end
            ),
            eval_rows=result.eval_rows,
        )
        return trained, evaluated

    def _refuse(self, claim: Claim, verdict: policy.Verdict) -> str:
        trigger = claim.trigger
        self.store.finish(claim, [])
        metrics.TRIGGERS.labels(trigger.model, trigger.trigger_type, verdict.code).inc()
        log.info(
            "trigger refused by the retrain policy: %s",
            verdict.reason,
            extra={"policy": verdict.code},
        )
        return "refused"

    def _fail(self, claim: Claim, exc: Exception) -> None:
        trigger = claim.trigger
        failed = TrainingFailed(
            model_name=trigger.model,
            run_id=claim.run_id if claim.started else None,
            error_type=type(exc).__name__,
            reason=str(exc)[:4000] or repr(exc),
            trigger_event_id=trigger.event_id,
        )
        try:
            self.store.finish(claim, [caused_by(trigger, failed, self.source)])
        except Exception:
            log.exception("could not record the failure; the claim is recovered at restart")
            return
        metrics.RUNS.labels(trigger.model, "failed").inc()


def _window(window: Window) -> DataWindow:
    return DataWindow(start=window.start, end=window.end)
