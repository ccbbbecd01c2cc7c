"""OIP v2 REST routes: health, server and model metadata, model readiness, inference.

Routes only translate: HTTP in, a `Job` to the batcher, the answers out. Errors follow the
protocol's shape ``{"error": "..."}`` (404 unknown model or version, 422 bad input, 503 no
champion yet). Health and readiness are open (load balancers ask them); metadata and
inference need the viewer role when tokens are configured.
"""

from __future__ import annotations

import time
import uuid
from importlib.metadata import version as package_version
from typing import Any

import orjson
from driftline.http import require_role
from fastapi import APIRouter, Request, Response

from driftline_serving.bootstrap import ServingService
from driftline_serving.core import Job, ModelNotReadyError, ServingError, VersionNotLoadedError
from driftline_serving.entrypoints.metadata import model_metadata, server_metadata
from driftline_serving.entrypoints.oip import infer_response, parse_infer

__all__ = ["oip_router"]

JSON = "application/json"


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON)


def _error(exc: ServingError) -> Response:
    return _json({"error": str(exc)}, exc.status)


def _version(version: str | None) -> int | None:
    if version is None:
        return None
    if not version.isdigit():
        raise VersionNotLoadedError(f"model version must be a number, got {version!r}")
    return int(version)


def oip_router(service: ServingService, ready: Any) -> APIRouter:
    router = APIRouter(prefix="/v2", tags=["open inference protocol v2"])
    viewer = require_role("viewer")
    spec, slots, batcher = service.spec, service.slots, service.batcher
    server = server_metadata(package_version("driftline-serving"))

    @router.get("/health/live")
    def live() -> Response:
        return _json({"live": True})

    @router.get("/health/ready")
    def server_ready() -> Response:
        ok = ready()
        return _json({"ready": ok}, 200 if ok else 503)

    @router.get("", dependencies=[viewer])
    def metadata() -> Response:
        return _json(server)

    @router.get("/models/{name}", dependencies=[viewer])
    @router.get("/models/{name}/versions/{version}", dependencies=[viewer])
    def model(name: str, version: str | None = None) -> Response:
        try:
            dep, wanted = slots.get(name), _version(version)
            found = dep.champion if wanted is None else dep.loaded(wanted)
            if wanted is not None and found is None:
                raise VersionNotLoadedError(f"version {wanted} of model {name!r} is not loaded")
            return _json(model_metadata(spec, dep, found))
        except ServingError as exc:
            return _error(exc)

    @router.get("/models/{name}/ready")
    @router.get("/models/{name}/versions/{version}/ready")
    def model_ready(name: str, version: str | None = None) -> Response:
        try:
            dep, wanted = slots.get(name), _version(version)
        except ServingError as exc:
            return _error(exc)
        ok = dep.champion is not None if wanted is None else dep.loaded(wanted) is not None
        return _json({"name": name, "ready": ok}, 200 if ok else 503)

    @router.post("/models/{name}/infer", dependencies=[viewer])
    @router.post("/models/{name}/versions/{version}/infer", dependencies=[viewer])
    async def infer(name: str, request: Request, version: str | None = None) -> Response:
        started = time.perf_counter()
        try:
            dep, wanted = slots.get(name), _version(version)
            model = dep.champion if wanted is None else dep.loaded(wanted)
            if model is None:
                if wanted is None:
                    raise ModelNotReadyError(f"model {name!r} has no champion loaded yet")
                raise VersionNotLoadedError(f"version {wanted} of model {name!r} is not loaded")
            length = request.headers.get("inference-header-content-length")
            known = spec.dataset(spec.model(name).dataset).features
            parsed = parse_infer(await request.body(), int(length) if length else None,
                                 model.features, known)  # fmt: skip
            rid = parsed.id or request.headers.get("x-request-id") or str(uuid.uuid4())
            result = await batcher.submit(name, Job(rid, started, rows=parsed.rows, version=wanted))
            if isinstance(result, ServingError):
                raise result
        except ServingError as exc:
            return _error(exc)
        body, headers = infer_response(name, rid, result, parsed)
        media = "application/octet-stream" if headers else JSON
        return Response(body, media_type=media, headers={**headers, "x-request-id": rid})

    return router
