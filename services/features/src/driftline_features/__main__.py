"""`python -m driftline_features`: the API on its port and the DataIngested consumer, one process."""

from __future__ import annotations

from driftline.runner import Worker, serve
from driftline.telemetry import configure_logging

from driftline_features.bootstrap import SERVICE, bootstrap
from driftline_features.config import Settings
from driftline_features.entrypoints.api import create_api
from driftline_features.entrypoints.readiness import ready_checks
from driftline_features.entrypoints.worker import build_worker


def main() -> None:
    settings = Settings()
    configure_logging(SERVICE, settings.common.log_level, json=settings.common.log_json)
    service = bootstrap(settings)
    workers: list[Worker] = [build_worker(service)] if settings.consume else []
    try:
        serve(create_api(service, ready_checks(service)), host=settings.host,
              port=settings.port, workers=workers)  # fmt: skip
    finally:
        service.close()


if __name__ == "__main__":
    main()
