"""The run store on SQLite: policy state, the run queue and the outbox in one file.

Tables: ``model_state`` (per model: last training start, last data-window end,
last run), ``pending`` (at most one queued trigger per model: a newer one
replaces it, see `Trigger.replacing`; a waiting trigger stays there with its
``not_before``), ``in_flight`` (the trigger being run and whether it announced
TrainingStarted) and ``outbox`` (events to publish, in order). Every method is
one ``BEGIN IMMEDIATE`` transaction; one connection is shared by the consumer
thread and the queue worker behind a lock. Triggers are stored as JSON, so
fields added to them need no migration (see `load_trigger`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from driftline_training.adapters.ports import Outgoing
from driftline_training.adapters.serialization import (
    dump_outgoing,
    dump_trigger,
    load_outgoing,
    load_trigger,
)
from driftline_training.domain.model import Claim, ModelState, Trigger

__all__ = ["SqliteRunStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS model_state (
    model TEXT PRIMARY KEY, last_trained_at TEXT, last_data_end TEXT, last_run_id TEXT);
CREATE TABLE IF NOT EXISTS pending (
    model TEXT PRIMARY KEY, trigger TEXT NOT NULL, queued_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS in_flight (
    model TEXT PRIMARY KEY, run_id TEXT NOT NULL, trigger TEXT NOT NULL,
    started INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL);
"""


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class SqliteRunStore:
    """`RunStore` in one SQLite file (``:memory:`` for tests)."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def state(self, model: str) -> ModelState:
        with self._tx() as db:
            row = db.execute(
                "SELECT last_trained_at, last_data_end, last_run_id FROM model_state"
                " WHERE model = ?",
                (model,),
            ).fetchone()
        if row is None:
            return ModelState(model)
        return ModelState(model, _time(row[0]), _time(row[1]), row[2])

    def enqueue(self, trigger: Trigger) -> Trigger | None:
        with self._tx() as db:
            replaced = _pending(db, trigger.model)
            if replaced is not None:
                trigger = trigger.replacing(replaced)
            db.execute(
                "INSERT OR REPLACE INTO pending (model, trigger, queued_at) VALUES (?, ?, ?)",
                (trigger.model, dump_trigger(trigger), datetime.now(UTC).isoformat()),
            )
        return replaced

    def pending(self) -> list[Trigger]:
        with self._tx() as db:
            rows = db.execute("SELECT trigger FROM pending ORDER BY queued_at").fetchall()
        return [load_trigger(r[0]) for r in rows]

    def claim_next(self, run_id: str, now: datetime) -> Claim | None:
        with self._tx() as db:
            rows = db.execute(
                "SELECT model, trigger FROM pending WHERE model NOT IN (SELECT model FROM in_flight)"
                " ORDER BY queued_at"
            ).fetchall()  # at most one per model: filtering here is cheaper than a migration
            due = [
                (model, text, trigger)
                for model, text in rows
                if (trigger := load_trigger(text)).not_before is None or trigger.not_before <= now
            ]
            if not due:
                return None
            model, text, trigger = due[0]
            db.execute("DELETE FROM pending WHERE model = ?", (model,))
            db.execute(
                "INSERT INTO in_flight (model, run_id, trigger) VALUES (?, ?, ?)",
                (model, run_id, text),
            )
        return Claim(trigger, run_id)

    def in_flight(self) -> list[Claim]:
        with self._tx() as db:
            rows = db.execute("SELECT run_id, trigger, started FROM in_flight").fetchall()
        return [Claim(load_trigger(t), run_id, bool(started)) for run_id, t, started in rows]

    def start(self, claim: Claim, started: Outgoing) -> Claim:
        with self._tx() as db:
            db.execute("UPDATE in_flight SET started = 1 WHERE run_id = ?", (claim.run_id,))
            db.execute("INSERT INTO outbox (payload) VALUES (?)", (dump_outgoing(started),))
        return Claim(claim.trigger, claim.run_id, started=True)

    def finish(
        self,
        claim: Claim,
        events: Sequence[Outgoing],
        state: ModelState | None = None,
        requeue: Trigger | None = None,
    ) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM in_flight WHERE run_id = ?", (claim.run_id,))
            db.executemany(
                "INSERT INTO outbox (payload) VALUES (?)", [(dump_outgoing(e),) for e in events]
            )
            if state is not None:
                db.execute(
                    "INSERT OR REPLACE INTO model_state VALUES (?, ?, ?, ?)",
                    (
                        state.model,
                        _iso(state.last_trained_at),
                        _iso(state.last_data_end),
                        state.last_run_id,
                    ),
                )
            if requeue is not None:  # a newer pending trigger supersedes the one put back
                newer = _pending(db, requeue.model)
                if newer is None:
                    db.execute(
                        "INSERT INTO pending (model, trigger, queued_at) VALUES (?, ?, ?)",
                        (requeue.model, dump_trigger(requeue), datetime.now(UTC).isoformat()),
                    )
                elif (kept := newer.replacing(requeue)) != newer:
                    db.execute(
                        "UPDATE pending SET trigger = ? WHERE model = ?",
                        (dump_trigger(kept), kept.model),
                    )

    def record(self, events: Sequence[Outgoing]) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT INTO outbox (payload) VALUES (?)", [(dump_outgoing(e),) for e in events]
            )

    def outbox(self) -> list[tuple[int, Outgoing]]:
        with self._tx() as db:
            rows = db.execute("SELECT seq, payload FROM outbox ORDER BY seq").fetchall()
        return [(seq, load_outgoing(payload)) for seq, payload in rows]

    def sent(self, seq: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def close(self) -> None:
        self._db.close()


def _pending(db: sqlite3.Connection, model: str) -> Trigger | None:
    row = db.execute("SELECT trigger FROM pending WHERE model = ?", (model,)).fetchone()
    return None if row is None else load_trigger(row[0])


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
