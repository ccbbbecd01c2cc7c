"""The monitoring service's settings: ``DRIFTLINE_MONITORING_*``, composing `DriftlineSettings`."""

from __future__ import annotations

from typing import Literal

from driftline.settings import DriftlineSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["MonitoringSettings"]


class MonitoringSettings(BaseSettings):
    """Everything `bootstrap()` needs; read once in the entrypoint, never as a global."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_MONITORING_", extra="ignore")

    common: DriftlineSettings = Field(default_factory=DriftlineSettings)
    """Bus, spec, state dir, service URLs, tokens and limits shared by every service."""

    host: str = "127.0.0.1"
    """Interface the HTTP API binds to."""

    port: int = Field(default=8006, ge=1, le=65535)
    """Port of the HTTP API (/healthz, /readyz, /metrics, /drift)."""

    app_id: str = "driftline-monitoring"
    """faust application id: the Kafka consumer group, and the prefix of faust's own topics."""

    source: str = "driftline/monitoring"
    """CloudEvents ``ce_source`` of the events monitoring publishes."""

    reference: Literal["platform", "first_window"] = "platform"
    """Where a version's reference comes from: the registry + feature service (falling back,
    with an error log, to the version's first window when they cannot answer), or always the
    first window of traffic."""

    reference_timeout_s: float = Field(default=3.0, gt=0)
    """HTTP timeout of each registry / feature-service call made to load a reference."""

    pending_capacity: int = Field(default=200_000, ge=1)
    """Predictions kept waiting for their labels; past it the oldest are dropped."""

    pending_ttl_hours: float = Field(default=72.0, gt=0)
    """How long (event time) a prediction waits for its label: the prediction topic's retention."""

    batch_size: int = Field(default=500, ge=1)
    """Records the worker hands to the handlers at once."""

    batch_within_s: float = Field(default=0.2, gt=0)
    """Longest wait to fill a batch before handling what came."""

    history: int = Field(default=20, ge=1)
    """Evaluated windows per model kept for the drift API."""

    state_file: str = "monitoring/state.json"
    """Durable state (references, champions, cooldowns, canary trials), under ``state_dir``."""
