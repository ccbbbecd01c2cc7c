"""The offline store read from S3 (a moto server over HTTP), as in the production profile."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import s3fs
from driftline.broker import free_port
from driftline.spec import ProjectSpec
from driftline_features.adapters.offline import ParquetOfflineStore
from driftline_features.adapters.offline_schema import labels_schema, records_schema
from driftline_features.domain.errors import BatchRejectedError
from driftline_features.testing import utc

pytestmark = pytest.mark.integration
CREDENTIALS = {"key": "moto-test-key", "secret": "moto-test-secret"}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"moto server did not start on {url}", pytrace=False)
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def put(fs: s3fs.S3FileSystem, path: str, table: pa.Table) -> None:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    fs.pipe_file(path, sink.getvalue())


def test_batches_records_and_labels_are_read_from_s3(endpoint: str, spec: ProjectSpec) -> None:
    fs = s3fs.S3FileSystem(endpoint_url=endpoint, **CREDENTIALS)
    bucket = f"offline-{uuid.uuid4().hex[:8]}"
    fs.mkdir(bucket)
    ds = spec.dataset("loans")
    created = datetime(2026, 11, 5, tzinfo=UTC)
    rows = [{"application_id": "s3-a", "event_time": utc("2026-11-01T10:00"), "income": 1.0,
             "credit_score": 500, "region": "north", "has_mortgage": True, "note": None,
             "defaulted": None, "created_at": created, "batch_id": "b"}]  # fmt: skip
    put(fs, f"{bucket}/data/loans/records/date=2026-11-01/b.parquet",
        pa.Table.from_pylist(rows, schema=records_schema(ds)))  # fmt: skip
    put(fs, f"{bucket}/data/loans/labels/date=2026-11-02/l.parquet", pa.Table.from_pylist(
        [{"prediction_id": None, "application_id": "s3-a", "event_time": utc("2026-11-02T00:00"),
          "defaulted": 1, "created_at": created, "batch_id": "l"}], schema=labels_schema(ds)))  # fmt: skip
    store = ParquetOfflineStore(f"s3://{bucket}/data", spec, endpoint_url=endpoint, **CREDENTIALS)

    batch = store.read_batch("loans", f"s3://{bucket}/data/loans/records/date=*/b.parquet")
    assert batch.column("income").to_pylist() == [1.0]
    records = store.read_records(
        "loans", None, utc("2026-11-03T00:00"), ["application_id", "income"]
    )
    assert records.to_pylist() == [{"application_id": "s3-a", "income": 1.0}]
    labels = store.read_labels("loans", utc("2026-11-01T00:00"), utc("2026-11-03T00:00"))
    assert labels.column("defaulted").to_pylist() == [1]
    with pytest.raises(BatchRejectedError, match="outside"):
        store.read_batch("loans", f"s3://another-{bucket}/data/loans/records/b.parquet")
