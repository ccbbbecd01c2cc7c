"""What retirement reasons about: versions as the registry shows them, and retirement records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = [
    "CHAMPION",
    "RETIRED",
    "Champion",
    "Reason",
    "RecordState",
    "Retirement",
    "RetirementRecord",
    "VersionInfo",
]

CHAMPION, RETIRED = "champion", "retired"
Reason = Literal["replaced", "ttl", "keep_last"]
RecordState = Literal["pending", "retired", "cancelled", "restored"]


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One model version as the registry (or a lifecycle event) describes it.

    `status` is the registry's word for it; any status other than champion and
    retired (candidate, challenger, superseded, rejected...) can be retired.
    """

    model: str
    version: int
    status: str
    artifact_uri: str | None = None
    artifact_sha256: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def retirable(self) -> bool:
        return self.status not in (CHAMPION, RETIRED)

    @property
    def idle_since(self) -> datetime | None:
        """When the version last changed status (else when it was created)."""
        return self.updated_at or self.created_at


@dataclass(frozen=True, slots=True)
class Champion:
    """The version that serves all traffic, and where its bytes live."""

    version: int
    artifact_uri: str | None = None
    artifact_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Retirement:
    """A decision to retire one version, why (`reason`) and in words (`detail`)."""

    model: str
    version: int
    reason: Reason
    detail: str


@dataclass(frozen=True, slots=True)
class RetirementRecord:
    """The ledger's memory of one retirement, from the decision to the purge of its archive.

    States: pending (decided, not yet done), retired (artifact archived, event
    owed or sent), cancelled (refused when it came to it, e.g. the version is the
    champion again), restored (a rollback brought the retired version back).
    """

    id: int
    model: str
    version: int
    reason: str
    detail: str
    state: RecordState
    requested_at: datetime
    event_id: str
    correlation_id: str
    causation_id: str | None
    traceparent: str
    artifact_uri: str | None = None
    artifact_sha256: str | None = None
    retired_at: datetime | None = None
    archive_uri: str | None = None
    archived: bool = False
    """The bytes sit in the archive (a purge may delete them once restoring is no longer allowed)."""
    announced_at: datetime | None = None
    purged_at: datetime | None = None
    closed_at: datetime | None = None
    """When the record was cancelled or restored."""
    note: str = ""

    def restorable_until(self, restore_within: timedelta) -> datetime | None:
        """The last moment a rollback may bring this version back (None: not retired)."""
        if self.state != RETIRED or self.retired_at is None:
            return None
        return self.retired_at + restore_within

    def restorable(self, restore_within: timedelta, now: datetime) -> bool:
        until = self.restorable_until(restore_within)
        return (
            until is not None
            and self.archive_uri is not None
            and self.purged_at is None
            and now <= until
        )
