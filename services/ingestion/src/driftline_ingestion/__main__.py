"""`python -m driftline_ingestion`: the API on its port and the raw-records consumers."""

from __future__ import annotations

import gc
import logging
import time

import pyarrow as pa  # type: ignore[import-untyped]
from driftline.runner import serve
from driftline.telemetry import configure_logging

from driftline_ingestion.bootstrap import App, bootstrap
from driftline_ingestion.config import IngestionSettings

log = logging.getLogger("driftline_ingestion")


def _create_topics(app: App, attempts: int = 10, pause_s: float = 3.0) -> None:
    """Create the raw-records topics, waiting for a broker that is still starting."""
    for attempt in range(1, attempts + 1):
        try:
            app.create_topics()
            return
        except Exception as exc:  # KafkaException while the broker comes up
            if attempt == attempts:
                raise SystemExit(f"cannot create the raw-records topics: {exc}") from None
            log.warning("broker not ready; retrying", extra={"attempt": attempt, "error": str(exc)})
            time.sleep(pause_s)


def main() -> None:
    settings = IngestionSettings()
    configure_logging("ingestion", settings.common.log_level, json=settings.common.log_json)
    app = bootstrap(settings)
    if settings.create_topics:
        _create_topics(app)
    pa.array([{"warm": 1}])  # pyarrow imports pandas on its first conversion: not in a request
    gc.freeze()  # start-up objects live forever: keep them out of every garbage collection
    log.info("ingestion starting", extra={"host": settings.host, "port": settings.port,
             "offline_store": app.ingestion.store.root, "consume": bool(app.workers)})  # fmt: skip
    serve(app.api, host=settings.host, port=settings.port, workers=app.workers)


if __name__ == "__main__":
    main()
