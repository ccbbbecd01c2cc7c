"""The DataIngested handler: reads the batch, writes the online store, announces it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from driftline.bus import FakePublisher, Message
from driftline.envelope import Metadata
from driftline.events import DataIngested, FeaturesMaterialized
from driftline.spec import ProjectSpec
from driftline_features.adapters.offline import ParquetOfflineStore
from driftline_features.adapters.ports import WriteOutcome
from driftline_features.config import Settings
from driftline_features.domain.errors import BatchRejectedError
from driftline_features.handlers import Dependencies, materialize, routing
from driftline_features.testing import OfflineBatchWriter, data_ingested, utc


class FakeOnlineWriter:
    kind = "fake"

    def __init__(self) -> None:
        self.writes: list[tuple[str, pa.Table]] = []

    def write(self, dataset: str, table: pa.Table) -> WriteOutcome:
        self.writes.append((dataset, table))
        return WriteOutcome(offered=table.num_rows, written=table.num_rows)


@pytest.fixture
def deps(settings: Settings, spec: ProjectSpec) -> Dependencies:
    offline = ParquetOfflineStore(settings.common.offline_store_url, spec)
    return Dependencies(spec, offline, FakeOnlineWriter(), FakePublisher("driftline/features"))


def delivered(event: DataIngested) -> Message[DataIngested]:
    return Message(event=event, meta=Metadata(type=DataIngested.__avro_name__, source="ingestion"))


ROWS = [
    {"application_id": "a", "event_time": utc("2026-11-01T10:00"), "income": 10.0},
    {"application_id": "b", "event_time": utc("2026-11-02T10:00"), "income": 20.0},
]


def test_writes_the_batch_and_announces_it_in_the_same_workflow(
    deps: Dependencies, offline_writer: OfflineBatchWriter
) -> None:
    message = delivered(data_ingested(offline_writer.records("loans", "b-1", ROWS)))
    materialize(message, deps)
    online = deps.online
    assert isinstance(online, FakeOnlineWriter)
    assert [(d, t.column("income").to_pylist()) for d, t in online.writes] == [
        ("loans", [10.0, 20.0])
    ]
    publisher = deps.publisher
    assert isinstance(publisher, FakePublisher)
    [(fact, meta, _key)] = publisher.published
    assert isinstance(fact, FeaturesMaterialized)
    assert (fact.dataset, fact.feature_view, fact.batch_id, fact.row_count) == (
        "loans",
        "loans",
        "b-1",
        2,
    )
    assert fact.online_store == "fake"
    assert fact.time_range is not None
    assert fact.time_range.start == utc("2026-11-01T10:00")
    assert fact.time_range.end > utc("2026-11-02T10:00")
    assert meta.correlation_id == message.meta.correlation_id
    assert meta.causation_id == message.meta.id


def test_reads_every_file_of_a_batch_that_spans_several_dates(
    deps: Dependencies, offline_writer: OfflineBatchWriter
) -> None:
    batch = offline_writer.records("loans", "b-2", ROWS)
    assert "date=*" in batch.storage_path
    materialize(delivered(data_ingested(batch)), deps)
    assert isinstance(deps.online, FakeOnlineWriter)
    assert deps.online.writes[0][1].num_rows == 2


def test_refuses_an_unknown_dataset_with_the_reason(
    deps: Dependencies, offline_writer: OfflineBatchWriter
) -> None:
    event = data_ingested(offline_writer.records("loans", "b-3", ROWS)).model_copy(
        update={"dataset": "mortgages"}
    )
    with pytest.raises(BatchRejectedError, match="unknown dataset 'mortgages'"):
        materialize(delivered(event), deps)
    assert isinstance(deps.publisher, FakePublisher)
    assert deps.publisher.published == []


def test_refuses_to_read_a_file_outside_the_datasets_records(
    deps: Dependencies, offline_writer: OfflineBatchWriter, tmp_path: Path
) -> None:
    event = data_ingested(offline_writer.records("loans", "b-4", ROWS)).model_copy(
        update={"storage_path": str(tmp_path / "offline" / "loans" / "records" / ".." / ".." / "x")}
    )
    with pytest.raises(BatchRejectedError, match="outside"):
        materialize(delivered(event), deps)


def test_refuses_a_batch_whose_file_is_missing(
    deps: Dependencies, offline_writer: OfflineBatchWriter
) -> None:
    batch = offline_writer.records("loans", "b-5", ROWS[:1])
    Path(batch.storage_path).unlink()
    with pytest.raises(BatchRejectedError, match="no Parquet file"):
        materialize(delivered(data_ingested(batch)), deps)


def test_refuses_a_file_whose_columns_do_not_match_the_spec(
    deps: Dependencies, settings: Settings
) -> None:
    path = Path(settings.common.offline_store_url) / "loans/records/date=2026-11-01/bad.parquet"
    path.parent.mkdir(parents=True)
    import pyarrow.parquet as pq

    pq.write_table(
        pa.table({"application_id": ["a"], "event_time": [utc("2026-11-01T00:00")]}), path
    )
    event = DataIngested(dataset="loans", batch_id="bad", source="http", row_count=1,
                         content_hash="x", storage_path=str(path))  # fmt: skip
    with pytest.raises(BatchRejectedError, match="lacks column"):
        materialize(delivered(event), deps)


def test_routes_only_data_ingested(deps: Dependencies) -> None:
    assert list(routing(deps)) == [DataIngested.__avro_name__]
