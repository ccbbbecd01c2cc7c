"""Triggers arriving: translated by the handlers, admitted or refused, queued or superseded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from driftline.events import TrainingFailed
from driftline_training.handlers import trigger_type
from driftline_training.metrics import TRIGGERS


def count(outcome: str, trigger: str = "manual") -> float:
    return TRIGGERS.labels("loan_default", trigger, outcome)._value.get()  # type: ignore[attr-defined, no-any-return]


def test_a_training_request_is_queued_as_a_manual_trigger(harness: Any) -> None:
    meta = harness.request(reason="manual", force=True, window_days=3)
    (queued,) = harness.app.store.pending()
    assert queued.trigger_type == "manual"
    assert queued.force
    assert queued.window_days == 3
    assert queued.meta == meta


def test_request_reasons_name_schedule_and_bootstrap_triggers() -> None:
    assert trigger_type("schedule") == "schedule"
    assert trigger_type("Bootstrap") == "bootstrap"
    assert trigger_type("someone asked nicely") == "manual"


def test_drift_detected_is_queued_as_a_drift_trigger_counting_from_its_window(
    harness: Any,
) -> None:
    meta = harness.drift(start=harness.clock() - timedelta(minutes=30))
    (queued,) = harness.app.store.pending()
    assert queued.trigger_type == "drift"
    assert queued.reason == "data drift (high) on v1"
    assert queued.event_id == meta.id
    assert queued.since == harness.clock() - timedelta(minutes=30)
    assert queued.not_before is None


def test_a_newer_trigger_supersedes_the_queued_one(harness: Any) -> None:
    before = count("superseded")
    harness.request()
    newest = harness.drift()
    assert [t.event_id for t in harness.app.store.pending()] == [newest.id]
    assert count("superseded") == before + 1


def test_a_request_inside_the_cooldown_is_refused_without_a_failure(harness: Any) -> None:
    harness.request()
    assert harness.app.worker.drain() == ["trained"]
    harness.clock.advance(minutes=1)
    before = count("cooldown")
    harness.request()
    assert harness.app.store.pending() == []
    assert count("cooldown") == before + 1
    assert harness.events(TrainingFailed) == []


def test_a_drift_inside_the_cooldown_waits_for_its_end_without_a_fetch(harness: Any) -> None:
    harness.request(reason="bootstrap")
    assert harness.app.worker.drain() == ["trained"]
    trained_at = harness.clock()
    harness.clock.advance(minutes=1)
    before, published = count("waiting", "drift"), len(harness.events())
    meta = harness.drift()
    (waiting,) = harness.app.store.pending()
    assert waiting.event_id == meta.id
    assert waiting.not_before == trained_at + timedelta(minutes=5)  # the spec's cooldown
    assert count("waiting", "drift") == before + 1
    fetched = len(harness.sets.calls)
    assert harness.app.worker.drain() == []  # not before the cooldown's end
    assert len(harness.sets.calls) == fetched
    assert len(harness.events()) == published


def test_an_unknown_model_is_answered_with_training_failed(harness: Any) -> None:
    meta = harness.request(model_name="nope")
    harness.app.relay.flush()
    (failed,) = harness.events(TrainingFailed)
    assert failed.error_type == "UnknownModelError"
    assert "'nope' is not in the project spec" in failed.reason
    assert failed.run_id is None
    assert harness.metas()[0].correlation_id == meta.correlation_id
    assert harness.app.store.pending() == []


def test_a_non_positive_window_is_answered_with_training_failed(harness: Any) -> None:
    harness.request(window_days=0)
    harness.app.relay.flush()
    (failed,) = harness.events(TrainingFailed)
    assert failed.error_type == "InvalidTrigger"
    assert "window_days must be at least 1" in failed.reason
