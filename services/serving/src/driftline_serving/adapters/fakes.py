"""Hand-made fakes of the ports, for tests: each records what it was asked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from driftline_serving.core.types import Model, ModelRef, Outputs, PredictionRecord, Role, Row, Task

__all__ = [
    "FakeChampionSource",
    "FakeFeatureSource",
    "FakeLoader",
    "FakeModel",
    "FakeSink",
    "FakeTelemetry",
]


@dataclass(eq=False)
class FakeModel:
    """A model whose prediction is a function of the row; records every call's rows."""

    name: str
    version: int
    features: tuple[str, ...] = ("x",)
    task: Task = "classification"
    classes: tuple[Any, ...] = (0, 1)
    sha256: str = ""
    rule: Callable[[Row], float] = lambda row: 0.75
    """Positive-class probability (classifier) or value (regressor) of a row."""
    calls: list[list[Row]] = field(default_factory=list)

    def predict(self, rows: Sequence[Row]) -> Outputs:
        self.calls.append(list(rows))
        values = [float(self.rule(row)) for row in rows]
        if self.task == "regression":
            return Outputs(list(values), list(values))
        return Outputs([int(v >= 0.5) for v in values], list(values), [[1 - v, v] for v in values])


@dataclass
class FakeLoader:
    """Loads `FakeModel`s (or `make(ref)`); `fail` maps a version to the error its load raises."""

    make: Callable[[ModelRef], Model] | None = None
    fail: dict[int, Exception] = field(default_factory=dict)
    loaded: list[ModelRef] = field(default_factory=list)

    def load(self, ref: ModelRef) -> Model:
        self.loaded.append(ref)
        if ref.version in self.fail:
            raise self.fail[ref.version]
        if self.make is not None:
            return self.make(ref)
        return FakeModel(ref.name, ref.version, sha256=ref.sha256)


@dataclass
class FakeChampionSource:
    """Answers from `champions`; raises each error of `errors` once, in order, first."""

    champions: dict[str, ModelRef] = field(default_factory=dict)
    errors: list[Exception] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def champion(self, model_name: str) -> ModelRef | None:
        self.asked.append(model_name)
        if self.errors:
            raise self.errors.pop(0)
        return self.champions.get(model_name)


@dataclass
class FakeFeatureSource:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: list[tuple[str, list[str], list[str] | None]] = field(default_factory=list)

    def get(self, dataset: str, entity_keys: Sequence[str],
            features: Sequence[str] | None = None) -> list[dict[str, Any] | None]:  # fmt: skip
        self.reads.append(
            (dataset, list(entity_keys), None if features is None else list(features))
        )
        return [dict(self.rows[k]) if k in self.rows else None for k in entity_keys]


@dataclass
class FakeSink:
    records: list[PredictionRecord] = field(default_factory=list)

    def put(self, record: PredictionRecord) -> bool:
        self.records.append(record)
        return True


@dataclass
class FakeTelemetry:
    requests: list[tuple[str, int, Role, float]] = field(default_factory=list)
    predictions: dict[tuple[str, int, Role], int] = field(default_factory=dict)
    shadow_drops: int = 0

    def request_done(self, model: str, version: int, role: Role, seconds: float) -> None:
        self.requests.append((model, version, role, seconds))

    def predicted(self, model: str, version: int, role: Role, rows: int) -> None:
        key = (model, version, role)
        self.predictions[key] = self.predictions.get(key, 0) + rows

    def shadow_dropped(self, model: str) -> None:
        self.shadow_drops += 1
