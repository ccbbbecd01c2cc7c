"""Validate a raw batch against its dataset's spec: types, nulls, bounds, categories, times.

Every check is one vectorised pass over a column; a row is rejected when any
check fails, with every reason it failed (the first field to blame is named
apart). Accepted rows come out as an Arrow table in the stored column order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from driftline.spec import FeatureSpec

from driftline_ingestion.domain.coerce import coerce, valid_mask
from driftline_ingestion.domain.issues import Issue, Mask, RejectedRow
from driftline_ingestion.domain.raw import RawBatch
from driftline_ingestion.domain.schema import DatasetLayout

__all__ = ["Validated", "ValidationPolicy", "validate_labels", "validate_records"]


@dataclass(frozen=True, slots=True)
class ValidationPolicy:
    reject_unknown_fields: bool = True
    min_event_time: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    max_future: timedelta = timedelta(days=1)


@dataclass(frozen=True)
class Validated:
    """The accepted rows (stored columns, input order) and the rejected ones with reasons."""

    accepted: pa.Table
    rejected: list[RejectedRow]
    received: int


@dataclass
class _Checks:
    raw: RawBatch
    policy: ValidationPolicy
    now: datetime
    issues: list[Issue] = field(default_factory=list)
    flagged: dict[str, Mask] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.issues.extend(self.raw.row_issues)

    def flags(self, name: str) -> Mask:
        """Rows where `name` already failed a check."""
        return self.flagged.get(name, np.zeros(self.raw.n_rows, dtype=bool))

    def add(self, name: str | None, mask: Mask, reason: str, *, show: bool = True) -> None:
        if mask.any():
            self.issues.append(Issue(name, mask, reason, show_value=show))
            if name is not None:
                self.flagged[name] = self.flags(name) | mask

    def typed(self, name: str, kind: str, *, required: bool) -> pa.Array:
        array, problems = coerce(name, self.raw.column(name), kind)
        for problem in problems:
            self.add(name, problem.mask, str(problem.reason))
        if required:
            missing = ~valid_mask(array) & ~self.flags(name)
            self.add(name, missing, "is required", show=False)
        return array

    def where(self, name: str, condition: pa.Array, reason: str) -> None:
        """Flag the values where `condition` holds (null counts as fine), once per field."""
        mask = np.asarray(pc.fill_null(condition, False).to_numpy(zero_copy_only=False), dtype=bool)
        self.add(name, mask & ~self.flags(name), reason)

    def feature(self, name: str, spec: FeatureSpec) -> pa.Array:
        array = self.typed(name, spec.type, required=not spec.nullable)
        if spec.type == "float":
            self.where(name, pc.invert(pc.is_finite(array)), "is not a finite number")
        if spec.min is not None:
            self.where(name, pc.less(array, spec.min), f"is below the minimum {spec.min:g}")
        if spec.max is not None:
            self.where(name, pc.greater(array, spec.max), f"is above the maximum {spec.max:g}")
        if spec.categories:
            allowed = pa.array(spec.categories)
            self.where(name, pc.invert(pc.is_in(array, value_set=allowed)),
                       f"is not one of {', '.join(spec.categories)}")  # fmt: skip
        return array

    def key(self, name: str, *, required: bool) -> pa.Array:
        array = self.typed(name, "key", required=required)
        self.where(name, pc.equal(pc.utf8_length(array), 0), "is empty")
        return array

    def time(self, name: str, *, required: bool) -> pa.Array:
        array = self.typed(name, "time", required=required)
        earliest, latest = self.policy.min_event_time, self.now + self.policy.max_future
        self.where(
            name,
            pc.less(array, pa.scalar(earliest, array.type)),
            f"is before {earliest.isoformat()}, the earliest accepted event time",
        )
        self.where(name, pc.greater(array, pa.scalar(latest, array.type)),
                   f"lies more than {self.policy.max_future} in the future")  # fmt: skip
        return array

    def result(self, arrays: list[pa.Array], schema: pa.Schema) -> Validated:
        n = self.raw.n_rows
        by_row: dict[int, list[Issue]] = {}
        for issue in self.issues:
            for row in np.flatnonzero(issue.mask).tolist():
                by_row.setdefault(row, []).append(issue)
        rejected = []
        for i, found in sorted(by_row.items()):
            exclusive = [issue for issue in found if issue.exclusive]
            found = exclusive or found
            reason = "; ".join(issue.describe(i, self.raw.value) for issue in found)
            rejected.append(
                RejectedRow(self.raw.position(i), found[0].field, reason, self.raw.raw_row(i))
            )
        keep = np.ones(n, dtype=bool)
        keep[list(by_row)] = False
        table = pa.Table.from_arrays(arrays, schema=schema)
        return Validated(table if keep.all() else table.filter(keep), rejected, n)


def validate_records(
    raw: RawBatch, layout: DatasetLayout, policy: ValidationPolicy, now: datetime
) -> Validated:
    """Check every row of a records batch against the dataset's spec."""
    checks = _Checks(raw, policy, now)
    arrays = [checks.key(layout.key, required=True), checks.time(layout.time, required=True)]
    arrays += [checks.feature(name, spec) for name, spec in layout.spec.features.items()]
    if layout.label and layout.label_type:
        arrays.append(checks.typed(layout.label, layout.label_type, required=False))
    return checks.result(arrays, layout.content_schema())


def validate_labels(
    raw: RawBatch, layout: DatasetLayout, policy: ValidationPolicy, now: datetime
) -> Validated:
    """Check ground-truth rows: a valid label, joinable by prediction id or by key and time."""
    if layout.label is None or layout.label_type is None:
        raise ValueError(f"dataset {layout.name!r} declares no label")
    checks = _Checks(raw, policy, now)
    prediction = checks.typed("prediction_id", "string", required=False)
    key = checks.key(layout.key, required=False)
    time = checks.time(layout.time, required=False)
    label = checks.typed(layout.label, layout.label_type, required=True)
    by_id = pc.fill_null(pc.greater(pc.utf8_length(prediction), 0), False)
    by_key = pc.and_(key.is_valid(), time.is_valid())
    unjoinable = np.array(pc.invert(pc.or_(by_id, by_key)).to_numpy(zero_copy_only=False))
    for name in ("prediction_id", layout.key, layout.time):
        unjoinable &= ~checks.flags(name)
    checks.add(None, unjoinable, f"needs a prediction_id, or both {layout.key} and {layout.time}")
    return checks.result([prediction, key, time, label], layout.labels_content_schema())
