"""The Kafka entrypoint: raw-records micro-batches in, `IngestStream` commands out.

One consumer group reads every dataset's `driftline.records.<dataset>` topic;
each partition's micro-batch becomes one command. Records that are neither JSON
nor the dataset's Avro go to `<topic>.dlq`; the offset is committed after the
batch is stored, announced and its dead letters acknowledged. A store or broker
outage is not the records' fault: the batch is retried later as a whole.
"""

from __future__ import annotations

from driftline.bus.batch import BatchConsumer, BatchHandler, BatchOutcome, RecordBatch, RetryLater
from driftline.catalog import TopicSpec
from driftline.spec import ProjectSpec

from driftline_ingestion.config import IngestionSettings
from driftline_ingestion.domain.model import IngestStream, StreamOutcome, StreamRecord
from driftline_ingestion.handlers import AnnounceError
from driftline_ingestion.service import Ingestion

__all__ = ["batch_handler", "create_worker", "record_topics"]


def record_topics(spec: ProjectSpec) -> list[TopicSpec]:
    """Each dataset's raw-records topic and its dead-letter twin."""
    topics: list[TopicSpec] = []
    for topic in spec.record_topics():
        topics += [
            topic,
            TopicSpec(topic.dlq, 1, topic.retention_ms, f"dead letters of {topic.name}"),
        ]
    return topics


def batch_handler(svc: Ingestion) -> BatchHandler:
    """Translate a partition's micro-batch into an `IngestStream` command and back."""
    datasets = {svc.spec.records_topic(name): name for name in svc.spec.datasets}

    def handle(batch: RecordBatch) -> BatchOutcome:
        command = IngestStream(
            dataset=datasets[batch.topic], topic=batch.topic, partition=batch.partition,
            records=tuple(StreamRecord(r.offset, r.key, r.value) for r in batch.records),
        )  # fmt: skip
        try:
            outcome: StreamOutcome = svc.handle(command)
        except (AnnounceError, OSError) as exc:  # the broker or the store, not the records
            raise RetryLater(f"{type(exc).__name__}: {exc}") from exc
        by_offset = {r.offset: r for r in batch.records}
        letters = tuple(
            (by_offset[d.offset], d.reason) for d in outcome.dead_letters if d.offset in by_offset
        )
        return BatchOutcome(dead_letters=letters, resume_at=outcome.resume_at)

    return handle


def create_worker(svc: Ingestion, settings: IngestionSettings) -> BatchConsumer:
    return BatchConsumer(
        settings=settings.common, service="ingestion", group_id=settings.consumer_group,
        topics=[svc.spec.records_topic(name) for name in sorted(svc.spec.datasets)],
        handler=batch_handler(svc), max_records=settings.micro_batch_records,
        max_wait_s=settings.micro_batch_wait_ms / 1000,
    )  # fmt: skip
