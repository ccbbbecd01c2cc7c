"""Shared fixtures of the ingestion tests: a small spec, sample rows, hand-made fakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest
from driftline.bus.memory import FakePublisher
from driftline.codec import EventCodec
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec, parse_spec
from driftline_ingestion.adapters.record_decoder import SerdeRecordDecoder
from driftline_ingestion.domain.model import Kind, Manifest
from driftline_ingestion.domain.plan import BatchPlan
from driftline_ingestion.service import Ingestion

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SPEC = {
    "project": "ingestion_tests",
    "datasets": {
        "loans": {
            "entity_key": "application_id",
            "event_timestamp": "event_time",
            "features": {
                "income": {"type": "float", "min": 0},
                "credit_score": {"type": "int", "min": 300, "max": 850},
                "region": {"type": "category", "categories": ["north", "south", "east", "west"]},
                "has_mortgage": {"type": "bool"},
                "note": {"type": "string", "nullable": True},
            },
            "label": {"name": "defaulted", "type": "int"},
        },
        "clicks": {
            "entity_key": "user_id",
            "features": {"dwell": {"type": "float", "nullable": True}},
        },
    },
}


def record(i: int = 0, **changes: Any) -> dict[str, Any]:
    """A valid loans record; `changes` spoil or drop fields (a value of ... drops it)."""
    row: dict[str, Any] = {
        "application_id": f"app-{i}",
        "event_time": f"2026-11-2{i % 2}T10:00:0{i % 10}Z",
        "income": 52_000.5 + i,
        "credit_score": 700,
        "region": "north",
        "has_mortgage": i % 3 == 0,
        "note": None,
        "defaulted": i % 2,
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not ...}


class FakeOfflineStore:
    """`OfflineStore` in memory: records every file and manifest written."""

    def __init__(self, root: str = "mem://offline") -> None:
        self.root = root
        self.files: dict[str, pa.Table] = {}
        self.manifests: dict[tuple[str, str, str], Manifest] = {}
        self.writes: list[BatchPlan] = []
        self.fail_next_write: Exception | None = None

    def manifest(self, dataset: str, kind: Kind, batch_id: str) -> Manifest | None:
        return self.manifests.get((dataset, kind, batch_id))

    def write(self, plan: BatchPlan) -> None:
        if self.fail_next_write is not None:
            error, self.fail_next_write = self.fail_next_write, None
            raise error
        self.writes.append(plan)
        for planned in plan.files:
            self.files[planned.path] = planned.table
        self.save_manifest(plan.manifest)

    def save_manifest(self, manifest: Manifest) -> None:
        self.manifests[(manifest.dataset, manifest.kind, manifest.batch_id)] = manifest

    def read(self, paths: Sequence[str]) -> pa.Table | None:
        return pa.concat_tables([self.files[p] for p in paths]) if paths else None

    def check(self) -> bool | str:
        return True


@pytest.fixture(scope="session")
def spec() -> ProjectSpec:
    return parse_spec(SPEC)


@pytest.fixture(scope="session")
def codec() -> EventCodec:
    return EventCodec.from_settings(DriftlineSettings())


@pytest.fixture
def store() -> FakeOfflineStore:
    return FakeOfflineStore()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher(source="driftline/ingestion")


@pytest.fixture
def make_service(
    spec: ProjectSpec, codec: EventCodec, publisher: FakePublisher
) -> Callable[..., Ingestion]:
    def make(store: Any, **options: Any) -> Ingestion:
        decoder = SerdeRecordDecoder(spec, codec.serde)
        options.setdefault("publisher", publisher)
        return Ingestion(spec=spec, store=store, decoder=decoder, clock=lambda: NOW, **options)

    return make


@pytest.fixture
def svc(make_service: Callable[..., Ingestion], store: FakeOfflineStore) -> Ingestion:
    return make_service(store)
