"""The composition root: the only place that builds concrete adapters.

`bootstrap(settings, **overrides)` wires the spec, the offline store, the event
publisher, the record decoder, the HTTP API and the Kafka worker. Tests pass
fakes for any of them; nothing connects at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from driftline.artifacts import storage_options
from driftline.bus.kafka import KafkaPublisher
from driftline.bus.ports import Publisher
from driftline.bus.topics import ensure_topics, list_topics
from driftline.codec import EventCodec
from driftline.runner import Worker
from driftline.spec import ProjectSpec, load_spec
from fastapi import FastAPI

from driftline_ingestion.adapters.offline_store import FsspecOfflineStore
from driftline_ingestion.adapters.ports import OfflineStore, RecordDecoder
from driftline_ingestion.adapters.record_decoder import SerdeRecordDecoder
from driftline_ingestion.config import IngestionSettings
from driftline_ingestion.domain.announce import EventLimits
from driftline_ingestion.domain.validation import ValidationPolicy
from driftline_ingestion.entrypoints.api import create_api
from driftline_ingestion.entrypoints.worker import create_worker, record_topics
from driftline_ingestion.service import Ingestion

__all__ = ["App", "bootstrap"]


@dataclass
class App:
    """A wired ingestion service: the handlers' service object, its API and its workers."""

    settings: IngestionSettings
    ingestion: Ingestion
    api: FastAPI
    workers: list[Worker] = field(default_factory=list)

    def create_topics(self) -> dict[str, str]:
        """Create the raw-records topics and their `.dlq` twins (idempotent)."""
        return ensure_topics(
            self.settings.common.admin_config(), record_topics(self.ingestion.spec)
        )


def bootstrap(
    settings: IngestionSettings | None = None, *, spec: ProjectSpec | None = None,
    store: OfflineStore | None = None, publisher: Publisher | None = None,
    decoder: RecordDecoder | None = None, clock: Callable[[], datetime] | None = None,
    consume: bool | None = None,
) -> App:  # fmt: skip
    settings = settings or IngestionSettings()
    common = settings.common
    spec = spec or load_spec(common.spec_path)
    if store is None:
        store = FsspecOfflineStore.from_url(
            common.offline_store_url, compression=settings.parquet_compression, fsync=settings.fsync,
            **storage_options(common),
        )  # fmt: skip
    codec: EventCodec | None = None
    if publisher is None or decoder is None:
        codec = EventCodec.from_settings(common)
    if publisher is None:
        assert codec is not None
        publisher = KafkaPublisher(common, codec, source="driftline/ingestion", wait=False)
    if decoder is None:
        assert codec is not None
        decoder = SerdeRecordDecoder(spec, codec.serde)
    extra: dict[str, Any] = {"clock": clock} if clock else {}
    ingestion = Ingestion(
        spec=spec, store=store, publisher=publisher, decoder=decoder,
        policy=ValidationPolicy(
            reject_unknown_fields=settings.reject_unknown_fields,
            min_event_time=settings.min_event_time,
            max_future=timedelta(seconds=settings.max_future_s),
        ),
        limits=EventLimits(
            rejections_per_event=settings.max_rejections_per_event,
            labels_per_event=settings.max_labels_per_event, raw_chars=settings.max_raw_chars,
            record_labels=settings.announce_record_labels,
        ),
        **extra,
    )  # fmt: skip

    def kafka_ready() -> bool:
        list_topics(common.admin_config(), timeout=2.0)
        return True

    api = create_api(ingestion, settings, {"offline_store": store.check, "kafka": kafka_ready})
    consume = settings.consume if consume is None else consume
    workers: list[Worker] = [create_worker(ingestion, settings)] if consume else []
    return App(settings, ingestion, api, workers)
