"""Alembic environment: runs on the connection `run_migrations` hands over (no alembic.ini).

On PostgreSQL an advisory lock serialises replicas that start at the same time,
so only one of them applies a migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from driftline_registry.adapters.tables import metadata

MIGRATION_LOCK = 7_042_004  # any constant shared by every registry replica

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
if connection.dialect.name == "postgresql":
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
with context.begin_transaction():
    context.run_migrations()
