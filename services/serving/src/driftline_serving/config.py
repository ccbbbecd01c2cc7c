"""The serving service's settings (pydantic-settings, env prefix `DRIFTLINE_SERVING_`).

Shared bus, spec, artifact store, registry URL and security settings come from
`DriftlineSettings` (prefix `DRIFTLINE_`), composed as `common`; the online store's
location from `FeatureStoreSettings` (prefix `DRIFTLINE_FEATURES_`), composed as
`features`. Everything here is the service's own.
"""

from __future__ import annotations

import socket
from typing import Literal

from driftline.featurestore import FeatureStoreSettings
from driftline.settings import PLACEHOLDER_SECRETS, DriftlineSettings
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ServingSettings"]


class ServingSettings(BaseSettings):
    """Everything `bootstrap()` needs; read once in the entrypoint, never as a global."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_SERVING_", extra="ignore")

    common: DriftlineSettings = Field(default_factory=DriftlineSettings)
    """Bus, spec, artifact store, registry URL, tokens and limits shared by every service."""

    features: FeatureStoreSettings = Field(default_factory=FeatureStoreSettings)
    """Where the Feast online store lives (`DRIFTLINE_FEATURES_*`), read in-process."""

    host: str = "127.0.0.1"
    """Interface the HTTP API binds to (0.0.0.0 in a container)."""

    port: int = Field(default=8005, ge=0, le=65535)
    """Port of the HTTP API."""

    instance_id: str = Field(default_factory=socket.gethostname)
    """This replica's name. Its lifecycle consumer group is ``serving-<instance_id>``: every
    replica must see every lifecycle event, so replicas never share a group. Keep it stable
    across restarts (the host name in a container) so a restart resumes where it stopped."""

    processes: int = Field(default=1, ge=1, le=32)
    """Serving processes sharing the port (SO_REUSEPORT; the kernel spreads connections).
    Python runs one request at a time per process, so this is how serving uses more than
    one core: set it to the cores it may use. Above 1, ``python -m driftline_serving``
    supervises that many replicas, each a whole serving process (models, lifecycle consumer
    ``serving-<instance_id>-<n>``, prediction log), with Prometheus's multi-process metrics
    so ``/metrics`` adds them up. Needs a fixed `port`."""

    replica_index: int | None = None
    """Set by the supervisor in each replica it starts (``processes`` > 1); not by hand."""

    lifecycle_offset_reset: Literal["latest", "earliest"] = "latest"
    """Where a new lifecycle group starts. ``latest``: the past comes from the registry's
    champion, read once the consumer is positioned, so no event falls in between."""

    source: str = "driftline/serving"
    """CloudEvents `ce_source` of the PredictionLogged events."""

    consume: bool = True
    """Run the lifecycle consumer (off: the champion read at start is all it serves)."""

    log_predictions: bool = True
    """Publish a PredictionLogged per prediction (off: nothing is produced)."""

    registry_token: SecretStr | None = None
    """Bearer token (viewer or above) for the registry's API when it requires one."""

    registry_timeout_seconds: float = Field(default=5.0, gt=0)
    """Timeout of one call to the registry's REST API."""

    registry_retry_max_seconds: float = Field(default=30.0, gt=0)
    """Longest wait between two attempts to read the champions while the registry is down."""

    consumer_ready_timeout_seconds: float = Field(default=30.0, ge=0)
    """How long the champion read at start waits for the lifecycle consumer to be positioned."""

    batch_max_size: int = Field(default=64, ge=1)
    """Most requests of one model answered by one predict call (adaptive micro-batching)."""

    batch_wait_ms: float = Field(default=0.0, ge=0, le=50)
    """Extra time a batch waits for company; 0: batches form only while a predict runs."""

    predict_threads: int = Field(default=1, ge=0, le=16)
    """Threads that run the batches (the event loop keeps reading requests meanwhile);
    0 runs them on the event loop itself."""

    max_entity_keys: int = Field(default=1000, ge=1)
    """Most entity keys in one friendly predict request (422 beyond)."""

    log_queue_size: int = Field(default=20_000, ge=1)
    """Prediction records waiting for the producer; past it records are dropped and counted."""

    log_batch_size: int = Field(default=500, ge=1)
    """Records handed to the producer per round of the log thread."""

    shadow_queue_size: int = Field(default=1_000, ge=1)
    """Shadow scoring jobs waiting; past it shadow jobs are dropped and counted."""

    @model_validator(mode="after")
    def _refuse_placeholder_token(self) -> ServingSettings:
        token = self.registry_token
        if (
            self.common.profile != "embedded"
            and token is not None
            and token.get_secret_value().lower() in PLACEHOLDER_SECRETS
        ):
            raise ValueError("registry_token is a placeholder; set a real secret")
        return self

    @model_validator(mode="after")
    def _processes_need_a_port(self) -> ServingSettings:
        if self.processes > 1 and self.port == 0:
            raise ValueError("processes > 1 needs a fixed port: replicas cannot share port 0")
        return self

    @property
    def group_id(self) -> str:
        return f"serving-{self.instance_id}"
