"""The HTTP reference source against the registry's and feature service's contracts."""

from __future__ import annotations

import httpx
import pytest
from driftline_monitoring.adapters import (
    HttpReferenceSource,
    ReferenceUnavailableError,
    reference_from_stats,
)  # fmt: skip
from driftline_monitoring.domain import CategoricalProfile, NumericProfile
from driftline_monitoring.testing import LoanStream, feature_stats

STATS = feature_stats(list(LoanStream(1).rows(2000)))
KINDS = {"loans_model": {"income": "numeric", "region": "categorical"}}
VERSION = {"name": "loans_model", "version": 3, "lineage": {"version": 3, "training": {
    "dataset": "loans", "data_window": {"start": "2026-01-01T00:00:00Z", "end": "2026-01-15T00:00:00Z"}}}}  # fmt: skip
"""The registry's version detail: ModelTrained's lineage is under lineage.training."""


class FakePlatform:
    """The registry and the feature service behind one httpx transport; records the requests."""

    def __init__(self, *, registry_status: int = 200, stats: object = STATS) -> None:
        self.registry_status, self.stats = registry_status, stats
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "registry":
            return httpx.Response(self.registry_status, json=VERSION)
        return httpx.Response(200, json=self.stats)

    def source(self) -> HttpReferenceSource:
        client = httpx.Client(transport=httpx.MockTransport(self))
        return HttpReferenceSource("http://registry", "http://features", KINDS, client=client)  # type: ignore[arg-type]


def test_the_reference_is_the_feature_statistics_of_the_versions_training_window() -> None:
    platform = FakePlatform()
    reference = platform.source().load("loans_model", 3)
    assert reference is not None
    assert reference.origin == "feature_service"
    assert isinstance(reference.profiles["income"], NumericProfile)
    assert isinstance(reference.profiles["region"], CategoricalProfile)
    assert set(reference.profiles) == {"income", "region"}  # only the model's features
    registry, features = platform.requests
    assert registry.url.path == "/models/loans_model/versions/3"
    assert features.url.path == "/datasets/loans/stats"
    assert features.url.params["start"] == "2026-01-01T00:00:00Z"
    assert features.url.params["end"] == "2026-01-15T00:00:00Z"


def test_a_registry_that_does_not_know_the_version_makes_the_reference_unavailable() -> None:
    with pytest.raises(ReferenceUnavailableError, match="HTTP 404"):
        FakePlatform(registry_status=404).source().load("loans_model", 3)


def test_an_unreachable_platform_makes_the_reference_unavailable() -> None:
    source = HttpReferenceSource("http://127.0.0.1:1", "http://127.0.0.1:1", KINDS, timeout_s=0.5)  # type: ignore[arg-type]
    with pytest.raises(ReferenceUnavailableError, match="ConnectError"):
        source.load("loans_model", 3)


def test_statistics_that_cover_no_feature_are_refused() -> None:
    with pytest.raises(ReferenceUnavailableError, match="none of the model's features"):
        FakePlatform(stats={"features": {"other": {"count": 3}}}).source().load("loans_model", 3)


def test_malformed_statistics_name_the_feature() -> None:
    with pytest.raises(ReferenceUnavailableError, match="'income'"):
        reference_from_stats(
            {"features": {"income": {"count": 5, "histogram": "nope"}}}, {"income": "numeric"}
        )


def test_statistics_without_a_features_object_are_refused() -> None:
    with pytest.raises(ReferenceUnavailableError, match="no 'features' object"):
        reference_from_stats({"income": {"count": 5}}, {"income": "numeric"})
