"""The ports retirement depends on: the registry (read), the archive, and its own ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from driftline.envelope import Metadata

from driftline_retirement.domain import Champion, Retirement, RetirementRecord, VersionInfo

__all__ = [
    "Archive",
    "Ledger",
    "RegistryReader",
    "RegistryUnavailableError",
]


class RegistryUnavailableError(RuntimeError):
    """The registry did not answer (or answered 5xx): decide later, not on a guess."""


class RegistryReader(Protocol):
    """The registry's present view of a model: its versions and its champion."""

    def versions(self, model: str) -> list[VersionInfo]:
        """Every version of `model` (empty when the registry does not know the model)."""
        ...

    def champion(self, model: str) -> Champion | None:
        """The champion of `model`, or None when it has none."""
        ...

    def ping(self) -> bool: ...


class Archive(Protocol):
    """Where retired artifacts go, on the artifact store's file system."""

    @property
    def root_uri(self) -> str: ...

    def archive(self, uri: str) -> str:
        """Move the artifact at `uri` into the archive; return its new URI.

        Idempotent: archiving an already-archived artifact returns its archive URI.
        Raises `ArtifactNotFoundError` when the bytes are neither here nor there.
        """
        ...

    def purge(self, uri: str) -> bool:
        """Delete an archived artifact; False when it was already gone.

        Refuses (ValueError) any URI outside the archive.
        """
        ...

    def ping(self) -> bool: ...


class Ledger(Protocol):
    """Retirement's own memory: versions it has seen and every retirement it decided."""

    def remember(self, version: VersionInfo, at: datetime) -> None:
        """Record what an event or the registry said of a version (known fields are kept)."""

    def known(self, model: str, version: int) -> VersionInfo | None: ...

    def request(
        self, retirement: Retirement, envelope: Metadata, target: VersionInfo | None, at: datetime
    ) -> RetirementRecord:
        """Record the decision as pending, or return the retirement already under way or done."""
        ...

    def get(self, record_id: int) -> RetirementRecord: ...

    def active(self, model: str, version: int) -> RetirementRecord | None:
        """The pending or retired record of a version, if any."""
        ...

    def mark_retired(
        self, record_id: int, *, archive_uri: str | None, archived: bool, note: str, at: datetime
    ) -> RetirementRecord: ...

    def mark_announced(self, record_id: int, at: datetime) -> None: ...

    def close_record(self, record_id: int, state: str, note: str, at: datetime) -> None:
        """Cancel a pending record or mark a retired one restored."""

    def mark_purged(self, record_id: int, at: datetime) -> None: ...

    def outstanding(self) -> list[RetirementRecord]:
        """Pending records, and retired ones whose ModelRetired was not yet acknowledged."""
        ...

    def records(self, model: str | None = None, limit: int | None = 1000) -> list[RetirementRecord]:
        """Retirement records, newest first."""
        ...

    def retired_versions(self, model: str) -> set[int]: ...

    def archived_counts(self) -> dict[str, int]:
        """Per model, the archived artifacts not yet purged."""
        ...

    def ping(self) -> bool: ...
