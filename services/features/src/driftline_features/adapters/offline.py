"""The Parquet offline store that ingestion writes, read through fsspec + pyarrow.dataset.

Layout (the contract with ingestion): ``<root>/<dataset>/records/date=YYYY-MM-DD/<batch>.parquet``
and ``<root>/<dataset>/labels/date=YYYY-MM-DD/<batch>.parquet``. Reads prune date partitions
before they filter on event time, and cast every file to the schema derived from the spec, so
files whose all-null label column was written as Arrow ``null`` still line up.
"""

from __future__ import annotations

import posixpath
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import fsspec  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.dataset as pds  # type: ignore[import-untyped]
from driftline.spec import ProjectSpec

from driftline_features.adapters.offline_schema import labels_schema, records_schema
from driftline_features.domain.errors import BatchRejectedError

__all__ = ["ParquetOfflineStore"]

_PARTITIONING = pds.partitioning(pa.schema([("date", pa.string())]), flavor="hive")


class ParquetOfflineStore:
    def __init__(self, root_url: str, spec: ProjectSpec, **storage_options: Any) -> None:
        if "://" not in root_url:
            root_url = Path(root_url).resolve().as_uri()
        self.fs, root = fsspec.core.url_to_fs(root_url, **storage_options)
        self.root = root.rstrip("/")
        self.spec = spec

    def _path(self, url: str) -> str:
        if "://" not in url:
            return str(Path(url).resolve())
        path: str = self.fs._strip_protocol(url)
        return path

    def read_batch(self, dataset: str, storage_path: str) -> pa.Table:
        ds = self.spec.dataset(dataset)
        prefix = f"{self.root}/{dataset}/records/"
        path = posixpath.normpath(self._path(storage_path))
        if not path.startswith(prefix):
            raise BatchRejectedError(
                f"storage_path {storage_path!r} is outside {prefix!r}: refusing to read it"
            )
        files = sorted(self.fs.glob(path)) if any(c in path for c in "*?[") else [path]
        files = [f for f in files if self.fs.isfile(f)]
        if not files:
            raise BatchRejectedError(f"no Parquet file at storage_path {storage_path!r}")
        required = [ds.entity_key, ds.event_timestamp, *ds.features]
        schema = records_schema(ds)
        try:
            for fragment in pds.dataset(
                files, filesystem=self.fs, format="parquet"
            ).get_fragments():
                missing = [c for c in required if c not in fragment.physical_schema.names]
                if missing:
                    raise BatchRejectedError(f"{fragment.path} lacks column(s) {missing}")
            return pds.dataset(
                files, schema=schema, filesystem=self.fs, format="parquet"
            ).to_table()
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise BatchRejectedError(
                f"batch {storage_path!r} does not match the spec: {exc}"
            ) from None

    def _scan(
        self,
        kind: str,
        schema: pa.Schema,
        timestamp: str,
        start: datetime | None,
        end: datetime | None,
        columns: list[str],
    ) -> pa.Table:
        base = f"{self.root}/{kind}"
        if not self.fs.isdir(base):
            return schema.empty_table().select(columns)
        full = pa.schema([*schema, pa.field("date", pa.string())])
        data = pds.dataset(base, schema=full, filesystem=self.fs, format="parquet",
                           partitioning=_PARTITIONING)  # fmt: skip
        where = None
        if start is not None:
            where = (pds.field("date") >= start.date().isoformat()) & (
                pds.field(timestamp) >= pa.scalar(start, schema.field(timestamp).type)
            )
        if end is not None:
            last_day = (end - timedelta(microseconds=1)).date().isoformat()
            upper = (pds.field("date") <= last_day) & (
                pds.field(timestamp) < pa.scalar(end, schema.field(timestamp).type)
            )
            where = upper if where is None else where & upper
        return data.to_table(columns=columns, filter=where)

    def read_records(
        self, dataset: str, start: datetime | None, end: datetime | None, columns: list[str]
    ) -> pa.Table:
        ds = self.spec.dataset(dataset)
        return self._scan(f"{dataset}/records", records_schema(ds), ds.event_timestamp,
                          start, end, columns)  # fmt: skip

    def read_labels(self, dataset: str, start: datetime, end: datetime) -> pa.Table:
        ds = self.spec.dataset(dataset)
        schema = labels_schema(ds)
        return self._scan(f"{dataset}/labels", schema, ds.event_timestamp, start, end,
                          schema.names)  # fmt: skip
