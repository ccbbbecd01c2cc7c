"""The HTTP shell every service shares: health, readiness, metrics, limits, auth, correlation.

Services build their routers; `create_app` wraps them with `/healthz` (alive),
`/readyz` (dependencies reachable), Prometheus `/metrics`, a request-size limit
(413), an ``X-Correlation-ID`` that is bound to every log line, a latency
histogram, and bearer-token roles (viewer < operator < admin).
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest

from driftline.settings import DriftlineSettings
from driftline.telemetry import log_context

__all__ = ["REQUEST_SECONDS", "Role", "create_app", "require_role"]

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


def require_role(minimum: Role) -> Any:
    """A FastAPI dependency: the caller's bearer token must grant at least `minimum`."""

    def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Role:
        tokens: dict[str, Role] | None = request.app.state.tokens
        if tokens is None:  # open: only the embedded profile allows this (see settings)
            return "admin"
        if credentials is None:
            raise HTTPException(401, "missing bearer token", {"WWW-Authenticate": "Bearer"})
        role = next(
            (r for t, r in tokens.items() if secrets.compare_digest(t, credentials.credentials)),
            None,
        )
        if role is None:
            raise HTTPException(401, "invalid token", {"WWW-Authenticate": "Bearer"})
        if _RANK[role] < _RANK[minimum]:
            raise HTTPException(403, f"requires role {minimum} or above; token has {role}")
        return role

    return Depends(check)


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
    max_bytes = settings.max_request_bytes

    @app.middleware("http")
    async def envelope(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            return JSONResponse(
                {"detail": f"request body of {length} bytes exceeds the {max_bytes}-byte limit"},
                status_code=413,
            )
        correlation_id = request.headers.get("x-correlation-id") or str(uuid.uuid4())
        request.state.correlation_id = correlation_id
        started = time.perf_counter()
        status = 500
        with log_context(correlation_id=correlation_id):
            try:
                response = await call_next(request)
                status = response.status_code
            finally:
                route = request.scope.get("route")
                REQUEST_SECONDS.labels(
                    service, getattr(route, "path", "unmatched"), request.method, str(status)
                ).observe(time.perf_counter() - started)
        response.headers["x-correlation-id"] = correlation_id
        return response

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
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
