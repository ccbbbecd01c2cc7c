"""Processed-event stores: the consumer's memory of which event ids already had their effect."""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

__all__ = ["DedupeStore", "MemoryDedupeStore", "SqliteDedupeStore"]


class DedupeStore(Protocol):
    def seen(self, event_id: str) -> bool: ...

    def mark(self, event_id: str) -> None: ...


class MemoryDedupeStore:
    """Bounded, process-local; forgets on restart (fine where handlers are naturally idempotent)."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def seen(self, event_id: str) -> bool:
        return event_id in self._ids

    def mark(self, event_id: str) -> None:
        self._ids[event_id] = None
        self._ids.move_to_end(event_id)
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)


class SqliteDedupeStore:
    """Durable across restarts: one SQLite file per consumer group."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS processed_events ("
            " event_id TEXT PRIMARY KEY,"
            " processed_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )

    def seen(self, event_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,)
            ).fetchone()
        return row is not None

    def mark(self, event_id: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO processed_events (event_id) VALUES (?)", (event_id,)
            )

    def close(self) -> None:
        self._db.close()
