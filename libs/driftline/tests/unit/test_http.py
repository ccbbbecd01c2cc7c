"""The shared HTTP shell: health, readiness, limits, roles, correlation ids."""

from __future__ import annotations

from driftline.http import create_app, require_role
from driftline.settings import DriftlineSettings
from fastapi.testclient import TestClient


def make_client(**settings: object) -> TestClient:
    app = create_app(
        "test",
        DriftlineSettings(**settings),  # type: ignore[arg-type]
        ready_checks={"broker": lambda: True, "db": lambda: "connection refused"},
    )

    @app.post("/things", dependencies=[require_role("operator")])
    def make_thing() -> dict[str, str]:
        return {"made": "yes"}

    @app.get("/things")
    def list_things() -> list[str]:
        return []

    return TestClient(app)


def test_healthz_answers() -> None:
    assert make_client().get("/healthz").json()["status"] == "ok"


def test_readyz_reports_each_failing_dependency() -> None:
    response = make_client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"broker": "ok", "db": "connection refused"}


def test_metrics_expose_request_latency() -> None:
    client = make_client()
    client.get("/things")
    assert "driftline_http_request_seconds_bucket" in client.get("/metrics").text


def test_oversize_body_gets_413() -> None:
    client = make_client(max_request_bytes=1024)
    response = client.post("/things", content=b"x" * 2048)
    assert response.status_code == 413


def test_correlation_id_is_echoed_or_made() -> None:
    client = make_client()
    assert (
        client.get("/healthz", headers={"x-correlation-id": "abc"}).headers["x-correlation-id"]
        == "abc"
    )
    assert client.get("/healthz").headers["x-correlation-id"]


def test_open_when_no_tokens_are_configured() -> None:
    assert make_client().post("/things").status_code == 200


def test_mutation_needs_a_token_when_tokens_are_configured() -> None:
    client = make_client(api_tokens="viewer-token:viewer,operator-token:operator")
    assert client.post("/things").status_code == 401
    assert client.post("/things", headers={"Authorization": "Bearer nope"}).status_code == 401
    viewer = client.post("/things", headers={"Authorization": "Bearer viewer-token"})
    assert viewer.status_code == 403
    operator = client.post("/things", headers={"Authorization": "Bearer operator-token"})
    assert operator.status_code == 200
