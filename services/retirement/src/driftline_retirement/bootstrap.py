"""The composition root: the one place that builds retirement's concrete adapters.

`bootstrap(settings)` gives a ready-to-run `RetirementService`; tests pass fakes
through the same function (``registry=FakeRegistryReader()``,
``publisher=FakePublisher()``, ``consume=False``). Nothing connects at import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from driftline.bus import KafkaPublisher, Publisher, SqliteDedupeStore, Subscriber
from driftline.codec import EventCodec
from driftline.events import ModelPromoted
from driftline.runner import Worker
from driftline.spec import ProjectSpec, load_spec

from driftline_retirement import metrics
from driftline_retirement.adapters import (
    Archive,
    HttpRegistryReader,
    Ledger,
    RegistryReader,
    SqliteLedger,
    StoreArchive,
)
from driftline_retirement.config import RetirementSettings
from driftline_retirement.entrypoints.worker import SweepLoop
from driftline_retirement.handlers import Context, routing_table
from driftline_retirement.operations import Retirer, Sweeper

__all__ = ["RetirementService", "bootstrap"]


@dataclass(slots=True)
class RetirementService:
    """The assembled service: what the entrypoints run."""

    settings: RetirementSettings
    spec: ProjectSpec
    ledger: Ledger
    registry: RegistryReader
    archive: Archive
    retirer: Retirer
    sweeper: Sweeper
    context: Context
    subscriber: Subscriber | None
    loop: SweepLoop | None

    def ready_checks(self) -> dict[str, Callable[[], bool | str]]:
        """Readiness: the ledger, the registry's API and the archive answer."""
        return {"ledger": self.ledger.ping, "registry": self.registry.ping,
                "archive": self.archive.ping}  # fmt: skip

    def workers(self) -> list[Worker]:
        """The loops that run beside the API: the event consumer and the sweep loop."""
        return [w for w in (self.subscriber, self.loop) if w is not None]

    def snapshot(self) -> metrics.LedgerSnapshot:
        return metrics.LedgerSnapshot(
            archived=self.ledger.archived_counts(), outstanding=len(self.ledger.outstanding())
        )


def bootstrap(
    settings: RetirementSettings,
    *,
    spec: ProjectSpec | None = None,
    ledger: Ledger | None = None,
    registry: RegistryReader | None = None,
    archive: Archive | None = None,
    publisher: Publisher | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    consume: bool | None = None,
    sweep: bool | None = None,
    subscriber_config: dict[str, Any] | None = None,
) -> RetirementService:
    """Build the service: ledger, registry reader, archive, publisher, retirer, sweeper, loops."""
    common = settings.common
    spec = spec or load_spec(common.spec_path)
    ledger = ledger or SqliteLedger(settings.resolved_ledger_path)
    registry = registry or HttpRegistryReader(
        common.registry_url, timeout=settings.registry_timeout_seconds,
        token=settings.registry_token,
    )  # fmt: skip
    archive = archive or StoreArchive.from_settings(common)
    consume = settings.consume if consume is None else consume
    codec = EventCodec.from_settings(common) if publisher is None or consume else None
    if publisher is None:
        assert codec is not None
        publisher = KafkaPublisher(common, codec, source=settings.source, wait=True)
    retirer = Retirer(ledger=ledger, registry=registry, archive=archive, publisher=publisher,
                      source=settings.source, clock=clock)  # fmt: skip
    sweeper = Sweeper(spec=spec, ledger=ledger, registry=registry, archive=archive,
                      retirer=retirer, clock=clock)  # fmt: skip
    context = Context(spec=spec, ledger=ledger, retirer=retirer, clock=clock)
    subscriber = None
    if consume:
        assert codec is not None
        subscriber = Subscriber(
            settings=common, codec=codec, service="retirement", group_id=settings.group_id,
            topics=[codec.catalog.event(ModelPromoted.__name__).topic],
            handlers=routing_table(context),
            dedupe=SqliteDedupeStore(settings.resolved_dedupe_path),
            consumer_config=subscriber_config,
        )  # fmt: skip
    loop = None
    if settings.sweep if sweep is None else sweep:
        loop = SweepLoop(sweeper, retirer, sweep_interval=settings.sweep_interval_seconds,
                         resume_interval=settings.resume_interval_seconds)  # fmt: skip
    service = RetirementService(settings, spec, ledger, registry, archive, retirer, sweeper,
                                context, subscriber, loop)  # fmt: skip
    metrics.observe(service.snapshot)
    return service
