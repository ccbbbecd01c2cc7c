"""Feast's own write path (`FeatureStore.write_to_online_store`), for online stores other than SQLite.

Feast's Redis store keeps the newest value per entity by itself (it compares event times);
this adapter only reduces the batch to one row per entity first.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
from driftline.featurestore import CREATED_COLUMN
from driftline.spec import ProjectSpec

from driftline_features.adapters.ports import WriteOutcome
from driftline_features.domain.batches import latest_per_entity

__all__ = ["FeastOnlineWriter"]


class FeastOnlineWriter:
    def __init__(self, store: Any, spec: ProjectSpec, *, kind: str = "redis") -> None:
        self.store = store
        self.spec = spec
        self.kind = kind

    def write(self, dataset: str, table: pa.Table) -> WriteOutcome:
        ds = self.spec.dataset(dataset)
        latest = latest_per_entity(table, ds.entity_key, ds.event_timestamp, CREATED_COLUMN)
        if latest.num_rows == 0:
            return WriteOutcome(0, 0)
        columns = [ds.entity_key, ds.event_timestamp, *ds.features]
        if CREATED_COLUMN in latest.column_names:
            columns.append(CREATED_COLUMN)
        frame = latest.select(columns).to_pandas()
        self.store.write_to_online_store(dataset, frame)
        return WriteOutcome(offered=latest.num_rows, written=latest.num_rows)
