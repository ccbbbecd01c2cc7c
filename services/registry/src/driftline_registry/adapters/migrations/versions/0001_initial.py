"""The registry's first schema: models, versions, aliases, history, dedupe and outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STATUS_IN = "status IN ('candidate', 'challenger', 'champion', 'superseded', 'rejected', 'retired')"
VERSION_FK = (["model_name", "version"], ["model_versions.model_name", "model_versions.version"])


def upgrade() -> None:
    op.create_table(
        "registered_models",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "model_versions",
        sa.Column("model_name", sa.String(63), sa.ForeignKey("registered_models.name"),
                  primary_key=True),
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
        sa.Column("registered_at", TS, nullable=False),
        sa.Column("status_changed_at", TS, nullable=False),
        sa.Column("champion_since", TS, nullable=True),
        sa.Column("retired_at", TS, nullable=True),
        sa.Column("archive_uri", sa.Text, nullable=True),
        sa.UniqueConstraint("model_name", "run_id", name="uq_model_versions_run"),
        sa.CheckConstraint(STATUS_IN, name="ck_model_versions_status"),
    )  # fmt: skip
    for status in ("champion", "challenger"):
        op.create_index(
            f"uq_one_{status}_per_model", "model_versions", ["model_name"], unique=True,
            sqlite_where=sa.text(f"status = '{status}'"),
            postgresql_where=sa.text(f"status = '{status}'"),
        )  # fmt: skip
    op.create_table(
        "model_aliases",
        sa.Column("model_name", sa.String(63), primary_key=True),
        sa.Column("alias", sa.String(63), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(*VERSION_FK),
    )
    op.create_table(
        "transitions",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("model_name", sa.String(63), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("correlation_id", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("announced_by", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(*VERSION_FK),
    )
    op.create_index("ix_transitions_model", "transitions", ["model_name", "id"])
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(100), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("processed_at", TS, nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(100), nullable=False, unique=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("message_key", sa.String(200), nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("correlation_id", sa.String(100), nullable=False),
        sa.Column("causation_id", sa.String(100), nullable=True),
        sa.Column("traceparent", sa.String(100), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("published_at", TS, nullable=True),
    )
    op.create_index(
        "ix_outbox_pending", "outbox", ["id"],
        sqlite_where=sa.text("published_at IS NULL"),
        postgresql_where=sa.text("published_at IS NULL"),
    )  # fmt: skip


def downgrade() -> None:
    for table in ("outbox", "processed_events", "transitions", "model_aliases"):
        op.drop_table(table)
    op.drop_index("uq_one_challenger_per_model", "model_versions")
    op.drop_index("uq_one_champion_per_model", "model_versions")
    op.drop_table("model_versions")
    op.drop_table("registered_models")
