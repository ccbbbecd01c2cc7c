"""The registry's champion over its REST API (`GET /models/{name}/champion`)."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from driftline_serving.core.types import ModelRef

__all__ = ["HttpChampionSource", "RegistryUnavailableError"]


class RegistryUnavailableError(RuntimeError):
    """The registry did not answer, or answered with an error other than 404."""


class HttpChampionSource:
    def __init__(
        self, base_url: str, *, timeout: float = 5.0, token: SecretStr | None = None
    ) -> None:
        headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, headers=headers)

    def champion(self, model_name: str) -> ModelRef | None:
        """The champion, None when the registry has none (404); raises when it cannot tell."""
        try:
            response = self._client.get(f"/models/{model_name}/champion")
        except httpx.HTTPError as exc:
            raise RegistryUnavailableError(f"registry at {self._client.base_url}: {exc}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise RegistryUnavailableError(
                f"registry answered {response.status_code} for {model_name!r}: {response.text[:200]}"
            )
        body = response.json()
        return ModelRef(
            name=model_name, version=int(body["version"]), artifact_uri=body["artifact_uri"],
            sha256=body["artifact_sha256"], flavor=body.get("flavor") or "sklearn",
        )  # fmt: skip

    def close(self) -> None:
        self._client.close()
