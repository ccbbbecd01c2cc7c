"""Triggers that wait: for labelled rows since a drift began, for the cooldown's end, and
until they are given up; one labelled row arrives per minute of the fake clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from driftline.events import ModelEvaluated, ModelTrained, TrainingFailed, TrainingStarted
from driftline.spec import ProjectSpec
from driftline_training.domain import Window
from driftline_training.metrics import RUNS, TRIGGERS
from driftline_training.synthetic import synthetic_rows

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MODEL = "loan_default"
RETRAIN = {"window_days": 14, "holdout_fraction": 0.25, "min_rows": 200,
           "min_new_labelled_rows": 30, "cooldown_minutes": 5, "max_wait_minutes": 60}  # fmt: skip
RUN = ["TrainingStarted", "ModelTrained", "ModelEvaluated"]


def count(outcome: str, trigger: str = "drift") -> float:
    return TRIGGERS.labels(MODEL, trigger, outcome)._value.get()  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def harness(harness_factory: Callable[..., Any], spec_with: Callable[..., ProjectSpec]) -> Any:
    """Needs 30 new labelled rows; 14 days of history before NOW, then a row a minute
    (the fake serves only rows older than its clock); bootstrapped at NOW."""
    harness = harness_factory(spec=spec_with(retrain=RETRAIN))
    harness.sets.frame = history_and_arrivals(harness.app.spec, minutes=180)
    harness.request(reason="bootstrap")
    assert harness.app.worker.drain() == ["trained"]
    return harness


def history_and_arrivals(spec: ProjectSpec, minutes: int) -> Any:
    history = synthetic_rows(spec, MODEL, 1200, NOW - timedelta(days=14), NOW, seed=1)
    if not minutes:
        return history
    arrivals = synthetic_rows(spec, MODEL, minutes, NOW, NOW + timedelta(minutes=minutes), seed=2)
    arrivals["event_time"] = pd.date_range(NOW, periods=minutes, freq="1min")
    return pd.concat([history, arrivals], ignore_index=True)


def run_of(harness: Any, meta: Any, since: int) -> list[str]:
    """Kinds of the events published from index `since` on, checked to be caused by `meta`."""
    metas = harness.metas()[since:]
    assert {(m.correlation_id, m.causation_id) for m in metas} == {(meta.correlation_id, meta.id)}
    return [type(e).__name__ for e in harness.events()[since:]]


def test_a_drift_waits_for_labelled_rows_since_its_window_began_then_trains(
    harness: Any, caplog: pytest.LogCaptureFixture
) -> None:
    harness.clock.advance(minutes=10)
    published, waiting = len(harness.events()), count("waiting")
    drift = harness.drift(start=NOW + timedelta(minutes=5))
    with caplog.at_level(logging.INFO, logger="driftline_training.refusals"):
        assert harness.app.worker.drain() == ["waiting"]
    assert "have 5 labelled rows since 2026-11-22T12:05:00+00:00" in caplog.text
    assert "need 30" in caplog.text
    assert len(harness.events()) == published  # nothing on the bus while waiting
    (pending,) = harness.app.store.pending()
    assert pending.not_before == harness.clock() + timedelta(seconds=15)

    fetched = len(harness.sets.calls)
    assert harness.app.worker.drain() == []  # not looked at again before its time
    assert len(harness.sets.calls) == fetched
    harness.clock.advance(seconds=15)
    assert harness.app.worker.drain() == ["waiting"]
    assert [window for _, window in harness.sets.calls[fetched:]] == [
        Window(NOW + timedelta(minutes=5), harness.clock())
    ]  # a re-check fetches only the rows since the drift began

    harness.clock.advance(minutes=30)  # 36 rows since the drift began
    assert harness.app.worker.drain() == ["trained"]
    assert run_of(harness, drift, published) == RUN
    assert harness.events(TrainingStarted)[-1].trigger_type == "drift"
    assert harness.events(ModelTrained)[-1].lineage.trigger_event_id == drift.id
    assert count("waiting") == waiting + 1  # counted once, however often it was looked at


def test_a_drift_counts_rows_from_its_window_start_and_a_request_from_the_last_data(
    harness: Any,
) -> None:
    harness.clock.advance(minutes=60)  # 60 rows since the bootstrap's data end
    harness.drift(start=NOW + timedelta(minutes=45))
    assert harness.app.worker.drain() == ["waiting"]  # only 15 of them after the drift began
    superseded = count("superseded")
    request = harness.request()
    assert count("superseded") == superseded + 1
    published = len(harness.events())
    assert harness.app.worker.drain() == ["trained"]
    assert run_of(harness, request, published) == RUN


def test_a_newer_drift_supersedes_a_waiting_one_and_keeps_the_incidents_start(
    harness: Any,
) -> None:
    harness.clock.advance(minutes=10)
    first = harness.drift(start=NOW + timedelta(minutes=5))
    assert harness.app.worker.drain() == ["waiting"]
    harness.clock.advance(minutes=5)
    superseded = count("superseded")
    second = harness.drift(start=NOW + timedelta(minutes=14))
    assert count("superseded") == superseded + 1
    (pending,) = harness.app.store.pending()
    assert (pending.event_id, pending.since) == (second.id, NOW + timedelta(minutes=5))
    published = len(harness.events())
    assert harness.app.worker.drain() == ["waiting"]  # looked at at once: 10 rows
    harness.clock.advance(minutes=25)  # 35 rows since the first alert, 26 since the second
    assert harness.app.worker.drain() == ["trained"]
    assert run_of(harness, second, published) == RUN
    assert first.correlation_id not in {m.correlation_id for m in harness.metas()}


def test_a_trigger_that_waited_max_wait_minutes_is_given_up_with_training_failed(
    harness: Any, caplog: pytest.LogCaptureFixture
) -> None:
    harness.sets.frame = history_and_arrivals(harness.app.spec, minutes=0)  # no labels come
    harness.clock.advance(minutes=10)
    drift = harness.drift(start=harness.clock())
    assert harness.app.worker.drain() == ["waiting"]
    harness.clock.advance(minutes=59, seconds=55)
    assert harness.app.worker.drain() == ["waiting"]
    (pending,) = harness.app.store.pending()
    assert pending.not_before == NOW + timedelta(minutes=70)  # its deadline, not 15 s later
    expired, failed_runs = count("expired"), RUNS.labels(MODEL, "failed")._value.get()  # type: ignore[attr-defined]
    published = len(harness.events())
    harness.clock.advance(seconds=5)
    with caplog.at_level(logging.WARNING, logger="driftline_training.refusals"):
        assert harness.app.worker.drain() == ["expired"]
    assert run_of(harness, drift, published) == ["TrainingFailed"]
    (failed,) = harness.events(TrainingFailed)
    assert (failed.error_type, failed.run_id) == ("NotEnoughNewData", None)
    assert failed.trigger_event_id == drift.id
    assert failed.reason.startswith("given up after waiting 60 min for new labelled rows")
    assert "have 0 labelled rows since" in failed.reason
    assert "trigger given up" in caplog.text
    assert harness.app.store.pending() == []
    assert count("expired") == expired + 1
    assert RUNS.labels(MODEL, "failed")._value.get() == failed_runs  # type: ignore[attr-defined]


def test_a_drift_during_the_cooldown_of_the_bootstrap_still_leads_to_a_retrain(
    harness: Any,
) -> None:
    harness.clock.advance(minutes=1)
    published = len(harness.events())
    drift = harness.drift(start=NOW)
    (pending,) = harness.app.store.pending()
    assert pending.not_before == NOW + timedelta(minutes=5)  # the cooldown's end
    assert harness.app.worker.drain() == []
    harness.clock.advance(minutes=4)
    assert harness.app.worker.drain() == ["waiting"]  # cooldown over; 5 rows since the drift
    harness.clock.advance(minutes=30)
    assert harness.app.worker.drain() == ["trained"]
    assert run_of(harness, drift, published) == RUN
    assert harness.events(ModelEvaluated)[-1].run_id == harness.events(ModelTrained)[-1].run_id
