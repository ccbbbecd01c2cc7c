"""A real monitoring worker process (``python -m driftline_monitoring``) on the session's broker,
with a stub of the registry and feature service APIs that serve a reference profile."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from driftline.broker import free_port
from driftline.codec import EventCodec
from driftline.events import Event
from driftline.settings import DriftlineSettings
from driftline.testing.kafka import read_topic
from driftline_monitoring.testing import FEATURES, LoanStream, feature_stats

STATS = json.dumps(feature_stats(list(LoanStream(seed=999).rows(20_000)))).encode()
DRIFT = {"window": 200, "min_samples": 150, "p_value": 0.001, "psi_threshold": 0.2,
         "cooldown_minutes": 10, "concept_detector": "adwin"}  # fmt: skip


class PlatformStub(BaseHTTPRequestHandler):
    """The registry knows the `known` models (lineage: dataset loans); the feature service
    answers the loans statistics. Everything else is a 404."""

    known: set[str] = set()

    def do_GET(self) -> None:
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts[:1] == ["models"] and parts[1] in self.known:
            window = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"}
            body = json.dumps(
                {"lineage": {"training": {"dataset": "loans", "data_window": window}}}
            ).encode()
        elif parts[:3] == ["datasets", "loans", "stats"]:
            body = STATS
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@dataclass
class Worker:
    bootstrap: str
    url: str
    models: dict[str, str]
    process: subprocess.Popen[bytes]
    codec: EventCodec

    def drift(self, model: str) -> dict[str, Any]:
        return httpx.get(f"{self.url}/drift/{self.models[model]}", timeout=5).json()  # type: ignore[no-any-return]

    def wait_for(self, what: str, check: Callable[[], bool], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the monitoring worker died"
            if check():
                return
            time.sleep(0.3)
        raise AssertionError(f"timed out waiting for {what}")

    def events(self, topic: str, cls: type[Event], model: str, *, want: int = 0,
               timeout: float = 20) -> list[tuple[Event, dict[str, str]]]:  # fmt: skip
        name = self.models[model]

        def decode(records: list[Any]) -> list[tuple[Event, dict[str, str]]]:
            found = []
            for record in records:
                if record.key_text != name:
                    continue
                message = self.codec.decode(record.value, record.headers, topic=topic)
                if isinstance(message.event, cls):
                    found.append((message.event, {k: v.decode() for k, v in record.headers}))
            return found

        records = read_topic(self.bootstrap, topic, timeout=timeout,
                             want=(lambda rs: len(decode(rs)) >= want) if want else None)  # fmt: skip
        return decode(records)


def write_spec(path: Path, models: dict[str, str]) -> None:
    features = {n: {"type": t} | ({"categories": ["north", "south", "east", "west"]}
                                   if t == "category" else {}) for n, t in FEATURES.items()}  # fmt: skip
    spec = {
        "project": "monitoring_it",
        "datasets": {"loans": {"entity_key": "application_id", "features": features,
                               "label": {"name": "defaulted"}}},
        "models": {name: {"dataset": "loans", "estimator": {"name": "logistic_regression"},
                          "drift": DRIFT} for name in models.values()},
    }  # fmt: skip
    path.write_text(yaml.safe_dump(spec))


@pytest.fixture(scope="module")
def worker(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    home = tmp_path_factory.mktemp("monitoring")
    suffix = uuid.uuid4().hex[:8]
    models = {role: f"{role}_{suffix}" for role in ("shifted", "steady", "canary", "concept")}
    write_spec(home / "driftline.yaml", models)
    PlatformStub.known = {models["shifted"], models["steady"]}  # the others fall back
    stub = ThreadingHTTPServer(("127.0.0.1", 0), PlatformStub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    stub_url = f"http://127.0.0.1:{stub.server_address[1]}"
    port = free_port()
    env = {**os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "DRIFTLINE_SPEC_PATH": str(home / "driftline.yaml"), "DRIFTLINE_STATE_DIR": str(home / "var"),
           "DRIFTLINE_REGISTRY_URL": stub_url, "DRIFTLINE_FEATURES_URL": stub_url,
           "DRIFTLINE_MONITORING_PORT": str(port), "DRIFTLINE_MONITORING_APP_ID": f"monitoring-{suffix}",
           "DRIFTLINE_LOG_JSON": "false", "DRIFTLINE_LOG_LEVEL": "WARNING"}  # fmt: skip
    log = (home / "worker.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "driftline_monitoring"], env=env, cwd=home,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    codec = EventCodec.from_settings(DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap))
    handle = Worker(kafka_bootstrap, f"http://127.0.0.1:{port}", models, process, codec)

    def ready() -> bool:
        try:
            return httpx.get(f"{handle.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        handle.wait_for("the worker to be ready", ready, timeout=90)
        yield handle
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(60)
        stub.shutdown()
        stub.server_close()
        log.close()
        assert code == 0, (home / "worker.log").read_text()[-4000:]
