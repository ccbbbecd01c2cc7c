"""The domain's vocabulary: what monitoring observes and what it decides.

These are plain frozen dataclasses: the handlers translate bus events into them
and the decisions back into events, so nothing here knows about Kafka or Avro.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = [
    "CanaryDecision",
    "DriftAlert",
    "FeatureKind",
    "Outcome",
    "Prediction",
    "Severity",
    "TestResult",
    "Value",
]

FeatureKind = Literal["numeric", "categorical"]
Severity = Literal["low", "medium", "high"]
Value = bool | int | float | str | None


@dataclass(frozen=True, slots=True)
class Prediction:
    """One served prediction, as logged by serving."""

    request_id: str
    model: str
    version: int
    role: str
    features: Mapping[str, Value]
    prediction: bool | int | float | str
    score: float | None
    event_time: datetime
    entity_key: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A prediction joined with its ground truth; `error` is 0/1 or the absolute error."""

    prediction: Prediction
    label: bool | int | float | str
    error: float


@dataclass(frozen=True, slots=True)
class TestResult:
    """One statistical test on one feature (or on the prediction, feature="prediction")."""

    feature: str
    statistic: str
    value: float
    threshold: float
    p_value: float | None
    drifted: bool

    @property
    def exceedance(self) -> float:
        """How far past its threshold the test is: >= 1 exactly when it signals drift.

        PSI (and tests without a p-value): value / threshold. Tests with a p-value:
        log(p) / log(threshold), so p = threshold gives 1 and every further factor
        of ten below it adds the same.
        """
        if self.p_value is None or self.statistic == "psi":
            return self.value / self.threshold
        p = max(self.p_value, 1e-300)
        return math.log(p) / math.log(self.threshold)


@dataclass(frozen=True, slots=True)
class DriftAlert:
    """A drift episode worth one DriftDetected: kind data, prediction or concept."""

    model: str
    version: int
    kind: Literal["data", "prediction", "concept"]
    severity: Severity
    tests: tuple[TestResult, ...]
    start: datetime
    end: datetime
    sample_size: int
    detector: str | None = None


@dataclass(frozen=True, slots=True)
class CanaryDecision:
    """The canary's verdict: promote it, or roll it back, with the metrics compared."""

    model: str
    canary_version: int
    champion_version: int
    verdict: Literal["promote", "rollback"]
    canary_metrics: dict[str, float]
    champion_metrics: dict[str, float]
    sample_size: int
    cause: Mapping[str, str] = field(default_factory=dict)
