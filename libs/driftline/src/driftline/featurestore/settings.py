"""Where the Feast registry and online store live, and the Feast `RepoConfig` built from it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from driftline.featurestore.encoding import ENTITY_KEY_SERIALIZATION_VERSION
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec

if TYPE_CHECKING:
    from feast import FeatureStore
    from feast.repo_config import RepoConfig

__all__ = [
    "FeatureStoreSettings",
    "feature_store",
    "offline_records_url",
    "repo_config",
    "repo_dir",
]


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
