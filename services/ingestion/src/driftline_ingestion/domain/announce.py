"""The events that announce a stored batch, built the same way on first publish and on replay.

Ids are derived from the batch (`lineage.event_id`), so re-announcing a batch
after a crash repeats the same events, which consumers drop by id. Large
rejection and label lists are split over several events to keep each message
small; every event's count is its own list's length, so counts add up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
from driftline.events import (
    DataIngested,
    DataWindow,
    Event,
    Label,
    LabelsObserved,
    RecordsRejected,
    Rejection,
)

from driftline_ingestion.domain.lineage import event_id
from driftline_ingestion.domain.model import Manifest
from driftline_ingestion.domain.schema import DatasetLayout

__all__ = ["EventLimits", "announce"]


@dataclass(frozen=True, slots=True)
class EventLimits:
    rejections_per_event: int = 500
    labels_per_event: int = 2000
    raw_chars: int = 2000
    record_labels: bool = False
    """Also announce labels that arrived inside records (they are always stored under labels/)."""


def _millis(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _chunks(n: int, size: int) -> Iterator[tuple[int, int, int]]:
    for index, start in enumerate(range(0, n, size)):
        yield index, start, min(n, start + size)


def _rejections(m: Manifest, table: pa.Table, limits: EventLimits) -> list[tuple[Event, str]]:
    cols = [table.column(c).to_pylist() for c in ("row_index", "field", "reason", "raw")]
    out: list[tuple[Event, str]] = []
    for index, start, stop in _chunks(table.num_rows, limits.rejections_per_event):
        # Typed by construction (validated columns): skip pydantic's per-item validation.
        items = [
            Rejection.model_construct(
                row_index=cols[0][i], field=cols[1][i], reason=cols[2][i],
                raw=None if cols[3][i] is None else cols[3][i][: limits.raw_chars],
            )
            for i in range(start, stop)
        ]  # fmt: skip
        event = RecordsRejected(
            dataset=m.dataset, batch_id=m.batch_id, rejected_count=len(items),
            rejections=items, storage_path=m.rejected_path or "",
        )  # fmt: skip
        out.append((event, event_id(m.dataset, m.kind, m.batch_id, "RecordsRejected", index)))
    return out


def _labels(m: Manifest, table: pa.Table, layout: DatasetLayout,
            limits: EventLimits) -> list[tuple[Event, str]]:  # fmt: skip
    names = ("prediction_id", layout.key, layout.time, layout.label or "label")
    pid, key, time, value = (table.column(c).to_pylist() for c in names)
    out: list[tuple[Event, str]] = []
    for index, start, stop in _chunks(table.num_rows, limits.labels_per_event):
        fields: list[dict[str, Any]] = [
            {"prediction_id": pid[i], "entity_key": key[i], "event_time": time[i],
             "value": value[i]}
            for i in range(start, stop)
        ]  # fmt: skip
        items = [Label.model_construct(**f) for f in fields]  # validated rows, as above
        event = LabelsObserved(
            dataset=m.dataset, batch_id=m.batch_id, labels=items, storage_path=m.labels_path or ""
        )
        out.append((event, event_id(m.dataset, m.kind, m.batch_id, "LabelsObserved", index)))
    return out


def announce(m: Manifest, rejected: pa.Table | None, labels: pa.Table | None,
             layout: DatasetLayout, limits: EventLimits) -> list[tuple[Event, str]]:  # fmt: skip
    """DataIngested (records with accepted rows), then RecordsRejected, then LabelsObserved."""
    out: list[tuple[Event, str]] = []
    if m.kind == "records" and m.accepted:
        window = DataWindow(start=_millis(m.time_range[0]), end=_millis(m.time_range[1])) \
            if m.time_range else None  # fmt: skip
        event = DataIngested(
            dataset=m.dataset, batch_id=m.batch_id, source=m.source, row_count=m.accepted,
            rejected_count=m.rejected, time_range=window, content_hash=m.content_hash,
            storage_path=m.storage_path,
        )  # fmt: skip
        out.append((event, event_id(m.dataset, m.kind, m.batch_id, "DataIngested", 0)))
    if rejected is not None and rejected.num_rows:
        out += _rejections(m, rejected, limits)
    if labels is not None and labels.num_rows and (m.kind == "labels" or limits.record_labels):
        out += _labels(m, labels, layout, limits)
    return out
