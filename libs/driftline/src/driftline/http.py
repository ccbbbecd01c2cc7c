"""The HTTP shell every service shares: health, readiness, metrics, limits, auth, correlation.

Services build their routers; `create_app` wraps them with `/healthz` (alive),
`/readyz` (dependencies reachable), Prometheus `/metrics`, a request-size limit
(413), an ``X-Correlation-ID`` that is bound to every log line, a latency
histogram, and bearer-token roles (viewer < operator < admin).
"""

from __future__ import annotations

import logging
import random
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from driftline.settings import DriftlineSettings
from driftline.telemetry import log_context

__all__ = ["REQUEST_SECONDS", "Role", "authorize", "bearer_token", "create_app", "require_role"]

log = logging.getLogger(__name__)
Role = Literal["viewer", "operator", "admin"]
_RANK = {"viewer": 0, "operator": 1, "admin": 2}
ReadyCheck = Callable[[], bool | str]

REQUEST_SECONDS = Histogram(
    "driftline_http_request_seconds",
    "HTTP request latency by service, route and status.",
    ["service", "route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
_bearer = HTTPBearer(auto_error=False)


def _parse_tokens(settings: DriftlineSettings) -> dict[str, Role] | None:
    if settings.api_tokens is None:
        return None
    tokens: dict[str, Role] = {}
    for item in settings.api_tokens.get_secret_value().split(","):
        token, _, role = item.strip().partition(":")
        if role not in _RANK:
            raise ValueError(f"api_tokens: role {role!r} is not viewer, operator or admin")
        tokens[token] = role  # type: ignore[assignment]
    return tokens


def authorize(tokens: Mapping[str, Role] | None, credentials: str | None, minimum: Role) -> Role:
    """The role a bearer token grants, if at least `minimum`; 401/403 `HTTPException` if not.
    `tokens` None: open (only the embedded profile allows that, see settings)."""
    if tokens is None:
        return "admin"
    if not credentials:
        raise HTTPException(401, "missing bearer token", {"WWW-Authenticate": "Bearer"})
    role = next((r for t, r in tokens.items() if secrets.compare_digest(t, credentials)), None)
    if role is None:
        raise HTTPException(401, "invalid token", {"WWW-Authenticate": "Bearer"})
    if _RANK[role] < _RANK[minimum]:
        raise HTTPException(403, f"requires role {minimum} or above; token has {role}")
    return role


def bearer_token(authorization: str | None) -> str | None:
    """The credentials of an ``Authorization: Bearer <token>`` header, else None."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def require_role(minimum: Role) -> Any:
    """A FastAPI dependency: the caller's bearer token must grant at least `minimum`."""

    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Role:
        token = None if credentials is None else credentials.credentials
        return authorize(request.app.state.tokens, token, minimum)

    return Depends(check)


def _scraped() -> CollectorRegistry:
    """What /metrics reports: this process's registry, or, when prometheus_client was imported
    in multi-process mode (replicas sharing a port), every replica's values added up."""
    if values.ValueClass is values.MutexValue:  # chosen once, when prometheus_client loaded
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def _new_id() -> str:
    """A random UUID without a syscall: correlation ids need uniqueness, not secrecy (the
    module's generator is reseeded in forked children)."""
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


class Envelope:
    """Plain ASGI middleware around every HTTP request: the size limit (413), the
    correlation id (taken from ``X-Correlation-ID`` or made, bound to the log lines, stored
    as ``request.state.correlation_id`` and echoed), and the latency histogram.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's `BaseHTTPMiddleware`
    runs every request through an extra task group and memory streams, which cost serving
    about a quarter of its throughput (py-spy, `bench/serving_bench.py`).
    """

    def __init__(self, app: ASGIApp, *, service: str, max_bytes: int) -> None:
        self.app, self.service, self.max_bytes = app, service, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = length = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"x-correlation-id":
                correlation_id = value.decode("latin-1")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            detail = f"request body of {int(length)} bytes exceeds the {self.max_bytes}-byte limit"
            await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)
            return
        correlation_id = correlation_id or _new_id()
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        echoed = (b"x-correlation-id", correlation_id.encode("latin-1"))
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        started = time.perf_counter()
        with log_context(correlation_id=correlation_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                # FastAPI's routes set "route"; a plain ASGI endpoint may carry its `path`
                route = scope.get("route") or scope.get("endpoint")
                REQUEST_SECONDS.labels(
                    self.service, getattr(route, "path", "unmatched"), scope["method"], str(status)
                ).observe(time.perf_counter() - started)


def create_app(
    service: str,
    settings: DriftlineSettings,
    *,
    ready_checks: Mapping[str, ReadyCheck] | None = None,
    title: str | None = None,
    version: str = "0.1.0",
) -> FastAPI:
    app = FastAPI(title=title or f"driftline {service}", version=version)
    app.state.tokens = _parse_tokens(settings)
    app.state.service = service
    checks = dict(ready_checks or {})

    app.add_middleware(Envelope, service=service, max_bytes=settings.max_request_bytes)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Alive: the process answers."""
        return {"status": "ok", "service": service}

    @app.get("/readyz", tags=["ops"])
    def readyz(response: Response) -> dict[str, Any]:
        """Ready: every dependency answers."""
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                outcome = check()
                results[name] = "ok" if outcome is True else str(outcome or "failed")
            except Exception as exc:
                results[name] = f"{type(exc).__name__}: {exc}"
        ready = all(v == "ok" for v in results.values())
        response.status_code = 200 if ready else 503
        return {"status": "ready" if ready else "not ready", "checks": results}

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(_scraped()), media_type=CONTENT_TYPE_LATEST)

    return app
