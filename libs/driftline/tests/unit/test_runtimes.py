"""Model runtimes: lookup by flavor, the sklearn pipeline, and safe artifacts.

Two guards stand between stored bytes and a live model: the artifact store refuses
bytes whose SHA-256 differs from the registered one, and the runtime refuses an
artifact that would instantiate a type outside its trusted list.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from driftline.artifacts import ArtifactIntegrityError, ArtifactStore
from driftline.runtimes import (
    ModelRuntime,
    RuntimeConfigError,
    UnknownFlavorError,
    UntrustedArtifactError,
    available_flavors,
    get_runtime,
    register_runtime,
)
from driftline.runtimes import sklearn as sk
from driftline.spec import EstimatorSpec
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

TYPES = {"income": "float", "credit_score": "int", "region": "category", "has_mortgage": "bool",
         "channel": "string"}  # fmt: skip
FEATURES = list(TYPES)


def loans(rows: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A loan-shaped frame, a binary label that depends on it, and a numeric target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "income": rng.normal(60_000, 15_000, rows),
            "credit_score": rng.integers(300, 850, rows),
            "region": rng.choice(["north", "south", "east", "west"], rows).astype(object),
            "has_mortgage": rng.random(rows) > 0.5,
            "channel": rng.choice(["web", "branch"], rows).astype(object),
        }
    )
    logit = (650 - frame["credit_score"]) / 60 + (frame["region"] == "south") * 1.5
    label = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int).to_numpy()
    target = (frame["income"] / 1000 + frame["credit_score"] / 10).to_numpy()
    return frame, label, target


def trained(name: str = "gradient_boosting", **params: Any) -> tuple[ModelRuntime, Any]:
    runtime = get_runtime("sklearn")
    task = sk.ESTIMATORS[name].task
    model = runtime.build(EstimatorSpec(name=name, params=params), FEATURES, TYPES, task)
    frame, label, target = loans()
    runtime.fit(model, frame, label if task == "classification" else target)
    return runtime, model


# -- lookup -------------------------------------------------------------------------
def test_get_runtime_returns_one_sklearn_runtime_per_flavor() -> None:
    assert isinstance(get_runtime("sklearn"), sk.SklearnRuntime)
    assert get_runtime("sklearn") is get_runtime("sklearn")
    assert "sklearn" in available_flavors()


def test_unknown_flavor_is_refused_with_the_available_ones() -> None:
    with pytest.raises(UnknownFlavorError, match=r"no model runtime for flavor 'onnx'.*sklearn"):
        get_runtime("onnx")


def test_a_registered_runtime_is_found_by_its_flavor() -> None:
    class FakeRuntime(sk.SklearnRuntime):
        flavor = "fake"

    register_runtime("fake", FakeRuntime)
    assert isinstance(get_runtime("fake"), FakeRuntime)
    assert "fake" in available_flavors()


def test_entry_points_of_the_runtime_group_are_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeEntryPoint:
        name = "plugged"

        def load(self) -> type[ModelRuntime]:
            return sk.SklearnRuntime

    def fake_entry_points(group: str, name: str | None = None) -> list[FakeEntryPoint]:
        assert group == "driftline.runtimes"
        return [FakeEntryPoint()] if name in (None, "plugged") else []

    monkeypatch.setattr("driftline.runtimes.entry_points", fake_entry_points)
    assert isinstance(get_runtime("plugged"), sk.SklearnRuntime)


# -- building and training ------------------------------------------------------------
def test_pipeline_one_hot_encodes_categories_and_scales_numbers_for_linear_models() -> None:
    runtime = get_runtime("sklearn")
    model = runtime.build(
        EstimatorSpec(name="logistic_regression"), FEATURES, TYPES, "classification"
    )
    prep = model.named_steps["prep"]
    by_name = {name: columns for name, _, columns in prep.transformers}
    assert by_name == {"numeric": ["income", "credit_score"],
                       "onehot": ["region", "has_mortgage", "channel"]}  # fmt: skip
    assert "scale" in prep.transformers[0][1].named_steps


def test_tree_models_get_numbers_unscaled_and_a_fixed_random_state() -> None:
    runtime, model = trained("random_forest", n_estimators=5)
    assert "scale" not in model.named_steps["prep"].transformers_[0][1].named_steps
    assert runtime.params(model)["random_state"] == "0"
    assert runtime.params(model)["n_estimators"] == "5"


def test_classifier_predicts_labels_probabilities_and_a_positive_class_score() -> None:
    runtime, model = trained(n_estimators=20)
    frame, _, _ = loans(seed=1)
    assert runtime.classes(model) == [0, 1]
    assert runtime.predict_proba(model, frame).shape == (400, 2)
    score = runtime.score(model, frame)
    assert score.shape == (400,)
    assert np.allclose(score, runtime.predict_proba(model, frame)[:, 1])
    assert set(runtime.predict(model, frame)) <= {0, 1}
    assert runtime.task(model) == "classification"
    assert runtime.input_features(model) == FEATURES


def test_regressor_scores_with_its_predictions() -> None:
    runtime, model = trained("ridge")
    frame, _, target = loans(seed=1)
    assert runtime.task(model) == "regression"
    assert np.corrcoef(runtime.score(model, frame), target)[0, 1] > 0.99


def test_unseen_categories_and_missing_values_do_not_break_prediction() -> None:
    runtime, model = trained(n_estimators=10)
    frame, _, _ = loans(rows=3, seed=2)
    frame.loc[0, "region"] = "atlantis"
    frame.loc[1, "income"] = np.nan
    frame["has_mortgage"] = frame["has_mortgage"].astype(object)
    frame.loc[2, "has_mortgage"] = None
    assert runtime.predict_proba(model, frame).shape == (3, 2)


def test_unknown_estimator_is_refused_with_the_known_ones() -> None:
    with pytest.raises(
        RuntimeConfigError, match=r"unknown sklearn estimator 'xgb'.*gradient_boosting"
    ):
        get_runtime("sklearn").build(EstimatorSpec(name="xgb"), FEATURES, TYPES, "classification")


def test_unknown_parameter_is_refused_by_name() -> None:
    spec = EstimatorSpec(name="gradient_boosting", params={"n_trees": 5})
    with pytest.raises(RuntimeConfigError, match=r"no parameter\(s\) \['n_trees'\]"):
        get_runtime("sklearn").build(spec, FEATURES, TYPES, "classification")


def test_estimator_of_the_wrong_task_is_refused() -> None:
    with pytest.raises(RuntimeConfigError, match="is a regression estimator"):
        get_runtime("sklearn").build(EstimatorSpec(name="ridge"), FEATURES, TYPES, "classification")


def test_invalid_parameter_value_fails_with_a_config_error() -> None:
    runtime = get_runtime("sklearn")
    spec = EstimatorSpec(name="gradient_boosting", params={"n_estimators": -3})
    model = runtime.build(spec, FEATURES, TYPES, "classification")
    frame, label, _ = loans()
    with pytest.raises(RuntimeConfigError, match="n_estimators"):
        runtime.fit(model, frame, label)


# -- artifacts ----------------------------------------------------------------------
def test_saved_model_is_a_skops_zip_that_loads_to_the_same_predictions() -> None:
    runtime, model = trained(n_estimators=20)
    data = runtime.save(model)
    assert data[:2] == b"PK"  # a zip (skops), not a pickle stream
    frame, _, _ = loans(seed=3)
    loaded = runtime.load(data)
    assert np.array_equal(runtime.predict_proba(loaded, frame), runtime.predict_proba(model, frame))


@pytest.mark.parametrize("name", sorted(sk.ESTIMATORS))
def test_every_estimator_round_trips_with_only_trusted_types(name: str) -> None:
    params = {"n_estimators": 3} if "forest" in name or name.startswith("gradient") else {}
    params = {"max_iter": 5} if name.startswith("hist") else params
    runtime, model = trained(name, **params)
    data = runtime.save(model)
    allowed = {*sk.PREPROCESSING_TRUSTED, *sk.ESTIMATORS[name].trusted}
    assert set(sio.get_untrusted_types(data=data)) <= allowed
    runtime.load(data)


def test_artifact_smuggling_an_untrusted_callable_is_refused() -> None:
    evil = Pipeline([("run", FunctionTransformer(func=os.system))])
    data = sio.dumps(evil)
    with pytest.raises(UntrustedArtifactError, match=r"untrusted type\(s\) \['posix.system'\]"):
        get_runtime("sklearn").load(data)


@pytest.mark.parametrize("data", [b"not a model", pickle.dumps({"weights": [1, 2]})])
def test_bytes_that_are_not_a_skops_file_are_refused(data: bytes) -> None:
    with pytest.raises(UntrustedArtifactError, match="not a skops artifact"):
        get_runtime("sklearn").load(data)


def test_artifact_holding_something_other_than_a_pipeline_is_refused() -> None:
    with pytest.raises(UntrustedArtifactError, match="not a scikit-learn Pipeline"):
        get_runtime("sklearn").load(sio.dumps({"a": 1}))


def test_tampered_artifact_is_refused_by_the_store_before_any_load(tmp_path: Path) -> None:
    runtime, model = trained(n_estimators=5)
    store = ArtifactStore.from_url(str(tmp_path / "artifacts"))
    stored = store.put(runtime.save(model), name=runtime.artifact_name)
    path = Path(stored.uri.removeprefix("file://"))
    tampered = sio.dumps(Pipeline([("run", FunctionTransformer(func=os.system))]))
    path.write_bytes(tampered)
    with pytest.raises(ArtifactIntegrityError, match="refusing to hand out bytes"):
        store.get(stored.uri, stored.sha256)
    # and even with the attacker's own hash, the runtime still refuses the content
    forged = store.get(stored.uri, hashlib.sha256(tampered).hexdigest())
    with pytest.raises(UntrustedArtifactError):
        runtime.load(forged)
