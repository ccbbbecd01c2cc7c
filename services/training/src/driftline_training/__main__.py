"""``python -m driftline_training``: the trigger consumer, the queue worker and the API."""

from __future__ import annotations

from driftline.runner import Worker, serve
from driftline.telemetry import configure_logging

from driftline_training.bootstrap import bootstrap
from driftline_training.config import TrainingSettings
from driftline_training.entrypoints.api import create_api
from driftline_training.entrypoints.worker import build_subscriber


def main() -> None:
    settings = TrainingSettings()
    configure_logging("training", settings.common.log_level, json=settings.common.log_json)
    app = bootstrap(settings)
    workers: list[Worker] = [app.worker]
    if settings.consume:
        workers.append(build_subscriber(app))
    serve(create_api(app), host=settings.host, port=settings.port, workers=workers)


if __name__ == "__main__":
    main()
