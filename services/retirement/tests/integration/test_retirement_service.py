"""The retirement service as it runs: its own process, the real broker, real files, real HTTP.

`python -m driftline_retirement` consumes `driftline.models` on the session's
broker, asks a real HTTP server that answers the registry's read routes, moves
artifacts between real folders and serves its API on a free port.
"""

from __future__ import annotations

import hashlib
import os
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
from driftline.events import ModelPromoted, ModelRetired
from driftline.settings import DriftlineSettings
from driftline.testing.kafka import read_topic
from driftline_retirement.domain import VersionInfo

pytestmark = pytest.mark.integration

OPERATOR = {"Authorization": "Bearer operator-token-7f3a"}
VIEWER = {"Authorization": "Bearer viewer-token-9c1d"}


@pytest.fixture(scope="module")
def world(
    kafka_bootstrap: str,
    module_registry_server: SimpleNamespace,
    tmp_path_factory: pytest.TempPathFactory,
    spawn: Callable[..., Any],
    port: Callable[[], int],
) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("retirement")
    model = f"retire_{uuid.uuid4().hex[:8]}"
    spec = {
        "project": "retirement_it",
        "datasets": {"customers": {"entity_key": "customer_id", "label": {"name": "churned"},
                                   "features": {"tenure": {"type": "float"}}}},
        "models": {model: {"dataset": "customers", "estimator": {"name": "logistic_regression"},
                           "retention": {"keep_last": 5, "candidate_ttl_days": 7,
                                         "restore_within_days": 30}}},
    }  # fmt: skip
    (root / "driftline.yaml").write_text(yaml.safe_dump(spec))
    env = {
        **os.environ,
        "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "DRIFTLINE_SPEC_PATH": str(root / "driftline.yaml"),
        "DRIFTLINE_STATE_DIR": str(root / "state"),
        "DRIFTLINE_ARTIFACT_STORE_URL": str(root / "artifacts"),
        "DRIFTLINE_ARCHIVE_STORE_URL": str(root / "archive"),
        "DRIFTLINE_REGISTRY_URL": module_registry_server.url,
        "DRIFTLINE_API_TOKENS": "operator-token-7f3a:operator,viewer-token-9c1d:viewer",
        "DRIFTLINE_LOG_JSON": "false",
        "DRIFTLINE_RETIREMENT_PORT": str(api_port := port()),
        "DRIFTLINE_RETIREMENT_GROUP_ID": f"retirement-it-{uuid.uuid4().hex[:8]}",
        "DRIFTLINE_RETIREMENT_RESUME_INTERVAL_SECONDS": "0.5",
    }
    service = spawn("driftline_retirement", env, api_port)
    settings = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap)
    codec = EventCodec.from_settings(settings)
    return SimpleNamespace(
        root=root, model=model, service=service, registry=module_registry_server.data,
        store=ArtifactStore.from_url(str(root / "artifacts")), codec=codec, bootstrap=kafka_bootstrap,
        publisher=KafkaPublisher(settings, codec, source="driftline/registry"),
    )  # fmt: skip


def new_version(world: SimpleNamespace, n: int, status: str, age_days: float = 0) -> VersionInfo:
    """Store real bytes for version `n` and list it in the registry."""
    stored = world.store.put(f"model {world.model} v{n}".encode() * 50, name="model.skops")
    at = datetime.now(UTC) - timedelta(days=age_days)
    version = VersionInfo(world.model, n, status, stored.uri, stored.sha256, at, at)
    world.registry.put(version)
    return version


def promote(
    world: SimpleNamespace, v: VersionInfo, previous: int | None, meta: Metadata | None = None
) -> Metadata:
    event = ModelPromoted(
        model_name=world.model, version=v.version, previous_version=previous, run_id=f"run-{v.version}",
        artifact_uri=v.artifact_uri or "", artifact_sha256=v.artifact_sha256 or "",
        reason="beats the champion",
    )  # fmt: skip
    return world.publisher.publish(event, meta=meta)


