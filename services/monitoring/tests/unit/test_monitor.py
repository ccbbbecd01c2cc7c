"""One model's monitor: episodes and cooldown, promotions, concept drift and canary trials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from driftline.spec import DriftPolicy
from driftline_monitoring.domain import (
    CanaryDecision,
    DriftAlert,
    ModelMonitor,
    Outcome,
    Prediction,
    error_of,
)  # fmt: skip

T0 = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = {"x": "numeric", "colour": "categorical"}


def policy(**overrides: object) -> DriftPolicy:
    base: dict[str, object] = {"window": 100, "min_samples": 50, "cooldown_minutes": 10}
    return DriftPolicy.model_validate(base | overrides)


def p(i: int, x: float, *, version: int = 1, role: str = "champion", colour: str = "red",
      prediction: int = 1) -> Prediction:  # fmt: skip
    return Prediction(f"r{i}", "m", version, role, {"x": x, "colour": colour}, prediction, None,
                      T0 + timedelta(seconds=i))  # fmt: skip


def feed(
    monitor: ModelMonitor, start: int, n: int, shift: float = 0.0, **kw: object
) -> list[DriftAlert]:
    alerts = []
    for i in range(start, start + n):
        x = (i * 7919 % 1000) / 1000 + shift  # an even spread over [0, 1)
        if (alert := monitor.observe(p(i, x, **kw))) is not None:  # type: ignore[arg-type]
            alerts.append(alert)
    return alerts


def learning_monitor(**overrides: object) -> ModelMonitor:
    monitor = ModelMonitor("m", KINDS, policy(**overrides))  # type: ignore[arg-type]
    monitor.set_reference(1, None)
    return monitor


def test_the_first_window_teaches_the_reference_and_is_not_tested() -> None:
    monitor = learning_monitor()
    assert feed(monitor, 0, 100, shift=5.0) == []
    assert monitor.references[1] is not None
    assert monitor.references[1].origin == "first_window"
    assert monitor.history[-1].evaluation is None


def test_one_episode_raises_one_alert_however_long_it_lasts() -> None:
    monitor = learning_monitor(cooldown_minutes=0)
    feed(monitor, 0, 100)
    alerts = feed(monitor, 100, 1000, shift=0.5)
    assert len(alerts) == 1
    assert monitor.counts["suppressed"] == 9
    assert alerts[0].tests
    assert {t.feature for t in alerts[0].tests if t.drifted} == {"x"}


def test_a_new_episode_alerts_again_only_after_the_cooldown() -> None:
    monitor = learning_monitor(cooldown_minutes=10)  # 600 predictions at one a second
    feed(monitor, 0, 100)
    assert len(feed(monitor, 100, 100, shift=0.5)) == 1  # alert at t=199 s
    feed(monitor, 200, 100)  # a clean window closes the episode
    assert feed(monitor, 300, 100, shift=0.5) == []  # t=399 s: still cooling down
    feed(monitor, 400, 400)
    assert len(feed(monitor, 800, 100, shift=0.5)) == 1  # t=899 s: cooled down


def test_a_full_promotion_resets_reference_windows_and_cooldown() -> None:
    monitor = learning_monitor(cooldown_minutes=60)
    feed(monitor, 0, 100)
    assert len(feed(monitor, 100, 100, shift=0.5)) == 1
    monitor.promoted(2, "full", 1, T0, {})
    assert monitor.champion == 2
    assert monitor.needs_reference(2)
    assert monitor.last_alert is None
    monitor.set_reference(2, None)
    feed(monitor, 200, 100, shift=0.5, version=2)  # v2's reference: the shifted data
    assert feed(monitor, 300, 100, shift=1.0, version=2) != []  # drift again, no cooldown


def test_predictions_of_an_older_version_are_ignored_and_a_newer_one_is_adopted() -> None:
    monitor = learning_monitor()
    feed(monitor, 0, 10, version=2)
    assert monitor.champion == 2
    feed(monitor, 10, 5, version=1)
    assert monitor.counts["stale"] == 5
    assert monitor.windows["champion"].size == 10


def test_canary_and_shadow_windows_never_alert() -> None:
    monitor = learning_monitor()
    monitor.set_reference(7, None)
    feed(monitor, 0, 100, version=7, role="canary")
    assert feed(monitor, 100, 300, shift=2.0, version=7, role="canary") == []
    assert [r.evaluation.kind for r in monitor.history if r.evaluation] == ["data"] * 3


def test_prediction_drift_is_reported_when_only_the_outputs_move() -> None:
    monitor = learning_monitor(tests=("chi2", "psi"))
    feed(monitor, 0, 100, prediction=1)
    for i in range(100, 200):
        alert = monitor.observe(p(i, (i * 7919 % 1000) / 1000, prediction=i % 5 and 1))
    assert alert is not None
    assert alert.kind == "prediction"


def outcome(i: int, error: float, *, version: int = 1, role: str = "champion",
            at: datetime | None = None) -> Outcome:  # fmt: skip
    pred = Prediction(f"r{i}", "m", version, role, {}, 1, None, at or T0 + timedelta(seconds=i))
    return Outcome(pred, 1 - int(error), error)


@pytest.mark.parametrize("detector", ["adwin", "page_hinkley"])
def test_a_rising_error_rate_raises_one_concept_alert(detector: str) -> None:
    monitor = ModelMonitor("m", KINDS, policy(concept_detector=detector, min_samples=50))  # type: ignore[arg-type]
    monitor.champion = 1
    decisions = []
    for i in range(3000):
        wrong = (i * 37 % 100) < (10 if i < 1500 else 45)  # error 10%, then 45%
        decisions += monitor.observe_outcome(outcome(i, float(wrong)))
    alerts = [d for d in decisions if isinstance(d, DriftAlert)]
    assert len(alerts) == 1
    assert alerts[0].kind == "concept"
    assert alerts[0].detector == detector
    assert alerts[0].start >= T0 + timedelta(seconds=1400)
    assert alerts[0].tests[0].value > alerts[0].tests[0].threshold  # recent error > baseline


def test_a_falling_error_rate_is_not_an_incident() -> None:
    monitor = ModelMonitor("m", KINDS, policy())  # type: ignore[arg-type]
    monitor.champion = 1
    decisions = []
    for i in range(3000):
        wrong = (i * 37 % 100) < (45 if i < 1500 else 5)
        decisions += monitor.observe_outcome(outcome(i, float(wrong)))
    assert decisions == []


def run_canary(canary_error: int, champion_error: int) -> CanaryDecision:
    monitor = ModelMonitor("m", KINDS, policy(), canary_alpha=0.05)  # type: ignore[arg-type]
    monitor.champion = 1
    monitor.promoted(2, "canary", 1, T0, {"id": "promoted-1"})
    decisions = []
    for i in range(400):
        role, version, rate = (
            ("canary", 2, canary_error) if i % 2 else ("champion", 1, champion_error)
        )
        wrong = (i * 37 % 100) < rate
        decisions += monitor.observe_outcome(outcome(i, float(wrong), version=version, role=role))
    verdicts = [d for d in decisions if isinstance(d, CanaryDecision)]
    assert len(verdicts) == 1
    assert monitor.canary is None
    return verdicts[0]


def test_a_canary_significantly_worse_than_the_champion_is_rolled_back() -> None:
    verdict = run_canary(canary_error=40, champion_error=10)
    assert verdict.verdict == "rollback"
    assert verdict.canary_metrics["accuracy"] < verdict.champion_metrics["accuracy"]
    assert verdict.sample_size == 100  # min_samples (50) labelled outcomes per role
    assert verdict.cause == {"id": "promoted-1"}


def test_a_canary_as_good_as_the_champion_is_promoted() -> None:
    assert run_canary(canary_error=12, champion_error=12).verdict == "promote"


def test_outcomes_before_the_canary_started_do_not_count() -> None:
    monitor = ModelMonitor("m", KINDS, policy())  # type: ignore[arg-type]
    monitor.promoted(2, "canary", 1, T0 + timedelta(hours=1), {})
    monitor.observe_outcome(outcome(1, 1.0, version=2, role="canary"))
    assert monitor.canary is not None
    assert monitor.canary.canary.n == 0


def test_errors_compare_classes_across_types_and_regressions_by_distance() -> None:
    pred = Prediction("r", "m", 1, "champion", {}, True, 0.9, T0)
    assert error_of(pred, 1, regression=False) == 0.0
    assert error_of(pred, "false", regression=False) == 1.0
    assert (
        error_of(Prediction("r", "m", 1, "champion", {}, 2.5, None, T0), 4, regression=True) == 1.5
    )
    assert error_of(pred, None, regression=False) is None
