"""The training service's settings: ``DRIFTLINE_TRAINING_*``, composing `DriftlineSettings`."""

from __future__ import annotations

from pathlib import Path

from driftline.settings import DriftlineSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["TrainingSettings"]


class TrainingSettings(BaseSettings):
    """Everything `bootstrap()` needs; read once in the entrypoint, never as a global."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_TRAINING_", extra="ignore")

    common: DriftlineSettings = Field(default_factory=DriftlineSettings)
    """Bus, spec, stores, service URLs and security shared by every service (``DRIFTLINE_*``)."""

    host: str = "127.0.0.1"
    """Interface the health/metrics API binds to (0.0.0.0 in a container)."""

    port: int = Field(default=8003, ge=0, le=65535)
    """Port of the health/metrics API."""

    group_id: str = "driftline-training"
    """Kafka consumer group of the trigger consumer (TrainingRequested, DriftDetected)."""

    source: str = "driftline/training"
    """CloudEvents ``ce_source`` of the events this service publishes."""

    consume: bool = True
    """Run the trigger consumer (off: only the queue worker and the API, e.g. to drain state)."""

    state_db: Path | None = None
    """SQLite file of the policy state, the run queue and the outbox;
    unset: ``<state_dir>/training.db``. Must survive restarts (a volume in a container)."""

    http_timeout_s: float = Field(default=60.0, gt=0)
    """Timeout of one call to the feature service or the registry (training sets can be large)."""

    http_attempts: int = Field(default=3, ge=1)
    """Attempts per call when the feature service or registry is unreachable or answers 5xx."""

    http_backoff_s: float = Field(default=0.5, ge=0)
    """First pause between two attempts; doubled after each."""

    compute_threads: int = Field(default=1, ge=1)
    """BLAS/OpenMP threads while training and scoring (1 keeps a small shared host responsive;
    OpenMP spin-waiting makes more threads than free cores much slower, not faster)."""

    latency_sample_rows: int = Field(default=200, ge=10)
    """Evaluation rows predicted one at a time to measure the latency guardrail (p99)."""

    bootstrap_seed: int = 0
    """Seed of the paired bootstrap, so that the gate's evidence is reproducible."""

    idle_poll_s: float = Field(default=1.0, gt=0)
    """How often the idle queue worker looks for work it was not woken for."""

    publish_retry_s: float = Field(default=2.0, gt=0)
    """Pause before publishing the outbox again after the broker refused it."""

    recheck_s: float = Field(default=15.0, gt=0)
    """How long a trigger waiting for new labelled rows waits before it is looked at again
    (each look fetches the labelled rows since its count starts; the spec's
    ``max_wait_minutes`` bounds the whole wait)."""

    max_run_attempts: int = Field(default=2, ge=1)
    """Runs of one trigger cut short by a crash or stop before the trigger is given up."""

    code_version: str | None = None
    """Version of the training code recorded in lineage; unset: the package version plus the
    git revision from ``GIT_REVISION`` (set by the image build) or the checkout, if any."""

    @property
    def resolved_state_db(self) -> Path:
        return self.state_db or self.common.state_dir / "training.db"
