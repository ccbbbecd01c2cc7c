"""The queue worker: recovery after a crash, publishing retries, and its thread's life."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from driftline.events import ModelEvaluated, TrainingFailed, TrainingStarted
from driftline_training.outbox import caused_by


def crash_after_claim(harness: Any, started: bool, attempt: int = 1) -> Any:
    """Leave the store as a process killed mid-run would: a claim in flight."""
    meta = harness.request()
    store = harness.app.store
    if attempt > 1:
        (pending,) = store.pending()
        store.enqueue(replace(pending, attempt=attempt))
    claim = store.claim_next("run-killed", harness.clock())
    if started:
        event = TrainingStarted(model_name="loan_default", run_id="run-killed",
                                trigger_type="manual", data_window=_window(harness))  # fmt: skip
        claim = store.start(claim, caused_by(claim.trigger, event, "driftline/training"))
    return meta


def _window(harness: Any) -> Any:
    from driftline.events import DataWindow

    return DataWindow(start=harness.clock(), end=harness.clock())


def test_a_claim_that_never_started_goes_back_to_the_queue_silently(harness: Any) -> None:
    meta = crash_after_claim(harness, started=False)
    assert harness.app.worker.recover() == 1
    assert [t.event_id for t in harness.app.store.pending()] == [meta.id]
    assert harness.app.worker.drain() == ["trained"]
    assert isinstance(harness.events()[0], TrainingStarted)


def test_a_run_cut_short_is_closed_with_training_failed_and_retried(harness: Any) -> None:
    meta = crash_after_claim(harness, started=True)
    harness.app.worker.recover()
    assert harness.app.worker.drain() == ["trained"]
    kinds = [type(e).__name__ for e in harness.events()]
    assert kinds == ["TrainingStarted", "TrainingFailed", "TrainingStarted", "ModelTrained",
                     "ModelEvaluated"]  # fmt: skip
    failed = harness.events(TrainingFailed)[0]
    assert (failed.error_type, failed.run_id) == ("RunInterrupted", "run-killed")
    assert "queued again" in failed.reason
    assert {m.correlation_id for m in harness.metas()} == {meta.correlation_id}


def test_a_trigger_cut_short_too_often_is_given_up(harness: Any) -> None:
    crash_after_claim(harness, started=True, attempt=2)
    harness.app.worker.recover()
    harness.app.relay.flush()
    assert harness.app.store.pending() == []
    (failed,) = harness.events(TrainingFailed)
    assert "giving up after 2 interrupted run(s)" in failed.reason


def test_events_the_broker_refused_are_published_later_in_order(
    harness_factory: Callable[..., Any],
) -> None:
    from driftline.bus import FakePublisher

    class FlakyPublisher(FakePublisher):
        failures = 3  # after TrainingStarted, after the run, and drain's last try

        def publish(self, event: Any, **kw: Any) -> Any:
            if self.failures:
                self.failures -= 1
                raise RuntimeError("broker away")
            return super().publish(event, **kw)

    harness = harness_factory(publisher=FlakyPublisher(source="driftline/training"))
    harness.request()
    assert harness.app.worker.drain() == ["trained"]
    assert harness.events() == []  # every try refused: the events wait in the outbox
    assert len(harness.app.store.outbox()) == 3
    ids = [o.meta.id for _, o in harness.app.store.outbox()]
    assert harness.app.relay.flush()
    assert [m.id for m in harness.metas()] == ids
    assert harness.app.store.outbox() == []


def test_the_worker_thread_runs_what_is_queued_and_stops_when_asked(harness: Any) -> None:
    worker = harness.app.worker
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        harness.request()
        deadline = time.monotonic() + 60
        while not harness.events(ModelEvaluated) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
        thread.join(10)
    assert not thread.is_alive()
    assert len(harness.events(ModelEvaluated)) == 1
