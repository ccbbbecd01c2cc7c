"""The offline store contract on S3: a moto server over HTTP stands in for the bucket."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import s3fs
from driftline.broker import free_port
from driftline_ingestion.adapters.offline_store import FsspecOfflineStore

from ..store_contract import FsspecStoreContract

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


class TestS3Store(FsspecStoreContract):
    @pytest.fixture
    def fs(self, endpoint: str) -> Any:
        return s3fs.S3FileSystem(endpoint_url=endpoint, **CREDENTIALS)

    @pytest.fixture
    def store(self, fs: Any, endpoint: str) -> FsspecOfflineStore:
        bucket = f"offline-{uuid.uuid4().hex[:8]}"
        fs.mkdir(bucket)
        return FsspecOfflineStore.from_url(
            f"s3://{bucket}/data", endpoint_url=endpoint, **CREDENTIALS
        )

    def test_stored_paths_are_s3_urls(self, store: FsspecOfflineStore) -> None:
        assert store.root.startswith("s3://offline-")
        assert store.root.endswith("/data")


def test_the_store_is_not_ready_without_its_bucket(endpoint: str) -> None:
    store = FsspecOfflineStore.from_url(
        "s3://no-such-bucket/data", endpoint_url=endpoint, **CREDENTIALS
    )
    assert store.check() == "bucket no-such-bucket not found"
