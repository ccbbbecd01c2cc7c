"""`python -m driftline_ingestion`: the API on its port and the raw-records consumers."""

from __future__ import annotations

import gc
import logging

import pyarrow as pa  # type: ignore[import-untyped]
from driftline.runner import serve
from driftline.telemetry import configure_logging

from driftline_ingestion.bootstrap import bootstrap
from driftline_ingestion.config import IngestionSettings

log = logging.getLogger("driftline_ingestion")


def main() -> None:
    settings = IngestionSettings()
    configure_logging("ingestion", settings.common.log_level, json=settings.common.log_json)
    app = bootstrap(settings)
    if settings.create_topics:
        app.create_topics()
    pa.array([{"warm": 1}])  # pyarrow imports pandas on its first conversion: not in a request
    gc.freeze()  # start-up objects live forever: keep them out of every garbage collection
    log.info("ingestion starting", extra={"host": settings.host, "port": settings.port,
             "offline_store": app.ingestion.store.root, "consume": bool(app.workers)})  # fmt: skip
    serve(app.api, host=settings.host, port=settings.port, workers=app.workers)


if __name__ == "__main__":
    main()
