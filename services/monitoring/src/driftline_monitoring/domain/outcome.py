"""The error of one labelled prediction: what concept drift and canary trials are fed."""

from __future__ import annotations

from driftline_monitoring.domain.types import Prediction, Value
from driftline_monitoring.domain.window import numeric_value

__all__ = ["error_of"]


def _as_class(value: Value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip().lower()
    return {"true": "1", "false": "0"}.get(text, text)


def error_of(p: Prediction, label: Value, *, regression: bool) -> float | None:
    """0/1 for a classifier (True == 1 == 1.0 == "1"), |prediction - label| for a regressor;
    None when the label cannot be compared (null, or not a number for a regressor)."""
    if label is None:
        return None
    if not regression:
        return 0.0 if _as_class(p.prediction) == _as_class(label) else 1.0
    predicted, truth = numeric_value(p.prediction), numeric_value(label)
    if predicted is None or truth is None:
        return None
    return abs(predicted - truth)
