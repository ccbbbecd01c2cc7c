"""The SQLite run store: policy state, one pending slot per model, claims and the outbox."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from driftline.envelope import Metadata
from driftline.events import TrainingFailed
from driftline_training.adapters.ports import Outgoing
from driftline_training.adapters.serialization import dump_trigger, load_trigger
from driftline_training.adapters.state_sqlite import SqliteRunStore
from driftline_training.domain.model import ModelState, Trigger

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(seconds=15)


def trigger(model: str = "m", reason: str = "first") -> Trigger:
    meta = Metadata(type="driftline.events.TrainingRequested", source="test")
    return Trigger(model=model, trigger_type="manual", meta=meta, received_at=NOW, reason=reason)


def drift(since: datetime, not_before: datetime | None = None) -> Trigger:
    meta = Metadata(type="driftline.events.DriftDetected", source="test")
    return Trigger(model="m", trigger_type="drift", meta=meta, received_at=NOW, since=since,
                   not_before=not_before)  # fmt: skip


def failed(model: str = "m") -> Outgoing:
    event = TrainingFailed(model_name=model, error_type="X", reason="because")
    return Outgoing(event, Metadata(type="driftline.events.TrainingFailed", source="test"))


def test_policy_state_survives_a_reopen(tmp_path: Path) -> None:
    store = SqliteRunStore(tmp_path / "t.db")
    claim = (store.enqueue(trigger()), store.claim_next("run-1", NOW))[1]
    assert claim is not None
    store.finish(claim, [], ModelState("m", NOW, NOW, "run-1"))
    store.close()
    assert SqliteRunStore(tmp_path / "t.db").state("m") == ModelState("m", NOW, NOW, "run-1")


def test_an_unknown_model_has_an_empty_state() -> None:
    assert SqliteRunStore(":memory:").state("m").never_trained


def test_a_newer_trigger_replaces_the_pending_one() -> None:
    store = SqliteRunStore(":memory:")
    first, second = trigger(reason="first"), trigger(reason="second")
    assert store.enqueue(first) is None
    replaced = store.enqueue(second)
    assert replaced is not None
    assert replaced.event_id == first.event_id
    assert [t.reason for t in store.pending()] == ["second"]


def test_a_model_with_a_run_in_flight_is_not_claimed_again() -> None:
    store = SqliteRunStore(":memory:")
    store.enqueue(trigger("a"))
    claim = store.claim_next("run-1", NOW)
    store.enqueue(trigger("a", reason="while running"))
    store.enqueue(trigger("b"))
    other = store.claim_next("run-2", NOW)
    assert claim is not None
    assert other is not None
    assert other.trigger.model == "b"
    assert store.claim_next("run-3", NOW) is None
    store.finish(claim, [])
    again = store.claim_next("run-4", NOW)
    assert again is not None
    assert again.trigger.reason == "while running"


def test_a_requeued_trigger_does_not_override_a_newer_pending_one() -> None:
    store = SqliteRunStore(":memory:")
    store.enqueue(trigger(reason="old"))
    claim = store.claim_next("run-1", NOW)
    assert claim is not None
    store.enqueue(trigger(reason="newer"))
    store.finish(claim, [], requeue=claim.trigger)
    assert [t.reason for t in store.pending()] == ["newer"]


def test_claims_in_flight_are_listed_with_whether_they_started(tmp_path: Path) -> None:
    store = SqliteRunStore(tmp_path / "t.db")
    store.enqueue(trigger())
    claim = store.claim_next("run-1", NOW)
    assert claim is not None
    assert not claim.started
    store.start(claim, failed())
    (listed,) = SqliteRunStore(tmp_path / "t.db").in_flight()
    assert listed.run_id == "run-1"
    assert listed.started
    assert listed.trigger == claim.trigger


def test_the_outbox_keeps_order_and_each_event_keeps_its_envelope() -> None:
    store = SqliteRunStore(":memory:")
    first, second = failed("a"), failed("b")
    store.record([first, second])
    rows = store.outbox()
    assert [o for _, o in rows] == [first, second]
    store.sent(rows[0][0])
    assert [o.meta.id for _, o in store.outbox()] == [second.meta.id]


def test_a_waiting_trigger_is_not_claimed_before_its_time() -> None:
    store = SqliteRunStore(":memory:")
    store.enqueue(drift(NOW, not_before=LATER))
    store.enqueue(trigger("b"))
    claim = store.claim_next("run-1", NOW)
    assert claim is not None
    assert claim.trigger.model == "b"  # the other model's trigger is not held up
    assert store.claim_next("run-2", LATER - timedelta(milliseconds=1)) is None
    again = store.claim_next("run-3", LATER)
    assert again is not None
    assert again.trigger.not_before == LATER


def test_a_trigger_keeps_its_count_start_and_wait_across_a_reopen(tmp_path: Path) -> None:
    waiting = drift(NOW - timedelta(hours=1), not_before=LATER)
    SqliteRunStore(tmp_path / "t.db").enqueue(waiting)
    assert SqliteRunStore(tmp_path / "t.db").pending() == [waiting]
    assert load_trigger(dump_trigger(waiting)) == waiting


def test_a_trigger_stored_before_count_starts_and_waits_existed_still_loads() -> None:
    before = trigger()
    raw = json.loads(dump_trigger(before))
    del raw["since"], raw["not_before"]  # what the previous release wrote
    assert load_trigger(json.dumps(raw)) == before


def test_a_drift_replacing_a_waiting_drift_keeps_the_earlier_window_start() -> None:
    store = SqliteRunStore(":memory:")
    first = drift(NOW - timedelta(hours=2), not_before=LATER)
    store.enqueue(first)
    replaced = store.enqueue(drift(NOW - timedelta(hours=1)))
    assert replaced == first
    (pending,) = store.pending()
    assert pending.event_id != first.event_id
    assert pending.since == first.since
    assert pending.not_before is None  # the newer trigger is looked at now


def test_a_drift_put_back_behind_a_newer_drift_passes_on_its_window_start() -> None:
    store = SqliteRunStore(":memory:")
    store.enqueue(drift(NOW - timedelta(hours=2)))
    claim = store.claim_next("run-1", NOW)
    assert claim is not None
    newer = drift(NOW - timedelta(hours=1))
    store.enqueue(newer)
    store.finish(claim, [], requeue=replace(claim.trigger, not_before=LATER))
    assert store.pending() == [replace(newer, since=claim.trigger.since)]
