"""`python -m driftline_ingestion` as a real process: HTTP over a socket, a real broker, real files.

One process serves the whole module (its consumer group joins once). Its dataset
name is unique, so its raw-records topic is its own on the session's broker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest
import yaml
from confluent_kafka import Producer
from driftline.broker import free_port
from driftline.bus.records import RawRecord, header_dict
from driftline.codec import EventCodec
from driftline.events import DataIngested, Event, RecordsRejected
from driftline.settings import DriftlineSettings
from driftline.spec import parse_spec
from driftline.testing.kafka import read_topic

from ..conftest import SPEC, record

pytestmark = pytest.mark.integration


@dataclass
class Running:
    url: str
    dataset: str
    bootstrap: str
    offline: Path
    log: Path

    @property
    def topic(self) -> str:
        return f"driftline.records.{self.dataset}"


@pytest.fixture(scope="module")
def service(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("ingestion-process")
    dataset = f"loans_{uuid.uuid4().hex[:8]}"
    spec_path = folder / "driftline.yaml"
    spec_path.write_text(
        yaml.safe_dump(
            {"project": "it", "datasets": {dataset: SPEC["datasets"]["loans"]}}, sort_keys=False
        )
    )
    port = free_port()
    env = {
        **os.environ,
        "DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "DRIFTLINE_SPEC_PATH": str(spec_path),
        "DRIFTLINE_OFFLINE_STORE_URL": str(folder / "offline"),
        "DRIFTLINE_STATE_DIR": str(folder / "state"),
        "DRIFTLINE_MAX_REQUEST_BYTES": "300000",
        "DRIFTLINE_LOG_JSON": "true",
        "DRIFTLINE_INGESTION_PORT": str(port),
        "DRIFTLINE_INGESTION_CONSUMER_GROUP": f"ingestion-it-{uuid.uuid4().hex[:8]}",
        "DRIFTLINE_INGESTION_MICRO_BATCH_WAIT_MS": "100",
    }
    log = folder / "service.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "driftline_ingestion"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: call("GET", f"{url}/readyz")[0] == 200, 60,
                   lambda: f"not ready; log:\n{log.read_text()[-3000:]}")  # fmt: skip
        yield Running(url, dataset, kafka_bootstrap, folder / "offline", log)
    finally:
        process.terminate()
        process.wait(30)


def wait_until(condition: Callable[[], bool], timeout: float, why: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    pytest.fail(why(), pytrace=False)


def call(method: str, url: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:  # fmt: skip
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            status, found = response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        raw, status, found = error.read(), error.code, dict(error.headers)
    kind = found.get("content-type", "")
    return status, orjson.loads(raw) if "json" in kind else raw.decode(), found


def post_records(service: Running, rows: list[Any], **headers: str) -> tuple[int, Any]:
    body = orjson.dumps({"records": rows})
    status, answer, _ = call("POST", f"{service.url}/datasets/{service.dataset}/records", body,
                             {"content-type": "application/json", **headers})  # fmt: skip
    return status, answer


def events_of(service: Running, want: Callable[[list[tuple[Event, RawRecord]]], bool] | None = None,
              ) -> list[tuple[Event, RawRecord]]:  # fmt: skip
    """Our dataset's events on driftline.data (until `want` holds, else until quiet)."""
    codec = EventCodec.from_settings(DriftlineSettings())

    def decoded(records: list[RawRecord]) -> list[tuple[Event, RawRecord]]:
        out = [(codec.decode(r.value, r.headers).event, r) for r in records]
        return [(e, r) for e, r in out if getattr(e, "dataset", None) == service.dataset]

    records = read_topic(service.bootstrap, "driftline.data",
                         want=(lambda rs: want(decoded(rs))) if want else None)  # fmt: skip
    return decoded(records)


