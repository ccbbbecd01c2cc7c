"""The feature service's training-set route over HTTP (``POST /training-sets``).

The body is Parquet; ``X-Content-SHA256`` must be the SHA-256 of the body (a
truncated or altered download is refused) and ``X-Feature-View-Versions`` a JSON
object of view -> version, recorded in the model's lineage.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from driftline_training.adapters.http_retry import RetryingCaller
from driftline_training.domain.errors import TrainingSetError, UnknownModelError
from driftline_training.domain.model import TrainingSet, Window

__all__ = ["HttpTrainingSets"]


class HttpTrainingSets:
    def __init__(self, base_url: str, *, timeout_s: float, caller: RetryingCaller) -> None:
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_s)
        self._call = caller

    def training_set(self, model: str, window: Window) -> TrainingSet:
        body = {"model": model, "start": window.start.isoformat(), "end": window.end.isoformat()}
        response = self._call(
            "feature service POST /training-sets",
            lambda: self._client.post("/training-sets", json=body),
        )
        if response.status_code == 404:
            raise UnknownModelError(
                f"the feature service does not know model {model!r}: {_detail(response)}"
            )
        if response.status_code != 200:
            raise TrainingSetError(
                f"the feature service refused the training set of {model!r} for "
                f"[{body['start']}, {body['end']}): HTTP {response.status_code} {_detail(response)}"
            )
        content = response.content
        digest = hashlib.sha256(content).hexdigest()
        announced = response.headers.get("x-content-sha256", "").lower()
        if announced and announced != digest:
            raise TrainingSetError(
                f"training set of {model!r} hashes to {digest} but the feature service "
                f"announced {announced}: refusing a corrupted download"
            )
        try:
            frame = pq.read_table(pa.BufferReader(content)).to_pandas()
        except (pa.ArrowInvalid, OSError) as exc:
            raise TrainingSetError(
                f"training set of {model!r} is not valid Parquet: {exc}"
            ) from None
        return TrainingSet(
            frame, digest, _versions(response.headers.get("x-feature-view-versions"))
        )

    def ping(self) -> bool:
        return self._client.get("/healthz", timeout=2.0).status_code == 200

    def close(self) -> None:
        self._client.close()


def _versions(raw: str | None) -> dict[str, str]:
    if not raw:
        return {}
    try:
        parsed: Any = json.loads(raw)
    except json.JSONDecodeError:
        raise TrainingSetError(f"X-Feature-View-Versions is not JSON: {raw[:200]!r}") from None
    if not isinstance(parsed, dict):
        raise TrainingSetError("X-Feature-View-Versions must be a JSON object")
    return {str(k): str(v) for k, v in parsed.items()}


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text))[:300]
    except (ValueError, AttributeError):
        return response.text[:300]
