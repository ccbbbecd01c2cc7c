"""The Feast feature store, derived from the spec: definitions, configuration, apply, fast reads.

Every Feast object comes from `driftline.yaml`: one Entity per dataset entity key, one
FileSource over the dataset's offline records (``<offline root>/<dataset>/records``), one
FeatureView per dataset named after it, one FeatureService per model listing its features.
No feature list is written twice.

Feast is imported lazily, inside functions: this library does not depend on it. Callers of
`repo_config`, `feast_definitions`, `apply_definitions`, `feature_store` or `FeastOnlineReader`
must install ``feast==0.67.0`` themselves (the features and serving services do).

`SqliteOnlineReader` reads Feast's own SQLite online table directly (entity keys serialised
as Feast's version 3, values as Feast ``ValueProto`` bytes) and returns what Feast's
``get_online_features`` returns, at a fraction of its cost per key.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import struct
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from driftline.settings import DriftlineSettings
from driftline.spec import DatasetSpec, ProjectSpec

if TYPE_CHECKING:
    from feast import FeatureStore
    from feast.repo_config import RepoConfig

__all__ = [
    "CREATED_COLUMN",
    "ENTITY_KEY_SERIALIZATION_VERSION",
    "FeastDefinitions",
    "FeastOnlineReader",
    "FeatureStoreSettings",
    "OnlineFeatureReader",
    "OnlineRow",
    "OnlineTableMissingError",
    "SqliteOnlineReader",
    "apply_definitions",
    "decode_value",
    "entity_key_bytes",
    "feast_definitions",
    "feature_store",
    "offline_records_url",
    "online_reader",
    "online_table",
    "repo_config",
    "repo_dir",
    "view_version",
    "view_versions",
]

ENTITY_KEY_SERIALIZATION_VERSION = 3
CREATED_COLUMN = "created_at"
"""Ingestion's write time column in the offline Parquet: Feast's created timestamp (tie-break)."""
MANAGED_TAG = "driftline.managed"
_STRING_VALUE_TYPE = 2  # feast ValueType.STRING
OnlineRow = dict[str, Any] | None
"""One entity's feature values by name, or None when the store does not know the key."""


class FeatureStoreSettings(BaseSettings):
    """Where the Feast registry and online store live (shared by the features and serving services)."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_FEATURES_", extra="ignore")

    online_store: Literal["sqlite", "redis"] = "sqlite"
    """sqlite (a file under the repo dir, the embedded default) or redis (production)."""
    redis_url: SecretStr | None = None
    """redis://[:password@]host:port[/db] or rediss://... when online_store is redis."""
    registry: Literal["file", "sql"] = "file"
    """file (registry.db under the repo dir) or sql (a shared database, production)."""
    registry_url: SecretStr | None = None
    """SQLAlchemy URL of the SQL registry, e.g. postgresql+psycopg://user:pw@host/feast."""
    repo_dir: Path | None = None
    """Feast repository folder (online.db, registry.db); default <state_dir>/feast."""
    project: str | None = None
    """Feast project name; default the spec's `project`."""
    registry_cache_ttl_seconds: int = 60
    """How long a process trusts its cached copy of the registry."""


def repo_dir(common: DriftlineSettings, store: FeatureStoreSettings) -> Path:
    return (store.repo_dir or common.state_dir / "feast").resolve()


def offline_records_url(common: DriftlineSettings, dataset: str) -> str:
    """Where ingestion writes a dataset's accepted records (hive-partitioned by date)."""
    root = common.offline_store_url
    if "://" not in root:
        root = str(Path(root).resolve())
    return f"{root.rstrip('/')}/{dataset}/records"


