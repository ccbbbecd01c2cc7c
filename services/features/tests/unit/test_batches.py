"""Which row of a batch reaches the online store, and which batches are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest
from driftline.spec import ProjectSpec
from driftline_features.domain.batches import check_columns, latest_per_entity
from driftline_features.domain.errors import BatchRejectedError

T1, T2, T3 = (datetime(2026, 11, 1, h, tzinfo=UTC) for h in (1, 2, 3))


def batch(rows: list[tuple[str, datetime, datetime, float]]) -> pa.Table:
    keys, times, created, values = zip(*rows, strict=True)
    return pa.table({"k": list(keys), "t": list(times), "c": list(created), "v": list(values)})


def test_keeps_the_latest_row_of_each_entity_by_event_time() -> None:
    table = batch([("a", T2, T1, 2.0), ("a", T1, T3, 1.0), ("b", T1, T1, 9.0)])
    latest = latest_per_entity(table, "k", "t", "c")
    assert sorted(latest.to_pylist(), key=lambda r: r["k"]) == [
        {"k": "a", "t": T2, "c": T1, "v": 2.0},
        {"k": "b", "t": T1, "c": T1, "v": 9.0},
    ]


def test_breaks_event_time_ties_by_the_latest_created_time() -> None:
    table = batch([("a", T1, T2, 2.0), ("a", T1, T1, 1.0)])
    assert latest_per_entity(table, "k", "t", "c").column("v").to_pylist() == [2.0]


def test_refuses_a_batch_without_a_feature_column(spec: ProjectSpec) -> None:
    table = pa.table({"application_id": ["a"], "event_time": [T1]})
    with pytest.raises(BatchRejectedError, match=r"lacks column\(s\) \['income'"):
        check_columns(table, "loans", spec.dataset("loans"))


def test_refuses_a_batch_with_null_entity_keys(spec: ProjectSpec) -> None:
    ds = spec.dataset("loans")
    columns = {"application_id": [None], "event_time": [T1], **{f: [None] for f in ds.features}}
    with pytest.raises(BatchRejectedError, match="1 row\\(s\\) have a null application_id"):
        check_columns(pa.table(columns), "loans", ds)
