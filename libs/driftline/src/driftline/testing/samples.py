"""Sample values for any Avro schema, so every event type can be exercised without hand-written fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

STAMP = datetime(2026, 11, 22, 12, 0, 0, 123000, tzinfo=UTC)
PRIMITIVE_SAMPLES: dict[str, Any] = {
    "string": "text",
    "long": 42,
    "int": 7,
    "double": 0.5,
    "float": 0.25,
    "boolean": True,
    "bytes": b"\x00\x01",
    "null": None,
}


def sample(schema: Any, named: dict[str, Any] | None = None) -> Any:
    named = {} if named is None else named
    if isinstance(schema, list):
        non_null = [s for s in schema if s != "null"]
        return sample(non_null[-1], named) if non_null else None
    if isinstance(schema, str):
        if schema in PRIMITIVE_SAMPLES:
            return PRIMITIVE_SAMPLES[schema]
        return sample(named[schema], named)
    if schema.get("logicalType") == "timestamp-millis":
        return STAMP
    kind = schema["type"]
    if kind == "record":
        named[schema["name"]] = schema
        named[schema["name"].rsplit(".", 1)[-1]] = schema
        return {f["name"]: sample(f["type"], named) for f in schema["fields"]}
    if kind == "array":
        return [sample(schema["items"], named)]
    if kind == "map":
        return {"k": sample(schema["values"], named)}
    if kind == "enum":
        return schema["symbols"][0]
    return sample(kind, named)
