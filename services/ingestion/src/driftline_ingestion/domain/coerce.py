"""Turn a raw column into its spec type, flagging every value that cannot be.

Each converter first tries one vectorised Arrow conversion (clean data pays
nothing per value); when that fails it converts value by value in Python, so
every bad value is found and named. Text forms are accepted for numbers, flags
and times ("1.5", "true", "1700000000000"), as CSV delivers them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from driftline_ingestion.domain.issues import Issue, Mask
from driftline_ingestion.domain.raw import Column
from driftline_ingestion.domain.schema import TIMESTAMP

__all__ = ["Coerced", "coerce", "valid_mask"]

Coerced = tuple[pa.Array, list[Issue]]
_BAD = object()
_INT64 = (-(2**63), 2**63 - 1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError)


def valid_mask(array: pa.Array) -> Mask:
    return np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _to_float(v: Any) -> Any:
    if type(v) is bool:
        return _BAD
    try:
        return float(v) if isinstance(v, int | float | str) else _BAD
    except (ValueError, OverflowError):
        return _BAD


def _to_int(v: Any) -> Any:
    if type(v) is bool or not isinstance(v, int | float | str):
        return _BAD
    if isinstance(v, str):
        try:
            return _to_int(int(v))
        except ValueError:
            return _to_int(_to_float(v)) if _to_float(v) is not _BAD else _BAD
    if isinstance(v, float) and not (math.isfinite(v) and v.is_integer()):
        return _BAD
    return int(v) if _INT64[0] <= v <= _INT64[1] else _BAD


def _to_bool(v: Any) -> Any:
    if type(v) is bool:
        return v
    if isinstance(v, str):
        return {"true": True, "1": True, "false": False, "0": False}.get(v.strip().lower(), _BAD)
    return _BAD


def _to_text(v: Any) -> Any:
    return v if isinstance(v, str) else _BAD


def _to_key(v: Any) -> Any:
    if isinstance(v, str):
        return v
    return str(v) if isinstance(v, int) and type(v) is not bool else _BAD


def _to_millis(v: Any) -> Any:
    if isinstance(v, datetime):
        return ((v if v.tzinfo else v.replace(tzinfo=UTC)) - _EPOCH) // _MS
    if isinstance(v, str):
        text = v.strip()
        if text.isdigit():
            return _to_int(text)
        try:
            return _to_millis(datetime.fromisoformat(text))
        except ValueError:
            return _BAD
    return _to_int(v)


def _slow(field: str, values: list[Any], convert: Callable[[Any], Any], to: pa.DataType,
          reason: str) -> Coerced:  # fmt: skip
    out: list[Any] = []
    bad = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values):
        c = None if v is None else convert(v)
        if c is _BAD:
            bad[i] = True
            c = None
        out.append(c)
    array = pa.array(out, type=pa.int64() if to == TIMESTAMP else to)
    return array.cast(to), ([Issue(field, bad, reason)] if bad.any() else [])


def _py(values: Column) -> list[Any]:
    return values if isinstance(values, list) else values.to_pylist()


def _fast(values: Column, kind: str) -> pa.Array | None:
    """One vectorised conversion of clean input, or None when value-by-value is needed."""
    if isinstance(values, list):
        return None
    t = values.type
    if pa.types.is_null(t):
        return pa.nulls(len(values), _TARGET[kind])
    if pa.types.is_dictionary(t):
        values, t = values.dictionary_decode(), t.value_type
    text = pa.types.is_string(t) or pa.types.is_large_string(t)
    numeric = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
    try:
        if kind == "float" and (numeric or text):
            return values.cast(pa.float64())
        if kind == "int" and (pa.types.is_integer(t) or text):
            return values.cast(pa.int64())
        if kind == "int" and pa.types.is_floating(t):
            return _integral(values)
        if kind == "bool" and (pa.types.is_boolean(t) or text):
            return values.cast(pa.bool_())
        if kind in ("category", "string") and text:
            return values.cast(pa.string())
        if kind == "key" and (text or pa.types.is_integer(t)):
            return values.cast(pa.string())
        if kind == "time":
            return _fast_time(values, t, text)
    except _ERRORS:
        return None
    return None


def _integral(values: pa.Array) -> pa.Array | None:
    finite = pc.fill_null(pc.is_finite(values), True)
    whole = pc.fill_null(pc.equal(pc.floor(values), values), True)
    if not pc.all(pc.and_(finite, whole)).as_py():
        return None
    return values.cast(pa.int64())


def _fast_time(values: pa.Array, t: pa.DataType, text: bool) -> pa.Array | None:
    if pa.types.is_timestamp(t):
        return (values if t.tz else pc.assume_timezone(values, "UTC")).cast(TIMESTAMP, safe=False)
    if pa.types.is_date(t):
        return values.cast(pa.timestamp("ms")).cast(TIMESTAMP)
    if pa.types.is_integer(t):
        return values.cast(pa.int64()).cast(TIMESTAMP)
    if text:
        try:  # ISO-8601 with a zone offset
            return values.cast(pa.timestamp("ns", "UTC")).cast(TIMESTAMP, safe=False)
        except _ERRORS:  # without one: taken as UTC
            return pc.assume_timezone(values.cast(pa.timestamp("ns")), "UTC").cast(
                TIMESTAMP, safe=False
            )
    return None


_TARGET: dict[str, pa.DataType] = {
    "float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "category": pa.string(),
    "string": pa.string(), "key": pa.string(), "time": TIMESTAMP,
}  # fmt: skip
_SLOW: dict[str, tuple[Callable[[Any], Any], str]] = {
    "float": (_to_float, "expected a number"),
    "int": (_to_int, "expected a whole number"),
    "bool": (_to_bool, "expected true or false"),
    "category": (_to_text, "expected text"),
    "string": (_to_text, "expected text"),
    "key": (_to_key, "expected text or a whole number"),
    "time": (_to_millis, "expected an ISO-8601 time or epoch milliseconds"),
}


def coerce(field: str, values: Column, kind: str) -> Coerced:
    """`values` as the Arrow type of `kind` (a spec type, "key" or "time"), and what failed."""
    fast = _fast(values, kind)
    if fast is not None:
        return fast, []
    if kind == "time":
        split = _split_times(field, values)
        if split is not None:
            return split
    convert, reason = _SLOW[kind]
    return _slow(field, _py(values), convert, _TARGET[kind], reason)


_ISO = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?"
_TEXT_TIMES: tuple[tuple[str, Callable[[Any], Any]], ...] = (  # pattern, vectorised reader
    (_ISO + r"(Z|[+-]\d{2}:?\d{2})$", lambda a: a.cast(pa.timestamp("ns", "UTC"))),
    (_ISO + "$", lambda a: pc.assume_timezone(a.cast(pa.timestamp("ns")), "UTC")),
    (r"^\d{1,15}$", lambda a: a.cast(pa.int64()).cast(TIMESTAMP)),
)


def _split_times(field: str, values: Column) -> Coerced | None:
    """Times with a few bad values: parse the well-shaped text vectorised, the rest one by one.

    Parsing ISO-8601 in Python costs microseconds a value; a single bad value
    must not send a whole column down that road. None: fall back to value by value.
    """
    items = _py(values) if isinstance(values, list) else None
    if items is not None:
        texts = pa.array([v if type(v) is str else None for v in items], pa.string())
    elif pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        texts = values.cast(pa.string())
    else:
        return None
    result = pa.nulls(len(texts), TIMESTAMP)
    handled = np.zeros(len(texts), dtype=bool)
    try:
        for pattern, read in _TEXT_TIMES:
            match = pc.fill_null(pc.match_substring_regex(texts, pattern), False)
            if pc.any(match).as_py():
                parsed = read(pc.if_else(match, texts, None)).cast(TIMESTAMP, safe=False)
                result = pc.if_else(match, parsed, result)
                handled |= np.asarray(match.to_numpy(zero_copy_only=False), dtype=bool)
    except _ERRORS:
        return None  # a well-shaped but impossible value (month 13): value by value
    rest = np.flatnonzero(~handled).tolist()
    plain = items if items is not None else None
    leftovers = [plain[i] if plain is not None else texts[i].as_py() for i in rest]
    converted, problems = _slow(field, leftovers, _to_millis, TIMESTAMP, _SLOW["time"][1])
    bad = np.zeros(len(texts), dtype=bool)
    if problems:
        bad[np.asarray(rest)[problems[0].mask]] = True
    mask = np.zeros(len(texts), dtype=bool)
    mask[rest] = True
    merged = pc.replace_with_mask(result, pa.array(mask), converted) if rest else result
    return merged, ([Issue(field, bad, _SLOW["time"][1])] if bad.any() else [])
