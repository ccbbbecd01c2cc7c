"""Avro value encoding: single-object encoding by default, Confluent wire format with a registry.

Single-object encoding (Avro spec): ``C3 01`` + 8-byte CRC-64-AVRO fingerprint
(little-endian) + binary body. Confluent wire format: ``00`` + 4-byte big-endian
schema id + binary body. `Serde.decode` reads both, telling them apart by the
first bytes, and resolves the writer schema against the reader's current schema
so that old and new versions read each other (Avro schema resolution).
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from fastavro import schemaless_reader, schemaless_writer

from driftline.schema_store import KnownSchema, SchemaStore, UnknownSchemaError

__all__ = [
    "CONFLUENT_MAGIC",
    "SINGLE_OBJECT_MAGIC",
    "ConfluentRegistry",
    "DecodeError",
    "Decoded",
    "RegistryClient",
    "Serde",
]

SINGLE_OBJECT_MAGIC = b"\xc3\x01"
CONFLUENT_MAGIC = b"\x00"
Wire = Literal["single-object", "confluent"]


class DecodeError(ValueError):
    """Bytes that are not a value we can read; `reason` says why, for the dead-letter header."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RegistryClient(Protocol):
    """The two calls we need from a Confluent-compatible Schema Registry."""

    def register(self, subject: str, schema: dict[str, Any]) -> int: ...

    def get(self, schema_id: int) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Decoded:
    full_name: str
    record: dict[str, Any]
    wire: Wire
    writer_fingerprint: bytes


class Serde:
    """Encode records of known schemas; decode either framing."""

    def __init__(self, store: SchemaStore, registry: RegistryClient | None = None) -> None:
        self.store = store
        self.registry = registry
        self._ids: dict[tuple[str, bytes], int] = {}  # (subject, fingerprint) -> schema id
        self._by_id: dict[int, KnownSchema] = {}

    # -- writing ---------------------------------------------------------------
    def encode(self, full_name: str, record: dict[str, Any], *, topic: str = "") -> bytes:
        known = self.store.current(full_name)
        body = io.BytesIO()
        if self.registry is None:
            body.write(SINGLE_OBJECT_MAGIC + known.fingerprint)
        else:
            body.write(CONFLUENT_MAGIC + struct.pack(">I", self._schema_id(topic, known)))
        schemaless_writer(body, known.parsed, record)
        return body.getvalue()

    def _schema_id(self, topic: str, known: KnownSchema) -> int:
        # TopicRecordNameStrategy: several event types share one topic.
        subject = f"{topic}-{known.full_name}"
        key = (subject, known.fingerprint)
        if key not in self._ids:
            assert self.registry is not None
            schema_id = self.registry.register(subject, known.resolved)
            self._ids[key] = schema_id
            self._by_id[schema_id] = known
        return self._ids[key]

    # -- reading ---------------------------------------------------------------
    def decode(self, data: bytes | None, *, reader: KnownSchema | None = None) -> Decoded:
        if not data:
            raise DecodeError("empty value")
        if data[:2] == SINGLE_OBJECT_MAGIC:
            if len(data) < 10:
                raise DecodeError("truncated single-object header")
            try:
                writer = self.store.by_fingerprint(data[2:10])
            except UnknownSchemaError as exc:
                raise DecodeError(str(exc)) from None
            wire: Wire = "single-object"
            offset = 10
        elif data[:1] == CONFLUENT_MAGIC:
            if len(data) < 5:
                raise DecodeError("truncated Confluent wire-format header")
            writer = self._writer_by_id(struct.unpack(">I", data[1:5])[0])
            wire = "confluent"
            offset = 5
        else:
            raise DecodeError(f"unknown framing: first bytes {data[:2].hex()} are not Avro")
        if reader is None:
            try:
                reader = self.store.current(writer.full_name)
            except UnknownSchemaError:
                reader = writer
        try:
            record = schemaless_reader(io.BytesIO(data[offset:]), writer.parsed, reader.parsed)
        except Exception as exc:  # fastavro raises many types on corrupt bodies
            raise DecodeError(f"corrupt Avro body for {writer.full_name}: {exc!r}") from None
        if not isinstance(record, dict):
            raise DecodeError(f"{writer.full_name} did not decode to a record")
        return Decoded(writer.full_name, record, wire, writer.fingerprint)

    def _writer_by_id(self, schema_id: int) -> KnownSchema:
        if schema_id in self._by_id:
            return self._by_id[schema_id]
        if self.registry is None:
            raise DecodeError(
                f"Confluent-framed value (schema id {schema_id}) but no schema registry is configured"
            )
        try:
            schema = self.registry.get(schema_id)
        except Exception as exc:
            raise DecodeError(f"schema id {schema_id} not found in the registry: {exc}") from None
        known = self.store.register(schema, current=False)
        self._by_id[schema_id] = known
        return known


class ConfluentRegistry:
    """`RegistryClient` over confluent-kafka's Schema Registry client."""

    def __init__(self, url: str, basic_auth: str | None = None) -> None:
        from confluent_kafka.schema_registry import SchemaRegistryClient

        conf: dict[str, str] = {"url": url}
        if basic_auth:
            conf["basic.auth.user.info"] = basic_auth
        self._client = SchemaRegistryClient(conf)

    def register(self, subject: str, schema: dict[str, Any]) -> int:
        from confluent_kafka.schema_registry import Schema

        return int(self._client.register_schema(subject, Schema(json.dumps(schema), "AVRO")))

    def get(self, schema_id: int) -> dict[str, Any]:
        text = self._client.get_schema(schema_id).schema_str
        if not text:
            raise LookupError(f"schema id {schema_id} has no schema text")
        found: dict[str, Any] = json.loads(text)
        return found
