"""Pure rules about ingested batches: which row per entity counts, and which columns must be there."""

from __future__ import annotations

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from driftline.spec import DatasetSpec

from driftline_features.domain.errors import BatchRejectedError

__all__ = ["check_columns", "latest_per_entity", "time_range"]


def latest_per_entity(table: pa.Table, key: str, timestamp: str, created: str) -> pa.Table:
    """One row per entity key: the latest by event time, then by created time, then by position."""
    if table.num_rows == 0:
        return table
    order = [(key, "ascending"), (timestamp, "ascending")]
    if created in table.column_names:
        order.append((created, "ascending"))
    indices = pc.sort_indices(table, sort_keys=order)
    ordered = table.take(indices)
    keys = ordered.column(key).combine_chunks()
    last = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        last[:-1] = np.asarray(pc.not_equal(keys[:-1], keys[1:]).fill_null(True))
    return ordered.filter(pa.array(last))


def check_columns(table: pa.Table, dataset: str, spec: DatasetSpec) -> None:
    """Refuse a batch that lacks the key, the timestamp or a feature column, or has null keys."""
    required = [spec.entity_key, spec.event_timestamp, *spec.features]
    missing = [c for c in required if c not in table.column_names]
    if missing:
        raise BatchRejectedError(f"dataset {dataset!r}: batch lacks column(s) {missing}")
    for column in (spec.entity_key, spec.event_timestamp):
        nulls = table.column(column).null_count
        if nulls:
            raise BatchRejectedError(f"dataset {dataset!r}: {nulls} row(s) have a null {column}")


def time_range(table: pa.Table, timestamp: str) -> tuple[object, object] | None:
    """(min, max) event time of a non-empty table, as Python datetimes."""
    if table.num_rows == 0:
        return None
    bounds = pc.min_max(table.column(timestamp))
    return bounds["min"].as_py(), bounds["max"].as_py()
