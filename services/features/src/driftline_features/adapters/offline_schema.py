"""The Arrow schemas of the offline Parquet files, derived from the spec (the ingestion contract)."""

from __future__ import annotations

import pyarrow as pa  # type: ignore[import-untyped]
from driftline.featurestore import CREATED_COLUMN
from driftline.spec import DatasetSpec

__all__ = ["TIMESTAMP", "arrow_type", "labels_schema", "records_schema"]

TIMESTAMP = pa.timestamp("ms", tz="UTC")
_TYPES = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(),
          "category": pa.string(), "string": pa.string()}  # fmt: skip


def arrow_type(kind: str) -> pa.DataType:
    return _TYPES[kind]


def records_schema(ds: DatasetSpec) -> pa.Schema:
    """Accepted records: key, event time, features, the label (nullable), created_at, batch_id."""
    fields = [
        pa.field(ds.entity_key, pa.string()),
        pa.field(ds.event_timestamp, TIMESTAMP),
        *(pa.field(name, arrow_type(f.type)) for name, f in ds.features.items()),
    ]
    if ds.label is not None:
        fields.append(pa.field(ds.label.name, arrow_type(ds.label.type)))
    fields += [pa.field(CREATED_COLUMN, TIMESTAMP), pa.field("batch_id", pa.string())]
    return pa.schema(fields)


def labels_schema(ds: DatasetSpec) -> pa.Schema:
    """Label rows: prediction id, key, event time, label, created_at, batch_id."""
    if ds.label is None:
        raise ValueError("this dataset declares no label")
    return pa.schema([
        pa.field("prediction_id", pa.string()),
        pa.field(ds.entity_key, pa.string()),
        pa.field(ds.event_timestamp, TIMESTAMP),
        pa.field(ds.label.name, arrow_type(ds.label.type)),
        pa.field(CREATED_COLUMN, TIMESTAMP),
        pa.field("batch_id", pa.string()),
    ])  # fmt: skip
