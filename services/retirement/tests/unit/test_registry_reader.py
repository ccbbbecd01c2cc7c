"""The `RegistryReader` contract, honoured by the fake and by the HTTP adapter (STYLE rule 8).

The HTTP adapter runs against a real HTTP server on 127.0.0.1 serving the
registry's read routes (`registry_server` in conftest.py).
"""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from driftline_retirement.adapters import (
    FakeRegistryReader,
    HttpRegistryReader,
    RegistryReader,
    RegistryUnavailableError,
)
from driftline_retirement.domain import Champion
from pydantic import SecretStr


class RegistryReaderContract(ABC):
    @abstractmethod
    @pytest.fixture
    def setup(self, *args: Any) -> tuple[RegistryReader, FakeRegistryReader]:
        """Fixture: (the reader under test, the data it must show)."""

    @abstractmethod
    @pytest.fixture
    def unreachable(self, *args: Any) -> RegistryReader:
        """Fixture: a reader whose registry does not answer."""

    def test_lists_every_version_with_its_status_artifact_and_times(
        self, setup: tuple[RegistryReader, FakeRegistryReader], kit: SimpleNamespace
    ) -> None:
        reader, data = setup
        data.put(kit.version(1, "superseded", age_days=3), kit.version(2, "champion"))
        versions = sorted(reader.versions("churn"), key=lambda v: v.version)
        assert versions == [kit.version(1, "superseded", age_days=3), kit.version(2, "champion")]
        assert versions[0].created_at is not None
        assert versions[0].created_at.tzinfo is not None

    def test_an_unknown_model_has_no_versions(
        self, setup: tuple[RegistryReader, FakeRegistryReader]
    ) -> None:
        reader, _ = setup
        assert reader.versions("nobody") == []

    def test_tells_the_champion_and_where_its_bytes_are(
        self, setup: tuple[RegistryReader, FakeRegistryReader], kit: SimpleNamespace
    ) -> None:
        reader, data = setup
        champion = kit.version(2, "champion")
        data.put(kit.version(1, "candidate"), champion)
        assert reader.champion("churn") == Champion(
            2, champion.artifact_uri, champion.artifact_sha256
        )

    def test_a_model_without_champion_says_so(
        self, setup: tuple[RegistryReader, FakeRegistryReader], kit: SimpleNamespace
    ) -> None:
        reader, data = setup
        data.put(kit.version(1, "candidate"))
        assert reader.champion("churn") is None
        assert reader.champion("nobody") is None

    def test_an_unreachable_registry_raises_unavailable(self, unreachable: RegistryReader) -> None:
        with pytest.raises(RegistryUnavailableError):
            unreachable.champion("churn")
        with pytest.raises(RegistryUnavailableError):
            unreachable.versions("churn")


class TestFakeRegistryReader(RegistryReaderContract):
    @pytest.fixture
    def setup(self) -> tuple[RegistryReader, FakeRegistryReader]:
        fake = FakeRegistryReader()
        return fake, fake

    @pytest.fixture
    def unreachable(self) -> RegistryReader:
        fake = FakeRegistryReader()
        fake.down = True
        return fake


class TestHttpRegistryReader(RegistryReaderContract):
    @pytest.fixture
    def setup(self, registry_server: SimpleNamespace) -> tuple[RegistryReader, FakeRegistryReader]:
        return HttpRegistryReader(registry_server.url, timeout=2), registry_server.data

    @pytest.fixture
    def unreachable(self) -> RegistryReader:
        with socket.socket() as sock:  # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        return HttpRegistryReader(f"http://127.0.0.1:{port}", timeout=1)


def mock_reader(handler: Any, **kwargs: Any) -> HttpRegistryReader:
    return HttpRegistryReader("http://registry", transport=httpx.MockTransport(handler), **kwargs)


def test_a_server_error_counts_as_unavailable() -> None:
    reader = mock_reader(lambda request: httpx.Response(503, text="database locked"))
    with pytest.raises(RegistryUnavailableError, match="answered 503: database locked"):
        reader.versions("churn")


def test_the_registry_token_is_sent_as_a_bearer_token() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx.Response(200, json=[])

    mock_reader(handler, token=SecretStr("viewer-secret")).versions("churn")
    assert seen == ["Bearer viewer-secret"]


def test_naive_timestamps_are_read_as_utc() -> None:
    row = {"version": 1, "status": "candidate", "created_at": "2026-11-01T10:00:00"}
    [version] = mock_reader(lambda request: httpx.Response(200, json=[row])).versions("churn")
    assert version.created_at is not None
    assert version.created_at.tzinfo is UTC


def test_the_registrys_own_version_shape_is_read_too() -> None:
    row = {
        "model_name": "churn", "version": 4, "run_id": "r4", "status": "superseded",
        "artifact": {"uri": "file:///a/b/model.skops", "sha256": "ab" * 32, "archived": False},
        "registered_at": "2026-11-01T10:00:00Z", "status_changed_at": "2026-11-02T10:00:00Z",
    }  # fmt: skip
    [version] = mock_reader(lambda request: httpx.Response(200, json=[row])).versions("churn")
    assert (version.artifact_uri, version.artifact_sha256) == ("file:///a/b/model.skops", "ab" * 32)
    assert version.created_at == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert version.updated_at == datetime(2026, 11, 2, 10, tzinfo=UTC)
