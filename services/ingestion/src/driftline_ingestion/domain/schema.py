"""The stored shape of a dataset, derived from its spec: column names and Arrow types.

This is the contract with the feature service and training: records, labels
and rejected rows are written with exactly these schemas.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pyarrow as pa  # type: ignore[import-untyped]
from driftline.spec import DatasetSpec

__all__ = ["ARROW_TYPES", "TIMESTAMP", "DatasetLayout", "rejected_schema"]

TIMESTAMP = pa.timestamp("ms", tz="UTC")
ARROW_TYPES: dict[str, pa.DataType] = {
    "float": pa.float64(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "category": pa.string(),
    "string": pa.string(),
}
BOOKKEEPING = (pa.field("created_at", TIMESTAMP, nullable=False), pa.field("batch_id", pa.string()))


def rejected_schema() -> pa.Schema:
    """Columns of `<dataset>/rejected/...`: which row, which field, why, and the row itself."""
    return pa.schema(
        [
            pa.field("row_index", pa.int64(), nullable=False),
            pa.field("field", pa.string()),
            pa.field("reason", pa.string(), nullable=False),
            pa.field("raw", pa.string()),
            *BOOKKEEPING,
        ]
    )


@dataclass(frozen=True)
class DatasetLayout:
    """One dataset's columns as the offline store holds them."""

    name: str
    spec: DatasetSpec

    @property
    def key(self) -> str:
        return self.spec.entity_key

    @property
    def time(self) -> str:
        return self.spec.event_timestamp

    @property
    def label(self) -> str | None:
        return self.spec.label.name if self.spec.label else None

    @cached_property
    def label_type(self) -> str | None:
        return self.spec.label.type if self.spec.label else None

    @cached_property
    def record_fields(self) -> frozenset[str]:
        """Every field a raw record may carry."""
        names = {self.key, self.time, *self.spec.features}
        return frozenset(names | ({self.label} if self.label else set()))

    @cached_property
    def label_fields(self) -> frozenset[str]:
        """Every field a raw label may carry."""
        return frozenset({"prediction_id", self.key, self.time, self.label or "label"})

    def content_schema(self) -> pa.Schema:
        """Validated record columns, before the bookkeeping columns are added."""
        fields = [
            pa.field(self.key, pa.string(), nullable=False),
            pa.field(self.time, TIMESTAMP, nullable=False),
        ]
        for name, feature in self.spec.features.items():
            fields.append(pa.field(name, ARROW_TYPES[feature.type], nullable=feature.nullable))
        if self.label and self.label_type:
            fields.append(pa.field(self.label, ARROW_TYPES[self.label_type]))
        return pa.schema(fields)

    def records_schema(self) -> pa.Schema:
        """Columns of `<dataset>/records/...`."""
        return pa.schema([*self.content_schema(), *BOOKKEEPING])

    def labels_content_schema(self) -> pa.Schema:
        label_type = ARROW_TYPES[self.label_type or "string"]
        return pa.schema(
            [
                pa.field("prediction_id", pa.string()),
                pa.field(self.key, pa.string()),
                pa.field(self.time, TIMESTAMP),
                pa.field(self.label or "label", label_type, nullable=False),
            ]
        )

    def labels_schema(self) -> pa.Schema:
        """Columns of `<dataset>/labels/...`."""
        return pa.schema([*self.labels_content_schema(), *BOOKKEEPING])
