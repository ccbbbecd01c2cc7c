"""The outbox under a real crash: `python -m driftline_registry` killed with SIGKILL between
the commit of a state change and the relay, then restarted: the announcement reaches the
real broker exactly once (counted on the topic)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from driftline.broker import free_port
from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.settings import DriftlineSettings

pytestmark = pytest.mark.integration


class RegistryProcess:
    """One real registry process with its environment and log file."""

    def __init__(self, env: dict[str, str], log: Path, port: int) -> None:
        self.env, self.log_path, self.base = env, log, f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, **extra_env: str) -> RegistryProcess:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "driftline_registry"],
                                         env={**self.env, **extra_env}, stdout=log, stderr=log)  # fmt: skip
        return self

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(10) == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def wait_http(kit: Any, proc: RegistryProcess, path: str, check: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        assert proc.alive(), f"the registry exited; log:\n{proc.log_path.read_text()[-3000:]}"
        status, last = kit.http(proc.base, "GET", path)
        if status == 200 and check(last):
            return last
        time.sleep(0.1)
    raise AssertionError(f"GET {path} never satisfied the check; last: {last}")


@pytest.fixture
def processes() -> Iterator[list[RegistryProcess]]:
    started: list[RegistryProcess] = []
    yield started
    for proc in started:
        proc.stop()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_killed_between_commit_and_relay_the_announcement_is_published_exactly_once(
    backend: str, request: pytest.FixtureRequest, kafka_bootstrap: str, tmp_path: Path,
    build: Any, kit: Any, processes: list[RegistryProcess],
) -> None:  # fmt: skip
    name, port = f"m{uuid.uuid4().hex[:8]}_crash", free_port()
    env = {
        **os.environ,
        "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "DRIFTLINE_SPEC_PATH": str(kit.write_spec(tmp_path / "driftline.yaml", {name: "full"})),
        "DRIFTLINE_STATE_DIR": str(tmp_path / "state"),
        "DRIFTLINE_LOG_JSON": "false",
        "DRIFTLINE_REGISTRY_DATABASE_URL": kit.database_url(backend, request, tmp_path),
        "DRIFTLINE_REGISTRY_PORT": str(port),
        "DRIFTLINE_REGISTRY_GROUP_ID": f"registry-crash-{name}",
    }
    common = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap)
    codec = EventCodec.from_settings(common)
    tap = kit.BusTap(kafka_bootstrap, codec).start()
    registered = tap.of(name, "ModelRegistered")
    try:
        first = RegistryProcess(env, tmp_path / "registry.log", port)
        processes.append(first.start(DRIFTLINE_REGISTRY_RELAY_START_DELAY_S="3600"))
        wait_http(kit, first, "/healthz", lambda body: body["status"] == "ok")
        trained = KafkaPublisher(common, codec, source="test/training").publish(
            build.trained(model=name, run_id="r1")
        )
        wait_http(kit, first, f"/models/{name}/versions/1", lambda v: v["status"] == "candidate")
        metrics = wait_http(
            kit, first, "/metrics", lambda text: "driftline_outbox_pending 1.0" in text
        )
        assert "driftline_outbox_pending 1.0" in metrics  # committed, not yet relayed
        first.kill()
        assert [r for r in tap.records if registered(r)] == []

        second = RegistryProcess(env, tmp_path / "registry.log", port)
        processes.append(second.start())
        [announced] = tap.wait_for(registered, timeout=60)
        wait_http(kit, second, "/metrics", lambda text: "driftline_outbox_pending 0.0" in text)
        time.sleep(3)  # room for a duplicate to show up, were there one
        assert len([r for r in tap.records if registered(r)]) == 1
        assert announced.headers["causation_id"] == trained.id
        assert announced.headers["correlation_id"] == trained.correlation_id
        history = wait_http(kit, second, f"/models/{name}/history", lambda h: len(h) == 1)
        assert history[0]["announced_by"] == announced.headers["ce_id"]
        assert history[0]["event_id"] == trained.id
    finally:
        tap.stop()
