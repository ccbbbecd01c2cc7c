"""The REST API over the real app (TestClient): OIP v2 routes, friendly predict, auth, errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from driftline.artifacts import ArtifactStore, StoredArtifact
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec
from driftline_serving.adapters import ArtifactModelLoader, FakeFeatureSource, FakeSink
from driftline_serving.bootstrap import ServingService
from driftline_serving.config import ServingSettings
from driftline_serving.core import ModelRef
from driftline_serving.entrypoints.rest import create_api
from fastapi.testclient import TestClient

MODEL = "loan_default"
ROW = {"income": 52_000.0, "credit_score": 610, "region": "south", "has_mortgage": True}


@pytest.fixture
def world(make_service: Callable[..., ServingService], store: ArtifactStore, spec: ProjectSpec,
          stored: dict[int, StoredArtifact]) -> SimpleWorld:  # fmt: skip
    features = FakeFeatureSource({"a1": dict(ROW), "a2": {**ROW, "credit_score": 800}})
    sink = FakeSink()
    loader = ArtifactModelLoader(store, spec)
    service = make_service(loader=loader, features=features, sink=sink)
    return SimpleWorld(service, loader, stored, sink)


class SimpleWorld:
    def __init__(self, service: ServingService, loader: ArtifactModelLoader,
                 stored: dict[int, StoredArtifact], sink: FakeSink) -> None:  # fmt: skip
        self.service, self.loader, self.stored, self.sink = service, loader, stored, sink

    def promote(self, version: int, rollout: str = "full", fraction: float = 0.0) -> None:
        art = self.stored[version]
        model = self.loader.load(ModelRef(MODEL, version, art.uri, art.sha256, "sklearn"))
        self.service.slots.apply(MODEL, lambda d: d.promoted(model, rollout, fraction))


@pytest.fixture
def client(world: SimpleWorld) -> Iterator[TestClient]:
    with TestClient(create_api(world.service)) as c:
        yield c


def columns(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    types = {"income": "FP64", "credit_score": "INT64", "region": "BYTES", "has_mortgage": "BOOL"}
    return [{"name": f, "datatype": t, "shape": [len(rows)], "data": [r[f] for r in rows]}
            for f, t in types.items()]  # fmt: skip


def test_oip_health_is_open_and_live(client: TestClient) -> None:
    assert client.get("/v2/health/live").json() == {"live": True}


def test_server_metadata_names_the_server_and_its_extensions(client: TestClient) -> None:
    body = client.get("/v2").json()
    assert body["name"] == "driftline-serving"
    assert body["extensions"] == ["binary_tensor_data"]


def test_a_model_without_a_champion_is_not_ready_and_infer_says_why(client: TestClient) -> None:
    ready = client.get(f"/v2/models/{MODEL}/ready")
    assert (ready.status_code, ready.json()) == (503, {"name": MODEL, "ready": False})
    infer = client.post(f"/v2/models/{MODEL}/infer", json={"inputs": columns([ROW])})
    assert infer.status_code == 503
    assert "no champion" in infer.json()["error"]
    predict = client.post(f"/v1/models/{MODEL}/predict", json={"entity_key": "a1"})
    assert predict.status_code == 503
    assert "no champion" in predict.json()["detail"]


def test_model_metadata_lists_features_with_oip_datatypes(
    client: TestClient, world: SimpleWorld
) -> None:
    world.promote(1)
    body = client.get(f"/v2/models/{MODEL}").json()
    assert body["versions"] == ["1"]
    assert body["inputs"] == [
        {"name": "income", "datatype": "FP64", "shape": [-1]},
        {"name": "credit_score", "datatype": "INT64", "shape": [-1]},
        {"name": "region", "datatype": "BYTES", "shape": [-1]},
        {"name": "has_mortgage", "datatype": "BOOL", "shape": [-1]},
    ]
    assert body["outputs"] == [{"name": "predict", "datatype": "INT64", "shape": [-1]},
                               {"name": "proba", "datatype": "FP64", "shape": [-1, 2]}]  # fmt: skip
    assert client.get(f"/v2/models/{MODEL}/versions/1/ready").json()["ready"] is True
    assert client.get(f"/v2/models/{MODEL}/versions/2/ready").status_code == 503


def test_infer_answers_predict_and_proba_with_the_version_and_echoes_the_id(
    client: TestClient, world: SimpleWorld
) -> None:
    world.promote(1)
    response = client.post(f"/v2/models/{MODEL}/infer",
                           json={"id": "req-42", "inputs": columns([ROW, {**ROW, "credit_score": 800}])})  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert (body["model_name"], body["model_version"], body["id"]) == (MODEL, "1", "req-42")
    predict, proba = body["outputs"]
    assert (predict["name"], predict["shape"], proba["shape"]) == ("predict", [2], [2, 2])
    assert response.headers["x-request-id"] == "req-42"
    assert [r.request_id for r in world.sink.records] == ["req-42:0", "req-42:1"]
    assert world.sink.records[0].entity_key is None


def test_a_pinned_version_answers_and_an_unloaded_one_is_404(
    client: TestClient, world: SimpleWorld
) -> None:
    world.promote(1)
    world.promote(2, "canary", 0.1)
    ok = client.post(f"/v2/models/{MODEL}/versions/2/infer", json={"inputs": columns([ROW])})
    assert ok.json()["model_version"] == "2"
    assert ok.json()["parameters"] == {"role": "canary"}
    gone = client.post(f"/v2/models/{MODEL}/versions/7/infer", json={"inputs": columns([ROW])})
    assert gone.status_code == 404
    assert "version 7" in gone.json()["error"]


def test_unknown_models_are_404_and_bad_inputs_422(client: TestClient, world: SimpleWorld) -> None:
    world.promote(1)
    assert client.post("/v2/models/nope/infer", json={"inputs": columns([ROW])}).status_code == 404
    assert client.get("/v2/models/nope").status_code == 404
    bad = client.post(
        f"/v2/models/{MODEL}/infer", json={"inputs": columns([{**ROW, "income": "x"}])}
    )
    assert bad.status_code == 422
    assert "cannot read the input" in bad.json()["error"]


def test_friendly_predict_reads_the_entity_and_answers_with_version_and_request_id(
    client: TestClient, world: SimpleWorld
) -> None:
    world.promote(1)
    response = client.post(f"/v1/models/{MODEL}/predict", json={"entity_key": "a1"},
                           headers={"X-Request-ID": "label-join-7"})  # fmt: skip
    body = response.json()
    assert body["request_id"] == "label-join-7"
    assert body["model_version"] == 1
    assert body["role"] == "champion"
    assert body["prediction"] in (0, 1)
    assert 0 <= body["score"] <= 1
    [record] = world.sink.records
    assert record.entity_key == "a1"
    assert record.features == ROW


def test_friendly_predict_takes_many_keys(client: TestClient, world: SimpleWorld) -> None:
    world.promote(1)
    body = client.post(f"/v1/models/{MODEL}/predict", json={"entity_keys": ["a1", "a2"]}).json()
    assert [b["entity_key"] for b in body] == ["a1", "a2"]
    assert len({b["request_id"] for b in body}) == 2


def test_an_unknown_entity_is_404_naming_the_key(client: TestClient, world: SimpleWorld) -> None:
    world.promote(1)
    response = client.post(f"/v1/models/{MODEL}/predict", json={"entity_key": "ghost"})
    assert response.status_code == 404
    assert "ghost" in response.json()["detail"]


@pytest.mark.parametrize("payload", [{}, {"entity_key": ""}, {"entity_keys": []},
                                     {"entity_key": "a1", "entity_keys": ["a2"]}, {"key": "a1"}])  # fmt: skip
def test_malformed_predict_bodies_are_422(
    client: TestClient, world: SimpleWorld, payload: dict[str, Any]
) -> None:
    world.promote(1)
    assert client.post(f"/v1/models/{MODEL}/predict", json=payload).status_code == 422


def test_deployments_show_versions_by_role(client: TestClient, world: SimpleWorld) -> None:
    world.promote(1)
    world.promote(3, "canary", 0.25)
    body = client.get("/v1/models").json()[MODEL]
    assert body["versions"] == {"champion": 1, "canary": 3}
    assert body["canary_fraction"] == 0.25


def test_metrics_carry_the_serving_histograms_per_version(
    client: TestClient, world: SimpleWorld
) -> None:
    world.promote(1)
    client.post(f"/v1/models/{MODEL}/predict", json={"entity_key": "a1"})
    text = client.get("/metrics").text
    for name in ("driftline_serving_request_seconds_bucket", "driftline_serving_predictions_total",
                 "driftline_model_version_live", "driftline_serving_batch_size"):  # fmt: skip
        assert name in text
    assert f'driftline_model_version_live{{model="{MODEL}",role="champion"}} 1.0' in text


def test_with_tokens_predict_needs_a_viewer_token_and_health_stays_open(
    make_service: Callable[..., ServingService], settings: ServingSettings
) -> None:
    common = settings.common.model_copy(update={"api_tokens": "v-token:viewer"})
    secured = make_service(settings=settings.model_copy(update={"common": DriftlineSettings(
        **{**common.model_dump(), "api_tokens": "v-token:viewer"})}), sink=FakeSink())  # fmt: skip
    with TestClient(create_api(secured)) as c:
        assert c.post(f"/v1/models/{MODEL}/predict", json={"entity_key": "a1"}).status_code == 401
        assert c.post(f"/v2/models/{MODEL}/infer", json={"inputs": []}).status_code == 401
        ok = c.post(f"/v1/models/{MODEL}/predict", json={"entity_key": "a1"},
                    headers={"Authorization": "Bearer v-token"})  # fmt: skip
        assert ok.status_code == 503  # authorised; no champion yet
        assert c.get("/v2/health/live").status_code == 200


def test_the_plain_asgi_predict_route_keeps_the_shell_documented_and_measured(
    client: TestClient, world: SimpleWorld
) -> None:
    world.promote(1)
    answer = client.post(f"/v1/models/{MODEL}/predict", json={"entity_key": "a1"},
                         headers={"X-Correlation-ID": "corr-7"})  # fmt: skip
    assert answer.status_code == 200
    assert answer.headers["x-correlation-id"] == "corr-7"
    assert answer.headers["content-type"] == "application/json"
    assert client.get(f"/v1/models/{MODEL}/predict").status_code == 405
    metrics = client.get("/metrics").text
    assert ('driftline_http_request_seconds_count{method="POST",route="/v1/models/{name}/predict",'
            'service="serving",status="200"}') in metrics  # fmt: skip
    doc = client.get("/openapi.json").json()["paths"]["/v1/models/{name}/predict"]["post"]
    assert set(doc["requestBody"]["content"]["application/json"]["schema"]["properties"]) == {
        "entity_key", "entity_keys", "features"}  # fmt: skip


def test_a_wrong_token_is_401_invalid(
    make_service: Callable[..., ServingService], settings: ServingSettings
) -> None:
    secured = make_service(settings=settings.model_copy(update={"common": DriftlineSettings(
        **{**settings.common.model_dump(), "api_tokens": "v-token:viewer"})}), sink=FakeSink())  # fmt: skip
    with TestClient(create_api(secured)) as c:
        denied = c.post(f"/v1/models/{MODEL}/predict", json={"entity_key": "a1"},
                        headers={"Authorization": "Bearer nope"})  # fmt: skip
        assert denied.status_code == 401
        assert denied.json() == {"detail": "invalid token"}
        assert denied.headers["www-authenticate"] == "Bearer"
