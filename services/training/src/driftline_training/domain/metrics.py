"""Metrics as weighted, vectorised functions: one row of weights per bootstrap resample.

Every metric takes the truth, one model's `Outputs` on the evaluation rows, and
a weight matrix ``W`` of shape (resamples, rows) — bootstrap counts, or a single
row of ones for the point estimate — and returns one value per resample. This
is what lets the paired bootstrap score 1000 resamples with a few matrix products
instead of 1000 Python-level metric calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from driftline_training.domain.errors import EvaluationError

__all__ = ["METRICS", "TASK_METRICS", "Outputs", "Truth", "metric_values", "point_estimate"]

Vector = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]
EPS = 1e-15
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Truth:
    """Ground truth of the evaluation rows."""

    values: Vector | None = None
    """Regression targets."""
    positive: Mask | None = None
    """Binary classification: whether each row belongs to the positive class."""


@dataclass(frozen=True, slots=True)
class Outputs:
    """What one model (or the baseline) said about the evaluation rows."""

    correct: Mask | None = None
    """Classification: the predicted label equals the true one."""
    p_true: Vector | None = None
    """Classification: the probability given to the true label."""
    score: Vector | None = None
    """Binary classification: the positive-class probability."""
    predicted_positive: Mask | None = None
    """Binary classification: the predicted label is the positive class."""
    values: Vector | None = None
    """Regression: the predictions."""


Metric = Callable[[Truth, Outputs, Vector], Vector]


def _need(value: T | None, what: str) -> T:
    if value is None:
        raise EvaluationError(f"this metric needs {what}")
    return value


def _mean(w: Vector, x: Vector) -> Vector:
    return np.asarray((w @ x) / w.sum(axis=1), dtype=np.float64)


def _accuracy(t: Truth, o: Outputs, w: Vector) -> Vector:
    return _mean(w, _need(o.correct, "class predictions").astype(np.float64))


def _log_loss(t: Truth, o: Outputs, w: Vector) -> Vector:
    p = np.clip(_need(o.p_true, "class probabilities"), EPS, 1.0)
    return _mean(w, -np.log(p))


def _f1(t: Truth, o: Outputs, w: Vector) -> Vector:
    y = _need(t.positive, "a binary label")
    pred = _need(o.predicted_positive, "binary predictions")
    tp, fp, fn = w @ (y & pred), w @ (~y & pred), w @ (y & ~pred)
    denominator = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, 2 * tp / denominator, 0.0)


def _roc_auc(t: Truth, o: Outputs, w: Vector) -> Vector:
    """Weighted Mann-Whitney: P(score of a positive > score of a negative), ties count half."""
    y, score = _need(t.positive, "a binary label"), _need(o.score, "positive-class scores")
    order = np.argsort(score, kind="mergesort")
    sorted_score, sorted_y, ws = score[order], y[order], w[:, order]
    starts = np.flatnonzero(np.r_[True, sorted_score[1:] != sorted_score[:-1]])
    pos = np.add.reduceat(ws * sorted_y, starts, axis=1)
    neg = np.add.reduceat(ws * ~sorted_y, starts, axis=1)
    neg_below = np.cumsum(neg, axis=1) - neg
    pairs = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, (pos * (neg_below + 0.5 * neg)).sum(axis=1) / pairs, np.nan)


def _errors(t: Truth, o: Outputs) -> Vector:
    return _need(o.values, "predictions") - _need(t.values, "numeric targets")


def _rmse(t: Truth, o: Outputs, w: Vector) -> Vector:
    return np.sqrt(_mean(w, _errors(t, o) ** 2))


def _mae(t: Truth, o: Outputs, w: Vector) -> Vector:
    return _mean(w, np.abs(_errors(t, o)))


def _r2(t: Truth, o: Outputs, w: Vector) -> Vector:
    y = _need(t.values, "numeric targets")
    n = w.sum(axis=1)
    sse = w @ _errors(t, o) ** 2
    sst = w @ y**2 - (w @ y) ** 2 / n
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sst > 0, 1 - sse / sst, np.nan)


METRICS: dict[str, Metric] = {
    "accuracy": _accuracy,
    "log_loss": _log_loss,
    "f1": _f1,
    "roc_auc": _roc_auc,
    "rmse": _rmse,
    "mae": _mae,
    "r2": _r2,
}
TASK_METRICS = {
    "classification": ("roc_auc", "accuracy", "f1", "log_loss"),
    "regression": ("rmse", "mae", "r2"),
}


def metric_values(name: str, truth: Truth, outputs: Outputs, weights: Vector) -> Vector:
    """The metric under each row of weights (shape (resamples, rows) -> (resamples,))."""
    if name not in METRICS:
        raise EvaluationError(f"no implementation of metric {name!r}; known: {sorted(METRICS)}")
    return METRICS[name](truth, outputs, weights)


def point_estimate(name: str, truth: Truth, outputs: Outputs, rows: int) -> float:
    """The metric on the evaluation rows themselves; EvaluationError if it is undefined."""
    value = float(metric_values(name, truth, outputs, np.ones((1, rows)))[0])
    if not np.isfinite(value):
        raise EvaluationError(
            f"{name} is undefined on this evaluation window (e.g. only one class present)"
        )
    return value
