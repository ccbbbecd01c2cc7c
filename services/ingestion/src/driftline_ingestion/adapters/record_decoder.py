"""Kafka message values to rows: a JSON object, or Avro with the dataset's derived schema.

Plain producers send JSON; Driftline producers may send Avro single-object
encoding (or the Confluent wire format with a registry). Anything else is no
record at all and goes to the dead-letter topic, with the reason.
"""

from __future__ import annotations

from typing import Any

import orjson
from driftline.schema_store import KnownSchema
from driftline.serde import CONFLUENT_MAGIC, SINGLE_OBJECT_MAGIC, DecodeError, Serde
from driftline.spec import ProjectSpec

from driftline_ingestion.adapters.ports import UndecodableError

__all__ = ["SerdeRecordDecoder"]


class SerdeRecordDecoder:
    """`RecordDecoder` over orjson and the shared `Serde` (the derived schemas registered)."""

    def __init__(self, spec: ProjectSpec, serde: Serde) -> None:
        self._serde = serde
        self._schemas: dict[str, KnownSchema] = {
            name: serde.store.register(schema) for name, schema in spec.record_schemas.items()
        }

    def decode(self, dataset: str, value: bytes | None) -> Any:
        if not value:
            raise UndecodableError("empty value")
        if value[:2] == SINGLE_OBJECT_MAGIC or value[:1] == CONFLUENT_MAGIC:
            return self._avro(dataset, value)
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise UndecodableError(f"neither JSON nor Avro: {exc}") from None

    def _avro(self, dataset: str, value: bytes) -> Any:
        reader = self._schemas[dataset]
        try:
            decoded = self._serde.decode(value, reader=reader)
        except DecodeError as exc:
            raise UndecodableError(f"Avro value not readable: {exc.reason}") from None
        if decoded.full_name != reader.full_name:
            raise UndecodableError(f"Avro value of {decoded.full_name}, not of {reader.full_name}")
        return decoded.record
