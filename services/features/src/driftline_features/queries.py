"""The read side: online features, point-in-time training sets, feature statistics.

Transports (the HTTP API, tests, the benchmark) call these; they return plain data and raise
`UnknownNameError` / `WindowError`, which the API maps to 404 / 422.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from driftline.featurestore import CREATED_COLUMN, OnlineFeatureReader, OnlineRow, view_versions
from driftline.spec import ProjectSpec

from driftline_features import metrics
from driftline_features.adapters.offline_schema import TIMESTAMP, arrow_type
from driftline_features.adapters.ports import OfflineStore
from driftline_features.domain.errors import UnknownNameError, WindowError
from driftline_features.domain.pit import point_in_time_join
from driftline_features.domain.stats import feature_stats

__all__ = ["Queries", "TrainingSet"]


@dataclass(frozen=True)
class TrainingSet:
    model: str
    table: pa.Table
    dropped: int
    """Label rows left out: no feature known at the label's time."""
    unlabelled: int
    """Label rows left out: their label value was null."""
    versions: dict[str, str]
    """Feature view -> definition hash."""

    def parquet(self) -> bytes:
        sink = io.BytesIO()
        pq.write_table(self.table, sink, compression="zstd")
        return sink.getvalue()

    @staticmethod
    def sha256(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Queries:
    spec: ProjectSpec
    reader: OnlineFeatureReader
    offline: OfflineStore
    max_window: timedelta = timedelta(days=366)
    bins: int = 10

    def resolve(self, dataset: str | None, model: str | None) -> tuple[str, list[str]]:
        """(dataset, features) of a dataset, or of a model's inputs."""
        if (dataset is None) == (model is None):
            raise ValueError("give exactly one of `dataset` and `model`")
        if model is not None:
            if model not in self.spec.models:
                raise UnknownNameError(
                    f"unknown model {model!r}; known: {sorted(self.spec.models)}"
                )
            return self.spec.models[model].dataset, list(self.spec.model_features(model))
        assert dataset is not None
        if dataset not in self.spec.datasets:
            raise UnknownNameError(
                f"unknown dataset {dataset!r}; known: {sorted(self.spec.datasets)}"
            )
        return dataset, list(self.spec.datasets[dataset].features)

    def online(self, dataset: str, features: list[str], keys: Sequence[str]) -> list[OnlineRow]:
        started = time.perf_counter()
        rows = self.reader.get(dataset, keys, features)
        metrics.ONLINE_LOOKUP_SECONDS.labels(dataset).observe(time.perf_counter() - started)
        hits = sum(row is not None for row in rows)
        metrics.ONLINE_LOOKUPS.labels(dataset, "hit").inc(hits)
        metrics.ONLINE_LOOKUPS.labels(dataset, "miss").inc(len(rows) - hits)
        return rows

    def _window(self, start: datetime, end: datetime) -> None:
        if start.tzinfo is None or end.tzinfo is None:
            raise WindowError("start and end need a timezone (e.g. 2026-11-01T00:00:00Z)")
        if end <= start:
            raise WindowError(f"end {end.isoformat()} is not after start {start.isoformat()}")
        if end - start > self.max_window:
            raise WindowError(f"the window is wider than {self.max_window.days} days")

    def training_set(self, model: str, start: datetime, end: datetime) -> TrainingSet:
        """Labels with start <= time < end, joined point-in-time with the model's features."""
        self._window(start, end)
        dataset, features = self.resolve(None, model)
        ds = self.spec.dataset(dataset)
        assert ds.label is not None  # the spec refuses models whose dataset has no label
        started = time.perf_counter()
        labels = self.offline.read_labels(dataset, start, end).to_pandas()
        columns = [ds.entity_key, ds.event_timestamp, CREATED_COLUMN, *features]
        records = self.offline.read_records(dataset, None, end, columns).to_pandas()
        rows = point_in_time_join(labels, records, key=ds.entity_key, timestamp=ds.event_timestamp,
                                  label=ds.label.name, features=features)  # fmt: skip
        schema = pa.schema([
            pa.field(ds.entity_key, pa.string()),
            pa.field(ds.event_timestamp, TIMESTAMP),
            *(pa.field(f, arrow_type(ds.features[f].type)) for f in features),
            pa.field(ds.label.name, arrow_type(ds.label.type)),
        ])  # fmt: skip
        table = pa.Table.from_pandas(rows.frame, schema=schema, preserve_index=False)
        metrics.TRAINING_SET_SECONDS.labels(model).observe(time.perf_counter() - started)
        metrics.TRAINING_ROWS.labels(model).inc(table.num_rows)
        metrics.TRAINING_ROWS_DROPPED.labels(model).inc(rows.dropped)
        versions = view_versions(self.spec, [dataset])
        return TrainingSet(model, table, rows.dropped, rows.unlabelled, versions)

    def stats(self, dataset: str, start: datetime, end: datetime) -> dict[str, Any]:
        """Per-feature statistics of the records with start <= event time < end."""
        self._window(start, end)
        dataset, features = self.resolve(dataset, None)
        started = time.perf_counter()
        table = self.offline.read_records(dataset, start, end, features)
        out = {
            "dataset": dataset,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "row_count": table.num_rows,
            "feature_view_version": view_versions(self.spec, [dataset])[dataset],
            "features": feature_stats(table, self.spec.dataset(dataset), bins=self.bins),
        }
        metrics.STATS_SECONDS.labels(dataset).observe(time.perf_counter() - started)
        return out
