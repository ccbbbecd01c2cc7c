"""DataIngested on a real broker -> the online store (read by Feast) and FeaturesMaterialized."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.events import DataIngested, FeaturesMaterialized
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec
from driftline_features.bootstrap import FeatureService, bootstrap
from driftline_features.config import Settings
from driftline_features.testing import OfflineBatchWriter, data_ingested, utc

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def running(
    kafka_bootstrap: str, spec: ProjectSpec, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FeatureService]:
    """The service's consumer running in a thread, in a group of its own."""
    tmp = tmp_path_factory.mktemp("features-kafka")
    common = DriftlineSettings(kafka_bootstrap_servers=kafka_bootstrap, state_dir=tmp / "state",
                               offline_store_url=str(tmp / "offline"), consumer_retry_backoff_s=0.01,
                               log_json=False)  # fmt: skip
    service = bootstrap(
        Settings(common=common, group_id=f"features-{uuid.uuid4().hex[:8]}"), spec=spec
    )
    subscriber = service.subscriber()
    thread = threading.Thread(target=subscriber.run, kwargs={"install_signals": False}, daemon=True)
    thread.start()
    yield service
    subscriber.stop()
    thread.join(30)
    service.close()


def read_topic(
    settings: DriftlineSettings, topic: str, until: Any, timeout: float = 30.0
) -> list[Any]:
    """Messages of `topic` from the beginning, until `until(messages)` holds (assign: no group wait)."""
    codec = EventCodec.from_settings(settings)
    consumer = Consumer({**settings.consumer_config(f"reader-{uuid.uuid4().hex}", "test-reader")})
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    seen: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not until(seen):
            record = consumer.poll(0.2)
            if record is None or record.error():
                continue
            if topic.endswith(".dlq"):
                seen.append(record)
            else:
                seen.append(codec.decode(record.value(), record.headers()))
    finally:
        consumer.close()
    return seen


def test_an_ingested_batch_reaches_the_online_store_and_is_announced_in_its_workflow(
    running: FeatureService, spec: ProjectSpec
) -> None:
    common = running.settings.common
    writer = OfflineBatchWriter(Path(common.offline_store_url), spec)
    batch = writer.records("loans", "kafka-1", [
        {"application_id": "k-1", "event_time": utc("2026-11-01T10:00"), "income": 42.0,
         "credit_score": 640, "region": "east", "has_mortgage": True},
    ])  # fmt: skip
    publisher = KafkaPublisher(common, EventCodec.from_settings(common), source="test/ingestion")
    correlation = f"wf-{uuid.uuid4()}"
    sent = publisher.publish(data_ingested(batch), correlation_id=correlation)

    def announced(messages: list[Any]) -> bool:
        return any(m.meta.correlation_id == correlation and isinstance(m.event, FeaturesMaterialized)
                   for m in messages)  # fmt: skip

    messages = read_topic(common, "driftline.data", announced)
    [fact] = [m for m in messages if m.meta.correlation_id == correlation
              and isinstance(m.event, FeaturesMaterialized)]  # fmt: skip
    assert fact.meta.causation_id == sent.id
    assert (fact.event.batch_id, fact.event.row_count, fact.event.online_store) == (
        "kafka-1",
        1,
        "sqlite",
    )
    assert running.store is not None
    values = running.store.get_online_features(
        features=["loans:income", "loans:region"], entity_rows=[{"application_id": "k-1"}]
    ).to_dict()
    assert (values["income"], values["region"]) == ([42.0], ["east"])


def test_a_batch_that_cannot_be_read_is_dead_lettered_with_its_reason(
    running: FeatureService, spec: ProjectSpec
) -> None:
    common = running.settings.common
    poison = DataIngested(dataset="loans", batch_id=f"gone-{uuid.uuid4().hex[:6]}", source="http",
                          row_count=1, content_hash="x",
                          storage_path=str(Path(common.offline_store_url) / "loans/records/date=2026-11-01/gone.parquet"))  # fmt: skip
    KafkaPublisher(common, EventCodec.from_settings(common), source="test/ingestion").publish(
        poison
    )

    def dead(records: list[Any]) -> bool:
        return any(poison.batch_id.encode() in (r.value() or b"") for r in records)

    records = read_topic(common, "driftline.data.dlq", dead)
    [record] = [r for r in records if poison.batch_id.encode() in (r.value() or b"")]
    headers = dict(record.headers())
    assert headers["dlq_service"] == b"features"
    assert b"no Parquet file at storage_path" in headers["dlq_error"]
