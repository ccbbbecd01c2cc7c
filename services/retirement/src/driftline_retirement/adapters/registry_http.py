"""`RegistryReader` over the registry's REST API (httpx).

Routes used: ``GET /models/{name}/versions`` and ``GET /models/{name}/champion``
(404: no champion), plus ``GET /healthz`` for readiness. Transport errors and
5xx answers become `RegistryUnavailableError`, so callers defer rather than guess.

A version is read in either shape: the agreed flat one (``artifact_uri``,
``artifact_sha256``, ``created_at``, ``updated_at``) or the registry's own
(``artifact: {uri, sha256}``, ``registered_at``, ``status_changed_at``); the
artifact URI is where the bytes are now (the archive once retired).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from driftline_retirement.adapters.ports import RegistryUnavailableError
from driftline_retirement.domain import Champion, VersionInfo

__all__ = ["HttpRegistryReader"]


class HttpRegistryReader:
    """Reads versions and champions from the registry at `base_url`."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        token: SecretStr | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, headers=headers, transport=transport
        )

    def versions(self, model: str) -> list[VersionInfo]:
        response = self._get(f"/models/{quote(model, safe='')}/versions")
        if response.status_code == 404:
            return []
        items = _json(response)
        if not isinstance(items, list):
            raise RegistryUnavailableError(f"GET {response.url} did not return a list")
        return [_version(model, item) for item in items]

    def champion(self, model: str) -> Champion | None:
        response = self._get(f"/models/{quote(model, safe='')}/champion")
        if response.status_code == 404:
            return None
        item = _json(response)
        return Champion(
            version=int(item["version"]),
            artifact_uri=item.get("artifact_uri"),
            artifact_sha256=item.get("artifact_sha256"),
        )

    def ping(self) -> bool:
        self._get("/healthz")
        return True

    def close(self) -> None:
        self._client.close()

    def _get(self, path: str) -> httpx.Response:
        try:
            response = self._client.get(path)
        except httpx.HTTPError as exc:
            raise RegistryUnavailableError(
                f"registry at {self._client.base_url} unreachable: {type(exc).__name__}: {exc}"
            ) from exc
        if response.status_code >= 500 or response.status_code in (401, 403):
            raise RegistryUnavailableError(
                f"GET {response.url} answered {response.status_code}: {response.text[:200]}"
            )
        if response.status_code >= 400 and response.status_code != 404:
            response.raise_for_status()
        return response


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise RegistryUnavailableError(f"GET {response.url} did not return JSON") from exc


def _version(model: str, item: dict[str, Any]) -> VersionInfo:
    artifact = item.get("artifact") or {}
    return VersionInfo(
        model=model,
        version=int(item["version"]),
        status=str(item["status"]),
        artifact_uri=item.get("artifact_uri") or artifact.get("uri"),
        artifact_sha256=item.get("artifact_sha256") or artifact.get("sha256"),
        created_at=_when(item.get("created_at") or item.get("registered_at")),
        updated_at=_when(item.get("updated_at") or item.get("status_changed_at")),
    )


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
