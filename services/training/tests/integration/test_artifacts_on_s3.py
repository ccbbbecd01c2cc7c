"""Artifacts on S3 by configuration alone: a moto server over HTTP stands in for the bucket."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import s3fs
from driftline.broker import free_port
from driftline.bus import FakePublisher, Message
from driftline.envelope import Metadata
from driftline.events import ModelEvaluated, ModelTrained, TrainingRequested
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec
from driftline_training import TrainingSettings, bootstrap
from driftline_training.domain import Champion

pytestmark = pytest.mark.integration
CREDENTIALS = {"key": "moto-test-key", "secret": "moto-test-secret"}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"moto server did not start on {url}", pytrace=False)
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def test_a_run_stores_its_artifact_on_s3_and_the_next_run_reads_the_champion_from_there(
    endpoint: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spec: ProjectSpec,
    harness_factory: Callable[..., Any],
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS["key"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS["secret"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bucket = f"models-{uuid.uuid4().hex[:8]}"
    fs = s3fs.S3FileSystem(endpoint_url=endpoint, **CREDENTIALS)
    fs.mkdir(bucket)
    fakes = harness_factory()  # the feature service and registry stand-ins
    publisher = FakePublisher(source="driftline/training")
    common = DriftlineSettings(
        state_dir=tmp_path / "state",
        storage_endpoint_url=endpoint,
        artifact_store_url=f"s3://{bucket}/models",
    )
    app = bootstrap(
        TrainingSettings(common=common, code_version="test", latency_sample_rows=20),
        spec=spec,
        training_sets=fakes.sets,
        champions=fakes.champions,
        publisher=publisher,
        clock=fakes.clock,
    )

    def train() -> tuple[ModelTrained, ModelEvaluated]:
        meta = Metadata(type="driftline.events.TrainingRequested", source="test")
        app.handlers[meta.type](
            Message(TrainingRequested(model_name="loan_default", force=True), meta)
        )
        assert app.worker.drain() == ["trained"]
        trained, evaluated = publisher.events()[-2:]
        assert isinstance(trained, ModelTrained)
        assert isinstance(evaluated, ModelEvaluated)
        return trained, evaluated

    first, _ = train()
    assert first.artifact_uri.startswith(f"s3://{bucket}/models/")
    assert fs.size(first.artifact_uri) == first.artifact_size_bytes
    fakes.champions.current = Champion(1, first.artifact_uri, first.artifact_sha256, "sklearn")
    _, evaluated = train()
    assert evaluated.champion_version == 1
    assert evaluated.champion_score is not None
