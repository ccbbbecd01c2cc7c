"""`python -m driftline_retirement`: the API (port 8007), the event consumer and the sweep loop."""

from __future__ import annotations

import logging

from driftline.runner import serve
from driftline.telemetry import configure_logging

from driftline_retirement.bootstrap import bootstrap
from driftline_retirement.config import RetirementSettings
from driftline_retirement.entrypoints.api import create_api

__all__ = ["main"]

log = logging.getLogger("driftline_retirement")
_QUIET = ("httpx", "httpcore")  # one INFO line per registry call is noise


def main() -> None:
    settings = RetirementSettings()
    configure_logging("retirement", settings.common.log_level, json=settings.common.log_json)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    service = bootstrap(settings)
    app = create_api(service)
    log.info(
        "retirement starting",
        extra={"host": settings.host, "port": settings.port,
               "consume": service.subscriber is not None, "sweep": service.loop is not None},
    )  # fmt: skip
    serve(app, host=settings.host, port=settings.port, workers=service.workers())


if __name__ == "__main__":
    main()
