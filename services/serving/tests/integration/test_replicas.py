"""`DRIFTLINE_SERVING_PROCESSES=2`: one supervisor, two whole serving replicas on one port.

Shown over the real broker with real processes: both replicas install a promoted model from
the lifecycle topic, answer on the shared port, `/metrics` adds both replicas' counts up,
SIGTERM stops everything cleanly, and a replica that dies takes the group down (non-zero
exit) rather than leaving half a service.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import yaml
from driftline.artifacts import ArtifactStore
from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.events import ModelPromoted
from driftline.settings import DriftlineSettings

from .conftest import free_port

pytestmark = pytest.mark.integration


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


def until(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


@pytest.fixture
def group(kafka_bootstrap: str, tmp_path: Path, spec_data: dict[str, Any], train_model: Any,
          online_table_writer: Any) -> Iterator[SimpleNamespace]:  # fmt: skip
    model = f"repl_{uuid.uuid4().hex[:8]}"
    spec = {**spec_data, "models": {model: spec_data["models"]["loan_default"]}}
    (tmp_path / "driftline.yaml").write_text(yaml.safe_dump(spec))
    keys = [f"app-{i}" for i in range(20)]
    online_table_writer(tmp_path / "feast" / "online.db", spec["project"], "loans",
                        "application_id", {k: {"income": 40_000.0 + i, "credit_score": 600,
                                               "region": "north", "has_mortgage": False}
                                           for i, k in enumerate(keys)})  # fmt: skip
    stored = ArtifactStore.from_url(str(tmp_path / "artifacts")).put(train_model(seed=1),
                                                                     name="model.skops")  # fmt: skip
    port = free_port()
    env = {**os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "DRIFTLINE_SPEC_PATH": str(tmp_path / "driftline.yaml"), "DRIFTLINE_LOG_JSON": "false",
           "DRIFTLINE_ARTIFACT_STORE_URL": str(tmp_path / "artifacts"),
           "DRIFTLINE_STATE_DIR": str(tmp_path / "state"), "DRIFTLINE_FEATURES_REPO_DIR":
           str(tmp_path / "feast"), "DRIFTLINE_SERVING_PORT": str(port),
           "DRIFTLINE_REGISTRY_URL": f"http://127.0.0.1:{free_port()}",  # nobody there
           "DRIFTLINE_SERVING_INSTANCE_ID": f"test-{model}", "DRIFTLINE_SERVING_PROCESSES": "2"}  # fmt: skip
    with (tmp_path / "serving.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "driftline_serving"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    settings = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap)
    group = SimpleNamespace(proc=proc, url=url, model=model, keys=keys, stored=stored,
                            log=tmp_path / "serving.log",
                            publisher=KafkaPublisher(settings, EventCodec.from_settings(settings),
                                                     source="driftline/test"))  # fmt: skip
    try:
        yield group
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in children(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.wait(10)


def replicas_positioned(group: SimpleNamespace) -> bool:
    """Every fresh connection lands on a replica whose lifecycle consumer is positioned."""
    try:
        checks = [httpx.get(f"{group.url}/readyz").json()["checks"] for _ in range(12)]
    except httpx.TransportError:
        return False
    return all(c.get("lifecycle") == "ok" for c in checks)


def test_replicas_share_the_port_install_models_and_add_up_their_metrics(
    group: SimpleNamespace,
) -> None:
    replicas = until(lambda: len(children(group.proc.pid)) == 2 and children(group.proc.pid),
                     60, "two replicas started")  # fmt: skip
    until(lambda: replicas_positioned(group), 90, f"replicas positioned\n{group.log.read_text()}")
    group.publisher.publish(ModelPromoted(
        model_name=group.model, version=1, run_id="run-1", artifact_uri=group.stored.uri,
        artifact_sha256=group.stored.sha256, rollout="full", canary_fraction=0.0, reason="test"))  # fmt: skip

    def every_connection_predicts() -> bool:  # a new connection each: both replicas asked
        codes = [httpx.post(f"{group.url}/v1/models/{group.model}/predict",
                            json={"entity_key": group.keys[i]}).status_code for i in range(12)]  # fmt: skip
        return codes == [200] * 12

    until(every_connection_predicts, 60, "both replicas serve the promoted model")
    before = predictions(group)
    answers = [httpx.post(f"{group.url}/v1/models/{group.model}/predict",
                          json={"entity_key": k}).json() for k in group.keys * 2]  # fmt: skip
    assert {a["model_version"] for a in answers} == {1}
    # 40 requests on fresh connections: split over both replicas, counted once each in total
    assert predictions(group) - before == 40
    assert all(alive(pid) for pid in replicas)

    group.proc.send_signal(signal.SIGTERM)
    assert group.proc.wait(60) == 0
    assert not any(alive(pid) for pid in replicas)


def test_a_replica_that_dies_takes_the_group_down(group: SimpleNamespace) -> None:
    replicas = until(lambda: len(children(group.proc.pid)) == 2 and children(group.proc.pid),
                     60, "two replicas started")  # fmt: skip
    os.kill(replicas[0], signal.SIGKILL)
    assert group.proc.wait(60) == 1
    assert not any(alive(pid) for pid in replicas)
    assert "a serving replica exited; stopping the others" in group.log.read_text()


def predictions(group: SimpleNamespace) -> float:
    text = httpx.get(f"{group.url}/metrics").text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("driftline_serving_predictions_total{")
               and f'model="{group.model}"' in line)  # fmt: skip