def _redis_connection_string(url: str) -> str:
    """redis://[:pw@]host:port[/db] -> Feast's "host:port,db=N,password=...,ssl=true"."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(f"redis_url must look like redis://host:6379, got scheme {parts.scheme!r}")
    options = [f"{parts.hostname}:{parts.port or 6379}"]
    if parts.path.strip("/"):
        options.append(f"db={parts.path.strip('/')}")
    if parts.password:
        options.append(f"password={unquote(parts.password)}")
    if parts.scheme == "rediss":
        options.append("ssl=true")
    return ",".join(options)


def repo_config(
    common: DriftlineSettings, store: FeatureStoreSettings, spec: ProjectSpec
) -> RepoConfig:
    """The Feast RepoConfig of the configured profile (local provider, file offline store)."""
    from feast.repo_config import RepoConfig

    root = repo_dir(common, store)
    registry: dict[str, Any] = {
        "registry_type": "file",
        "path": str(root / "registry.db"),
        "cache_ttl_seconds": store.registry_cache_ttl_seconds,
    }
    if store.registry == "sql":
        if store.registry_url is None:
            raise ValueError("registry=sql needs DRIFTLINE_FEATURES_REGISTRY_URL")
        registry.update(
            registry_type="sql",
            path=store.registry_url.get_secret_value(),
            sqlalchemy_config_kwargs={"echo": False, "pool_pre_ping": True},
        )
    online: dict[str, Any] = {"type": "sqlite", "path": str(root / "online.db")}
    if store.online_store == "redis":
        if store.redis_url is None:
            raise ValueError("online_store=redis needs DRIFTLINE_FEATURES_REDIS_URL")
        online = {
            "type": "redis",
            "connection_string": _redis_connection_string(store.redis_url.get_secret_value()),
        }
    return RepoConfig(
        project=store.project or spec.project,
        provider="local",
        registry=registry,
        online_store=online,
        offline_store={"type": "file"},
        entity_key_serialization_version=ENTITY_KEY_SERIALIZATION_VERSION,
        repo_path=root,
    )


def feature_store(config: RepoConfig) -> FeatureStore:
    from feast import FeatureStore

    if config.repo_path is not None:
        Path(config.repo_path).mkdir(parents=True, exist_ok=True)
    return FeatureStore(config=config)


# -- definitions ------------------------------------------------------------------------
def view_version(dataset: DatasetSpec) -> str:
    """Hash of what defines a dataset's feature view: key, timestamp, features and their types."""
    definition = {
        "entity_key": dataset.entity_key,
        "event_timestamp": dataset.event_timestamp,
        "features": [[name, f.type] for name, f in dataset.features.items()],
    }
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def view_versions(spec: ProjectSpec, datasets: Iterable[str] | None = None) -> dict[str, str]:
    names = spec.datasets if datasets is None else datasets
    return {name: view_version(spec.dataset(name)) for name in names}


@dataclass(frozen=True)
class FeastDefinitions:
    """The Feast objects of a spec, by kind; `all()` is what `FeatureStore.apply` takes."""

    entities: list[Any] = field(default_factory=list)
    sources: list[Any] = field(default_factory=list)
    views: list[Any] = field(default_factory=list)
    services: list[Any] = field(default_factory=list)

    def all(self) -> list[Any]:
        return [*self.entities, *self.sources, *self.views, *self.services]


def _dtype(kind: str) -> Any:
    from feast.types import Bool, Float64, Int64, String

    return {"float": Float64, "int": Int64, "bool": Bool, "category": String, "string": String}[
        kind
    ]


