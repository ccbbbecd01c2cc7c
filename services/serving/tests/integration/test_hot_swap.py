"""Hot swap under load: the real registry promotes, serving swaps, no request fails.

Two processes (`python -m driftline_registry`, `python -m driftline_serving`), one real broker,
real skops artifacts in a real content-addressed store, a real Feast SQLite online table.
Serving loads the registry's champion at start; a load generator in a thread pool sends
paced requests over real sockets (OIP v2 infer and friendly predict, alternately); a
training run's `ModelTrained` + `ModelEvaluated` make the registry promote version 2, whose
`ModelPromoted` reaches serving through the broker.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import yaml
from driftline.artifacts import ArtifactStore
from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.events import DataWindow, Lineage, ModelEvaluated, ModelTrained
from driftline.settings import DriftlineSettings

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
WINDOW = DataWindow(start=NOW - timedelta(days=14), end=NOW)
ROW = {"income": 52_000.0, "credit_score": 610, "region": "south", "has_mortgage": True}
TYPES = {"income": "FP64", "credit_score": "INT64", "region": "BYTES", "has_mortgage": "BOOL"}


@pytest.fixture(scope="module")
def plane(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory, spawn: Callable[..., Any],
          spec_data: dict[str, Any], train_model: Callable[..., bytes],
          online_table_writer: Callable[..., None]) -> SimpleNamespace:  # fmt: skip
    root = tmp_path_factory.mktemp("hot_swap")
    model = f"swap_{uuid.uuid4().hex[:8]}"
    spec = {**spec_data, "models": {model: spec_data["models"]["loan_default"]}}
    (root / "driftline.yaml").write_text(yaml.safe_dump(spec))
    online_table_writer(root / "feast" / "online.db", spec["project"], "loans", "application_id",
                        {f"app-{i}": {**ROW, "credit_score": 500 + i} for i in range(50)})  # fmt: skip
    settings = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap)
    codec = EventCodec.from_settings(settings)
    plane = SimpleNamespace(model=model, root=root, codec=codec, versions={},
                            store=ArtifactStore.from_url(str(root / "artifacts")),
                            publisher=KafkaPublisher(settings, codec, source="driftline/test"))  # fmt: skip
    common = {**os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
              "DRIFTLINE_SPEC_PATH": str(root / "driftline.yaml"),
              "DRIFTLINE_ARTIFACT_STORE_URL": str(root / "artifacts"), "DRIFTLINE_LOG_JSON": "false"}  # fmt: skip
    registry_port, serving_port = free_port(), free_port()
    plane.registry = spawn("driftline_registry", {
        **common, "DRIFTLINE_STATE_DIR": str(root / "registry"),
        "DRIFTLINE_REGISTRY_DATABASE_URL": f"sqlite:///{root / 'registry.db'}",
        "DRIFTLINE_REGISTRY_PORT": str(registry_port), "DRIFTLINE_REGISTRY_GROUP_ID": f"registry-{model}",
    }, registry_port)  # fmt: skip
    train_and_evaluate(plane, 1, train_model(seed=1), champion=None)
    eventually(lambda: httpx.get(f"{plane.registry.url}/models/{model}/champion").json(),
               lambda body: body.get("version") == 1)  # fmt: skip
    plane.serving = spawn("driftline_serving", {
        **common, "DRIFTLINE_STATE_DIR": str(root / "serving"), "DRIFTLINE_REGISTRY_URL": plane.registry.url,
        "DRIFTLINE_FEATURES_REPO_DIR": str(root / "feast"), "DRIFTLINE_SERVING_PORT": str(serving_port),
        "DRIFTLINE_SERVING_INSTANCE_ID": f"test-{model}",
    }, serving_port)  # fmt: skip
    plane.serving.wait_for("/readyz")
    plane.v2 = train_model(seed=2, C=0.05)
    return plane


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(fetch: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 60) -> Any:
    deadline, value = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            value = fetch()
        except httpx.HTTPError as exc:
            value = exc
        if not isinstance(value, Exception) and done(value):
            return value
        time.sleep(0.2)
    raise AssertionError(f"still {value!r} after {timeout}s")


def train_and_evaluate(
    plane: SimpleNamespace, version: int, artifact: bytes, champion: int | None
) -> None:
    """What training and the evaluation gate announce for a run that beats the champion."""
    stored = plane.store.put(artifact, name="model.skops")
    run = f"run-{version}-{uuid.uuid4().hex[:6]}"
    lineage = Lineage(dataset="loans", data_window=WINDOW, row_count=400, content_hash="c" * 64,
                      feature_names=list(TYPES), code_version="0.1.0", trigger_type="manual")  # fmt: skip
    trained = plane.publisher.publish(ModelTrained(
        model_name=plane.model, run_id=run, flavor="sklearn", estimator="logistic_regression",
        metrics={"roc_auc": 0.8}, artifact_uri=stored.uri, artifact_sha256=stored.sha256,
        artifact_size_bytes=stored.size, duration_seconds=1.0, lineage=lineage,
    ))  # fmt: skip
    plane.publisher.publish(ModelEvaluated(
        model_name=plane.model, run_id=run, champion_version=champion, primary_metric="roc_auc",
        challenger_score=0.85, champion_score=0.8 if champion else None, delta=0.05, ci_low=0.01,
        ci_high=0.08, test="paired_bootstrap", min_improvement=0.0, decision="promote",
        reasons=["better"], eval_window=WINDOW, eval_rows=400,
    ), caused_by=trained)  # fmt: skip


def test_serving_loads_the_registry_champion_at_start(plane: SimpleNamespace) -> None:
    body = httpx.get(f"{plane.serving.url}/v1/models").json()[plane.model]
    assert body["versions"] == {"champion": 1}
    assert body["startup"] == "champion v1 loaded"


def test_a_promotion_under_load_fails_no_request_and_then_every_answer_is_the_new_version(
    plane: SimpleNamespace, load_generator: Callable[..., Any]
) -> None:
    url = plane.serving.url

    def send(client: httpx.Client, n: int) -> httpx.Response:
        if n % 2:
            return client.post(
                f"{url}/v1/models/{plane.model}/predict", json={"entity_key": f"app-{n % 50}"}
            )
        inputs = [
            {"name": f, "datatype": t, "shape": [1], "data": [ROW[f]]} for f, t in TYPES.items()
        ]
        return client.post(f"{url}/v2/models/{plane.model}/infer", json={"inputs": inputs})

    load = load_generator(send, rate=150.0, workers=6)
    load.start()
    time.sleep(3)
    promoted_at = time.monotonic()
    train_and_evaluate(plane, 2, plane.v2, champion=1)
    try:
        eventually(lambda: httpx.get(f"{url}/v1/models").json()[plane.model]["versions"],
                   lambda v: v == {"champion": 2}, timeout=60)  # fmt: skip
        time.sleep(3)
    finally:
        load.stop()
    shots = sorted(load.shots, key=lambda s: s.started)
    failures = [s for s in shots if s.status != 200]
    elapsed = load.ended - load.began
    first_new = min(s.ended for s in shots if s.version == "2")
    after = [s for s in shots if s.started > first_new]
    summary = (f"{len(shots)} requests in {elapsed:.1f}s = {len(shots) / elapsed:.0f}/s, "
               f"{len(failures)} failed, swap seen {first_new - promoted_at:.2f}s after the "
               f"promotion was published, {len(after)} requests after it")  # fmt: skip
    print(summary)
    assert failures == [], summary
    assert len(shots) / elapsed >= 100, summary
    assert {s.version for s in shots if s.ended < promoted_at} == {"1"}, summary
    assert after, summary
    assert {s.version for s in after} == {"2"}, summary
