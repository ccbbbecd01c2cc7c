"""The scikit-learn runtime: a Pipeline(ColumnTransformer, estimator) saved with skops.

Preprocessing follows the spec's feature types: one-hot encoding (unknown values
ignored, missing values their own category) for category, bool and string
features; median imputation for numeric features, plus standard scaling for
estimators that need it (linear models). Estimators are chosen by name from
`ESTIMATORS` with the spec's parameters; ``random_state`` defaults to 0 so that
training is reproducible.

Artifacts are skops files, never pickle. `load` first lists the types the file
would instantiate that skops does not trust by default, and refuses the file
unless every one of them is in `TRUSTED_TYPES`: the few extra types that the
estimators of `ESTIMATORS` are known to contain (a unit test keeps the list true).
"""

from __future__ import annotations

import inspect
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import numpy as np
import numpy.typing as npt
import skops.io as sio  # type: ignore[import-untyped]
from sklearn.compose import ColumnTransformer  # type: ignore[import-untyped]
from sklearn.impute import SimpleImputer  # type: ignore[import-untyped]
from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # type: ignore[import-untyped]

from driftline.runtimes.base import (
    Frame,
    ModelRuntime,
    RuntimeConfigError,
    Task,
    UntrustedArtifactError,
)
from driftline.spec import EstimatorSpec

__all__ = [
    "ESTIMATORS",
    "PREPROCESSING_TRUSTED",
    "TRUSTED_TYPES",
    "EstimatorEntry",
    "SklearnRuntime",
]

_TREE = "sklearn.tree._tree.Tree"
_HIST_TREE = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
_DTYPE = "numpy.dtype"
ENCODED_TYPES = frozenset({"category", "bool", "string"})
NUMERIC_TYPES = frozenset({"int", "float"})


@dataclass(frozen=True, slots=True)
class EstimatorEntry:
    """One estimator the runtime may build, and what its fitted form contains."""

    path: str
    """``module:Class`` of the estimator."""
    task: Task
    scale: bool
    """Whether numeric inputs are standardised first (linear models)."""
    trusted: tuple[str, ...] = ()
    """Types beyond skops' defaults that the fitted estimator contains."""


ESTIMATORS: dict[str, EstimatorEntry] = {
    "logistic_regression": EstimatorEntry(
        "sklearn.linear_model:LogisticRegression", "classification", True
    ),
    "random_forest": EstimatorEntry(
        "sklearn.ensemble:RandomForestClassifier", "classification", False, (_TREE,)
    ),
    "gradient_boosting": EstimatorEntry(
        "sklearn.ensemble:GradientBoostingClassifier", "classification", False, (_TREE,)
    ),
    "hist_gradient_boosting": EstimatorEntry(
        "sklearn.ensemble:HistGradientBoostingClassifier", "classification", False, (_HIST_TREE,)
    ),
    "linear_regression": EstimatorEntry(
        "sklearn.linear_model:LinearRegression", "regression", True
    ),
    "ridge": EstimatorEntry("sklearn.linear_model:Ridge", "regression", True),
    "random_forest_regressor": EstimatorEntry(
        "sklearn.ensemble:RandomForestRegressor", "regression", False, (_TREE,)
    ),
    "gradient_boosting_regressor": EstimatorEntry(
        "sklearn.ensemble:GradientBoostingRegressor", "regression", False, (_TREE,)
    ),
    "hist_gradient_boosting_regressor": EstimatorEntry(
        "sklearn.ensemble:HistGradientBoostingRegressor", "regression", False, (_HIST_TREE,)
    ),
}

PREPROCESSING_TRUSTED: tuple[str, ...] = (_DTYPE,)
"""Types beyond skops' defaults that the fitted preprocessing contains (encoder dtypes)."""

TRUSTED_TYPES: frozenset[str] = frozenset(
    (*PREPROCESSING_TRUSTED, *(t for e in ESTIMATORS.values() for t in e.trusted))
)
"""Every type `load` accepts beyond skops' defaults: preprocessing plus `ESTIMATORS`."""


def _estimator_class(entry: EstimatorEntry) -> type[Any]:
    module, _, name = entry.path.partition(":")
    cls: type[Any] = getattr(import_module(module), name)
    return cls


