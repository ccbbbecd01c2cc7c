"""The HTTP API (port 8006): health, readiness and metrics from the shared shell, and the
drift state as JSON."""

from __future__ import annotations

from typing import Any

from driftline.http import create_app, require_role
from fastapi import FastAPI, HTTPException

from driftline_monitoring.bootstrap import Monitoring
from driftline_monitoring.views import model_detail, model_summary

__all__ = ["create_api"]


def create_api(monitoring: Monitoring) -> FastAPI:
    ctx = monitoring.context

    def worker_ready() -> bool | str:
        return monitoring.ready["worker"] or "the worker has no partitions assigned yet"

    app = create_app("monitoring", monitoring.settings.common,
                     ready_checks={"worker": worker_ready}, title="driftline monitoring")  # fmt: skip

    @app.get("/drift", tags=["drift"], dependencies=[require_role("viewer")])
    async def drift() -> dict[str, Any]:
        """Every monitored model: champion, references, open windows, episode, last window."""
        with ctx.lock:
            return {"models": [model_summary(m) for m in ctx.monitors.values()],
                    "pending_predictions": len(ctx.pending)}  # fmt: skip

    @app.get("/drift/{model}", tags=["drift"], dependencies=[require_role("viewer")])
    async def drift_of(model: str) -> dict[str, Any]:
        """One model, with its recent windows and every test statistic."""
        monitor = ctx.monitors.get(model)
        if monitor is None:
            raise HTTPException(404, f"unknown model {model!r}; known: {sorted(ctx.monitors)}")
        with ctx.lock:
            return model_detail(monitor)

    return app
