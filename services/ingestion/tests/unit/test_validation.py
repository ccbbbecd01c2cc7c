"""Validation against the spec: every bad value is found, named and explained."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest
from driftline.spec import ProjectSpec
from driftline_ingestion.domain.raw import RawBatch
from driftline_ingestion.domain.schema import DatasetLayout
from driftline_ingestion.domain.validation import (
    Validated,
    ValidationPolicy,
    validate_labels,
    validate_records,
)

from ..conftest import NOW, record


@pytest.fixture
def layout(spec: ProjectSpec) -> DatasetLayout:
    return DatasetLayout("loans", spec.datasets["loans"])


def check(rows: list[Any], layout: DatasetLayout, **policy: Any) -> Validated:
    raw = RawBatch.from_rows(rows, layout.record_fields,
                             reject_unknown=policy.pop("reject_unknown", True))  # fmt: skip
    return validate_records(raw, layout, ValidationPolicy(**policy), NOW)


def test_accepts_clean_records_in_the_stored_column_order(layout: DatasetLayout) -> None:
    result = check([record(0), record(1)], layout)
    assert result.rejected == []
    assert result.accepted.schema == layout.content_schema()
    assert result.accepted.column("application_id").to_pylist() == ["app-0", "app-1"]
    assert result.accepted.column("event_time")[0].as_py() == datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"income": "lots"}, "income", 'income: expected a number (got "lots")'),
        ({"income": True}, "income", "income: expected a number (got true)"),
        ({"income": -1}, "income", "income: is below the minimum 0 (got -1)"),
        ({"credit_score": 900}, "credit_score", "credit_score: is above the maximum 850 (got 900)"),
        ({"credit_score": 700.5}, "credit_score", "credit_score: expected a whole number (got 700.5)"),
        ({"region": "mars"}, "region", 'region: is not one of north, south, east, west (got "mars")'),
        ({"region": 3}, "region", "region: expected text (got 3)"),
        ({"has_mortgage": "maybe"}, "has_mortgage", 'has_mortgage: expected true or false (got "maybe")'),
        ({"credit_score": None}, "credit_score", "credit_score: is required"),
        ({"credit_score": ...}, "credit_score", "credit_score: is required"),
        ({"application_id": ""}, "application_id", 'application_id: is empty (got "")'),
        ({"application_id": [1]}, "application_id", "application_id: expected text or a whole number (got [1])"),
        ({"event_time": "yesterday"}, "event_time",
         'event_time: expected an ISO-8601 time or epoch milliseconds (got "yesterday")'),
        ({"event_time": "1999-12-31T23:59:59Z"}, "event_time",
         'event_time: is before 2000-01-01T00:00:00+00:00, the earliest accepted event time (got "1999-12-31T23:59:59Z")'),
        ({"event_time": "2026-11-25T00:00:00Z"}, "event_time",
         'event_time: lies more than 1 day, 0:00:00 in the future (got "2026-11-25T00:00:00Z")'),
        ({"surprise": 1}, None, "has unknown field(s): surprise"),
    ],
)  # fmt: skip
def test_rejects_a_bad_value_naming_the_field_and_the_reason(
    layout: DatasetLayout, changes: dict[str, Any], field: str | None, reason: str
) -> None:
    result = check([record(0), record(1, **changes), record(2)], layout)
    assert result.accepted.column("application_id").to_pylist() == ["app-0", "app-2"]
    [rejected] = result.rejected
    assert (rejected.row_index, rejected.field, rejected.reason) == (1, field, reason)


def test_keeps_the_row_as_received_with_its_rejection(layout: DatasetLayout) -> None:
    bad = record(1, credit_score=10)
    [rejected] = check([bad], layout).rejected
    assert rejected.raw == '{"application_id":"app-1","event_time":"2026-11-21T10:00:01Z",' \
        '"income":52001.5,"credit_score":10,"region":"north","has_mortgage":false,' \
        '"note":null,"defaulted":1}'  # fmt: skip


def test_gives_every_reason_of_a_row_and_blames_the_first_field(layout: DatasetLayout) -> None:
    [rejected] = check([record(1, credit_score=10, region="up")], layout).rejected
    assert rejected.field == "credit_score"
    assert rejected.reason == (
        "credit_score: is below the minimum 300 (got 10); "
        'region: is not one of north, south, east, west (got "up")'
    )


def test_a_row_that_is_not_an_object_is_rejected_for_that_alone(layout: DatasetLayout) -> None:
    result = check([record(0), [1, 2], "text"], layout)
    assert [(r.row_index, r.field, r.reason) for r in result.rejected] == [
        (1, None, "is not a JSON object"), (2, None, "is not a JSON object"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-21T10:00:00Z", datetime(2026, 11, 21, 10, tzinfo=UTC)),
        ("2026-11-21T12:00:00+02:00", datetime(2026, 11, 21, 10, tzinfo=UTC)),
        ("2026-11-21T10:00:00.123456+00:00", datetime(2026, 11, 21, 10, 0, 0, 123000, tzinfo=UTC)),
        ("2026-11-21 10:00:00", datetime(2026, 11, 21, 10, tzinfo=UTC)),
        ("2026-11-21", datetime(2026, 11, 21, tzinfo=UTC)),
        (1795255200000, datetime(2026, 11, 21, 10, tzinfo=UTC)),
        ("1795255200000", datetime(2026, 11, 21, 10, tzinfo=UTC)),
    ],
)
def test_reads_iso8601_times_and_epoch_milliseconds_as_utc(
    layout: DatasetLayout, value: Any, expected: datetime
) -> None:
    # Alone (one vectorised conversion) and beside a bad value (the mixed path) alike.
    for rows in (
        [record(1, event_time=value)],
        [record(1, event_time=value), record(2, event_time="x")],
    ):
        result = check(rows, layout)
        assert result.accepted.column("event_time")[0].as_py() == expected


def test_the_vectorised_and_value_by_value_paths_agree(layout: DatasetLayout) -> None:
    rows = [record(i) for i in range(20)]
    clean = check(rows, layout)
    mixed = check([*rows, record(99, income="n/a", credit_score="x", has_mortgage=2)], layout)
    assert mixed.accepted.equals(clean.accepted)
    assert len(mixed.rejected) == 1


def test_reads_text_values_as_csv_delivers_them(layout: DatasetLayout) -> None:
    table = pa.table({
        "application_id": ["a", "b"], "event_time": ["2026-11-21T10:00:00Z", "2026-11-21"],
        "income": ["10.5", "oops"], "credit_score": ["700", "701"], "region": ["east", "west"],
        "has_mortgage": ["true", "0"], "note": [None, "hi"], "defaulted": ["1", None],
    })  # fmt: skip
    raw = RawBatch.from_table(table, layout.record_fields)
    result = validate_records(raw, layout, ValidationPolicy(), NOW)
    assert result.accepted.to_pylist()[0] | {"event_time": None} == {
        "application_id": "a", "event_time": None, "income": 10.5, "credit_score": 700,
        "region": "east", "has_mortgage": True, "note": None, "defaulted": 1,
    }  # fmt: skip
    assert [r.reason for r in result.rejected] == ['income: expected a number (got "oops")']


def test_reads_typed_parquet_columns(layout: DatasetLayout) -> None:
    table = pa.table({
        "application_id": pa.array([7, 8]),  # integer keys become text
        "event_time": pa.array([datetime(2026, 11, 21, 10), None], pa.timestamp("us")),
        "income": pa.array([1, 2], pa.int32()), "credit_score": pa.array([700.0, 701.0]),
        "region": pa.array(["east", "west"]).dictionary_encode(),
        "has_mortgage": [True, False], "note": pa.nulls(2, pa.string()), "defaulted": [1, 0],
    })  # fmt: skip
    result = validate_records(RawBatch.from_table(table, layout.record_fields), layout,
                              ValidationPolicy(), NOW)  # fmt: skip
    assert result.accepted.column("application_id").to_pylist() == ["7"]
    assert result.accepted.column("credit_score").to_pylist() == [700]
    assert [r.reason for r in result.rejected] == ["event_time: is required"]


def test_unknown_fields_can_be_ignored_instead(layout: DatasetLayout) -> None:
    result = check([record(0, surprise=1)], layout, reject_unknown=False)
    assert result.rejected == []
    assert "surprise" not in result.accepted.column_names


def test_the_accepted_time_window_is_a_setting(layout: DatasetLayout) -> None:
    old = record(0, event_time="1990-01-01T00:00:00Z")
    policy = {"min_event_time": datetime(1980, 1, 1, tzinfo=UTC), "max_future": timedelta(0)}
    assert check([old], layout, **policy).rejected == []


def test_labels_join_by_prediction_id_or_by_entity_key_and_time(layout: DatasetLayout) -> None:
    rows = [
        {"prediction_id": "p-1", "defaulted": 1},
        {"application_id": "app-1", "event_time": "2026-11-21T10:00:00Z", "defaulted": 0},
        {"application_id": "app-2", "defaulted": 0},
        {"prediction_id": "", "defaulted": 0},
        {"prediction_id": "p-3"},
    ]
    raw = RawBatch.from_rows(rows, layout.label_fields)
    result = validate_labels(raw, layout, ValidationPolicy(), NOW)
    assert result.accepted.schema == layout.labels_content_schema()
    assert result.accepted.column("defaulted").to_pylist() == [1, 0]
    join = "needs a prediction_id, or both application_id and event_time"
    assert [(r.row_index, r.reason) for r in result.rejected] == [
        (2, join), (3, join), (4, "defaulted: is required"),
    ]  # fmt: skip
