"""Settings from the environment, the code version, and the health/metrics API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from driftline_training import TrainingSettings
from driftline_training.bootstrap import code_version
from driftline_training.entrypoints.api import create_api
from driftline_training.metrics import METRIC_NAMES
from fastapi.testclient import TestClient


def test_settings_read_their_prefix_and_compose_the_shared_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRIFTLINE_TRAINING_PORT", "9003")
    monkeypatch.setenv("DRIFTLINE_TRAINING_COMPUTE_THREADS", "2")
    monkeypatch.setenv("DRIFTLINE_STATE_DIR", "/data/state")
    settings = TrainingSettings()
    assert settings.port == 9003
    assert settings.compute_threads == 2
    assert settings.resolved_state_db == Path("/data/state/training.db")


def test_an_explicit_state_db_wins(tmp_path: Path) -> None:
    assert TrainingSettings(state_db=tmp_path / "x.db").resolved_state_db == tmp_path / "x.db"


def test_code_version_names_the_package_and_the_revision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_REVISION", "abc123")
    assert code_version() == "driftline-training 0.1.0 (abc123)"


def test_api_answers_health_readiness_and_training_metrics(harness: Any) -> None:
    api = TestClient(create_api(harness.app))
    assert api.get("/healthz").json() == {"status": "ok", "service": "training"}
    ready = api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"run_store": "ok"}
    exposed = api.get("/metrics").text
    for name in METRIC_NAMES:
        assert name in exposed
