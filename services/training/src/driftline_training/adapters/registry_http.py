"""The registry's champion route over HTTP (``GET /models/{name}/champion``)."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from driftline_training.adapters.http_retry import RetryingCaller
from driftline_training.domain.errors import DependencyUnavailableError
from driftline_training.domain.model import Champion

__all__ = ["HttpChampions"]


class HttpChampions:
    def __init__(self, base_url: str, *, timeout_s: float, caller: RetryingCaller) -> None:
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)
        self._call = caller

    def champion(self, model: str) -> Champion | None:
        path = f"/models/{quote(model, safe='')}/champion"
        response = self._call(f"registry GET {path}", lambda: self._client.get(path))
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise DependencyUnavailableError(
                f"registry GET {path} answered HTTP {response.status_code}: {response.text[:300]}"
            )
        try:
            body = response.json()
            return Champion(
                version=int(body["version"]),
                artifact_uri=str(body["artifact_uri"]),
                artifact_sha256=str(body["artifact_sha256"]),
                flavor=str(body["flavor"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise DependencyUnavailableError(
                f"registry GET {path} answered an unusable champion ({type(exc).__name__}: {exc}): "
                f"{response.text[:300]}"
            ) from None

    def ping(self) -> bool:
        return self._client.get("/healthz", timeout=2.0).status_code == 200

    def close(self) -> None:
        self._client.close()
