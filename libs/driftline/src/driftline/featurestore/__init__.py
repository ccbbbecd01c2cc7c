"""The Feast feature store, derived from the spec: definitions, configuration, apply, fast reads.

Every Feast object comes from `driftline.yaml` (`definitions`); where the registry and online
store live and the Feast `RepoConfig` (`settings`); Feast's SQLite online layout byte for byte
(`encoding`); latest values by entity key (`readers`).

Feast is imported lazily, inside functions: this library does not depend on it. Callers of
`repo_config`, `feast_definitions`, `apply_definitions`, `feature_store` or `FeastOnlineReader`
must install ``feast==0.67.0`` themselves (the features and serving services do).

`SqliteOnlineReader` reads Feast's own SQLite online table directly (entity keys serialised
as Feast's version 3, values as Feast ``ValueProto`` bytes) and returns what Feast's
``get_online_features`` returns, at a fraction of its cost per key.
"""

from driftline.featurestore.definitions import (
    CREATED_COLUMN,
    FeastDefinitions,
    apply_definitions,
    feast_definitions,
    view_version,
    view_versions,
)
from driftline.featurestore.encoding import (
    ENTITY_KEY_SERIALIZATION_VERSION,
    decode_value,
    entity_key_bytes,
    online_table,
)
from driftline.featurestore.readers import (
    FeastOnlineReader,
    OnlineFeatureReader,
    OnlineRow,
    OnlineTableMissingError,
    SqliteOnlineReader,
    online_reader,
)
from driftline.featurestore.settings import (
    FeatureStoreSettings,
    feature_store,
    offline_records_url,
    repo_config,
    repo_dir,
)

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
