"""Pure decisions of the training service: retrain policy, time-ordered split, metrics,
significance tests and the evaluation gate. No Kafka, HTTP or framework imports."""

from driftline_training.domain.errors import (
    DependencyUnavailableError,
    EvaluationError,
    InsufficientDataError,
    TrainingError,
    TrainingSetError,
    UnknownModelError,
)
from driftline_training.domain.model import (
    Champion,
    Claim,
    ModelState,
    TrainingSet,
    Trigger,
    TriggerType,
    Window,
)

__all__ = [
    "Champion",
    "Claim",
    "DependencyUnavailableError",
    "EvaluationError",
    "InsufficientDataError",
    "ModelState",
    "TrainingError",
    "TrainingSet",
    "TrainingSetError",
    "Trigger",
    "TriggerType",
    "UnknownModelError",
    "Window",
]
