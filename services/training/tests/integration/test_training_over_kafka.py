"""The training service as a process, on a real broker, with real HTTP neighbours."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pandas as pd
import pytest
from driftline.events import (
    DataWindow,
    DriftDetected,
    ModelEvaluated,
    ModelTrained,
    TrainingFailed,
    TrainingRequested,
    TrainingStarted,
)
from driftline.spec import load_spec
from driftline_training.synthetic import synthetic_rows, to_parquet
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.integration


def types(messages: list[Any]) -> list[str]:
    return [type(m.event).__name__ for m in messages]


def triggers(url: str, model: str, outcome: str) -> float:
    """The service's driftline_training_triggers_total of one model and outcome."""
    for family in text_string_to_metric_families(httpx.get(f"{url}/metrics").text):
        for sample in family.samples:
            mine = {"model": model, "outcome": outcome}.items() <= sample.labels.items()
            if sample.name == "driftline_training_triggers_total" and mine:
                return float(sample.value)
    return 0.0


def champion_of(trained: ModelTrained, version: int) -> dict[str, Any]:
    return {"model_name": trained.model_name, "version": version, "run_id": trained.run_id,
            "artifact_uri": trained.artifact_uri, "artifact_sha256": trained.artifact_sha256,
            "flavor": trained.flavor, "champion_since": None}  # fmt: skip


def test_a_training_request_yields_started_trained_evaluated_under_one_correlation_id(
    service: Any, bus: Any, model_name: str
) -> None:
    command = bus.publisher.publish(TrainingRequested(model_name=model_name, reason="bootstrap"))
    workflow = bus.workflow(command.correlation_id, until=ModelEvaluated)
    assert types(workflow) == ["TrainingRequested", "TrainingStarted", "ModelTrained",
                               "ModelEvaluated"]  # fmt: skip
    _, started, trained, evaluated = workflow
    assert {m.meta.causation_id for m in workflow[1:]} == {command.id}
    assert {m.key for m in workflow} == {model_name}
    assert started.event.run_id == trained.event.run_id == evaluated.event.run_id
    assert trained.event.lineage.feature_view_versions == {"loans": "v-test"}
    assert trained.event.lineage.row_count > 1000
    assert trained.event.lineage.trigger_event_id == command.id
    assert trained.event.artifact_uri.startswith("file://")
    assert evaluated.event.decision == "promote"
    assert evaluated.event.baseline_score == 0.5
    assert evaluated.event.ci_low > evaluated.event.min_improvement


def test_drift_retrains_and_the_gate_rejects_a_challenger_no_better_than_the_champion(
    service: Any, bus: Any, model_name: str, world: dict[str, Any]
) -> None:
    first = bus.publisher.publish(TrainingRequested(model_name=model_name))
    trained = next(m.event for m in bus.workflow(first.correlation_id, until=ModelEvaluated)
                   if isinstance(m.event, ModelTrained))  # fmt: skip
    world["registry"].champion = champion_of(trained, version=1)  # the registry promoted it
    started = trained.lineage.data_window.end
    drift = bus.publisher.publish(DriftDetected(model_name=model_name, model_version=1,
                                                kind="data", severity="high", sample_size=500,
                                                window=DataWindow(start=started, end=started)))  # fmt: skip
    workflow = bus.workflow(drift.correlation_id, until=ModelEvaluated)
    assert types(workflow) == ["DriftDetected", "TrainingStarted", "ModelTrained",
                               "ModelEvaluated"]  # fmt: skip
    assert workflow[1].event.trigger_type == "drift"
    evaluated = workflow[3].event
    assert evaluated.champion_version == 1
    assert evaluated.champion_score is not None
    assert evaluated.decision == "reject"
    assert any(reason.startswith("not significantly better") for reason in evaluated.reasons)


def test_the_service_answers_health_readiness_and_metrics_over_http(service: Any) -> None:
    assert httpx.get(f"{service.url}/healthz").json()["status"] == "ok"
    ready = httpx.get(f"{service.url}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"feature_service": "ok", "registry": "ok", "run_store": "ok"}
    assert "driftline_training_runs_total" in httpx.get(f"{service.url}/metrics").text
    assert service.terminate() == 0  # SIGTERM: finish, commit, leave the group


def test_a_run_killed_midway_is_closed_and_run_again_after_a_restart(
    service: Any, bus: Any, model_name: str, world: dict[str, Any]
) -> None:
    registry = world["registry"]
    registry.stall_s, registry.asked = 60.0, threading.Event()  # the run hangs after starting
    command = bus.publisher.publish(TrainingRequested(model_name=model_name))
    bus.workflow(command.correlation_id, until=TrainingStarted)
    assert registry.asked.wait(60)
    service.kill()  # SIGKILL inside the run: nothing after TrainingStarted was done
    registry.stall_s = 0.0
    service.start()
    workflow = bus.workflow(command.correlation_id, until=ModelEvaluated)
    assert types(workflow) == ["TrainingRequested", "TrainingStarted", "TrainingFailed",
                               "TrainingStarted", "ModelTrained", "ModelEvaluated"]  # fmt: skip
    failed = workflow[2].event
    assert isinstance(failed, TrainingFailed)
    assert (failed.error_type, failed.run_id) == ("RunInterrupted", workflow[1].event.run_id)
    assert workflow[3].event.run_id != failed.run_id


@pytest.mark.parametrize("retrain", [{"min_new_labelled_rows": 50}])
def test_a_drift_waits_until_enough_labels_exist_then_trains(
    service: Any, bus: Any, model_name: str, world: dict[str, Any]
) -> None:
    first = bus.publisher.publish(TrainingRequested(model_name=model_name, reason="bootstrap"))
    bus.workflow(first.correlation_id, until=ModelEvaluated)
    onset = datetime.now(UTC)  # every row the feature route has is older
    drift = bus.publisher.publish(DriftDetected(model_name=model_name, model_version=1,
                                                kind="data", severity="high", sample_size=500,
                                                window=DataWindow(start=onset, end=onset)))  # fmt: skip
    deadline = time.monotonic() + 60
    while triggers(service.url, model_name, "waiting") < 1:
        assert time.monotonic() < deadline, "the drift trigger never started waiting"
        time.sleep(0.2)
    spec = load_spec(world["spec_path"])
    labelled = synthetic_rows(spec, model_name, 80, onset, datetime.now(UTC), seed=3)
    rows = pd.concat([pd.read_parquet(world["parquet"]), labelled], ignore_index=True)
    arriving = world["parquet"].with_suffix(".new")
    arriving.write_bytes(to_parquet(rows))
    arriving.replace(world["parquet"])  # labels arrive: 80 rows since the drift began
    workflow = bus.workflow(drift.correlation_id, until=ModelEvaluated)
    # nothing was published while the trigger waited
    assert types(workflow) == ["DriftDetected", "TrainingStarted", "ModelTrained",
                               "ModelEvaluated"]  # fmt: skip
    assert {m.meta.causation_id for m in workflow[1:]} == {drift.id}
    assert workflow[1].event.trigger_type == "drift"
