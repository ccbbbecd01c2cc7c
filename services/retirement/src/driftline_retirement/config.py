"""The retirement service's settings (pydantic-settings, env prefix `DRIFTLINE_RETIREMENT_`).

Shared bus, spec, store and security settings come from `DriftlineSettings`
(prefix `DRIFTLINE_`), composed as `common`: the artifact store
(`artifact_store_url`), the archive (`archive_store_url`), the registry's
address (`registry_url`) and the API tokens. Everything here is the service's own.
"""

from __future__ import annotations

from pathlib import Path

from driftline.settings import PLACEHOLDER_SECRETS, DriftlineSettings
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RetirementSettings"]


class RetirementSettings(BaseSettings):
    """Everything `bootstrap()` needs; read once in the entrypoint, never as a global."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_RETIREMENT_", extra="ignore")

    common: DriftlineSettings = Field(default_factory=DriftlineSettings)
    """Bus, spec, stores, registry URL, tokens and limits shared by every service (`DRIFTLINE_*`)."""

    host: str = "127.0.0.1"
    """Interface the HTTP API binds to (0.0.0.0 in a container)."""

    port: int = Field(default=8007, ge=0, le=65535)
    """Port of the HTTP API."""

    group_id: str = "driftline-retirement"
    """Kafka consumer group of the lifecycle-event consumer (ModelPromoted, ModelRolledBack)."""

    source: str = "driftline/retirement"
    """CloudEvents `ce_source` of the ModelRetired events, and their `retired_by`."""

    consume: bool = True
    """Run the event consumer (off: API and sweeps only)."""

    sweep: bool = True
    """Run the periodic sweep in the background (off: only `POST /sweep` sweeps)."""

    sweep_interval_seconds: float = Field(default=300.0, gt=0)
    """Time between two scheduled sweeps; the first runs one interval after start."""

    resume_interval_seconds: float = Field(default=15.0, gt=0)
    """Time between two attempts at deferred work (retirements the registry could not confirm,
    ModelRetired events not yet acknowledged by the broker)."""

    registry_timeout_seconds: float = Field(default=5.0, gt=0)
    """Timeout of one call to the registry's REST API."""

    registry_token: SecretStr | None = None
    """Bearer token (viewer or above) for the registry's API when it requires one."""

    ledger_path: Path | None = None
    """SQLite file of the retirement ledger; unset: `<state_dir>/retirement.db`."""

    dedupe_path: Path | None = None
    """SQLite file of processed event ids; unset: `<state_dir>/retirement-dedupe.db`."""

    @model_validator(mode="after")
    def _refuse_placeholder_token(self) -> RetirementSettings:
        token = self.registry_token
        if (
            self.common.profile != "embedded"
            and token is not None
            and token.get_secret_value().lower() in PLACEHOLDER_SECRETS
        ):
            raise ValueError("registry_token is a placeholder; set a real secret")
        return self

    @property
    def resolved_ledger_path(self) -> Path:
        return self.ledger_path or self.common.state_dir / "retirement.db"

    @property
    def resolved_dedupe_path(self) -> Path:
        return self.dedupe_path or self.common.state_dir / "retirement-dedupe.db"
