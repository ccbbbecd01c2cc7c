"""What the core needs from the outside world, as small protocols (adapters implement them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from driftline_serving.core.types import Model, ModelRef, PredictionRecord, Role

__all__ = ["ChampionSource", "FeatureSource", "ModelLoader", "PredictionSink", "Telemetry"]


class FeatureSource(Protocol):
    """Latest feature values by entity key (None for an unknown key), aligned with the keys."""

    def get(
        self, dataset: str, entity_keys: Sequence[str], features: Sequence[str] | None = None
    ) -> list[dict[str, Any] | None]: ...


class PredictionSink(Protocol):
    """Where prediction records go; `put` never blocks and says whether the record was kept."""

    def put(self, record: PredictionRecord) -> bool: ...


class ModelLoader(Protocol):
    """Fetches, checks, loads and warms up a model version (slow: never on the request path)."""

    def load(self, ref: ModelRef) -> Model: ...


class ChampionSource(Protocol):
    """The registry's current champion of a model, None when it has none."""

    def champion(self, model_name: str) -> ModelRef | None: ...


class Telemetry(Protocol):
    """Measurements of the request path (Prometheus in production, a recorder in tests)."""

    def request_done(self, model: str, version: int, role: Role, seconds: float) -> None: ...

    def predicted(self, model: str, version: int, role: Role, rows: int) -> None: ...

    def shadow_dropped(self, model: str) -> None: ...
