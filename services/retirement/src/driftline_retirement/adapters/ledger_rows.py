"""The ledger's SQLite schema and the mapping between its rows and the domain's records."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any, cast

from driftline_retirement.domain import RecordState, RetirementRecord, VersionInfo

__all__ = ["SCHEMA", "parse_stamp", "record_of", "stamp", "version_of"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS known_versions (
    model TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    artifact_uri TEXT,
    artifact_sha256 TEXT,
    created_at TEXT,
    updated_at TEXT,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (model, version)
);
CREATE TABLE IF NOT EXISTS retirements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model TEXT NOT NULL,
    version INTEGER NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'retired', 'cancelled', 'restored')),
    requested_at TEXT NOT NULL,
    event_id TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    causation_id TEXT,
    traceparent TEXT NOT NULL,
    artifact_uri TEXT,
    artifact_sha256 TEXT,
    retired_at TEXT,
    archive_uri TEXT,
    archived INTEGER NOT NULL DEFAULT 0,
    announced_at TEXT,
    purged_at TEXT,
    closed_at TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS one_active_retirement_per_version
    ON retirements (model, version) WHERE state IN ('pending', 'retired');
"""


def stamp(value: datetime | None) -> str | None:
    """A UTC ISO-8601 text (naive datetimes are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def parse_stamp(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def version_of(row: sqlite3.Row) -> VersionInfo:
    return VersionInfo(
        model=row["model"],
        version=int(row["version"]),
        status=row["status"],
        artifact_uri=row["artifact_uri"],
        artifact_sha256=row["artifact_sha256"],
        created_at=parse_stamp(row["created_at"]),
        updated_at=parse_stamp(row["updated_at"]),
    )


def record_of(row: sqlite3.Row) -> RetirementRecord:
    requested_at = parse_stamp(row["requested_at"])
    assert requested_at is not None  # NOT NULL in the schema
    return RetirementRecord(
        id=int(row["id"]),
        model=row["model"],
        version=int(row["version"]),
        reason=row["reason"],
        detail=row["detail"],
        state=cast(RecordState, row["state"]),
        requested_at=requested_at,
        event_id=row["event_id"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        traceparent=row["traceparent"],
        artifact_uri=row["artifact_uri"],
        artifact_sha256=row["artifact_sha256"],
        retired_at=parse_stamp(row["retired_at"]),
        archive_uri=row["archive_uri"],
        archived=bool(row["archived"]),
        announced_at=parse_stamp(row["announced_at"]),
        purged_at=parse_stamp(row["purged_at"]),
        closed_at=parse_stamp(row["closed_at"]),
        note=row["note"],
    )
