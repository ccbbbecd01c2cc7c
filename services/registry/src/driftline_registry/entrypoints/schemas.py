"""The API's request and response bodies (the HTTP contract, translated from the domain)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from driftline_registry.domain import ModelVersion, RegisteredModel, Transition

__all__ = [
    "ArtifactOut",
    "ChampionOut",
    "LineageOut",
    "ModelOut",
    "OperationOut",
    "PromoteIn",
    "RollbackIn",
    "TransitionOut",
    "VersionOut",
]


class ArtifactOut(BaseModel):
    uri: str
    """Where the bytes are now (the archive once the version was retired)."""
    sha256: str
    """Check it before loading."""
    size_bytes: int
    flavor: str
    archived: bool

    @classmethod
    def of(cls, v: ModelVersion) -> ArtifactOut:
        return cls(uri=v.location, sha256=v.artifact_sha256, size_bytes=v.artifact_size_bytes,
                   flavor=v.flavor, archived=v.archive_uri is not None)  # fmt: skip


class VersionOut(BaseModel):
    model_name: str
    version: int
    run_id: str
    status: str
    aliases: list[str]
    estimator: str
    artifact: ArtifactOut
    metrics: dict[str, float]
    params: dict[str, str]
    registered_at: datetime
    status_changed_at: datetime
    champion_since: datetime | None
    retired_at: datetime | None

    @classmethod
    def of(cls, model: RegisteredModel, v: ModelVersion) -> VersionOut:
        return cls(
            model_name=v.model_name, version=v.version, run_id=v.run_id, status=v.status.value,
            aliases=sorted(a for a, n in model.aliases.items() if n == v.version),
            estimator=v.estimator, artifact=ArtifactOut.of(v), metrics=v.metrics,
            params=v.params, registered_at=v.registered_at,
            status_changed_at=v.status_changed_at, champion_since=v.champion_since,
            retired_at=v.retired_at,
        )  # fmt: skip


class ModelOut(BaseModel):
    name: str
    champion: VersionOut | None
    challenger: VersionOut | None
    aliases: dict[str, int]
    version_count: int
    statuses: dict[str, int]
    """Number of versions in each status."""

    @classmethod
    def of(cls, m: RegisteredModel) -> ModelOut:
        statuses: dict[str, int] = {}
        for v in m.versions.values():
            statuses[v.status.value] = statuses.get(v.status.value, 0) + 1
        return cls(
            name=m.name, champion=VersionOut.of(m, m.champion) if m.champion else None,
            challenger=VersionOut.of(m, m.challenger) if m.challenger else None,
            aliases=dict(m.aliases), version_count=len(m.versions), statuses=statuses,
        )  # fmt: skip


class LineageOut(BaseModel):
    model_name: str
    version: int
    run_id: str
    trained_event_id: str
    """ce_id of the ModelTrained that registered it."""
    correlation_id: str
    """The workflow (e.g. one drift incident) that produced it."""
    flavor: str
    estimator: str
    params: dict[str, str]
    metrics: dict[str, float]
    training: dict[str, Any]
    """The ModelTrained lineage: dataset, data window, rows, content hash, features, code, trigger."""

    @classmethod
    def of(cls, v: ModelVersion) -> LineageOut:
        return cls(
            model_name=v.model_name, version=v.version, run_id=v.run_id,
            trained_event_id=v.trained_event_id, correlation_id=v.correlation_id,
            flavor=v.flavor, estimator=v.estimator, params=v.params, metrics=v.metrics,
            training=v.lineage,
        )  # fmt: skip


class VersionDetailOut(VersionOut):
    lineage: LineageOut


class TransitionOut(BaseModel):
    version: int
    from_status: str | None
    to_status: str
    at: datetime
    event_id: str
    """ce_id of the triggering event, or the request id of a manual operation."""
    event_type: str
    correlation_id: str
    actor: str
    reason: str
    evidence: dict[str, Any]
    announced_by: str | None
    """ce_id of the event that announced the change, if any."""

    @classmethod
    def of(cls, t: Transition) -> TransitionOut:
        return cls(
            version=t.version, from_status=t.from_status.value if t.from_status else None,
            to_status=t.to_status.value, at=t.at, event_id=t.event_id, event_type=t.event_type,
            correlation_id=t.correlation_id, actor=t.actor, reason=t.reason,
            evidence=t.evidence, announced_by=t.announced_by,
        )  # fmt: skip


class ChampionOut(BaseModel):
    """What serving loads at start."""

    model_name: str
    version: int
    run_id: str
    artifact_uri: str
    artifact_sha256: str
    flavor: str
    champion_since: datetime | None


class PromoteIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    requested_by: str | None = Field(default=None, max_length=200)
    """Who asks (recorded in the history); default: the caller's role."""


class RollbackIn(PromoteIn):
    to_version: int | None = Field(default=None, ge=1)
    """Version to restore; default: the previous champion."""


class OperationOut(BaseModel):
    model_name: str
    version: int
    status: str
    announced: list[str]
    """ce_ids of the events queued in the outbox (published by the relay)."""
    correlation_id: str
