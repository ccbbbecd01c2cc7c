"""The composition root: the one place that builds the registry's concrete adapters.

`bootstrap(settings)` gives a running-ready `Registry`; tests pass fakes or their
own engine through the same function (``publisher=FakePublisher()``,
``consume=False``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from driftline.bus import KafkaPublisher, Publisher, Subscriber
from driftline.catalog import Catalog
from driftline.codec import EventCodec
from driftline.events import ModelTrained
from driftline.spec import ProjectSpec, load_spec

from driftline_registry import metrics
from driftline_registry.adapters import (
    OutboxRelay,
    SqlUnitOfWorkFactory,
    UnitOfWorkFactory,
    create_engine,
    run_migrations,
)
from driftline_registry.adapters.relay_lock import relay_lock_for
from driftline_registry.config import RegistrySettings
from driftline_registry.handlers import Context, routing_table

__all__ = ["Registry", "bootstrap"]


@dataclass(slots=True)
class Registry:
    """The assembled service: what the entrypoints run."""

    settings: RegistrySettings
    engine: sa.Engine
    uow: UnitOfWorkFactory
    context: Context
    relay: OutboxRelay
    subscriber: Subscriber | None

    def ping(self) -> bool:
        """Readiness: the database answers."""
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True

    def snapshot(self) -> metrics.RegistrySnapshot:
        with self.uow(readonly=True) as uow:
            models = uow.models.all()
            return metrics.RegistrySnapshot(
                versions=uow.models.count_by_status(),
                champions={m.name: m.champion.version for m in models if m.champion},
                outbox_pending=uow.outbox.pending_count(),
                oldest_pending_at=uow.outbox.oldest_pending_at(),
            )

    def close(self) -> None:
        """Stop the relay, release the database and the Kafka clients (after the workers ended)."""
        self.relay.close()
        metrics.observe(None)  # the collector must not keep this registry (and its clients) alive
        self.subscriber = None
        self.engine.dispose()


def bootstrap(
    settings: RegistrySettings,
    *,
    engine: sa.Engine | None = None,
    publisher: Publisher | None = None,
    spec: ProjectSpec | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    consume: bool | None = None,
    subscriber_config: dict[str, Any] | None = None,
) -> Registry:
    """Build the registry: engine (+ migrations), units of work, handlers, relay, consumer."""
    common = settings.common
    engine = engine or create_engine(
        settings.resolved_database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    if settings.migrate_on_start:
        run_migrations(engine)
    uow = SqlUnitOfWorkFactory(engine)
    spec = spec or load_spec(common.spec_path)
    codec = EventCodec.from_settings(common)  # reads schemas/ from disk; connects nowhere
    if publisher is None:
        publisher = KafkaPublisher(common, codec, source=settings.source, wait=False)
    relay = OutboxRelay(
        uow, publisher, lock=relay_lock_for(engine), batch_size=settings.relay_batch_size,
        poll_interval_s=settings.relay_poll_interval_s,
        start_delay_s=settings.relay_start_delay_s, clock=clock,
    )  # fmt: skip
    context = Context(uow=uow, spec=spec, source=settings.source, clock=clock,
                      after_commit=relay.wake)  # fmt: skip
    subscriber = None
    if consume if consume is not None else settings.consume:
        subscriber = Subscriber(
            settings=common, codec=codec, service="registry", group_id=settings.group_id,
            topics=[lifecycle_topic(codec.catalog)],
            handlers=routing_table(context), consumer_config=subscriber_config,
        )  # fmt: skip
    registry = Registry(settings, engine, uow, context, relay, subscriber)
    metrics.observe(registry.snapshot)
    return registry


def lifecycle_topic(catalog: Catalog) -> str:
    """The topic the registry consumes (all lifecycle events share it)."""
    return catalog.event(ModelTrained.__name__).topic
