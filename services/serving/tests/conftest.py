"""Builders and fixtures shared by serving's unit and integration tests.

Test modules cannot import each other under importlib mode, so shared helpers are
fixtures: `spec` (a small loans spec), `artifacts` (real scikit-learn models trained on
synthetic rows, saved with skops into a real content-addressed store), `make_service`
(bootstrap with fakes for the ports that would need a broker or a registry).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from driftline.artifacts import ArtifactStore, StoredArtifact
from driftline.runtimes import get_runtime
from driftline.settings import DriftlineSettings
from driftline.spec import EstimatorSpec, ProjectSpec, parse_spec
from driftline_serving.adapters import FakeChampionSource, FakeFeatureSource, FakeSink
from driftline_serving.bootstrap import ServingService, bootstrap
from driftline_serving.config import ServingSettings

MODEL = "loan_default"
SPEC: dict[str, Any] = {
    "project": "serving_test",
    "datasets": {"loans": {
        "entity_key": "application_id",
        "features": {
            "income": {"type": "float", "min": 0},
            "credit_score": {"type": "int", "min": 300, "max": 850},
            "region": {"type": "category", "categories": ["north", "south", "east", "west"]},
            "has_mortgage": {"type": "bool"},
        },
        "label": {"name": "defaulted", "type": "int"},
    }},
    "models": {MODEL: {"dataset": "loans", "estimator": {"name": "logistic_regression"}}},
}  # fmt: skip
FEATURES = ("income", "credit_score", "region", "has_mortgage")


def synthetic(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Loan rows whose label depends on every feature (so both classes occur)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "income": rng.uniform(10_000, 150_000, rows),
        "credit_score": rng.integers(300, 851, rows),
        "region": rng.choice(["north", "south", "east", "west"], rows).astype(object),
        "has_mortgage": rng.random(rows) < 0.4,
    })  # fmt: skip
    risk = (650 - frame["credit_score"]) / 100 - (frame["income"] - 80_000) / 40_000
    risk += np.where(frame["region"] == "south", 0.5, 0) + np.where(frame["has_mortgage"], -0.3, 0)
    labels = (risk + rng.normal(0, 0.5, rows) > 0).astype("int64").to_numpy()
    return frame, labels


def train(estimator: str = "logistic_regression", seed: int = 0, **params: Any) -> bytes:
    """A real scikit-learn Pipeline for the spec's features, as skops bytes."""
    runtime = get_runtime("sklearn")
    spec = parse_spec(SPEC)
    types = {f: s.type for f, s in spec.dataset("loans").features.items()}
    model = runtime.build(EstimatorSpec(name=estimator, params=params), FEATURES, types,
                          "classification")  # fmt: skip
    frame, labels = synthetic(400, seed)
    return runtime.save(runtime.fit(model, frame, labels))


@pytest.fixture(scope="session")
def spec_data() -> dict[str, Any]:
    """The test spec as a mapping (integration tests write it to a file, renamed)."""
    return SPEC


@pytest.fixture(scope="session")
def train_model() -> Callable[..., bytes]:
    """`train(estimator="logistic_regression", seed=0, **params)` -> skops bytes."""
    return train


@pytest.fixture(scope="session")
def spec() -> ProjectSpec:
    return parse_spec(SPEC)


@pytest.fixture(scope="session")
def trained() -> dict[int, bytes]:
    """Artifacts of versions 1, 2 and 3 (different seeds, so different models)."""
    return {1: train(seed=1), 2: train(seed=2, C=0.05), 3: train("random_forest", seed=3,
                                                                n_estimators=10)}  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return ArtifactStore.from_url(str(tmp_path / "artifacts"))


@pytest.fixture
def stored(store: ArtifactStore, trained: dict[int, bytes]) -> dict[int, StoredArtifact]:
    return {v: store.put(data, name="model.skops") for v, data in trained.items()}


@pytest.fixture
def settings(tmp_path: Path) -> ServingSettings:
    common = DriftlineSettings(state_dir=tmp_path / "state", artifact_store_url=str(tmp_path /
                               "artifacts"), log_json=False)  # fmt: skip
    return ServingSettings(common=common, consume=False, predict_threads=0)


@pytest.fixture
def make_service(settings: ServingSettings, spec: ProjectSpec) -> Callable[..., ServingService]:
    """bootstrap() with fakes for the registry, the online store and the log (overridable)."""

    def make(**overrides: Any) -> ServingService:
        chosen = overrides.pop("settings", settings)
        options: dict[str, Any] = {"spec": spec, "champions": FakeChampionSource(),
                                   "features": FakeFeatureSource(), "sink": FakeSink()}  # fmt: skip
        options.update(overrides)
        return bootstrap(chosen, **options)

    return make
