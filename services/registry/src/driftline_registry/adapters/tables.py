"""The registry's SQL schema (SQLAlchemy Core); migrations in `migrations/` create the same.

Invariants held by the database itself, whatever the code does:
- one version per (model, run_id): a re-delivered ModelTrained registers once;
- at most one ``champion`` and one ``challenger`` per model, both as a status
  (partial unique indexes) and as an alias (primary key of `model_aliases`);
- an event id is processed once (`processed_events`) and announced once
  (`outbox.event_id`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

__all__ = [
    "STATUSES",
    "UtcDateTime",
    "metadata",
    "model_aliases",
    "model_versions",
    "outbox",
    "processed_events",
    "registered_models",
    "transitions",
]

STATUSES = ("candidate", "challenger", "champion", "superseded", "rejected", "retired")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER only


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite stores naive text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the registry stores UTC-aware timestamps")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


metadata = sa.MetaData()

registered_models = sa.Table(
    "registered_models", metadata,
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)  # fmt: skip

_status_in = "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")"
model_versions = sa.Table(
    "model_versions", metadata,
    sa.Column("model_name", sa.String(63), sa.ForeignKey("registered_models.name"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.String(200), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("flavor", sa.String(100), nullable=False),
    sa.Column("estimator", sa.String(200), nullable=False),
    sa.Column("artifact_uri", sa.Text, nullable=False),
    sa.Column("artifact_sha256", sa.String(64), nullable=False),
    sa.Column("artifact_size_bytes", sa.BigInteger, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("metrics", sa.JSON, nullable=False),
    sa.Column("lineage", sa.JSON, nullable=False),
    sa.Column("trained_event_id", sa.String(100), nullable=False),
    sa.Column("correlation_id", sa.String(100), nullable=False),
    sa.Column("registered_at", UtcDateTime, nullable=False),
    sa.Column("status_changed_at", UtcDateTime, nullable=False),
    sa.Column("champion_since", UtcDateTime, nullable=True),
    sa.Column("retired_at", UtcDateTime, nullable=True),
    sa.Column("archive_uri", sa.Text, nullable=True),
    sa.UniqueConstraint("model_name", "run_id", name="uq_model_versions_run"),
    sa.CheckConstraint(_status_in, name="ck_model_versions_status"),
    sa.Index("uq_one_champion_per_model", "model_name", unique=True,
             sqlite_where=sa.text("status = 'champion'"),
             postgresql_where=sa.text("status = 'champion'")),
    sa.Index("uq_one_challenger_per_model", "model_name", unique=True,
             sqlite_where=sa.text("status = 'challenger'"),
             postgresql_where=sa.text("status = 'challenger'")),
)  # fmt: skip

model_aliases = sa.Table(
    "model_aliases", metadata,
    sa.Column("model_name", sa.String(63), primary_key=True),
    sa.Column("alias", sa.String(63), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.ForeignKeyConstraint(["model_name", "version"],
                            ["model_versions.model_name", "model_versions.version"]),
)  # fmt: skip

transitions = sa.Table(
    "transitions", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("model_name", sa.String(63), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("event_id", sa.String(100), nullable=False),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("correlation_id", sa.String(100), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("announced_by", sa.String(100), nullable=True),
    sa.ForeignKeyConstraint(["model_name", "version"],
                            ["model_versions.model_name", "model_versions.version"]),
    sa.Index("ix_transitions_model", "model_name", "id"),
)  # fmt: skip

processed_events = sa.Table(
    "processed_events", metadata,
    sa.Column("event_id", sa.String(100), primary_key=True),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("processed_at", UtcDateTime, nullable=False),
)  # fmt: skip

outbox = sa.Table(
    "outbox", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(100), nullable=False, unique=True),
    sa.Column("event_type", sa.String(200), nullable=False),
    sa.Column("message_key", sa.String(200), nullable=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("correlation_id", sa.String(100), nullable=False),
    sa.Column("causation_id", sa.String(100), nullable=True),
    sa.Column("traceparent", sa.String(100), nullable=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("published_at", UtcDateTime, nullable=True),
    sa.Index("ix_outbox_pending", "id",
             sqlite_where=sa.text("published_at IS NULL"),
             postgresql_where=sa.text("published_at IS NULL")),
)  # fmt: skip
