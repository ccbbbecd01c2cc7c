"""One handler per command, and the routing table.

`ingest_batch` is the whole path of a batch: duplicate check, validation,
offline store (files, then manifest), events, then the manifest marked
published. `ingest_stream` turns a run of Kafka records into such batches,
idempotently across redeliveries.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from driftline.envelope import Metadata
from driftline.telemetry import log_context

from driftline_ingestion import metrics
from driftline_ingestion.adapters.ports import UndecodableError
from driftline_ingestion.domain.announce import announce
from driftline_ingestion.domain.lineage import stream_batch_id
from driftline_ingestion.domain.model import (
    DeadLetter,
    IngestBatch,
    IngestStream,
    KafkaOrigin,
    Manifest,
    Receipt,
    StreamOutcome,
    StreamRecord,
)
from driftline_ingestion.domain.plan import BatchPlan, plan_batch
from driftline_ingestion.domain.raw import RawBatch
from driftline_ingestion.domain.validation import validate_labels, validate_records
from driftline_ingestion.service import Ingestion

__all__ = ["HANDLERS", "AnnounceError", "ingest_batch", "ingest_stream"]

log = logging.getLogger(__name__)


def ingest_batch(cmd: IngestBatch, svc: Ingestion) -> Receipt:
    """Store and announce a batch once; a batch stored before is answered from its manifest."""
    layout = svc.layout(cmd.dataset)
    with svc.locks.hold(cmd.dataset, cmd.kind, cmd.batch_id):
        existing = svc.store.manifest(cmd.dataset, cmd.kind, cmd.batch_id)
        if existing is not None:
            with log_context(correlation_id=existing.correlation_id):
                _ensure_announced(svc, existing)
                metrics.BATCHES.labels(cmd.dataset, cmd.kind, cmd.source, "duplicate").inc()
                log.info(
                    "duplicate batch", extra={"dataset": cmd.dataset, "batch_id": cmd.batch_id}
                )
            return Receipt(existing, duplicate=True)
        now = svc.clock()
        correlation_id = cmd.correlation_id or Metadata(type="batch", source=svc.source).id
        with log_context(correlation_id=correlation_id):
            validate = validate_records if cmd.kind == "records" else validate_labels
            validated = _timed("validate", validate, cmd.raw, layout, svc.policy, now)
            plan = _timed("plan", lambda: plan_batch(
                cmd, validated, layout, root=svc.store.root, created_at=now,
                correlation_id=correlation_id, limits=svc.limits))  # fmt: skip
            _timed("store", svc.store.write, plan)
            _timed("publish", _publish, svc, plan.manifest, list(plan.events))
            _count(plan)
            return Receipt(plan.manifest.published(), duplicate=False)


def _timed(stage: str, fn: Callable[..., Any], *args: Any) -> Any:
    started = time.perf_counter()
    try:
        return fn(*args)
    finally:
        metrics.STAGE_SECONDS.labels(stage).observe(time.perf_counter() - started)


def _ensure_announced(svc: Ingestion, m: Manifest) -> None:
    """Re-announce a stored batch whose first attempt died before its events were acknowledged."""
    if m.events_published:
        return
    labels = svc.store.read(m.label_files)
    rejected = svc.store.read(m.rejected_files)
    log.warning("re-announcing a batch stored without its events", extra={"batch_id": m.batch_id})
    _publish(svc, m, announce(m, rejected, labels, svc.layout(m.dataset), svc.limits))


class AnnounceError(RuntimeError):
    """The batch is stored but its events were not acknowledged; retrying it announces them."""


def _publish(svc: Ingestion, m: Manifest, events: list[Any]) -> None:
    """Publish with the batch's own event ids, wait for the broker, then mark the manifest."""
    try:
        for event, event_id in events:
            meta = Metadata(
                type="", source=svc.source, id=event_id, correlation_id=m.correlation_id
            )
            svc.publisher.publish(event, meta=meta)
        svc.publisher.flush()
    except Exception as exc:  # the publisher's own errors (e.g. delivery timeouts)
        raise AnnounceError(
            f"batch {m.batch_id} is stored but its events were not acknowledged "
            f"({type(exc).__name__}: {exc}); send the same batch again to announce it"
        ) from exc
    svc.store.save_manifest(m.published())


