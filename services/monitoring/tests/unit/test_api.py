"""The HTTP API: health, readiness, metrics and the drift state."""

from __future__ import annotations

from driftline_monitoring.bootstrap import Monitoring
from driftline_monitoring.entrypoints import create_api
from driftline_monitoring.metrics import METRIC_NAMES
from driftline_monitoring.testing import LoanStream, logged
from fastapi.testclient import TestClient

from .conftest import message


def test_drift_state_shows_windows_and_every_test_of_the_last_ones(monitoring: Monitoring) -> None:
    for row in LoanStream(2, shift_at=100).rows(250):
        monitoring.handle(message(logged(row, "loans_model")))
    client = TestClient(create_api(monitoring))
    summary = client.get("/drift").json()["models"][0]
    assert summary["model"] == "loans_model"
    assert summary["champion_version"] == 1
    assert summary["windows"]["champion"] == {"version": 1, "size": 50, "capacity": 100}
    assert summary["episode_open"] is True
    detail = client.get("/drift/loans_model").json()
    assert [w["outcome"] for w in detail["history"]] == ["reference", "data"]
    tests = detail["history"][1]["tests"]
    assert {"feature", "statistic", "value", "threshold", "p_value", "drifted"} <= set(tests[0])


def test_an_unknown_model_is_a_404_that_lists_the_known_ones(monitoring: Monitoring) -> None:
    response = TestClient(create_api(monitoring)).get("/drift/nope")
    assert response.status_code == 404
    assert "loans_model" in response.json()["detail"]


def test_ready_only_once_the_worker_has_partitions(monitoring: Monitoring) -> None:
    client = TestClient(create_api(monitoring))
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    monitoring.ready["worker"] = True
    assert client.get("/readyz").status_code == 200


def test_metrics_are_exported_under_their_documented_names(monitoring: Monitoring) -> None:
    for row in LoanStream(2).rows(200):
        monitoring.handle(message(logged(row, "loans_model")))
    text = TestClient(create_api(monitoring)).get("/metrics").text
    assert 'driftline_drift_statistic{feature="income",model="loans_model",statistic="ks"}' in text
    assert 'driftline_monitoring_predictions_total{model="loans_model",version="1"}' in text
    described = {line.split()[2] for line in text.splitlines() if line.startswith("# HELP")}
    assert set(METRIC_NAMES) <= described
