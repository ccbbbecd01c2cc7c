"""Point-in-time training sets and statistics from real Parquet, through the HTTP API."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from driftline.bus import FakePublisher
from driftline.featurestore import view_versions
from driftline.spec import ProjectSpec
from driftline_features.bootstrap import FeatureService, bootstrap
from driftline_features.config import Settings
from driftline_features.entrypoints.api import PARQUET, create_api
from driftline_features.testing import OfflineBatchWriter, utc
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration
WINDOW = {"model": "loan_default", "start": "2026-11-01T00:00:00Z", "end": "2026-11-10T00:00:00Z"}


@pytest.fixture
def service(settings: Settings, spec: ProjectSpec) -> FeatureService:
    return bootstrap(settings, spec=spec, publisher=FakePublisher())


@pytest.fixture
def client(service: FeatureService) -> TestClient:
    return TestClient(create_api(service))


def leak_trap(writer: OfflineBatchWriter) -> None:
    """Entity `a` is labelled on Nov 2; its income changed on Nov 3 (the future at label time)."""
    writer.records("loans", "r1", [
        {"application_id": "a", "event_time": utc("2026-11-01T10:00"), "income": 100.0,
         "credit_score": 600, "region": "north"},
        {"application_id": "b", "event_time": utc("2026-11-04T10:00"), "income": 5.0,
         "credit_score": 700, "region": "west"},
    ])  # fmt: skip
    writer.records("loans", "r2", [
        {"application_id": "a", "event_time": utc("2026-11-03T10:00"), "income": 999.0,
         "credit_score": 800, "region": "south"},
    ])  # fmt: skip
    writer.labels("loans", "l1", [
        {"application_id": "a", "event_time": utc("2026-11-02T10:00"), "defaulted": 1},
        {"application_id": "b", "event_time": utc("2026-11-02T10:00"), "defaulted": 0},
    ])  # fmt: skip


def test_a_training_set_holds_the_features_known_at_label_time_not_the_later_ones(
    client: TestClient, offline_writer: OfflineBatchWriter, spec: ProjectSpec
) -> None:
    leak_trap(offline_writer)
    response = client.post("/training-sets", json=WINDOW)
    assert response.status_code == 200
    assert response.headers["content-type"] == PARQUET
    table = pq.read_table(io.BytesIO(response.content))
    assert table.to_pylist() == [{
        "application_id": "a", "event_time": utc("2026-11-02T10:00"), "income": 100.0,
        "credit_score": 600, "region": "north", "defaulted": 1,
    }]  # fmt: skip
    assert response.headers["x-row-count"] == "1"
    assert response.headers["x-dropped-row-count"] == "1"  # b's features came after its label
    assert response.headers["x-content-sha256"] == hashlib.sha256(response.content).hexdigest()
    assert json.loads(response.headers["x-feature-view-versions"]) == view_versions(spec, ["loans"])


def test_the_json_format_carries_the_same_rows(
    client: TestClient, offline_writer: OfflineBatchWriter
) -> None:
    leak_trap(offline_writer)
    response = client.post("/training-sets", params={"format": "json"}, json=WINDOW)
    body = response.json()
    assert body["columns"] == [
        "application_id",
        "event_time",
        "income",
        "credit_score",
        "region",
        "defaulted",
    ]
    assert [(r["application_id"], r["income"]) for r in body["rows"]] == [("a", 100.0)]
    assert response.headers["x-content-sha256"] == hashlib.sha256(response.content).hexdigest()


def test_labels_outside_the_window_are_not_in_the_training_set(
    client: TestClient, offline_writer: OfflineBatchWriter
) -> None:
    leak_trap(offline_writer)
    window = {**WINDOW, "start": "2026-11-02T10:00:00.001Z"}
    response = client.post("/training-sets", json=window)
    assert response.headers["x-row-count"] == "0"


def test_the_join_agrees_with_feasts_get_historical_features(
    service: FeatureService, offline_writer: OfflineBatchWriter
) -> None:
    rng = np.random.default_rng(11)
    keys = [f"k{i}" for i in range(40)]
    base = utc("2026-11-01T00:00")
    for day in range(3):
        offline_writer.records("loans", f"d{day}", [
            {"application_id": str(rng.choice(keys)),
             "event_time": base + timedelta(days=day, seconds=int(rng.integers(0, 86_400))),
             "income": float(rng.uniform(0, 1e5)), "credit_score": int(rng.integers(300, 851)),
             "region": str(rng.choice(["north", "south"]))}
            for _ in range(200)
        ])  # fmt: skip
    label_rows = [
        {"application_id": str(rng.choice(keys)), "defaulted": int(rng.integers(0, 2)),
         "event_time": base + timedelta(seconds=int(rng.integers(0, 3 * 86_400)))}
        for _ in range(300)
    ]  # fmt: skip
    offline_writer.labels("loans", "labels", label_rows)
    ours = service.queries.training_set("loan_default", base, base + timedelta(days=4))
    assert service.store is not None
    entity_df = pd.DataFrame(label_rows).rename(columns={"event_time": "event_timestamp"})
    theirs = service.store.get_historical_features(
        entity_df=entity_df, features=service.store.get_feature_service("loan_default")
    ).to_df()
    theirs = theirs.dropna(subset=["income"]).rename(columns={"event_timestamp": "event_time"})
    merged = ours.table.to_pandas().merge(theirs, on=["application_id", "event_time"],
                                          suffixes=("", "_feast"))  # fmt: skip
    assert len(merged) == len(theirs) > 100
    for column in ("income", "credit_score", "region"):
        assert merged[column].tolist() == merged[f"{column}_feast"].tolist()
    assert ours.table.num_rows + ours.dropped == len(label_rows)


def test_statistics_of_a_window_describe_only_the_records_in_it(
    client: TestClient, offline_writer: OfflineBatchWriter
) -> None:
    offline_writer.records("loans", "s1", [
        {"application_id": f"s{i}", "event_time": utc("2026-11-01T00:00") + timedelta(hours=i),
         "income": float(i), "region": "north", "has_mortgage": i % 2 == 0}
        for i in range(48)
    ])  # fmt: skip
    response = client.get("/datasets/loans/stats",
                          params={"start": "2026-11-02T00:00:00Z", "end": "2026-11-03T00:00:00Z"})  # fmt: skip
    body = response.json()
    assert response.status_code == 200
    assert body["row_count"] == 24
    income = body["features"]["income"]
    assert (income["min"], income["max"], income["mean"]) == (24.0, 47.0, 35.5)
    assert income["histogram"]["edges"][0] == 0.0
    assert income["histogram"]["edges"][-1] == 200000.0
    assert body["features"]["region"]["frequencies"] == {
        "north": 24,
        "south": 0,
        "east": 0,
        "west": 0,
    }
    assert body["features"]["has_mortgage"]["frequencies"] == {"true": 12, "false": 12}
    assert body["features"]["credit_score"]["null_count"] == 24


def test_statistics_of_an_unknown_dataset_are_a_404(client: TestClient) -> None:
    response = client.get("/datasets/nope/stats",
                          params={"start": "2026-11-02T00:00:00Z", "end": "2026-11-03T00:00:00Z"})  # fmt: skip
    assert response.status_code == 404
