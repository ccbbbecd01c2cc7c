"""The composition root: the only place that builds concrete adapters.

`bootstrap(settings)` loads the spec, applies the Feast definitions derived from it (the
`feast apply` equivalent, idempotent), and wires the offline store, the online writer and
reader, the publisher, the handlers and the queries. Tests pass fakes as overrides.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from driftline import featurestore
from driftline.artifacts import storage_options
from driftline.bus import KafkaPublisher, Publisher, SqliteDedupeStore, Subscriber
from driftline.codec import EventCodec
from driftline.events import DataIngested
from driftline.featurestore import OnlineFeatureReader
from driftline.spec import ProjectSpec, load_spec

from driftline_features.adapters.offline import ParquetOfflineStore
from driftline_features.adapters.online_feast import FeastOnlineWriter
from driftline_features.adapters.online_sqlite import SqliteBulkWriter
from driftline_features.adapters.ports import OfflineStore, OnlineWriter
from driftline_features.config import Settings
from driftline_features.handlers import Dependencies, routing
from driftline_features.queries import Queries

__all__ = ["SERVICE", "FeatureService", "bootstrap"]

SERVICE = "features"
log = logging.getLogger(__name__)


@dataclass
class FeatureService:
    """The wired service: what the entrypoints need."""

    settings: Settings
    deps: Dependencies
    queries: Queries
    store: Any | None = None
    """The Feast FeatureStore (None when a test replaced every adapter)."""
    closers: list[Any] = field(default_factory=list)

    def subscriber(self) -> Subscriber:
        """The DataIngested consumer (group `features`), committing after each handled event."""
        common = self.settings.common
        codec = EventCodec.from_settings(common)
        return Subscriber(
            settings=common,
            codec=codec,
            service=SERVICE,
            group_id=self.settings.group_id,
            topics=[codec.spec(DataIngested).topic],
            handlers=routing(self.deps),
            dedupe=SqliteDedupeStore(common.state_dir / SERVICE / "processed_events.db"),
        )

    def close(self) -> None:
        for closer in self.closers:
            closer()


def bootstrap(
    settings: Settings | None = None,
    *,
    spec: ProjectSpec | None = None,
    offline: OfflineStore | None = None,
    online: OnlineWriter | None = None,
    reader: OnlineFeatureReader | None = None,
    publisher: Publisher | None = None,
) -> FeatureService:
    settings = settings or Settings()
    common, store_settings = settings.common, settings.store
    spec = spec or load_spec(common.spec_path)
    store = None
    closers: list[Any] = []
    if online is None or reader is None or settings.apply_on_start:
        store = featurestore.feature_store(featurestore.repo_config(common, store_settings, spec))
        if settings.apply_on_start:
            deleted = featurestore.apply_definitions(
                store, featurestore.feast_definitions(spec, common)
            )
            log.info("feast registry applied", extra={"views": sorted(spec.datasets),
                     "models": sorted(spec.models), "deleted": deleted})  # fmt: skip
    if offline is None:
        offline = ParquetOfflineStore(common.offline_store_url, spec, **storage_options(common))
    if online is None:
        assert store is not None
        if store_settings.online_store == "sqlite":
            writer = SqliteBulkWriter(
                featurestore.repo_dir(common, store_settings) / "online.db",
                store.project,
                spec,
                chunk_records=settings.write_chunk_records,
                journal_mode=settings.sqlite_journal_mode,
                cache_mib=settings.sqlite_cache_mib,
            )
            closers.append(writer.close)
            online = writer
        else:
            online = FeastOnlineWriter(store, spec, kind=store_settings.online_store)
    if reader is None:
        reader = featurestore.online_reader(common, store_settings, spec)
    if publisher is None:
        kafka = KafkaPublisher(
            common, EventCodec.from_settings(common), source=f"driftline/{SERVICE}"
        )
        closers.append(kafka.close)
        publisher = kafka
    deps = Dependencies(spec=spec, offline=offline, online=online, publisher=publisher)
    queries = Queries(spec=spec, reader=reader, offline=offline,
                      max_window=timedelta(days=settings.max_window_days),
                      bins=settings.histogram_bins)  # fmt: skip
    return FeatureService(settings, deps, queries, store, closers)
