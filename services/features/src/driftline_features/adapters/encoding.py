"""Vectorised encoding of Arrow columns into Feast's online representation.

Feast stores each feature value as a serialised ``ValueProto`` plus its text form
(``value_text``). Doing that one proto at a time is what makes Feast's own write path slow;
here whole columns are encoded at once: doubles through one packed numpy buffer, other
types through Arrow's dictionary of their distinct values (few, for ints, bools and categories). The bytes are
exactly what ``ValueProto.SerializeToString()`` gives (checked by the unit tests).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

__all__ = ["EncodedColumn", "encode_column", "feast_epoch_seconds"]

EncodedColumn = tuple[list[bytes], list[str | None]]
"""(ValueProto bytes, value_text) per row; a null is (b"", None) as Feast writes it."""

_DOUBLE_TAG, _INT64_TAG, _STRING_TAG, _BOOL_TAG = 0x29, 0x20, 0x12, 0x38


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64: two's complement, ten bytes
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _int64(value: int) -> tuple[bytes, str]:
    return bytes([_INT64_TAG]) + _varint(value), str(value)


def _bool(value: bool) -> tuple[bytes, str]:
    return bytes([_BOOL_TAG, 1 if value else 0]), str(bool(value))


def _string(value: str) -> tuple[bytes, str]:
    raw = value.encode()
    return bytes([_STRING_TAG]) + _varint(len(raw)) + raw, value


def _doubles(values: np.ndarray[Any, Any]) -> EncodedColumn:
    packed = np.empty(len(values), dtype=np.dtype([("tag", "u1"), ("value", "<f8")]))
    packed["tag"] = _DOUBLE_TAG
    packed["value"] = values
    raw = packed.tobytes()
    blobs = [raw[i : i + 9] for i in range(0, len(raw), 9)]
    return blobs, list(map(repr, values.tolist()))


def _by_distinct(array: pa.Array, encode: Callable[[Any], tuple[bytes, str]]) -> EncodedColumn:
    encoded = pc.dictionary_encode(array)
    table = [encode(v) for v in encoded.dictionary.to_pylist()]
    blobs = np.array([b for b, _ in table] or [b""], dtype=object)
    texts = np.array([t for _, t in table] or [""], dtype=object)
    indices = np.asarray(encoded.indices.fill_null(0))
    return blobs[indices].tolist(), texts[indices].tolist()


def encode_column(column: pa.ChunkedArray | pa.Array, kind: str) -> EncodedColumn:
    """Encode one feature column of spec type `kind` (float, int, bool, category, string)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if kind == "float":
        array = pc.cast(array, pa.float64())
        nulls = np.asarray(pc.or_kleene(array.is_null(), pc.is_nan(array)).fill_null(True))
        blobs, texts = _doubles(np.asarray(array.fill_null(0.0)))
    elif kind == "int":
        array = pc.cast(array, pa.int64())
        nulls = np.asarray(array.is_null())
        blobs, texts = _by_distinct(array, _int64)
    elif kind == "bool":
        nulls = np.asarray(array.is_null())
        blobs, texts = _by_distinct(array, _bool)
    else:
        array = pc.cast(array, pa.string())
        nulls = np.asarray(array.is_null())
        blobs, texts = _by_distinct(array, _string)
    texts_out: list[str | None] = list(texts)
    if nulls.any():
        for i in np.flatnonzero(nulls).tolist():
            blobs[i], texts_out[i] = b"", None
    return blobs, texts_out


def _feast_seconds(utc_seconds: int) -> int:
    # Feast stores `int(naive_utc.timestamp())`, which reads the naive UTC time as local time.
    naive = pa.scalar(utc_seconds * 1_000_000, pa.timestamp("us")).as_py()
    return int(naive.timestamp())


def feast_epoch_seconds(column: pa.ChunkedArray | pa.Array) -> np.ndarray[Any, Any]:
    """Event times as Feast's SQLite store keeps them (whole seconds, Feast's own convention)."""
    millis = np.asarray(pc.cast(pc.cast(column, pa.timestamp("ms", tz="UTC")), pa.int64()))
    seconds = millis // 1000
    if len(seconds) == 0:
        return seconds
    lo, hi = int(seconds.min()), int(seconds.max())
    shift_lo, shift_hi = _feast_seconds(lo) - lo, _feast_seconds(hi) - hi
    if shift_lo == shift_hi:  # always on a UTC host; otherwise unless a DST change is inside
        return seconds + shift_lo
    return np.fromiter((_feast_seconds(s) for s in seconds.tolist()), np.int64, len(seconds))
