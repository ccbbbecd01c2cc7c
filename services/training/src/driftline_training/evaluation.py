"""Scoring models on the evaluation rows through their runtime, and timing them.

Turns what a runtime predicts into the domain's `Outputs` (correctness, the
probability of the true label, the positive-class score, or regression values),
whatever the framework; the gate then compares `Outputs`, never models.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from driftline.runtimes import ModelRuntime, Task

from driftline_training.domain.errors import EvaluationError
from driftline_training.domain.metrics import TASK_METRICS, Outputs, Truth, point_estimate

__all__ = ["EvalRows", "holdout_metrics", "latency_p99_ms", "outputs_of"]


@dataclass(frozen=True, slots=True)
class EvalRows:
    """The held-out rows and their truth, in the forms the metrics need."""

    features: Any
    """pandas DataFrame of the feature columns."""
    labels: npt.NDArray[Any]
    truth: Truth
    positive: Any | None
    """The positive class of a binary label (the larger of the two), else None."""

    @classmethod
    def of(
        cls, features: Any, labels: npt.NDArray[Any], train_labels: npt.NDArray[Any], task: Task
    ) -> EvalRows:
        if task == "regression":
            values = labels.astype(np.float64)
            return cls(features, labels, Truth(values=values), None)
        classes = np.unique(np.concatenate([train_labels, labels]))
        positive = classes[1] if len(classes) == 2 else None
        truth = Truth(positive=np.asarray(labels == positive) if positive is not None else None)
        return cls(features, labels, truth, positive)

    @property
    def rows(self) -> int:
        return len(self.labels)


def outputs_of(runtime: ModelRuntime, model: Any, rows: EvalRows, task: Task) -> Outputs:
    """What `model` says about the evaluation rows."""
    if runtime.task(model) != task:
        raise EvaluationError(f"a {runtime.task(model)} model cannot be scored as {task}")
    if task == "regression":
        return Outputs(values=np.asarray(runtime.predict(model, rows.features), dtype=np.float64))
    proba = runtime.predict_proba(model, rows.features)
    classes = np.asarray(runtime.classes(model))
    predicted = classes[np.argmax(proba, axis=1)]
    p_true = np.zeros(rows.rows)
    for index, cls in enumerate(classes):
        p_true[rows.labels == cls] = proba[rows.labels == cls, index]
    score = predicted_positive = None
    if rows.positive is not None:
        hits = np.flatnonzero(classes == rows.positive)
        score = proba[:, hits[0]] if len(hits) else np.zeros(rows.rows)
        predicted_positive = np.asarray(predicted == rows.positive)
    return Outputs(np.asarray(predicted == rows.labels), p_true, score, predicted_positive)


def latency_p99_ms(runtime: ModelRuntime, model: Any, features: Any, sample_rows: int) -> float:
    """p99 of single-row prediction latency, as serving would call it, over a sample of rows."""
    count = min(sample_rows, len(features))
    runtime.predict(model, features.iloc[:1])  # warm-up: first-call costs are not latency
    timings = np.empty(count)
    for i in range(count):
        row = features.iloc[i : i + 1]
        started = time.perf_counter()
        runtime.predict(model, row)
        timings[i] = time.perf_counter() - started
    return float(np.percentile(timings, 99) * 1000)


def holdout_metrics(task: Task, rows: EvalRows, outputs: Outputs) -> dict[str, float]:
    """Every metric of the task that is defined on these rows (ModelTrained.metrics)."""
    found: dict[str, float] = {}
    for name in TASK_METRICS[task]:
        try:
            found[name] = point_estimate(name, rows.truth, outputs, rows.rows)
        except EvaluationError:
            continue  # e.g. roc_auc of a multi-class label: not reported rather than wrong
    return found
