"""The composition root: the only place that builds concrete adapters.

`bootstrap(settings)` wires the real ones (SQLite run store, HTTP clients of the
feature service and registry, the artifact store, the Kafka publisher); tests
pass fakes for any of them by keyword. Nothing connects at import time.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from driftline.artifacts import ArtifactStore
from driftline.bus import Handler, KafkaPublisher, Publisher
from driftline.codec import EventCodec
from driftline.runtimes import ModelRuntime, get_runtime
from driftline.spec import ProjectSpec, load_spec

from driftline_training.adapters.features_http import HttpTrainingSets
from driftline_training.adapters.http_retry import RetryingCaller
from driftline_training.adapters.ports import Artifacts, Champions, RunStore, TrainingSets
from driftline_training.adapters.registry_http import HttpChampions
from driftline_training.adapters.state_sqlite import SqliteRunStore
from driftline_training.config import TrainingSettings
from driftline_training.handlers import routing_table
from driftline_training.intake import Intake
from driftline_training.outbox import OutboxRelay
from driftline_training.runs import TrainingService
from driftline_training.scheduler import TrainingWorker
from driftline_training.training import Trainer

__all__ = ["TrainingApp", "bootstrap", "code_version"]


@dataclass
class TrainingApp:
    """Everything a process of the training service runs, wired."""

    settings: TrainingSettings
    spec: ProjectSpec
    store: RunStore
    intake: Intake
    service: TrainingService
    worker: TrainingWorker
    relay: OutboxRelay
    handlers: dict[str, Handler]
    publisher: Publisher
    ready_checks: dict[str, Callable[[], bool | str]] = field(default_factory=dict)


def bootstrap(
    settings: TrainingSettings | None = None,
    *,
    spec: ProjectSpec | None = None,
    store: RunStore | None = None,
    training_sets: TrainingSets | None = None,
    champions: Champions | None = None,
    artifacts: Artifacts | None = None,
    runtimes: Callable[[str], ModelRuntime] | None = None,
    publisher: Publisher | None = None,
    clock: Callable[[], datetime] | None = None,
) -> TrainingApp:
    settings = settings or TrainingSettings()
    common = settings.common
    spec = spec or load_spec(common.spec_path)
    store = store or SqliteRunStore(settings.resolved_state_db)
    caller = RetryingCaller(settings.http_attempts, settings.http_backoff_s)
    checks: dict[str, Callable[[], bool | str]] = {}
    if training_sets is None:
        http_sets = HttpTrainingSets(
            common.features_url, timeout_s=settings.http_timeout_s, caller=caller
        )
        checks["feature_service"] = http_sets.ping
        training_sets = http_sets
    if champions is None:
        http_champions = HttpChampions(
            common.registry_url, timeout_s=settings.http_timeout_s, caller=caller
        )
        checks["registry"] = http_champions.ping
        champions = http_champions
    artifacts = artifacts or ArtifactStore.from_settings(common)
    publisher = publisher or KafkaPublisher(
        common, EventCodec.from_settings(common), source=settings.source
    )
    clock = clock or (lambda: datetime.now(UTC))
    relay = OutboxRelay(store, publisher)
    trainer = Trainer(
        spec,
        artifacts,
        runtimes or get_runtime,
        latency_sample_rows=settings.latency_sample_rows,
        seed=settings.bootstrap_seed,
    )
    service = TrainingService(
        spec=spec,
        store=store,
        training_sets=training_sets,
        champions=champions,
        trainer=trainer,
        source=settings.source,
        code_version=settings.code_version or code_version(),
        clock=clock,
        publish=relay.flush,
        compute_threads=settings.compute_threads,
        recheck_s=settings.recheck_s,
    )
    worker = TrainingWorker(
        store=store,
        execute=service.execute,
        relay=relay,
        source=settings.source,
        idle_poll_s=settings.idle_poll_s,
        publish_retry_s=settings.publish_retry_s,
        max_run_attempts=settings.max_run_attempts,
        clock=clock,
    )
    intake = Intake(spec=spec, store=store, source=settings.source, clock=clock, wake=worker.wake)
    checks["run_store"] = lambda: store.state("__ready__").model == "__ready__"
    return TrainingApp(
        settings,
        spec,
        store,
        intake,
        service,
        worker,
        relay,
        routing_table(intake),
        publisher,
        checks,
    )


def code_version() -> str:
    """``driftline-training <version>`` plus the git revision, when one can be found."""
    try:
        text = f"driftline-training {version('driftline-training')}"
    except PackageNotFoundError:
        text = "driftline-training (not installed)"
    revision = os.environ.get("GIT_REVISION") or _git_revision()
    return f"{text} ({revision})" if revision else text


def _git_revision() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None
