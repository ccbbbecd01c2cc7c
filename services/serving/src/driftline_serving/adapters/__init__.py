"""Adapters of the core's ports: runtime models, the artifact loader, the registry, the log."""

from driftline_serving.adapters.consumer_position import ConsumerPosition
from driftline_serving.adapters.fakes import (
    FakeChampionSource,
    FakeFeatureSource,
    FakeLoader,
    FakeModel,
    FakeSink,
    FakeTelemetry,
)
from driftline_serving.adapters.loader import ArtifactModelLoader, ModelLoadError
from driftline_serving.adapters.prediction_log import KafkaPredictionLog, ProducerLike
from driftline_serving.adapters.registry_http import HttpChampionSource, RegistryUnavailableError
from driftline_serving.adapters.runtime_model import RuntimeModel

__all__ = [
    "ArtifactModelLoader",
    "ConsumerPosition",
    "FakeChampionSource",
    "FakeFeatureSource",
    "FakeLoader",
    "FakeModel",
    "FakeSink",
    "FakeTelemetry",
    "HttpChampionSource",
    "KafkaPredictionLog",
    "ModelLoadError",
    "ProducerLike",
    "RegistryUnavailableError",
    "RuntimeModel",
]
