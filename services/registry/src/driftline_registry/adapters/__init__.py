"""The registry's adapters: SQL storage (SQLite or PostgreSQL), the outbox relay and its lock."""

from driftline_registry.adapters.database import create_engine, run_migrations
from driftline_registry.adapters.ports import OutboxRecord, UnitOfWork, UnitOfWorkFactory
from driftline_registry.adapters.relay import OutboxRelay
from driftline_registry.adapters.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

__all__ = [
    "OutboxRecord",
    "OutboxRelay",
    "SqlUnitOfWork",
    "SqlUnitOfWorkFactory",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "create_engine",
    "run_migrations",
]
