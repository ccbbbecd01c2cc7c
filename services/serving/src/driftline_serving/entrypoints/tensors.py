"""Open Inference Protocol tensors <-> Python values: JSON data and the binary tensor extension.

JSON ``data`` may be flat (row-major) or nested; binary data (Triton's extension, what
``tritonclient`` sends by default) follows the JSON header, each tensor's size in its
``parameters.binary_data_size``, BYTES elements as a 4-byte little-endian length + bytes.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from typing import Any

import numpy as np

from driftline_serving.core import BadInputError

__all__ = ["DTYPES", "decode_binary", "encode_binary", "flatten", "oip_datatype"]

DTYPES: dict[str, str] = {
    "BOOL": "?", "UINT8": "u1", "UINT16": "<u2", "UINT32": "<u4", "UINT64": "<u8",
    "INT8": "i1", "INT16": "<i2", "INT32": "<i4", "INT64": "<i8",
    "FP16": "<f2", "FP32": "<f4", "FP64": "<f8",
}  # fmt: skip
_LENGTH = struct.Struct("<I")


def oip_datatype(values: Sequence[Any]) -> str:
    """The OIP datatype of a list of Python values (BYTES for strings and mixtures)."""
    if all(isinstance(v, bool) for v in values):
        return "BOOL"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "INT64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "FP64"
    return "BYTES"


def flatten(data: Any, shape: Sequence[int], name: str) -> list[Any]:
    """JSON tensor data as a flat row-major list, checked against its shape."""
    flat: list[Any] = []
    stack = [data]
    while stack:  # iterative, depth-first, left to right
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            flat.append(item)
    if len(flat) != math.prod(shape):
        raise BadInputError(f"input {name!r}: shape {list(shape)} needs {math.prod(shape)} "
                            f"values, data has {len(flat)}")  # fmt: skip
    return flat


def decode_binary(raw: bytes, datatype: str, count: int, name: str) -> list[Any]:
    """Binary tensor data as a flat list of Python values."""
    if datatype == "BYTES":
        out: list[Any] = []
        pos = 0
        while pos < len(raw):
            if pos + 4 > len(raw):
                raise BadInputError(f"input {name!r}: truncated BYTES element")
            (length,) = _LENGTH.unpack_from(raw, pos)
            out.append(raw[pos + 4 : pos + 4 + length].decode("utf-8", errors="replace"))
            pos += 4 + length
    else:
        dtype = DTYPES.get(datatype)
        if dtype is None:
            raise BadInputError(f"input {name!r}: unsupported datatype {datatype!r}")
        try:
            out = np.frombuffer(raw, dtype=dtype).tolist()
        except ValueError as exc:
            raise BadInputError(f"input {name!r}: {exc}") from None
    if len(out) != count:
        raise BadInputError(
            f"input {name!r}: shape needs {count} values, binary data has {len(out)}"
        )
    return out


def encode_binary(values: Sequence[Any], datatype: str) -> bytes:
    if datatype == "BYTES":
        parts = [str(v).encode() for v in values]
        return b"".join(_LENGTH.pack(len(p)) + p for p in parts)
    return np.asarray(values, dtype=DTYPES[datatype]).tobytes()
