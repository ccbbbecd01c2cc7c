"""Settings (env prefix, the per-replica group) and the consumer-position signal."""

from __future__ import annotations

import json

import pytest
from driftline_serving.adapters import ConsumerPosition
from driftline_serving.config import ServingSettings
from pydantic import ValidationError


def test_settings_come_from_the_serving_prefix_and_compose_the_shared_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRIFTLINE_SERVING_PORT", "9105")
    monkeypatch.setenv("DRIFTLINE_SERVING_INSTANCE_ID", "replica-a")
    monkeypatch.setenv("DRIFTLINE_REGISTRY_URL", "http://registry:8004")
    settings = ServingSettings()
    assert settings.port == 9105
    assert settings.group_id == "serving-replica-a"
    assert settings.common.registry_url == "http://registry:8004"


def test_every_replica_has_its_own_lifecycle_group_by_default() -> None:
    assert ServingSettings().group_id.startswith("serving-")
    assert ServingSettings(instance_id="a").group_id != ServingSettings(instance_id="b").group_id


def test_several_processes_need_a_fixed_port() -> None:
    with pytest.raises(ValidationError, match="processes > 1 needs a fixed port"):
        ServingSettings(processes=2, port=0)
    assert ServingSettings(processes=2, port=9105).processes == 2


def test_a_placeholder_registry_token_is_refused_outside_the_embedded_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRIFTLINE_PROFILE", "compose")
    with pytest.raises(ValidationError, match="placeholder"):
        ServingSettings(registry_token="changeme")


def test_the_cloud_profile_refuses_to_start_without_api_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRIFTLINE_PROFILE", "cloud")
    monkeypatch.setenv("DRIFTLINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    with pytest.raises(ValidationError, match="requires api_tokens"):
        ServingSettings()


def stats(join_state: str, states: dict[str, str]) -> str:
    partitions = {p: {"fetch_state": s, "desired": True} for p, s in states.items()}
    partitions["-1"] = {"fetch_state": "none", "desired": False}
    return json.dumps({"cgrp": {"join_state": join_state},
                       "topics": {"driftline.models": {"partitions": partitions}}})  # fmt: skip


def test_the_consumer_is_positioned_once_every_assigned_partition_is_fetching() -> None:
    position = ConsumerPosition("driftline.models")
    position.on_stats(stats("wait-join", {}))
    position.on_stats(stats("steady", {"0": "active", "1": "offset-query"}))
    assert not position.positioned
    assert position.check() == "lifecycle consumer joining its group"
    position.on_stats(stats("steady", {"0": "active", "1": "active"}))
    assert position.positioned
    assert position.wait(0)
    assert position.check() is True


def test_the_position_signal_asks_librdkafka_for_statistics() -> None:
    config = ConsumerPosition("t", interval_ms=250).consumer_config()
    assert config["statistics.interval.ms"] == 250
    assert callable(config["stats_cb"])
