"""The offline store contract on a local folder and on the in-memory fake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fsspec
import pytest
from driftline_ingestion.adapters.offline_store import FsspecOfflineStore

from ..conftest import FakeOfflineStore
from ..store_contract import FsspecStoreContract, OfflineStoreContract


class TestLocalFolder(FsspecStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> FsspecOfflineStore:
        return FsspecOfflineStore.from_url(str(tmp_path / "offline"))

    @pytest.fixture
    def fs(self) -> Any:
        return fsspec.filesystem("file")

    def test_the_root_is_an_absolute_path(self, tmp_path: Path) -> None:
        store = FsspecOfflineStore.from_url("relative/offline")
        assert store.root == str(Path("relative/offline").resolve())

    def test_writes_leave_no_temporary_files(self, store: FsspecOfflineStore, tmp_path: Path,
                                             spec: Any) -> None:  # fmt: skip
        from ..store_contract import a_plan

        store.write(a_plan(spec, store.root))
        names = [p.name for p in (tmp_path / "offline").rglob("*") if p.is_file()]
        assert sorted(names) == ["b-1.json"] + ["b-1.parquet"] * 5  # records, labels: 2 dates


class TestFakeStore(OfflineStoreContract):
    """The fake used by the handler tests keeps the same promises."""

    @pytest.fixture
    def store(self) -> FakeOfflineStore:
        return FakeOfflineStore()
