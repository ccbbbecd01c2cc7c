"""Plan what a validated batch writes: Parquet files by event date, and its manifest.

Layout (the contract with the feature service and training):
`<root>/<dataset>/{records,labels,rejected}/date=YYYY-MM-DD/<batch_id>.parquet`.
A batch spanning several dates writes one file per date, and its storage path
is then the glob `.../date=*/<batch_id>.parquet`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from driftline.events import Event

from driftline_ingestion.domain.announce import EventLimits, announce
from driftline_ingestion.domain.lineage import content_hash, time_range
from driftline_ingestion.domain.model import IngestBatch, Manifest
from driftline_ingestion.domain.schema import TIMESTAMP, DatasetLayout, rejected_schema
from driftline_ingestion.domain.validation import Validated

__all__ = ["BatchPlan", "PlannedFile", "plan_batch"]

DAY_MS = 86_400_000


@dataclass(frozen=True)
class PlannedFile:
    path: str
    table: pa.Table


@dataclass(frozen=True)
class BatchPlan:
    """Files to write (data first), the manifest to write last, and the events to publish."""

    manifest: Manifest
    files: tuple[PlannedFile, ...]
    events: tuple[tuple[Event, str], ...]


def _stamp(table: pa.Table, schema: pa.Schema, created_ms: int, batch_id: str) -> pa.Table:
    n = table.num_rows
    created = pa.array(np.full(n, created_ms, dtype=np.int64)).cast(TIMESTAMP)
    batch = pa.DictionaryArray.from_arrays(np.zeros(n, dtype=np.int32), [batch_id])
    columns = [*table.columns, created, batch.dictionary_decode()]
    return pa.Table.from_arrays(columns, schema=schema)


def _by_date(
    table: pa.Table, times: pa.Array | None, created_ms: int
) -> list[tuple[str, pa.Table]]:
    """Split rows by the UTC date of `times` (rows without a time: the ingestion date)."""
    if table.num_rows == 0:
        return []
    millis = np.full(table.num_rows, created_ms, dtype=np.int64)
    if times is not None:
        values = times.cast(pa.int64()).fill_null(created_ms)
        millis = np.asarray(values.to_numpy(zero_copy_only=False))
    days = millis // DAY_MS
    unique = np.unique(days)
    name = [datetime.fromtimestamp(int(d) * 86_400, UTC).date().isoformat() for d in unique]
    if len(unique) == 1:
        return [(name[0], table)]
    return [(n, table.filter(pa.array(days == d))) for n, d in zip(name, unique, strict=True)]


def _files(root: str, layout: DatasetLayout, folder: str, batch_id: str,
           parts: list[tuple[str, pa.Table]]) -> tuple[list[PlannedFile], str]:  # fmt: skip
    base = f"{root}/{layout.name}/{folder}"
    files = [PlannedFile(f"{base}/date={d}/{batch_id}.parquet", t) for d, t in parts]
    if len(files) == 1:
        return files, files[0].path
    return files, (f"{base}/date=*/{batch_id}.parquet" if files else "")


def _rejected_table(validated: Validated) -> pa.Table:
    rows = validated.rejected
    columns = {
        "row_index": [r.row_index for r in rows], "field": [r.field for r in rows],
        "reason": [r.reason for r in rows], "raw": [r.raw for r in rows],
    }  # fmt: skip
    schema = pa.schema(list(rejected_schema())[:4])
    return pa.Table.from_pydict(columns, schema=schema)


def _label_rows(accepted: pa.Table, layout: DatasetLayout) -> pa.Table:
    """The labelled rows of a records batch, shaped as label rows."""
    assert layout.label is not None
    labelled = accepted.filter(pc.is_valid(accepted.column(layout.label)))
    pid = pa.nulls(labelled.num_rows, pa.string())
    columns = [pid, *(labelled.column(c) for c in (layout.key, layout.time, layout.label))]
    return pa.Table.from_arrays(columns, schema=layout.labels_content_schema())


def plan_batch(cmd: IngestBatch, validated: Validated, layout: DatasetLayout, *, root: str,
               created_at: datetime, correlation_id: str, limits: EventLimits) -> BatchPlan:  # fmt: skip
    """Everything the batch will store and announce; pure, so a retry plans the same."""
    created_ms = int(created_at.timestamp() * 1000)
    accepted = validated.accepted
    if cmd.kind == "records":
        records = _stamp(accepted, layout.records_schema(), created_ms, cmd.batch_id)
        parts = _by_date(records, records.column(layout.time).combine_chunks(), created_ms)
        labels = _label_rows(accepted, layout) if layout.label else None
    else:
        parts, labels = [], accepted
    record_files, storage_path = _files(root, layout, "records", cmd.batch_id, parts)
    label_files: list[PlannedFile] = []
    labels_path = ""
    if labels is not None and labels.num_rows:
        stamped = _stamp(labels, layout.labels_schema(), created_ms, cmd.batch_id)
        times = stamped.column(layout.time).combine_chunks()
        label_files, labels_path = _files(
            root, layout, "labels", cmd.batch_id, _by_date(stamped, times, created_ms)
        )
    rejected = _rejected_table(validated)
    stamped_rejects = _stamp(rejected, rejected_schema(), created_ms, cmd.batch_id)
    reject_files, rejected_path = _files(
        root, layout, "rejected", cmd.batch_id, _by_date(stamped_rejects, None, created_ms)
    )
    content = accepted if cmd.kind == "records" else labels
    assert content is not None
    manifest = Manifest(
        dataset=cmd.dataset, kind=cmd.kind, batch_id=cmd.batch_id, source=cmd.source,
        correlation_id=correlation_id, created_at=created_ms, received=validated.received,
        accepted=accepted.num_rows, rejected=len(validated.rejected),
        label_rows=0 if labels is None else labels.num_rows,
        time_range=time_range(content.column(layout.time)) if content.num_rows else None,
        content_hash=content_hash(content),
        storage_path=storage_path if cmd.kind == "records" else labels_path,
        files=tuple(f.path for f in record_files), rejected_path=rejected_path or None,
        rejected_files=tuple(f.path for f in reject_files),
        label_files=tuple(f.path for f in label_files), labels_path=labels_path or None,
        event_ids=(), kafka=cmd.kafka,
    )  # fmt: skip
    events = announce(manifest, rejected, labels, layout, limits)
    manifest = replace(manifest, event_ids=tuple(eid for _, eid in events))
    files = (*record_files, *label_files, *reject_files)
    return BatchPlan(manifest, files, tuple(events))