def _count(plan: BatchPlan) -> None:
    m = plan.manifest
    metrics.BATCHES.labels(m.dataset, m.kind, m.source, "stored").inc()
    metrics.BATCH_ROWS.labels(m.kind, m.source).observe(m.received)
    metrics.RECORDS.labels(m.dataset, m.kind, m.source, "accepted").inc(m.accepted)
    metrics.RECORDS.labels(m.dataset, m.kind, m.source, "rejected").inc(m.rejected)
    metrics.LAST_BATCH_TIME.labels(m.dataset, m.kind).set(m.created_at / 1000)
    table = next((f.table for f in plan.files if "/rejected/" in f.path), None)
    if table is not None:
        for name, count in Counter(table.column("field").to_pylist()).items():
            metrics.REJECTIONS.labels(m.dataset, name or "_row").inc(count)
    log.info(
        "batch stored",
        extra={"dataset": m.dataset, "kind": m.kind, "batch_id": m.batch_id, "source": m.source,
               "accepted": m.accepted, "rejected": m.rejected, "storage_path": m.storage_path},
    )  # fmt: skip


def ingest_stream(cmd: IngestStream, svc: Ingestion) -> StreamOutcome:
    """Ingest consecutive records of one partition; skip what an earlier delivery stored.

    Batches chain: a stored batch's manifest names its last offset, so a
    redelivery starting at its first offset skips to the next batch, whatever
    the size of the new micro-batch. Rejected rows' `row_index` is their offset
    minus the batch's first offset.
    """
    layout = svc.layout(cmd.dataset)
    records = list(cmd.records)
    dead: list[DeadLetter] = []
    resume_at: int | None = None
    while records:
        first = records[0]
        batch_id = stream_batch_id(cmd.topic, cmd.partition, first.offset, first.key, first.value)
        existing = svc.store.manifest(cmd.dataset, "records", batch_id)
        if existing is not None and existing.kafka is not None:
            _ensure_announced(svc, existing)
            dead += existing.kafka.dead_letters
            resume_at = existing.kafka.last_offset + 1
            records = [r for r in records if r.offset >= resume_at]
            continue
        rows, positions, poison = _decode(svc, cmd, records)
        dead += poison
        if rows:
            origin = KafkaOrigin(
                cmd.topic, cmd.partition, first.offset, records[-1].offset, tuple(poison)
            )
            raw = RawBatch.from_rows(
                rows, layout.record_fields,
                reject_unknown=svc.policy.reject_unknown_fields, positions=positions,
            )  # fmt: skip
            command = IngestBatch(cmd.dataset, "records", raw, batch_id, "kafka", None, origin)
            ingest_batch(command, svc)
        break
    return StreamOutcome(tuple(dead), resume_at)


def _decode(svc: Ingestion, cmd: IngestStream, records: list[StreamRecord]
            ) -> tuple[list[Any], list[int], list[DeadLetter]]:  # fmt: skip
    key_field = svc.layout(cmd.dataset).key
    first = records[0].offset
    rows: list[Any] = []
    positions: list[int] = []
    poison: list[DeadLetter] = []
    for record in records:
        try:
            row = svc.decoder.decode(cmd.dataset, record.value)
        except UndecodableError as exc:
            poison.append(DeadLetter(record.offset, str(exc)))
            continue
        if type(row) is dict and row.get(key_field) is None and record.key:
            row[key_field] = record.key.decode(errors="replace")  # the key is the entity key
        rows.append(row)
        positions.append(record.offset - first)
    return rows, positions, poison


HANDLERS: dict[type, Callable[[Any, Ingestion], Any]] = {
    IngestBatch: ingest_batch,
    IngestStream: ingest_stream,
}
