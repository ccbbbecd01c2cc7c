"""The monitoring worker as a real process on the real broker: drift found within one window of
a known shift, no alarm on the same stream unshifted, concept drift on labelled outcomes, a
canary verdict in the canary's workflow, and poison records dead-lettered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from confluent_kafka import Producer
from driftline.bus import KafkaPublisher
from driftline.events import (
    CanaryVerdict,
    DriftDetected,
    Label,
    LabelsObserved,
    ModelPromoted,
)  # fmt: skip
from driftline.settings import DriftlineSettings
from driftline.testing.kafka import read_topic
from driftline_monitoring.testing import LoanStream, logged

from .conftest import Worker

pytestmark = pytest.mark.integration
WINDOW, WINDOWS = 200, 20
SHIFT_AT = 10 * WINDOW + WINDOW // 2


def publisher(worker: Worker, *, wait: bool = False) -> KafkaPublisher:
    settings = DriftlineSettings(kafka_bootstrap_servers=worker.bootstrap)
    return KafkaPublisher(settings, worker.codec, source="it/serving", wait=wait)


def closed(worker: Worker, model: str) -> int:
    return int(worker.drift(model)["counts"].get("closed", 0))


def test_a_shift_is_detected_within_one_window_and_the_steady_stream_raises_no_alarm(
    worker: Worker,
) -> None:
    shifted, steady = worker.models["shifted"], worker.models["steady"]
    out = publisher(worker)
    rows = list(zip(LoanStream(11, shift_at=SHIFT_AT).rows(WINDOW * WINDOWS),
                    LoanStream(12).rows(WINDOW * WINDOWS), strict=True))  # fmt: skip
    # Serving's pace, not one burst: a backlog over six partitions would be read partition by
    # partition, out of event-time order, and blur where the shift is.
    for k in range(WINDOWS):
        for a, b in rows[k * WINDOW : (k + 1) * WINDOW]:
            out.publish(logged(a, shifted))
            out.publish(logged(b, steady))
        out.flush()
        worker.wait_for(f"window {k + 1}", lambda k=k: min(closed(worker, "shifted"),
                                                          closed(worker, "steady")) > k)  # fmt: skip

    [(alert, headers)] = worker.events("driftline.models", DriftDetected, "shifted", want=1)
    false_alarms = worker.events("driftline.models", DriftDetected, "steady", timeout=5)
    history = worker.drift("shifted")["history"]
    alerted = [i for i, w in enumerate(history) if w["alerted"]]
    delay = (alerted[0] + 1) * WINDOW - SHIFT_AT
    print(f"\nbroker: shift at prediction {SHIFT_AT}; DriftDetected when window {alerted[0] + 1} of "
          f"{WINDOWS} closed, {delay} predictions ({delay / WINDOW:.2f} windows) after the shift; "
          f"steady stream: {len(false_alarms)} false alarm(s) in {WINDOWS} windows")  # fmt: skip
    assert alerted == [SHIFT_AT // WINDOW] or alerted == [SHIFT_AT // WINDOW + 1]
    assert 0 < delay <= WINDOW
    assert len(false_alarms) == 0
    assert worker.drift("shifted")["references"] == {"1": "feature_service"}
    assert (alert.kind, alert.model_version, alert.sample_size) == ("data", 1, WINDOW)
    assert {"income", "region"} <= {t.feature for t in alert.tests if t.drifted}
    assert headers["ce_source"] == "driftline/monitoring"
    assert headers["correlation_id"] == headers["ce_id"]  # the root of a new drift incident
    assert "causation_id" not in headers


def test_a_model_that_stops_being_right_raises_a_concept_drift(worker: Worker) -> None:
    model = worker.models["concept"]
    rows = list(LoanStream(13, concept_at=1500).rows(3000))
    out = publisher(worker)
    for row in rows:
        out.publish(logged(row, model))
    out.flush()
    worker.wait_for("the predictions", lambda: sum(
        w["size"] for w in worker.drift("concept")["history"]) + 200 > 3000)  # fmt: skip
    for start in range(0, 3000, 500):
        labels = [Label(prediction_id=f"{model}-champion-{r.index}", value=r.label)
                  for r in rows[start:start + 500]]  # fmt: skip
        out.publish(LabelsObserved(dataset="loans", batch_id=f"{model}-{start}", labels=labels,
                                   storage_path="memory"))  # fmt: skip
    out.flush()
    [(alert, _)] = worker.events("driftline.models", DriftDetected, "concept", want=1)
    print(f"\nconcept drift at labelled prediction 1500: {alert.detector} fired, severity "
          f"{alert.severity}, window {alert.window.start:%H:%M:%S}-{alert.window.end:%H:%M:%S}")  # fmt: skip
    assert (alert.kind, alert.detector) == ("concept", "adwin")
    assert alert.window.start >= rows[1400].event_time
    [evidence] = alert.tests
    assert evidence.value > evidence.threshold  # recent error above the error before


def test_a_worse_canary_gets_a_rollback_verdict_in_the_canary_workflow(worker: Worker) -> None:
    model = worker.models["canary"]
    lifecycle = publisher(worker, wait=True)
    base = {"model_name": model, "run_id": "r", "artifact_uri": "a", "artifact_sha256": "s",
            "reason": "test"}  # fmt: skip
    lifecycle.publish(ModelPromoted(version=1, **base))
    started = lifecycle.publish(
        ModelPromoted(version=2, previous_version=1, rollout="canary", **base)
    )
    worker.wait_for("the canary trial", lambda: worker.drift("canary")["canary"] is not None)
    now = datetime.now(UTC)
    rows = list(LoanStream(14).rows(400))
    out = publisher(worker)
    for row in rows:
        role, version = ("canary", 2) if row.index % 2 else ("champion", 1)
        wrong = role == "canary" and row.index % 4 == 1  # the canary is wrong one time in two
        event = logged(row, model, role=role, version=version, prediction=row.label ^ wrong)
        out.publish(event.model_copy(update={"event_time": now}))
    out.flush()
    labels = [Label(prediction_id=f"{model}-{'canary' if r.index % 2 else 'champion'}-{r.index}",
                    value=r.label) for r in rows]  # fmt: skip
    worker.wait_for("both roles' windows", lambda: closed(worker, "canary") >= 2)
    out.publish(LabelsObserved(dataset="loans", batch_id=f"{model}-labels", labels=labels,
                               storage_path="memory"))  # fmt: skip
    out.flush()
    [(verdict, headers)] = worker.events("driftline.models", CanaryVerdict, "canary", want=1)
    assert (verdict.verdict, verdict.canary_version, verdict.champion_version) == ("rollback", 2, 1)
    assert verdict.champion_metrics["accuracy"] == 1.0
    assert verdict.canary_metrics["accuracy"] == pytest.approx(0.5, abs=0.05)
    assert headers["causation_id"] == started.id
    assert headers["correlation_id"] == started.correlation_id


def test_poison_records_are_dead_lettered_and_the_worker_keeps_going(worker: Worker) -> None:
    poison = f"not avro {uuid.uuid4()}".encode()
    producer = Producer({"bootstrap.servers": worker.bootstrap})
    producer.produce("driftline.predictions", value=poison, key=b"x")
    producer.flush(10)
    records = read_topic(worker.bootstrap, "driftline.predictions.dlq",
                         want=lambda rs: any(r.value == poison for r in rs), timeout=60)  # fmt: skip
    [dead] = [r for r in records if r.value == poison]
    headers = {k: v.decode() for k, v in dead.headers}
    assert headers["dlq_service"] == "monitoring"
    assert headers["dlq_reason"] == "undecodable"
    assert worker.process.poll() is None
    assert worker.drift("steady")["model"] == worker.models["steady"]
