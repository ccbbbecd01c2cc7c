"""Settings: sane embedded defaults, refusals outside development."""

from __future__ import annotations

import pytest
from driftline.settings import DriftlineSettings
from pydantic import ValidationError


def test_plain_kafka_env_var_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "10.0.0.1:9092")
    assert DriftlineSettings().kafka_bootstrap_servers == "10.0.0.1:9092"


def test_producer_is_idempotent_with_acks_all() -> None:
    conf = DriftlineSettings().producer_config("x")
    assert conf["enable.idempotence"] is True
    assert conf["acks"] == "all"


def test_consumer_commits_manually() -> None:
    assert DriftlineSettings().consumer_config("g", "c")["enable.auto.commit"] is False


def test_cloud_profile_refuses_plaintext_kafka() -> None:
    with pytest.raises(ValidationError, match="plaintext"):
        DriftlineSettings(profile="cloud", api_tokens="t0k3n-long:admin")


def test_cloud_profile_requires_api_tokens() -> None:
    with pytest.raises(ValidationError, match="api_tokens"):
        DriftlineSettings(profile="cloud", kafka_security_protocol="SASL_SSL")


@pytest.mark.parametrize("secret", ["changeme", "password", ""])
def test_placeholder_secrets_are_refused_outside_embedded(secret: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        DriftlineSettings(
            profile="compose", kafka_security_protocol="SASL_SSL", kafka_sasl_password=secret
        )


def test_placeholder_api_token_is_refused_outside_embedded() -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        DriftlineSettings(profile="compose", api_tokens="changeme:admin")
