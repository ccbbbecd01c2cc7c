"""The model runtime interface: how one model framework builds, trains, saves and loads.

A runtime is chosen by the spec's ``flavor`` (``get_runtime("sklearn")``); callers
never branch on the framework (STYLE rule 11). Models are opaque to callers: they
only pass them back to the runtime that made them. Tables are pandas DataFrames
(or any frame the framework accepts) whose columns are the feature names.

The safety contract of `load`: it refuses, with `UntrustedArtifactError`, any
artifact that would instantiate a type outside the runtime's explicit trusted
list. Checking the artifact's SHA-256 is the artifact store's job, before `load`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt

from driftline.spec import EstimatorSpec

__all__ = [
    "Frame",
    "ModelRuntime",
    "RuntimeConfigError",
    "Task",
    "UnknownFlavorError",
    "UntrustedArtifactError",
]

Task = Literal["classification", "regression"]
Frame = Any
"""A table with one column per feature (a pandas DataFrame for the sklearn runtime)."""


class UntrustedArtifactError(ValueError):
    """The artifact would instantiate types the runtime does not trust; it was not loaded."""


class RuntimeConfigError(ValueError):
    """The spec asks for an estimator, parameter or task the runtime cannot build."""


class UnknownFlavorError(LookupError):
    """No runtime is registered under that flavor name."""


class ModelRuntime(ABC):
    """One framework behind the small interface the training and serving services use."""

    flavor: ClassVar[str]
    """Name in the spec (``models.<m>.flavor``) and in ModelTrained.flavor."""

    artifact_name: ClassVar[str]
    """File name of the artifact in the content-addressed store, e.g. ``model.skops``."""

    @abstractmethod
    def build(
        self,
        estimator: EstimatorSpec,
        features: Sequence[str],
        feature_types: Mapping[str, str],
        task: Task,
    ) -> Any:
        """An unfitted model for these features (in input order) and their spec types.

        Raises `RuntimeConfigError` naming the unknown estimator or parameter.
        """

    @abstractmethod
    def fit(self, model: Any, features: Frame, labels: npt.ArrayLike) -> Any:
        """Train `model` in place and return it."""

    @abstractmethod
    def predict(self, model: Any, features: Frame) -> npt.NDArray[Any]:
        """Predicted labels (classification) or values (regression), one per row."""

    @abstractmethod
    def predict_proba(self, model: Any, features: Frame) -> npt.NDArray[np.float64]:
        """Class probabilities, shape (rows, classes), columns in `classes(model)` order."""

    @abstractmethod
    def classes(self, model: Any) -> list[Any]:
        """The class labels a classifier learnt, in `predict_proba` column order."""

    def score(self, model: Any, features: Frame) -> npt.NDArray[np.float64]:
        """One number per row: the positive-class probability of a binary classifier,
        the prediction of a regressor."""
        if self.task(model) == "regression":
            return np.asarray(self.predict(model, features), dtype=np.float64)
        proba = self.predict_proba(model, features)
        if proba.shape[1] != 2:
            raise RuntimeConfigError("score() is only defined for binary classifiers")
        return proba[:, 1]

    @abstractmethod
    def task(self, model: Any) -> Task:
        """Whether `model` is a classifier or a regressor."""

    @abstractmethod
    def input_features(self, model: Any) -> list[str]:
        """The feature columns `model` reads, in input order."""

    @abstractmethod
    def params(self, model: Any) -> dict[str, str]:
        """The estimator's effective parameters, as strings (ModelTrained.params)."""

    @abstractmethod
    def save(self, model: Any) -> bytes:
        """The artifact bytes (a safe format: never pickle)."""

    @abstractmethod
    def load(self, data: bytes) -> Any:
        """The model in `data`, or `UntrustedArtifactError` if it holds an untrusted type."""
