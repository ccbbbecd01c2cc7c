"""The ports the handlers depend on; concrete adapters live beside this module."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import pyarrow as pa  # type: ignore[import-untyped]

from driftline_ingestion.domain.model import Kind, Manifest
from driftline_ingestion.domain.plan import BatchPlan

__all__ = ["OfflineStore", "RecordDecoder", "UndecodableError"]


class UndecodableError(ValueError):
    """Bytes that are no record at all (not JSON, not Avro of the dataset's schema)."""


class OfflineStore(Protocol):
    """Parquet files and batch manifests under one root (a folder or an object-store prefix)."""

    @property
    def root(self) -> str:
        """The root as it appears in stored paths (an absolute path or a URL)."""
        ...

    def manifest(self, dataset: str, kind: Kind, batch_id: str) -> Manifest | None:
        """The manifest of a stored batch, or None when the batch was never stored."""
        ...

    def write(self, plan: BatchPlan) -> None:
        """Write the plan's files, each atomically, then its manifest; clean up on failure."""
        ...

    def save_manifest(self, manifest: Manifest) -> None:
        """Replace a batch's manifest (e.g. once its events were published)."""
        ...

    def read(self, paths: Sequence[str]) -> pa.Table | None:
        """The rows of stored files, concatenated; None for no paths."""
        ...

    def check(self) -> bool | str:
        """True when the store answers, else why not."""
        ...


class RecordDecoder(Protocol):
    def decode(self, dataset: str, value: bytes | None) -> Any:
        """One message value as a row (normally a dict); raises `UndecodableError`."""
        ...
