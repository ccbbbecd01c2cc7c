"""Real sockets around the training service: tiny HTTP servers implementing the feature
service's training-set route (from a Parquet file) and the registry's champion route, and
the service itself as a process (``python -m driftline_training``)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
import yaml
from driftline.broker import free_port
from driftline.codec import EventCodec
from driftline.events import Event
from driftline.settings import DriftlineSettings
from driftline.spec import load_spec
from driftline.testing.kafka import read_topic
from driftline_training.synthetic import synthetic_rows, to_parquet

REPO = Path(__file__).resolve().parents[4]


class FeatureRoute(BaseHTTPRequestHandler):
    """``POST /training-sets``: the rows of the Parquet file inside [start, end)."""

    server: Any

    def do_POST(self) -> None:
        if self.path != "/training-sets":
            return self._json(404, {"detail": "not found"})
        ask = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if ask["model"] != self.server.model:
            return self._json(404, {"detail": f"unknown model {ask['model']!r}"})
        start, end = pd.Timestamp(ask["start"]), pd.Timestamp(ask["end"])
        if end <= start:
            return self._json(422, {"detail": "end must be after start"})
        frame = pd.read_parquet(self.server.parquet)
        rows = frame[(frame["event_time"] >= start) & (frame["event_time"] < end)]
        body = to_parquet(rows)
        self.send_response(200)
        for name, value in {
            "content-type": "application/vnd.apache.parquet",
            "content-length": str(len(body)),
            "x-row-count": str(len(rows)),
            "x-content-sha256": hashlib.sha256(body).hexdigest(),
            "x-feature-view-versions": json.dumps({"loans": "v-test"}),
        }.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        return None

    def do_GET(self) -> None:
        self._json(200 if self.path == "/healthz" else 404, {"status": "ok"})

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return None


class RegistryRoute(FeatureRoute):
    """``GET /models/{name}/champion``: the champion the test set, 404 before; can stall."""

    def do_GET(self) -> None:
        if self.path == "/healthz":
            return self._json(200, {"status": "ok"})
        if self.path != f"/models/{self.server.model}/champion":
            return self._json(404, {"detail": "unknown model"})
        self.server.asked.set()
        time.sleep(self.server.stall_s)
        if self.server.champion is None:
            return self._json(404, {"detail": "no champion yet"})
        return self._json(200, self.server.champion)


def start_server(handler: type[BaseHTTPRequestHandler], **state: Any) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    for key, value in state.items():
        setattr(server, key, value)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class ServiceProcess:
    """``python -m driftline_training`` with its settings in the environment."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.port = int(env["DRIFTLINE_TRAINING_PORT"])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "driftline_training"], env=self.env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError(f"the service did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def terminate(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)


class Bus:
    """Publishes and reads the lifecycle topic on the session's broker."""

    def __init__(self, bootstrap: str) -> None:
        from driftline.bus import KafkaPublisher

        self.bootstrap = bootstrap
        settings = DriftlineSettings(kafka_bootstrap_servers=bootstrap)
        self.codec = EventCodec.from_settings(settings)
        self.publisher = KafkaPublisher(settings, self.codec, source="driftline/test")

    def workflow(self, correlation_id: str, until: type[Event], timeout: float = 120) -> list[Any]:
        """Decoded messages of one workflow, once an `until` event arrived in it."""

        def mine(records: list[Any]) -> list[Any]:
            decoded = [self.codec.decode(r.value, r.headers, key=r.key) for r in records]
            return [m for m in decoded if m.meta.correlation_id == correlation_id]

        def done(records: list[Any]) -> bool:
            return any(isinstance(m.event, until) for m in mine(records))

        records = read_topic(self.bootstrap, "driftline.models", want=done, timeout=timeout)
        return mine(records)


@pytest.fixture
def model_name() -> str:
    return f"loans_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def retrain() -> dict[str, Any]:
    """Retrain-policy fields a test sets on top of the world's (parametrize to change)."""
    return {}


@pytest.fixture
def world(
    tmp_path: Path, kafka_bootstrap: str, model_name: str, retrain: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """The demo spec (renamed model; cooldown and new-rows checks off unless `retrain` says
    otherwise), 30 days of rows as Parquet behind a feature route (which reads the file at
    every request), a registry route, and the service's environment."""
    raw = yaml.safe_load((REPO / "driftline.yaml").read_text())
    model = raw["models"].pop("loan_default")
    model["retrain"].update({"cooldown_minutes": 0, "min_new_labelled_rows": 0, **retrain})
    raw["models"] = {model_name: model}
    spec_path = tmp_path / "driftline.yaml"
    spec_path.write_text(yaml.safe_dump(raw))
    now = datetime.now(UTC)
    rows = synthetic_rows(load_spec(spec_path), model_name, 4000, now - timedelta(days=30), now)
    parquet = tmp_path / "loans.parquet"
    parquet.write_bytes(to_parquet(rows))
    features = start_server(FeatureRoute, model=model_name, parquet=parquet)
    registry = start_server(RegistryRoute, model=model_name, champion=None, stall_s=0.0,
                            asked=threading.Event())  # fmt: skip
    env = {
        **os.environ,
        "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "DRIFTLINE_SPEC_PATH": str(spec_path),
        "DRIFTLINE_STATE_DIR": str(tmp_path / "state"),
        "DRIFTLINE_ARTIFACT_STORE_URL": str(tmp_path / "artifacts"),
        "DRIFTLINE_FEATURES_URL": f"http://127.0.0.1:{features.server_port}",
        "DRIFTLINE_REGISTRY_URL": f"http://127.0.0.1:{registry.server_port}",
        "DRIFTLINE_LOG_JSON": "false",
        "DRIFTLINE_TRAINING_PORT": str(free_port()),
        "DRIFTLINE_TRAINING_GROUP_ID": f"training-{uuid.uuid4().hex[:8]}",
        "DRIFTLINE_TRAINING_IDLE_POLL_S": "0.2",
        "DRIFTLINE_TRAINING_RECHECK_S": "0.5",
    }
    yield {"env": env, "registry": registry, "features": features, "tmp": tmp_path,
           "spec_path": spec_path, "parquet": parquet}  # fmt: skip
    for server in (features, registry):
        server.shutdown()
        server.server_close()


@pytest.fixture
def service(world: dict[str, Any]) -> Iterator[ServiceProcess]:
    process = ServiceProcess(world["env"], world["tmp"] / "service.log")
    process.start()
    yield process
    if process.process is not None and process.process.poll() is None:
        process.kill()


@pytest.fixture
def bus(kafka_bootstrap: str) -> Bus:
    return Bus(kafka_bootstrap)
