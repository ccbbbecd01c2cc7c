"""The batch path with fakes: store once, announce once, counts that add up, redelivery."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson
import pytest
from driftline.bus.memory import FakePublisher
from driftline.events import DataIngested, LabelsObserved, RecordsRejected
from driftline_ingestion.domain.lineage import stream_batch_id
from driftline_ingestion.domain.model import IngestBatch, IngestStream, StreamRecord
from driftline_ingestion.domain.raw import RawBatch
from driftline_ingestion.handlers import AnnounceError
from driftline_ingestion.service import Ingestion, UnknownDatasetError

from ..conftest import FakeOfflineStore, record

TOPIC = "driftline.records.loans"


def batch(svc: Ingestion, rows: list[Any], batch_id: str = "b-1", kind: str = "records",
          correlation_id: str | None = "corr-1") -> IngestBatch:  # fmt: skip
    layout = svc.layout("loans")
    known = layout.record_fields if kind == "records" else layout.label_fields
    raw = RawBatch.from_rows(rows, known)
    return IngestBatch("loans", kind, raw, batch_id, "http", correlation_id)  # type: ignore[arg-type]


def ten_percent_bad(n: int = 50) -> list[dict[str, Any]]:
    return [record(i, credit_score=5) if i % 10 == 3 else record(i) for i in range(n)]


def test_good_rows_are_stored_and_bad_rows_rejected_with_counts_that_add_up(
    svc: Ingestion, store: FakeOfflineStore, publisher: FakePublisher
) -> None:
    receipt = svc.handle(batch(svc, ten_percent_bad(50)))
    m = receipt.manifest
    assert (m.received, m.accepted, m.rejected, receipt.duplicate) == (50, 45, 5, False)
    stored = store.read(m.files)
    assert stored is not None
    assert stored.num_rows == 45
    rejected = store.read(m.rejected_files)
    assert rejected is not None
    assert rejected.column("row_index").to_pylist() == [3, 13, 23, 33, 43]
    assert set(rejected.column("field").to_pylist()) == {"credit_score"}
    [ingested] = publisher.events(DataIngested)
    rejections = publisher.events(RecordsRejected)
    assert isinstance(ingested, DataIngested)
    assert (ingested.row_count, ingested.rejected_count) == (45, 5)
    assert sum(e.rejected_count for e in rejections if isinstance(e, RecordsRejected)) == 5
    assert ingested.row_count + ingested.rejected_count == m.received


def test_events_carry_the_lineage_and_the_batch_correlation_id(
    svc: Ingestion, publisher: FakePublisher
) -> None:
    m = svc.handle(batch(svc, [record(0), record(1)])).manifest
    event, _meta, _ = publisher.published[0]
    assert isinstance(event, DataIngested)
    assert event.storage_path == m.storage_path == "mem://offline/loans/records/date=*/b-1.parquet"
    assert event.content_hash == m.content_hash
    assert len(m.content_hash) == 64
    assert event.time_range is not None
    assert (event.time_range.start.isoformat(), event.time_range.end.isoformat()) == (
        "2026-11-20T10:00:00+00:00", "2026-11-21T10:00:01.001000+00:00",
    )  # fmt: skip
    assert [meta.id for _, meta, _ in publisher.published] == list(m.event_ids)
    assert {meta.correlation_id for _, meta, _ in publisher.published} == {"corr-1"}


def test_the_same_batch_twice_is_stored_once_and_announced_once(
    svc: Ingestion, store: FakeOfflineStore, publisher: FakePublisher
) -> None:
    first = svc.handle(batch(svc, ten_percent_bad(20)))
    again = svc.handle(batch(svc, ten_percent_bad(20), correlation_id="corr-2"))
    assert again.duplicate
    assert not first.duplicate
    assert again.manifest == first.manifest
    assert len(store.writes) == 1
    assert len(publisher.published) == len(first.manifest.event_ids) == 2


def test_a_batch_stored_without_its_events_is_announced_when_retried(
    svc: Ingestion, store: FakeOfflineStore, publisher: FakePublisher
) -> None:
    m = svc.handle(batch(svc, ten_percent_bad(20))).manifest
    sent = [(type(e), meta.id) for e, meta, _ in publisher.published]
    publisher.published.clear()
    store.save_manifest(replace(m, events_published=False))  # as if it died before publishing
    assert svc.handle(batch(svc, ten_percent_bad(20))).duplicate
    assert [(type(e), meta.id) for e, meta, _ in publisher.published] == sent
    assert store.manifest("loans", "records", "b-1").events_published  # type: ignore[union-attr]


def test_a_failed_store_write_announces_nothing(
    svc: Ingestion, store: FakeOfflineStore, publisher: FakePublisher
) -> None:
    store.fail_next_write = OSError("disk full")
    with pytest.raises(OSError, match="disk full"):
        svc.handle(batch(svc, [record(0)]))
    assert publisher.published == []
    assert store.manifest("loans", "records", "b-1") is None


def test_labels_inside_records_are_stored_as_label_rows(
    svc: Ingestion, store: FakeOfflineStore, publisher: FakePublisher
) -> None:
    m = svc.handle(batch(svc, [record(0, defaulted=None), record(1, defaulted=1)])).manifest
    labels = store.read(m.label_files)
    assert labels is not None
    assert labels.to_pylist()[0] | {"event_time": None, "created_at": None} == {
        "prediction_id": None, "application_id": "app-1", "event_time": None,
        "defaulted": 1, "created_at": None, "batch_id": "b-1",
    }  # fmt: skip
    assert publisher.events(LabelsObserved) == []  # announced only for label batches by default


def test_a_label_batch_is_stored_and_announced(
    svc: Ingestion, store: FakeOfflineStore, publisher: FakePublisher
) -> None:
    rows = [{"prediction_id": "p-1", "defaulted": 1},
            {"application_id": "app-1", "event_time": "2026-11-21T10:00:00Z", "defaulted": 0},
            {"defaulted": 1}]  # fmt: skip
    m = svc.handle(batch(svc, rows, kind="labels")).manifest
    assert (m.accepted, m.rejected, m.storage_path) == (
        2,
        1,
        "mem://offline/loans/labels/date=*/b-1.parquet",
    )
    [observed] = publisher.events(LabelsObserved)
    assert isinstance(observed, LabelsObserved)
    assert [(lb.prediction_id, lb.entity_key, lb.value) for lb in observed.labels] == [
        ("p-1", None, 1), (None, "app-1", 0),
    ]  # fmt: skip
    assert publisher.events(DataIngested) == []


def test_an_unknown_dataset_is_refused(svc: Ingestion) -> None:
    command = replace(batch(svc, [record(0)]), dataset="nope")
    with pytest.raises(UnknownDatasetError, match="unknown dataset 'nope'; known: clicks, loans"):
        svc.handle(command)


def stream(offsets: range, extra: dict[int, bytes] | None = None) -> tuple[StreamRecord, ...]:
    values = {o: orjson.dumps(record(o)) for o in offsets} | (extra or {})
    return tuple(StreamRecord(o, f"app-{o}".encode(), values[o]) for o in offsets)


def test_a_stream_batch_dead_letters_what_is_no_record_and_stores_the_rest(
    svc: Ingestion, store: FakeOfflineStore
) -> None:
    outcome = svc.handle(IngestStream("loans", TOPIC, 0, stream(range(10, 15), {12: b"not json"})))
    assert [d.offset for d in outcome.dead_letters] == [12]
    assert "neither JSON nor Avro" in outcome.dead_letters[0].reason
    [m] = store.manifests.values()
    assert (m.source, m.accepted, m.kafka.first_offset, m.kafka.last_offset) == (  # type: ignore[union-attr]
        "kafka", 4, 10, 14,
    )  # fmt: skip
    assert m.batch_id == stream_batch_id(TOPIC, 0, 10, b"app-10", orjson.dumps(record(10)))


def test_a_redelivered_stream_is_stored_once_however_it_is_cut(
    svc: Ingestion, store: FakeOfflineStore
) -> None:
    svc.handle(IngestStream("loans", TOPIC, 0, stream(range(0, 5))))
    # After a crash before the commit, the redelivery starts at offset 0 again, with more records.
    outcome = svc.handle(IngestStream("loans", TOPIC, 0, stream(range(0, 8))))
    assert outcome.resume_at == 5
    # ... or with fewer: the consumer is told to skip past the stored batch.
    assert svc.handle(IngestStream("loans", TOPIC, 0, stream(range(0, 3)))).resume_at == 5
    stored = [m.kafka for m in store.manifests.values()]
    assert [(k.first_offset, k.last_offset) for k in stored if k] == [(0, 4), (5, 7)]
    assert sum(m.accepted for m in store.manifests.values()) == 8


def test_the_message_key_stands_in_for_a_missing_entity_key(
    svc: Ingestion, store: FakeOfflineStore
) -> None:
    value = orjson.dumps(record(1, application_id=...))
    svc.handle(IngestStream("loans", TOPIC, 2, (StreamRecord(7, b"from-key", value),)))
    [m] = store.manifests.values()
    table = store.read(m.files)
    assert table is not None
    assert table.column("application_id").to_pylist() == ["from-key"]


class FakeBrokerDown(FakePublisher):
    """A publisher whose broker does not acknowledge until `up` is set."""

    up = False

    def flush(self, timeout: float = 10.0) -> None:
        if not self.up:
            raise RuntimeError("1 record(s) not acknowledged within 10s")


def test_a_batch_whose_events_fail_is_stored_and_announced_when_sent_again(
    make_service: Any, store: FakeOfflineStore
) -> None:
    publisher = FakeBrokerDown()
    svc = make_service(store, publisher=publisher)
    with pytest.raises(AnnounceError, match="is stored but its events were not acknowledged"):
        svc.handle(batch(svc, [record(0)]))
    assert store.manifest("loans", "records", "b-1").events_published is False  # type: ignore[union-attr]
    publisher.up = True
    publisher.published.clear()
    assert svc.handle(batch(svc, [record(0)])).duplicate
    assert [type(e) for e in publisher.events()] == [DataIngested]
