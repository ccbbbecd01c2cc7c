"""The `Archive` contract, honoured by the fake and by the artifact-store archive (STYLE rule 8).

`StoreArchive` runs on real folders here (the embedded default); the same
class runs against S3 (a moto server) in the subclass marked integration below.
"""

from __future__ import annotations

import hashlib
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from driftline.artifacts import ArtifactNotFoundError, ArtifactStore
from driftline_retirement.adapters import Archive, FakeArchive, StoreArchive
from moto.server import ThreadedMotoServer

MODEL = b"skops-bytes\x00" * 32


@dataclass
class Setup:
    archive: Archive
    put: Callable[[bytes], str]
    """Store bytes in the artifact store; returns their URI."""
    exists: Callable[[str], bool]


class ArchiveContract(ABC):
    @abstractmethod
    @pytest.fixture
    def setup(self, *args: Any) -> Setup:
        """Fixture: an archive and its artifact store, both empty."""

    def test_archiving_moves_the_bytes_under_the_archive_at_the_same_address(
        self, setup: Setup
    ) -> None:
        uri = setup.put(MODEL)
        archived = setup.archive.archive(uri)
        digest = hashlib.sha256(MODEL).hexdigest()
        assert archived.startswith(setup.archive.root_uri + "/")
        assert archived.endswith(f"/{digest[:2]}/{digest}/model.skops")
        assert setup.exists(archived)
        assert not setup.exists(uri)

    def test_archiving_an_archived_artifact_is_a_no_op(self, setup: Setup) -> None:
        uri = setup.put(MODEL)
        archived = setup.archive.archive(uri)
        assert setup.archive.archive(uri) == archived
        assert setup.archive.archive(archived) == archived
        assert setup.exists(archived)

    def test_archiving_bytes_that_are_nowhere_says_so(self, setup: Setup) -> None:
        uri = setup.put(MODEL).replace(hashlib.sha256(MODEL).hexdigest(), "0" * 64)
        with pytest.raises(ArtifactNotFoundError):
            setup.archive.archive(uri)

    def test_purging_deletes_the_archived_bytes_once(self, setup: Setup) -> None:
        archived = setup.archive.archive(setup.put(MODEL))
        assert setup.archive.purge(archived) is True
        assert not setup.exists(archived)
        assert setup.archive.purge(archived) is False

    def test_purging_refuses_anything_outside_the_archive(self, setup: Setup) -> None:
        uri = setup.put(MODEL)
        with pytest.raises(ValueError, match="not under the archive"):
            setup.archive.purge(uri)
        assert setup.exists(uri)

    def test_the_archive_answers_readiness(self, setup: Setup) -> None:
        assert setup.archive.ping() is True


class TestFakeArchive(ArchiveContract):
    @pytest.fixture
    def setup(self) -> Setup:
        fake = FakeArchive()

        def put(data: bytes) -> str:
            digest = hashlib.sha256(data).hexdigest()
            return fake.add(f"{fake.store_root}/{digest[:2]}/{digest}/model.skops")

        return Setup(fake, put, lambda uri: uri in fake.files)


class TestStoreArchiveOnLocalFolders(ArchiveContract):
    @pytest.fixture
    def setup(self, tmp_path: Path) -> Setup:
        store = ArtifactStore.from_url(str(tmp_path / "artifacts"))
        archive = StoreArchive(store, str(tmp_path / "archive"))
        return Setup(archive, lambda data: store.put(data, name="model.skops").uri,
                     lambda uri: Path(uri.removeprefix("file://")).exists())  # fmt: skip

    def test_purging_leaves_no_empty_folders(self, setup: Setup, tmp_path: Path) -> None:
        setup.archive.purge(setup.archive.archive(setup.put(MODEL)))
        assert list((tmp_path / "archive").iterdir()) == []


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.mark.integration  # an S3 emulator over sockets
class TestStoreArchiveOnS3(ArchiveContract):
    @pytest.fixture
    def setup(self, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Setup:
        for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                           "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
            monkeypatch.setenv(key, value)
        bucket = f"models-{uuid.uuid4().hex[:8]}"
        boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket=bucket)
        options = {"endpoint_url": moto_endpoint, "skip_instance_cache": True}
        store = ArtifactStore.from_url(f"s3://{bucket}/artifacts", **options)
        archive = StoreArchive(store, f"s3://{bucket}/archive", **options)
        return Setup(archive, lambda data: store.put(data, name="model.skops").uri, store.exists)
