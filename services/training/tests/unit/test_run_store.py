"""The SQLite run store: policy state, one pending slot per model, claims and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from driftline.envelope import Metadata
from driftline.events import TrainingFailed
from driftline_training.adapters.ports import Outgoing
from driftline_training.adapters.state_sqlite import SqliteRunStore
from driftline_training.domain.model import ModelState, Trigger

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def trigger(model: str = "m", reason: str = "first") -> Trigger:
    meta = Metadata(type="driftline.events.TrainingRequested", source="test")
    return Trigger(model=model, trigger_type="manual", meta=meta, received_at=NOW, reason=reason)


def failed(model: str = "m") -> Outgoing:
    event = TrainingFailed(model_name=model, error_type="X", reason="because")
    return Outgoing(event, Metadata(type="driftline.events.TrainingFailed", source="test"))


def test_policy_state_survives_a_reopen(tmp_path: Path) -> None:
    store = SqliteRunStore(tmp_path / "t.db")
    claim = (store.enqueue(trigger()), store.claim_next("run-1"))[1]
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
    claim = store.claim_next("run-1")
    store.enqueue(trigger("a", reason="while running"))
    store.enqueue(trigger("b"))
    other = store.claim_next("run-2")
    assert claim is not None
    assert other is not None
    assert other.trigger.model == "b"
    assert store.claim_next("run-3") is None
    store.finish(claim, [])
    again = store.claim_next("run-4")
    assert again is not None
    assert again.trigger.reason == "while running"


def test_a_requeued_trigger_does_not_override_a_newer_pending_one() -> None:
    store = SqliteRunStore(":memory:")
    store.enqueue(trigger(reason="old"))
    claim = store.claim_next("run-1")
    assert claim is not None
    store.enqueue(trigger(reason="newer"))
    store.finish(claim, [], requeue=claim.trigger)
    assert [t.reason for t in store.pending()] == ["newer"]


def test_claims_in_flight_are_listed_with_whether_they_started(tmp_path: Path) -> None:
    store = SqliteRunStore(tmp_path / "t.db")
    store.enqueue(trigger())
    claim = store.claim_next("run-1")
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
