"""The faust app factory and the CLI, each as a real process against the real broker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.events import ModelRetired, TrainingRequested
from driftline.settings import DriftlineSettings

pytestmark = pytest.mark.integration
HERE = Path(__file__).parent
CLI = [sys.executable, "-m", "driftline.cli"]


def test_faust_app_consumes_typed_events_into_a_table(kafka_bootstrap: str, tmp_path: Path) -> None:
    settings = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap)
    model = f"m-{uuid.uuid4().hex[:8]}"
    publisher = KafkaPublisher(settings, EventCodec.from_settings(settings), source="t")
    for version in (1, 2, 3):
        publisher.publish(
            ModelRetired(model_name=model, version=version, reason="r", retired_by="t")
        )
    out = tmp_path / "counts.txt"
    app_id = f"counter-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [sys.executable, str(HERE / "faust_counter.py"), kafka_bootstrap, app_id, str(out)],
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            lines = out.read_text().splitlines() if out.exists() else []
            if f"{model} 3 driftline.events.ModelRetired" in lines:
                break
            assert worker.poll() is None, "the faust worker died"
            time.sleep(0.5)
        assert f"{model} 3 driftline.events.ModelRetired" in out.read_text().splitlines()
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0  # graceful shutdown on SIGTERM


def test_publish_then_tail_shows_the_event_with_ce_headers(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    model = f"m-{uuid.uuid4().hex[:8]}"
    data = tmp_path / "x.json"
    data.write_text(json.dumps({"model_name": model, "reason": "quarterly refresh"}))
    env = {**os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    published = subprocess.run(
        [*CLI, "publish", "TrainingRequested", "--data", str(data)],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    event_id = published.stdout.strip()
    uuid.UUID(event_id)  # the command prints the new event's id
    tailed = subprocess.run(
        [*CLI, "tail", "driftline.models", "--json", "--idle-timeout", "3"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    rows = [json.loads(line) for line in tailed.stdout.splitlines()]
    row = next(r for r in rows if r["headers"].get("ce_id") == event_id)
    headers = row["headers"]
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == "driftline.events.TrainingRequested"
    assert headers["ce_source"] == "driftline/cli"
    assert headers["content-type"] == "application/avro"
    assert headers["correlation_id"] == event_id
    assert headers["ce_time"]
    assert row["key"] == model
    assert TrainingRequested.model_validate(row["value"]).reason == "quarterly refresh"