def test_a_batch_with_ten_percent_bad_rows_is_split_stored_and_announced(service: Running) -> None:
    rows = [record(i, credit_score=1) if i % 10 == 0 else record(i) for i in range(100)]
    status, answer = post_records(service, rows, **{"x-correlation-id": "it-corr-1"})
    assert status == 200, answer
    assert (answer["accepted"], answer["rejected"], answer["duplicate"]) == (90, 10, False)
    manifest = call(
        "GET", f"{service.url}/datasets/{service.dataset}/batches/{answer['batch_id']}"
    )[1]
    stored = sum(pq.read_table(path).num_rows for path in manifest["files"])
    assert stored == 90
    rejected = pq.read_table(manifest["rejected_files"][0])
    assert rejected.column("row_index").to_pylist() == list(range(0, 100, 10))
    assert set(rejected.column("reason").to_pylist()) == {
        "credit_score: is below the minimum 300 (got 1)"
    }

    def complete(found: list[tuple[Event, RawRecord]]) -> bool:
        mine = [e for e, _ in found if getattr(e, "batch_id", None) == answer["batch_id"]]
        return any(isinstance(e, DataIngested) for e in mine) and any(
            isinstance(e, RecordsRejected) for e in mine
        )

    found = [
        (e, r)
        for e, r in events_of(service, complete)
        if getattr(e, "batch_id", "") == answer["batch_id"]
    ]
    [ingested] = [e for e, _ in found if isinstance(e, DataIngested)]
    rejections = [e for e, _ in found if isinstance(e, RecordsRejected)]
    assert isinstance(ingested, DataIngested)
    assert (ingested.row_count, ingested.rejected_count, ingested.source) == (90, 10, "http")
    assert sum(e.rejected_count for e in rejections if isinstance(e, RecordsRejected)) == 10
    assert {header_dict(r.headers)["correlation_id"] for _, r in found} == {"it-corr-1"}
    logged = [
        orjson.loads(line) for line in service.log.read_text().splitlines() if line.startswith("{")
    ]
    assert any(
        e.get("message") == "batch stored" and e.get("correlation_id") == "it-corr-1"
        for e in logged
    )


def test_the_same_batch_posted_twice_is_stored_once(service: Running) -> None:
    rows = [record(i, application_id=f"twice-{i}") for i in range(20)]
    status, first = post_records(service, rows)
    status_again, again = post_records(service, rows)
    assert (status, status_again) == (200, 200)
    assert again == first | {"duplicate": True}
    files = sorted(service.offline.rglob(f"{first['batch_id']}.parquet"))
    assert [p.parent.parent.name for p in files] == ["labels", "labels", "records", "records"]
    stored = sum(pq.read_table(p).num_rows for p in files if p.parent.parent.name == "records")
    assert stored == 20
    time.sleep(1.0)  # give a wrongly repeated event time to arrive
    announced = [
        e for e, _ in events_of(service) if getattr(e, "batch_id", None) == first["batch_id"]
    ]
    assert [type(e).__name__ for e in announced] == ["DataIngested"]


def avro_record(dataset: str, row: dict[str, Any]) -> bytes:
    """A record in Avro single-object encoding with the dataset's derived schema."""
    spec = parse_spec({"project": "it", "datasets": {dataset: SPEC["datasets"]["loans"]}})
    schema = spec.record_schemas[dataset]
    serde = EventCodec.from_settings(DriftlineSettings()).serde
    known = serde.store.register(schema)
    return serde.encode(
        known.full_name, {**row, "event_time": datetime.fromisoformat(row["event_time"])}
    )


def test_records_from_a_plain_producer_are_ingested_the_same_way(service: Running) -> None:
    producer = Producer({"bootstrap.servers": service.bootstrap})  # no Driftline code
    for i in range(30):
        row = record(i, application_id=f"plain-{i}", income=-1 if i % 10 == 5 else 1000.0)
        producer.produce(service.topic, key=f"plain-{i}", value=orjson.dumps(row))
    producer.produce(service.topic, key="poison", value=b"\xffnot a record")
    producer.produce(
        service.topic,
        key="avro-1",
        value=avro_record(service.dataset, record(1, application_id="avro-1")),
    )
    producer.flush(10)

    def all_in(found: list[tuple[Event, RawRecord]]) -> bool:
        ingested = [e for e, _ in found if isinstance(e, DataIngested) and e.source == "kafka"]
        return sum(e.row_count + e.rejected_count for e in ingested) >= 31

    found = events_of(service, all_in)
    ingested = [e for e, _ in found if isinstance(e, DataIngested) and e.source == "kafka"]
    assert sum(e.row_count for e in ingested) == 28
    assert sum(e.rejected_count for e in ingested) == 3
    stored = [pq.read_table(p) for p in service.offline.rglob("records/*/kafka-*.parquet")]
    keys = {k for t in stored for k in t.column("application_id").to_pylist()}
    assert {"avro-1", "plain-0", "plain-29"} <= keys
    letters = read_topic(service.bootstrap, service.topic + ".dlq", want=lambda rs: len(rs) >= 1)
    assert [r.value for r in letters] == [b"\xffnot a record"]
    assert header_dict(letters[0].headers)["dlq_reason"] == "undecodable"


def test_oversize_and_malformed_batches_are_refused_with_reasons(service: Running) -> None:
    big = [record(i, note="x" * 1000) for i in range(400)]
    assert post_records(service, big)[0] == 413
    status, _, _ = call("POST", f"{service.url}/datasets/{service.dataset}/records", b"{oops",
                        {"content-type": "application/json"})  # fmt: skip
    assert status == 422
    assert post_records(service, [record(0)])[0] == 200
    metrics = call("GET", f"{service.url}/metrics")[1]
    assert (
        f'driftline_ingestion_records_total{{dataset="{service.dataset}",kind="records"' in metrics
    )
