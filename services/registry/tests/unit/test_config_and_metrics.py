"""Settings compose the shared ones; metrics carry the names dashboards rely on."""

from __future__ import annotations

from pathlib import Path

import pytest
from driftline_registry import RegistrySettings, metrics
from driftline_registry.adapters.database import normalise_url
from prometheus_client import REGISTRY, generate_latest


def test_database_defaults_to_sqlite_in_the_state_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DRIFTLINE_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("DRIFTLINE_REGISTRY_DATABASE_URL", raising=False)
    settings = RegistrySettings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/registry.db"
    assert settings.port == 8004


def test_settings_read_the_registry_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFTLINE_REGISTRY_DATABASE_URL", "postgresql+psycopg://u@db/registry")
    monkeypatch.setenv("DRIFTLINE_REGISTRY_RELAY_START_DELAY_S", "2.5")
    settings = RegistrySettings()
    assert settings.resolved_database_url == "postgresql+psycopg://u@db/registry"
    assert settings.relay_start_delay_s == 2.5


def test_plain_postgres_urls_use_the_psycopg_driver() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_metrics_expose_the_dashboard_names_from_the_database_snapshot() -> None:
    snapshot = metrics.RegistrySnapshot(
        versions={("churn", "champion"): 1, ("churn", "candidate"): 2},
        champions={"churn": 3}, outbox_pending=4,
    )  # fmt: skip
    metrics.observe(lambda: snapshot)
    metrics.TRANSITIONS.labels("churn", "candidate", "champion").inc()
    text = generate_latest(REGISTRY).decode()
    assert 'driftline_model_versions{model="churn",status="candidate"} 2.0' in text
    assert 'driftline_model_champion_version{model="churn"} 3.0' in text
    assert "driftline_outbox_pending 4.0" in text
    for name in metrics.METRIC_NAMES:
        assert name in text


def test_a_failing_snapshot_does_not_break_the_scrape() -> None:
    def broken() -> metrics.RegistrySnapshot:
        raise ConnectionError("database away")

    metrics.observe(broken)
    assert "driftline_outbox_pending 0.0" in generate_latest(REGISTRY).decode()
