"""Driftline's training service: retrain policy, training runs and the evaluation gate."""

from driftline_training.bootstrap import TrainingApp, bootstrap
from driftline_training.config import TrainingSettings

__all__ = ["TrainingApp", "TrainingSettings", "bootstrap"]
