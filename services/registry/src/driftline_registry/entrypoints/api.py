"""The registry's HTTP API: reads for viewers, promote and rollback for operators.

Routes translate HTTP into queries and commands; decisions stay in the handlers
and the domain. Domain errors map to status codes: unknown model or version
404, a request that contradicts the state or lost a concurrent change 409.
"""

from __future__ import annotations

from driftline.http import create_app, require_role
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from driftline_registry.bootstrap import Registry
from driftline_registry.domain import (
    ConcurrencyError,
    InvalidTransitionError,
    PromoteVersion,
    RegisteredModel,
    RollBack,
    Status,
    UnknownModelError,
    UnknownVersionError,
)
from driftline_registry.entrypoints.schemas import (
    ChampionOut,
    LineageOut,
    ModelOut,
    OperationOut,
    PromoteIn,
    RollbackIn,
    TransitionOut,
    VersionDetailOut,
    VersionOut,
)
from driftline_registry.handlers import Outcome, promote_version, roll_back

__all__ = ["create_api"]


def create_api(registry: Registry) -> FastAPI:
    app = create_app(
        "registry",
        registry.settings.common,
        ready_checks={"database": registry.ping, "outbox_relay": lambda: registry.relay.last_error or True},
        title="Driftline model registry",
    )  # fmt: skip
    _errors(app)
    app.include_router(_reads(registry), dependencies=[require_role("viewer")])
    app.include_router(_operations(registry))
    return app


def _errors(app: FastAPI) -> None:
    async def not_found(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    async def conflict(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    app.add_exception_handler(UnknownModelError, not_found)
    app.add_exception_handler(UnknownVersionError, not_found)
    app.add_exception_handler(InvalidTransitionError, conflict)
    app.add_exception_handler(ConcurrencyError, conflict)


def _reads(registry: Registry) -> APIRouter:
    router = APIRouter(prefix="/models", tags=["models"])

    def load(name: str) -> RegisteredModel:
        with registry.uow(readonly=True) as uow:
            model = uow.models.get(name)
        if model is None:
            raise UnknownModelError(f"no model named {name!r}")
        return model

    @router.get("")
    def list_models() -> list[ModelOut]:
        """Every model with its champion and challenger."""
        with registry.uow(readonly=True) as uow:
            return [ModelOut.of(m) for m in uow.models.all()]

    @router.get("/{name}")
    def get_model(name: str) -> ModelOut:
        return ModelOut.of(load(name))

    @router.get("/{name}/versions")
    def list_versions(name: str, status: Status | None = None) -> list[VersionOut]:
        model = load(name)
        return [
            VersionOut.of(model, v)
            for v in model.versions.values()
            if status is None or v.status is status
        ]

    @router.get("/{name}/versions/{version}")
    def get_version(name: str, version: int) -> VersionDetailOut:
        model = load(name)
        found = model.get(version)
        base = VersionOut.of(model, found).model_dump()
        return VersionDetailOut(**base, lineage=LineageOut.of(found))

    @router.get("/{name}/versions/{version}/lineage")
    def get_lineage(name: str, version: int) -> LineageOut:
        return LineageOut.of(load(name).get(version))

    @router.get("/{name}/history")
    def get_history(name: str, version: int | None = None) -> list[TransitionOut]:
        """Every transition, oldest first: statuses, when, which event, which evidence."""
        load(name)
        with registry.uow(readonly=True) as uow:
            return [TransitionOut.of(t) for t in uow.history.for_model(name, version)]

    @router.get("/{name}/champion")
    def get_champion(name: str) -> ChampionOut:
        """What serving loads at start; 404 while the model has no champion."""
        model = load(name)
        champion = model.champion
        if champion is None:
            raise HTTPException(404, f"model {name!r} has no champion yet")
        return ChampionOut(
            model_name=name, version=champion.version, run_id=champion.run_id,
            artifact_uri=champion.location, artifact_sha256=champion.artifact_sha256,
            flavor=champion.flavor, champion_since=champion.champion_since,
        )  # fmt: skip

    return router


def _operations(registry: Registry) -> APIRouter:
    router = APIRouter(prefix="/models", tags=["operations"])
    ctx = registry.context

    @router.post("/{name}/versions/{version}/promote")
    def promote(
        name: str,
        version: int,
        body: PromoteIn,
        request: Request,
        role: str = require_role("operator"),
    ) -> OperationOut:
        """Make the version champion now (ModelPromoted, rollout full, via the outbox)."""
        correlation_id = request.state.correlation_id
        command = PromoteVersion(
            model_name=name, version=version, reason=body.reason,
            requested_by=body.requested_by or f"api:{role}", correlation_id=correlation_id,
        )  # fmt: skip
        return _out(promote_version(command, ctx), correlation_id)

    @router.post("/{name}/rollback")
    def rollback(
        name: str, body: RollbackIn, request: Request, role: str = require_role("operator")
    ) -> OperationOut:
        """Restore a former champion (ModelRolledBack via the outbox)."""
        correlation_id = request.state.correlation_id
        command = RollBack(
            model_name=name, reason=body.reason, to_version=body.to_version,
            requested_by=body.requested_by or f"api:{role}", correlation_id=correlation_id,
        )  # fmt: skip
        return _out(roll_back(command, ctx), correlation_id)

    return router


def _out(outcome: Outcome, correlation_id: str) -> OperationOut:
    v = outcome.version
    return OperationOut(model_name=v.model_name, version=v.version, status=v.status.value,
                        announced=outcome.announced, correlation_id=correlation_id)  # fmt: skip
