"""The feature service's settings (`DRIFTLINE_FEATURES_` prefix), composed with the shared ones."""

from __future__ import annotations

from typing import Literal

from driftline.featurestore import FeatureStoreSettings
from driftline.settings import DriftlineSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Everything `bootstrap` needs; read from the environment once, at process start."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_FEATURES_", extra="ignore")

    host: str = "127.0.0.1"
    """Interface the HTTP API listens on (0.0.0.0 in a container)."""
    port: int = Field(default=8002, ge=0, le=65535)
    """Port of the HTTP API."""
    consume: bool = True
    """Run the DataIngested consumer next to the API (off: API only, e.g. a read replica)."""
    group_id: str = "features"
    """Kafka consumer group of the DataIngested consumer."""
    apply_on_start: bool = True
    """Apply the Feast definitions derived from the spec at start (`feast apply`)."""
    write_chunk_records: int = Field(default=20_000, ge=100)
    """Entities per SQLite transaction when a batch is written to the online store."""
    sqlite_journal_mode: Literal["WAL", "DELETE", "TRUNCATE", "PERSIST"] = "WAL"
    """Journal mode of the SQLite online store; WAL lets readers go on during writes."""
    sqlite_cache_mib: int = Field(default=128, ge=2)
    """Page cache of the online-store writer's SQLite connection, in MiB."""
    max_online_keys: int = Field(default=1_000, ge=1)
    """Most entity keys one online-features request may ask for."""
    max_window_days: float = Field(default=366, gt=0)
    """Widest time window a training-set or statistics request may cover."""
    histogram_bins: int = Field(default=10, ge=2, le=1000)
    """Bins of the fixed numeric histograms in the feature statistics."""
    common: DriftlineSettings = Field(default_factory=DriftlineSettings)
    """Bus, spec, stores, telemetry and security settings shared by every service."""
    store: FeatureStoreSettings = Field(default_factory=FeatureStoreSettings)
    """Feast registry and online store (also `DRIFTLINE_FEATURES_*`, shared with serving)."""
