"""The retrain policy: bootstrap, cooldown, force, new labelled rows, the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from driftline.envelope import Metadata
from driftline.spec import RetrainPolicy
from driftline_training.domain.model import ModelState, Trigger
from driftline_training.domain.policy import admit, enough_new_rows, training_window

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
POLICY = RetrainPolicy(window_days=14, cooldown_minutes=5, min_new_labelled_rows=100)


def trigger(**kw: object) -> Trigger:
    meta = Metadata(type="driftline.events.TrainingRequested", source="test")
    return Trigger(model="m", trigger_type="manual", meta=meta, received_at=NOW, **kw)  # type: ignore[arg-type]


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
    assert "only 99 labelled rows" in verdict.reason


def test_enough_new_labelled_rows_are_admitted() -> None:
    assert enough_new_rows(trigger(), trained_minutes_ago(60), POLICY, new_rows=100).allowed


def test_force_and_bootstrap_skip_the_new_rows_check() -> None:
    assert enough_new_rows(trigger(force=True), trained_minutes_ago(60), POLICY, 0).allowed
    assert enough_new_rows(trigger(), ModelState("m"), POLICY, 0).allowed


def test_the_training_window_is_the_most_recent_window_days_ending_now() -> None:
    window = training_window(trigger(), POLICY, NOW)
    assert (window.start, window.end) == (NOW - timedelta(days=14), NOW)


def test_a_trigger_can_override_the_window_length() -> None:
    window = training_window(trigger(window_days=3), POLICY, NOW)
    assert window.start == NOW - timedelta(days=3)


def test_window_bounds_are_kept_to_the_millisecond_avro_stores() -> None:
    window = training_window(trigger(), POLICY, NOW + timedelta(microseconds=1234))
    assert window.end.microsecond == 1000
