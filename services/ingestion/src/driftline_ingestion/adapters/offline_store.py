"""The offline store on any fsspec file system: local folder by default, S3 by URL.

Every file is written atomically: a temporary name then a rename on a local
disk, a single PUT on an object store. A batch first records which files it is
about to write (`<manifest>.pending`), so that files of an attempt that died
before its manifest are removed when the batch is retried.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import fsspec  # type: ignore[import-untyped]
import orjson
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from fsspec.implementations.local import LocalFileSystem  # type: ignore[import-untyped]

from driftline_ingestion.domain.model import Kind, Manifest
from driftline_ingestion.domain.plan import BatchPlan

__all__ = ["FsspecOfflineStore"]

MANIFEST_FOLDERS: dict[Kind, str] = {"records": "_batches", "labels": "_label_batches"}


class FsspecOfflineStore:
    """`OfflineStore` over an fsspec file system rooted at `root`."""

    def __init__(self, fs: Any, root: str, *, compression: str = "snappy", fsync: bool = True
                 ) -> None:  # fmt: skip
        self._fs = fs
        self._fsync = fsync
        self._local = isinstance(fs, LocalFileSystem)
        self._root = root.rstrip("/")
        self._compression = None if compression == "none" else compression

    @classmethod
    def from_url(
        cls, url: str, *, compression: str = "snappy", fsync: bool = True, **options: Any
    ) -> FsspecOfflineStore:
        """A store at `url` (a folder or an fsspec URL); `options` go to the file system."""
        if "://" not in url:
            url = Path(url).resolve().as_uri()
        fs, root = fsspec.core.url_to_fs(url, **options)
        return cls(fs, root, compression=compression, fsync=fsync)

    @property
    def root(self) -> str:
        return self._root if self._local else str(self._fs.unstrip_protocol(self._root))

    def manifest_path(self, dataset: str, kind: Kind, batch_id: str) -> str:
        return f"{self.root}/{dataset}/{MANIFEST_FOLDERS[kind]}/{batch_id}.json"

    def manifest(self, dataset: str, kind: Kind, batch_id: str) -> Manifest | None:
        try:
            data = self._fs.cat_file(self.manifest_path(dataset, kind, batch_id))
        except FileNotFoundError:
            return None
        return Manifest.from_json(data)

    def write(self, plan: BatchPlan) -> None:
        m = plan.manifest
        final = self.manifest_path(m.dataset, m.kind, m.batch_id)
        pending = final + ".pending"
        self._remove_leftovers(pending)
        # Not synced: a killed process keeps it; only a power cut can lose it, leaving at worst
        # files that no manifest names (never announced, overwritten when the batch is retried).
        self._put(pending, orjson.dumps([f.path for f in plan.files]), sync=False)
        try:
            for planned in plan.files:
                self._put_table(planned.path, planned.table)
            self._put(final, m.to_json())
        except BaseException:
            self._remove_leftovers(pending)
            raise
        self._fs.rm_file(pending)

    def save_manifest(self, manifest: Manifest) -> None:
        self._put(self.manifest_path(manifest.dataset, manifest.kind, manifest.batch_id),
                  manifest.to_json())  # fmt: skip

    def read(self, paths: Sequence[str]) -> pa.Table | None:
        if not paths:
            return None
        tables = [pq.read_table(p, filesystem=None if self._local else self._fs) for p in paths]
        return pa.concat_tables(tables)

    def check(self) -> bool | str:
        if self._local:
            Path(self._root).mkdir(parents=True, exist_ok=True)
            return True if os.access(self._root, os.W_OK) else f"{self._root} is not writable"
        bucket = self._root.split("/", 1)[0]
        return True if self._fs.exists(bucket) else f"bucket {bucket} not found"

    # -- atomic writes -------------------------------------------------------------
    def _remove_leftovers(self, pending: str) -> None:
        try:
            paths = orjson.loads(self._fs.cat_file(pending))
        except FileNotFoundError:
            return
        for path in paths:
            if self._fs.exists(path):
                self._fs.rm_file(path)
        self._fs.rm_file(pending)

    def _put(self, path: str, data: bytes, *, sync: bool = True) -> None:
        if not self._local:  # one PUT: the object appears whole or not at all
            self._fs.pipe_file(path, data)
            return
        self._atomic_local(path, lambda handle: handle.write(data), sync=sync)

    def _put_table(self, path: str, table: pa.Table) -> None:
        if not self._local:
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink, compression=self._compression)
            self._fs.pipe_file(path, sink.getvalue().to_pybytes())
            return
        self._atomic_local(
            path, lambda handle: pq.write_table(table, handle, compression=self._compression)
        )

    def _atomic_local(self, path: str, write: Any, *, sync: bool = True) -> None:
        folder = posixpath.dirname(path)
        Path(folder).mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                if self._fsync and sync:  # on disk before the rename makes it visible
                    os.fsync(handle.fileno())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
