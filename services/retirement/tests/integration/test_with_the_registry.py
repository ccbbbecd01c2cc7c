"""Retirement beside the real registry: two processes, one real broker, real files.

The registry (`python -m driftline_registry`, SQLite) promotes on the events a
trainer and an evaluator would send; retirement hears the promotion, archives
the old champion and announces `ModelRetired`; the registry marks the version
retired with its archive location; a rollback within the window brings it back.
No service code is imported: they meet on the bus and over HTTP only.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import yaml
from driftline.artifacts import ArtifactStore
from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.envelope import Metadata
from driftline.events import DataWindow, Lineage, ModelEvaluated, ModelRetired, ModelTrained
from driftline.settings import DriftlineSettings
from driftline.testing.kafka import read_topic

pytestmark = pytest.mark.integration

VIEWER, OPERATOR = "viewer-token-5be1", "operator-token-0d4c"
AS_VIEWER = {"Authorization": f"Bearer {VIEWER}"}
NOW = datetime.now(UTC)
WINDOW = DataWindow(start=NOW - timedelta(days=14), end=NOW)


@pytest.fixture(scope="module")
def plane(
    kafka_bootstrap: str,
    tmp_path_factory: pytest.TempPathFactory,
    spawn: Callable[..., Any],
    port: Callable[[], int],
) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("plane")
    model = f"plane_{uuid.uuid4().hex[:8]}"
    spec = {
        "project": "retirement_plane",
        "datasets": {"customers": {"entity_key": "customer_id", "label": {"name": "churned"},
                                   "features": {"tenure": {"type": "float"}}}},
        "models": {model: {"dataset": "customers", "estimator": {"name": "logistic_regression"},
                           "promotion": {"min_improvement": 0.005, "rollout": "full"},
                           "retention": {"keep_last": 5, "restore_within_days": 30}}},
    }  # fmt: skip
    (root / "driftline.yaml").write_text(yaml.safe_dump(spec))
    common = {
        **os.environ,
        "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "DRIFTLINE_SPEC_PATH": str(root / "driftline.yaml"),
        "DRIFTLINE_ARTIFACT_STORE_URL": str(root / "artifacts"),
        "DRIFTLINE_ARCHIVE_STORE_URL": str(root / "archive"),
        "DRIFTLINE_API_TOKENS": f"{VIEWER}:viewer,{OPERATOR}:operator",
        "DRIFTLINE_LOG_JSON": "false",
    }
    registry_port, retirement_port = port(), port()
    registry = spawn("driftline_registry", {
        **common, "DRIFTLINE_STATE_DIR": str(root / "registry"),
        "DRIFTLINE_REGISTRY_DATABASE_URL": f"sqlite:///{root / 'registry.db'}",
        "DRIFTLINE_REGISTRY_PORT": str(registry_port),
        "DRIFTLINE_REGISTRY_GROUP_ID": f"registry-{model}",
    }, registry_port)  # fmt: skip
    retirement = spawn("driftline_retirement", {
        **common, "DRIFTLINE_STATE_DIR": str(root / "retirement"),
        "DRIFTLINE_REGISTRY_URL": registry.url, "DRIFTLINE_RETIREMENT_REGISTRY_TOKEN": VIEWER,
        "DRIFTLINE_RETIREMENT_PORT": str(retirement_port),
        "DRIFTLINE_RETIREMENT_GROUP_ID": f"retirement-{model}",
    }, retirement_port)  # fmt: skip
    settings = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap)
    codec = EventCodec.from_settings(settings)
    return SimpleNamespace(
        model=model, root=root, registry=registry, retirement=retirement, codec=codec,
        bootstrap=kafka_bootstrap, store=ArtifactStore.from_url(str(root / "artifacts")),
        publisher=KafkaPublisher(settings, codec, source="driftline/test"), versions={},
    )  # fmt: skip


def train_and_evaluate(plane: SimpleNamespace, run: str, champion: int | None) -> Metadata:
    """What training and evaluation would announce for a run that beats the champion."""
    stored = plane.store.put(f"{plane.model} {run}".encode() * 100, name="model.skops")
    lineage = Lineage(dataset="customers", data_window=WINDOW, row_count=500, content_hash="c" * 64,
                      feature_names=["tenure"], code_version="0.1.0", trigger_type="manual")  # fmt: skip
    trained = plane.publisher.publish(ModelTrained(
        model_name=plane.model, run_id=run, flavor="sklearn", estimator="logistic_regression",
        metrics={"roc_auc": 0.8}, artifact_uri=stored.uri, artifact_sha256=stored.sha256,
        artifact_size_bytes=stored.size, duration_seconds=1.0, lineage=lineage,
    ))  # fmt: skip
    plane.publisher.publish(ModelEvaluated(
        model_name=plane.model, run_id=run, champion_version=champion, primary_metric="roc_auc",
        challenger_score=0.83, champion_score=0.8 if champion else None, delta=0.03, ci_low=0.01,
        ci_high=0.05, test="paired_bootstrap", min_improvement=0.005, decision="promote",
        reasons=["better"], eval_window=WINDOW, eval_rows=400,
    ), caused_by=trained)  # fmt: skip
    plane.versions[run] = stored
    return trained


def eventually(fetch: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = fetch()
        if done(value):
            return value
        time.sleep(0.3)
    raise AssertionError(f"still {value!r} after {timeout}s")


def registry_get(plane: SimpleNamespace, path: str) -> Any:
    response = httpx.get(
        f"{plane.registry.url}{path}", headers={"Authorization": f"Bearer {VIEWER}"}
    )
    return response.json() if response.status_code == 200 else None


def test_after_a_promotion_the_registry_lists_the_old_champion_as_retired_and_archived(
    plane: SimpleNamespace,
) -> None:
    train_and_evaluate(plane, "r1", champion=None)
    eventually(lambda: registry_get(plane, f"/models/{plane.model}/champion"),
               lambda c: c is not None and c["version"] == 1)  # fmt: skip
    workflow = train_and_evaluate(plane, "r2", champion=1)

    v1 = eventually(lambda: registry_get(plane, f"/models/{plane.model}/versions/1"),
                    lambda v: v is not None and v["status"] == "retired")  # fmt: skip

    archived = Path(v1["artifact"]["uri"].removeprefix("file://"))
    assert v1["artifact"]["archived"] is True
    assert archived.is_relative_to(plane.root / "archive")
    assert hashlib.sha256(archived.read_bytes()).hexdigest() == plane.versions["r1"].sha256
    assert not plane.store.exists(plane.versions["r1"].uri)
    assert plane.store.exists(plane.versions["r2"].uri)
    retired = [
        m for r in read_topic(plane.bootstrap, "driftline.models", timeout=10)
        if (r.key or b"").decode() == plane.model
        and isinstance((m := plane.codec.decode(r.value, r.headers)).event, ModelRetired)
    ]  # fmt: skip
    [message] = retired
    assert message.event.archive_uri == v1["artifact"]["uri"]
    assert message.meta.correlation_id == workflow.correlation_id  # the drift-to-retirement trace
    [row] = httpx.get(
        f"{plane.retirement.url}/retired", params={"model": plane.model}, headers=AS_VIEWER
    ).json()
    assert (row["version"], row["state"], row["reason"]) == (1, "retired", "replaced")


def test_a_rollback_within_the_window_restores_the_retired_version(plane: SimpleNamespace) -> None:
    eventually(lambda: registry_get(plane, f"/models/{plane.model}/versions/1"),
               lambda v: v is not None and v["status"] == "retired")  # fmt: skip
    response = httpx.post(
        f"{plane.registry.url}/models/{plane.model}/rollback",
        json={"reason": "live AUC dropped", "to_version": 1},
        headers={"Authorization": f"Bearer {OPERATOR}"},
    )
    assert response.status_code == 200, response.text

    row = eventually(
        lambda: httpx.get(
            f"{plane.retirement.url}/retired", params={"model": plane.model}, headers=AS_VIEWER
        ).json(),
        lambda rows: rows and rows[0]["state"] == "restored",
    )[0]
    assert "restored as champion by rollback" in row["note"]
    champion = registry_get(plane, f"/models/{plane.model}/champion")
    assert (champion["version"], champion["artifact_uri"]) == (1, row["archive_uri"])
    sweep = httpx.post(f"{plane.retirement.url}/sweep", headers={"Authorization": f"Bearer {OPERATOR}"},
                       timeout=30).json()  # fmt: skip
    assert sweep["outcome"] == "ok"
    assert 1 not in [r["version"] for r in sweep["retired"]]
