"""The HTTP API over fakes: request validation and error mapping (no Feast, no broker)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from driftline.bus import FakePublisher
from driftline.featurestore import OnlineRow
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec
from driftline_features.adapters.ports import WriteOutcome
from driftline_features.bootstrap import bootstrap
from driftline_features.config import Settings
from driftline_features.entrypoints.api import create_api
from fastapi.testclient import TestClient


class FakeReader:
    def __init__(self, known: dict[str, dict[str, object]]) -> None:
        self.known = known
        self.asked: list[tuple[str, list[str], list[str] | None]] = []

    def get(self, dataset: str, entity_keys: Sequence[str],
            features: Sequence[str] | None = None) -> list[OnlineRow]:  # fmt: skip
        self.asked.append((dataset, list(entity_keys), list(features) if features else None))
        return [
            {f: self.known[k].get(f) for f in features or ()} if k in self.known else None
            for k in entity_keys
        ]


class FakeOnlineWriter:
    kind = "fake"

    def write(self, dataset: str, table: object) -> WriteOutcome:
        raise AssertionError("the API never writes")


@pytest.fixture
def reader() -> FakeReader:
    return FakeReader({"a": {"income": 1.0, "credit_score": 700, "region": "north"}})


def client_for(settings: Settings, spec: ProjectSpec, reader: FakeReader) -> TestClient:
    settings = settings.model_copy(update={"apply_on_start": False, "max_online_keys": 3})
    service = bootstrap(settings, spec=spec, online=FakeOnlineWriter(), reader=reader,
                        publisher=FakePublisher())  # fmt: skip
    return TestClient(create_api(service))


@pytest.fixture
def client(settings: Settings, spec: ProjectSpec, reader: FakeReader) -> TestClient:
    return client_for(settings, spec, reader)


def test_online_features_of_a_model_are_its_inputs_with_null_for_unknown_keys(
    client: TestClient, reader: FakeReader
) -> None:
    response = client.post(
        "/online-features", json={"model": "loan_default", "entity_keys": ["a", "zz"]}
    )
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"entity_key": "a", "features": {"income": 1.0, "credit_score": 700, "region": "north"}},
        {"entity_key": "zz", "features": None},
    ]
    assert reader.asked == [("loans", ["a", "zz"], ["income", "credit_score", "region"])]


def test_one_entity_is_404_when_the_store_does_not_know_it(client: TestClient) -> None:
    assert client.get("/online-features/loans/a").json()["features"]["income"] == 1.0
    missing = client.get("/online-features/loans/zz")
    assert missing.status_code == 404
    assert "zz" in missing.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"dataset": "nope", "entity_keys": ["a"]}, 404, "unknown dataset 'nope'"),
        ({"model": "nope", "entity_keys": ["a"]}, 404, "unknown model 'nope'"),
        ({"dataset": "loans", "model": "loan_default", "entity_keys": ["a"]}, 422, "exactly one"),
        ({"dataset": "loans", "entity_keys": []}, 422, "at least 1"),
        ({"dataset": "loans", "entity_keys": ["a", "b", "c", "d"]}, 413, "at most 3"),
    ],
)
def test_refuses_bad_online_requests_with_a_reason(
    client: TestClient, body: dict[str, object], status: int, reason: str
) -> None:
    response = client.post("/online-features", json=body)
    assert response.status_code == status
    assert reason in str(response.json()["detail"])


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ("2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z", "is not after start"),
        ("2026-11-01T00:00:00", "2026-11-02T00:00:00", "need a timezone"),
        ("2020-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "wider than"),
    ],
)
def test_refuses_bad_windows_with_a_reason(
    client: TestClient, start: str, end: str, reason: str
) -> None:
    response = client.post(
        "/training-sets", json={"model": "loan_default", "start": start, "end": end}
    )
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    stats = client.get("/datasets/loans/stats", params={"start": start, "end": end})
    assert stats.status_code == 422


def test_data_routes_need_a_viewer_token_when_tokens_are_set(
    tmp_path: object, spec: ProjectSpec, reader: FakeReader, settings: Settings
) -> None:
    common = DriftlineSettings(api_tokens="s3cret-token:viewer", state_dir=settings.common.state_dir,
                               offline_store_url=settings.common.offline_store_url)  # fmt: skip
    client = client_for(settings.model_copy(update={"common": common}), spec, reader)
    assert client.get("/online-features/loans/a").status_code == 401
    authorised = client.get(
        "/online-features/loans/a", headers={"Authorization": "Bearer s3cret-token"}
    )
    assert authorised.status_code == 200
    assert client.get("/healthz").status_code == 200


def test_lists_the_feature_views_derived_from_the_spec(client: TestClient) -> None:
    [view] = client.get("/feature-views").json()
    assert view["name"] == "loans"
    assert view["features"]["credit_score"] == "int"
    assert len(view["version"]) == 16
