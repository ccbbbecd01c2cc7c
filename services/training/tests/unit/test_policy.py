"""The retrain policy: bootstrap, cooldown, force, new labelled rows, waiting, the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from driftline.envelope import Metadata
from driftline.spec import RetrainPolicy
from driftline_training.domain.model import ModelState, Trigger
from driftline_training.domain.policy import (
    Verdict,
    admit,
    defer,
    enough_new_rows,
    new_rows_since,
    training_window,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
POLICY = RetrainPolicy(
    window_days=14, cooldown_minutes=5, min_new_labelled_rows=100, max_wait_minutes=60
)
RECHECK = timedelta(seconds=15)
TOO_FEW = Verdict(False, "not_enough_new_rows", "have 3 labelled rows since ..., need 100")


def trigger(**kw: object) -> Trigger:
    meta = Metadata(type="driftline.events.TrainingRequested", source="test")
    return Trigger(model="m", trigger_type="manual", meta=meta, received_at=NOW, **kw)  # type: ignore[arg-type]


def drift(since: datetime, **kw: object) -> Trigger:
    meta = Metadata(type="driftline.events.DriftDetected", source="test")
    return Trigger(model="m", trigger_type="drift", meta=meta, received_at=NOW, since=since, **kw)  # type: ignore[arg-type]


def trained_minutes_ago(minutes: float) -> ModelState:
    at = NOW - timedelta(minutes=minutes)
    return ModelState("m", last_trained_at=at, last_data_end=at, last_run_id="r1")


def test_a_model_never_trained_is_always_admitted_as_the_bootstrap() -> None:
    verdict = admit(trigger(), ModelState("m"), POLICY, NOW)
    assert verdict.allowed
    assert verdict.code == "bootstrap"


def test_a_trigger_inside_the_cooldown_is_refused_with_the_time_left() -> None:
    verdict = admit(trigger(), trained_minutes_ago(2), POLICY, NOW)
    assert not verdict.allowed
    assert verdict.code == "cooldown"
    assert "180s left" in verdict.reason


def test_a_trigger_after_the_cooldown_is_admitted() -> None:
    assert admit(trigger(), trained_minutes_ago(6), POLICY, NOW).allowed


def test_force_skips_the_cooldown() -> None:
    verdict = admit(trigger(force=True), trained_minutes_ago(1), POLICY, NOW)
    assert verdict.allowed
    assert verdict.code == "forced"


def test_too_few_new_labelled_rows_are_refused() -> None:
    verdict = enough_new_rows(trigger(), trained_minutes_ago(60), POLICY, new_rows=99)
    assert not verdict.allowed
    assert verdict.code == "not_enough_new_rows"
    assert verdict.reason.startswith("have 99 labelled rows since ")
    assert verdict.reason.endswith("(the last training's data end), need 100")


def test_enough_new_labelled_rows_are_admitted() -> None:
    assert enough_new_rows(trigger(), trained_minutes_ago(60), POLICY, new_rows=100).allowed


def test_force_and_bootstrap_skip_the_new_rows_check() -> None:
    assert enough_new_rows(trigger(force=True), trained_minutes_ago(60), POLICY, 0).allowed
    assert enough_new_rows(trigger(), ModelState("m"), POLICY, 0).allowed


def test_new_rows_of_a_drift_count_from_its_window_start() -> None:
    state = trained_minutes_ago(60)
    onset = NOW - timedelta(minutes=20)
    assert new_rows_since(drift(onset), state) == onset
    assert new_rows_since(trigger(), state) == state.last_data_end
    verdict = enough_new_rows(drift(onset), state, POLICY, new_rows=40)
    assert verdict.reason.endswith("(the drift's window start), need 100")


def test_new_rows_are_not_counted_for_a_bootstrap_or_a_forced_trigger() -> None:
    assert new_rows_since(drift(NOW), ModelState("m")) is None
    assert new_rows_since(trigger(force=True), trained_minutes_ago(60)) is None


def test_a_trigger_with_too_few_new_rows_waits_to_be_looked_at_again() -> None:
    later = NOW + timedelta(minutes=10)
    deferral = defer(trigger(), TOO_FEW, trained_minutes_ago(60), POLICY, later, RECHECK)
    assert (deferral.outcome, deferral.not_before) == ("waiting", later + RECHECK)
    assert deferral.reason == TOO_FEW.reason


def test_the_last_look_at_a_waiting_trigger_is_at_its_max_wait() -> None:
    almost = NOW + timedelta(minutes=59, seconds=50)
    deferral = defer(trigger(), TOO_FEW, trained_minutes_ago(60), POLICY, almost, RECHECK)
    assert deferral.not_before == NOW + timedelta(minutes=60)


def test_a_trigger_refused_after_waiting_max_wait_minutes_is_given_up() -> None:
    late = NOW + timedelta(minutes=60)
    deferral = defer(trigger(), TOO_FEW, trained_minutes_ago(60), POLICY, late, RECHECK)
    assert deferral.outcome == "expired"
    assert deferral.not_before is None
    assert deferral.reason.startswith("given up after waiting 60 min for new labelled rows")
    assert deferral.reason.endswith(TOO_FEW.reason)


def test_a_trigger_other_than_a_drift_refused_by_the_cooldown_is_dropped() -> None:
    state = trained_minutes_ago(2)
    verdict = admit(trigger(), state, POLICY, NOW)
    assert defer(trigger(), verdict, state, POLICY, NOW, RECHECK).outcome == "dropped"


def test_a_drift_refused_by_the_cooldown_waits_for_the_cooldown_to_end() -> None:
    state = trained_minutes_ago(2)
    verdict = admit(drift(NOW), state, POLICY, NOW)
    deferral = defer(drift(NOW), verdict, state, POLICY, NOW, RECHECK)
    assert (deferral.outcome, deferral.not_before) == ("waiting", NOW + timedelta(minutes=3))
    assert admit(drift(NOW), state, POLICY, NOW + timedelta(minutes=3)).allowed


def test_a_drift_replacing_a_drift_keeps_the_earlier_window_start() -> None:
    first, second = drift(NOW - timedelta(hours=2)), drift(NOW - timedelta(hours=1))
    taken = second.replacing(first)
    assert taken.event_id == second.event_id
    assert taken.since == first.since
    assert first.replacing(second).since == first.since


def test_a_trigger_of_another_type_replaces_a_drift_as_it_is() -> None:
    waiting = drift(NOW - timedelta(hours=2), not_before=NOW)
    manual = trigger()
    assert manual.replacing(waiting) == manual


def test_the_training_window_is_the_most_recent_window_days_ending_now() -> None:
    window = training_window(trigger(), POLICY, NOW)
    assert (window.start, window.end) == (NOW - timedelta(days=14), NOW)


def test_a_trigger_can_override_the_window_length() -> None:
    window = training_window(trigger(window_days=3), POLICY, NOW)
    assert window.start == NOW - timedelta(days=3)


def test_window_bounds_are_kept_to_the_millisecond_avro_stores() -> None:
    window = training_window(trigger(), POLICY, NOW + timedelta(microseconds=1234))
    assert window.end.microsecond == 1000
