"""The HTTP API: health, readiness and Prometheus metrics only (the service is a worker)."""

from __future__ import annotations

from driftline.http import create_app
from fastapi import FastAPI

from driftline_training import metrics as _metrics  # noqa: F401  (registers the metrics)
from driftline_training.bootstrap import TrainingApp

__all__ = ["create_api"]


def create_api(app: TrainingApp) -> FastAPI:
    """/healthz, /readyz (run store, feature service, registry) and /metrics."""
    return create_app(
        "training", app.settings.common, ready_checks=app.ready_checks, title="driftline training"
    )
