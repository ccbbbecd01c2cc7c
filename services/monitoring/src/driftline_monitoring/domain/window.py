"""A tumbling window of predictions: one column per feature, plus the prediction itself."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from driftline_monitoring.domain.reference import (
    CategoricalProfile,
    NumericProfile,
    Profile,
    Reference,
)  # fmt: skip
from driftline_monitoring.domain.types import FeatureKind, Prediction, Value

__all__ = ["Window", "categorical_value", "numeric_value"]


def numeric_value(value: Value) -> float | None:
    """A finite number, else None (nulls and values of the wrong type are not tested)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def categorical_value(value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Window:
    """Predictions of one model version and role, collected until `capacity`."""

    def __init__(
        self, capacity: int, kinds: Mapping[str, FeatureKind], *, version: int, regression: bool
    ) -> None:
        self.capacity = capacity
        self.version = version
        self.kinds = dict(kinds)
        self.regression = regression
        self.numeric: dict[str, list[float]] = {n: [] for n, k in kinds.items() if k == "numeric"}
        self.categorical: dict[str, list[str]] = {
            n: [] for n, k in kinds.items() if k == "categorical"
        }
        self.scores: list[float] = []
        self.labels: list[str] = []
        self.size = 0
        self.start: datetime | None = None
        self.end: datetime | None = None

    @property
    def full(self) -> bool:
        return self.size >= self.capacity

    def add(self, p: Prediction) -> None:
        for name, column in self.numeric.items():
            if (number := numeric_value(p.features.get(name))) is not None:
                column.append(number)
        for name, labels in self.categorical.items():
            if (text := categorical_value(p.features.get(name))) is not None:
                labels.append(text)
        signal = p.prediction if self.regression else p.score
        if (number := numeric_value(signal)) is not None:
            self.scores.append(number)
        elif (text := categorical_value(p.prediction)) is not None and not self.regression:
            self.labels.append(text)
        self.size += 1
        self.start = p.event_time if self.start is None else min(self.start, p.event_time)
        self.end = p.event_time if self.end is None else max(self.end, p.event_time)

    def reference(self) -> Reference:
        """This window as a reference: the fallback when no reference could be loaded."""
        profiles: dict[str, Profile] = {
            n: NumericProfile.from_sample(v) for n, v in self.numeric.items() if v
        }
        profiles |= {n: CategoricalProfile.from_sample(v) for n, v in self.categorical.items() if v}
        return Reference(profiles, "first_window")

    def prediction_profile(self) -> Profile | None:
        """What this window's predictions look like: scores if any, else the labels."""
        if self.scores:
            return NumericProfile.from_sample(self.scores)
        return CategoricalProfile.from_sample(self.labels) if self.labels else None
