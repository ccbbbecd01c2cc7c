"""The ledger in one SQLite file: known versions, and retirements from decision to purge.

A partial unique index allows one active (pending or retired) retirement per
version, so deciding twice, from a re-delivered event or a concurrent sweep,
finds the first decision instead of making a second one.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from driftline.envelope import Metadata

from driftline_retirement.adapters.ledger_rows import SCHEMA, record_of, stamp, version_of
from driftline_retirement.domain import Retirement, RetirementRecord, VersionInfo

__all__ = ["SqliteLedger"]


class SqliteLedger:
    """`Ledger` over SQLite (WAL); safe to share between the consumer, sweeper and API threads."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def _all(self, sql: str, *params: Any) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _run(self, sql: str, *params: Any) -> int:
        with self._lock:
            return self._db.execute(sql, params).rowcount

    # -- known versions ------------------------------------------------------------
    def remember(self, version: VersionInfo, at: datetime) -> None:
        self._run(
            "INSERT INTO known_versions (model, version, status, artifact_uri, artifact_sha256,"
            " created_at, updated_at, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (model, version) DO UPDATE SET status = excluded.status,"
            " artifact_uri = COALESCE(excluded.artifact_uri, artifact_uri),"
            " artifact_sha256 = COALESCE(excluded.artifact_sha256, artifact_sha256),"
            " created_at = COALESCE(excluded.created_at, created_at),"
            " updated_at = COALESCE(excluded.updated_at, updated_at), seen_at = excluded.seen_at",
            version.model, version.version, version.status, version.artifact_uri,
            version.artifact_sha256, stamp(version.created_at), stamp(version.updated_at), stamp(at),
        )  # fmt: skip

    def known(self, model: str, version: int) -> VersionInfo | None:
        rows = self._all(
            "SELECT * FROM known_versions WHERE model = ? AND version = ?", model, version
        )
        return version_of(rows[0]) if rows else None

    # -- retirements ---------------------------------------------------------------
    def request(
        self, retirement: Retirement, envelope: Metadata, target: VersionInfo | None, at: datetime
    ) -> RetirementRecord:
        self._run(
            "INSERT OR IGNORE INTO retirements (model, version, reason, detail, state, requested_at,"
            " event_id, correlation_id, causation_id, traceparent, artifact_uri, artifact_sha256)"
            " VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)",
            retirement.model, retirement.version, retirement.reason, retirement.detail, stamp(at),
            envelope.id, envelope.correlation_id, envelope.causation_id, envelope.traceparent,
            target.artifact_uri if target else None, target.artifact_sha256 if target else None,
        )  # fmt: skip
        active = self.active(retirement.model, retirement.version)
        if active is None:  # only a concurrent restore between the two statements gets here
            raise LookupError(f"retirement of {retirement.model} v{retirement.version} vanished")
        return active

    def get(self, record_id: int) -> RetirementRecord:
        rows = self._all("SELECT * FROM retirements WHERE id = ?", record_id)
        if not rows:
            raise LookupError(f"no retirement record {record_id}")
        return record_of(rows[0])

    def active(self, model: str, version: int) -> RetirementRecord | None:
        rows = self._all(
            "SELECT * FROM retirements WHERE model = ? AND version = ?"
            " AND state IN ('pending', 'retired')",
            model, version,
        )  # fmt: skip
        return record_of(rows[0]) if rows else None

    def mark_retired(
        self, record_id: int, *, archive_uri: str | None, archived: bool, note: str, at: datetime
    ) -> RetirementRecord:
        self._run(
            "UPDATE retirements SET state = 'retired', retired_at = ?, archive_uri = ?,"
            " archived = ?, note = ? WHERE id = ? AND state = 'pending'",
            stamp(at), archive_uri, int(archived), note, record_id,
        )  # fmt: skip
        return self.get(record_id)

    def mark_announced(self, record_id: int, at: datetime) -> None:
        self._run(
            "UPDATE retirements SET announced_at = ? WHERE id = ? AND announced_at IS NULL",
            stamp(at), record_id,
        )  # fmt: skip

    def close_record(self, record_id: int, state: str, note: str, at: datetime) -> None:
        if state not in ("cancelled", "restored"):
            raise ValueError(f"a record is closed as cancelled or restored, not {state!r}")
        self._run(
            "UPDATE retirements SET state = ?, closed_at = ?, note = ? WHERE id = ?"
            " AND state IN ('pending', 'retired')",
            state, stamp(at), note, record_id,
        )  # fmt: skip

    def mark_purged(self, record_id: int, at: datetime) -> None:
        self._run(
            "UPDATE retirements SET purged_at = ? WHERE id = ? AND purged_at IS NULL",
            stamp(at), record_id,
        )  # fmt: skip

    def outstanding(self) -> list[RetirementRecord]:
        rows = self._all(
            "SELECT * FROM retirements WHERE state = 'pending'"
            " OR (state = 'retired' AND announced_at IS NULL) ORDER BY id"
        )
        return [record_of(row) for row in rows]

    def records(self, model: str | None = None, limit: int | None = 1000) -> list[RetirementRecord]:
        bound = -1 if limit is None else limit  # SQLite: a negative LIMIT is no limit
        if model is None:
            rows = self._all("SELECT * FROM retirements ORDER BY id DESC LIMIT ?", bound)
        else:
            rows = self._all(
                "SELECT * FROM retirements WHERE model = ? ORDER BY id DESC LIMIT ?", model, bound
            )
        return [record_of(row) for row in rows]

    def retired_versions(self, model: str) -> set[int]:
        rows = self._all(
            "SELECT version FROM retirements WHERE model = ? AND state = 'retired'", model
        )
        return {int(row["version"]) for row in rows}

    def archived_counts(self) -> dict[str, int]:
        rows = self._all(
            "SELECT model, COUNT(*) AS n FROM retirements WHERE state = 'retired' AND archived = 1"
            " AND purged_at IS NULL GROUP BY model"
        )
        return {row["model"]: int(row["n"]) for row in rows}

    def ping(self) -> bool:
        self._all("SELECT 1")
        return True

    def close(self) -> None:
        with self._lock:
            self._db.close()
