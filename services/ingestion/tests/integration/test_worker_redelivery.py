"""The micro-batch worker on a real broker: a crash before the commit stores nothing twice,
and a batch handler that keeps failing isolates the bad record instead of losing the rest."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest
from confluent_kafka import Producer
from driftline.bus.batch import BatchConsumer, BatchOutcome, RecordBatch
from driftline.bus.memory import FakePublisher
from driftline.bus.records import header_dict
from driftline.settings import DriftlineSettings
from driftline.spec import parse_spec
from driftline.testing.kafka import read_topic
from driftline_ingestion.bootstrap import App, bootstrap
from driftline_ingestion.config import IngestionSettings
from driftline_ingestion.entrypoints.worker import batch_handler

from ..conftest import NOW, SPEC, record

pytestmark = pytest.mark.integration


class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing catches it."""


def app_for(bus_settings: DriftlineSettings, tmp_path: Path) -> App:
    dataset = f"loans_{uuid.uuid4().hex[:8]}"
    spec = parse_spec({"project": "it", "datasets": {dataset: SPEC["datasets"]["loans"]}})
    common = bus_settings.model_copy(update={"offline_store_url": str(tmp_path / "offline")})
    app = bootstrap(IngestionSettings(common=common), spec=spec, publisher=FakePublisher(),
                    clock=lambda: NOW, consume=False)  # fmt: skip
    app.create_topics()
    return app


def produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap})
    for i, value in enumerate(values):
        producer.produce(topic, key=f"k{i}", value=value, partition=0)
    producer.flush(10)


def consumer(settings: DriftlineSettings, topic: str, group: str,
             handler: Callable[[RecordBatch], BatchOutcome | None], **kw: Any) -> BatchConsumer:  # fmt: skip
    return BatchConsumer(settings=settings, service="test", group_id=group, topics=[topic],
                         handler=handler, max_wait_s=0.1, sleep=lambda _: None, **kw)  # fmt: skip


