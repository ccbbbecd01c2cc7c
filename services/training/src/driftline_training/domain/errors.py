"""Why a trigger could not become a trained, evaluated model.

Each error's class name is the ``error_type`` of the TrainingFailed it causes;
its message is the ``reason``, written for the operator who reads it.
"""

from __future__ import annotations

__all__ = [
    "DependencyUnavailableError",
    "EvaluationError",
    "InsufficientDataError",
    "TrainingError",
    "TrainingSetError",
    "UnknownModelError",
]


class TrainingError(Exception):
    """Base class: a run (or a trigger) failed for a reason worth reporting."""


class UnknownModelError(TrainingError):
    """The model is not in the project spec, or the feature service does not know it."""


class TrainingSetError(TrainingError):
    """The training set was refused or is unusable (bad window, missing columns, corrupt)."""


class DependencyUnavailableError(TrainingError):
    """The feature service or the registry could not be reached after retries."""


class InsufficientDataError(TrainingError):
    """Too few labelled rows (or classes) to train and evaluate."""


class EvaluationError(TrainingError):
    """The challenger or the champion could not be scored on the evaluation window."""
