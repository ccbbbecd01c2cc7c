"""The trivial baseline a first model must beat: the class prior, or the mean."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from driftline_training.domain.metrics import Outputs

__all__ = ["baseline_outputs"]


def baseline_outputs(
    task: str,
    train_labels: npt.NDArray[Any],
    eval_labels: npt.NDArray[Any],
    positive: Any | None,
) -> tuple[Outputs, str]:
    """What the baseline says about the evaluation rows, and its name for the reasons.

    Classification: every row gets the training set's class frequencies as
    probabilities and the majority class as its label. Regression: the training mean.
    """
    rows = len(eval_labels)
    if task == "regression":
        mean = float(np.mean(train_labels.astype(np.float64)))
        return Outputs(values=np.full(rows, mean)), f"the training mean ({mean:.4g})"
    classes, counts = np.unique(train_labels, return_counts=True)
    prior = counts / counts.sum()
    majority = classes[np.argmax(counts)]
    p_true = np.zeros(rows)
    for cls, p in zip(classes, prior, strict=True):
        p_true[eval_labels == cls] = p
    score = predicted_positive = None
    if positive is not None:
        p_positive = float(prior[classes == positive].sum())
        score = np.full(rows, p_positive)
        predicted_positive = np.full(rows, majority == positive)
    outputs = Outputs(
        correct=np.asarray(eval_labels == majority),
        p_true=p_true,
        score=score,
        predicted_positive=predicted_positive,
    )
    shown = majority.item() if isinstance(majority, np.generic) else majority
    return outputs, f"the majority-class prior ({shown!r} at {prior.max():.1%})"