def retirements(world: SimpleNamespace, done: Callable[[list[Any]], bool]) -> list[Any]:
    """(ModelRetired, Metadata) pairs of this module's model, read until `done` holds."""

    def decoded(records: list[Any]) -> list[Any]:
        out = []
        for record in records:
            if (record.key or b"").decode() != world.model:
                continue
            message = world.codec.decode(record.value, record.headers)
            if isinstance(message.event, ModelRetired):
                out.append((message.event, message.meta))
        return out

    records = read_topic(
        world.bootstrap, "driftline.models", want=lambda rs: done(decoded(rs)), timeout=45
    )
    found = decoded(records)
    assert done(found), f"not there yet: {found}\n{world.service.tail()}"
    return found


def of_version(found: list[Any], version: int) -> list[Any]:
    return [(e, m) for e, m in found if e.version == version]


def test_after_a_promotion_the_old_champion_is_retired_and_archived(world: SimpleNamespace) -> None:
    v1 = new_version(world, 1, "superseded")
    v2 = new_version(world, 2, "champion")
    promotion = promote(world, v2, previous=1)

    [(event, meta)] = of_version(retirements(world, lambda f: bool(of_version(f, 1))), 1)

    assert (event.reason, event.retired_by) == ("replaced", "driftline/retirement")
    assert (meta.correlation_id, meta.causation_id) == (promotion.correlation_id, promotion.id)
    archived = Path(event.archive_uri.removeprefix("file://"))
    assert archived.is_relative_to(world.root / "archive")
    assert hashlib.sha256(archived.read_bytes()).hexdigest() == v1.artifact_sha256
    assert not world.store.exists(v1.artifact_uri)
    assert world.store.exists(v2.artifact_uri)  # the champion's bytes are never moved
    [row] = httpx.get(
        f"{world.service.url}/retired", params={"model": world.model}, headers=VIEWER
    ).json()
    assert (row["version"], row["state"], row["reason"]) == (1, "retired", "replaced")
    assert row["archive_uri"] == event.archive_uri
    assert row["restorable"] is True
    metrics = httpx.get(f"{world.service.url}/metrics").text
    assert (
        f'driftline_models_retired_total{{model="{world.model}",reason="replaced"}} 1.0' in metrics
    )


def test_a_redelivered_promotion_retires_nothing_more_even_after_a_restart(
    world: SimpleNamespace,
) -> None:
    new_version(world, 11, "champion")
    v12 = new_version(world, 12, "champion")
    promotion = promote(world, v12, previous=11)
    retirements(world, lambda f: bool(of_version(f, 11)))
    world.service.kill()  # no goodbye: the ledger and the dedupe store must keep the memory
    world.service.start()

    promote(world, v12, previous=11, meta=promotion)  # the same event, re-delivered
    promote(world, v12, previous=11)  # the same fact under a new event id
    v13 = new_version(world, 13, "champion")  # then a real change, as a marker
    promote(world, v13, previous=12)
    found = retirements(world, lambda f: bool(of_version(f, 12)))

    assert len(of_version(found, 11)) == 1
    [(event, _)] = of_version(found, 12)
    assert event.reason == "replaced"


def test_an_operator_sweep_retires_stale_versions_and_says_so(world: SimpleNamespace) -> None:
    stale = new_version(world, 9, "candidate", age_days=12)
    assert httpx.post(f"{world.service.url}/sweep", headers=VIEWER).status_code == 403

    response = httpx.post(
        f"{world.service.url}/sweep",
        headers={**OPERATOR, "X-Correlation-ID": "sweep-it-1"},
        timeout=30,
    )

    assert response.status_code == 200
    report = response.json()
    assert report["outcome"] == "ok"
    assert [(r["version"], r["reason"]) for r in report["retired"]] == [(9, "ttl")]
    [(event, meta)] = of_version(retirements(world, lambda f: bool(of_version(f, 9))), 9)
    assert (event.reason, meta.correlation_id) == ("ttl", "sweep-it-1")
    assert not world.store.exists(stale.artifact_uri)
    policies = httpx.get(f"{world.service.url}/policies", headers=VIEWER).json()["models"]
    assert policies[world.model] == {
        "keep_last": 5,
        "candidate_ttl_days": 7.0,
        "restore_within_days": 30.0,
    }
