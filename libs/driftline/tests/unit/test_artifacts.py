"""The artifact store's contract, and the local-folder adapter that must honour it.

`ArtifactStoreContract` is the one behaviour every adapter owes (STYLE rule 8);
the S3 adapter runs the same class against moto in tests/infra.
"""

from __future__ import annotations

import hashlib
import os
from abc import ABC, abstractmethod
from pathlib import Path

import pytest
from driftline.artifacts import (
    ArtifactIntegrityError,
    ArtifactNotFoundError,
    ArtifactStore,
    storage_options,
)
from driftline.settings import DriftlineSettings

MODEL = b"skops-zip-bytes\x00\x01" * 64


class ArtifactStoreContract(ABC):
    """Subclass with a `store` and an `archive_root` on the same file system."""

    @abstractmethod
    def store(self) -> ArtifactStore:
        """Fixture: an empty store."""

    @abstractmethod
    def archive_root(self) -> str:
        """Fixture: a URL on the store's file system to archive into."""

    def test_put_addresses_the_bytes_by_their_sha256(self, store: ArtifactStore) -> None:
        stored = store.put(MODEL, name="model.skops")
        digest = hashlib.sha256(MODEL).hexdigest()
        assert stored.sha256 == digest
        assert stored.size == len(MODEL)
        assert stored.uri.startswith(store.root_uri + "/")
        assert stored.uri.endswith(f"/{digest[:2]}/{digest}/model.skops")

    def test_get_returns_the_bytes_that_were_put(self, store: ArtifactStore) -> None:
        stored = store.put(MODEL, name="model.skops")
        assert store.get(stored.uri, stored.sha256) == MODEL

    def test_get_accepts_the_expected_hash_in_upper_case(self, store: ArtifactStore) -> None:
        stored = store.put(MODEL, name="model.skops")
        assert store.get(stored.uri, stored.sha256.upper()) == MODEL

    def test_get_refuses_bytes_whose_hash_differs(self, store: ArtifactStore) -> None:
        stored = store.put(MODEL, name="model.skops")
        wrong = hashlib.sha256(b"another model").hexdigest()
        with pytest.raises(ArtifactIntegrityError, match="was expected") as caught:
            store.get(stored.uri, wrong)
        assert stored.sha256 in str(caught.value)
        assert wrong in str(caught.value)

    def test_putting_the_same_bytes_twice_gives_the_same_artifact(
        self, store: ArtifactStore
    ) -> None:
        assert store.put(MODEL, name="model.skops") == store.put(MODEL, name="model.skops")

    def test_exists_tells_stored_from_unknown(self, store: ArtifactStore) -> None:
        stored = store.put(MODEL, name="model.skops")
        missing = stored.uri.replace(stored.sha256, "0" * 64)
        assert store.exists(stored.uri)
        assert not store.exists(missing)

    def test_get_of_a_missing_artifact_says_so(self, store: ArtifactStore) -> None:
        stored = store.put(MODEL, name="model.skops")
        missing = stored.uri.replace(stored.sha256, "0" * 64)
        with pytest.raises(ArtifactNotFoundError, match="no artifact at"):
            store.get(missing, "0" * 64)

    def test_move_archives_the_artifact_under_the_same_address(
        self, store: ArtifactStore, archive_root: str
    ) -> None:
        stored = store.put(MODEL, name="model.skops")
        archived = store.move(stored.uri, archive_root)
        assert archived.endswith(f"/{stored.sha256[:2]}/{stored.sha256}/model.skops")
        assert not store.exists(stored.uri)
        assert store.exists(archived)
        assert store.get(archived, stored.sha256) == MODEL

    def test_replaying_a_done_move_returns_the_archived_uri(
        self, store: ArtifactStore, archive_root: str
    ) -> None:
        stored = store.put(MODEL, name="model.skops")
        first = store.move(stored.uri, archive_root)
        assert store.move(stored.uri, archive_root) == first

    def test_moving_an_unknown_artifact_fails(
        self, store: ArtifactStore, archive_root: str
    ) -> None:
        stored = store.put(MODEL, name="model.skops")
        missing = stored.uri.replace(stored.sha256, "0" * 64)
        with pytest.raises(ArtifactNotFoundError):
            store.move(missing, archive_root)

    @pytest.mark.parametrize("name", ["", "../model.skops", "a/b", ".hidden", ".."])
    def test_put_refuses_names_that_are_not_plain_file_names(
        self, store: ArtifactStore, name: str
    ) -> None:
        with pytest.raises(ValueError, match="plain file name"):
            store.put(MODEL, name=name)

    def test_distinct_contents_get_distinct_addresses(self, store: ArtifactStore) -> None:
        first = store.put(b"model one", name="model.skops")
        second = store.put(b"model two", name="model.skops")
        assert first.uri != second.uri
        assert store.get(first.uri, first.sha256) == b"model one"
        assert store.get(second.uri, second.sha256) == b"model two"


