"""Reading uploads (JSON, CSV, Parquet) and the service's settings from the environment."""

from __future__ import annotations

import io
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from driftline_ingestion.adapters.bodies import (
    MalformedBatchError,
    UnsupportedMediaError,
    parse_body,
)
from driftline_ingestion.config import IngestionSettings
from driftline_ingestion.domain.lineage import hash_batch_id


def test_a_json_batch_without_an_id_is_named_by_its_canonical_content() -> None:
    one = parse_body(b'{"records": [{"b": 1, "a": 2}]}', "application/json", "records")
    other = parse_body(
        b'{ "records" : [ {"a":2,"b":1} ] }', "application/json; charset=utf-8", "records"
    )
    assert one.content_id == other.content_id == hash_batch_id(b'[{"a":2,"b":1}]')
    assert one.rows == [{"b": 1, "a": 2}]


def test_csv_is_read_as_text_with_empty_cells_as_null() -> None:
    parsed = parse_body(b"a,b\n1,\nx,2\n", "text/csv", "records")
    assert parsed.table is not None
    assert parsed.table.to_pylist() == [{"a": "1", "b": None}, {"a": "x", "b": "2"}]
    assert parsed.content_id == hash_batch_id(b"a,b\n1,\nx,2\n")


def test_parquet_keeps_its_types() -> None:
    sink = io.BytesIO()
    pq.write_table(pa.table({"a": [1, 2]}), sink)
    parsed = parse_body(sink.getvalue(), "application/x-parquet", "records")
    assert parsed.table is not None
    assert parsed.table.schema.field("a").type == pa.int64()


@pytest.mark.parametrize(
    ("body", "kind", "msg"),
    [
        (b"", "application/json", "the request body is empty"),
        (b"[1]", "application/json", 'expected an object {"records": [...]}'),
        (b'{"records": [], "batch_id": 7}', "application/json", "batch_id must be a string"),
        (b"a,b\n1,2,3\n", "text/csv", "unreadable CSV"),
        (b"PAR1 but not really", "application/vnd.apache.parquet", "unreadable Parquet"),
    ],
)
def test_unreadable_bodies_say_why(body: bytes, kind: str, msg: str) -> None:
    with pytest.raises(MalformedBatchError, match=re.escape(msg)) as caught:
        parse_body(body, kind, "records")
    assert caught.value.details[0]["loc"][0] == "body"


def test_other_media_types_are_refused() -> None:
    with pytest.raises(UnsupportedMediaError, match="unsupported content type 'text/plain'"):
        parse_body(b"x", "text/plain", "records")


def test_settings_come_from_the_service_and_the_shared_prefixes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRIFTLINE_INGESTION_PORT", "9101")
    monkeypatch.setenv("DRIFTLINE_INGESTION_MAX_ROWS_PER_BATCH", "10")
    monkeypatch.setenv("DRIFTLINE_OFFLINE_STORE_URL", "s3://bucket/offline")
    settings = IngestionSettings()
    assert (settings.port, settings.max_rows_per_batch) == (9101, 10)
    assert settings.common.offline_store_url == "s3://bucket/offline"
    assert IngestionSettings.model_fields["port"].default == 8001
