"""Settings come from DRIFTLINE_FEATURES_* (and the shared DRIFTLINE_*) variables."""

from __future__ import annotations

import pytest
from driftline_features.config import Settings


def test_reads_its_own_prefix_and_the_shared_and_store_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRIFTLINE_FEATURES_PORT", "9102")
    monkeypatch.setenv("DRIFTLINE_FEATURES_ONLINE_STORE", "redis")
    monkeypatch.setenv("DRIFTLINE_FEATURES_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("DRIFTLINE_OFFLINE_STORE_URL", "s3://bucket/offline")
    settings = Settings()
    assert settings.port == 9102
    assert settings.store.online_store == "redis"
    assert settings.store.redis_url is not None
    assert settings.common.offline_store_url == "s3://bucket/offline"


def test_defaults_to_the_embedded_profile_on_port_8002() -> None:
    settings = Settings()
    assert (settings.port, settings.group_id) == (8002, "features")
    assert (settings.store.online_store, settings.store.registry) == ("sqlite", "file")
