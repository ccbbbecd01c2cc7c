"""A batch as received, column by column, before validation.

Two shapes arrive: rows of JSON objects (HTTP JSON bodies, Kafka messages) and
Arrow tables (CSV and Parquet uploads). Both become a `RawBatch`: one Arrow
array per field when the values agree on a type (the fast path), else the plain
Python values (coerced one by one, so each bad value gets its own reason).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import orjson
import pyarrow as pa  # type: ignore[import-untyped]

from driftline_ingestion.domain.issues import Issue

__all__ = ["Column", "RawBatch"]

Column: TypeAlias = Any
"""One field's values: an Arrow array (one type) or a list of Python values (mixed types)."""
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError)


@dataclass(frozen=True)
class RawBatch:
    """Rows as received. `positions` maps row i to its index in the original input."""

    n_rows: int
    columns: dict[str, Column]
    raw_row: Callable[[int], str]
    value: Callable[[int, str], Any]
    row_issues: list[Issue] = field(default_factory=list)
    positions: Sequence[int] | None = None

    def column(self, name: str) -> Column:
        """The values of `name`, all null when no row carries it."""
        found = self.columns.get(name)
        return pa.nulls(self.n_rows) if found is None else found

    def position(self, row: int) -> int:
        return row if self.positions is None else int(self.positions[row])

    @classmethod
    def from_rows(
        cls, rows: list[Any], known: frozenset[str], *, reject_unknown: bool = True,
        positions: Sequence[int] | None = None,
    ) -> RawBatch:  # fmt: skip
        """From decoded JSON values; each should be an object with the `known` fields."""
        n = len(rows)

        def raw_row(i: int) -> str:
            return orjson.dumps(rows[i], default=str).decode()

        def value(i: int, name: str) -> Any:
            row = rows[i]
            return row.get(name) if type(row) is dict else None

        try:  # fast path: every row an object and every field of one type
            struct = pa.array(rows)
            if not pa.types.is_struct(struct.type):
                raise pa.ArrowTypeError("rows are not objects")
        except _ARROW_ERRORS:
            return cls._from_mixed_rows(rows, known, reject_unknown, raw_row, value, positions)
        columns: dict[str, Column] = {
            struct.type.field(i).name: struct.field(i) for i in range(struct.type.num_fields)
        }
        for name, array in columns.items():
            # Arrow reads true/false as 1.0/0.0 after a float: keep those values for checking.
            if pa.types.is_floating(array.type) and any(type(r.get(name)) is bool for r in rows):
                columns[name] = [r.get(name) for r in rows]
        issues: list[Issue] = []
        unknown = sorted(set(columns) - known)
        if unknown and reject_unknown:
            mask = np.zeros(n, dtype=bool)
            for name in unknown:
                mask |= columns[name].is_valid().to_numpy(zero_copy_only=False)
            issues.append(Issue(None, mask, _unknown_reason(rows, known)))
        kept = {k: v for k, v in columns.items() if k in known}
        return cls(n, kept, raw_row, value, issues, positions)

    @classmethod
    def _from_mixed_rows(
        cls, rows: list[Any], known: frozenset[str], reject_unknown: bool,
        raw_row: Callable[[int], str], value: Callable[[int, str], Any],
        positions: Sequence[int] | None,
    ) -> RawBatch:  # fmt: skip
        n = len(rows)
        objects = np.fromiter((type(r) is dict for r in rows), dtype=bool, count=n)
        issues = (
            [] if objects.all() else [Issue(None, ~objects, "is not a JSON object", exclusive=True)]
        )
        dicts = [r if type(r) is dict else {} for r in rows]
        if reject_unknown:
            unknown = np.fromiter((not r.keys() <= known for r in dicts), dtype=bool, count=n)
            if unknown.any():
                issues.append(Issue(None, unknown, _unknown_reason(rows, known)))
        present = set().union(*(r.keys() for r in dicts)) & known if dicts else set()
        columns: dict[str, Column] = {}
        for name in present:
            values = [r.get(name) for r in dicts]
            try:
                columns[name] = pa.array(values)
            except _ARROW_ERRORS:
                columns[name] = values  # mixed types: coerced value by value
        return cls(n, columns, raw_row, value, issues, positions)

    @classmethod
    def from_table(
        cls, table: pa.Table, known: frozenset[str], *, reject_unknown: bool = True
    ) -> RawBatch:
        """From an uploaded table (CSV read as text, or Parquet with its own types)."""
        n = table.num_rows
        columns: dict[str, Column] = {
            name: table.column(name).combine_chunks() for name in table.column_names
        }

        def value(i: int, name: str) -> Any:
            col = columns.get(name)
            return None if col is None or isinstance(col, list) else col[i].as_py()

        def raw_row(i: int) -> str:
            return orjson.dumps(table.slice(i, 1).to_pylist()[0], default=str).decode()

        issues: list[Issue] = []
        unknown = sorted(set(columns) - known)
        if unknown and reject_unknown:
            mask = np.ones(n, dtype=bool)
            issues.append(Issue(None, mask, f"has unknown field(s): {', '.join(unknown)}"))
        kept = {k: v for k, v in columns.items() if k in known}
        return cls(n, kept, raw_row, value, issues)


def _unknown_reason(rows: list[Any], known: frozenset[str]) -> Callable[[int], str]:
    def reason(i: int) -> str:
        extra = sorted(set(rows[i]) - known) if type(rows[i]) is dict else []
        return f"has unknown field(s): {', '.join(extra)}"

    return reason
