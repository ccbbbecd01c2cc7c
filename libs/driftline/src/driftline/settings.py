"""Settings shared by every service and the CLI (pydantic-settings, `DRIFTLINE_` prefix).

Services compose these into their own `Settings` and pass them to `bootstrap()`;
nothing reads the environment as a global.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PLACEHOLDER_SECRETS", "DriftlineSettings", "Profile"]

Profile = Literal["embedded", "compose", "cloud"]
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "changethis", "secret", "password"})


class DriftlineSettings(BaseSettings):
    """Bus, contract and telemetry settings common to all Driftline processes."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_", extra="ignore")

    profile: Profile = "embedded"
    """embedded (one machine, local broker), compose (containers) or cloud (AWS)."""

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices(
            "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS",
            "KAFKA_BOOTSTRAP_SERVERS",
            "kafka_bootstrap_servers",
        ),
    )
    """Comma-separated host:port list of the Kafka brokers."""

    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    """Kafka security.protocol; the cloud profile refuses PLAINTEXT."""

    kafka_sasl_mechanism: str | None = None
    """SASL mechanism (e.g. SCRAM-SHA-512, AWS_MSK_IAM) when SASL is used."""

    kafka_sasl_username: str | None = None
    """SASL user name."""

    kafka_sasl_password: SecretStr | None = None
    """SASL password; placeholders are refused outside the embedded profile."""

    kafka_session_timeout_ms: int = Field(default=6000, ge=1000)
    """Consumer session timeout; a group join waits about half of it on some brokers."""

    kafka_fetch_max_wait_ms: int = Field(default=100, ge=0, le=10_000)
    """Longest a fetch waits at the broker for data (plain consumers and faust). Short: the
    embedded broker holds a fetch for its whole wait rather than answering when records
    arrive, which capped the faust monitor at ~2k predictions/s with faust's own 1.5 s
    (`bench/monitoring_bench.py`); real Kafka answers as soon as data is there."""

    schema_registry_url: str | None = None
    """Confluent-compatible Schema Registry; unset means schemas/ is the registry."""

    schemas_dir: Path | None = None
    """Folder holding catalog.yaml and the .avsc files (found automatically in a checkout)."""

    spec_path: Path = Path("driftline.yaml")
    """The project spec: datasets, models and their policies."""

    state_dir: Path = Path("var")
    """Local state (dedupe databases, embedded stores)."""

    offline_store_url: str = "var/offline"
    """Offline data root (Parquet by dataset and date): a folder or an fsspec URL (s3://...)."""

    artifact_store_url: str = "var/artifacts"
    """Model artifact root, content-addressed: a folder or an fsspec URL (s3://...)."""

    archive_store_url: str = "var/archive"
    """Where retired models' artifacts are moved."""

    storage_endpoint_url: str | None = None
    """S3-compatible endpoint override (MinIO, moto) for the URLs above."""

    features_url: str = "http://127.0.0.1:8002"
    """Base URL of the feature service's API."""

    registry_url: str = "http://127.0.0.1:8004"
    """Base URL of the registry service's API."""

    serving_url: str = "http://127.0.0.1:8005"
    """Base URL of the serving service's API."""

    consumer_max_attempts: int = Field(default=3, ge=1)
    """Handler attempts before a record goes to the dead-letter topic."""

    consumer_retry_backoff_s: float = Field(default=0.2, ge=0)
    """First retry delay; doubled after each failed attempt."""

    log_level: str = "INFO"
    """Root log level."""

    log_json: bool = True
    """JSON logs (one object per line) rather than plain text."""

    api_tokens: SecretStr | None = None
    """Bearer tokens and their roles, "token1:admin,token2:viewer"; unset = open (embedded only)."""

    max_request_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    """Largest HTTP request body accepted (413 beyond)."""

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> DriftlineSettings:
        if self.profile == "cloud" and self.kafka_security_protocol == "PLAINTEXT":
            raise ValueError(
                "the cloud profile refuses plaintext Kafka: set kafka_security_protocol"
            )
        if self.profile == "cloud" and self.api_tokens is None:
            raise ValueError("the cloud profile requires api_tokens for the mutating APIs")
        if self.profile != "embedded" and self.api_tokens is not None:
            for token in self.api_tokens.get_secret_value().split(","):
                if token.partition(":")[0].strip().lower() in PLACEHOLDER_SECRETS:
                    raise ValueError("api_tokens holds a placeholder token; set real secrets")
        password = self.kafka_sasl_password
        placeholder = (
            password is not None and password.get_secret_value().lower() in PLACEHOLDER_SECRETS
        )
        if self.profile != "embedded" and placeholder:
            raise ValueError("kafka_sasl_password is a placeholder; set a real secret")
        return self

    # -- client configurations -------------------------------------------------
    def _client_config(self) -> dict[str, Any]:
        conf: dict[str, Any] = {
            "bootstrap.servers": self.kafka_bootstrap_servers,
            "security.protocol": self.kafka_security_protocol,
        }
        if self.kafka_sasl_mechanism:
            conf["sasl.mechanism"] = self.kafka_sasl_mechanism
        if self.kafka_sasl_username:
            conf["sasl.username"] = self.kafka_sasl_username
        if self.kafka_sasl_password:
            conf["sasl.password"] = self.kafka_sasl_password.get_secret_value()
        return conf

    def producer_config(self, client_id: str) -> dict[str, Any]:
        return {
            **self._client_config(),
            "client.id": client_id,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
        }

    def consumer_config(self, group_id: str, client_id: str) -> dict[str, Any]:
        return {
            **self._client_config(),
            "group.id": group_id,
            "client.id": client_id,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "session.timeout.ms": self.kafka_session_timeout_ms,
            "heartbeat.interval.ms": max(500, self.kafka_session_timeout_ms // 3),
            "fetch.wait.max.ms": self.kafka_fetch_max_wait_ms,
        }

    def admin_config(self) -> dict[str, Any]:
        return self._client_config()
