"""Real scikit-learn artifacts: checked, loaded by the runtime plug-in, warmed up, served."""

from __future__ import annotations

import pytest
from driftline.artifacts import ArtifactIntegrityError, ArtifactStore, StoredArtifact
from driftline.runtimes import UntrustedArtifactError, get_runtime
from driftline.spec import EstimatorSpec, ProjectSpec
from driftline_serving.adapters import ArtifactModelLoader, ModelLoadError, RuntimeModel
from driftline_serving.core import ModelRef

MODEL = "loan_default"
ROW = {"income": 52_000.0, "credit_score": 610, "region": "south", "has_mortgage": True}


def ref(art: StoredArtifact, version: int = 1, sha: str | None = None) -> ModelRef:
    return ModelRef(MODEL, version, art.uri, sha or art.sha256, "sklearn")


def test_a_loaded_model_predicts_what_scikit_learn_predicts(
    store: ArtifactStore, stored: dict[int, StoredArtifact], spec: ProjectSpec
) -> None:
    model = ArtifactModelLoader(store, spec).load(ref(stored[1]))
    assert isinstance(model, RuntimeModel)
    assert model.features == ("income", "credit_score", "region", "has_mortgage")
    assert (model.task, model.classes) == ("classification", (0, 1))
    rows = [ROW, {**ROW, "credit_score": 820, "income": 140_000.0, "has_mortgage": False}]
    out = model.predict(rows)
    expected = model.estimator.predict(model.frame(rows)).tolist()
    assert out.predictions == expected
    assert out.proba is not None
    assert all(abs(sum(p) - 1) < 1e-9 for p in out.proba)
    assert out.scores == [p[1] for p in out.proba]


def test_missing_values_are_imputed_not_refused(
    store: ArtifactStore, stored: dict[int, StoredArtifact], spec: ProjectSpec
) -> None:
    model = ArtifactModelLoader(store, spec).load(ref(stored[3]))
    out = model.predict(
        [{"income": None, "credit_score": None, "region": None, "has_mortgage": None}]
    )
    assert out.predictions[0] in (0, 1)


def test_a_value_a_numeric_feature_cannot_hold_is_a_value_error(
    store: ArtifactStore, stored: dict[int, StoredArtifact], spec: ProjectSpec
) -> None:
    model = ArtifactModelLoader(store, spec).load(ref(stored[1]))
    with pytest.raises(ValueError, match="could not convert"):
        model.predict([{**ROW, "income": "plenty"}])


def test_an_artifact_whose_hash_differs_is_never_loaded(
    store: ArtifactStore, stored: dict[int, StoredArtifact], spec: ProjectSpec
) -> None:
    with pytest.raises(ArtifactIntegrityError):
        ArtifactModelLoader(store, spec).load(ref(stored[1], sha="0" * 64))


def test_bytes_that_are_not_a_trusted_artifact_are_refused(
    store: ArtifactStore, spec: ProjectSpec
) -> None:
    art = store.put(b"\x80\x04 a pickle, perhaps", name="model.skops")
    with pytest.raises(UntrustedArtifactError):
        ArtifactModelLoader(store, spec).load(ref(art))


def test_a_model_reading_features_the_dataset_lacks_is_refused(
    store: ArtifactStore, spec: ProjectSpec
) -> None:
    import pandas as pd

    runtime = get_runtime("sklearn")
    model = runtime.build(EstimatorSpec(name="logistic_regression"), ["income", "shoe_size"],
                          {"income": "float", "shoe_size": "float"}, "classification")  # fmt: skip
    frame = pd.DataFrame({"income": [1.0, 2.0, 3.0, 4.0], "shoe_size": [40.0, 41.0, 42.0, 43.0]})
    art = store.put(runtime.save(runtime.fit(model, frame, [0, 1, 0, 1])), name="model.skops")
    with pytest.raises(ModelLoadError, match=r"reads features \['shoe_size'\]"):
        ArtifactModelLoader(store, spec).load(ref(art))


def test_load_times_are_reported(
    store: ArtifactStore, stored: dict[int, StoredArtifact], spec: ProjectSpec
) -> None:
    seen: list[tuple[str, float]] = []
    ArtifactModelLoader(store, spec, on_loaded=lambda m, s: seen.append((m, s))).load(
        ref(stored[2], 2)
    )
    assert [m for m, _ in seen] == [MODEL]
    assert seen[0][1] > 0


@pytest.mark.parametrize("version", [1, 3])
def test_the_fast_path_is_used_and_answers_exactly_what_the_pipeline_answers(
    store: ArtifactStore, stored: dict[int, StoredArtifact], spec: ProjectSpec, version: int
) -> None:
    import numpy as np
    from driftline_serving.adapters.sklearn_fast import probe_rows

    model = ArtifactModelLoader(store, spec).load(ref(stored[version], version))
    assert isinstance(model, RuntimeModel)
    assert model.fast is not None
    rows = probe_rows(spec.dataset("loans"), model.features, count=200)
    fast, slow = model.predict(rows), model.without_fast_path().predict(rows)
    assert fast.predictions == slow.predictions
    assert np.allclose(fast.proba or [], slow.proba or [], rtol=1e-9, atol=1e-12)


def test_a_fast_path_that_differs_from_the_pipeline_is_not_used(
    store: ArtifactStore, stored: dict[int, StoredArtifact], spec: ProjectSpec
) -> None:
    import numpy as np
    from driftline_serving.adapters.sklearn_fast import compile_matrix

    def skewed(estimator: object) -> object:
        compiled = compile_matrix(estimator)
        assert compiled is not None
        matrix, final = compiled
        return (lambda rows: matrix(rows) + np.float64(0.5)), final

    loader = ArtifactModelLoader(store, spec, accelerators={"sklearn": skewed})  # type: ignore[dict-item]
    model = loader.load(ref(stored[1]))
    assert isinstance(model, RuntimeModel)
    assert model.fast is None
