"""Rows for each request: explicit rows pass through; entity keys are read in one lookup."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from driftline.spec import ProjectSpec

from driftline_serving.core.deployment import Deployment
from driftline_serving.core.errors import (
    BadInputError,
    FeaturesUnavailableError,
    ServingError,
    UnknownEntityError,
)
from driftline_serving.core.jobs import Job, Rows
from driftline_serving.core.ports import FeatureSource

__all__ = ["FeatureRows"]

log = logging.getLogger(__name__)


class FeatureRows:
    def __init__(self, spec: ProjectSpec, store: FeatureSource | None) -> None:
        self.spec = spec
        self.store = store

    def resolve(self, name: str, dep: Deployment, jobs: Sequence[Job]) -> list[Rows | ServingError]:
        out: list[Rows | ServingError] = [job.rows if job.rows is not None else [] for job in jobs]
        keyed = [i for i, job in enumerate(jobs) if job.entity_keys is not None]
        if not keyed:
            return out
        dataset = self.spec.model(name).dataset
        try:
            found = self._read(dataset, dep, [k for i in keyed for k in jobs[i].entity_keys or ()])
        except ServingError as exc:
            for i in keyed:
                out[i] = exc
            return out
        known = self.spec.dataset(dataset).features
        start = 0
        for i in keyed:
            job = jobs[i]
            keys = job.entity_keys or []
            stored, start = found[start : start + len(keys)], start + len(keys)
            missing = [k for k, row in zip(keys, stored, strict=True) if row is None]
            unknown = sorted(set(job.overrides or ()) - set(known))
            if missing:
                out[i] = UnknownEntityError(
                    f"no features for entity key(s) {missing} in dataset {dataset!r}"
                )
            elif unknown:
                out[i] = BadInputError(f"features {unknown} are not in dataset {dataset!r}")
            else:
                out[i] = [_fill(row or {}, job.overrides) for row in stored]
        return out

    def _read(
        self, dataset: str, dep: Deployment, keys: list[str]
    ) -> list[dict[str, object] | None]:
        if self.store is None:
            raise FeaturesUnavailableError("this instance has no online feature store configured")
        wanted = list(dep.champion.features if dep.champion else ())
        if dep.challenger is not None:
            wanted += [f for f in dep.challenger.model.features if f not in wanted]
        try:
            return self.store.get(dataset, keys, wanted)
        except Exception as exc:
            log.warning("online store read failed", exc_info=True)
            raise FeaturesUnavailableError(f"online feature store: {exc}") from exc


def _fill(row: dict[str, object], overrides: dict[str, object] | None) -> dict[str, object]:
    """The stored values, with `overrides` used where the store has none."""
    if overrides:
        row = dict(row)
        for name, value in overrides.items():
            if row.get(name) is None:
                row[name] = value
    return row
