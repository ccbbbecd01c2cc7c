"""The ingestion service's settings (pydantic-settings, env prefix `DRIFTLINE_INGESTION_`).

Shared bus, store and security settings come from `DriftlineSettings` (prefix
`DRIFTLINE_`), composed as `common`; everything here is the service's own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from driftline.settings import DriftlineSettings
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["IngestionSettings"]


class IngestionSettings(BaseSettings):
    """Settings of one ingestion process: API, Kafka consumers, validation and limits."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_INGESTION_", extra="ignore")

    common: DriftlineSettings = Field(default_factory=DriftlineSettings)
    """Bus, spec, store and security settings shared by every service (`DRIFTLINE_*`)."""

    host: str = "127.0.0.1"
    """Interface the HTTP API listens on (0.0.0.0 in a container)."""

    port: int = Field(default=8001, ge=0, le=65535)
    """Port of the HTTP API."""

    consume: bool = True
    """Run the raw-records consumers (one group over every dataset's records topic)."""

    create_topics: bool = True
    """Create the raw-records topics and their `.dlq` twins at start (idempotent)."""

    consumer_group: str = "driftline-ingestion"
    """Kafka consumer group of the raw-records consumers."""

    micro_batch_records: int = Field(default=20_000, ge=1)
    """Most records per Kafka micro-batch (one stored batch per partition and micro-batch).
    Each stored batch costs a few file writes, so a backlog drains faster in large ones."""

    micro_batch_wait_ms: int = Field(default=200, ge=1)
    """Longest wait for a micro-batch to fill before it is processed anyway."""

    max_rows_per_batch: int = Field(default=200_000, ge=1)
    """Largest batch accepted over HTTP, in rows (413 beyond); bytes are capped by `common`."""

    reject_unknown_fields: bool = True
    """Reject rows carrying fields the spec does not declare (else ignore those fields)."""

    min_event_time: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    """Earliest plausible event time; earlier ones (e.g. epoch seconds sent as ms) are rejected."""

    max_future_s: float = Field(default=86_400.0, ge=0)
    """How far past the current time an event time may lie before it is rejected."""

    max_rejections_per_event: int = Field(default=500, ge=1)
    """Rejections per RecordsRejected event; larger batches publish several events."""

    max_labels_per_event: int = Field(default=2000, ge=1)
    """Labels per LabelsObserved event; larger batches publish several events."""

    announce_record_labels: bool = False
    """Publish LabelsObserved for labels that arrive inside records too, not only for label
    batches; either way they are stored under `labels/` for training."""

    max_raw_chars: int = Field(default=2000, ge=64)
    """Longest raw row copied into an event (the rejected store keeps the full row)."""

    fsync: bool = True
    """Flush each offline-store file to disk before it becomes visible (local folders only).
    Off trades durability on power loss for speed; object stores are unaffected."""

    parquet_compression: Literal["snappy", "zstd", "lz4", "gzip", "none"] = "snappy"
    """Compression codec of the Parquet files written to the offline store."""
