"""Framing, fingerprints and the failure modes a consumer must survive."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from driftline.catalog import Catalog
from driftline.schema_store import SchemaStore, fingerprint_of
from driftline.serde import CONFLUENT_MAGIC, SINGLE_OBJECT_MAGIC, DecodeError, Serde

RETIRED = "driftline.events.ModelRetired"
PAYLOAD = {
    "model_name": "m",
    "version": 2,
    "reason": "replaced",
    "archive_uri": None,
    "retired_by": "retirement",
}


@pytest.fixture(scope="module")
def store() -> SchemaStore:
    return SchemaStore.from_catalog(Catalog.load())


class FakeRegistry:
    """A Confluent-compatible registry in memory; records what it was asked."""

    def __init__(self) -> None:
        self.schemas: dict[int, dict[str, Any]] = {}
        self.subjects: list[str] = []

    def register(self, subject: str, schema: dict[str, Any]) -> int:
        self.subjects.append(subject)
        for schema_id, known in self.schemas.items():
            if known == schema:
                return schema_id
        schema_id = 100 + len(self.schemas)
        self.schemas[schema_id] = schema
        return schema_id

    def get(self, schema_id: int) -> dict[str, Any]:
        return self.schemas[schema_id]


def test_fingerprint_matches_the_avro_spec_test_vector() -> None:
    # Avro spec: CRC-64-AVRO of "null" is 7195948357588979594, written little-endian.
    assert fingerprint_of("null") == struct.pack("<q", 7195948357588979594)  # type: ignore[arg-type]


def test_single_object_encoding_starts_with_magic_and_fingerprint(store: SchemaStore) -> None:
    data = Serde(store).encode(RETIRED, PAYLOAD)
    assert data[:2] == SINGLE_OBJECT_MAGIC
    assert data[2:10] == store.current(RETIRED).fingerprint


def test_confluent_wire_format_registers_under_topic_record_subject(store: SchemaStore) -> None:
    registry = FakeRegistry()
    data = Serde(store, registry).encode(RETIRED, PAYLOAD, topic="driftline.models")
    assert data[:1] == CONFLUENT_MAGIC
    assert struct.unpack(">I", data[1:5])[0] == 100
    assert registry.subjects == ["driftline.models-driftline.events.ModelRetired"]


def test_reader_accepts_both_framings(store: SchemaStore) -> None:
    registry = FakeRegistry()
    confluent = Serde(store, registry).encode(RETIRED, PAYLOAD, topic="t")
    single = Serde(store).encode(RETIRED, PAYLOAD)
    reader = Serde(SchemaStore.from_catalog(Catalog.load()), registry)
    assert reader.decode(confluent).record == PAYLOAD
    assert reader.decode(confluent).wire == "confluent"
    assert reader.decode(single).record == PAYLOAD
    assert reader.decode(single).wire == "single-object"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty value"),
        (b"{json}", "unknown framing"),
        (b"\xc3\x01\x00", "truncated single-object header"),
        (b"\xc3\x01" + b"\x11" * 8 + b"body", "unknown schema fingerprint"),
        (b"\x00\x00\x00\x00\x07rest", "no schema registry is configured"),
    ],
)
def test_undecodable_bytes_raise_decode_error_with_reason(
    store: SchemaStore, data: bytes, reason: str
) -> None:
    with pytest.raises(DecodeError, match=reason):
        Serde(store).decode(data)


def test_corrupt_body_is_a_decode_error_not_a_crash(store: SchemaStore) -> None:
    data = Serde(store).encode(RETIRED, PAYLOAD)
    with pytest.raises(DecodeError, match="corrupt Avro body"):
        Serde(store).decode(data[:12])
