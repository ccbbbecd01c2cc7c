"""Feast's SQLite online layout, byte for byte: table names, entity keys, stored values.

Entity keys are serialised as Feast's version 3 (single string join keys); values are Feast
``ValueProto`` bytes, decoded here without protobuf for the common scalar types and through
Feast (imported lazily) for the rest.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

__all__ = [
    "ENTITY_KEY_SERIALIZATION_VERSION",
    "decode_value",
    "entity_key_bytes",
    "online_table",
]

ENTITY_KEY_SERIALIZATION_VERSION = 3
_STRING_VALUE_TYPE = 2  # feast ValueType.STRING


def online_table(project: str, view: str) -> str:
    """Feast's SQLite online table of a view (no view versioning)."""
    return f"{project}_{view}"


def entity_key_bytes(join_key: str, values: Sequence[str]) -> list[bytes]:
    """Feast's version-3 serialisation of single string entity keys (what the table is keyed by)."""
    name = join_key.encode()
    prefix = struct.pack("<II", 1, 2) + struct.pack("<I", len(name)) + name
    prefix += struct.pack("<I", _STRING_VALUE_TYPE)
    pack = struct.Struct("<I").pack
    out = []
    for value in values:
        raw = value.encode()
        out.append(prefix + pack(len(raw)) + raw)
    return out


_DOUBLE = struct.Struct("<d")


def _varint(blob: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = blob[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def decode_value(blob: bytes | None) -> Any:
    """A Feast ``ValueProto`` (as stored) -> the Python value `get_online_features` returns."""
    if not blob:
        return None
    tag = blob[0]
    if tag == 0x29 and len(blob) == 9:  # double_val
        return _DOUBLE.unpack_from(blob, 1)[0]
    if tag == 0x20:  # int64_val
        value, end = _varint(blob, 1)
        if end == len(blob):
            return value - (1 << 64) if value >= 1 << 63 else value
    if tag == 0x38 and len(blob) == 2:  # bool_val
        return blob[1] != 0
    if tag == 0x12:  # string_val
        length, start = _varint(blob, 1)
        if start + length == len(blob):
            return blob[start:].decode()
    return _decode_with_feast(blob)


def _decode_with_feast(blob: bytes) -> Any:
    from feast.protos.feast.types.Value_pb2 import Value
    from feast.type_map import feast_value_type_to_python_type

    proto = Value()
    proto.ParseFromString(blob)
    return feast_value_type_to_python_type(proto)
