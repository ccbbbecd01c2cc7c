"""What came of one retirement or purge: what the API returns and the logs tell."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from driftline_retirement.domain import RetirementRecord

__all__ = ["Outcome", "PurgeOutcome", "SweepReport"]

Result = Literal["retired", "already_retired", "refused", "deferred"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """retired: done now; already_retired: done before; refused: not allowed (see `detail`);
    deferred: the registry could not be asked, retried in the background."""

    model: str
    version: int
    reason: str
    result: Result
    archive_uri: str | None = None
    detail: str = ""
    event_id: str = ""

    @classmethod
    def of(cls, record: RetirementRecord, result: Result, detail: str = "") -> Outcome:
        return cls(
            model=record.model,
            version=record.version,
            reason=record.reason,
            result=result,
            archive_uri=record.archive_uri,
            detail=detail or record.note or record.detail,
            event_id=record.event_id,
        )


@dataclass(frozen=True, slots=True)
class PurgeOutcome:
    """An archived artifact deleted: that version can no longer be restored."""

    model: str
    version: int
    archive_uri: str
    detail: str


@dataclass(slots=True)
class SweepReport:
    """What one sweep did, model by model."""

    trigger: str
    correlation_id: str
    started_at: datetime
    finished_at: datetime | None = None
    retired: list[Outcome] = field(default_factory=list)
    not_retired: list[Outcome] = field(default_factory=list)
    resumed: list[Outcome] = field(default_factory=list)
    purged: list[PurgeOutcome] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        return "partial" if self.errors else "ok"
