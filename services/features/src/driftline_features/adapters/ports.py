"""The service's ports: what handlers and queries need from the stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["OfflineStore", "OnlineWriter", "WriteOutcome"]


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What one online write did: rows offered (latest per entity) and rows that were newest."""

    offered: int
    written: int

    @property
    def stale(self) -> int:
        """Rows not applied because the store already held a newer value for the entity."""
        return self.offered - self.written


class OnlineWriter(Protocol):
    """Keeps the latest feature values per entity key (by event time) in the online store."""

    kind: str
    """sqlite, redis, ...: reported in FeaturesMaterialized.online_store."""

    def write(self, dataset: str, table: pa.Table) -> WriteOutcome:
        """Upsert one entity row per key; never replace a value with an older one."""
        ...


class OfflineStore(Protocol):
    """The Parquet offline store that ingestion writes (records and labels by dataset and date)."""

    def read_batch(self, dataset: str, storage_path: str) -> pa.Table:
        """The accepted records of one DataIngested batch (a file or a date glob)."""
        ...

    def read_records(
        self, dataset: str, start: datetime | None, end: datetime | None, columns: list[str]
    ) -> pa.Table:
        """Records with start <= event time < end (None: unbounded)."""
        ...

    def read_labels(self, dataset: str, start: datetime, end: datetime) -> pa.Table:
        """Label rows with start <= event time < end."""
        ...
