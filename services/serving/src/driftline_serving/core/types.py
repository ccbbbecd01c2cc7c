"""The serving core's vocabulary: a loaded model, its outputs, one answer, one prediction record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

__all__ = ["Answer", "Model", "ModelRef", "Outputs", "PredictionRecord", "Role", "Row", "Task"]

Task = Literal["classification", "regression"]
Role = Literal["champion", "canary", "shadow"]
Row = Mapping[str, Any]
"""One input row: feature name -> value (None: missing)."""


@dataclass(frozen=True, slots=True)
class Outputs:
    """What a model says about a list of rows, as plain Python values (one entry per row)."""

    predictions: list[Any]
    scores: list[float | None]
    """Positive-class probability of a binary classifier, the value of a regressor."""
    proba: list[list[float]] | None = None
    """Class probabilities (rows x classes) of a classifier."""


class Model(Protocol):
    """A loaded, warmed-up model version; the runtime behind it is a plug-in."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def sha256(self) -> str: ...
    @property
    def features(self) -> tuple[str, ...]:
        """Input feature names, in the order the model reads them."""

    @property
    def task(self) -> Task: ...
    @property
    def classes(self) -> tuple[Any, ...]:
        """Class labels in `proba` column order (empty for a regressor)."""

    def predict(self, rows: Sequence[Row]) -> Outputs:
        """Outputs for `rows`; raises `ValueError` (or a subclass) for values it cannot read."""


@dataclass(frozen=True, slots=True)
class ModelRef:
    """Where a model version's artifact is and how to load it (from an event or the registry)."""

    name: str
    version: int
    artifact_uri: str
    sha256: str
    flavor: str


@dataclass(frozen=True, slots=True)
class Answer:
    """One row's answer."""

    request_id: str
    model: Model
    role: Role
    prediction: Any
    score: float | None
    proba: list[float] | None
    entity_key: str | None = None


@dataclass(frozen=True, slots=True)
class PredictionRecord:
    """What the prediction log publishes (as PredictionLogged) for one row."""

    request_id: str
    model_name: str
    model_version: int
    entity_key: str | None
    features: dict[str, Any]
    prediction: Any
    score: float | None
    latency_ms: float
    timestamp: float
    """Seconds since the epoch."""
    role: Role
