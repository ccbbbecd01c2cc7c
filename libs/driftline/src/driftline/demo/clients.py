"""The demo talks to the platform only through its public HTTP APIs (and the bus for commands)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

__all__ = ["Platform", "PlatformError", "wait_until"]


class PlatformError(RuntimeError):
    """A service answered with an error the demo cannot go on from."""


def wait_until(check: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    """Poll `check` until it returns something truthy; raise naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(every)
    raise PlatformError(f"timed out after {timeout:.0f}s waiting for {what}")


class Platform:
    def __init__(self, urls: dict[str, str], dataset: str, model: str) -> None:
        self.urls = urls
        self.dataset = dataset
        self.model = model
        self.http = httpx.Client(timeout=30.0, limits=httpx.Limits(max_keepalive_connections=16))

    def _ok(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise PlatformError(f"{response.request.method} {response.request.url} -> "
                                f"{response.status_code}: {response.text[:300]}")  # fmt: skip
        return response.json()

    def post_records(self, batch_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        url = f"{self.urls['ingestion']}/datasets/{self.dataset}/records"
        return dict(self._ok(self.http.post(url, json={"batch_id": batch_id, "records": rows})))

    def post_labels(self, batch_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        url = f"{self.urls['ingestion']}/datasets/{self.dataset}/labels"
        return dict(self._ok(self.http.post(url, json={"batch_id": batch_id, "labels": rows})))

    def online(self, entity_key: str) -> bool:
        response = self.http.get(
            f"{self.urls['features']}/online-features/{self.dataset}/{entity_key}"
        )
        if response.status_code != 200:
            return False
        body = response.json()
        values = body.get("features", body) if isinstance(body, dict) else None
        return isinstance(values, dict) and any(v is not None for v in values.values())

    def predict(self, entity_key: str, request_id: str) -> dict[str, Any]:
        url = f"{self.urls['serving']}/v1/models/{self.model}/predict"
        response = self.http.post(
            url, json={"entity_key": entity_key}, headers={"X-Request-ID": request_id}
        )
        return dict(self._ok(response))

    def predict_many(self, entity_keys: list[str], request_id: str) -> list[dict[str, Any]]:
        """One request for many entities; answer i has request id ``<request_id>:<i>``."""
        url = f"{self.urls['serving']}/v1/models/{self.model}/predict"
        response = self.http.post(
            url, json={"entity_keys": entity_keys}, headers={"X-Request-ID": request_id}
        )
        return list(self._ok(response))

    def champion(self) -> dict[str, Any] | None:
        response = self.http.get(f"{self.urls['registry']}/models/{self.model}/champion")
        return dict(response.json()) if response.status_code == 200 else None

    def serving_ready(self) -> bool:
        response = self.http.get(f"{self.urls['serving']}/v2/models/{self.model}/ready")
        return response.status_code == 200

    def get(self, service: str, path: str) -> Any:
        return self._ok(self.http.get(f"{self.urls[service]}{path}"))

    def close(self) -> None:
        self.http.close()
