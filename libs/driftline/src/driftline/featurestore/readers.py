"""Online feature readers: Feast's SQLite table read directly, or Feast's own reader.

`SqliteOnlineReader` returns what Feast's ``get_online_features`` returns, at a fraction of
its cost per key; `FeastOnlineReader` serves any other online store (e.g. Redis).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from driftline.featurestore.encoding import decode_value, entity_key_bytes, online_table
from driftline.featurestore.settings import (
    FeatureStoreSettings,
    feature_store,
    repo_config,
    repo_dir,
)
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec

if TYPE_CHECKING:
    from feast import FeatureStore

__all__ = [
    "FeastOnlineReader",
    "OnlineFeatureReader",
    "OnlineRow",
    "OnlineTableMissingError",
    "SqliteOnlineReader",
    "online_reader",
]

OnlineRow = dict[str, Any] | None
"""One entity's feature values by name, or None when the store does not know the key."""


class OnlineTableMissingError(LookupError):
    """The online table of a view does not exist: the registry was never applied."""


class OnlineFeatureReader(Protocol):
    """Latest feature values by entity key, aligned with the keys asked for."""

    def get(
        self, dataset: str, entity_keys: Sequence[str], features: Sequence[str] | None = None
    ) -> list[OnlineRow]: ...


class SqliteOnlineReader:
    """Reads Feast's SQLite online table directly; one connection per thread."""

    _BATCH = 900  # stays under SQLite's bound-parameter limit

    def __init__(self, path: Path | str, project: str, spec: ProjectSpec) -> None:
        self.path = str(path)
        self.project = project
        self.spec = spec
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False)
            self._local.conn = conn
        return conn

    def get(
        self, dataset: str, entity_keys: Sequence[str], features: Sequence[str] | None = None
    ) -> list[OnlineRow]:
        ds = self.spec.dataset(dataset)
        wanted = list(features or ds.features)
        unknown = set(wanted) - set(ds.features)
        if unknown:
            raise KeyError(f"dataset {dataset!r} has no feature(s) {sorted(unknown)}")
        keys = entity_key_bytes(ds.entity_key, entity_keys)
        table = online_table(self.project, dataset).replace('"', '""')
        found: dict[bytes, dict[str, Any]] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), self._BATCH):
            chunk = unique[i : i + self._BATCH]
            # The table name is a quoted identifier built from spec names; values are bound.
            sql = (f'SELECT entity_key, feature_name, value FROM "{table}" '  # noqa: S608
                   f"WHERE entity_key IN ({','.join('?' * len(chunk))})")  # fmt: skip
            try:
                rows = self._conn().execute(sql, chunk).fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    raise OnlineTableMissingError(
                        f"no online table for feature view {dataset!r} in {self.path}: "
                        "apply the registry first"
                    ) from None
                raise
            for key, name, blob in rows:
                found.setdefault(key, {})[name] = blob
        out: list[OnlineRow] = []
        for key in keys:
            stored = found.get(key)
            out.append(None if stored is None else {f: decode_value(stored.get(f)) for f in wanted})
        return out


class FeastOnlineReader:
    """Reads through Feast's own `get_online_features` (any online store, e.g. Redis).

    Feast does not tell an unknown key from a known one whose values are all null: both
    come back as None here.
    """

    def __init__(self, store: FeatureStore, spec: ProjectSpec) -> None:
        self.store = store
        self.spec = spec

    def get(
        self, dataset: str, entity_keys: Sequence[str], features: Sequence[str] | None = None
    ) -> list[OnlineRow]:
        ds = self.spec.dataset(dataset)
        wanted = list(features or ds.features)
        if not entity_keys:
            return []
        result = self.store.get_online_features(
            features=[f"{dataset}:{f}" for f in wanted],
            entity_rows=[{ds.entity_key: k} for k in entity_keys],
        ).to_dict()
        out: list[OnlineRow] = []
        for i in range(len(entity_keys)):
            row = {f: result[f][i] for f in wanted}
            out.append(None if all(v is None for v in row.values()) else row)
        return out


def online_reader(
    common: DriftlineSettings, store: FeatureStoreSettings, spec: ProjectSpec
) -> OnlineFeatureReader:
    """The fast SQLite reader for the local profile, Feast's own reader otherwise."""
    if store.online_store == "sqlite":
        return SqliteOnlineReader(
            repo_dir(common, store) / "online.db", store.project or spec.project, spec
        )
    return FeastOnlineReader(feature_store(repo_config(common, store, spec)), spec)
