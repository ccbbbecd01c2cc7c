"""With the real registry service in the loop: its champion is what the gate compares with."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from driftline.broker import free_port
from driftline.events import (
    DataWindow,
    DriftDetected,
    ModelEvaluated,
    ModelPromoted,
    ModelRejected,
    ModelTrained,
    TrainingRequested,
)

from .conftest import ServiceProcess

pytestmark = pytest.mark.integration


def start_registry(world: dict[str, Any], tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **world["env"],
        "DRIFTLINE_REGISTRY_PORT": str(port),
        "DRIFTLINE_REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path / 'registry.db'}",
        "DRIFTLINE_REGISTRY_GROUP_ID": f"registry-{uuid.uuid4().hex[:8]}",
    }
    with (tmp_path / "registry.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "driftline_registry"], env=env, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError((tmp_path / "registry.log").read_text()[-3000:])


def test_the_first_model_becomes_champion_and_a_retrain_no_better_than_it_is_rejected(
    world: dict[str, Any], bus: Any, model_name: str, tmp_path: Path
) -> None:
    registry, registry_url = start_registry(world, tmp_path)
    env = {**world["env"], "DRIFTLINE_REGISTRY_URL": registry_url}
    service = ServiceProcess(env, tmp_path / "service.log")
    try:
        service.start()
        command = bus.publisher.publish(
            TrainingRequested(model_name=model_name, reason="bootstrap")
        )
        first = {
            type(m.event): m.event
            for m in bus.workflow(command.correlation_id, until=ModelPromoted)
        }
        trained = first[ModelTrained]
        assert first[ModelEvaluated].decision == "promote"
        champion = httpx.get(f"{registry_url}/models/{model_name}/champion").json()
        assert (champion["version"], champion["run_id"]) == (1, trained.run_id)
        assert champion["artifact_sha256"] == trained.artifact_sha256

        end = trained.lineage.data_window.end
        drift = bus.publisher.publish(
            DriftDetected(
                model_name=model_name,
                model_version=1,
                kind="data",
                severity="high",
                sample_size=500,
                window=DataWindow(start=end, end=end),
            )
        )
        second = {
            type(m.event): m.event for m in bus.workflow(drift.correlation_id, until=ModelRejected)
        }
        evaluated = second[ModelEvaluated]
        assert evaluated.champion_version == 1  # read from the registry's champion route
        assert evaluated.decision == "reject"
        assert second[ModelTrained].run_id == evaluated.run_id != trained.run_id
        still = httpx.get(f"{registry_url}/models/{model_name}/champion").json()
        assert still["version"] == 1
    finally:
        if service.process is not None and service.process.poll() is None:
            service.kill()
        registry.kill()
        registry.wait(10)
