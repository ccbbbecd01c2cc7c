"""The HTTP clients of the feature service and the registry, on a transport that records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from driftline_training.adapters.features_http import HttpTrainingSets
from driftline_training.adapters.http_retry import RetryingCaller
from driftline_training.adapters.registry_http import HttpChampions
from driftline_training.domain import (
    DependencyUnavailableError,
    TrainingSetError,
    UnknownModelError,
    Window,
)
from driftline_training.synthetic import to_parquet

END = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WINDOW = Window(END - timedelta(days=14), END)


class FakeTransport(httpx.BaseTransport):
    """Answers from a list of responses, recording each request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def client(cls: Callable[..., Any], transport: FakeTransport, attempts: int = 3) -> Any:
    adapter = cls(
        "http://svc", timeout_s=5, caller=RetryingCaller(attempts, 0, sleep=lambda _: None)
    )
    adapter._client = httpx.Client(base_url="http://svc", transport=transport)
    return adapter


def parquet_answer(frames: Callable[..., Any], **headers: str) -> httpx.Response:
    body = to_parquet(frames(rows=50))
    base = {"x-content-sha256": hashlib.sha256(body).hexdigest(), "x-row-count": "50",
            "x-feature-view-versions": json.dumps({"loans": "v7"})}  # fmt: skip
    return httpx.Response(200, content=body, headers={**base, **headers})


def test_training_set_is_asked_for_the_window_and_read_from_parquet(
    frames: Callable[..., Any],
) -> None:
    transport = FakeTransport(parquet_answer(frames))
    got = client(HttpTrainingSets, transport).training_set("loan_default", WINDOW)
    (request,) = transport.requests
    assert (request.method, request.url.path) == ("POST", "/training-sets")
    assert json.loads(request.content) == {"model": "loan_default",
                                           "start": "2026-11-08T12:00:00+00:00",
                                           "end": "2026-11-22T12:00:00+00:00"}  # fmt: skip
    assert len(got.frame) == 50
    assert got.feature_view_versions == {"loans": "v7"}
    assert str(got.frame["event_time"].dt.tz) == "UTC"


def test_a_body_that_does_not_match_its_announced_hash_is_refused(
    frames: Callable[..., Any],
) -> None:
    transport = FakeTransport(parquet_answer(frames, **{"x-content-sha256": "0" * 64}))
    with pytest.raises(TrainingSetError, match="refusing a corrupted download"):
        client(HttpTrainingSets, transport).training_set("loan_default", WINDOW)


def test_an_unknown_model_and_a_bad_window_are_told_apart() -> None:
    unknown = FakeTransport(httpx.Response(404, json={"detail": "unknown model 'x'"}))
    with pytest.raises(UnknownModelError, match="unknown model 'x'"):
        client(HttpTrainingSets, unknown).training_set("x", WINDOW)
    bad = FakeTransport(httpx.Response(422, json={"detail": "end before start"}))
    with pytest.raises(TrainingSetError, match="HTTP 422 end before start"):
        client(HttpTrainingSets, bad).training_set("loan_default", WINDOW)


def test_a_body_that_is_not_parquet_is_refused() -> None:
    transport = FakeTransport(httpx.Response(200, content=b"<html>oops</html>"))
    with pytest.raises(TrainingSetError, match="not valid Parquet"):
        client(HttpTrainingSets, transport).training_set("loan_default", WINDOW)


def test_server_errors_and_lost_connections_are_retried(frames: Callable[..., Any]) -> None:
    transport = FakeTransport(
        httpx.ConnectError("refused"),
        httpx.Response(503, text="warming up"),
        parquet_answer(frames),
    )
    assert len(client(HttpTrainingSets, transport).training_set("m", WINDOW).frame) == 50
    assert len(transport.requests) == 3


def test_a_service_that_stays_down_is_reported_unavailable() -> None:
    transport = FakeTransport(*[httpx.Response(500, text="boom")] * 3)
    with pytest.raises(DependencyUnavailableError, match="after 3 attempt"):
        client(HttpTrainingSets, transport).training_set("m", WINDOW)


def test_champion_is_read_from_the_registry() -> None:
    body = {"model_name": "m", "version": 3, "run_id": "r", "artifact_uri": "file:///a/model.skops",
            "artifact_sha256": "ab" * 32, "flavor": "sklearn", "champion_since": None}  # fmt: skip
    transport = FakeTransport(httpx.Response(200, json=body))
    champion = client(HttpChampions, transport).champion("m")
    assert transport.requests[0].url.path == "/models/m/champion"
    assert (champion.version, champion.flavor) == (3, "sklearn")
    assert champion.artifact_sha256 == "ab" * 32


def test_no_champion_yet_is_none() -> None:
    transport = FakeTransport(httpx.Response(404, json={"detail": "no champion yet"}))
    assert client(HttpChampions, transport).champion("m") is None


def test_an_unusable_champion_answer_is_an_error() -> None:
    transport = FakeTransport(httpx.Response(200, json={"version": "three"}))
    with pytest.raises(DependencyUnavailableError, match="unusable champion"):
        client(HttpChampions, transport).champion("m")
