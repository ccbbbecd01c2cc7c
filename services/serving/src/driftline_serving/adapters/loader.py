"""Loading a model version: fetch the artifact, check its SHA-256, load it with the runtime of
its flavor (which refuses untrusted types), check its inputs against the spec, warm it up
with one prediction, and add the flavor's fast path when it gives exactly the same outputs.
Slow by nature: it runs on the lifecycle thread, never on a request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from driftline.artifacts import ArtifactStore
from driftline.runtimes import ModelRuntime, get_runtime
from driftline.spec import DatasetSpec, ProjectSpec

from driftline_serving.adapters.runtime_model import RuntimeModel
from driftline_serving.adapters.sklearn_fast import Matrix, compile_matrix, probe_rows
from driftline_serving.core.types import Model, ModelRef, Outputs

__all__ = ["ArtifactModelLoader", "ModelLoadError"]

log = logging.getLogger(__name__)
NUMERIC = frozenset({"int", "float"})
Accelerator = Callable[[Any], tuple[Matrix, Any] | None]
ACCELERATORS: dict[str, Accelerator] = {"sklearn": compile_matrix}
"""Per flavor: a fast path built from the loaded estimator, used only once verified."""


class ModelLoadError(RuntimeError):
    """The artifact loaded but cannot serve this model (inputs unknown to the spec, warm-up failed)."""


class ArtifactModelLoader:
    def __init__(
        self,
        store: ArtifactStore,
        spec: ProjectSpec,
        *,
        runtimes: Callable[[str], ModelRuntime] = get_runtime,
        on_loaded: Callable[[str, float], None] | None = None,
        accelerators: Mapping[str, Accelerator] | None = None,
    ) -> None:
        self.store, self.spec, self.runtimes, self.on_loaded = store, spec, runtimes, on_loaded
        self.accelerators = dict(ACCELERATORS if accelerators is None else accelerators)

    def load(self, ref: ModelRef) -> Model:
        started = time.perf_counter()
        runtime = self.runtimes(ref.flavor)
        estimator = runtime.load(self.store.get(ref.artifact_uri, ref.sha256))
        dataset = self.spec.dataset(self.spec.model(ref.name).dataset)
        features = tuple(runtime.input_features(estimator))
        unknown = sorted(set(features) - set(dataset.features))
        if unknown:
            raise ModelLoadError(
                f"{ref.name} v{ref.version} reads features {unknown} that dataset "
                f"{self.spec.model(ref.name).dataset!r} does not declare; refusing to serve it"
            )
        task = runtime.task(estimator)
        model = RuntimeModel(
            name=ref.name, version=ref.version, sha256=ref.sha256, flavor=ref.flavor,
            features=features, task=task,
            classes=tuple(runtime.classes(estimator)) if task == "classification" else (),
            numeric=frozenset(f for f in features if dataset.features[f].type in NUMERIC),
            runtime=runtime, estimator=estimator,
        )  # fmt: skip
        try:
            model.predict([{}])  # warm-up: one row of missing values through the whole model
        except Exception as exc:
            raise ModelLoadError(f"{ref.name} v{ref.version} failed its warm-up: {exc}") from exc
        model = self._accelerate(model, dataset)
        seconds = time.perf_counter() - started
        log.info("model loaded", extra={"model": ref.name, "version": ref.version,
                                        "seconds": round(seconds, 3)})  # fmt: skip
        if self.on_loaded is not None:
            self.on_loaded(ref.name, seconds)
        return model

    def _accelerate(self, model: RuntimeModel, dataset: DatasetSpec) -> RuntimeModel:
        """The model with its flavor's fast path, if it gives exactly the model's own outputs."""
        build = self.accelerators.get(model.flavor)
        compiled = build(model.estimator) if build is not None else None
        if compiled is None:
            return model
        fast = replace(model, fast=compiled)
        probes = probe_rows(dataset, model.features)
        try:
            same = _same(fast.predict(probes), model.predict(probes))
        except Exception:
            log.warning("fast path failed on probe rows", exc_info=True)
            same = False
        if not same:
            log.warning("fast path differs from the model; serving without it",
                        extra={"model": model.name, "version": model.version})  # fmt: skip
            return model
        return fast


def _same(a: Outputs, b: Outputs) -> bool:
    """The same predictions, and probabilities (or values) equal to floating-point noise."""
    if a.predictions != b.predictions or (a.proba is None) != (b.proba is None):
        return False
    if a.proba is not None:
        return bool(np.allclose(a.proba, b.proba or [], rtol=1e-9, atol=1e-12))
    return bool(np.allclose(np.asarray(a.scores, dtype=float), np.asarray(b.scores, dtype=float),
                            rtol=1e-9, atol=1e-12))  # fmt: skip
