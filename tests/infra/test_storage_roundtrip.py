"""terraform apply of the storage pieces against moto, the artifact store on the bucket, destroy.

A moto server on 127.0.0.1 (a free port) stands in for S3, DynamoDB, IAM and STS;
`terraform/examples/storage-local` composes the real storage and online_store
modules. The artifact store's contract suite runs against the provisioned bucket.
moto enforces the buckets' TLS-only policy, so it serves HTTPS with a throwaway
certificate that every client trusts explicitly (AWS_CA_BUNDLE, verify=).
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from driftline.artifacts import ArtifactStore
from driftline.settings import DriftlineSettings

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/storage-local"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "moto-test-key", "AWS_SECRET_ACCESS_KEY": "moto-test-secret"}
REGION = "us-east-1"


def _load_contract() -> type:
    path = REPO / "libs/driftline/tests/unit/test_artifacts.py"
    spec = importlib.util.spec_from_file_location("_driftline_artifact_contract", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    contract: type = module.ArtifactStoreContract
    return contract


ArtifactStoreContract = _load_contract()


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "moto.crt", folder / "moto.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Moto:
    endpoint: str
    ca_bundle: str


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    folder = tmp_path_factory.mktemp("moto")
    cert, key = _self_signed_certificate(folder)
    port = _free_port()
    log = (folder / "moto.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port),
         "-c", str(cert), "-k", str(key)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    endpoint = f"https://127.0.0.1:{port}"
    context = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1, context=context):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto server did not start on {endpoint}", pytrace=False)
                time.sleep(0.2)
        yield Moto(endpoint, str(cert))
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _client(service: str, moto: Moto) -> Any:
    return boto3.client(
        service,
        endpoint_url=moto.endpoint,
        verify=moto.ca_bundle,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def _empty_versioned_bucket(moto: Moto, bucket: str) -> int:
    """Delete every delete marker, then every version, one request each.

    moto 5.2.5 crashes when DeleteObjects removes the last version of a key that
    carries a delete marker ('FakeDeleteMarker' object has no attribute 'dispose'),
    so the provider's force_destroy would retry for minutes; single deletes work.
    """
    s3 = _client("s3", moto)
    listing = s3.list_object_versions(Bucket=bucket)
    entries = listing.get("DeleteMarkers", []) + listing.get("Versions", [])
    for entry in entries:
        s3.delete_object(Bucket=bucket, Key=entry["Key"], VersionId=entry["VersionId"])
    return len(entries)


class Provisioned:
    def __init__(self, terraform: Any, moto: Moto, state: Path) -> None:
        self.terraform, self.moto, self.state = terraform, moto, state
        self.endpoint = moto.endpoint
        self.outputs: dict[str, Any] = {}
        self.destroyed = False

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.terraform.run(
            EXAMPLE,
            *args,
            f"-state={self.state}",
            extra_env={
                **CREDENTIALS,
                "AWS_REGION": REGION,
                "AWS_CA_BUNDLE": self.moto.ca_bundle,
                "TF_VAR_endpoint": self.endpoint,
            },
        )

    def apply(self) -> None:
        self._run("apply", "-auto-approve", "-input=false")
        raw = self.terraform.run(EXAMPLE, "output", "-json", f"-state={self.state}").stdout
        self.outputs = {k: v["value"] for k, v in json.loads(raw).items()}

    def destroy(self) -> None:
        # No refresh: the provider re-reads lifecycle rules with 5 s pauses for nothing.
        self._run("destroy", "-auto-approve", "-input=false", "-refresh=false")
        self.destroyed = True


@pytest.fixture(scope="module")
def provisioned(
    terraform: Any, moto: Moto, stopwatch: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Provisioned]:
    with stopwatch("moto: terraform init (storage-local)"):
        terraform.init(EXAMPLE)
    stack = Provisioned(terraform, moto, tmp_path_factory.mktemp("state") / "tfstate")
    with stopwatch("moto: terraform apply (2 buckets, 1 table, 17 resources)"):
        stack.apply()
    yield stack
    if not stack.destroyed:  # a test failed before the destroy test: clean up all the same
        _empty_versioned_bucket(moto, "driftline-local-artifacts")
        stack.destroy()


# -- the resources exist as the modules describe them ---------------------------------
def test_apply_creates_both_buckets_versioned_encrypted_and_private(
    provisioned: Provisioned,
) -> None:
    s3 = _client("s3", provisioned.moto)
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    expected = {
        provisioned.outputs["artifact_bucket_name"],
        provisioned.outputs["offline_bucket_name"],
    }
    assert expected == {"driftline-local-artifacts", "driftline-local-offline"}
    assert expected <= names
    for bucket in expected:
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"][
            "Rules"
        ]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert len(block) == 4
        assert all(block.values())


def test_apply_sets_the_archive_lifecycle_rule(provisioned: Provisioned) -> None:
    s3 = _client("s3", provisioned.moto)
    rules = s3.get_bucket_lifecycle_configuration(Bucket="driftline-local-artifacts")["Rules"]
    archive = next(r for r in rules if r["ID"] == "archive-to-glacier-ir")
    assert archive["Filter"]["Prefix"] == "archive/"
    assert archive["Transitions"][0]["StorageClass"] == "GLACIER_IR"


def test_apply_creates_the_feast_online_table(provisioned: Provisioned) -> None:
    dynamodb = _client("dynamodb", provisioned.moto)
    assert provisioned.outputs["online_table_names"] == {"loans": "driftline_demo.loans"}
    table = dynamodb.describe_table(TableName="driftline_demo.loans")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "entity_id", "KeyType": "HASH"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_outputs_give_the_store_urls_of_the_services(provisioned: Provisioned) -> None:
    assert provisioned.outputs["artifact_store_url"] == "s3://driftline-local-artifacts/models"
    assert provisioned.outputs["archive_store_url"] == "s3://driftline-local-artifacts/archive"
    assert provisioned.outputs["offline_store_url"] == "s3://driftline-local-offline/datasets"


# -- the platform's artifact store on the provisioned bucket ----------------------------
class TestArtifactStoreOnProvisionedBucket(ArtifactStoreContract):
    @pytest.fixture
    def store(self, provisioned: Provisioned) -> ArtifactStore:
        root = f"{provisioned.outputs['artifact_store_url']}/{uuid.uuid4().hex}"
        return ArtifactStore.from_url(
            root,
            endpoint_url=provisioned.endpoint,
            key=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            secret=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            client_kwargs={"region_name": REGION, "verify": provisioned.moto.ca_bundle},
            skip_instance_cache=True,
        )

    @pytest.fixture
    def archive_root(self, provisioned: Provisioned) -> str:
        return f"{provisioned.outputs['archive_store_url']}/{uuid.uuid4().hex}"


def test_a_service_configured_by_the_outputs_writes_and_reads_the_bucket(
    provisioned: Provisioned, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**CREDENTIALS, "AWS_DEFAULT_REGION": REGION, "AWS_CA_BUNDLE": provisioned.moto.ca_bundle}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = DriftlineSettings(
        artifact_store_url=provisioned.outputs["artifact_store_url"],
        storage_endpoint_url=provisioned.endpoint,
    )
    stored = ArtifactStore.from_settings(settings).put(b"a skops model", name="model.skops")
    key = stored.uri.removeprefix("s3://driftline-local-artifacts/")
    body = (
        _client("s3", provisioned.moto)
        .get_object(Bucket="driftline-local-artifacts", Key=key)["Body"]
        .read()
    )
    assert key.startswith("models/")
    assert body == b"a skops model"
    fresh = ArtifactStore.from_url(
        settings.artifact_store_url, endpoint_url=provisioned.endpoint, skip_instance_cache=True
    )
    assert fresh.get(stored.uri, stored.sha256) == b"a skops model"


# -- and it all goes away -----------------------------------------------------------------
def test_destroy_removes_the_buckets_and_the_table(
    provisioned: Provisioned, stopwatch: Any
) -> None:
    assert _empty_versioned_bucket(provisioned.moto, "driftline-local-artifacts") > 0
    with stopwatch("moto: terraform destroy"):
        provisioned.destroy()
    s3 = _client("s3", provisioned.moto)
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert not names & {"driftline-local-artifacts", "driftline-local-offline"}
    tables = _client("dynamodb", provisioned.moto).list_tables()["TableNames"]
    assert "driftline_demo.loans" not in tables
    assert os.path.exists(provisioned.state)
