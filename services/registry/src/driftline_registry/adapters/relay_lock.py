"""Which relay may publish: one per database, so the topic keeps the outbox's order.

PostgreSQL: a session-level advisory lock held on a dedicated connection; when
the holder dies its connection closes and a standby replica takes over.
SQLite: one process owns the file, so the lock is always granted.
"""

from __future__ import annotations

import logging
from typing import Protocol

import sqlalchemy as sa

__all__ = ["AdvisoryRelayLock", "RelayLock", "relay_lock_for"]

log = logging.getLogger(__name__)
RELAY_LOCK_KEY = 7_042_005


class RelayLock(Protocol):
    def acquire(self) -> bool:
        """True while this process holds the lock (cheap when already held)."""

    def release(self) -> None: ...


class AdvisoryRelayLock:
    def __init__(self, engine: sa.Engine, key: int = RELAY_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._connection: sa.Connection | None = None

    def acquire(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(sa.text("SELECT 1"))
                return True
            except sa.exc.DBAPIError:
                log.warning("relay lock connection lost; competing for it again")
                self.release()
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = connection.execute(
            sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
        ).scalar()
        if got:
            self._connection = connection
            log.info("relay lock acquired: this replica publishes the outbox")
            return True
        connection.close()
        return False

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            except sa.exc.DBAPIError:
                pass  # the session is gone, and the lock with it
            finally:
                connection.close()


def relay_lock_for(engine: sa.Engine) -> RelayLock | None:
    """The lock the relay needs on this backend (None: no competition possible)."""
    return AdvisoryRelayLock(engine) if engine.dialect.name == "postgresql" else None
