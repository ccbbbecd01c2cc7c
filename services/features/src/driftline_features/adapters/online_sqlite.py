"""The fast bulk path into Feast's own SQLite online table.

Transactions of `chunk_records` entities, each one ``executemany`` of an upsert over Feast's
table layout (``entity_key, feature_name, value, value_text, event_ts, created_ts``), values
encoded column-wise (`encoding`), rows in primary-key order. The upsert only replaces a stored value with one whose event time
is newer (created time breaks ties), so re-delivered and out-of-order batches are harmless.
Feast's own readers (`FeatureStore.get_online_features`) read what it writes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from driftline.featurestore import CREATED_COLUMN, entity_key_bytes, online_table
from driftline.spec import ProjectSpec

from driftline_features.adapters.encoding import encode_column, feast_epoch_seconds
from driftline_features.adapters.ports import WriteOutcome
from driftline_features.domain.batches import latest_per_entity

__all__ = ["JournalMode", "SqliteBulkWriter"]

JournalMode = Literal["WAL", "DELETE", "TRUNCATE", "PERSIST"]


class SqliteBulkWriter:
    kind = "sqlite"

    def __init__(
        self,
        path: Path | str,
        project: str,
        spec: ProjectSpec,
        *,
        chunk_records: int = 20_000,
        journal_mode: JournalMode = "WAL",
        cache_mib: int = 128,
    ) -> None:
        self.path = str(path)
        self.chunk_records = chunk_records
        self.project = project
        self.spec = spec
        self._lock = threading.Lock()
        self.last_timings: dict[str, float] = {}
        """Seconds the last write spent preparing rows and inside SQLite (for the benchmark)."""
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute(f"PRAGMA journal_mode={journal_mode}")
        # Inserts of random keys touch pages all over the indexes; a larger page cache keeps
        # more of them (SQLite's default is 2 MiB).
        self._db.execute(f"PRAGMA cache_size={-1024 * int(cache_mib)}")
        if journal_mode == "WAL":
            # No fsync per commit: a commit survives a process crash; a power cut may lose the
            # last commits, which a replay of the offline Parquet (the source of truth) restores.
            self._db.execute("PRAGMA synchronous=NORMAL")

    def _upsert(self, dataset: str) -> str:
        table = '"' + online_table(self.project, dataset).replace('"', '""') + '"'
        # A quoted identifier built from spec names; every value is a bound parameter.
        return (
            f"INSERT INTO {table} (entity_key, feature_name, value, value_text, event_ts,"  # noqa: S608
            " created_ts) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(entity_key, feature_name) DO UPDATE SET value = excluded.value,"
            " value_text = excluded.value_text, event_ts = excluded.event_ts,"
            " created_ts = excluded.created_ts"
            f" WHERE excluded.event_ts > {table}.event_ts OR (excluded.event_ts = {table}.event_ts"
            f" AND coalesce(excluded.created_ts, 0) >= coalesce({table}.created_ts, 0))"
        )

    def write(self, dataset: str, table: pa.Table) -> WriteOutcome:
        started = time.perf_counter()
        ds = self.spec.dataset(dataset)
        latest = latest_per_entity(table, ds.entity_key, ds.event_timestamp, CREATED_COLUMN)
        n, width = latest.num_rows, len(ds.features)
        if n == 0:
            return WriteOutcome(0, 0)
        keys = entity_key_bytes(ds.entity_key, latest.column(ds.entity_key).to_pylist())
        # Rows in the primary key's order: the B-tree then fills page by page.
        order = np.asarray(pc.sort_indices(pa.array(keys, pa.binary())))
        latest = latest.take(order)
        keys_by_row = np.repeat(np.array(keys, dtype=object)[order], width)
        event_ts = np.repeat(feast_epoch_seconds(latest.column(ds.event_timestamp)), width)
        created = (
            np.repeat(feast_epoch_seconds(latest.column(CREATED_COLUMN)), width).tolist()
            if CREATED_COLUMN in latest.column_names
            else [None] * (n * width)
        )
        blobs = np.empty((n, width), dtype=object)
        texts = np.empty((n, width), dtype=object)
        for j, (name, feature) in enumerate(ds.features.items()):
            blobs[:, j], texts[:, j] = encode_column(latest.column(name), feature.type)
        rows = list(zip(keys_by_row.tolist(), list(ds.features) * n, blobs.ravel().tolist(),
                        texts.ravel().tolist(), event_ts.tolist(), created, strict=True))  # fmt: skip
        prepared = time.perf_counter()
        changed = self._execute(self._upsert(dataset), rows, self.chunk_records * width)
        self.last_timings = {"prepare_s": prepared - started,
                             "sqlite_s": time.perf_counter() - prepared}  # fmt: skip
        return WriteOutcome(offered=n, written=changed // width)

    def _execute(self, sql: str, rows: list[tuple[Any, ...]], chunk: int) -> int:
        """Upsert in transactions of `chunk` rows, so no lock or journal grows without bound."""
        with self._lock:
            before = self._db.total_changes
            for start in range(0, len(rows), chunk):
                self._db.execute("BEGIN")
                try:
                    self._db.executemany(sql, rows[start : start + chunk])
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            return self._db.total_changes - before

    def close(self) -> None:
        self._db.close()
