"""pytest fixtures for real-broker tests; enabled from the repository's root conftest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from driftline.catalog import Catalog
from driftline.settings import DriftlineSettings
from driftline.testing.kafka import KafkaBackend, choose_kafka_backend, running_kafka

_backend: KafkaBackend | None = None


def _chosen() -> KafkaBackend:
    global _backend
    if _backend is None:
        _backend = choose_kafka_backend()
    return _backend


def pytest_report_header(config: pytest.Config) -> list[str]:
    backend = _chosen()
    return [f"driftline kafka backend: {backend.kind.upper()} -- {backend.reason}"]


@pytest.fixture(autouse=True)
def _no_inherited_prometheus_multiproc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing feast sets PROMETHEUS_MULTIPROC_DIR in os.environ (feast/metrics.py); the
    service processes a test starts must not inherit it, or their /metrics change shape."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers of a real broker with the catalog's topics created."""
    from driftline.bus.topics import ensure_topics

    with running_kafka(_chosen()) as servers:
        settings = DriftlineSettings(kafka_bootstrap_servers=servers)
        ensure_topics(settings.admin_config(), Catalog.load().all_topics())
        yield servers


@pytest.fixture
def bus_settings(kafka_bootstrap: str, tmp_path: Path) -> DriftlineSettings:
    """Settings pointing at the session's broker, with fast retries and a private state dir."""
    return DriftlineSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        state_dir=tmp_path / "state",
        consumer_retry_backoff_s=0.01,
        log_json=False,
    )