def drain(worker: BatchConsumer, done: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        worker.poll_once()
    assert done(), "the worker did not finish in time"


def stored_keys(app: App) -> list[str]:
    root = Path(app.ingestion.store.root)
    tables = [pq.read_table(p) for p in sorted(root.rglob("records/date=*/*.parquet"))]
    return [k for t in tables for k in t.column("application_id").to_pylist()]


def test_a_crash_before_the_commit_stores_nothing_twice(
    bus_settings: DriftlineSettings, tmp_path: Path
) -> None:
    app = app_for(bus_settings, tmp_path)
    dataset = next(iter(app.ingestion.spec.datasets))
    topic = app.ingestion.spec.records_topic(dataset)
    produce(bus_settings.kafka_bootstrap_servers, topic,
            [orjson.dumps(record(i, application_id=f"r-{i}")) for i in range(40)])  # fmt: skip
    handle, group = batch_handler(app.ingestion), f"redelivery-{uuid.uuid4().hex[:6]}"

    def store_then_die(batch: RecordBatch) -> BatchOutcome:
        handle(batch)  # stored and announced ...
        raise Crash  # ... but the process dies before the offset is committed

    first = consumer(bus_settings, topic, group, store_then_die, max_records=15)
    with pytest.raises(Crash):
        drain(first, lambda: False)
    first.close()
    assert len(stored_keys(app)) == 15
    # The restarted service reads again from offset 0, cut into batches of another size.
    second = consumer(bus_settings, topic, group, handle, max_records=7)
    drain(second, lambda: len(stored_keys(app)) >= 40)
    second.close()
    keys = stored_keys(app)
    assert sorted(keys) == sorted(f"r-{i}" for i in range(40))


def test_a_record_that_breaks_the_handler_is_dead_lettered_and_the_rest_processed(
    bus_settings: DriftlineSettings,
) -> None:
    topic = f"driftline.records.isolation_{uuid.uuid4().hex[:6]}"
    from driftline.bus.topics import ensure_topics
    from driftline.catalog import TopicSpec

    ensure_topics(
        bus_settings.admin_config(),
        [TopicSpec(topic, 1, 3_600_000), TopicSpec(topic + ".dlq", 1, 3_600_000)],
    )
    produce(bus_settings.kafka_bootstrap_servers, topic, [b"ok-1", b"boom", b"ok-2", b"ok-3"])
    handled: list[bytes] = []

    def fragile(batch: RecordBatch) -> None:
        if any(r.value == b"boom" for r in batch.records):
            raise RuntimeError("cannot cope with boom")
        handled.extend(r.value or b"" for r in batch.records)

    worker = consumer(bus_settings, topic, f"isolation-{uuid.uuid4().hex[:6]}", fragile)
    drain(worker, lambda: len(handled) >= 3)
    worker.close()
    assert handled == [b"ok-1", b"ok-2", b"ok-3"]
    [letter] = read_topic(
        bus_settings.kafka_bootstrap_servers, topic + ".dlq", want=lambda rs: bool(rs)
    )
    assert letter.value == b"boom"
    headers = header_dict(letter.headers)
    assert headers["dlq_reason"] == "handler_failed"
    assert "cannot cope with boom" in headers["dlq_error"]


def test_when_nothing_can_be_processed_the_batch_waits_instead_of_being_dead_lettered(
    bus_settings: DriftlineSettings,
) -> None:
    from driftline.bus.topics import ensure_topics
    from driftline.catalog import TopicSpec

    topic = f"driftline.records.outage_{uuid.uuid4().hex[:6]}"
    ensure_topics(
        bus_settings.admin_config(),
        [TopicSpec(topic, 1, 3_600_000), TopicSpec(topic + ".dlq", 1, 3_600_000)],
    )
    produce(bus_settings.kafka_bootstrap_servers, topic, [b"a", b"b"])
    calls: list[int] = []
    handled: list[bytes] = []

    def store_down_for_a_while(batch: RecordBatch) -> None:
        calls.append(len(batch.records))
        if len(calls) <= 8:  # 3 batch attempts + 2 singles, twice over, and then some
            raise OSError("offline store unreachable")
        handled.extend(r.value or b"" for r in batch.records)

    worker = consumer(bus_settings, topic, f"outage-{uuid.uuid4().hex[:6]}", store_down_for_a_while)
    drain(worker, lambda: sorted(handled) == [b"a", b"b"])
    worker.close()
    assert read_topic(bus_settings.kafka_bootstrap_servers, topic + ".dlq", idle=1.0) == []


def test_a_store_outage_retries_whole_batches_and_never_dead_letters(
    bus_settings: DriftlineSettings, tmp_path: Path
) -> None:
    app = app_for(bus_settings, tmp_path)
    topic = app.ingestion.spec.records_topic(next(iter(app.ingestion.spec.datasets)))
    produce(bus_settings.kafka_bootstrap_servers, topic,
            [orjson.dumps(record(i, application_id=f"o-{i}")) for i in range(6)])  # fmt: skip
    handle, seen = batch_handler(app.ingestion), []
    store = app.ingestion.store
    real_write, outage = store.write, {"left": 3}

    def flaky_write(plan: Any) -> None:
        if outage["left"]:
            outage["left"] -= 1
            raise OSError("offline store unreachable")
        real_write(plan)

    store.write = flaky_write  # type: ignore[method-assign]

    def watching(batch: RecordBatch) -> BatchOutcome:
        seen.append(len(batch.records))
        return handle(batch)

    worker = consumer(bus_settings, topic, f"store-outage-{uuid.uuid4().hex[:6]}", watching)
    drain(worker, lambda: len(stored_keys(app)) >= 6)
    worker.close()
    assert sorted(stored_keys(app)) == sorted(f"o-{i}" for i in range(6))
    assert 1 not in seen[:4]  # whole batches retried: never split into single records
    assert read_topic(bus_settings.kafka_bootstrap_servers, topic + ".dlq", idle=1.0) == []