class SklearnRuntime(ModelRuntime):
    """scikit-learn Pipelines, persisted with skops (compressed zip)."""

    flavor = "sklearn"
    artifact_name = "model.skops"

    def build(
        self,
        estimator: EstimatorSpec,
        features: Sequence[str],
        feature_types: Mapping[str, str],
        task: Task,
    ) -> Any:
        entry = ESTIMATORS.get(estimator.name)
        if entry is None:
            raise RuntimeConfigError(
                f"unknown sklearn estimator {estimator.name!r}; known: {sorted(ESTIMATORS)}"
            )
        if entry.task != task:
            raise RuntimeConfigError(
                f"estimator {estimator.name!r} is a {entry.task} estimator, "
                f"but the model's task is {task}"
            )
        cls = _estimator_class(entry)
        accepted = set(inspect.signature(cls).parameters)
        unknown = sorted(set(estimator.params) - accepted)
        if unknown:
            raise RuntimeConfigError(
                f"estimator {estimator.name!r} has no parameter(s) {unknown}; "
                f"accepted: {sorted(accepted)}"
            )
        params = dict(estimator.params)
        if "random_state" in accepted:
            params.setdefault("random_state", 0)
        try:
            model = cls(**params)
        except (TypeError, ValueError) as exc:
            raise RuntimeConfigError(f"estimator {estimator.name!r}: {exc}") from None
        return Pipeline(
            [("prep", _preprocessor(features, feature_types, entry.scale)), ("estimator", model)]
        )

    def fit(self, model: Any, features: Frame, labels: npt.ArrayLike) -> Any:
        try:
            return model.fit(features, np.asarray(labels))
        except ValueError as exc:  # sklearn's parameter validation happens at fit
            raise RuntimeConfigError(f"training failed: {exc}") from exc

    def predict(self, model: Any, features: Frame) -> npt.NDArray[Any]:
        return np.asarray(model.predict(features))

    def predict_proba(self, model: Any, features: Frame) -> npt.NDArray[np.float64]:
        return np.asarray(model.predict_proba(features), dtype=np.float64)

    def classes(self, model: Any) -> list[Any]:
        return [c.item() if isinstance(c, np.generic) else c for c in model.classes_]

    def task(self, model: Any) -> Task:
        return "classification" if hasattr(model, "predict_proba") else "regression"

    def input_features(self, model: Any) -> list[str]:
        return [str(name) for name in model.feature_names_in_]

    def params(self, model: Any) -> dict[str, str]:
        estimator = model.steps[-1][1]
        return {k: _text(v) for k, v in sorted(estimator.get_params(deep=False).items())}

    def save(self, model: Any) -> bytes:
        data: bytes = sio.dumps(model, compression=zipfile.ZIP_DEFLATED)
        return data

    def load(self, data: bytes) -> Any:
        try:
            untrusted = set(sio.get_untrusted_types(data=data))
        except (zipfile.BadZipFile, KeyError, ValueError, json.JSONDecodeError) as exc:
            raise UntrustedArtifactError(f"not a skops artifact: {exc}") from None
        refused = sorted(untrusted - TRUSTED_TYPES)
        if refused:
            raise UntrustedArtifactError(
                f"the artifact contains untrusted type(s) {refused}; refusing to load it "
                f"(trusted beyond skops' defaults: {sorted(TRUSTED_TYPES)})"
            )
        model = sio.loads(data, trusted=sorted(untrusted))
        if not isinstance(model, Pipeline):
            raise UntrustedArtifactError(
                f"the artifact holds a {type(model).__name__}, not a scikit-learn Pipeline"
            )
        return model


def _preprocessor(
    features: Sequence[str], feature_types: Mapping[str, str], scale: bool
) -> ColumnTransformer:
    missing = [f for f in features if f not in feature_types]
    if missing:
        raise RuntimeConfigError(f"no type given for feature(s) {missing}")
    numeric = [f for f in features if feature_types[f] in NUMERIC_TYPES]
    encoded = [f for f in features if feature_types[f] in ENCODED_TYPES]
    other = sorted({feature_types[f] for f in features} - NUMERIC_TYPES - ENCODED_TYPES)
    if other:
        raise RuntimeConfigError(f"the sklearn runtime cannot encode feature type(s) {other}")
    numeric_steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median"))]
    if scale:
        numeric_steps.append(("scale", StandardScaler()))
    transformers: list[tuple[str, Any, list[str]]] = []
    if numeric:
        transformers.append(("numeric", Pipeline(numeric_steps), numeric))
    if encoded:
        transformers.append(("onehot", OneHotEncoder(handle_unknown="ignore"), encoded))
    return ColumnTransformer(transformers, remainder="drop")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except TypeError:
        return repr(value)
