"""References from the platform: the registry names the champion's training data, the
feature service summarises it.

``GET {registry_url}/models/{name}/versions/{version}`` gives
``lineage.training.dataset`` and ``lineage.training.data_window.start/end``; then
``GET {features_url}/datasets/{dataset}/stats?start=&end=`` gives, per feature,
``{count, null_count, mean, std, min, max, deciles, histogram: {edges, counts}}``
(numeric) or ``{count, null_count, frequencies}`` (categorical).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from driftline_monitoring.adapters.ports import ReferenceUnavailableError
from driftline_monitoring.domain import (
    CategoricalProfile,
    FeatureKind,
    NumericProfile,
    Profile,
    Reference,
)  # fmt: skip

__all__ = ["HttpReferenceSource", "reference_from_stats"]


def reference_from_stats(stats: Mapping[str, Any], kinds: Mapping[str, FeatureKind]) -> Reference:
    """Translate the feature service's statistics into a reference (model features only).

    `stats` is the body of ``GET /datasets/{d}/stats``: per-feature entries under
    ``features``, numeric deciles as ``{"p10": ..., "p90": ...}``.
    """
    profiles: dict[str, Profile] = {}
    per_feature = stats.get("features")
    if not isinstance(per_feature, Mapping):
        raise ReferenceUnavailableError("the statistics have no 'features' object")
    for name, kind in kinds.items():
        entry = per_feature.get(name)
        if not isinstance(entry, Mapping) or not entry.get("count"):
            continue
        try:
            if kind == "categorical":
                freq = entry["frequencies"]
                profiles[name] = CategoricalProfile({str(k): float(v) for k, v in freq.items()})
            else:
                histogram = entry.get("histogram") or {}
                profiles[name] = NumericProfile.from_summary(
                    edges=[float(e) for e in histogram.get("edges", ())],
                    counts=[float(c) for c in histogram.get("counts", ())],
                    deciles=_deciles(entry.get("deciles")),
                    low=None if entry.get("min") is None else float(entry["min"]),
                    high=None if entry.get("max") is None else float(entry["max"]),
                )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReferenceUnavailableError(
                f"feature {name!r}: unusable statistics: {exc}"
            ) from exc
    if not profiles:
        raise ReferenceUnavailableError("the statistics cover none of the model's features")
    return Reference(profiles, "feature_service")


def _deciles(raw: Any) -> list[float]:
    """``{"p10": v, ..., "p90": v}`` in quantile order (a plain list is accepted too)."""
    if isinstance(raw, Mapping):
        return [
            float(v) for _, v in sorted(raw.items(), key=lambda kv: int(str(kv[0]).lstrip("p")))
        ]
    return [float(d) for d in raw or ()]


class HttpReferenceSource:
    """`ReferenceSource` over the registry's and the feature service's HTTP APIs."""

    def __init__(self, registry_url: str, features_url: str,
                 kinds: Mapping[str, Mapping[str, FeatureKind]], *, timeout_s: float = 3.0,
                 client: httpx.Client | None = None) -> None:  # fmt: skip
        self.registry_url = registry_url.rstrip("/")
        self.features_url = features_url.rstrip("/")
        self.kinds = kinds
        self.client = client or httpx.Client(timeout=timeout_s)

    def _get(self, url: str, **params: str) -> Any:
        try:
            response = self.client.get(url, params=params or None)
            response.raise_for_status()
            return response.json()
        except httpx.HTTPStatusError as exc:
            raise ReferenceUnavailableError(f"GET {url}: HTTP {exc.response.status_code}") from exc
        except (httpx.HTTPError, ValueError) as exc:
            raise ReferenceUnavailableError(f"GET {url}: {type(exc).__name__}: {exc}") from exc

    def load(self, model: str, version: int) -> Reference | None:
        found = self._get(f"{self.registry_url}/models/{model}/versions/{version}")
        try:
            lineage = found["lineage"]
            training = lineage["training"]  # the registry nests ModelTrained's lineage here
            dataset, window = str(training["dataset"]), training["data_window"]
            start, end = str(window["start"]), str(window["end"])
        except (KeyError, TypeError) as exc:
            raise ReferenceUnavailableError(
                f"registry: {model} v{version} has no lineage.training.dataset/data_window ({exc!r})"
            ) from exc
        stats = self._get(f"{self.features_url}/datasets/{dataset}/stats", start=start, end=end)
        if not isinstance(stats, Mapping):
            raise ReferenceUnavailableError(
                f"feature service: stats of {dataset} are not an object"
            )
        return reference_from_stats(stats, self.kinds.get(model, {}))
