"""The REST API: the shared HTTP shell, the OIP v2 routes and the friendly predict API.

``POST /v1/models/{name}/predict`` reads the entities' features from the online store in
this process and answers with the version that answered; ``GET /v1/models`` shows what is
deployed. A request id comes from ``X-Request-ID`` when given (so labels can be joined to
it later), else a new UUID; it is echoed in the ``x-request-id`` header.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson
from driftline.http import create_app, require_role
from fastapi import APIRouter, FastAPI, Request, Response

from driftline_serving.bootstrap import ServingService
from driftline_serving.core import Job, ServingError
from driftline_serving.entrypoints.friendly import parse_predict, predict_response
from driftline_serving.entrypoints.rest_oip import oip_router

__all__ = ["create_api"]

JSON = "application/json"


def _detail(exc: ServingError) -> Response:
    return Response(orjson.dumps({"detail": str(exc)}), status_code=exc.status, media_type=JSON)


def friendly_router(service: ServingService) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["predict"])
    viewer = require_role("viewer")
    slots, batcher = service.slots, service.batcher
    max_keys = service.settings.max_entity_keys

    @router.post("/models/{name}/predict", dependencies=[viewer])
    async def predict(name: str, request: Request) -> Response:
        """Predict for entity keys; features come from the online store."""
        started = time.perf_counter()
        try:
            slots.get(name)
            keys, single, overrides = parse_predict(await request.body(), max_keys)
            rid = request.headers.get("x-request-id") or str(uuid.uuid4())
            job = Job(rid, started, entity_keys=keys, overrides=overrides)
            result = await batcher.submit(name, job)
            if isinstance(result, ServingError):
                raise result
        except ServingError as exc:
            return _detail(exc)
        return Response(predict_response(name, result, single), media_type=JSON,
                        headers={"x-request-id": rid})  # fmt: skip

    @router.get("/models", dependencies=[viewer])
    def deployments() -> dict[str, Any]:
        """Every model of the spec: the versions it serves, by role, and the canary share."""
        out: dict[str, Any] = {}
        for name in slots.names:
            dep = slots.get(name)
            ch = dep.challenger
            out[name] = {
                "ready": dep.champion is not None,
                "versions": dep.versions_by_role(),
                "canary_fraction": ch.fraction if ch is not None and ch.mode == "canary" else None,
                "startup": service.startup.status.get(name),
            }
        return out

    return router


def create_api(service: ServingService) -> FastAPI:
    checks = service.ready_checks()
    app = create_app("serving", service.settings.common, ready_checks=checks,
                     title="driftline serving")  # fmt: skip

    def ready() -> bool:
        return all(check() is True for check in checks.values())

    app.include_router(oip_router(service, ready))
    app.include_router(friendly_router(service))
    return app