class TestLocalArtifactStore(ArtifactStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> ArtifactStore:
        return ArtifactStore.from_url(str(tmp_path / "artifacts"))

    @pytest.fixture
    def archive_root(self, tmp_path: Path) -> str:
        return (tmp_path / "archive").as_uri()

    def test_a_relative_folder_is_rooted_at_the_working_directory(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        store = ArtifactStore.from_url("var/artifacts")
        assert store.root_uri == (tmp_path / "var" / "artifacts").as_uri()

    def test_a_tampered_file_is_refused(self, store: ArtifactStore) -> None:
        stored = store.put(MODEL, name="model.skops")
        Path(stored.uri.removeprefix("file://")).write_bytes(b"evil pickle")
        with pytest.raises(ArtifactIntegrityError, match="refusing"):
            store.get(stored.uri, stored.sha256)

    def test_a_write_leaves_no_temporary_file_behind(
        self, store: ArtifactStore, tmp_path: Path
    ) -> None:
        stored = store.put(MODEL, name="model.skops")
        folder = Path(stored.uri.removeprefix("file://")).parent
        assert os.listdir(folder) == ["model.skops"]

    def test_a_failed_write_leaves_no_partial_artifact(
        self, store: ArtifactStore, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def broken_replace(self: Path, target: Path | str) -> Path:
            raise OSError("disk full")

        monkeypatch.setattr(Path, "replace", broken_replace)
        with pytest.raises(OSError, match="disk full"):
            store.put(MODEL, name="model.skops")
        digest = hashlib.sha256(MODEL).hexdigest()
        folder = Path(store.root_uri.removeprefix("file://")) / digest[:2] / digest
        assert list(folder.iterdir()) == []
        assert not store.exists(f"{store.root_uri}/{digest[:2]}/{digest}/model.skops")

    def test_an_archive_path_may_be_a_plain_folder(
        self, store: ArtifactStore, tmp_path: Path
    ) -> None:
        stored = store.put(MODEL, name="model.skops")
        archived = store.move(stored.uri, str(tmp_path / "plain-archive"))
        assert archived.startswith((tmp_path / "plain-archive").as_uri())

    def test_a_uri_on_another_file_system_is_refused(self, store: ArtifactStore) -> None:
        with pytest.raises(ValueError, match="not on this store's file system"):
            store.exists("s3://bucket/aa/" + "a" * 64 + "/model.skops")


class TestArtifactStoreFromSettings:
    def test_uses_the_artifact_store_url(self, tmp_path: Path) -> None:
        settings = DriftlineSettings(artifact_store_url=str(tmp_path / "a"))
        store = ArtifactStore.from_settings(settings)
        stored = store.put(b"x", name="m.skops")
        assert stored.uri.startswith((tmp_path / "a").as_uri() + "/")
        assert store.get(stored.uri, stored.sha256) == b"x"

    def test_passes_the_storage_endpoint_override_to_fsspec(self) -> None:
        settings = DriftlineSettings(storage_endpoint_url="http://minio:9000")
        assert storage_options(settings) == {"endpoint_url": "http://minio:9000"}

    def test_takes_no_storage_options_by_default(self) -> None:
        assert storage_options(DriftlineSettings()) == {}
