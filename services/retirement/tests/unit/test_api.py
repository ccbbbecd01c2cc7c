"""The HTTP API: policies, the retired list with restore windows, and the operator's sweep."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from driftline.settings import DriftlineSettings
from driftline_retirement import metrics
from driftline_retirement.adapters import SqliteLedger
from driftline_retirement.bootstrap import RetirementService, bootstrap
from driftline_retirement.config import RetirementSettings
from driftline_retirement.entrypoints.api import create_api
from driftline_retirement.handlers import on_model_promoted
from fastapi.testclient import TestClient

TOKENS = "viewer-token-1:viewer,operator-token-1:operator"


@pytest.fixture
def client(service: RetirementService) -> TestClient:
    return TestClient(create_api(service))


@pytest.fixture
def guarded(fakes: Any, kit: SimpleNamespace, tmp_path: Path) -> TestClient:
    common = DriftlineSettings(state_dir=tmp_path, api_tokens=TOKENS)  # type: ignore[arg-type]
    service = bootstrap(RetirementSettings(common=common), spec=kit.spec_with(),
                        ledger=SqliteLedger(":memory:"), registry=fakes.registry,
                        archive=fakes.archive, publisher=fakes.publisher, clock=fakes.clock,
                        consume=False, sweep=False)  # fmt: skip
    return TestClient(create_api(service))


def test_policies_lists_each_models_retention(client: TestClient) -> None:
    body = client.get("/policies").json()
    assert body == {
        "sweep_interval_seconds": 300.0,
        "models": {
            "churn": {"keep_last": 3, "candidate_ttl_days": 7.0, "restore_within_days": 30.0}
        },
    }


def test_retired_shows_when_why_where_and_until_when_it_can_be_restored(
    client: TestClient, service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    fakes.registry.put(kit.version(1, "superseded"), kit.version(2, "champion"))
    fakes.archive.add(kit.version(1, "superseded").artifact_uri)
    on_model_promoted(kit.message(kit.promoted(2, previous=1)), service.context)
    [row] = client.get("/retired", params={"model": "churn"}).json()
    assert row["model"] == "churn"
    assert row["version"] == 1
    assert (row["reason"], row["state"], row["retired_by"]) == (
        "replaced",
        "retired",
        "driftline/retirement",
    )
    assert row["archive_uri"].startswith("mem://archive/")
    assert row["retired_at"] == "2026-11-22T12:00:00Z"
    assert row["restorable"] is True
    assert row["restorable_until"] == "2026-12-22T12:00:00Z"
    assert row["announced"] is True
    assert client.get("/retired", params={"model": "other"}).json() == []


def test_sweep_returns_what_it_did_under_the_requests_correlation_id(
    client: TestClient, fakes: Any, kit: SimpleNamespace
) -> None:
    fakes.registry.put(kit.version(1, "candidate", age_days=9), kit.version(2, "champion"))
    response = client.post("/sweep", headers={"X-Correlation-ID": "ops-42"})
    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["trigger"], body["correlation_id"]) == ("ok", "api", "ops-42")
    assert [(r["version"], r["reason"], r["result"]) for r in body["retired"]] == [
        (1, "ttl", "retired")
    ]
    [(_, meta, _)] = fakes.publisher.published
    assert meta.correlation_id == "ops-42"


def test_sweeping_needs_an_operator(guarded: TestClient) -> None:
    assert guarded.post("/sweep").status_code == 401
    viewer = {"Authorization": "Bearer viewer-token-1"}
    assert guarded.post("/sweep", headers=viewer).status_code == 403
    operator = {"Authorization": "Bearer operator-token-1"}
    assert guarded.post("/sweep", headers=operator).status_code == 200
    assert guarded.get("/retired", headers=viewer).status_code == 200


def test_reading_needs_at_least_a_viewer(guarded: TestClient) -> None:
    assert guarded.get("/retired").status_code == 401
    assert guarded.get("/policies").status_code == 401
    assert guarded.get("/healthz").status_code == 200
    viewer = {"Authorization": "Bearer viewer-token-1"}
    assert guarded.get("/policies", headers=viewer).status_code == 200


def test_readiness_checks_the_ledger_registry_and_archive(client: TestClient, fakes: Any) -> None:
    assert client.get("/readyz").json()["checks"] == {
        "ledger": "ok",
        "registry": "ok",
        "archive": "ok",
    }
    fakes.registry.down = True
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "fake registry is down" in response.json()["checks"]["registry"]


def test_metrics_expose_every_retirement_metric(
    client: TestClient, service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    fakes.registry.put(kit.version(1, "candidate", age_days=9), kit.version(2, "champion"))
    fakes.archive.add(kit.version(1, "candidate").artifact_uri)
    client.post("/sweep")
    text = client.get("/metrics").text
    for name in metrics.METRIC_NAMES:
        assert name in text, name
    assert 'driftline_archived_artifacts{model="churn"} 1.0' in text
    assert 'driftline_models_retired_total{model="churn",reason="ttl"}' in text
