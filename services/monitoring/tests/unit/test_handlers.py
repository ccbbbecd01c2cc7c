"""The handlers through `bootstrap`, with a fake publisher, reference source and state store."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from driftline.bus import FakePublisher
from driftline.events import (
    CanaryVerdict,
    DriftDetected,
    Label,
    LabelsObserved,
    ModelPromoted,
)  # fmt: skip
from driftline.spec import SpecError
from driftline_monitoring.adapters import (
    FallbackReferenceSource,
    MemoryStateStore,
    ReferenceUnavailableError,
)  # fmt: skip
from driftline_monitoring.bootstrap import Monitoring, bootstrap
from driftline_monitoring.config import MonitoringSettings
from driftline_monitoring.testing import LoanStream, logged

from .conftest import FakeReferenceSource, make_spec, message

MODEL = "loans_model"


def stream(monitoring: Monitoring, n: int, *, shift_at: int | None = None, **kw: object) -> None:
    for row in LoanStream(3, shift_at=shift_at).rows(n):
        monitoring.handle(message(logged(row, MODEL, **kw)))  # type: ignore[arg-type]


def promoted(version: int, rollout: str = "full", previous: int | None = None) -> ModelPromoted:
    return ModelPromoted(model_name=MODEL, version=version, previous_version=previous, run_id="r",
                         artifact_uri="a", artifact_sha256="s", rollout=rollout, reason="test")  # fmt: skip


def test_a_shifted_stream_publishes_one_drift_detected_that_opens_a_new_workflow(
    monitoring: Monitoring, publisher: FakePublisher
) -> None:
    stream(monitoring, 1000, shift_at=450)
    [(event, meta, _)] = publisher.published
    assert isinstance(event, DriftDetected)
    assert (event.model_name, event.model_version, event.kind) == (MODEL, 1, "data")
    assert event.sample_size == 100
    assert event.window.start < event.window.end
    assert any(t.drifted and t.feature == "income" for t in event.tests)
    assert meta.correlation_id == meta.id
    assert meta.causation_id is None


def test_labels_join_their_predictions_by_request_id_or_by_entity(monitoring: Monitoring) -> None:
    rows = list(LoanStream(4).rows(3))
    for row in rows:
        monitoring.handle(message(logged(row, MODEL, prediction=1)))
    labels = [Label(prediction_id=f"{MODEL}-champion-0", value=1),
              Label(entity_key="app-1", event_time=rows[1].event_time, value=0),
              Label(prediction_id="nobody", value=1)]  # fmt: skip
    monitoring.handle(message(LabelsObserved(dataset="loans", batch_id="b1", labels=labels,
                                             storage_path="x")))  # fmt: skip
    monitor = monitoring.context.monitors[MODEL]
    assert list(monitor.online[1]) == [0.0, 1.0]
    assert len(monitoring.context.pending) == 1


def test_a_label_batch_delivered_twice_counts_once(monitoring: Monitoring) -> None:
    monitoring.handle(message(logged(next(LoanStream(5).rows(1)), MODEL)))
    batch = LabelsObserved(dataset="loans", batch_id="b1", storage_path="x",
                           labels=[Label(prediction_id=f"{MODEL}-champion-0", value=1)])  # fmt: skip
    monitoring.handle(message(batch))
    monitoring.handle(message(batch))
    assert len(monitoring.context.monitors[MODEL].online[1]) == 1


def test_a_canary_verdict_is_caused_by_the_promotion_that_started_the_canary(
    monitoring: Monitoring, publisher: FakePublisher
) -> None:
    monitoring.handle(message(promoted(1)))
    start = message(promoted(2, "canary", previous=1), correlation_id="wf-7")
    monitoring.handle(start)
    rows = list(LoanStream(6).rows(200))
    now = datetime.now(UTC)
    for row in rows:
        role, version = ("canary", 2) if row.index % 2 else ("champion", 1)
        event = logged(row, MODEL, role=role, version=version, prediction=1)
        monitoring.handle(message(event.model_copy(update={"event_time": now})))
    labels = [Label(prediction_id=f"{MODEL}-{'canary' if r.index % 2 else 'champion'}-{r.index}",
                    value=0 if r.index % 2 else 1) for r in rows]  # fmt: skip
    monitoring.handle(message(LabelsObserved(dataset="loans", batch_id="b", labels=labels,
                                             storage_path="x")))  # fmt: skip
    [(verdict, meta, _)] = [p for p in publisher.published if isinstance(p[0], CanaryVerdict)]
    assert isinstance(verdict, CanaryVerdict)
    assert (verdict.verdict, verdict.canary_version, verdict.champion_version) == ("rollback", 2, 1)
    assert verdict.canary_metrics["accuracy"] == 0.0
    assert verdict.champion_metrics["accuracy"] == 1.0
    assert meta.causation_id == start.meta.id
    assert meta.correlation_id == "wf-7"


def test_predictions_of_models_not_in_the_spec_are_ignored(monitoring: Monitoring) -> None:
    row = next(LoanStream(1).rows(1))
    monitoring.handle(message(logged(row, "someone_else")))
    assert len(monitoring.context.pending) == 0


def test_a_restart_keeps_references_episode_and_cooldown(
    settings: MonitoringSettings, publisher: FakePublisher, store: MemoryStateStore
) -> None:
    first = bootstrap(settings, spec=make_spec(), publisher=publisher,
                      references=FakeReferenceSource(), store=store)  # fmt: skip
    stream(first, 300, shift_at=150)
    first.checkpoint()
    assert len(publisher.events(DriftDetected)) == 1
    again = FakeReferenceSource()
    second = bootstrap(settings, spec=make_spec(), publisher=publisher, references=again,
                       store=store)  # fmt: skip
    monitor = second.context.monitors[MODEL]
    assert monitor.references[1] is not None
    assert monitor.references[1].origin == "first_window"
    assert monitor.episode
    assert monitor.last_alert is not None
    for row in LoanStream(8, shift_at=0).rows(300, start=300):
        second.handle(message(logged(row, MODEL)))
    assert again.asked == []  # the reference came back from the state, not from traffic
    assert len(publisher.events(DriftDetected)) == 1  # the open episode stays silent


class FailingSource:
    def load(self, model: str, version: int) -> None:
        raise ReferenceUnavailableError("feature service down")


def test_an_unavailable_reference_falls_back_to_the_first_window_loudly(
    settings: MonitoringSettings, caplog: pytest.LogCaptureFixture
) -> None:
    source = FallbackReferenceSource(FailingSource(), window_of={MODEL: 100})
    monitoring = bootstrap(settings, spec=make_spec(), publisher=FakePublisher(),
                           references=source, store=MemoryStateStore())  # fmt: skip
    with caplog.at_level(logging.ERROR):
        stream(monitoring, 100)
    assert "learning it from the first 100 predictions" in caplog.text
    reference = monitoring.context.monitors[MODEL].references[1]
    assert reference is not None
    assert reference.origin == "first_window"


def test_a_spec_whose_minimum_sample_exceeds_its_window_is_refused(
    settings: MonitoringSettings,
) -> None:
    with pytest.raises(SpecError, match="min_samples"):
        bootstrap(settings, spec=make_spec(window=50, min_samples=80), publisher=FakePublisher(),
                  store=MemoryStateStore())  # fmt: skip


def test_events_monitoring_does_not_consume_are_left_alone(monitoring: Monitoring) -> None:
    from driftline.events import ModelRetired

    event = ModelRetired(model_name=MODEL, version=1, reason="r", retired_by="t")
    assert monitoring.handle(message(event)) is False
