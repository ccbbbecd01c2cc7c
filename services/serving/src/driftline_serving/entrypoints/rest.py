"""The REST API: the shared HTTP shell, the OIP v2 routes and the friendly predict API.

``POST /v1/models/{name}/predict`` reads the entities' features from the online store in
this process and answers with the version that answered; ``GET /v1/models`` shows what is
deployed. A request id comes from ``X-Request-ID`` when given (so labels can be joined to
it later), else a new UUID; it is echoed in the ``x-request-id`` header.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from driftline.http import authorize, bearer_token, create_app, require_role
from fastapi import APIRouter, FastAPI, HTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from driftline_serving.bootstrap import ServingService
from driftline_serving.core import Job, ServingError
from driftline_serving.entrypoints.friendly import parse_predict, predict_response
from driftline_serving.entrypoints.rest_oip import oip_router

__all__ = ["create_api"]

JSON = "application/json"


def friendly_router(service: ServingService) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["predict"])
    viewer = require_role("viewer")
    slots = service.slots

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


PREDICT_DOC: dict[str, Any] = {
    "tags": ["predict"],
    "summary": "Predict for entity keys; features come from the online store",
    "parameters": [
        {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "x-request-id", "in": "header", "required": False, "schema": {"type": "string"}},
    ],
    "requestBody": {"required": True, "content": {JSON: {"schema": {
        "type": "object", "additionalProperties": False,
        "properties": {
            "entity_key": {"type": "string"},
            "entity_keys": {"type": "array", "items": {"type": "string"}},
            "features": {"type": "object", "description": "values used where the store has none"},
        },
    }}}},
    "responses": {
        "200": {"description": "one answer (entity_key) or a list (entity_keys): request_id, "
                "model_name, model_version, entity_key, prediction, score, role"},
        "401": {"description": "missing or invalid bearer token"},
        "404": {"description": "unknown model"},
        "422": {"description": "bad body, or features the model cannot read"},
        "503": {"description": "no champion loaded yet"},
    },
}  # fmt: skip


class PredictEndpoint:
    """``POST /v1/models/{name}/predict`` as a plain ASGI endpoint: the serving hot path.

    FastAPI's request handling (routing through included routers, dependency solving, the
    Request and Response objects) took about 40 % of the GIL per predict under load (py-spy,
    `bench/serving_bench.py`); this endpoint does the same work (bearer role, body, errors
    as ``{"detail"}``, ``x-request-id``) directly on the ASGI messages.
    """

    path = "/v1/models/{name}/predict"
    """Its route (also the latency histogram's ``route`` label)."""

    def __init__(self, service: ServingService) -> None:
        self.slots, self.batcher = service.slots, service.batcher
        self.max_keys = service.settings.max_entity_keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        authorization = rid = None
        for key, value in scope["headers"]:
            if key == b"authorization":
                authorization = value.decode("latin-1")
            elif key == b"x-request-id":
                rid = value.decode("latin-1")
        try:
            authorize(scope["app"].state.tokens, bearer_token(authorization), "viewer")
        except HTTPException as exc:
            body = orjson.dumps({"detail": exc.detail})
            await _respond(send, exc.status_code, body, exc.headers or {})
            return
        name: str = scope["path_params"]["name"]
        rid = rid or str(uuid.uuid4())
        try:
            self.slots.get(name)
            keys, single, overrides = parse_predict(await _read_body(receive), self.max_keys)
            job = Job(rid, started, entity_keys=keys, overrides=overrides)
            result = await self.batcher.submit(name, job)
            if isinstance(result, ServingError):
                raise result
        except ServingError as exc:
            await _respond(send, exc.status, orjson.dumps({"detail": str(exc)}), {})
            return
        await _respond(send, 200, predict_response(name, result, single), {"x-request-id": rid})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes, headers: Mapping[str, str]) -> None:
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def create_api(service: ServingService) -> FastAPI:
    checks = service.ready_checks()
    app = create_app("serving", service.settings.common, ready_checks=checks,
                     title="driftline serving")  # fmt: skip

    def ready() -> bool:
        return all(check() is True for check in checks.values())

    app.router.routes.append(
        Route(PredictEndpoint.path, PredictEndpoint(service), methods=["POST"])
    )
    app.include_router(oip_router(service, ready))
    app.include_router(friendly_router(service))
    generate = app.openapi

    def openapi() -> dict[str, Any]:  # the plain ASGI route, described by hand
        schema = generate()
        schema["paths"].setdefault(PredictEndpoint.path, {"post": PREDICT_DOC})
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
