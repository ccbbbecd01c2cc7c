"""`python -m driftline_features` as a real process: HTTP over a socket, a real broker, real files."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from driftline.broker import free_port
from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec
from driftline_features.testing import OfflineBatchWriter, data_ingested, utc

pytestmark = pytest.mark.integration


@dataclass
class Running:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    common: DriftlineSettings


def call(url: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, str], bytes]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@pytest.fixture(scope="module")
def running(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory, spec: ProjectSpec
) -> Iterator[Running]:
    tmp = tmp_path_factory.mktemp("features-process")
    spec_path = tmp / "driftline.yaml"
    spec_path.write_text(yaml.safe_dump(spec.model_dump(mode="json", exclude_none=True)))
    port = free_port()
    env = {**os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "DRIFTLINE_SPEC_PATH": str(spec_path), "DRIFTLINE_STATE_DIR": str(tmp / "state"),
           "DRIFTLINE_OFFLINE_STORE_URL": str(tmp / "offline"), "DRIFTLINE_LOG_JSON": "true",
           "DRIFTLINE_CONSUMER_RETRY_BACKOFF_S": "0.01", "DRIFTLINE_FEATURES_PORT": str(port),
           "DRIFTLINE_FEATURES_GROUP_ID": f"features-{uuid.uuid4().hex[:8]}", "FEAST_USAGE": "False"}  # fmt: skip
    log = tmp / "service.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "driftline_features"], env=env,
                                stdout=sink, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the service exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if call(f"{url}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"the service did not answer /healthz in 90 s:\n{log.read_text()[-3000:]}")
    common = DriftlineSettings(
        kafka_bootstrap_servers=kafka_bootstrap, offline_store_url=str(tmp / "offline")
    )
    yield Running(url, proc, log, common)
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def test_the_process_is_ready_when_its_store_and_broker_answer(running: Running) -> None:
    status, _, body = call(f"{running.url}/readyz")
    assert (status, json.loads(body)["checks"]) == (200, {"online_store": "ok", "kafka": "ok"})


def test_an_ingested_batch_becomes_readable_over_http_with_its_correlation_id_in_the_logs(
    running: Running, spec: ProjectSpec
) -> None:
    writer = OfflineBatchWriter(Path(running.common.offline_store_url), spec)
    batch = writer.records("loans", "proc-1", [
        {"application_id": "p-1", "event_time": utc("2026-11-01T10:00"), "income": 7.5,
         "credit_score": 720, "region": "west", "has_mortgage": False},
    ])  # fmt: skip
    codec = EventCodec.from_settings(running.common)
    correlation = f"wf-{uuid.uuid4()}"
    KafkaPublisher(running.common, codec, source="test/ingestion").publish(
        data_ingested(batch), correlation_id=correlation
    )
    deadline = time.monotonic() + 60
    status = 404
    while status == 404 and time.monotonic() < deadline:
        status, _, body = call(f"{running.url}/online-features/loans/p-1")
        time.sleep(0.2)
    assert status == 200
    assert json.loads(body)["features"]["income"] == 7.5
    status, _, body = call(f"{running.url}/online-features",
                           {"model": "loan_default", "entity_keys": ["p-1", "nobody"]})  # fmt: skip
    assert [r["features"] for r in json.loads(body)["results"]] == [
        {"income": 7.5, "credit_score": 720, "region": "west"}, None,
    ]  # fmt: skip
    lines = [
        json.loads(line) for line in running.log.read_text().splitlines() if line.startswith("{")
    ]
    assert any(line.get("message") == "batch materialised" and line.get("correlation_id") == correlation
               for line in lines)  # fmt: skip


def test_a_training_set_is_served_as_parquet_with_its_hash(
    running: Running, spec: ProjectSpec
) -> None:
    writer = OfflineBatchWriter(Path(running.common.offline_store_url), spec)
    writer.records("loans", "proc-2", [{"application_id": "t-1", "event_time": utc("2026-11-01T00:00"),
                                        "income": 1.0, "credit_score": 500, "region": "north"}])  # fmt: skip
    writer.labels("loans", "proc-l", [{"application_id": "t-1", "event_time": utc("2026-11-02T00:00"),
                                       "defaulted": 1}])  # fmt: skip
    status, headers, body = call(f"{running.url}/training-sets", {"model": "loan_default",
                                 "start": "2026-11-01T00:00:00Z", "end": "2026-11-03T00:00:00Z"})  # fmt: skip
    assert status == 200
    assert headers["x-row-count"] == "1"
    assert headers["x-content-sha256"] == hashlib.sha256(body).hexdigest()


def test_metrics_are_exposed_with_the_driftline_prefix(running: Running) -> None:
    status, _, body = call(f"{running.url}/metrics")
    text = body.decode()
    assert status == 200
    assert "driftline_features_rows_materialized_total" in text
    assert "driftline_http_request_seconds" in text


def test_the_process_stops_cleanly_on_sigterm(running: Running) -> None:
    running.proc.send_signal(signal.SIGTERM)
    assert running.proc.wait(40) == 0
