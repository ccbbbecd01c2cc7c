"""Uploaded batches to rows: JSON (orjson), CSV and Parquet (pyarrow).

A body that cannot be read as a batch at all raises `MalformedBatchError` with
details in FastAPI's shape (`loc`, `msg`, `type`), which the API turns into 422.
Readable bodies become a `RawBatch`; bad rows inside them are the validator's
business, not this module's.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from driftline_ingestion.domain.lineage import hash_batch_id

__all__ = [
    "CONTENT_TYPES",
    "MalformedBatchError",
    "ParsedBody",
    "UnsupportedMediaError",
    "parse_body",
]

JSON, CSV, PARQUET = "application/json", "text/csv", "application/vnd.apache.parquet"
CONTENT_TYPES = (JSON, CSV, PARQUET)
_ALIASES = {"application/x-parquet": PARQUET, "application/parquet": PARQUET}


class MalformedBatchError(ValueError):
    """The body is not a batch; `details` say where and why."""

    def __init__(self, message: str, loc: tuple[str | int, ...] = ("body",)) -> None:
        super().__init__(message)
        self.details = [{"loc": list(loc), "msg": message, "type": "malformed_batch"}]


class UnsupportedMediaError(ValueError):
    """A content type the API does not read."""


@dataclass(frozen=True)
class ParsedBody:
    """Rows (JSON) or a table (CSV, Parquet), the batch id the body names, its content id."""

    rows: list[Any] | None
    table: pa.Table | None
    batch_id: str | None
    content_id: str
    """The batch id to use when none is given: SHA-256 of the canonical content ("" unhashed)."""

    @property
    def n_rows(self) -> int:
        return len(self.rows) if self.rows is not None else self.table.num_rows if self.table else 0


def media_type(content_type: str | None) -> str:
    kind = (content_type or JSON).split(";", 1)[0].strip().lower()
    kind = _ALIASES.get(kind, kind)
    if kind.endswith("+json"):
        kind = JSON
    if kind not in CONTENT_TYPES:
        raise UnsupportedMediaError(
            f"unsupported content type {kind!r}; send one of {', '.join(CONTENT_TYPES)}"
        )
    return kind


def parse_body(body: bytes, content_type: str | None, items: str, *, hash_content: bool = True
               ) -> ParsedBody:  # fmt: skip
    """Read a batch whose JSON form is `{"batch_id": ..., <items>: [...]}`.

    `hash_content=False` (the caller has a batch id already) skips the content hash.
    """
    kind = media_type(content_type)
    if not body:
        raise MalformedBatchError("the request body is empty")
    if kind == JSON:
        return _json(body, items, hash_content)
    table = _csv(body) if kind == CSV else _parquet(body)
    return ParsedBody(None, table, None, hash_batch_id(body) if hash_content else "")


def _json(body: bytes, items: str, hash_content: bool) -> ParsedBody:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedBatchError(f"invalid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise MalformedBatchError(f'expected an object {{"{items}": [...]}}')
    rows = document.get(items)
    if not isinstance(rows, list):
        raise MalformedBatchError(f"expected a list of {items}", ("body", items))
    unknown = sorted(set(document) - {items, "batch_id"})
    if unknown:
        raise MalformedBatchError(
            f"unexpected member(s): {', '.join(unknown)}", ("body", unknown[0])
        )
    batch_id = document.get("batch_id")
    if batch_id is not None and not isinstance(batch_id, str):
        raise MalformedBatchError("batch_id must be a string", ("body", "batch_id"))
    if batch_id is not None or not hash_content:
        return ParsedBody(rows, None, batch_id, "")
    return ParsedBody(
        rows, None, None, hash_batch_id(orjson.dumps(rows, option=orjson.OPT_SORT_KEYS))
    )


def _csv(body: bytes) -> pa.Table:
    header = next(csv.reader(io.StringIO(body[:65536].decode("utf-8", errors="replace"))), None)
    if not header:
        raise MalformedBatchError("the CSV has no header row")
    # Everything is read as text: each value is then parsed with its own reason on failure.
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        strings_can_be_null=True, null_values=[""], quoted_strings_can_be_null=False,
    )  # fmt: skip
    try:
        return pacsv.read_csv(io.BytesIO(body), convert_options=options)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise MalformedBatchError(f"unreadable CSV: {exc}") from None


def _parquet(body: bytes) -> pa.Table:
    try:
        return pq.read_table(pa.BufferReader(body))
    except (pa.ArrowInvalid, OSError) as exc:
        raise MalformedBatchError(f"unreadable Parquet: {exc}") from None
