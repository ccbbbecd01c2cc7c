"""Every event schema round-trips, is reflected by its generated model, and keys by the catalog."""

from __future__ import annotations

import pytest
from driftline.catalog import Catalog
from driftline.codegen import GENERATED_PATH, render_models
from driftline.events import EVENT_TYPES
from driftline.schema_store import SchemaStore, resolve
from driftline.serde import SINGLE_OBJECT_MAGIC, Serde
from driftline.testing.samples import sample

CATALOG = Catalog.load()
REQUIRED = {
    "DataIngested", "RecordsRejected", "LabelsObserved", "FeaturesMaterialized", "DriftDetected",
    "TrainingRequested", "TrainingStarted", "ModelTrained", "TrainingFailed", "ModelEvaluated",
    "ModelRegistered", "ModelPromoted", "ModelRejected", "ModelRolledBack", "ModelRetired",
    "PredictionLogged",
}  # fmt: skip


def test_catalog_lists_every_lifecycle_event_type() -> None:
    assert set(CATALOG.events) >= REQUIRED


@pytest.mark.parametrize("event_type", sorted(CATALOG.events))
def test_event_round_trips_through_single_object_encoding(event_type: str) -> None:
    serde = Serde(SchemaStore.from_catalog(CATALOG))
    schema = resolve(CATALOG.schema_path(event_type))
    event = EVENT_TYPES[event_type].from_avro(sample(schema))
    data = serde.encode(CATALOG.event(event_type).full_name, event.to_avro())
    assert data[:2] == SINGLE_OBJECT_MAGIC
    decoded = serde.decode(data)
    assert decoded.full_name == f"driftline.events.{event_type}"
    assert EVENT_TYPES[event_type].from_avro(decoded.record) == event


@pytest.mark.parametrize("event_type", sorted(CATALOG.events))
def test_catalog_key_field_exists_in_schema(event_type: str) -> None:
    spec = CATALOG.event(event_type)
    fields = {f["name"] for f in resolve(CATALOG.schema_path(event_type))["fields"]}
    assert spec.key_field in fields
    assert spec.topic in CATALOG.topics


def test_every_schema_file_is_named_after_its_full_name() -> None:
    for path in CATALOG.root.glob("*.avsc"):
        schema = resolve(path)
        assert path.stem == schema["name"], path


def test_generated_models_match_the_schemas() -> None:
    assert GENERATED_PATH.read_text() == render_models(CATALOG), (
        "events/_generated.py is stale: run `driftline schemas codegen`"
    )
