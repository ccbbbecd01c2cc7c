"""Test and benchmark support: Parquet batches laid out exactly as ingestion writes them.

`OfflineBatchWriter` stands in for the ingestion service (the contract: records under
``<root>/<dataset>/records/date=YYYY-MM-DD/<batch_id>.parquet``, labels under
``labels/``), and `data_ingested` builds the DataIngested fact that announces a batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from driftline.events import DataIngested, DataWindow
from driftline.spec import ProjectSpec

from driftline_features.adapters.offline_schema import labels_schema, records_schema

__all__ = ["OfflineBatchWriter", "WrittenBatch", "data_ingested", "utc"]


def utc(text: str) -> datetime:
    """`utc("2026-11-01T10:00")` -> an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class WrittenBatch:
    dataset: str
    batch_id: str
    storage_path: str
    """The file, or the date glob when the batch spans several dates."""
    rows: int
    start: datetime | None
    end: datetime | None
    content_hash: str


class OfflineBatchWriter:
    def __init__(self, root: Path, spec: ProjectSpec) -> None:
        self.root = Path(root)
        self.spec = spec

    def _write(self, kind: str, dataset: str, batch_id: str, table: pa.Table) -> WrittenBatch:
        ts = self.spec.dataset(dataset).event_timestamp
        dates = pc.strftime(table.column(ts), format="%Y-%m-%d").to_pylist()
        paths = []
        for date in sorted(set(dates)):
            part = table.filter(pc.equal(pc.strftime(table.column(ts), format="%Y-%m-%d"), date))
            path = self.root / dataset / kind / f"date={date}" / f"{batch_id}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(part, path)
            paths.append(path)
        storage = (str(paths[0]) if len(paths) == 1
                   else str(self.root / dataset / kind / "date=*" / f"{batch_id}.parquet"))  # fmt: skip
        bounds = pc.min_max(table.column(ts)) if table.num_rows else None
        digest = hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()
        return WrittenBatch(dataset, batch_id, storage, table.num_rows,
                            bounds["min"].as_py() if bounds else None,
                            bounds["max"].as_py() if bounds else None, digest)  # fmt: skip

    def records(
        self, dataset: str, batch_id: str, rows: Sequence[Mapping[str, Any]],
        created_at: datetime | None = None,
    ) -> WrittenBatch:  # fmt: skip
        """Write accepted records; missing features are null, created_at defaults to now."""
        ds = self.spec.dataset(dataset)
        created = created_at or datetime.now(UTC)
        full = [{**dict.fromkeys(ds.features), "created_at": created, "batch_id": batch_id,
                 **({ds.label.name: None} if ds.label else {}), **row} for row in rows]  # fmt: skip
        table = pa.Table.from_pylist(full, schema=records_schema(ds))
        return self._write("records", dataset, batch_id, table)

    def labels(
        self, dataset: str, batch_id: str, rows: Sequence[Mapping[str, Any]],
        created_at: datetime | None = None,
    ) -> WrittenBatch:  # fmt: skip
        """Write label rows (entity key, event time, label; prediction_id optional)."""
        created = created_at or datetime.now(UTC)
        full = [{"prediction_id": None, "created_at": created, "batch_id": batch_id, **row}
                for row in rows]  # fmt: skip
        table = pa.Table.from_pylist(full, schema=labels_schema(self.spec.dataset(dataset)))
        return self._write("labels", dataset, batch_id, table)


def data_ingested(batch: WrittenBatch, *, source: str = "http") -> DataIngested:
    window = None
    if batch.start is not None and batch.end is not None:
        window = DataWindow(start=batch.start, end=batch.end + timedelta(milliseconds=1))
    return DataIngested(dataset=batch.dataset, batch_id=batch.batch_id, source=source,
                        row_count=batch.rows, time_range=window,
                        content_hash=batch.content_hash, storage_path=batch.storage_path)  # fmt: skip
