"""The registry's vocabulary: statuses, versions, transitions and why they happened.

A version's *status* is its place in the lifecycle; *aliases* (MLflow's
vocabulary: ``champion``, ``challenger``) name the versions that serve. The
champion alias and the ``champion`` status always designate the same version.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from driftline.events import Event

__all__ = [
    "ALLOWED",
    "MANUAL_PREFIX",
    "Announcement",
    "Cause",
    "ModelVersion",
    "Status",
    "Transition",
]

MANUAL_PREFIX = "manual."


class Status(StrEnum):
    """Where a version stands. Transitions allowed between them: `ALLOWED`."""

    CANDIDATE = "candidate"
    """Registered, not yet decided by the evaluation gate."""
    CHALLENGER = "challenger"
    """Promoted into a canary or shadow rollout next to the champion."""
    CHAMPION = "champion"
    """Serves all traffic; exactly one per model once one was promoted."""
    SUPERSEDED = "superseded"
    """A former champion replaced by a newer one, awaiting retirement."""
    REJECTED = "rejected"
    """Refused by the policy, displaced as challenger, or rolled back."""
    RETIRED = "retired"
    """Left service for good; its artifact was archived."""


ALLOWED: dict[Status | None, frozenset[Status]] = {
    None: frozenset({Status.CANDIDATE}),
    Status.CANDIDATE: frozenset(
        {Status.CHALLENGER, Status.CHAMPION, Status.REJECTED, Status.RETIRED}
    ),
    Status.CHALLENGER: frozenset({Status.CHAMPION, Status.REJECTED, Status.RETIRED}),
    Status.CHAMPION: frozenset({Status.SUPERSEDED, Status.REJECTED}),
    Status.SUPERSEDED: frozenset({Status.CHAMPION, Status.RETIRED}),
    Status.REJECTED: frozenset({Status.CHAMPION, Status.RETIRED}),
    Status.RETIRED: frozenset({Status.CHAMPION}),
}


@dataclass(frozen=True, slots=True)
class Cause:
    """What triggered a change: a consumed event, or a manual request (``manual.*``)."""

    event_id: str
    event_type: str
    correlation_id: str
    at: datetime
    actor: str
    """The event's ce_source, or who asked for a manual operation."""
    evidence: dict[str, Any] = field(default_factory=dict)
    """The payload behind the decision (an event as JSON, or the request)."""

    @property
    def is_manual(self) -> bool:
        return self.event_type.startswith(MANUAL_PREFIX)

    @property
    def evidence_event_id(self) -> str | None:
        """The ce_id to cite as evidence: the causing event's, none for a manual request."""
        return None if self.is_manual else self.event_id


@dataclass(frozen=True, slots=True)
class Transition:
    """One status change, as recorded in the history."""

    model_name: str
    version: int
    from_status: Status | None
    to_status: Status
    at: datetime
    event_id: str
    event_type: str
    correlation_id: str
    actor: str
    reason: str
    evidence: dict[str, Any]
    announced_by: str | None = None
    """ce_id of the event that announces this change, if one does."""


@dataclass(frozen=True, slots=True)
class Announcement:
    """An event the registry owes the bus, with the ce_id it will carry."""

    event: Event
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass(slots=True)
class ModelVersion:
    """One registered run of a model and where it stands."""

    model_name: str
    version: int
    run_id: str
    status: Status
    flavor: str
    estimator: str
    artifact_uri: str
    artifact_sha256: str
    artifact_size_bytes: int
    registered_at: datetime
    status_changed_at: datetime
    trained_event_id: str
    correlation_id: str
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    lineage: dict[str, Any] = field(default_factory=dict)
    champion_since: datetime | None = None
    """When it last became champion (None: never served)."""
    retired_at: datetime | None = None
    archive_uri: str | None = None
    """Where retirement moved the artifact."""

    @property
    def location(self) -> str:
        """Where the artifact's bytes are now: the archive once retired, else the store."""
        return self.archive_uri or self.artifact_uri
