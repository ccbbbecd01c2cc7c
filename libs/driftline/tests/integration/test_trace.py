"""`driftline trace` rebuilds one workflow, in order, and nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.events import (
    DataWindow,
    DriftDetected,
    FeatureDrift,
    ModelRetired,
    TrainingRequested,
)
from driftline.settings import DriftlineSettings

pytestmark = pytest.mark.integration


def test_trace_shows_the_workflow_in_causal_order(kafka_bootstrap: str) -> None:
    settings = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap)
    publisher = KafkaPublisher(
        settings, EventCodec.from_settings(settings), source="driftline/test"
    )
    model = f"m-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    drift = DriftDetected(
        model_name=model, model_version=1, kind="data", severity="high", sample_size=500,
        window=DataWindow(start=now - timedelta(hours=1), end=now),
        tests=[FeatureDrift(feature="income", statistic="psi", value=0.41, threshold=0.2, drifted=True)],
    )  # fmt: skip
    root = publisher.publish(drift)
    request = publisher.publish(TrainingRequested(model_name=model, reason="drift"), caused_by=root)
    publisher.publish(ModelRetired(model_name=model, version=1, reason="replaced", retired_by="t"),
                      caused_by=request)  # fmt: skip
    publisher.publish(TrainingRequested(model_name=model, reason="unrelated"))  # another workflow
    env = {**os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    result = subprocess.run(
        [sys.executable, "-m", "driftline.cli", "trace", root.correlation_id, "--json"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    steps = [json.loads(line) for line in result.stdout.splitlines()]
    assert [s["type"] for s in steps] == ["DriftDetected", "TrainingRequested", "ModelRetired"]
    assert steps[1]["causation_id"] == root.id
    assert steps[2]["causation_id"] == request.id
    assert "income:psi=0.410" in steps[0]["summary"]


def test_trace_of_an_unknown_workflow_says_so(kafka_bootstrap: str) -> None:
    env = {**os.environ, "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    result = subprocess.run(
        [sys.executable, "-m", "driftline.cli", "trace", "no-such-workflow"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "no events with correlation_id no-such-workflow" in result.stderr
