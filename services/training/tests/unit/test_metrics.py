"""The vectorised metrics agree with scikit-learn, one resample or a thousand at once."""

from __future__ import annotations

import numpy as np
import pytest
from driftline_training.domain.errors import EvaluationError
from driftline_training.domain.metrics import Outputs, Truth, metric_values, point_estimate
from driftline_training.domain.significance import bootstrap_weights
from sklearn import metrics as skm

RNG = np.random.default_rng(7)
N = 500
Y = RNG.random(N) < 0.4
SCORE = np.round(np.clip(Y * 0.3 + RNG.random(N) * 0.7, 0, 1), 2)  # rounded: many ties
PRED = SCORE > 0.5
TRUTH = Truth(positive=Y)
OUT = Outputs(correct=PRED == Y, p_true=np.where(Y, SCORE, 1 - SCORE), score=SCORE,
              predicted_positive=PRED)  # fmt: skip
TARGET = RNG.normal(10, 3, N)
VALUES = TARGET + RNG.normal(0, 1, N)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("roc_auc", skm.roc_auc_score(Y, SCORE)),
        ("accuracy", skm.accuracy_score(Y, PRED)),
        ("f1", skm.f1_score(Y, PRED)),
        ("log_loss", skm.log_loss(Y, SCORE)),
    ],
)
def test_classification_metrics_match_scikit_learn(name: str, expected: float) -> None:
    assert point_estimate(name, TRUTH, OUT, N) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rmse", skm.root_mean_squared_error(TARGET, VALUES)),
        ("mae", skm.mean_absolute_error(TARGET, VALUES)),
        ("r2", skm.r2_score(TARGET, VALUES)),
    ],
)
def test_regression_metrics_match_scikit_learn(name: str, expected: float) -> None:
    truth, outputs = Truth(values=TARGET), Outputs(values=VALUES)
    assert point_estimate(name, truth, outputs, N) == pytest.approx(expected, rel=1e-9)


def test_bootstrap_weights_score_each_resample_like_the_resampled_rows() -> None:
    weights = next(bootstrap_weights(N, 5, np.random.default_rng(3)))
    assert weights.shape == (5, N)
    assert (weights.sum(axis=1) == N).all()
    fast = metric_values("roc_auc", TRUTH, OUT, weights)
    for row, value in zip(weights, fast, strict=True):
        rows = np.repeat(np.arange(N), row.astype(int))
        assert value == pytest.approx(skm.roc_auc_score(Y[rows], SCORE[rows]), rel=1e-9)


def test_bootstrap_weights_come_in_chunks_that_bound_memory() -> None:
    chunks = list(bootstrap_weights(1_000_000, 5, np.random.default_rng(0)))
    assert [len(c) for c in chunks] == [2, 2, 1]


def test_roc_auc_of_a_window_with_one_class_is_refused() -> None:
    truth = Truth(positive=np.ones(N, dtype=bool))
    with pytest.raises(EvaluationError, match="undefined on this evaluation window"):
        point_estimate("roc_auc", truth, OUT, N)


def test_a_metric_the_model_outputs_cannot_support_is_refused() -> None:
    with pytest.raises(EvaluationError, match="needs numeric targets"):
        point_estimate("rmse", TRUTH, Outputs(values=VALUES), N)
