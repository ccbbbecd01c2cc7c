"""The HTTP API: retention policies, what was retired, and an on-demand sweep.

- ``GET /policies`` (viewer or above): each spec model's retention policy and the sweep interval.
- ``GET /retired`` (viewer or above): retirements, newest first: when, why, where the artifact is,
  and whether a rollback can still restore the version.
- ``POST /sweep`` (operator or above): sweep now; returns what it did.

Plus the shared ``/healthz``, ``/readyz`` and ``/metrics`` from `driftline.http`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from driftline.http import create_app, require_role
from fastapi import APIRouter, FastAPI, Query, Request
from pydantic import BaseModel

from driftline_retirement.domain import RetirementRecord

if TYPE_CHECKING:
    from driftline_retirement.bootstrap import RetirementService

__all__ = ["RetiredVersion", "create_api"]


class RetiredVersion(BaseModel):
    """One retirement as the API shows it."""

    model: str
    version: int
    reason: str
    """replaced, ttl or keep_last."""
    detail: str
    state: str
    """pending, retired, cancelled (refused when due) or restored (by a rollback)."""
    requested_at: datetime
    retired_at: datetime | None
    retired_by: str
    artifact_uri: str | None
    """Where the bytes were when the retirement was decided."""
    archive_uri: str | None
    """Where the bytes are now (also carried by ModelRetired)."""
    restorable: bool
    restorable_until: datetime | None
    purged_at: datetime | None
    closed_at: datetime | None
    note: str
    announced: bool
    event_id: str
    correlation_id: str


def create_api(service: RetirementService) -> FastAPI:
    settings = service.settings
    app = create_app(
        "retirement", settings.common, ready_checks=service.ready_checks(),
        title="driftline retirement",
    )  # fmt: skip
    router = APIRouter(tags=["retirement"], dependencies=[require_role("viewer")])

    def window(model: str) -> timedelta:
        policy = service.spec.models.get(model)
        return timedelta(days=policy.retention.restore_within_days if policy else 0)

    def view(record: RetirementRecord) -> RetiredVersion:
        now = service.retirer.clock()
        return RetiredVersion(
            **{k: v for k, v in asdict(record).items() if k in RetiredVersion.model_fields},
            retired_by=settings.source,
            restorable=record.restorable(window(record.model), now),
            restorable_until=record.restorable_until(window(record.model)),
            announced=record.announced_at is not None,
        )

    @router.get("/policies")
    def policies() -> dict[str, Any]:
        """The retention policy of every model in the spec."""
        return {
            "sweep_interval_seconds": settings.sweep_interval_seconds,
            "models": {
                name: model.retention.model_dump() for name, model in service.spec.models.items()
            },
        }

    @router.get("/retired")
    def retired(
        model: Annotated[str | None, Query(description="Only this model")] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 200,
    ) -> list[RetiredVersion]:
        """Retirements, newest first, with their archive location and restore window."""
        return [view(record) for record in service.ledger.records(model, limit)]

    @router.post("/sweep", dependencies=[require_role("operator")])
    def sweep(request: Request) -> dict[str, Any]:
        """Apply the retention policies now (operator or above); returns what was done."""
        report = service.sweeper.sweep("api", request.state.correlation_id)
        return {"outcome": report.outcome, **asdict(report)}

    app.include_router(router)
    return app
