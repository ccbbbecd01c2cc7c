"""``python -m driftline_registry``: the API on port 8004 with the consumer and the outbox relay.

``python -m driftline_registry migrate`` only applies the database migrations.
"""

from __future__ import annotations

import logging
import sys

from driftline.runner import serve
from driftline.telemetry import configure_logging

from driftline_registry.adapters import create_engine, run_migrations
from driftline_registry.bootstrap import bootstrap
from driftline_registry.config import RegistrySettings
from driftline_registry.entrypoints.api import create_api
from driftline_registry.entrypoints.worker import workers

log = logging.getLogger("driftline_registry")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    settings = RegistrySettings()
    configure_logging("registry", settings.common.log_level, json=settings.common.log_json)
    if args[:1] == ["migrate"]:
        run_migrations(create_engine(settings.resolved_database_url))
        log.info("registry database migrated")
        return
    if args:
        raise SystemExit(f"usage: python -m driftline_registry [migrate]; got {' '.join(args)}")
    registry = bootstrap(settings)
    log.info(
        "registry starting",
        extra={
            "port": settings.port,
            "database": registry.engine.url.render_as_string(hide_password=True),
        },
    )
    try:
        serve(
            create_api(registry), host=settings.host, port=settings.port, workers=workers(registry)
        )
    finally:
        registry.close()


if __name__ == "__main__":
    main()
