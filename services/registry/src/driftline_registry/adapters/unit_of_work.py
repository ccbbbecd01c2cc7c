"""The SQL unit of work: one connection, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import sqlalchemy as sa

from driftline_registry.adapters.database import READONLY
from driftline_registry.adapters.ports import History, ModelRepository, Outbox, ProcessedEvents
from driftline_registry.adapters.sql_models import SqlHistory, SqlModelRepository
from driftline_registry.adapters.sql_outbox import SqlOutbox, SqlProcessedEvents
from driftline_registry.domain import ConcurrencyError

__all__ = ["SqlUnitOfWork", "SqlUnitOfWorkFactory"]


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()``: whatever is not committed is rolled back on exit."""

    models: ModelRepository
    history: History
    processed: ProcessedEvents
    outbox: Outbox

    def __init__(self, engine: sa.Engine, *, readonly: bool = False) -> None:
        self._engine = engine
        self._readonly = readonly
        self._connection: sa.Connection | None = None

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        if self._readonly:
            # One snapshot for every SELECT of the unit (SQLite's WAL readers have one anyway).
            options: dict[str, object] = {READONLY: True}
            if connection.dialect.name == "postgresql":
                options["isolation_level"] = "REPEATABLE READ"
            connection = connection.execution_options(**options)
        connection.begin()
        self._connection = connection
        self.models = SqlModelRepository(connection, lock=not self._readonly)
        self.history = SqlHistory(connection)
        self.processed = SqlProcessedEvents(connection)
        self.outbox = SqlOutbox(connection)
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                if connection.in_transaction():
                    connection.rollback()
            finally:
                connection.close()

    def commit(self) -> None:
        if self._connection is None:
            raise RuntimeError("commit outside `with uow:`")
        if self._readonly:
            raise RuntimeError("a read-only unit of work cannot commit")
        try:
            self._connection.commit()
        except sa.exc.IntegrityError as exc:
            raise ConcurrencyError(f"a concurrent change won at commit ({exc.orig})") from exc

    def rollback(self) -> None:
        if self._connection is not None and self._connection.in_transaction():
            self._connection.rollback()


class SqlUnitOfWorkFactory:
    """Makes units of work on one engine (what `bootstrap` hands to the handlers)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def __call__(self, *, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, readonly=readonly)
