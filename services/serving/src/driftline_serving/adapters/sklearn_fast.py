"""A verified fast path for the sklearn flavor's Pipeline(ColumnTransformer, estimator).

scikit-learn's ColumnTransformer spends milliseconds per call validating and slicing a
pandas frame, whatever the number of rows; the arithmetic it does is tiny. For the shapes
the sklearn runtime builds (numeric columns: imputer [+ scaler]; other columns: one-hot with
unknown values ignored) this module builds the same matrix with numpy straight from the rows,
and the final estimator predicts from it. It is used only after it gave exactly the
pipeline's own probabilities (or values) on probe rows covering every column, unknown
categories and missing values; any other shape, or any difference, keeps the generic path.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from driftline.spec import DatasetSpec

from driftline_serving.core.types import Row

__all__ = ["Matrix", "compile_matrix", "probe_rows"]

log = logging.getLogger(__name__)
Matrix = Callable[[Sequence[Row]], np.ndarray[Any, Any]]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _numeric(
    steps: list[Any], cols: list[str]
) -> Callable[[np.ndarray[Any, Any], Sequence[Row]], None] | None:
    fill = mean = scale = None
    for step in steps:
        kind = type(step).__name__
        if kind == "SimpleImputer" and fill is None and mean is None:
            if not (isinstance(step.missing_values, float) and math.isnan(step.missing_values)):
                return None
            fill = np.asarray(step.statistics_, dtype=np.float64)
        elif kind == "StandardScaler" and mean is None:
            mean = step.mean_ if step.with_mean else np.zeros(len(cols))
            scale = step.scale_ if step.with_std else np.ones(len(cols))
        else:
            return None

    def write(out: np.ndarray[Any, Any], rows: Sequence[Row]) -> None:
        block = np.array([[row.get(c) for c in cols] for row in rows], dtype=np.float64)
        if fill is not None:
            gaps = np.isnan(block)
            if gaps.any():
                block = np.where(gaps, fill, block)
        if mean is not None:
            block = (block - mean) / scale
        out[:] = block

    return write


def _onehot(
    encoder: Any, cols: list[str]
) -> Callable[[np.ndarray[Any, Any], Sequence[Row]], None] | None:
    if encoder.drop is not None or encoder.handle_unknown != "ignore":
        return None
    lookups, missing, offsets, width = [], [], [], 0
    for categories in encoder.categories_:
        values = list(categories.tolist())
        lookups.append({v: i for i, v in enumerate(values) if not _missing(v)})
        missing.append(next((i for i, v in enumerate(values) if _missing(v)), None))
        offsets.append(width)
        width += len(values)

    def write(out: np.ndarray[Any, Any], rows: Sequence[Row]) -> None:
        out[:] = 0.0
        for j, col in enumerate(cols):
            lookup, gap, offset = lookups[j], missing[j], offsets[j]
            for i, row in enumerate(rows):
                value = row.get(col)
                index = gap if _missing(value) else lookup.get(value)
                if index is not None:
                    out[i, offset + index] = 1.0

    return write


def compile_matrix(pipeline: Any) -> tuple[Matrix, Any] | None:
    """(rows -> the final estimator's input matrix, the final estimator), or None."""
    steps = getattr(pipeline, "steps", None)
    if not steps or len(steps) != 2 or type(steps[0][1]).__name__ != "ColumnTransformer":
        return None
    writers, widths = [], []
    for name, transformer, cols in steps[0][1].transformers_:
        if name == "remainder" or transformer == "drop":
            continue
        inner = (
            [s for _, s in transformer.steps] if hasattr(transformer, "steps") else [transformer]
        )
        if len(inner) == 1 and type(inner[0]).__name__ == "OneHotEncoder":
            writer = _onehot(inner[0], list(cols))
            width = sum(len(c) for c in inner[0].categories_)
        else:
            writer, width = _numeric(inner, list(cols)), len(cols)
        if writer is None:
            return None
        writers.append(writer)
        widths.append(width)
    bounds = np.cumsum([0, *widths]).tolist()

    def matrix(rows: Sequence[Row]) -> np.ndarray[Any, Any]:
        out = np.empty((len(rows), bounds[-1]), dtype=np.float64)
        for k, write in enumerate(writers):
            write(out[:, bounds[k] : bounds[k + 1]], rows)
        return out

    return matrix, steps[-1][1]


def probe_rows(
    dataset: DatasetSpec, features: Sequence[str], count: int = 64
) -> list[dict[str, Any]]:
    """Rows over every feature's range and categories, with unknown and missing values."""
    rng = np.random.default_rng(0)
    rows: list[dict[str, Any]] = []
    for i in range(count):
        row: dict[str, Any] = {}
        for name in features:
            spec = dataset.features[name]
            if i % 7 == 3:
                row[name] = None
            elif spec.type in ("int", "float"):
                low = spec.min if spec.min is not None else -100.0
                high = spec.max if spec.max is not None else low + 200.0
                value = float(rng.uniform(low, high))
                row[name] = round(value) if spec.type == "int" else value
            elif spec.type == "bool":
                row[name] = bool(rng.random() < 0.5)
            else:
                choices = [*(spec.categories or ()), "never-seen", f"s{i % 5}"]
                row[name] = choices[int(rng.integers(len(choices)))]
        rows.append(row)
    return rows
