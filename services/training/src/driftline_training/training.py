"""One training run's computation: split, train, store, and judge against the reference.

Pure of the bus: it takes the labelled rows and returns a `RunResult` from which
the run builds ModelTrained and ModelEvaluated. The artifact is loaded back
through the runtime (trusted types only) and that loaded model is what gets
evaluated, so the gate judges exactly what serving will load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from driftline.artifacts import ArtifactIntegrityError, ArtifactNotFoundError, StoredArtifact
from driftline.runtimes import ModelRuntime, UnknownFlavorError, UntrustedArtifactError
from driftline.spec import ModelSpec, ProjectSpec

from driftline_training.adapters.ports import Artifacts
from driftline_training.domain.baseline import baseline_outputs
from driftline_training.domain.errors import EvaluationError, InsufficientDataError
from driftline_training.domain.gate import GateResult, Measured, judge
from driftline_training.domain.metrics import Outputs
from driftline_training.domain.model import Champion
from driftline_training.domain.split import time_ordered_split
from driftline_training.evaluation import EvalRows, holdout_metrics, latency_p99_ms, outputs_of

__all__ = ["REFUSALS", "LoadedChampion", "RunResult", "Trainer"]

REFUSALS = (
    ArtifactIntegrityError,
    ArtifactNotFoundError,
    UntrustedArtifactError,
    UnknownFlavorError,
)
"""Why a champion's artifact may be refused; each takes a single message."""


@dataclass(frozen=True, slots=True)
class LoadedChampion:
    champion: Champion
    runtime: ModelRuntime
    model: Any


@dataclass(frozen=True, slots=True)
class RunResult:
    artifact: StoredArtifact
    params: dict[str, str]
    metrics: dict[str, float]
    gate: GateResult
    eval_start: Any
    """Event time of the first held-out row (pandas Timestamp)."""
    eval_rows: int


class Trainer:
    def __init__(
        self,
        spec: ProjectSpec,
        artifacts: Artifacts,
        runtimes: Callable[[str], ModelRuntime],
        *,
        latency_sample_rows: int,
        seed: int,
    ) -> None:
        self.spec = spec
        self.artifacts = artifacts
        self.runtimes = runtimes
        self.latency_sample_rows = latency_sample_rows
        self.seed = seed

    def load_champion(self, champion: Champion) -> LoadedChampion:
        """The champion's model: SHA-256 checked by the store, types checked by its runtime."""
        try:
            runtime = self.runtimes(champion.flavor)
            data = self.artifacts.get(champion.artifact_uri, champion.artifact_sha256)
            return LoadedChampion(champion, runtime, runtime.load(data))
        except REFUSALS as exc:  # keep the class (it is the error_type), say whose artifact
            raise type(exc)(f"champion v{champion.version} was refused: {exc}") from exc

    def run(self, name: str, labelled: Any, champion: LoadedChampion | None) -> RunResult:
        model_spec = self.spec.model(name)
        dataset = self.spec.dataset(model_spec.dataset)
        features = list(self.spec.model_features(name))
        label = dataset.label.name if dataset.label else ""
        train, held_out = time_ordered_split(labelled, model_spec.retrain.holdout_fraction)
        train_labels = train[label].to_numpy()
        if model_spec.task == "classification" and len(np.unique(train_labels)) < 2:
            raise InsufficientDataError("the training rows hold a single class")
        runtime = self.runtimes(model_spec.flavor)
        fitted = runtime.build(
            model_spec.estimator,
            features,
            {f: dataset.features[f].type for f in features},
            model_spec.task,
        )
        runtime.fit(fitted, train[features], train_labels)
        data = runtime.save(fitted)
        stored = self.artifacts.put(data, name=runtime.artifact_name)
        challenger = runtime.load(data)
        rows = EvalRows.of(
            held_out[features], held_out[label].to_numpy(), train_labels, model_spec.task
        )
        ours = outputs_of(runtime, challenger, rows, model_spec.task)
        theirs, reference = self._reference(model_spec, champion, rows, held_out, train_labels)
        measured = Measured(
            latency_p99_ms(runtime, challenger, rows.features, self.latency_sample_rows),
            stored.size,
        )
        gate = judge(
            metric=model_spec.primary_metric,
            higher_is_better=model_spec.higher_is_better,
            policy=model_spec.promotion,
            truth=rows.truth,
            challenger=ours,
            reference=theirs,
            reference_name=reference,
            rows=rows.rows,
            measured=measured,
            rng=np.random.default_rng(self.seed),
        )
        return RunResult(
            stored,
            runtime.params(challenger),
            holdout_metrics(model_spec.task, rows, ours),
            gate,
            held_out[dataset.event_timestamp].iloc[0],
            rows.rows,
        )

    def _reference(
        self,
        model_spec: ModelSpec,
        champion: LoadedChampion | None,
        rows: EvalRows,
        held_out: Any,
        train_labels: Any,
    ) -> tuple[Outputs, str]:
        if champion is None:
            return baseline_outputs(model_spec.task, train_labels, rows.labels, rows.positive)
        needed = champion.runtime.input_features(champion.model)
        missing = sorted(set(needed) - set(held_out.columns))
        if missing:
            raise EvaluationError(
                f"champion v{champion.champion.version} reads feature(s) {missing} that the "
                "training set no longer has; it cannot be scored on the evaluation window"
            )
        champion_rows = EvalRows(held_out[needed], rows.labels, rows.truth, rows.positive)
        outputs = outputs_of(champion.runtime, champion.model, champion_rows, model_spec.task)
        return outputs, f"champion v{champion.champion.version}"
