"""The transactional outbox and the processed-event ids, in the registry's database.

An outbox row holds the whole envelope (ce_id, type, source, correlation and
causation ids, traceparent, key, time) and the event as JSON, so the relay sends
exactly the record the state change promised, however late.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from driftline.bus.ports import event_type_name
from driftline.envelope import Metadata
from driftline.events import EVENT_TYPES

from driftline_registry.adapters.ports import OutboxRecord
from driftline_registry.adapters.tables import outbox, processed_events
from driftline_registry.domain import Announcement, ConcurrencyError

__all__ = ["SqlOutbox", "SqlProcessedEvents"]


class SqlProcessedEvents:
    def __init__(self, connection: sa.Connection) -> None:
        self._db = connection

    def seen(self, event_id: str) -> bool:
        query = sa.select(processed_events.c.event_id).where(
            processed_events.c.event_id == event_id
        )
        return self._db.execute(query).first() is not None

    def add(self, event_id: str, event_type: str, at: datetime) -> None:
        try:
            self._db.execute(
                processed_events.insert().values(
                    event_id=event_id, event_type=event_type, processed_at=at
                )
            )
        except sa.exc.IntegrityError as exc:
            raise ConcurrencyError(f"event {event_id} was processed concurrently") from exc


class SqlOutbox:
    def __init__(self, connection: sa.Connection) -> None:
        self._db = connection

    def add(self, announcement: Announcement, meta: Metadata, key: str | None) -> None:
        event = announcement.event
        self._db.execute(
            outbox.insert().values(
                event_id=meta.id,
                event_type=type(event).__name__,
                message_key=key,
                source=meta.source,
                correlation_id=meta.correlation_id,
                causation_id=meta.causation_id,
                traceparent=meta.traceparent,
                occurred_at=meta.time,
                payload=event.model_dump(mode="json"),
            )
        )

    def pending(self, limit: int) -> list[OutboxRecord]:
        rows = self._db.execute(
            sa.select(outbox)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id)
            .limit(limit)
        ).mappings()
        return [_record(row) for row in rows]

    def mark_published(self, ids: list[int], at: datetime) -> None:
        if ids:
            self._db.execute(outbox.update().where(outbox.c.id.in_(ids)).values(published_at=at))

    def pending_count(self) -> int:
        query = (
            sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
        return int(self._db.execute(query).scalar_one())

    def oldest_pending_at(self) -> datetime | None:
        query = sa.select(sa.func.min(outbox.c.id)).where(outbox.c.published_at.is_(None))
        first = self._db.execute(query).scalar()
        if first is None:
            return None
        at: datetime = self._db.execute(
            sa.select(outbox.c.occurred_at).where(outbox.c.id == first)
        ).scalar_one()
        return at


def _record(row: sa.RowMapping) -> OutboxRecord:
    cls = EVENT_TYPES[row["event_type"]]
    event = cls.model_validate(row["payload"])
    meta = Metadata(
        type=event_type_name(cls),
        source=row["source"],
        id=row["event_id"],
        time=row["occurred_at"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        traceparent=row["traceparent"],
    )
    return OutboxRecord(row["id"], event, meta, row["message_key"], row["published_at"])
