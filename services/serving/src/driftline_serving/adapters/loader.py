"""Loading a model version: fetch the artifact, check its SHA-256, load it with the runtime of
its flavor (which refuses untrusted types), check its inputs against the spec, and warm it up
with one prediction. Slow by nature: it runs on the lifecycle thread, never on a request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from driftline.artifacts import ArtifactStore
from driftline.runtimes import ModelRuntime, get_runtime
from driftline.spec import ProjectSpec

from driftline_serving.adapters.runtime_model import RuntimeModel
from driftline_serving.core.types import Model, ModelRef

__all__ = ["ArtifactModelLoader", "ModelLoadError"]

log = logging.getLogger(__name__)
NUMERIC = frozenset({"int", "float"})


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
    ) -> None:
        self.store, self.spec, self.runtimes, self.on_loaded = store, spec, runtimes, on_loaded

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
        seconds = time.perf_counter() - started
        log.info("model loaded", extra={"model": ref.name, "version": ref.version,
                                        "seconds": round(seconds, 3)})  # fmt: skip
        if self.on_loaded is not None:
            self.on_loaded(ref.name, seconds)
        return model
