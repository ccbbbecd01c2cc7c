"""Training runs end to end on fakes: events, lineage, the gate, failures and refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from driftline.events import ModelEvaluated, ModelTrained, TrainingFailed, TrainingStarted
from driftline.spec import ProjectSpec
from driftline_training.domain import DependencyUnavailableError, Window
from driftline_training.domain.dataset import labelled_rows, most_recent, rows_sha256

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MODEL = "loan_default"


def kinds(harness: Any) -> list[str]:
    return [type(e).__name__ for e in harness.events()]


def test_a_bootstrap_request_trains_and_evaluates_under_one_correlation_id(harness: Any) -> None:
    command = harness.request(reason="bootstrap")
    assert harness.app.worker.drain() == ["trained"]
    assert kinds(harness) == ["TrainingStarted", "ModelTrained", "ModelEvaluated"]
    metas = harness.metas()
    assert {m.correlation_id for m in metas} == {command.correlation_id}
    assert {m.causation_id for m in metas} == {command.id}
    started, trained, evaluated = harness.events()
    assert started.run_id == trained.run_id == evaluated.run_id
    assert started.trigger_type == "bootstrap"
    assert started.trigger_event_id == command.id


def test_model_trained_carries_lineage_metrics_params_and_a_loadable_artifact(
    harness: Any,
) -> None:
    command = harness.request()
    harness.app.worker.drain()
    (trained,) = harness.events(ModelTrained)
    lineage = trained.lineage
    assert (lineage.data_window.start, lineage.data_window.end) == (NOW - timedelta(days=14), NOW)
    assert lineage.row_count == 1200
    assert len(lineage.content_hash) == 64
    assert lineage.feature_names == ["income", "credit_score", "region", "has_mortgage"]
    assert lineage.feature_view_versions == {"loans": "v-abc"}
    assert lineage.code_version == "driftline-training test"
    assert (lineage.trigger_type, lineage.trigger_event_id) == ("manual", command.id)
    assert set(trained.metrics) == {"roc_auc", "accuracy", "f1", "log_loss"}
    assert trained.params["C"] == "1.0"
    assert (trained.flavor, trained.estimator) == ("sklearn", "logistic_regression")
    assert trained.duration_seconds > 0
    data = harness.artifacts.get(trained.artifact_uri, trained.artifact_sha256)
    assert len(data) == trained.artifact_size_bytes


def test_a_row_window_trains_on_the_most_recent_rows_and_lineage_describes_them(
    harness_factory: Callable[..., Any], spec_with: Callable[..., ProjectSpec]
) -> None:
    retrain = {"window_days": 14, "window_rows": 400, "holdout_fraction": 0.25, "min_rows": 200}
    harness = harness_factory(spec=spec_with(retrain=retrain))
    harness.request()
    assert harness.app.worker.drain() == ["trained"]
    window = harness.sets.calls[-1][1]
    assert window == Window(NOW - timedelta(days=14), NOW)  # fetched: the whole window
    served = harness.sets.training_set(MODEL, window)
    used = most_recent(labelled_rows(harness.app.spec, MODEL, served.frame), 400)
    started, trained, evaluated = harness.events()
    lineage = trained.lineage
    assert lineage.row_count == 400
    oldest = used["event_time"].iloc[0].floor("ms").to_pydatetime()
    assert (lineage.data_window.start, lineage.data_window.end) == (oldest, NOW)
    assert started.data_window == lineage.data_window
    assert lineage.content_hash == rows_sha256(used) != served.content_sha256
    assert evaluated.eval_rows == 100  # the hold-out is a quarter of the rows used
    assert evaluated.eval_window.start >= oldest


def test_the_first_model_is_promoted_over_the_baseline(harness: Any) -> None:
    harness.request()
    harness.app.worker.drain()
    (evaluated,) = harness.events(ModelEvaluated)
    assert evaluated.decision == "promote"
    assert evaluated.champion_version is None
    assert evaluated.champion_score is None
    assert evaluated.baseline_score == 0.5  # a constant score ranks nothing
    assert evaluated.ci_low > evaluated.min_improvement == 0.005
    assert evaluated.eval_rows == 300
    assert evaluated.eval_window.end == NOW
    assert evaluated.guardrails["artifact_bytes"] > 0
    assert evaluated.test == "paired_bootstrap"


def test_a_first_model_that_learnt_nothing_does_not_beat_the_baseline(harness: Any) -> None:
    harness.sets.signal = 0.0
    harness.request()
    harness.app.worker.drain()
    (evaluated,) = harness.events(ModelEvaluated)
    assert evaluated.decision == "reject"
    assert evaluated.ci_low <= evaluated.min_improvement


def test_a_challenger_no_better_than_the_champion_is_rejected_with_evidence(
    harness: Any, frames: Callable[..., Any]
) -> None:
    harness.champion_from(frames(rows=5000, seed=9), version=4)
    harness.request()
    harness.app.worker.drain()
    (evaluated,) = harness.events(ModelEvaluated)
    assert evaluated.decision == "reject"
    assert evaluated.champion_version == 4
    assert evaluated.champion_score is not None
    assert evaluated.baseline_score is None
    assert evaluated.ci_low <= evaluated.min_improvement
    assert evaluated.ci_low <= evaluated.delta <= evaluated.ci_high
    assert any("not significantly better" in r for r in evaluated.reasons)


def test_a_significantly_better_challenger_is_promoted_over_the_champion(
    harness: Any, frames: Callable[..., Any]
) -> None:
    harness.champion_from(frames(rows=300, seed=9, signal=0.3), version=2)
    harness.request()
    harness.app.worker.drain()
    (evaluated,) = harness.events(ModelEvaluated)
    assert evaluated.decision == "promote", evaluated.reasons
    assert evaluated.champion_version == 2
    assert evaluated.challenger_score > evaluated.champion_score
    assert evaluated.ci_low > 0.005


def test_mcnemar_policy_reports_a_p_value_and_no_interval(
    harness_factory: Callable[..., Any], spec_with: Callable[..., ProjectSpec]
) -> None:
    spec = spec_with(promotion={"test": "mcnemar", "min_improvement": 0.0})
    harness = harness_factory(spec=spec)
    harness.request()
    harness.app.worker.drain()
    (evaluated,) = harness.events(ModelEvaluated)
    assert evaluated.test == "mcnemar"
    assert evaluated.p_value < 0.05
    assert evaluated.ci_low is None
    assert evaluated.decision == "promote"


def test_a_tampered_champion_artifact_fails_the_run_with_a_clear_reason(
    harness: Any, frames: Callable[..., Any]
) -> None:
    champion = harness.champion_from(frames(rows=300, seed=9))
    Path(champion.artifact_uri.removeprefix("file://")).write_bytes(b"swapped model")
    harness.request()
    assert harness.app.worker.drain() == ["failed"]
    assert kinds(harness) == ["TrainingStarted", "TrainingFailed"]
    (failed,) = harness.events(TrainingFailed)
    assert failed.error_type == "ArtifactIntegrityError"
    assert failed.reason.startswith("champion v1 was refused: artifact")
    assert "refusing to hand out bytes" in failed.reason
    assert failed.run_id == harness.events(TrainingStarted)[0].run_id


def test_a_champion_artifact_with_an_untrusted_type_fails_the_run(
    harness: Any, frames: Callable[..., Any]
) -> None:
    import os

    import skops.io as sio
    from driftline_training.domain import Champion
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    evil = sio.dumps(Pipeline([("run", FunctionTransformer(func=os.system))]))
    stored = harness.artifacts.put(evil, name="model.skops")
    harness.champions.current = Champion(3, stored.uri, stored.sha256, "sklearn")
    harness.request()
    harness.app.worker.drain()
    (failed,) = harness.events(TrainingFailed)
    assert failed.error_type == "UntrustedArtifactError"
    assert "champion v3 was refused" in failed.reason
    assert "posix.system" in failed.reason


def test_an_unreachable_feature_service_fails_the_trigger_before_any_run(harness: Any) -> None:
    harness.sets.error = DependencyUnavailableError("feature service POST /training-sets failed")
    harness.request()
    assert harness.app.worker.drain() == ["failed"]
    (failed,) = harness.events()
    assert isinstance(failed, TrainingFailed)
    assert failed.error_type == "DependencyUnavailableError"
    assert failed.run_id is None  # no run was announced


def test_too_few_labelled_rows_fail_with_insufficient_data(harness: Any) -> None:
    harness.sets.rows = 150
    harness.request()
    harness.app.worker.drain()
    (failed,) = harness.events(TrainingFailed)
    assert failed.error_type == "InsufficientDataError"
    assert "150 labelled rows" in failed.reason
    assert "at least 200" in failed.reason


def test_an_estimator_the_runtime_does_not_know_fails_the_run(
    harness_factory: Callable[..., Any], spec_with: Callable[..., ProjectSpec]
) -> None:
    harness = harness_factory(spec=spec_with(estimator={"name": "deep_forest"}))
    harness.request()
    harness.app.worker.drain()
    (failed,) = harness.events(TrainingFailed)
    assert failed.error_type == "RuntimeConfigError"
    assert "unknown sklearn estimator 'deep_forest'" in failed.reason


def test_a_retrain_without_enough_new_labelled_rows_waits_quietly(harness: Any) -> None:
    harness.request()
    harness.app.worker.drain()
    harness.clock.advance(minutes=10)
    meta = harness.request()
    published = len(harness.publisher.published)
    assert harness.app.worker.drain() == ["waiting"]  # 10 new minutes of 14 days: about one row
    assert len(harness.publisher.published) == published
    (waiting,) = harness.app.store.pending()
    assert waiting.event_id == meta.id
    assert waiting.not_before == harness.clock() + timedelta(seconds=15)


def test_a_retrain_with_enough_new_rows_runs_and_remembers_its_window(harness: Any) -> None:
    harness.request()
    harness.app.worker.drain()
    harness.clock.advance(days=2)
    harness.request()
    assert harness.app.worker.drain() == ["trained"]
    state = harness.app.store.state("loan_default")
    assert state.last_trained_at == harness.clock()
    assert state.last_data_end == harness.clock()
    last = harness.sets.calls[-1][1]
    assert last == Window(harness.clock() - timedelta(days=14), harness.clock())


def test_the_cooldown_is_checked_again_when_a_queued_trigger_is_taken(harness: Any) -> None:
    harness.request()
    harness.app.worker.drain()
    harness.clock.advance(days=1)
    harness.sets.during = harness.drift  # drift arrives while the forced retrain runs
    harness.request(force=True)
    assert harness.app.worker.drain() == ["trained", "waiting"]  # a drift waits out the cooldown
    assert kinds(harness).count("TrainingStarted") == 2
    (waiting,) = harness.app.store.pending()
    assert waiting.not_before == harness.clock() + timedelta(minutes=5)


def test_a_request_taken_inside_the_cooldown_is_dropped(harness: Any) -> None:
    harness.request()
    harness.app.worker.drain()
    harness.clock.advance(days=1)
    harness.sets.during = harness.request  # a request arrives while the forced retrain runs
    harness.request(force=True)
    assert harness.app.worker.drain() == ["trained", "refused"]
    assert harness.app.store.pending() == []


def test_a_window_beyond_the_calendar_fails_the_trigger_and_the_worker_goes_on(
    harness: Any,
) -> None:
    harness.request(window_days=10**9)
    assert harness.app.worker.drain() == ["failed"]
    (failed,) = harness.events(TrainingFailed)
    assert failed.error_type == "OverflowError"
    harness.request()
    assert harness.app.worker.drain() == ["trained"]