def feast_definitions(spec: ProjectSpec, common: DriftlineSettings) -> FeastDefinitions:
    """Derive every Feast object from the spec (nothing else defines features)."""
    from feast import Entity, FeatureService, FeatureView, Field, FileSource, ValueType
    from feast.data_format import ParquetFormat
    from feast.types import String

    tags = {MANAGED_TAG: "true"}
    defs = FeastDefinitions()
    entities: dict[str, Any] = {}
    views: dict[str, Any] = {}
    for name, ds in spec.datasets.items():
        entity = entities.get(ds.entity_key)
        if entity is None:
            entity = Entity(name=ds.entity_key, join_keys=[ds.entity_key], tags=tags,
                            value_type=ValueType.STRING)  # fmt: skip
            entities[ds.entity_key] = entity
            defs.entities.append(entity)
        source = FileSource(
            name=f"{name}_records",
            path=offline_records_url(common, name),
            file_format=ParquetFormat(),
            timestamp_field=ds.event_timestamp,
            created_timestamp_column=CREATED_COLUMN,
            s3_endpoint_override=common.storage_endpoint_url,
            tags=tags,
        )
        schema = [Field(name=ds.entity_key, dtype=String)]
        schema += [Field(name=f, dtype=_dtype(s.type)) for f, s in ds.features.items()]
        view = FeatureView(
            name=name,
            entities=[entity],
            ttl=timedelta(0),  # no expiry: the latest known value stays valid
            schema=schema,
            source=source,
            online=True,
            description=ds.description,
            tags={**tags, "driftline.definition_hash": view_version(ds)},
        )
        views[name] = view
        defs.sources.append(source)
        defs.views.append(view)
    for model_name, model in spec.models.items():
        features = list(spec.model_features(model_name))
        defs.services.append(FeatureService(
            name=model_name, features=[views[model.dataset][features]], tags=tags,
        ))  # fmt: skip
    return defs


def apply_definitions(store: FeatureStore, definitions: FeastDefinitions) -> list[str]:
    """`feast apply`: register the definitions, delete managed objects the spec no longer has.

    Idempotent; returns the names of the objects deleted.
    """
    wanted = {(type(o).__name__, o.name) for o in definitions.all()}
    existing: list[Any] = [
        *store.list_feature_services(),
        *store.list_feature_views(),
        *store.list_data_sources(),
        *store.list_entities(),
    ]
    stale = [
        o
        for o in existing
        if o.tags.get(MANAGED_TAG) == "true" and (type(o).__name__, o.name) not in wanted
    ]
    store.apply(definitions.all(), objects_to_delete=stale, partial=False)
    return [o.name for o in stale]


# -- Feast's SQLite layout ----------------------------------------------------------------
def online_table(project: str, view: str) -> str:
    """Feast's SQLite online table of a view (no view versioning)."""
    return f"{project}_{view}"


def entity_key_bytes(join_key: str, values: Sequence[str]) -> list[bytes]:
    """Feast's version-3 serialisation of single string entity keys (what the table is keyed by)."""
    name = join_key.encode()
    prefix = struct.pack("<II", 1, 2) + struct.pack("<I", len(name)) + name
    prefix += struct.pack("<I", _STRING_VALUE_TYPE)
    pack = struct.Struct("<I").pack
    out = []
    for value in values:
        raw = value.encode()
        out.append(prefix + pack(len(raw)) + raw)
    return out


_DOUBLE = struct.Struct("<d")


def _varint(blob: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = blob[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def decode_value(blob: bytes | None) -> Any:
    """A Feast ``ValueProto`` (as stored) -> the Python value `get_online_features` returns."""
    if not blob:
        return None
    tag = blob[0]
    if tag == 0x29 and len(blob) == 9:  # double_val
        return _DOUBLE.unpack_from(blob, 1)[0]
    if tag == 0x20:  # int64_val
        value, end = _varint(blob, 1)
        if end == len(blob):
            return value - (1 << 64) if value >= 1 << 63 else value
    if tag == 0x38 and len(blob) == 2:  # bool_val
        return blob[1] != 0
    if tag == 0x12:  # string_val
        length, start = _varint(blob, 1)
        if start + length == len(blob):
            return blob[start:].decode()
    return _decode_with_feast(blob)


def _decode_with_feast(blob: bytes) -> Any:
    from feast.protos.feast.types.Value_pb2 import Value
    from feast.type_map import feast_value_type_to_python_type

    proto = Value()
    proto.ParseFromString(blob)
    return feast_value_type_to_python_type(proto)


# -- readers ------------------------------------------------------------------------------
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
