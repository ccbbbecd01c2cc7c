"""Serving as a real process on the real broker: lifecycle events, OIP v2 through tritonclient,
canary and shadow traffic, rollback, retirement, and the prediction log on the broker.

No registry runs here: serving keeps retrying it (alive, not ready, saying why) while
lifecycle events published to the broker install and swap its models.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
import numpy as np
import pytest
import yaml
from driftline.artifacts import ArtifactStore
from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.envelope import EnvelopeError
from driftline.events import Event, ModelPromoted, ModelRetired, ModelRolledBack, PredictionLogged
from driftline.serde import DecodeError
from driftline.settings import DriftlineSettings
from driftline.testing.kafka import read_topic

pytestmark = pytest.mark.integration

ROW = {"income": 52_000.0, "credit_score": 610, "region": "south", "has_mortgage": True}
KEYS = [f"app-{i}" for i in range(60)]


@pytest.fixture(scope="module")
def plane(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory, spawn: Callable[..., Any],
          spec_data: dict[str, Any], train_model: Callable[..., bytes],
          online_table_writer: Callable[..., None]) -> SimpleNamespace:  # fmt: skip
    root = tmp_path_factory.mktemp("lifecycle")
    model = f"life_{uuid.uuid4().hex[:8]}"
    spec = {**spec_data, "models": {model: spec_data["models"]["loan_default"]}}
    (root / "driftline.yaml").write_text(yaml.safe_dump(spec))
    online_table_writer(root / "feast" / "online.db", spec["project"], "loans", "application_id",
                        {k: {**ROW, "credit_score": 450 + 5 * i} for i, k in enumerate(KEYS)})  # fmt: skip
    store = ArtifactStore.from_url(str(root / "artifacts"))
    artifacts = {v: store.put(train_model(seed=v, C=1.0 / v), name="model.skops") for v in (1, 2)}
    settings = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap)
    codec = EventCodec.from_settings(settings)
    port = free_port()
    serving = spawn("driftline_serving", {
        **os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "DRIFTLINE_SPEC_PATH": str(root / "driftline.yaml"), "DRIFTLINE_LOG_JSON": "false",
        "DRIFTLINE_ARTIFACT_STORE_URL": str(root / "artifacts"), "DRIFTLINE_STATE_DIR": str(root / "state"),
        "DRIFTLINE_FEATURES_REPO_DIR": str(root / "feast"), "DRIFTLINE_SERVING_PORT": str(port),
        "DRIFTLINE_REGISTRY_URL": f"http://127.0.0.1:{free_port()}",  # nobody there
        "DRIFTLINE_SERVING_INSTANCE_ID": f"test-{model}",
    }, port)  # fmt: skip
    serving.wait_for("/readyz", want=lambda r: r.json()["checks"].get("lifecycle") == "ok")
    return SimpleNamespace(model=model, serving=serving, url=serving.url, codec=codec,
                           artifacts=artifacts, bootstrap=kafka_bootstrap,
                           publisher=KafkaPublisher(settings, codec, source="driftline/test"))  # fmt: skip


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(fetch: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 60) -> Any:
    deadline, value = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        value = fetch()
        if done(value):
            return value
        time.sleep(0.2)
    raise AssertionError(f"still {value!r} after {timeout}s")


def deployed(plane: SimpleNamespace) -> dict[str, int]:
    return dict(httpx.get(f"{plane.url}/v1/models").json()[plane.model]["versions"])


def publish_until(plane: SimpleNamespace, event: Event, versions: dict[str, int]) -> None:
    plane.publisher.publish(event)
    eventually(lambda: deployed(plane), lambda v: v == versions)


def promoted(
    plane: SimpleNamespace, version: int, rollout: str = "full", fraction: float = 0.0
) -> ModelPromoted:
    art = plane.artifacts[version]
    return ModelPromoted(model_name=plane.model, version=version, run_id=f"run-{version}",
                         artifact_uri=art.uri, artifact_sha256=art.sha256, rollout=rollout,
                         canary_fraction=fraction, reason="test")  # fmt: skip


def predict(plane: SimpleNamespace, key: str, request_id: str) -> dict[str, Any]:
    response = httpx.post(f"{plane.url}/v1/models/{plane.model}/predict", json={"entity_key": key},
                          headers={"X-Request-ID": request_id})  # fmt: skip
    assert response.status_code == 200, response.text
    return dict(response.json())


def logged(plane: SimpleNamespace, ids: set[str], count: int) -> list[PredictionLogged]:
    """PredictionLogged events on the broker for these request ids (at least `count`).

    The session's broker holds every earlier test's predictions too: records are decoded
    once each, as they arrive, and records that are not ours (or not events) are skipped.
    """
    found: list[PredictionLogged] = []
    decoded = 0

    def enough(records: list[Any]) -> bool:
        nonlocal decoded
        for r in records[decoded:]:
            try:
                event = plane.codec.decode(r.value, r.headers).event
            except (DecodeError, EnvelopeError):
                continue
            if isinstance(event, PredictionLogged) and event.request_id in ids:
                found.append(event)
        decoded = len(records)
        return len(found) >= count

    read_topic(plane.bootstrap, "driftline.predictions", want=enough, timeout=90)
    return found


def test_without_a_registry_serving_is_alive_but_not_ready_and_says_why(
    plane: SimpleNamespace,
) -> None:
    assert httpx.get(f"{plane.url}/healthz").status_code == 200
    ready = httpx.get(f"{plane.url}/readyz")
    assert ready.status_code == 503
    assert "registry unavailable" in ready.json()["checks"]["champions"]


def test_a_promotion_event_installs_the_first_champion(plane: SimpleNamespace) -> None:
    publish_until(plane, promoted(plane, 1), {"champion": 1})
    assert httpx.get(f"{plane.url}/v2/models/{plane.model}/ready").json()["ready"] is True


def test_oip_v2_requests_and_responses_fit_tritonclient(plane: SimpleNamespace) -> None:
    import tritonclient.http as triton
    from tritonclient.utils import InferenceServerException

    publish_until(plane, promoted(plane, 1), {"champion": 1})
    client = triton.InferenceServerClient(url=plane.url.removeprefix("http://"))
    assert client.is_server_live()
    assert client.is_model_ready(plane.model)
    assert client.is_model_ready(plane.model, "1")
    assert not client.is_model_ready(plane.model, "9")
    assert client.get_server_metadata()["name"] == "driftline-serving"
    meta = client.get_model_metadata(plane.model)
    assert [(i["name"], i["datatype"]) for i in meta["inputs"]] == [
        ("income", "FP64"),
        ("credit_score", "INT64"),
        ("region", "BYTES"),
        ("has_mortgage", "BOOL"),
    ]
    rows = 3
    columns = {
        "income": np.array([30_000.0, 60_000.0, 120_000.0]),
        "credit_score": np.array([500, 650, 800]),
        "region": np.array(["south", "north", "west"], dtype=object),
        "has_mortgage": np.array([True, False, True]),
    }
    types = {"income": "FP64", "credit_score": "INT64", "region": "BYTES", "has_mortgage": "BOOL"}
    for binary in (True, False):
        inputs = []
        for name, values in columns.items():
            tensor = triton.InferInput(name, [rows], types[name])
            tensor.set_data_from_numpy(values, binary_data=binary)
            inputs.append(tensor)
        outputs = [
            triton.InferRequestedOutput("predict", binary_data=binary),
            triton.InferRequestedOutput("proba", binary_data=binary),
        ]
        result = client.infer(plane.model, inputs, outputs=outputs, request_id=f"triton-{binary}")
        response = result.get_response()
        assert (response["model_name"], response["model_version"], response["id"]) == (
            plane.model,
            "1",
            f"triton-{binary}",
        )
        assert result.as_numpy("predict").dtype == np.int64
        assert result.as_numpy("predict").shape == (rows,)
        proba = result.as_numpy("proba")
        assert proba.shape == (rows, 2)
        assert np.allclose(proba.sum(axis=1), 1.0)
    matrix = triton.InferInput("input-0", [1, 4], "BYTES")
    matrix.set_data_from_numpy(
        np.array([[52_000.0, 610, "south", True]], dtype=object), binary_data=False
    )
    assert client.infer(plane.model, [matrix]).as_numpy("predict").shape == (
        1,
    )  # no outputs named: binary answer
    pinned = client.infer(plane.model, [matrix], model_version="1")
    assert pinned.get_response()["model_version"] == "1"
    with pytest.raises(InferenceServerException, match="unknown model"):
        client.infer("no_such_model", [matrix])
    client.close()


def test_a_canary_answers_its_share_and_every_prediction_is_logged_with_its_role(
    plane: SimpleNamespace,
) -> None:
    publish_until(plane, promoted(plane, 1), {"champion": 1})
    publish_until(plane, promoted(plane, 2, "canary", 0.5), {"champion": 1, "canary": 2})
    tag = uuid.uuid4().hex[:6]
    answers = [predict(plane, key, f"{tag}-{key}") for key in KEYS]
    roles = {(a["model_version"], a["role"]) for a in answers}
    assert roles == {(1, "champion"), (2, "canary")}
    again = [predict(plane, key, f"{tag}-again-{key}")["role"] for key in KEYS]
    assert again == [a["role"] for a in answers]  # a stable share: the same entities
    events = logged(plane, {a["request_id"] for a in answers}, len(answers))
    by_id = {e.request_id: e for e in events}
    for a in answers:
        event = by_id[a["request_id"]]
        assert (event.model_version, event.role, event.entity_key) == (
            a["model_version"],
            a["role"],
            a["entity_key"],
        )
        assert event.prediction == a["prediction"]
        assert set(event.features) == set(ROW)


def test_a_canary_rollback_leaves_the_champion_answering_everything(plane: SimpleNamespace) -> None:
    publish_until(plane, promoted(plane, 2, "canary", 0.5), {"champion": 1, "canary": 2})
    art = plane.artifacts[1]
    publish_until(plane, ModelRolledBack(model_name=plane.model, from_version=2, to_version=1,
                                         artifact_uri=art.uri, artifact_sha256=art.sha256,
                                         reason="canary worse", requested_by="test"), {"champion": 1})  # fmt: skip
    assert {predict(plane, key, f"rb-{key}")["model_version"] for key in KEYS} == {1}


def test_a_shadow_scores_the_same_requests_and_is_logged_never_returned(
    plane: SimpleNamespace,
) -> None:
    publish_until(plane, promoted(plane, 2, "shadow"), {"champion": 1, "shadow": 2})
    tag = uuid.uuid4().hex[:6]
    answers = [predict(plane, key, f"{tag}-{key}") for key in KEYS[:10]]
    assert {(a["model_version"], a["role"]) for a in answers} == {(1, "champion")}
    events = logged(plane, {a["request_id"] for a in answers}, 2 * len(answers))
    assert sorted((e.request_id, e.role, e.model_version) for e in events) == sorted(
        [(a["request_id"], "champion", 1) for a in answers]
        + [(a["request_id"], "shadow", 2) for a in answers]
    )


def test_a_retired_challenger_is_unloaded_and_a_retired_champion_refused(
    plane: SimpleNamespace,
) -> None:
    publish_until(plane, promoted(plane, 2, "shadow"), {"champion": 1, "shadow": 2})
    publish_until(plane, ModelRetired(model_name=plane.model, version=2, reason="ttl", retired_by="test"),
                  {"champion": 1})  # fmt: skip
    assert httpx.get(f"{plane.url}/v2/models/{plane.model}/versions/2/ready").status_code == 503
    plane.publisher.publish(
        ModelRetired(model_name=plane.model, version=1, reason="bug", retired_by="test")
    )
    eventually(
        lambda: httpx.get(f"{plane.url}/metrics").text,
        lambda text: (
            f'driftline_serving_refused_unloads_total{{model="{plane.model}"}} 1.0' in text
        ),
    )
    assert deployed(plane) == {"champion": 1}
    assert predict(plane, KEYS[0], "after-refusal")["model_version"] == 1
    assert "REFUSED to unload the champion" in plane.serving.tail()
