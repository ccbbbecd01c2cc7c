"""The vectorised encoder writes byte for byte what Feast's own ValueProto serialisation writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest
from driftline_features.adapters.encoding import encode_column, feast_epoch_seconds
from feast.infra.online_stores.helpers import extract_text_and_num
from feast.type_map import python_values_to_proto_values
from feast.value_type import ValueType

CASES = [
    ("float", [1.5, None, 0.0, -3.25, 1e300, float("nan"), 123456.789], ValueType.DOUBLE),
    ("int", [1, -5, None, 0, 300, 2**62, -(2**63)], ValueType.INT64),
    ("bool", [True, False, None, True], ValueType.BOOL),
    ("category", ["north", "south", None, "north"], ValueType.STRING),
    ("string", ["", "é ünïcode", None, "x" * 300], ValueType.STRING),
]


@pytest.mark.parametrize(("kind", "values", "value_type"), CASES, ids=[c[0] for c in CASES])
def test_encodes_each_value_as_feast_serialises_it(
    kind: str, values: list[object], value_type: ValueType
) -> None:
    blobs, texts = encode_column(pa.array(values), kind)
    protos = python_values_to_proto_values(values, value_type)
    assert blobs == [p.SerializeToString() for p in protos]
    assert texts == [extract_text_and_num(p, False)[0] for p in protos]


def test_encodes_a_column_that_is_entirely_null_as_feast_nulls() -> None:
    blobs, texts = encode_column(pa.array([None, None], pa.int64()), "int")
    assert blobs == [b"", b""]
    assert texts == [None, None]


def test_keeps_event_times_in_whole_seconds_as_feast_does() -> None:
    times = [datetime(2026, 11, 1, 10, 0, 0, 999000, tzinfo=UTC), datetime(1999, 1, 1, tzinfo=UTC)]
    stored = feast_epoch_seconds(pa.array(times, pa.timestamp("ms", tz="UTC"))).tolist()
    naive = [int(t.replace(tzinfo=None).timestamp()) for t in times]  # Feast's own conversion
    assert stored == naive
