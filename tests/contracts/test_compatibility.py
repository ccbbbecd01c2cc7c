"""Evolution is BACKWARD_TRANSITIVE, and the check really catches breaking changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from driftline.catalog import Catalog
from driftline.compat import backward_problem, check_catalog, history, snapshot_catalog
from driftline.schema_store import SchemaStore, fingerprint_of, resolve
from driftline.serde import Serde
from driftline.testing.samples import STAMP

CATALOG = Catalog.load()


def test_every_schema_reads_every_earlier_version() -> None:
    assert check_catalog(CATALOG) == []


@pytest.mark.parametrize("event_type", sorted(CATALOG.events))
def test_current_schema_is_recorded_in_history(event_type: str) -> None:
    released = history(CATALOG, event_type)
    assert released, f"{event_type} has no released version: run `driftline schemas snapshot`"
    assert fingerprint_of(released[-1][1]) == fingerprint_of(
        resolve(CATALOG.schema_path(event_type))
    ), f"{event_type} changed since its last release: run `driftline schemas snapshot`"


def _trained() -> dict:
    return resolve(CATALOG.schema_path("ModelTrained"))


def test_check_catches_a_new_field_without_default() -> None:
    changed = _trained()
    changed["fields"].append({"name": "owner", "type": "string"})
    problem = backward_problem(reader=changed, writer=_trained())
    assert problem is not None
    assert "owner" in problem


def test_check_catches_a_narrowed_type() -> None:
    changed = _trained()
    for field in changed["fields"]:
        if field["name"] == "artifact_size_bytes":
            field["type"] = "int"
    assert backward_problem(reader=changed, writer=_trained()) is not None


def test_check_accepts_a_new_optional_field() -> None:
    changed = _trained()
    changed["fields"].append({"name": "owner", "type": ["null", "string"], "default": None})
    assert backward_problem(reader=changed, writer=_trained()) is None


def test_snapshot_refuses_an_incompatible_change(tmp_path: Path) -> None:
    root = tmp_path / "schemas"
    shutil.copytree(CATALOG.root, root)
    path = root / "driftline.events.ModelRetired.avsc"
    schema = json.loads(path.read_text())
    schema["fields"].append({"name": "ticket", "type": "long"})
    path.write_text(json.dumps(schema))
    with pytest.raises(ValueError, match="ModelRetired is incompatible with v1"):
        snapshot_catalog(Catalog.load(root))
    assert "cannot read v1" in check_catalog(Catalog.load(root))[0]


def _prediction(**extra: object) -> dict:
    return {
        "request_id": "r1", "model_name": "m", "model_version": 3, "entity_key": "e1",
        "features": {"x": 1.5, "c": "a"}, "prediction": 1, "score": 0.9, "latency_ms": 1.2,
        "event_time": STAMP, **extra,
    }  # fmt: skip


def test_consumer_with_older_reader_reads_newer_events() -> None:
    serde = Serde(SchemaStore.from_catalog(CATALOG))
    data = serde.encode("driftline.events.PredictionLogged", _prediction(role="shadow"))
    (_, v1), _ = history(CATALOG, "PredictionLogged")
    old_reader = SchemaStore().register(v1, current=False)
    old = serde.decode(data, reader=old_reader).record
    assert old == _prediction()  # the new `role` field is skipped by the old reader


def test_consumer_with_newer_reader_reads_older_events() -> None:
    (_, v1), _ = history(CATALOG, "PredictionLogged")
    old_writer = SchemaStore()
    old_writer.register(v1)
    data = Serde(old_writer).encode("driftline.events.PredictionLogged", _prediction())
    current = Serde(SchemaStore.from_catalog(CATALOG)).decode(data).record
    assert current == _prediction(role="champion")  # filled from the new field's default


def test_history_files_are_self_contained() -> None:
    for folder in (CATALOG.root / "history").iterdir():
        for path in folder.glob("v*.avsc"):
            known = SchemaStore().register(json.loads(path.read_text()))
            assert known.full_name == f"driftline.events.{folder.name}", path
