"""One claimed trigger, end to end: policy, training set, run, events.

Sequence: re-check the cooldown (the state may have changed while the trigger
waited) -> fetch the window's training set -> check the new-labelled-rows
policy -> keep the most recent ``window_rows`` labelled rows -> check the
minimum-rows policy -> TrainingStarted -> load the champion, train, store,
evaluate -> ModelTrained and ModelEvaluated, recorded in one transaction with
the model's new policy state.

A policy refusal ends the claim through `Refusals`: the trigger waits in its
model's pending slot, is dropped, or, after ``max_wait_minutes``, is given up.
A trigger that already waited is re-checked on the rows since its count starts
only, and the whole window is fetched once there are enough. Any failure ends
the claim with TrainingFailed, whose ``run_id`` is set only if TrainingStarted
was announced. Nothing here raises: the worker goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from driftline_training.domain.dataset import labelled_rows, most_recent, rows_sha256
from driftline_training.domain.errors import InsufficientDataError, TrainingError, UnknownModelError
from driftline_training.domain.model import Claim, ModelState, TrainingSet, Window
from driftline_training.outbox import caused_by
from driftline_training.refusals import Refusals
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
        recheck_s: float = 15.0,
    ) -> None:
        self.spec, self.store, self.trainer = spec, store, trainer
        self.training_sets, self.champions = training_sets, champions
        self.source, self.code_version, self.clock = source, code_version, clock
        self.publish = publish
        self.compute_threads = compute_threads
        recheck = timedelta(seconds=recheck_s)
        self.refusals = Refusals(spec=spec, store=store, source=source, recheck=recheck)

    def execute(self, claim: Claim) -> str:
        """Run one claim; returns its outcome: trained, waiting, refused, expired or failed."""
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
        retrain, now = model_spec.retrain, self.clock()
        state = self.store.state(trigger.model)
        verdict = policy.admit(trigger, state, retrain, now)
        if not verdict.allowed:
            return self.refusals.end(claim, state, verdict, now)
        window = policy.training_window(trigger, retrain, now)
        since = policy.new_rows_since(trigger, state)
        if trigger.has_waited and since is not None and since > window.start:
            # a re-check: count on the rows since `since` only, not the whole window
            new_rows = self._new_rows(trigger.model, Window(since, window.end), since)
            verdict = policy.enough_new_rows(trigger, state, retrain, new_rows)
            if not verdict.allowed:
                return self.refusals.end(claim, state, verdict, now)
        training_set = self.training_sets.training_set(trigger.model, window)
        every = labelled_rows(self.spec, trigger.model, training_set.frame)
        new_rows = len(every) if since is None else self._count(trigger.model, every, since)
        verdict = policy.enough_new_rows(trigger, state, retrain, new_rows)
        if not verdict.allowed:
            return self.refusals.end(claim, state, verdict, now)
        labelled = most_recent(every, retrain.window_rows)
        if len(labelled) < retrain.min_rows:
            kept = "" if len(labelled) == len(every) else f" (window_rows={retrain.window_rows})"
            raise InsufficientDataError(
                f"{len(labelled)} labelled rows in [{window.start.isoformat()}, "
                f"{window.end.isoformat()}){kept}; the policy asks for at least {retrain.min_rows}"
            )
        used = self._used_window(trigger.model, window, labelled, len(every))
        started_event = TrainingStarted(
            model_name=trigger.model,
            run_id=claim.run_id,
            trigger_type=trigger.trigger_type,
            trigger_event_id=trigger.event_id,
            data_window=_window(used),
        )
        claim = run.claim = self.store.start(claim, caused_by(trigger, started_event, self.source))
        self.publish()
        log.info(
            "training started",
            extra={"rows": len(labelled), "labelled_in_window": len(every), "new_rows": new_rows},
        )
        began = time.perf_counter()
        champion = self.champions.champion(trigger.model)
        with threadpool_limits(limits=self.compute_threads):
            loaded = self.trainer.load_champion(champion) if champion else None
            result = self.trainer.run(trigger.model, labelled, loaded)
        duration = time.perf_counter() - began
        trained, evaluated = self._events(
            claim,
            used,
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

    def _new_rows(self, model: str, window: Window, since: datetime) -> int:
        """Labelled rows since `since`, fetched for `window` only (empty: none)."""
        if window.start >= window.end:
            return 0
        probe = self.training_sets.training_set(model, window)
        return self._count(model, labelled_rows(self.spec, model, probe.frame), since)

    def _count(self, model: str, labelled: Any, since: datetime) -> int:
        ts_column = self.spec.dataset(self.spec.model(model).dataset).event_timestamp
        return int((labelled[ts_column] >= since).sum())

    def _used_window(self, model: str, window: Window, labelled: Any, fetched: int) -> Window:
        """The window of the rows the run uses: from the oldest one when ``window_rows``
        left older labelled rows out, else the window fetched."""
        if len(labelled) == fetched:
            return window
        ts_column = self.spec.dataset(self.spec.model(model).dataset).event_timestamp
        return Window(labelled[ts_column].iloc[0].floor("ms").to_pydatetime(), window.end)

    def _events(
        self,
        claim: Claim,
        window: Window,
        training_set: TrainingSet,
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
            content_hash=rows_sha256(labelled),
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
