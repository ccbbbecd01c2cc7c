"""The offline store's contract (STYLE rule 8): every adapter subclasses `OfflineStoreContract`."""

from __future__ import annotations

import posixpath
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

import orjson
import pytest
from driftline.spec import ProjectSpec
from driftline_ingestion.adapters.ports import OfflineStore
from driftline_ingestion.domain.announce import EventLimits
from driftline_ingestion.domain.model import IngestBatch
from driftline_ingestion.domain.plan import BatchPlan, PlannedFile, plan_batch
from driftline_ingestion.domain.raw import RawBatch
from driftline_ingestion.domain.schema import DatasetLayout
from driftline_ingestion.domain.validation import ValidationPolicy, validate_records

from .conftest import NOW, record


def a_plan(spec: ProjectSpec, root: str, batch_id: str = "b-1") -> BatchPlan:
    layout = DatasetLayout("loans", spec.datasets["loans"])
    rows = [record(0), record(1), record(2, income=-1)]
    raw = RawBatch.from_rows(rows, layout.record_fields)
    validated = validate_records(raw, layout, ValidationPolicy(), NOW)
    command = IngestBatch("loans", "records", raw, batch_id, "http", "corr")
    return plan_batch(command, validated, layout, root=root, created_at=NOW,
                      correlation_id="corr", limits=EventLimits())  # fmt: skip


class OfflineStoreContract(ABC):
    @abstractmethod
    def store(self) -> OfflineStore:
        """Fixture: an empty store."""

    def test_a_batch_never_written_has_no_manifest(self, store: OfflineStore) -> None:
        assert store.manifest("loans", "records", "b-1") is None

    def test_written_files_are_readable_and_the_manifest_found(
        self, store: OfflineStore, spec: ProjectSpec
    ) -> None:
        plan = a_plan(spec, store.root)
        store.write(plan)
        assert store.manifest("loans", "records", "b-1") == plan.manifest
        records = store.read(plan.manifest.files)
        assert records is not None
        assert records.schema == DatasetLayout("loans", spec.datasets["loans"]).records_schema()
        assert sorted(records.column("application_id").to_pylist()) == ["app-0", "app-1"]
        rejected = store.read(plan.manifest.rejected_files)
        assert rejected is not None
        assert rejected.column("row_index").to_pylist() == [2]

    def test_every_path_lies_under_the_root_in_the_agreed_layout(
        self, store: OfflineStore, spec: ProjectSpec
    ) -> None:
        m = a_plan(spec, store.root).manifest
        assert m.files == (
            f"{store.root}/loans/records/date=2026-11-20/b-1.parquet",
            f"{store.root}/loans/records/date=2026-11-21/b-1.parquet",
        )
        assert m.storage_path == f"{store.root}/loans/records/date=*/b-1.parquet"

    def test_a_saved_manifest_replaces_the_old_one(
        self, store: OfflineStore, spec: ProjectSpec
    ) -> None:
        plan = a_plan(spec, store.root)
        store.write(plan)
        store.save_manifest(plan.manifest.published())
        found = store.manifest("loans", "records", "b-1")
        assert found is not None
        assert found.events_published

    def test_labels_batches_have_their_own_manifests(
        self, store: OfflineStore, spec: ProjectSpec
    ) -> None:
        plan = a_plan(spec, store.root)
        store.write(replace(plan, manifest=replace(plan.manifest, kind="labels")))
        assert store.manifest("loans", "records", "b-1") is None
        assert store.manifest("loans", "labels", "b-1") is not None

    def test_reading_no_files_gives_nothing(self, store: OfflineStore) -> None:
        assert store.read([]) is None

    def test_the_store_reports_itself_ready(self, store: OfflineStore) -> None:
        assert store.check() is True


class FsspecStoreContract(OfflineStoreContract):
    """What the fsspec adapter adds: no stray files from an attempt that failed or died."""

    @abstractmethod
    def fs(self) -> Any:
        """Fixture: the store's fsspec file system, to look behind its back."""

    def test_a_failed_write_leaves_no_files_behind(self, store: OfflineStore, fs: Any,
                                                   spec: ProjectSpec) -> None:  # fmt: skip
        plan = a_plan(spec, store.root)
        unwritable = PlannedFile(f"{store.root}/loans/records/date=2026-11-19/b-1.parquet", None)
        with pytest.raises((TypeError, AttributeError)):
            store.write(replace(plan, files=(*plan.files, unwritable)))
        assert store.manifest("loans", "records", "b-1") is None
        assert not any(fs.exists(f.path) for f in plan.files)

    def test_files_of_an_attempt_that_died_before_its_manifest_are_removed(
        self, store: OfflineStore, fs: Any, spec: ProjectSpec
    ) -> None:
        stray = f"{store.root}/loans/records/date=2026-11-19/b-1.parquet"
        fs.makedirs(posixpath.dirname(stray), exist_ok=True)
        fs.pipe_file(stray, b"half a batch")  # what a killed attempt left behind
        pending = f"{store.root}/loans/_batches/b-1.json.pending"
        fs.makedirs(posixpath.dirname(pending), exist_ok=True)
        fs.pipe_file(pending, orjson.dumps([stray]))
        store.write(a_plan(spec, store.root))
        assert not fs.exists(stray)
        assert not fs.exists(pending)
        assert store.manifest("loans", "records", "b-1") is not None
