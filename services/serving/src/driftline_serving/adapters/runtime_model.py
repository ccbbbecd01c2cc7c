"""A model version loaded by its runtime plug-in, behind the core's `Model` protocol.

One table per call, built column by column from the rows (numeric columns as float arrays,
missing values NaN; the others as objects, missing values None), so a batch of rows costs one
pass through the pipeline. Classifiers are asked for probabilities once: the predicted label
is the most probable class (what scikit-learn's classifiers predict), the score the positive
class's probability of a binary classifier. A verified fast path (`fast`, see `sklearn_fast`)
replaces the table and the pipeline's preprocessing when the loader found one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from driftline.runtimes import ModelRuntime

from driftline_serving.core.types import Outputs, Row, Task

__all__ = ["RuntimeModel"]


@dataclass(frozen=True, slots=True, eq=False)
class RuntimeModel:
    name: str
    version: int
    sha256: str
    flavor: str
    features: tuple[str, ...]
    task: Task
    classes: tuple[Any, ...]
    numeric: frozenset[str]
    """Features read as numbers (spec types int and float)."""
    runtime: ModelRuntime
    estimator: Any
    fast: tuple[Callable[[Sequence[Row]], Any], Any] | None = None
    """A verified fast path: (rows -> input matrix, the estimator that reads it)."""

    def predict(self, rows: Sequence[Row]) -> Outputs:
        if self.fast is not None:
            matrix, estimator = self.fast
            return self.outputs(estimator, matrix(rows))
        return self.outputs(self.estimator, self.frame(rows))

    def without_fast_path(self) -> RuntimeModel:
        return replace(self, fast=None)

    def outputs(self, estimator: Any, frame: Any) -> Outputs:
        if self.task == "regression":
            values = np.asarray(self.runtime.predict(estimator, frame), dtype=np.float64)
            listed: list[float | None] = values.tolist()
            return Outputs(predictions=list(listed), scores=listed)
        proba = self.runtime.predict_proba(estimator, frame)
        labels = [self.classes[i] for i in proba.argmax(axis=1).tolist()]
        scores: list[float | None] = (
            proba[:, 1].tolist() if proba.shape[1] == 2 else [None] * len(labels)
        )
        return Outputs(predictions=labels, scores=scores, proba=proba.tolist())

    def frame(self, rows: Sequence[Row]) -> pd.DataFrame:
        columns: dict[str, np.ndarray[Any, Any]] = {}
        for name in self.features:
            values = [row.get(name) for row in rows]
            if name in self.numeric:
                columns[name] = np.array(values, dtype=np.float64)
            else:
                column = np.empty(len(values), dtype=object)
                column[:] = values
                columns[name] = column
        return pd.DataFrame(columns, copy=False)
