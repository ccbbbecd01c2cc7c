"""The registry's settings: ``DRIFTLINE_REGISTRY_*``, composing the shared `DriftlineSettings`."""

from __future__ import annotations

from driftline.settings import DriftlineSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RegistrySettings"]


class RegistrySettings(BaseSettings):
    """Everything `bootstrap()` needs; read once in the entrypoint, never as a global."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_REGISTRY_", extra="ignore")

    common: DriftlineSettings = Field(default_factory=DriftlineSettings)
    """Bus, spec, state dir, tokens and limits shared by every service (``DRIFTLINE_*``)."""

    database_url: str | None = None
    """SQLAlchemy URL of the metadata store; unset: ``sqlite:///<state_dir>/registry.db``.
    PostgreSQL: ``postgresql+psycopg://user:password@host:5432/db`` (``postgresql://`` works too)."""

    host: str = "127.0.0.1"
    """Interface the HTTP API binds to."""

    port: int = Field(default=8004, ge=1, le=65535)
    """Port of the HTTP API."""

    group_id: str = "driftline-registry"
    """Kafka consumer group of the lifecycle-event consumer."""

    source: str = "driftline/registry"
    """CloudEvents ``ce_source`` of the events the registry publishes."""

    consume: bool = True
    """Run the event consumer (off: API and relay only, e.g. a read replica)."""

    migrate_on_start: bool = True
    """Apply the database migrations (``alembic upgrade head``) when the service starts."""

    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    """How long a SQLite writer waits for the lock before failing."""

    relay_batch_size: int = Field(default=100, ge=1)
    """Outbox rows published per relay round."""

    relay_poll_interval_s: float = Field(default=0.2, gt=0)
    """Pause between relay rounds when the outbox is empty (a commit wakes it at once)."""

    relay_start_delay_s: float = Field(default=0.0, ge=0)
    """TEST ONLY: hold the relay back this long after start. The outbox crash test sets it
    so the process can be killed between the commit and the relay; never set it in production."""

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.common.state_dir / 'registry.db').resolve()}"
