"""The serving core: model slots, routing (canary, shadow), swaps and the data plane.

Pure and framework-agnostic: no FastAPI, Kafka or Feast imports; models arrive through the
`Model` protocol (the runtime is a plug-in) and everything else through `ports`.
"""

from driftline_serving.core.batching import AdaptiveBatcher
from driftline_serving.core.dataplane import DataPlane
from driftline_serving.core.deployment import Challenger, Deployment, RetireOutcome, canary_bucket
from driftline_serving.core.errors import (
    BadInputError,
    FeaturesUnavailableError,
    ModelNotReadyError,
    ServingError,
    UnknownEntityError,
    UnknownModelError,
    VersionNotLoadedError,
)
from driftline_serving.core.inputs import FeatureRows
from driftline_serving.core.jobs import Job, Result, Rows
from driftline_serving.core.ports import (
    ChampionSource,
    FeatureSource,
    ModelLoader,
    PredictionSink,
    Telemetry,
)
from driftline_serving.core.shadow import ShadowScorer
from driftline_serving.core.slots import ModelSlots
from driftline_serving.core.types import (
    Answer,
    Model,
    ModelRef,
    Outputs,
    PredictionRecord,
    Role,
    Row,
    Task,
)

__all__ = [
    "AdaptiveBatcher",
    "Answer",
    "BadInputError",
    "Challenger",
    "ChampionSource",
    "DataPlane",
    "Deployment",
    "FeatureRows",
    "FeatureSource",
    "FeaturesUnavailableError",
    "Job",
    "Model",
    "ModelLoader",
    "ModelNotReadyError",
    "ModelRef",
    "ModelSlots",
    "Outputs",
    "PredictionRecord",
    "PredictionSink",
    "Result",
    "RetireOutcome",
    "Role",
    "Row",
    "Rows",
    "ServingError",
    "ShadowScorer",
    "Task",
    "Telemetry",
    "UnknownEntityError",
    "UnknownModelError",
    "VersionNotLoadedError",
    "canary_bucket",
]
