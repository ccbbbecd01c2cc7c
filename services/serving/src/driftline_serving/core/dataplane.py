"""The data plane: a batch of requests of one model in, one answer list (or error) per request out.

One call takes the model's `Deployment` once, reads every entity's features in one lookup,
routes each row (champion or canary by a stable hash of its entity key or request id), calls
each model once for all its rows, then hands the shadow model a copy and the log its records.
Transports (REST, a benchmark) only translate to and from `Job`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from driftline_serving.core.deployment import Deployment
from driftline_serving.core.errors import ModelNotReadyError, ServingError, VersionNotLoadedError
from driftline_serving.core.inputs import FeatureRows
from driftline_serving.core.jobs import Job, Result, Rows
from driftline_serving.core.ports import PredictionSink, Telemetry
from driftline_serving.core.predict import Group, predict_rows, records
from driftline_serving.core.shadow import ShadowScorer
from driftline_serving.core.slots import ModelSlots
from driftline_serving.core.types import Model, Role

__all__ = ["DataPlane"]

log = logging.getLogger(__name__)


class DataPlane:
    def __init__(
        self,
        *,
        slots: ModelSlots,
        feature_rows: FeatureRows,
        sink: PredictionSink | None,
        shadow: ShadowScorer | None,
        telemetry: Telemetry,
        clock: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.slots, self.feature_rows, self.sink = slots, feature_rows, sink
        self.shadow, self.telemetry, self.clock, self.timer = shadow, telemetry, clock, timer

    def run(self, name: str, jobs: Sequence[Job]) -> list[Result]:
        """Answer `jobs` (all for model `name`) with one snapshot of its deployment."""
        try:
            dep = self.slots.get(name)
        except ServingError as exc:
            return [exc] * len(jobs)
        if dep.champion is None:
            return [ModelNotReadyError(f"model {name!r} has no champion loaded yet: the "
                                       "registry has none, or it is still loading")] * len(jobs)  # fmt: skip
        inputs = self.feature_rows.resolve(name, dep, jobs)
        groups: dict[int, Group] = {}
        for i, (job, rows) in enumerate(zip(jobs, inputs, strict=True)):
            if isinstance(rows, ServingError):
                continue
            try:
                targets = self._targets(dep, job, len(rows))
            except ServingError as exc:
                inputs[i] = exc
                continue
            for j, (model, role) in enumerate(targets):
                groups.setdefault(id(model), Group(model, role, []))[2].append((i, j))
        answers = predict_rows(jobs, inputs, list(groups.values()))
        self._after(dep, jobs, inputs, answers)
        return answers

    def _targets(self, dep: Deployment, job: Job, count: int) -> list[tuple[Model, Role]]:
        if job.version is not None:
            model, role = dep.loaded(job.version), dep.role_of(job.version)
            if model is None or role is None:
                raise VersionNotLoadedError(
                    f"version {job.version} of model {dep.model_name!r} is not loaded"
                )
            return [(model, role)] * count
        keys = job.entity_keys
        if keys is None:  # explicit rows: one request, one model
            return [dep.route(job.request_id)] * count
        return [dep.route(key) for key in keys]

    def _after(self, dep: Deployment, jobs: Sequence[Job], inputs: list[Rows | ServingError],
               answers: list[Result]) -> None:  # fmt: skip
        now, stamp = self.timer(), self.clock()
        shadow = dep.shadow
        counts: dict[tuple[int, Role], int] = {}
        for job, rows, result in zip(jobs, inputs, answers, strict=True):
            if isinstance(result, ServingError) or isinstance(rows, ServingError) or not result:
                continue
            first = result[0]
            for answer in result:
                key = (answer.model.version, answer.role)
                counts[key] = counts.get(key, 0) + 1
            latency = now - job.started
            self.telemetry.request_done(dep.model_name, first.model.version, first.role, latency)
            if self.sink is not None:
                for record in records(result, rows, latency * 1000, stamp):
                    self.sink.put(record)
            if shadow is not None and job.version is None and self.shadow is not None:
                self.shadow.submit(shadow, rows, [a.request_id for a in result],
                                   [a.entity_key for a in result])  # fmt: skip
        for (version, role), rows_count in counts.items():
            self.telemetry.predicted(dep.model_name, version, role, rows_count)
