"""The HTTP API in process (TestClient), on a real local offline store and a fake publisher."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from driftline.bus.memory import FakePublisher
from driftline.codec import EventCodec
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec
from driftline_ingestion.adapters.record_decoder import SerdeRecordDecoder
from driftline_ingestion.bootstrap import bootstrap
from driftline_ingestion.config import IngestionSettings
from fastapi.testclient import TestClient

from ..conftest import NOW, record

TOKENS = "op-token:operator,view-token:viewer"
OPERATOR = {"Authorization": "Bearer op-token"}


@pytest.fixture
def client(tmp_path: Path, spec: ProjectSpec, codec: EventCodec,
           publisher: FakePublisher) -> Iterator[TestClient]:  # fmt: skip
    common = DriftlineSettings(offline_store_url=str(tmp_path / "offline"), api_tokens=TOKENS,
                               max_request_bytes=64 * 1024)  # fmt: skip
    settings = IngestionSettings(common=common, max_rows_per_batch=100, consume=False)
    app = bootstrap(settings, spec=spec, publisher=publisher,
                    decoder=SerdeRecordDecoder(spec, codec.serde), clock=lambda: NOW)  # fmt: skip
    with TestClient(app.api) as test_client:
        yield test_client


def post(client: TestClient, body: Any, path: str = "/datasets/loans/records", **kw: Any) -> Any:
    headers = {**OPERATOR, "content-type": "application/json", **kw.pop("headers", {})}
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post(path, content=data, headers=headers, **kw)


def test_a_json_batch_is_stored_and_answered_with_its_counts(client: TestClient) -> None:
    response = post(client, {"batch_id": "b-1", "records": [record(0), record(1, income=-3)]},
                    headers={"x-correlation-id": "corr-7"})  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("batch_id", "accepted", "rejected", "duplicate")} == {
        "batch_id": "b-1", "accepted": 1, "rejected": 1, "duplicate": False,
    }  # fmt: skip
    assert body["storage_path"].endswith("/loans/records/date=2026-11-20/b-1.parquet")
    assert pq.read_table(body["storage_path"]).num_rows == 1
    assert len(body["event_ids"]) == 2
    manifest = client.get("/datasets/loans/batches/b-1").json()
    assert manifest["correlation_id"] == "corr-7"
    assert manifest["events_published"] is True


def test_posting_the_same_batch_twice_stores_it_once(
    client: TestClient, publisher: FakePublisher
) -> None:
    batch = {"records": [record(i) for i in range(5)]}  # no batch_id: the content hash names it
    first, again = post(client, batch).json(), post(client, batch).json()
    assert first["batch_id"].startswith("sha256-")
    assert again == first | {"duplicate": True}
    assert len(publisher.published) == 1


def test_csv_and_parquet_uploads_are_read(client: TestClient) -> None:
    csv_body = b"application_id,event_time,income,credit_score,region,has_mortgage\n" \
        b"a-1,2026-11-21T10:00:00Z,1000,700,east,true\na-2,2026-11-21T10:00:00Z,x,700,east,false\n"  # fmt: skip
    response = post(client, csv_body, headers={"content-type": "text/csv", "x-batch-id": "csv-1"})
    assert (response.status_code, response.json()["accepted"], response.json()["rejected"]) == (
        200,
        1,
        1,
    )
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist([record(3)]), sink)
    response = post(
        client, sink.getvalue(), headers={"content-type": "application/vnd.apache.parquet"}
    )
    assert (response.status_code, response.json()["accepted"]) == (200, 1)


def test_labels_are_posted_to_their_own_route(client: TestClient) -> None:
    response = post(client, {"batch_id": "l-1", "labels": [{"prediction_id": "p-1", "defaulted": 1}]},
                    path="/datasets/loans/labels")  # fmt: skip
    assert (response.status_code, response.json()["accepted"]) == (200, 1)
    assert client.get("/datasets/loans/label-batches/l-1").json()["kind"] == "labels"
    refused = post(client, {"labels": [{"user_id": "u"}]}, path="/datasets/clicks/labels")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == "dataset 'clicks' declares no label"


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        (b"{not json", "invalid JSON"),
        ({"rows": []}, "expected a list of records"),
        ({"records": []}, "the batch holds no records"),
        ({"records": [{}], "extra": 1}, "unexpected member(s): extra"),
        ({"records": [{}], "batch_id": "../etc"}, "batch_id '../etc' must be"),
    ],
)
def test_a_malformed_body_gets_422_with_details(client: TestClient, body: Any, msg: str) -> None:
    response = post(client, body)
    assert response.status_code == 422
    assert msg in response.json()["detail"][0]["msg"]


def test_limits_unknown_datasets_and_media_types_are_refused(client: TestClient) -> None:
    assert post(client, {"records": [record(0)]}, path="/datasets/nope/records").status_code == 404
    too_many = post(client, {"records": [record(i) for i in range(101)]})
    assert (too_many.status_code, too_many.json()["detail"]) == (
        413, "the batch holds 101 rows; at most 100 are accepted",
    )  # fmt: skip
    assert post(client, b"x" * 70_000).status_code == 413
    assert post(client, b"a", headers={"content-type": "text/plain"}).status_code == 415
    assert client.get("/datasets/loans/batches/unknown").status_code == 404


def test_writing_needs_an_operator_token(client: TestClient) -> None:
    data = orjson.dumps({"records": [record(0)]})
    assert client.post("/datasets/loans/records", content=data).status_code == 401
    viewer = {"Authorization": "Bearer view-token"}
    assert client.post("/datasets/loans/records", content=data, headers=viewer).status_code == 403


def test_lists_the_datasets_of_the_spec_and_documents_the_routes(client: TestClient) -> None:
    datasets = client.get("/datasets").json()
    assert [d["name"] for d in datasets] == ["clicks", "loans"]
    assert datasets[1]["records_topic"] == "driftline.records.loans"
    openapi = client.get("/openapi.json").json()
    content = openapi["paths"]["/datasets/{dataset}/records"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", "text/csv", "application/vnd.apache.parquet"}


def test_health_and_metrics_are_served(client: TestClient) -> None:
    post(client, {"records": [record(0)]})
    assert client.get("/healthz").json()["status"] == "ok"
    assert "driftline_ingestion_records_total" in client.get("/metrics").text


def test_a_store_outage_is_503_and_keeps_nothing(client: TestClient, tmp_path: Path) -> None:
    (tmp_path / "offline").mkdir(exist_ok=True)
    (tmp_path / "offline" / "loans").write_text("a file where the dataset folder should be")
    response = post(client, {"batch_id": "b-9", "records": [record(0)]})
    assert response.status_code == 503
    assert response.json()["detail"].startswith("offline store unavailable")
